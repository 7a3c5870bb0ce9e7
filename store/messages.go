package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Message outcomes.
const (
	OutcomeProcessed = "processed" // understood and acted on
	OutcomeIgnored   = "ignored"   // recorded, deliberately not acted on (auto-reply, other)
	OutcomeFailed    = "failed"    // could not be handled; kept in the failed folder
)

// Message is a row of the messages table: one incoming mail and its fate.
type Message struct {
	ID          int64     `db:"id"`
	ProjectID   int64     `db:"project_id"`
	MessageID   string    `db:"message_id"`
	ContentHash string    `db:"content_hash"`
	Mailbox     string    `db:"mailbox"`
	UIDValidity uint32    `db:"uidvalidity"`
	UID         uint32    `db:"uid"`
	Sender      string    `db:"sender"`
	Subject     string    `db:"subject"`
	Kind        string    `db:"kind"`
	Outcome     string    `db:"outcome"`
	Error       string    `db:"error"`
	Raw         []byte    `db:"raw"`
	ReceivedAt  time.Time `db:"received_at"`
	ProcessedAt time.Time `db:"processed_at"`
}

// FindMessage returns the message recorded for project under messageID,
// without its raw bytes (Raw is nil): it is asked for every message
// handled, and only to learn whether and how it was handled before.
func (tx *Tx) FindMessage(projectID int64, messageID string) (Message, error) {
	var m Message
	err := tx.get(&m, `SELECT id, project_id, message_id, content_hash, mailbox, uidvalidity, uid,
		sender, subject, kind, outcome, error, received_at, processed_at
		FROM messages WHERE project_id = ? AND message_id = ?`, projectID, messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// MessageVariants returns the messages recorded under messageID: the
// first one to carry it, and any later one handled under a key of its own
// ("<id>#<hash>", when the first was a different message), oldest first.
// A reply threaded to the id may be about any of them.
func (tx *Tx) MessageVariants(projectID int64, messageID string) ([]Message, error) {
	var ms []Message
	// "#" sorts just before "$": [messageID, messageID+"$") holds the id
	// itself and every key that begins with messageID + "#" (and a few
	// others, which the OR drops). The range is written on message_id
	// alone so that both columns of the index bound the search:
	// PostgreSQL's generic plan for an OR of the two kept only project_id
	// as its index condition, and read every message of the project
	// (2.5 s of server time at 5,000 messages in BenchmarkIngest).
	err := tx.sel(&ms, `SELECT id, project_id, message_id, content_hash, mailbox, uidvalidity, uid,
		sender, subject, kind, outcome, error, received_at, processed_at
		FROM messages WHERE project_id = ? AND message_id >= ? AND message_id < ? AND (message_id = ? OR message_id >= ?) ORDER BY id`,
		projectID, messageID, messageID+"$", messageID, messageID+"#")
	if err != nil {
		return nil, fmt.Errorf("messages with id %s: %w", messageID, err)
	}
	return ms, nil
}

// InsertMessage records an incoming message and returns its row id.
func (tx *Tx) InsertMessage(m Message) (int64, error) {
	id, err := tx.insert(`INSERT INTO messages
		(project_id, message_id, content_hash, mailbox, uidvalidity, uid, sender, subject, kind, outcome, error, raw, received_at, processed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, message_id) DO NOTHING`,
		m.ProjectID, m.MessageID, m.ContentHash, m.Mailbox, m.UIDValidity, m.UID, m.Sender, m.Subject,
		m.Kind, m.Outcome, m.Error, m.Raw, utc(m.ReceivedAt), utc(m.ProcessedAt))
	if errors.Is(err, errNoRow) {
		// Another writer recorded it first (two hosts on one database):
		// the unique key, not a look-up beforehand, decides.
		return 0, fmt.Errorf("record message %s: %w", m.MessageID, ErrDuplicate)
	}
	if err != nil {
		return 0, fmt.Errorf("record message %s: %w", m.MessageID, err)
	}
	return id, nil
}

// UpdateMessageOutcome rewrites the outcome of a message that is run again.
func (tx *Tx) UpdateMessageOutcome(id int64, kind, outcome, errText string, raw []byte, at time.Time) error {
	_, err := tx.exec(`UPDATE messages SET kind = ?, outcome = ?, error = ?, raw = ?, processed_at = ? WHERE id = ?`,
		kind, outcome, errText, raw, utc(at), id)
	if err != nil {
		return fmt.Errorf("update message %d: %w", id, err)
	}
	return nil
}

// MessageByUID returns the message recorded at mailbox/uidvalidity/uid, so
// the intake loop can finish moving a message whose effects committed before
// a crash.
func (s *Store) MessageByUID(ctx context.Context, mailbox string, uidValidity, uid uint32) (Message, error) {
	var m Message
	err := s.get(ctx, &m, `SELECT * FROM messages WHERE mailbox = ? AND uidvalidity = ? AND uid = ? ORDER BY id DESC LIMIT 1`, mailbox, uidValidity, uid)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// MessagesByMessageID returns every project's record of messageID.
func (s *Store) MessagesByMessageID(ctx context.Context, messageID string) ([]Message, error) {
	var ms []Message
	// One lookup in the (project_id, message_id) index per project, not a
	// scan of every message: the message id alone is indexed nowhere.
	// PostgreSQL would rather read that whole index for the message id
	// than start from the projects; LATERAL makes it start there, and
	// OFFSET 0 keeps the subquery from being folded back into a join.
	q := `SELECT * FROM messages WHERE project_id IN (SELECT id FROM projects) AND message_id = ? ORDER BY id`
	if s.postgres() {
		q = `SELECT m.* FROM projects p CROSS JOIN LATERAL (SELECT * FROM messages WHERE project_id = p.id AND message_id = ? OFFSET 0) m
			ORDER BY m.id`
	}
	err := s.sel(ctx, &ms, q, messageID)
	return ms, err
}

// MessageRowByMessageID returns the row id of messageID in a project, or 0.
func (tx *Tx) MessageRowByMessageID(projectID int64, messageID string) (int64, error) {
	var id int64
	err := tx.get(&id, `SELECT id FROM messages WHERE project_id = ? AND message_id = ?`, projectID, messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// CountMessages returns how many messages have each outcome.
func (s *Store) CountMessages(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT outcome, COUNT(*) FROM messages GROUP BY outcome`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, err
		}
		out[o] = n
	}
	return out, rows.Err()
}

// DeleteMessage removes a failed message's record so it can be run again.
// Records of handled messages are never deleted: items refer to them.
func (tx *Tx) DeleteMessage(id int64) error {
	res, err := tx.exec(`DELETE FROM messages WHERE id = ? AND outcome = 'failed'`, id)
	if err != nil {
		return fmt.Errorf("delete message %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("message %d is not a failed message", id)
	}
	return nil
}

// MessageIDOf returns the Message-ID of the message row id.
func (s *Store) MessageIDOf(ctx context.Context, id int64) (string, error) {
	var mid string
	err := s.get(ctx, &mid, `SELECT message_id FROM messages WHERE id = ?`, id)
	return mid, err
}
