-- Minutes are matched to an earlier version of the same meeting by date on
-- every minutes mail; without an index that read every meeting ever held.
CREATE INDEX meetings_by_date ON meetings (project_id, meeting_date);
