package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Audit sources.
const (
	SourceMessage = "message"
	SourceCLI     = "cli"
	SourceSystem  = "system"
)

// AuditEntry is a row of the audit log: who changed what, when, and which
// message or command caused it.
type AuditEntry struct {
	ID        int64     `db:"id"`
	ProjectID int64     `db:"project_id"`
	At        time.Time `db:"at"`
	Actor     string    `db:"actor"`
	Source    string    `db:"source"`
	MessageID int64     `db:"message_id"` // the messages row that caused it; 0: none
	Ref       string    `db:"ref"`
	Action    string    `db:"action"`
	OldValue  string    `db:"old_value"`
	NewValue  string    `db:"new_value"`
}

// Audit appends an entry to the audit log. The entry is written with the
// transaction's others before it commits, in the order they were
// appended; one rolled back to a savepoint set before it is not.
func (tx *Tx) Audit(e AuditEntry) error {
	tx.audits = append(tx.audits, e)
	return nil
}

// auditChunks are the row counts of the statements writeAudits uses,
// largest first: a few fixed shapes, so each is prepared once and reused.
// 32 rows of 9 values stay far below either database's limit on
// parameters.
var auditChunks = []int{32, 8, 1}

// auditInserts holds the INSERT of each chunk size.
var auditInserts = func() map[int]string {
	m := map[int]string{}
	for _, n := range auditChunks {
		m[n] = auditInsert(n)
	}
	return m
}()

// writeAudits writes the entries Audit appended, in order, a chunk of
// rows a statement: most of a reply's cost on the database was one
// statement per entry (one round trip each on PostgreSQL).
func (tx *Tx) writeAudits() error {
	es := tx.audits
	for len(es) > 0 {
		n := auditChunks[len(auditChunks)-1]
		for _, c := range auditChunks {
			if len(es) >= c {
				n = c
				break
			}
		}
		stmt := auditInserts[n]
		args := make([]any, 0, 9*n)
		for _, e := range es[:n] {
			args = append(args, e.ProjectID, utc(e.At), e.Actor, e.Source, nullID(e.MessageID), e.Ref, e.Action, e.OldValue, e.NewValue)
		}
		if _, err := tx.exec(stmt, args...); err != nil {
			return fmt.Errorf("audit %s %s: %w", es[0].Ref, es[0].Action, err)
		}
		es = es[n:]
	}
	tx.audits = tx.audits[:0]
	return nil
}

// auditInsert is the INSERT of n audit rows.
func auditInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (project_id, at, actor, source, message_id, ref, action, old_value, new_value) VALUES`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" (?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

// AuditTrail lists the audit entries of a ref ("" for every entry) in order.
func (s *Store) AuditTrail(ctx context.Context, projectID int64, ref string) ([]AuditEntry, error) {
	var es []auditRow
	var err error
	if ref == "" {
		err = s.sel(ctx, &es, `SELECT * FROM audit_log WHERE project_id = ? ORDER BY id`, projectID)
	} else {
		err = s.sel(ctx, &es, `SELECT * FROM audit_log WHERE project_id = ? AND ref = ? ORDER BY id`, projectID, ref)
	}
	return values(es), err
}

// AuditSince lists the project's audit entries at or after since.
func (s *Store) AuditSince(ctx context.Context, projectID int64, since time.Time) ([]AuditEntry, error) {
	var es []auditRow
	err := s.sel(ctx, &es, `SELECT * FROM audit_log WHERE project_id = ? AND at >= ? ORDER BY id`, projectID, utc(since))
	return values(es), err
}

// AuditOfOpenRisks lists a project's audit entries of one action (such as
// "mitigation changed") about the risks open now, in order: the history
// the register shows beside each open risk, without that of the years of
// risks closed since.
func (s *Store) AuditOfOpenRisks(ctx context.Context, projectID int64, action string) ([]AuditEntry, error) {
	var es []auditRow
	err := s.sel(ctx, &es, `SELECT * FROM audit_log WHERE project_id = ? AND action = ?
		AND ref IN (SELECT 'R-' || num FROM risks WHERE project_id = ? AND status = 'open') ORDER BY id`, projectID, action, projectID)
	return values(es), err
}
