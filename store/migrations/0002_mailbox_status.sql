-- What the running daemon last saw of each mailbox, for "mailflow status".
CREATE TABLE mailbox_status (
    mailbox    TEXT PRIMARY KEY,
    last_poll  TIMESTAMP,
    last_error TEXT NOT NULL DEFAULT '',
    error_at   TIMESTAMP,
    connected  BOOLEAN NOT NULL DEFAULT 0,
    handled    INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL
);
