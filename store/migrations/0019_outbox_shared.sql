-- Most of a minutes mail's bytes are the same in every reader's copy (the
-- meeting, its decisions, every item and risk). The outbox keeps such a
-- stretch once, in outbox_blobs under the SHA-256 of its bytes, and a
-- mail's raw holds the rest, with splices saying where each shared
-- stretch goes back in (see store/splice.go). A mail without splices is
-- whole in raw, as every mail before this migration is.
ALTER TABLE outbox ADD COLUMN splices BLOB;
CREATE TABLE outbox_blobs (
    hash      BLOB PRIMARY KEY,   -- SHA-256 of data
    data      BLOB NOT NULL,
    last_used TIMESTAMP NOT NULL  -- the newest created_at of the mails that use it
);
-- The blobs that no new mail has used for a while, for DropUnusedBlobs.
CREATE INDEX outbox_blobs_by_last_used ON outbox_blobs (last_used, hash);
-- The mails that still use blobs: a mail leaves this index when its body
-- is pruned, so DropUnusedBlobs reads only the few old mails not yet sent
-- or pruned.
CREATE INDEX outbox_spliced ON outbox (created_at) WHERE splices IS NOT NULL;
