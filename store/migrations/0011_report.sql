-- The leadership report (issue 16).
-- Milestones and go-live dates read from minutes, one row per name in a
-- project; a later date recorded for one is a slip, kept in
-- milestone_moves with the date it moved from.
CREATE TABLE milestones (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,              -- name folded for matching ("go-live" = "Go live")
    due        TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD or ''
    first_due  TEXT NOT NULL DEFAULT '',   -- the date first recorded
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
    meeting_id INTEGER REFERENCES meetings(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (project_id, name_key)
);
CREATE TABLE milestone_moves (
    milestone_id INTEGER NOT NULL REFERENCES milestones(id),
    old_due      TEXT NOT NULL,
    new_due      TEXT NOT NULL,
    moved_at     TIMESTAMP NOT NULL
);
CREATE INDEX milestone_moves_by_milestone ON milestone_moves (milestone_id, moved_at);

-- Questions the minutes put to leadership ("Decision needed:", "Ask:",
-- "Escalate:") are kept beside the meeting's decisions.
ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'decision';

-- The day a risk's owner was last asked for its missing mitigation or
-- grading (in their reminder digest, at most weekly).
ALTER TABLE risks ADD COLUMN last_nudged TEXT NOT NULL DEFAULT '';

-- A chair's own word on the project's health ("status amber: …").
CREATE TABLE health_notes (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    level      TEXT NOT NULL CHECK (level IN ('green','amber','red')),
    reason     TEXT NOT NULL DEFAULT '',
    set_by     TEXT NOT NULL,
    set_at     TIMESTAMP NOT NULL
);
CREATE INDEX health_notes_by_project ON health_notes (project_id, set_at);

-- The minutes' own text beyond its lists (summary, discussion) and its
-- "next meeting" line travel with the minutes mail; kept with the meeting
-- so that a preview or a later mail shows them too.
ALTER TABLE meetings ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN next_meeting TEXT NOT NULL DEFAULT '';
