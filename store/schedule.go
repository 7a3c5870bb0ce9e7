package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LastRun returns when job last ran for a project, or the zero time.
func (s *Store) LastRun(ctx context.Context, projectID int64, job string) (time.Time, error) {
	var t time.Time
	err := s.get(ctx, &t, `SELECT last_run FROM schedule_runs WHERE project_id = ? AND job = ?`, projectID, job)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return t, err
}

// SetLastRun records that job ran at t; call it in the transaction that
// queues the job's mail.
func (tx *Tx) SetLastRun(projectID int64, job string, t time.Time) error {
	_, err := tx.exec(`INSERT INTO schedule_runs (project_id, job, last_run) VALUES (?, ?, ?)
		ON CONFLICT (project_id, job) DO UPDATE SET last_run = excluded.last_run`, projectID, job, utc(t))
	if err != nil {
		return fmt.Errorf("record run of %s: %w", job, err)
	}
	return nil
}
