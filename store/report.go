package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Milestone is a row of the milestones table.
type Milestone struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	Name      string    `db:"name"`
	NameKey   string    `db:"name_key"`
	Due       string    `db:"due"`
	FirstDue  string    `db:"first_due"`
	Status    string    `db:"status"`
	MeetingID int64     `db:"meeting_id"` // the meeting that last set it; 0: none
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// MilestoneMove is a milestone's date moving, as recorded.
type MilestoneMove struct {
	MilestoneID int64     `db:"milestone_id"`
	Name        string    `db:"name"`
	OldDue      string    `db:"old_due"`
	NewDue      string    `db:"new_due"`
	MovedAt     time.Time `db:"moved_at"`
}

// MilestoneByKey returns a project's milestone by its folded name.
func (tx *Tx) MilestoneByKey(projectID int64, key string) (Milestone, error) {
	var m milestoneRow
	err := tx.get(&m, `SELECT * FROM milestones WHERE project_id = ? AND name_key = ?`, projectID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return m.value(), ErrNotFound
	}
	return m.value(), err
}

// InsertMilestone records a new milestone.
func (tx *Tx) InsertMilestone(m Milestone) error {
	_, err := tx.exec(`INSERT INTO milestones (project_id, name, name_key, due, first_due, status, meeting_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ProjectID, m.Name, m.NameKey, m.Due, m.FirstDue, m.Status, nullID(m.MeetingID), utc(m.CreatedAt), utc(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("record milestone %s: %w", m.Name, err)
	}
	return nil
}

// MoveMilestone records a milestone's new date (or status), and the move
// when its date changed.
func (tx *Tx) MoveMilestone(m Milestone, oldDue string, at time.Time) error {
	if _, err := tx.exec(`UPDATE milestones SET name = ?, due = ?, status = ?, meeting_id = ?, updated_at = ? WHERE id = ?`,
		m.Name, m.Due, m.Status, nullID(m.MeetingID), utc(at), m.ID); err != nil {
		return fmt.Errorf("update milestone %s: %w", m.Name, err)
	}
	if oldDue == m.Due {
		return nil
	}
	if _, err := tx.exec(`INSERT INTO milestone_moves (milestone_id, old_due, new_due, moved_at) VALUES (?, ?, ?, ?)`,
		m.ID, oldDue, m.Due, utc(at)); err != nil {
		return fmt.Errorf("record the move of milestone %s: %w", m.Name, err)
	}
	return nil
}

// Milestones lists a project's milestones by date, undated last.
func (s *Store) Milestones(ctx context.Context, projectID int64) ([]Milestone, error) {
	var ms []milestoneRow
	err := s.sel(ctx, &ms, `SELECT * FROM milestones WHERE project_id = ? ORDER BY due = '', due, id`, projectID)
	return values(ms), err
}

// MilestoneMovesSince lists the milestone dates that moved at or after
// since, oldest first.
func (s *Store) MilestoneMovesSince(ctx context.Context, projectID int64, since time.Time) ([]MilestoneMove, error) {
	var ms []MilestoneMove
	err := s.sel(ctx, &ms, `SELECT mm.milestone_id, m.name, mm.old_due, mm.new_due, mm.moved_at
		FROM milestones m JOIN milestone_moves mm ON mm.milestone_id = m.id
		WHERE m.project_id = ? AND mm.moved_at >= ? ORDER BY mm.moved_at`, projectID, utc(since))
	return ms, err
}

// HealthNote is a chair's word on a project's health.
type HealthNote struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	Level     string    `db:"level"`
	Reason    string    `db:"reason"`
	SetBy     string    `db:"set_by"`
	SetAt     time.Time `db:"set_at"`
}

// AddHealthNote records a chair's health for the project.
func (tx *Tx) AddHealthNote(n HealthNote) error {
	_, err := tx.exec(`INSERT INTO health_notes (project_id, level, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)`,
		n.ProjectID, n.Level, n.Reason, n.SetBy, utc(n.SetAt))
	if err != nil {
		return fmt.Errorf("record health: %w", err)
	}
	return nil
}

// LatestHealthNote returns the newest health note set at or after since.
func (s *Store) LatestHealthNote(ctx context.Context, projectID int64, since time.Time) (HealthNote, error) {
	var n HealthNote
	err := s.get(ctx, &n, `SELECT * FROM health_notes WHERE project_id = ? AND set_at >= ? ORDER BY set_at DESC, id DESC LIMIT 1`, projectID, utc(since))
	if errors.Is(err, sql.ErrNoRows) {
		return n, ErrNotFound
	}
	return n, err
}

// SetRiskNudged records the day a risk's owner was asked for what it lacks.
func (tx *Tx) SetRiskNudged(id int64, day string) error {
	if _, err := tx.exec(`UPDATE risks SET last_nudged = ? WHERE id = ?`, day, id); err != nil {
		return fmt.Errorf("record nudge of risk %d: %w", id, err)
	}
	return nil
}

// LastAttendance returns, for each address, the date of the latest
// meeting of the project it attended.
func (s *Store) LastAttendance(ctx context.Context, projectID int64) (map[string]string, error) {
	var rows []struct {
		Email string `db:"email"`
		Date  string `db:"last"`
	}
	err := s.sel(ctx, &rows, `SELECT a.email, MAX(m.meeting_date) AS last FROM meetings m JOIN attendees a ON a.meeting_id = m.id
		WHERE m.project_id = ? AND a.present AND a.email != '' GROUP BY a.email`, projectID)
	if err != nil {
		return nil, fmt.Errorf("last attendance: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Email] = r.Date
	}
	return out, nil
}

// FirstMeetingDate returns the date of a project's first meeting ("" when
// it has none): the status chart starts there.
func (s *Store) FirstMeetingDate(ctx context.Context, projectID int64) (string, error) {
	var d sql.NullString
	if err := s.get(ctx, &d, `SELECT MIN(meeting_date) FROM meetings WHERE project_id = ?`, projectID); err != nil {
		return "", fmt.Errorf("first meeting: %w", err)
	}
	return d.String, nil
}

// HasContent reports whether a project has any item, risk or meeting:
// a project without has nothing to report to leadership yet.
func (s *Store) HasContent(ctx context.Context, projectID int64) (bool, error) {
	var any bool
	err := s.get(ctx, &any, `SELECT EXISTS (SELECT 1 FROM action_items WHERE project_id = ?)
		OR EXISTS (SELECT 1 FROM risks WHERE project_id = ?) OR EXISTS (SELECT 1 FROM meetings WHERE project_id = ?)`, projectID, projectID, projectID)
	if err != nil {
		return false, fmt.Errorf("project content: %w", err)
	}
	return any, nil
}
