-- Corrected minutes replace their meeting's attendees, decisions and
-- changes (DELETE ... WHERE meeting_id = ?), and every minutes mail runs
-- those deletes. Without an index each was a scan of the whole table,
-- which grows with every meeting ever held.
CREATE INDEX attendees_by_meeting ON attendees (meeting_id);
CREATE INDEX decisions_by_meeting ON decisions (meeting_id);
CREATE INDEX changes_by_meeting ON changes (meeting_id);
