-- Most of a minutes mail's bytes are the same in every reader's copy (the
-- meeting, its decisions, every item and risk). A transaction keeps the
-- runs of body its mails share once, in a few rows of outbox_blobs, and a
-- mail's raw holds the rest, with splices saying which stretch of which
-- blob goes back in where (see store/splice.go). A mail without splices
-- is whole in raw, as every mail before this migration is.
ALTER TABLE outbox ADD COLUMN splices BLOB;
-- AUTOINCREMENT: an id is never used twice, even after the newest blob
-- is dropped, so an id read from a mail's splices means one blob for good.
CREATE TABLE outbox_blobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    data       BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL -- the newest created_at of the mails that use it
);
-- The mails that still use blobs: a mail leaves this index when its body
-- is pruned, so DropUnusedBlobs reads only the few old mails not yet sent
-- or pruned.
CREATE INDEX outbox_spliced ON outbox (created_at) WHERE splices IS NOT NULL;
