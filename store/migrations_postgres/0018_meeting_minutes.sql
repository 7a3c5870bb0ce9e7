-- Every minutes mail that recorded or corrected a meeting (see the SQLite
-- migration of the same number): MeetingByMessage reads this table.
CREATE TABLE meeting_minutes (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
    meeting_id BIGINT NOT NULL REFERENCES meetings(id)
);
CREATE INDEX meeting_minutes_by_meeting ON meeting_minutes (meeting_id);
INSERT INTO meeting_minutes (message_id, meeting_id)
    SELECT message_id, id FROM meetings WHERE message_id IS NOT NULL
    ON CONFLICT DO NOTHING;
