-- A sent mail's body is kept for smtp.keep_sent_body_days; then its bytes
-- are replaced by their header block (PruneSentMail), while the row keeps
-- who got what: recipients, subject, kind, Message-ID, when it was sent and
-- the server's answer. pruned_at says when; NULL while the mail is whole.
ALTER TABLE outbox ADD COLUMN pruned_at TIMESTAMP;
-- The sent mail still whole, oldest first, for the prune: a mail leaves
-- this index when it is pruned, so it holds about keep_sent_body_days of
-- mail however long the history grows, and the prune never reads past it.
CREATE INDEX outbox_sent_whole ON outbox (sent_at) WHERE status = 'sent' AND pruned_at IS NULL;
