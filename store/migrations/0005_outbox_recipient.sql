-- The recipient of single-recipient mail (all mailflow sends), indexed for
-- the per-sender answer rate limit, which otherwise scanned every recent
-- answer through json_each on each reply.
ALTER TABLE outbox ADD COLUMN rcpt TEXT NOT NULL DEFAULT '';
UPDATE outbox SET rcpt = json_extract(recipients, '$[0]') WHERE json_array_length(recipients) = 1;
CREATE INDEX outbox_by_rcpt ON outbox (project_id, rcpt, created_at);
