package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutcomeHeld marks minutes that could not be authenticated: nothing of
// them is recorded or sent until the member named in their From, or a
// chair, confirms them. The message row keeps the raw bytes meanwhile.
const OutcomeHeld = "held"

// HeldMessage returns a held message of project with its raw bytes.
// ErrNotFound means there is no such message in the project, or it is no
// longer held (published, expired into "ignored", or never held).
func (tx *Tx) HeldMessage(projectID, id int64) (Message, error) {
	var m Message
	err := tx.get(&m, `SELECT * FROM messages WHERE id = ? AND project_id = ? AND outcome = 'held'`, id, projectID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("held message %d: %w", id, err)
	}
	return m, nil
}

// HeldFrom lists, newest first and at most 20, the minutes from sender
// held in project since a time, without their bytes: a request to confirm
// one names the others waiting.
func (tx *Tx) HeldFrom(projectID int64, sender string, since time.Time) ([]Message, error) {
	var ms []Message
	err := tx.sel(&ms, `SELECT id, project_id, message_id, content_hash, mailbox, uidvalidity, uid,
		sender, subject, kind, outcome, error, received_at, processed_at
		FROM messages WHERE project_id = ? AND sender = ? AND outcome = 'held' AND processed_at >= ?
		ORDER BY id DESC LIMIT 20`, projectID, sender, utc(since))
	if err != nil {
		return nil, fmt.Errorf("held minutes of %s: %w", sender, err)
	}
	return ms, nil
}

// MessageSender returns who sent the message recorded as id ("" when
// there is none): corrections may change what that sender's minutes
// created.
func (tx *Tx) MessageSender(id int64) (string, error) {
	var s string
	err := tx.get(&s, `SELECT sender FROM messages WHERE id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sender of message %d: %w", id, err)
	}
	return s, nil
}

// HeldMinutes lists the minutes held in a project, oldest first, without
// their bytes: `mailflow status` shows them.
func (s *Store) HeldMinutes(ctx context.Context, projectID int64) ([]Message, error) {
	var ms []Message
	err := s.sel(ctx, &ms, `SELECT id, project_id, message_id, content_hash, mailbox, uidvalidity, uid,
		sender, subject, kind, outcome, error, received_at, processed_at
		FROM messages WHERE project_id = ? AND outcome = 'held' ORDER BY id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("held minutes: %w", err)
	}
	return ms, nil
}
