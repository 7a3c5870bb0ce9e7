-- The next number of each project's items (A-) and risks (R-), in a row
-- that the transaction creating one updates: MAX(num)+1 was right only
-- while one writer could run at a time, which SQLite guarantees and a
-- shared PostgreSQL does not.
CREATE TABLE ref_counters (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    kind       TEXT NOT NULL CHECK (kind IN ('A','R')),
    last       INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind)
);
INSERT INTO ref_counters (project_id, kind, last)
    SELECT project_id, 'A', MAX(num) FROM action_items GROUP BY project_id;
INSERT INTO ref_counters (project_id, kind, last)
    SELECT project_id, 'R', MAX(num) FROM risks GROUP BY project_id;
