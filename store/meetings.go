package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Meeting is a row of the meetings table.
type Meeting struct {
	ID          int64     `db:"id"`
	ProjectID   int64     `db:"project_id"`
	Title       string    `db:"title"`
	MeetingDate string    `db:"meeting_date"`
	Chair       string    `db:"chair"`
	MessageID   int64     `db:"message_id"` // the messages row of its minutes; 0: none
	CreatedAt   time.Time `db:"created_at"`
	Notes       string    `db:"notes"`        // the minutes' text beyond their lists
	NextMeeting string    `db:"next_meeting"` // the minutes' "next meeting" line
}

// Attendee is a row of the attendees table.
type Attendee struct {
	MeetingID int64  `db:"meeting_id"`
	Name      string `db:"name"`
	Email     string `db:"email"`
	Present   bool   `db:"present"`
}

// InsertMeeting stores a meeting and returns its id.
func (tx *Tx) InsertMeeting(m Meeting) (int64, error) {
	id, err := tx.insert(`INSERT INTO meetings (project_id, title, meeting_date, chair, message_id, created_at, notes, next_meeting)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ProjectID, m.Title, m.MeetingDate, m.Chair, nullID(m.MessageID), utc(m.CreatedAt), m.Notes, m.NextMeeting)
	if err != nil {
		return 0, fmt.Errorf("insert meeting: %w", err)
	}
	return id, nil
}

// UpdateMeeting rewrites a meeting's title, chair, source message, notes
// and next-meeting line (when corrected minutes arrive).
func (tx *Tx) UpdateMeeting(m Meeting) error {
	_, err := tx.exec(`UPDATE meetings SET title = ?, chair = ?, message_id = ?, notes = ?, next_meeting = ? WHERE id = ?`,
		m.Title, m.Chair, nullID(m.MessageID), m.Notes, m.NextMeeting, m.ID)
	if err != nil {
		return fmt.Errorf("update meeting %d: %w", m.ID, err)
	}
	return nil
}

// MeetingsOn lists the project's meetings on date (YYYY-MM-DD), newest
// first, so re-sent minutes can find the meeting they correct.
func (tx *Tx) MeetingsOn(projectID int64, date string) ([]Meeting, error) {
	var ms []meetingRow
	err := tx.sel(&ms, `SELECT * FROM meetings WHERE project_id = ? AND meeting_date = ? ORDER BY id DESC`,
		projectID, date)
	return values(ms), err
}

// MeetingByMessage returns the meeting that the minutes in message row id
// recorded or corrected (LinkMinutes), whichever version of its minutes
// they were.
func (tx *Tx) MeetingByMessage(messageRow int64) (Meeting, error) {
	var m meetingRow
	err := tx.get(&m, `SELECT m.* FROM meeting_minutes v JOIN meetings m ON m.id = v.meeting_id WHERE v.message_id = ?`, messageRow)
	if errors.Is(err, sql.ErrNoRows) {
		return m.value(), ErrNotFound
	}
	return m.value(), err
}

// LinkMinutes records that the minutes in message row messageRow recorded
// or corrected meeting meetingID. Linking them again changes nothing.
func (tx *Tx) LinkMinutes(messageRow, meetingID int64) error {
	_, err := tx.exec(`INSERT INTO meeting_minutes (message_id, meeting_id) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING`, messageRow, meetingID)
	if err != nil {
		return fmt.Errorf("link minutes to meeting %d: %w", meetingID, err)
	}
	return nil
}

// MeetingByID returns a meeting of a project.
func (tx *Tx) MeetingByID(projectID, id int64) (Meeting, error) {
	var m meetingRow
	err := tx.get(&m, `SELECT * FROM meetings WHERE id = ? AND project_id = ?`, id, projectID)
	if errors.Is(err, sql.ErrNoRows) {
		return m.value(), ErrNotFound
	}
	return m.value(), err
}

// ReplaceAttendees sets the attendee list of a meeting.
func (tx *Tx) ReplaceAttendees(meetingID int64, as []Attendee) error {
	if _, err := tx.exec(`DELETE FROM attendees WHERE meeting_id = ?`, meetingID); err != nil {
		return fmt.Errorf("clear attendees: %w", err)
	}
	rows := make([][]any, len(as))
	for i, a := range as {
		rows[i] = []any{meetingID, a.Name, a.Email, a.Present, i + 1}
	}
	if err := tx.insertRows(`INSERT INTO attendees (meeting_id, name, email, present, seq) VALUES`, 5, rows); err != nil {
		return fmt.Errorf("insert attendees: %w", err)
	}
	return nil
}

// Attendees lists a meeting's attendees.
func (s *Store) Attendees(ctx context.Context, meetingID int64) ([]Attendee, error) {
	var as []Attendee
	err := s.sel(ctx, &as, `SELECT meeting_id, name, email, present FROM attendees WHERE meeting_id = ? ORDER BY seq`, meetingID)
	return as, err
}

// Meetings lists a project's meetings, newest first.
func (s *Store) Meetings(ctx context.Context, projectID int64) ([]Meeting, error) {
	var ms []meetingRow
	err := s.sel(ctx, &ms, `SELECT * FROM meetings WHERE project_id = ? ORDER BY meeting_date DESC, id DESC`, projectID)
	return values(ms), err
}

// Decision is a row of the decisions table: a decision, or a question the
// minutes put to leadership (Kind DecisionAsk).
type Decision struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	MeetingID int64     `db:"meeting_id"` // 0: none
	Text      string    `db:"text"`
	CreatedAt time.Time `db:"created_at"`
	Kind      string    `db:"kind"`
}

// Kinds of decisions rows.
const (
	DecisionMade = "decision"
	DecisionAsk  = "ask" // "Decision needed:", "Ask:", "Escalate:": for leadership
)

// Change is a row of the changes table.
type Change struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	MeetingID int64     `db:"meeting_id"` // 0: none
	Kind      string    `db:"kind"`
	Text      string    `db:"text"`
	CreatedAt time.Time `db:"created_at"`
}

// ReplaceDecisions sets the decisions, and the questions for leadership,
// recorded for a meeting.
func (tx *Tx) ReplaceDecisions(projectID, meetingID int64, decisions, asks []string, at time.Time) error {
	if _, err := tx.exec(`DELETE FROM decisions WHERE meeting_id = ?`, meetingID); err != nil {
		return fmt.Errorf("clear decisions: %w", err)
	}
	var rows [][]any
	for _, group := range []struct {
		kind  string
		texts []string
	}{{DecisionMade, decisions}, {DecisionAsk, asks}} {
		for _, t := range group.texts {
			rows = append(rows, []any{projectID, meetingID, t, utc(at), group.kind})
		}
	}
	if err := tx.insertRows(`INSERT INTO decisions (project_id, meeting_id, text, created_at, kind) VALUES`, 5, rows); err != nil {
		return fmt.Errorf("insert decisions: %w", err)
	}
	return nil
}

// ReplaceChanges sets the schedule/scope changes recorded for a meeting.
func (tx *Tx) ReplaceChanges(projectID, meetingID int64, changes []Change, at time.Time) error {
	if _, err := tx.exec(`DELETE FROM changes WHERE meeting_id = ?`, meetingID); err != nil {
		return fmt.Errorf("clear changes: %w", err)
	}
	rows := make([][]any, len(changes))
	for i, c := range changes {
		rows[i] = []any{projectID, meetingID, c.Kind, c.Text, utc(at)}
	}
	if err := tx.insertRows(`INSERT INTO changes (project_id, meeting_id, kind, text, created_at) VALUES`, 5, rows); err != nil {
		return fmt.Errorf("insert changes: %w", err)
	}
	return nil
}

// DecisionsSince lists decisions recorded at or after since.
func (s *Store) DecisionsSince(ctx context.Context, projectID int64, since time.Time) ([]Decision, error) {
	var ds []decisionRow
	err := s.sel(ctx, &ds, `SELECT * FROM decisions WHERE project_id = ? AND created_at >= ? ORDER BY id`, projectID, utc(since))
	return values(ds), err
}

// ChangesSince lists schedule/scope changes recorded at or after since.
func (s *Store) ChangesSince(ctx context.Context, projectID int64, since time.Time) ([]Change, error) {
	var cs []changeRow
	err := s.sel(ctx, &cs, `SELECT * FROM changes WHERE project_id = ? AND created_at >= ? ORDER BY id`, projectID, utc(since))
	return values(cs), err
}

// MeetingRecord is what a meeting's minutes recorded, for its minutes mail.
type MeetingRecord struct {
	Attendees []Attendee
	Decisions []Decision
	Changes   []Change
}

// MeetingRecord reads a meeting's attendees, decisions and changes.
func (tx *Tx) MeetingRecord(meetingID int64) (MeetingRecord, error) {
	var r MeetingRecord
	if err := tx.sel(&r.Attendees, `SELECT meeting_id, name, email, present FROM attendees WHERE meeting_id = ? ORDER BY seq`, meetingID); err != nil {
		return r, fmt.Errorf("attendees of meeting %d: %w", meetingID, err)
	}
	var ds []decisionRow
	if err := tx.sel(&ds, `SELECT * FROM decisions WHERE meeting_id = ? ORDER BY id`, meetingID); err != nil {
		return r, fmt.Errorf("decisions of meeting %d: %w", meetingID, err)
	}
	r.Decisions = values(ds)
	var cs []changeRow
	if err := tx.sel(&cs, `SELECT * FROM changes WHERE meeting_id = ? ORDER BY id`, meetingID); err != nil {
		return r, fmt.Errorf("changes of meeting %d: %w", meetingID, err)
	}
	r.Changes = values(cs)
	return r, nil
}
