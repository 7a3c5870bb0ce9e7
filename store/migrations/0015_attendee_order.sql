-- The order attendees were listed in, kept in a column: it was the rowid,
-- which SQLite alone has. PostgreSQL (issue 19) keeps the same column, so
-- both databases run one ORDER BY. Rows already here keep their rowid
-- order within each meeting.
ALTER TABLE attendees ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE attendees SET seq = rowid;
