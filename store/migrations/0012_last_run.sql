-- How mailflow's last run went, for "mailflow status": "run --once" writes
-- it when its cycle ends, the daemon when it starts, every few seconds
-- while it runs, and when it stops. A failed run says what it was doing.
-- One row: status shows the last run, and the log holds the history.
CREATE TABLE last_run (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    mode       TEXT NOT NULL,              -- once | daemon
    pid        INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,         -- when the row was written
    state      TEXT NOT NULL,              -- running | ok | failed | stopped
    step       TEXT NOT NULL DEFAULT '',   -- what it was doing when it failed
    error      TEXT NOT NULL DEFAULT '',
    last_ok_at TIMESTAMP                   -- the last time a run or cycle went without error
);
