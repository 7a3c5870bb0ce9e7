package store

import (
	"context"
	"fmt"
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

// writeAudits writes the entries Audit appended, in order, a chunk of
// rows a statement: most of a reply's cost on the database was one
// statement per entry.
func (tx *Tx) writeAudits() error {
	if len(tx.audits) == 0 {
		return nil
	}
	rows := make([][]any, len(tx.audits))
	for i, e := range tx.audits {
		rows[i] = []any{e.ProjectID, utc(e.At), e.Actor, e.Source, nullID(e.MessageID), e.Ref, e.Action, e.OldValue, e.NewValue}
	}
	if err := tx.insertRows(`INSERT INTO audit_log (project_id, at, actor, source, message_id, ref, action, old_value, new_value) VALUES`, 9, rows); err != nil {
		return fmt.Errorf("audit %s %s: %w", tx.audits[0].Ref, tx.audits[0].Action, err)
	}
	tx.audits = tx.audits[:0]
	return nil
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
