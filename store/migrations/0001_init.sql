-- Projects are created from config at start; name is the stable key.
CREATE TABLE projects (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL
);

-- Every message mailflow has looked at, whatever became of it.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    message_id   TEXT NOT NULL,          -- Message-ID header, or "hash:<sha256>" when missing
    content_hash TEXT NOT NULL,
    mailbox      TEXT NOT NULL DEFAULT '',
    uidvalidity  INTEGER NOT NULL DEFAULT 0,
    uid          INTEGER NOT NULL DEFAULT 0,
    sender       TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,          -- minutes | reply | other
    outcome      TEXT NOT NULL,          -- processed | ignored | failed
    error        TEXT NOT NULL DEFAULT '',
    raw          BLOB,                   -- kept for failed messages so they can be re-run
    received_at  TIMESTAMP NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, message_id)
);
CREATE INDEX messages_by_uid ON messages (mailbox, uidvalidity, uid);

CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    title        TEXT NOT NULL,
    meeting_date TEXT NOT NULL,          -- YYYY-MM-DD in the project time zone
    chair        TEXT NOT NULL DEFAULT '',
    message_id   INTEGER REFERENCES messages(id),
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE attendees (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    present    BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE action_items (
    id                 INTEGER PRIMARY KEY,
    project_id         INTEGER NOT NULL REFERENCES projects(id),
    num                INTEGER NOT NULL,   -- the 12 of A-12
    text               TEXT NOT NULL,
    owner              TEXT NOT NULL DEFAULT '',  -- email when resolved, else the name as written
    owner_name         TEXT NOT NULL DEFAULT '',
    due                TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    progress           INTEGER NOT NULL DEFAULT 0,
    meeting_id         INTEGER REFERENCES meetings(id),
    created_by_message INTEGER REFERENCES messages(id),
    closed_by_message  INTEGER REFERENCES messages(id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    closed_at          TIMESTAMP,
    last_reminded      TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD of the last digest that listed it
    UNIQUE (project_id, num)
);

CREATE TABLE risks (
    id                 INTEGER PRIMARY KEY,
    project_id         INTEGER NOT NULL REFERENCES projects(id),
    num                INTEGER NOT NULL,   -- the 3 of R-3
    description        TEXT NOT NULL,
    likelihood         TEXT NOT NULL DEFAULT '',
    likelihood_text    TEXT NOT NULL DEFAULT '',
    impact             TEXT NOT NULL DEFAULT '',
    impact_text        TEXT NOT NULL DEFAULT '',
    mitigation         TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    owner_name         TEXT NOT NULL DEFAULT '',
    trigger_text       TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    escalated          BOOLEAN NOT NULL DEFAULT 0,
    meeting_id         INTEGER REFERENCES meetings(id),
    created_by_message INTEGER REFERENCES messages(id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (project_id, num)
);

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    meeting_id INTEGER REFERENCES meetings(id),
    text       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE changes (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    meeting_id INTEGER REFERENCES meetings(id),
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Every change to project data, with what caused it.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    at         TIMESTAMP NOT NULL,
    actor      TEXT NOT NULL,            -- email of the sender, or "cli:<user>"
    source     TEXT NOT NULL,            -- message | cli | system
    message_id INTEGER REFERENCES messages(id),
    ref        TEXT NOT NULL DEFAULT '', -- A-12, R-3, or '' for meeting-level entries
    action     TEXT NOT NULL,
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_ref ON audit_log (project_id, ref);

-- Mail waiting to go out, and mail that went. A row is written in the same
-- transaction as the change that causes it; idem_key makes a logical mail
-- unique, so a retry of that transaction cannot queue it twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    idem_key        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    envelope_from   TEXT NOT NULL,
    recipients      TEXT NOT NULL,       -- JSON array of addresses
    subject         TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL,       -- Message-ID header of the rendered mail
    about           TEXT NOT NULL DEFAULT '', -- refs the mail is about, space separated
    raw             BLOB NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    smtp_response   TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_message_id ON outbox (message_id);

CREATE TABLE checkpoints (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- When each periodic job last ran, so a restart neither repeats nor skips one.
CREATE TABLE schedule_runs (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    job        TEXT NOT NULL,
    last_run   TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, job)
);
