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
	Mailbox   string    `db:"mailbox"`
	LastPoll  time.Time `db:"last_poll"` // zero: never polled
	LastError string    `db:"last_error"`
	ErrorAt   time.Time `db:"error_at"` // zero: no error yet
	Connected bool      `db:"connected"`
	Handled   int       `db:"handled"`
	UpdatedAt time.Time `db:"updated_at"`
}

// SaveMailboxStatus records a mailbox's status.
func (s *Store) SaveMailboxStatus(ctx context.Context, m MailboxStatus) error {
	_, err := s.exec(ctx, `INSERT INTO mailbox_status (mailbox, last_poll, last_error, error_at, connected, handled, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET last_poll = excluded.last_poll, last_error = excluded.last_error,
			error_at = excluded.error_at, connected = excluded.connected, handled = excluded.handled, updated_at = excluded.updated_at`,
		m.Mailbox, nullTime(m.LastPoll), m.LastError, nullTime(m.ErrorAt), m.Connected, m.Handled, utc(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save status of %s: %w", m.Mailbox, err)
	}
	return nil
}

// MailboxStatuses lists every mailbox's last known status.
func (s *Store) MailboxStatuses(ctx context.Context) ([]MailboxStatus, error) {
	var ms []mailboxStatusRow
	err := s.sel(ctx, &ms, `SELECT * FROM mailbox_status ORDER BY mailbox`)
	return values(ms), err
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

// Run is how mailflow's last run on a host went: a "run --once", or the
// daemon.
type Run struct {
	// Host is the machine the run was on, as the daemon names it: each
	// host sharing a database keeps its own record. A record from before
	// there was one per host has Host "" until a host's first record
	// takes it over (SaveRun).
	Host      string    `db:"host"`
	Mode      string    `db:"mode"`
	PID       int       `db:"pid"`
	StartedAt time.Time `db:"started_at"`
	UpdatedAt time.Time `db:"updated_at"`
	State     string    `db:"state"`
	// Step says what the run was doing when Error happened ("reading
	// mailbox INBOX", "sending mail").
	Step  string `db:"step"`
	Error string `db:"error"`
	// LastOK is the last time a run or a cycle went without error (zero:
	// never); when SaveRun gets it zero, the stored one stays.
	LastOK time.Time `db:"last_ok_at"`
}

// SaveRun records r as the last run of its host, replacing the one
// before. The first record of a host takes over the record from before
// records were kept per host, so that its time of last success is kept
// and a host upgraded alone still shows one run.
func (s *Store) SaveRun(ctx context.Context, r Run) error {
	if r.Host == "" {
		return fmt.Errorf("save the last run: no host named")
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE last_run SET host = ?
			WHERE host = '' AND NOT EXISTS (SELECT 1 FROM last_run AS mine WHERE mine.host = ?)`, r.Host, r.Host); err != nil {
			return err
		}
		_, err := tx.exec(`INSERT INTO last_run (host, mode, pid, started_at, updated_at, state, step, error, last_ok_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (host) DO UPDATE SET mode = excluded.mode, pid = excluded.pid, started_at = excluded.started_at,
			updated_at = excluded.updated_at, state = excluded.state, step = excluded.step, error = excluded.error,
			last_ok_at = COALESCE(excluded.last_ok_at, last_run.last_ok_at)`,
			r.Host, r.Mode, r.PID, utc(r.StartedAt), utc(r.UpdatedAt), r.State, r.Step, r.Error, nullTime(r.LastOK))
		return err
	})
	if err != nil {
		return fmt.Errorf("save the last run of %s: %w", r.Host, err)
	}
	return nil
}

// LastRunOutcome returns the last run SaveRun recorded for host, or
// ErrNotFound when mailflow has never run there on this database.
func (s *Store) LastRunOutcome(ctx context.Context, host string) (Run, error) {
	var r runRow
	err := s.get(ctx, &r, `SELECT host, mode, pid, started_at, updated_at, state, step, error, last_ok_at FROM last_run WHERE host = ?`, host)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("last run of %s: %w", host, ErrNotFound)
	}
	return r.value(), err
}

// LastRuns returns the last run of every host that has run on this
// database, by host name; none when mailflow has never run on it.
func (s *Store) LastRuns(ctx context.Context) ([]Run, error) {
	var rs []runRow
	if err := s.sel(ctx, &rs, `SELECT host, mode, pid, started_at, updated_at, state, step, error, last_ok_at FROM last_run ORDER BY host`); err != nil {
		return nil, fmt.Errorf("last runs: %w", err)
	}
	return values(rs), nil
}

// Backup writes a consistent copy of the database to path while other
// connections keep reading and writing (VACUUM INTO takes a read
// transaction; WAL lets writers go on).
func (s *Store) Backup(ctx context.Context, path string) error { return s.backup(ctx, path) }
