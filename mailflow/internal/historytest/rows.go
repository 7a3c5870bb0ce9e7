package historytest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// writer inserts rows through one prepared statement per table, and
// counts them.
type writer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  map[string]int
}

// inserts are the statements of the load, by table; the columns are those
// of store/migrations after 0018.
var inserts = map[string]string{
	"projects": `INSERT INTO projects (id, name, address) VALUES (?, ?, ?)`,
	"messages": `INSERT INTO messages (id, project_id, message_id, content_hash, mailbox, uidvalidity, uid, sender, subject,
		kind, outcome, error, raw, received_at, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"meetings": `INSERT INTO meetings (id, project_id, title, meeting_date, chair, message_id, created_at, notes, next_meeting)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"meeting_minutes": `INSERT INTO meeting_minutes (message_id, meeting_id) VALUES (?, ?)`,
	"attendees":       `INSERT INTO attendees (meeting_id, name, email, present) VALUES (?, ?, ?, ?)`,
	"action_items": `INSERT INTO action_items (id, project_id, num, text, owner, owner_name, due, status, progress, meeting_id,
		created_by_message, closed_by_message, created_at, updated_at, closed_at, last_reminded)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
	"risks": `INSERT INTO risks (id, project_id, num, description, likelihood, likelihood_text, impact, impact_text, mitigation,
		owner, owner_name, trigger_text, status, escalated, meeting_id, created_by_message, created_at, updated_at, last_nudged)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)`,
	"decisions": `INSERT INTO decisions (project_id, meeting_id, text, created_at, kind) VALUES (?, ?, ?, ?, ?)`,
	"changes":   `INSERT INTO changes (project_id, meeting_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?)`,
	"audit_log": `INSERT INTO audit_log (project_id, at, actor, source, message_id, ref, action, old_value, new_value)
		VALUES (?, ?, ?, 'message', ?, ?, ?, ?, ?)`,
	"outbox": `INSERT INTO outbox (project_id, idem_key, kind, envelope_from, recipients, rcpt, subject, message_id, about, raw,
		status, attempts, next_attempt_at, created_at, sent_at, smtp_response, last_error, pruned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"milestones": `INSERT INTO milestones (id, project_id, name, name_key, due, first_due, status, meeting_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"milestone_moves": `INSERT INTO milestone_moves (milestone_id, old_due, new_due, moved_at) VALUES (?, ?, ?, ?)`,
	"health_notes":    `INSERT INTO health_notes (project_id, level, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)`,
	"ref_counters":    `INSERT INTO ref_counters (project_id, kind, last) VALUES (?, ?, ?)`,
	"schedule_runs":   `INSERT INTO schedule_runs (project_id, job, last_run) VALUES (?, ?, ?)`,
	"checkpoints":     `INSERT INTO checkpoints (mailbox, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)`,
	"closed_by":       `UPDATE action_items SET closed_by_message = ? WHERE id = ?`,
}

func newWriter(ctx context.Context, tx *sql.Tx) (*writer, error) {
	w := &writer{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, rows: map[string]int{}}
	for table, q := range inserts {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare %s: %w", table, err)
		}
		w.stmts[table] = st
	}
	return w, nil
}

func (w *writer) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// insert runs table's statement; a failure is a bug in the load.
func (w *writer) insert(table string, args ...any) error {
	if _, err := w.stmts[table].ExecContext(w.ctx, args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	w.rows[table]++
	return nil
}

// The rows' shapes, in the columns' order.

type messageRow struct {
	id, project               int64
	messageID, hash           string
	uid                       int64
	sender, subject           string
	kind, outcome, errText    string
	raw                       []byte
	receivedAt, processedAtTm time.Time
}

func (w *writer) message(m messageRow) error {
	return w.insert("messages", m.id, m.project, m.messageID, m.hash, "INBOX", uidValidity, m.uid, m.sender, m.subject,
		m.kind, m.outcome, m.errText, nullBytes(m.raw), m.receivedAt.UTC(), m.processedAtTm.UTC())
}

type itemRow struct {
	id, project            int64
	num                    int
	text, owner, ownerName string
	due, status            string
	progress               int
	meeting, createdBy     int64
	created, updated       time.Time
	closed                 time.Time // zero while open
	lastReminded           string
}

func (w *writer) item(it itemRow) error {
	return w.insert("action_items", it.id, it.project, it.num, it.text, it.owner, it.ownerName, it.due, it.status, it.progress,
		it.meeting, it.createdBy, it.created.UTC(), it.updated.UTC(), nullTime(it.closed), it.lastReminded)
}

type riskRow struct {
	id, project                     int64
	num                             int
	description, likelihood, impact string
	mitigation, owner, ownerName    string
	status                          string
	escalated                       bool
	meeting, createdBy              int64
	created, updated                time.Time
}

func (w *writer) risk(r riskRow) error {
	return w.insert("risks", r.id, r.project, r.num, r.description, r.likelihood, r.likelihood, r.impact, r.impact, r.mitigation,
		r.owner, r.ownerName, r.status, r.escalated, r.meeting, r.createdBy, r.created.UTC(), r.updated.UTC(), "")
}

type auditRow struct {
	project     int64
	at          time.Time
	actor       string
	message     int64
	ref, action string
	oldV, newV  string
}

func (w *writer) audit(a auditRow) error {
	return w.insert("audit_log", a.project, a.at.UTC(), a.actor, a.message, a.ref, a.action, a.oldV, a.newV)
}

type outboxRow struct {
	project                  int64
	idemKey, kind, from      string
	rcpt, subject, messageID string
	about                    string
	raw                      []byte
	status                   string
	attempts                 int
	created                  time.Time
	sent                     time.Time // zero unless sent
	smtpResponse, lastError  string
	pruned                   time.Time // zero while whole
}

func (w *writer) outbox(m outboxRow) error {
	err := w.insert("outbox", m.project, m.idemKey, m.kind, m.from, `["`+m.rcpt+`"]`, m.rcpt, m.subject, m.messageID, m.about, m.raw,
		m.status, m.attempts, m.created.UTC(), m.created.UTC(), nullTime(m.sent), m.smtpResponse, m.lastError, nullTime(m.pruned))
	if err == nil && m.pruned.IsZero() {
		w.rows["outbox whole"]++
	}
	return err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
