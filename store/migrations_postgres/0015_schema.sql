-- The PostgreSQL schema: the SQLite schema after its migrations 0001 to
-- 0015, in one step, so it starts at version 15 and the two sets share
-- their numbers from here on (a new migration is written for each, with
-- the same number). Ids are BIGSERIAL; counters and IMAP numbers (UIDs
-- reach 2^32-1) BIGINT; bytes BYTEA; flags BOOLEAN; times TIMESTAMPTZ,
-- written in UTC. Text compares and sorts bytewise (COLLATE "C"), as in
-- SQLite: the store's range lookups ("<id>#" up to "<id>$") and every
-- ORDER BY rely on it, and a server's default collation may not.

CREATE TABLE projects (
    id      BIGSERIAL PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL UNIQUE,
    address TEXT COLLATE "C" NOT NULL
);

CREATE TABLE messages (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    message_id   TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    mailbox      TEXT COLLATE "C" NOT NULL DEFAULT '',
    uidvalidity  BIGINT NOT NULL DEFAULT 0,
    uid          BIGINT NOT NULL DEFAULT 0,
    sender       TEXT COLLATE "C" NOT NULL DEFAULT '',
    subject      TEXT COLLATE "C" NOT NULL DEFAULT '',
    kind         TEXT COLLATE "C" NOT NULL,
    outcome      TEXT COLLATE "C" NOT NULL,
    error        TEXT COLLATE "C" NOT NULL DEFAULT '',
    raw          BYTEA,
    received_at  TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    UNIQUE (project_id, message_id)
);
CREATE INDEX messages_by_uid ON messages (mailbox, uidvalidity, uid);
CREATE INDEX messages_held ON messages (project_id, sender) WHERE outcome = 'held';

CREATE TABLE meetings (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects(id),
    title        TEXT COLLATE "C" NOT NULL,
    meeting_date TEXT COLLATE "C" NOT NULL,
    chair        TEXT COLLATE "C" NOT NULL DEFAULT '',
    message_id   BIGINT REFERENCES messages(id),
    created_at   TIMESTAMPTZ NOT NULL,
    notes        TEXT COLLATE "C" NOT NULL DEFAULT '',
    next_meeting TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX meetings_by_message ON meetings (message_id);
CREATE INDEX meetings_by_date ON meetings (project_id, meeting_date);

CREATE TABLE attendees (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    name       TEXT COLLATE "C" NOT NULL DEFAULT '',
    email      TEXT COLLATE "C" NOT NULL DEFAULT '',
    present    BOOLEAN NOT NULL DEFAULT TRUE,
    seq        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX attendees_by_meeting ON attendees (meeting_id);

CREATE TABLE action_items (
    id                 BIGSERIAL PRIMARY KEY,
    project_id         BIGINT NOT NULL REFERENCES projects(id),
    num                BIGINT NOT NULL,
    text               TEXT COLLATE "C" NOT NULL,
    owner              TEXT COLLATE "C" NOT NULL DEFAULT '',
    owner_name         TEXT COLLATE "C" NOT NULL DEFAULT '',
    due                TEXT COLLATE "C" NOT NULL DEFAULT '',
    status             TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    progress           BIGINT NOT NULL DEFAULT 0,
    meeting_id         BIGINT REFERENCES meetings(id),
    created_by_message BIGINT REFERENCES messages(id),
    closed_by_message  BIGINT REFERENCES messages(id),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    closed_at          TIMESTAMPTZ,
    last_reminded      TEXT COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (project_id, num)
);
CREATE INDEX items_by_meeting ON action_items (meeting_id);

CREATE TABLE risks (
    id                 BIGSERIAL PRIMARY KEY,
    project_id         BIGINT NOT NULL REFERENCES projects(id),
    num                BIGINT NOT NULL,
    description        TEXT COLLATE "C" NOT NULL,
    likelihood         TEXT COLLATE "C" NOT NULL DEFAULT '',
    likelihood_text    TEXT COLLATE "C" NOT NULL DEFAULT '',
    impact             TEXT COLLATE "C" NOT NULL DEFAULT '',
    impact_text        TEXT COLLATE "C" NOT NULL DEFAULT '',
    mitigation         TEXT COLLATE "C" NOT NULL DEFAULT '',
    owner              TEXT COLLATE "C" NOT NULL DEFAULT '',
    owner_name         TEXT COLLATE "C" NOT NULL DEFAULT '',
    trigger_text       TEXT COLLATE "C" NOT NULL DEFAULT '',
    status             TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    escalated          BOOLEAN NOT NULL DEFAULT FALSE,
    meeting_id         BIGINT REFERENCES meetings(id),
    created_by_message BIGINT REFERENCES messages(id),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    last_nudged        TEXT COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (project_id, num)
);
CREATE INDEX risks_by_meeting ON risks (meeting_id);

CREATE TABLE decisions (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    meeting_id BIGINT REFERENCES meetings(id),
    text       TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL DEFAULT 'decision'
);
CREATE INDEX decisions_by_meeting ON decisions (meeting_id);

CREATE TABLE changes (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    meeting_id BIGINT REFERENCES meetings(id),
    kind       TEXT COLLATE "C" NOT NULL,
    text       TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX changes_by_meeting ON changes (meeting_id);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    source     TEXT COLLATE "C" NOT NULL,
    message_id BIGINT REFERENCES messages(id),
    ref        TEXT COLLATE "C" NOT NULL DEFAULT '',
    action     TEXT COLLATE "C" NOT NULL,
    old_value  TEXT COLLATE "C" NOT NULL DEFAULT '',
    new_value  TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_ref ON audit_log (project_id, ref);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT NOT NULL REFERENCES projects(id),
    idem_key        TEXT COLLATE "C" NOT NULL UNIQUE,
    kind            TEXT COLLATE "C" NOT NULL,
    envelope_from   TEXT COLLATE "C" NOT NULL,
    recipients      TEXT COLLATE "C" NOT NULL,
    subject         TEXT COLLATE "C" NOT NULL DEFAULT '',
    message_id      TEXT COLLATE "C" NOT NULL,
    about           TEXT COLLATE "C" NOT NULL DEFAULT '',
    raw             BYTEA NOT NULL,
    status          TEXT COLLATE "C" NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','sending','sent','failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    smtp_response   TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_error      TEXT COLLATE "C" NOT NULL DEFAULT '',
    interrupted     BIGINT NOT NULL DEFAULT 0,
    rcpt            TEXT COLLATE "C" NOT NULL DEFAULT '',
    pruned_at       TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_message_id ON outbox (message_id);
CREATE INDEX outbox_by_rcpt_kind ON outbox (project_id, rcpt, kind, created_at);
CREATE INDEX outbox_sent_whole ON outbox (sent_at) WHERE status = 'sent' AND pruned_at IS NULL;

CREATE TABLE checkpoints (
    mailbox     TEXT COLLATE "C" PRIMARY KEY,
    uidvalidity BIGINT NOT NULL,
    last_uid    BIGINT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE schedule_runs (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    job        TEXT COLLATE "C" NOT NULL,
    last_run   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, job)
);

CREATE TABLE mailbox_status (
    mailbox    TEXT COLLATE "C" PRIMARY KEY,
    last_poll  TIMESTAMPTZ,
    last_error TEXT COLLATE "C" NOT NULL DEFAULT '',
    error_at   TIMESTAMPTZ,
    connected  BOOLEAN NOT NULL DEFAULT FALSE,
    handled    BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE milestones (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    name       TEXT COLLATE "C" NOT NULL,
    name_key   TEXT COLLATE "C" NOT NULL,
    due        TEXT COLLATE "C" NOT NULL DEFAULT '',
    first_due  TEXT COLLATE "C" NOT NULL DEFAULT '',
    status     TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
    meeting_id BIGINT REFERENCES meetings(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (project_id, name_key)
);
CREATE TABLE milestone_moves (
    milestone_id BIGINT NOT NULL REFERENCES milestones(id),
    old_due      TEXT COLLATE "C" NOT NULL,
    new_due      TEXT COLLATE "C" NOT NULL,
    moved_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX milestone_moves_by_milestone ON milestone_moves (milestone_id, moved_at);

CREATE TABLE health_notes (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    level      TEXT COLLATE "C" NOT NULL CHECK (level IN ('green','amber','red')),
    reason     TEXT COLLATE "C" NOT NULL DEFAULT '',
    set_by     TEXT COLLATE "C" NOT NULL,
    set_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX health_notes_by_project ON health_notes (project_id, set_at);

CREATE TABLE last_run (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    mode       TEXT COLLATE "C" NOT NULL,
    pid        BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    state      TEXT COLLATE "C" NOT NULL,
    step       TEXT COLLATE "C" NOT NULL DEFAULT '',
    error      TEXT COLLATE "C" NOT NULL DEFAULT '',
    last_ok_at TIMESTAMPTZ
);

CREATE TABLE ref_counters (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('A','R')),
    last       BIGINT NOT NULL,
    PRIMARY KEY (project_id, kind)
);
