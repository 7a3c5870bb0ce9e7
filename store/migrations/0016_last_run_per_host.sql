-- The run record per host (issue 19): hosts sharing a database each keep
-- theirs, and "mailflow status" shows every one. The row from before,
-- whichever host wrote it, gets host '' until a host's first record takes
-- it over (Store.SaveRun). SQLite cannot change a primary key in place:
-- the table is made anew.
CREATE TABLE last_run_per_host (
    host       TEXT PRIMARY KEY,            -- as the daemon names it: the hostname
    mode       TEXT NOT NULL,               -- once | daemon
    pid        INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,          -- when the row was written
    state      TEXT NOT NULL,               -- running | ok | failed | stopped
    step       TEXT NOT NULL DEFAULT '',    -- what it was doing when it failed
    error      TEXT NOT NULL DEFAULT '',
    last_ok_at TIMESTAMP                    -- the last time a run or cycle went without error
);
INSERT INTO last_run_per_host (host, mode, pid, started_at, updated_at, state, step, error, last_ok_at)
    SELECT '', mode, pid, started_at, updated_at, state, step, error, last_ok_at FROM last_run;
DROP TABLE last_run;
ALTER TABLE last_run_per_host RENAME TO last_run;
