package store

import (
	"database/sql"
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
func (s *Store) SaveMailboxStatus(m MailboxStatus) error {
	_, err := s.db.Exec(`INSERT INTO mailbox_status (mailbox, last_poll, last_error, error_at, connected, handled, updated_at)
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
func (s *Store) MailboxStatuses() ([]MailboxStatus, error) {
	var ms []MailboxStatus
	err := s.db.Select(&ms, `SELECT * FROM mailbox_status ORDER BY mailbox`)
	return ms, err
}

// Backup writes a consistent copy of the database to path while other
// connections keep reading and writing (VACUUM INTO takes a read
// transaction; WAL lets writers go on).
func (s *Store) Backup(path string) error { return s.backup(path) }
