-- Every minutes mail that recorded or corrected a meeting. A meeting names
-- only the message of its latest minutes, so once corrected minutes came,
-- a reply threaded to the first version (the chair's own mail, which most
-- people answer) found no meeting, and a "done" in it was dropped as
-- neither minutes nor a command. MeetingByMessage reads this table.
CREATE TABLE meeting_minutes (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
    meeting_id INTEGER NOT NULL REFERENCES meetings(id)
);
CREATE INDEX meeting_minutes_by_meeting ON meeting_minutes (meeting_id);
INSERT OR IGNORE INTO meeting_minutes (message_id, meeting_id)
    SELECT message_id, id FROM meetings WHERE message_id IS NOT NULL;
