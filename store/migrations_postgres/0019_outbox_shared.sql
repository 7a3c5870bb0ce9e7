-- The runs of body a transaction's mails share, kept once (see the
-- SQLite migration of the same number and store/splice.go).
ALTER TABLE outbox ADD COLUMN splices BYTEA;
CREATE TABLE outbox_blobs (
    id         BIGSERIAL PRIMARY KEY,
    data       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_spliced ON outbox (created_at) WHERE splices IS NOT NULL;
