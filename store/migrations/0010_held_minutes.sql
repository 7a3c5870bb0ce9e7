-- Minutes that could not be authenticated are held (outcome 'held', raw
-- kept) until the member named in From, or a chair, confirms them. The
-- confirmation, the per-sender cap on held minutes and `mailflow status`
-- look them up by project; the partial index holds only the few held rows.
CREATE INDEX messages_held ON messages (project_id, sender) WHERE outcome = 'held';
