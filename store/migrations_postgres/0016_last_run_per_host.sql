-- The run record per host (issue 19): hosts sharing a database each keep
-- theirs, and "mailflow status" shows every one. The row from before,
-- whichever host wrote it, gets host '' until a host's first record takes
-- it over (Store.SaveRun). Dropping id drops its key and its check.
ALTER TABLE last_run ADD COLUMN host TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE last_run DROP COLUMN id;
ALTER TABLE last_run ADD PRIMARY KEY (host);
ALTER TABLE last_run ALTER COLUMN host DROP DEFAULT;
