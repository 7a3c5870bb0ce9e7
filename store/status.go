package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MailboxStatus is what the daemon last saw of a mailbox.
type MailboxStatus struct {
	Mailbox   string       `db:"mailbox"`
	LastPoll  sql.NullTime `db:"last_poll"`
	LastError string       `db:"last_error"`
	ErrorAt   sql.NullTime `db:"error_at"`
	Connected bool         `db:"connected"`
	Handled   int          `db:"handled"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// SaveMailboxStatus records a mailbox's status.
func (s *Store) SaveMailboxStatus(ctx context.Context, m MailboxStatus) error {
	_, err := s.exec(ctx, `INSERT INTO mailbox_status (mailbox, last_poll, last_error, error_at, connected, handled, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET last_poll = excluded.last_poll, last_error = excluded.last_error,
			error_at = excluded.error_at, connected = excluded.connected, handled = excluded.handled, updated_at = excluded.updated_at`,
		m.Mailbox, m.LastPoll, m.LastError, m.ErrorAt, m.Connected, m.Handled, utc(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save status of %s: %w", m.Mailbox, err)
	}
	return nil
}

// MailboxStatuses lists every mailbox's last known status.
func (s *Store) MailboxStatuses(ctx context.Context) ([]MailboxStatus, error) {
	var ms []MailboxStatus
	err := s.sel(ctx, &ms, `SELECT * FROM mailbox_status ORDER BY mailbox`)
	return ms, err
}

// States of a run (Run.State).
const (
	RunRunning = "running" // the daemon is up; Error holds a cycle's failure, if any
	RunOK      = "ok"      // "run --once" finished without error
	RunFailed  = "failed"  // the run ended with Error, at Step
	RunStopped = "stopped" // the daemon stopped when asked to
)

// Modes of a run (Run.Mode).
const (
	ModeOnce   = "once"
	ModeDaemon = "daemon"
)

// Run is how mailflow's last run went: a "run --once", or the daemon.
type Run struct {
	Mode      string    `db:"mode"`
	PID       int       `db:"pid"`
	StartedAt time.Time `db:"started_at"`
	UpdatedAt time.Time `db:"updated_at"`
	State     string    `db:"state"`
	// Step says what the run was doing when Error happened ("reading
	// mailbox INBOX", "sending mail").
	Step  string `db:"step"`
	Error string `db:"error"`
	// LastOK is the last time a run or a cycle went without error; when
	// SaveRun gets it unset, the stored one stays.
	LastOK sql.NullTime `db:"last_ok_at"`
}

// SaveRun records r as the last run, replacing the one before.
func (s *Store) SaveRun(ctx context.Context, r Run) error {
	lastOK := sql.NullTime{}
	if r.LastOK.Valid {
		lastOK = sql.NullTime{Time: r.LastOK.Time.UTC(), Valid: true}
	}
	_, err := s.exec(ctx, `INSERT INTO last_run (id, mode, pid, started_at, updated_at, state, step, error, last_ok_at)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, pid = excluded.pid, started_at = excluded.started_at,
			updated_at = excluded.updated_at, state = excluded.state, step = excluded.step, error = excluded.error,
			last_ok_at = COALESCE(excluded.last_ok_at, last_run.last_ok_at)`,
		r.Mode, r.PID, utc(r.StartedAt), utc(r.UpdatedAt), r.State, r.Step, r.Error, lastOK)
	if err != nil {
		return fmt.Errorf("save the last run: %w", err)
	}
	return nil
}

// LastRunOutcome returns the last run SaveRun recorded, or ErrNotFound
// when mailflow has never run on this database.
func (s *Store) LastRunOutcome(ctx context.Context) (Run, error) {
	var r Run
	err := s.get(ctx, &r, `SELECT mode, pid, started_at, updated_at, state, step, error, last_ok_at FROM last_run WHERE id = 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("last run: %w", ErrNotFound)
	}
	return r, err
}

// Backup writes a consistent copy of the database to path while other
// connections keep reading and writing (VACUUM INTO takes a read
// transaction; WAL lets writers go on).
func (s *Store) Backup(ctx context.Context, path string) error { return s.backup(ctx, path) }
