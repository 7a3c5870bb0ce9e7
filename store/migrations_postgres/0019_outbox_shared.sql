-- A minutes mail's shared stretches kept once (see the SQLite migration
-- of the same number and store/splice.go).
ALTER TABLE outbox ADD COLUMN splices BYTEA;
CREATE TABLE outbox_blobs (
    hash      BYTEA PRIMARY KEY,
    data      BYTEA NOT NULL,
    last_used TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_blobs_by_last_used ON outbox_blobs (last_used, hash);
CREATE INDEX outbox_spliced ON outbox (created_at) WHERE splices IS NOT NULL;
