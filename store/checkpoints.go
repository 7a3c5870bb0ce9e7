package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkpoint is the intake position in one mailbox: every message with a UID
// up to LastUID under UIDValidity has been fully handled.
type Checkpoint struct {
	Mailbox     string    `db:"mailbox"`
	UIDValidity uint32    `db:"uidvalidity"`
	LastUID     uint32    `db:"last_uid"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Checkpoint returns the checkpoint of mailbox; the zero Checkpoint when
// the mailbox has never been read.
func (s *Store) Checkpoint(ctx context.Context, mailbox string) (Checkpoint, error) {
	var c Checkpoint
	err := s.get(ctx, &c, `SELECT * FROM checkpoints WHERE mailbox = ?`, mailbox)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{Mailbox: mailbox}, nil
	}
	if err != nil {
		return c, fmt.Errorf("read checkpoint %s: %w", mailbox, err)
	}
	return c, nil
}

// Checkpoints lists every mailbox checkpoint.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	var cs []Checkpoint
	err := s.sel(ctx, &cs, `SELECT * FROM checkpoints ORDER BY mailbox`)
	return cs, err
}

// SetCheckpoint advances the checkpoint of mailbox. A lower UID under the
// same UIDVALIDITY never moves it back, so out-of-order commits are safe.
func (tx *Tx) SetCheckpoint(mailbox string, uidValidity, uid uint32, at time.Time) error {
	_, err := tx.exec(`INSERT INTO checkpoints (mailbox, uidvalidity, last_uid, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET
			last_uid = CASE WHEN checkpoints.uidvalidity = excluded.uidvalidity AND checkpoints.last_uid > excluded.last_uid
				THEN checkpoints.last_uid ELSE excluded.last_uid END,
			uidvalidity = excluded.uidvalidity,
			updated_at = excluded.updated_at`,
		mailbox, uidValidity, uid, utc(at))
	if err != nil {
		return fmt.Errorf("set checkpoint %s: %w", mailbox, err)
	}
	return nil
}
