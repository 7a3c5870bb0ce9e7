-- How many times a crash interrupted this mail mid-send: such a mail is
-- sent again, and may reach its recipient twice if the server had taken it.
ALTER TABLE outbox ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
