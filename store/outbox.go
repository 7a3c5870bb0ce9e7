package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Outbox statuses.
const (
	MailQueued  = "queued"  // waiting for its next attempt
	MailSending = "sending" // handed to SMTP; if still so after a crash, the send may or may not have happened
	MailSent    = "sent"
	MailFailed  = "failed" // parked after a permanent error or too many attempts
)

// Mail is a row of the outbox.
type Mail struct {
	ID            int64     `db:"id"`
	ProjectID     int64     `db:"project_id"`
	IdemKey       string    `db:"idem_key"`
	Kind          string    `db:"kind"`
	EnvelopeFrom  string    `db:"envelope_from"`
	RecipientsRaw string    `db:"recipients"`
	Subject       string    `db:"subject"`
	MessageID     string    `db:"message_id"`
	About         string    `db:"about"`
	Raw           []byte    `db:"raw"`
	Status        string    `db:"status"`
	Attempts      int       `db:"attempts"`
	NextAttemptAt time.Time `db:"next_attempt_at"`
	CreatedAt     time.Time `db:"created_at"`
	SentAt        time.Time `db:"sent_at"` // zero until sent
	SMTPResponse  string    `db:"smtp_response"`
	LastError     string    `db:"last_error"`
	Interrupted   int       `db:"interrupted"`
	Rcpt          string    `db:"rcpt"` // the recipient when there is exactly one
	// PrunedAt is when a sent mail's body was dropped (PruneSentMail):
	// Raw holds its header block since. Zero while the mail is whole.
	PrunedAt time.Time `db:"pruned_at"`
	// RawErr says why Raw could not be read back whole (a part it shares
	// with other mails is missing from the database), and Raw is nil; the
	// sender parks such a mail as failed rather than send it cut.
	RawErr error `db:"-"`
}

// Recipients decodes the envelope recipients.
func (m Mail) Recipients() []string {
	var rs []string
	_ = json.Unmarshal([]byte(m.RecipientsRaw), &rs) // written by Enqueue; cannot be malformed
	return rs
}

// Enqueue adds mail to the outbox unless a mail with the same idempotency
// key is already there, and reports whether it was added. Call it in the
// transaction of the change that causes the mail.
func (tx *Tx) Enqueue(m Mail, recipients []string, at time.Time) (bool, error) {
	rs, err := json.Marshal(recipients)
	if err != nil {
		return false, err
	}
	rcpt := ""
	if len(recipients) == 1 {
		rcpt = recipients[0]
	}
	own, splices, err := tx.share(m.Raw, at)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", m.IdemKey, err)
	}
	res, err := tx.exec(`INSERT INTO outbox
		(project_id, idem_key, kind, envelope_from, recipients, rcpt, subject, message_id, about, raw, splices, status, attempts, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)
		ON CONFLICT (idem_key) DO NOTHING`,
		m.ProjectID, m.IdemKey, m.Kind, m.EnvelopeFrom, string(rs), rcpt, m.Subject, m.MessageID, m.About, own, splices, utc(at), utc(at))
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", m.IdemKey, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// HasMail reports whether a mail with idemKey was ever queued.
func (tx *Tx) HasMail(idemKey string) (bool, error) {
	var n int
	err := tx.get(&n, `SELECT COUNT(*) FROM outbox WHERE idem_key = ?`, idemKey)
	return n > 0, err
}

// DueMail returns up to limit queued mails whose next attempt is due.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error) {
	var ms []mailRow
	err := s.sel(ctx, &ms, `SELECT * FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		utc(now), limit)
	if err != nil {
		return nil, err
	}
	return s.wholeMails(ctx, ms)
}

// wholeMails returns the mails of rows with their bytes put back together
// (see share), reading each shared run once for all of them. A mail whose
// run is missing comes back with RawErr set instead of failing the others.
func (s *Store) wholeMails(ctx context.Context, rows []mailRow) ([]Mail, error) {
	read := map[int64][]byte{}
	blobData := func(id int64) ([]byte, error) {
		if d, ok := read[id]; ok {
			return d, nil
		}
		var d []byte
		err := s.get(ctx, &d, `SELECT data FROM outbox_blobs WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: the part it shares with other mails (blob %d) is not in the database", errMissingRun, id)
		}
		if err != nil {
			return nil, err
		}
		read[id] = d
		return d, nil
	}
	ms := make([]Mail, len(rows))
	for i, r := range rows {
		ms[i] = r.value()
		if r.Splices == nil {
			continue
		}
		raw, err := assemble(r.Raw, r.Splices, blobData)
		switch {
		case err == nil:
			ms[i].Raw = raw
		case errors.Is(err, errMissingRun) || errors.Is(err, errBadSplices):
			ms[i].Raw, ms[i].RawErr = nil, fmt.Errorf("outbox mail %d: %w", r.ID, err)
		default:
			return nil, fmt.Errorf("read outbox mail %d: %w", r.ID, err)
		}
	}
	return ms, nil
}

var errMissingRun = errors.New("cannot be put back together")

// NextMailAt returns when the earliest queued mail is due, or the zero time
// when none is queued. (The column is read itself, not MIN of it: SQLite
// gives an aggregate no declared type, and the driver then returns the
// time as text that does not scan into a time.)
func (s *Store) NextMailAt(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.get(ctx, &t, `SELECT next_attempt_at FROM outbox WHERE status = 'queued' ORDER BY next_attempt_at LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("next mail due: %w", err)
	}
	return t, nil
}

// MarkSending claims a queued mail for an attempt and reports whether this
// caller got it: only one sender can move a row from queued to sending, so
// two processes never send the same mail. The attempt is counted before
// SMTP sees the mail, so a crash mid-send is visible afterwards.
func (s *Store) MarkSending(ctx context.Context, id int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'queued'`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkSent records a delivered mail.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time, response string) error {
	_, err := s.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ?, smtp_response = ?, last_error = '' WHERE id = ?`,
		utc(at), response, id)
	return err
}

// MarkRetry puts a mail back in the queue for another attempt at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	_, err := s.exec(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ?`,
		utc(next), errText, id)
	return err
}

// MarkFailed parks a mail after a permanent error.
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) error {
	_, err := s.exec(ctx, `UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`, errText, id)
	return err
}

// RequeueInterrupted returns mail left in "sending" by a crash to the queue
// and reports how many there were. Such a mail may have been accepted by the
// SMTP server just before the crash; sending it again (same Message-ID) is
// preferred over losing it.
func (s *Store) RequeueInterrupted(ctx context.Context) (int64, error) {
	res, err := s.exec(ctx, `UPDATE outbox SET status = 'queued', interrupted = interrupted + 1,
		last_error = 'interrupted by a restart; sent again' WHERE status = 'sending'`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Requeue puts a failed mail back in the queue now.
func (s *Store) Requeue(ctx context.Context, id int64, now time.Time) error {
	res, err := s.exec(ctx, `UPDATE outbox SET status = 'queued', next_attempt_at = ?, attempts = 0 WHERE id = ? AND status IN ('failed', 'queued')`, utc(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox mail %d: %w (or it was already sent)", id, ErrNotFound)
	}
	return nil
}

// OutboxList lists outbox rows, newest first; status "" lists all.
func (s *Store) OutboxList(ctx context.Context, status string, limit int) ([]Mail, error) {
	var ms []mailRow
	var err error
	if status == "" {
		err = s.sel(ctx, &ms, `SELECT * FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	} else {
		err = s.sel(ctx, &ms, `SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?`, status, limit)
	}
	if err != nil {
		return nil, err
	}
	return s.wholeMails(ctx, ms)
}

// OutboxSummaries lists outbox rows as OutboxList does, without their
// bytes (Raw is nil; every other column is read): what "mailflow outbox"
// shows. So a listing reads no shared runs, and a mail whose runs are
// gone is listed like any other (the sender parks it when it comes due).
func (s *Store) OutboxSummaries(ctx context.Context, status string, limit int) ([]Mail, error) {
	var ms []mailRow
	var err error
	if status == "" {
		err = s.sel(ctx, &ms, `SELECT id, project_id, idem_key, kind, envelope_from, recipients, subject, message_id, about,
			status, attempts, next_attempt_at, created_at, sent_at, smtp_response, last_error, interrupted, rcpt, pruned_at
			FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	} else {
		err = s.sel(ctx, &ms, `SELECT id, project_id, idem_key, kind, envelope_from, recipients, subject, message_id, about,
			status, attempts, next_attempt_at, created_at, sent_at, smtp_response, last_error, interrupted, rcpt, pruned_at
			FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?`, status, limit)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Mail, len(ms))
	for i, r := range ms {
		out[i] = r.value()
	}
	return out, nil
}

// MailByMessageID returns the outbox row whose Message-ID is messageID,
// without its bytes (Raw is nil): a reply is matched to the mail it answers
// by this, and a rendered mail is tens of kilobytes.
func (tx *Tx) MailByMessageID(messageID string) (Mail, error) {
	var m mailRow
	err := tx.get(&m, `SELECT id, project_id, idem_key, kind, envelope_from, recipients, subject,
		message_id, about, status, attempts, next_attempt_at, created_at, sent_at, smtp_response, last_error,
		interrupted, rcpt, pruned_at
		FROM outbox WHERE message_id = ? LIMIT 1`, messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return m.value(), ErrNotFound
	}
	return m.value(), err
}

// OutboxCounts returns how many outbox rows have each status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// RecentMail selects the mails an answer budget counts: those of the
// given kinds queued to one recipient since a time, and, when KeyPrefixes
// is set, only those whose idempotency key starts with one of them (the
// key says what caused a mail: "ack:", "confirm:", "unauth:"). A prefix
// matches as written, case and all, on both databases.
type RecentMail struct {
	ProjectID   int64
	Recipient   string
	Kinds       []string
	KeyPrefixes []string
	Since       time.Time
}

// CountRecentMail counts the mails q selects, up to max (the caller only
// asks "has the limit been reached?", so the work stays bounded however
// busy a sender is).
func (tx *Tx) CountRecentMail(q RecentMail, max int) (int, error) {
	stmt := `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE project_id = ? AND rcpt = ? AND created_at >= ? AND kind IN (`
	args := []any{q.ProjectID, q.Recipient, utc(q.Since)}
	for i, k := range q.Kinds {
		if i > 0 {
			stmt += ","
		}
		stmt += "?"
		args = append(args, k)
	}
	stmt += ")"
	for i, p := range q.KeyPrefixes {
		if i == 0 {
			stmt += " AND ("
		} else {
			stmt += " OR "
		}
		// Not LIKE: SQLite's ignores ASCII case, PostgreSQL's does not.
		stmt += "substr(idem_key, 1, ?) = ?"
		args = append(args, utf8.RuneCountInString(p), p)
		if i == len(q.KeyPrefixes)-1 {
			stmt += ")"
		}
	}
	// The limit is written into the statement: bound as a parameter, it
	// made SQLite's plan three times slower (16 µs against 6 µs measured).
	stmt += " LIMIT " + strconv.Itoa(max) + ") AS recent"
	var n int
	err := tx.get(&n, stmt, args...)
	return n, err
}

// PruneSentMail replaces the bytes of up to limit mails sent before cutoff,
// oldest first, with their header block, and reports how many it pruned.
// The row keeps what "mailflow outbox", the history and bounce matching
// read (recipients, subject, kind, Message-ID, sent_at, the server's
// answer), and the header block keeps From, To, Date, Subject and the
// threading headers; only the body, which can be rebuilt from the data
// and is most of the bytes, goes. Queued, sending and failed mail is never
// touched: it may still be sent. One call is one transaction, so a caller
// bounds the write lock's hold by limit.
func (s *Store) PruneSentMail(ctx context.Context, cutoff, now time.Time, limit int) (int, error) {
	n := 0
	err := s.Tx(ctx, func(tx *Tx) error {
		var old []struct {
			ID  int64  `db:"id"`
			Raw []byte `db:"raw"`
		}
		if err := tx.sel(&old, `SELECT id, raw FROM outbox
			WHERE status = 'sent' AND pruned_at IS NULL AND sent_at < ? ORDER BY sent_at LIMIT ?`, utc(cutoff), limit); err != nil {
			return err
		}
		for _, m := range old {
			if _, err := tx.exec(`UPDATE outbox SET raw = ?, splices = NULL, pruned_at = ? WHERE id = ? AND status = 'sent'`,
				HeaderBlock(m.Raw), utc(now), m.ID); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune sent mail: %w", err)
	}
	return n, nil
}

// DropUnusedBlobs deletes the blobs of runs mails shared (see share) that
// no mail still whole uses, and reports how many it deleted. Run it after
// PruneSentMail with the same cutoff: a blob is used only by the mails of
// the transaction that wrote it, all queued no later than its created_at,
// so for a blob from before cutoff only the mails from before cutoff
// still whole are read (those not yet sent: few), and only their splices.
// It deletes a page of blobs a transaction, so the write lock is never
// held long.
func (s *Store) DropUnusedBlobs(ctx context.Context, cutoff time.Time) (int, error) {
	// The blobs first, then the mails: a blob read here was committed
	// with its mails, which the read after it sees. (Read the other way
	// round, a transaction committing in between, from a host whose clock
	// is behind, had its blob taken without its mails.)
	var old []int64
	for after := int64(0); ; {
		var page []int64
		if err := s.sel(ctx, &page, `SELECT id FROM outbox_blobs WHERE id > ? AND created_at < ? ORDER BY id LIMIT ?`, after, utc(cutoff), blobPage); err != nil {
			return 0, fmt.Errorf("drop unused shared parts of mail: %w", err)
		}
		old = append(old, page...)
		if len(page) < blobPage {
			break
		}
		after = page[len(page)-1]
	}
	if len(old) == 0 {
		return 0, nil
	}
	var spliced []struct {
		Size    int    `db:"size"`
		Splices []byte `db:"splices"`
	}
	if err := s.sel(ctx, &spliced, `SELECT LENGTH(raw) AS size, splices FROM outbox WHERE splices IS NOT NULL AND created_at < ?`, utc(cutoff)); err != nil {
		return 0, fmt.Errorf("drop unused shared parts of mail: %w", err)
	}
	used := map[int64]bool{}
	for _, m := range spliced {
		ss, err := parseSplices(m.Splices, m.Size)
		if err != nil {
			continue // such a mail cannot be read back anyway
		}
		for _, sp := range ss {
			used[sp.blob] = true
		}
	}
	old = slices.DeleteFunc(old, func(id int64) bool { return used[id] })
	n := 0
	for len(old) > 0 {
		page := old[:min(blobPage, len(old))]
		old = old[len(page):]
		err := s.Tx(ctx, func(tx *Tx) error {
			for _, id := range page {
				res, err := tx.exec(`DELETE FROM outbox_blobs WHERE id = ?`, id)
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k > 0 {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("drop unused shared parts of mail: %w", err)
		}
	}
	return n, nil
}

// blobPage is how many blobs DropUnusedBlobs looks at a transaction.
const blobPage = 500

// HeaderBlock returns the header of a message with the empty line that
// ends it: the same message with an empty body. A message with no body
// separator is all header and returned whole.
func HeaderBlock(raw []byte) []byte {
	end := len(raw)
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 && i+len(sep) < end {
			end = i + len(sep)
		}
	}
	return raw[:end:end]
}
