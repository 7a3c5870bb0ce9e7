package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// copyOrder lists the tables in the order their foreign keys allow them
// to be filled: each after the tables it refers to. TestCopyTablesCoverTheSchema
// holds it to the schema.
var copyOrder = []string{
	"projects", "messages", "meetings", "meeting_minutes", "attendees", "action_items", "risks", "decisions", "changes",
	"audit_log", "outbox", "outbox_blobs", "checkpoints", "schedule_runs", "mailbox_status", "milestones", "milestone_moves",
	"health_notes", "last_run", "ref_counters",
}

// Copy's statements are written in double quotes, not the backquotes of
// the store's other SQL: the query-plan test plans the backquoted ones,
// the paths run per message, and Copy is run once, by hand, and reads
// every row on purpose.

// Copy copies everything from into to, an empty PostgreSQL store at the
// same schema version, keeping every id, and reports how many rows each
// table got. It reads from in one transaction, so a daemon may go on
// writing from while it runs (it copies the state at its start), and
// writes to in one transaction: it copies all or nothing.
func Copy(ctx context.Context, from, to *Store) (map[string]int, error) {
	if !to.postgres() {
		return nil, fmt.Errorf("copy: the target must be PostgreSQL")
	}
	fv, err := from.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	tv, err := to.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if fv != tv {
		return nil, fmt.Errorf("copy: the source is at schema version %d, the target at %d: open both with this mailflow first", fv, tv)
	}
	var n int
	if err := to.db.GetContext(ctx, &n, "SELECT COUNT(*) FROM projects"); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("copy: the target already holds %d projects; copy only into an empty database", n)
	}
	src, err := from.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer src.Rollback()
	dst, err := to.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	defer dst.Rollback()
	counts := map[string]int{}
	for _, table := range copyOrder {
		cols, err := columnTypes(ctx, dst.Tx, table)
		if err != nil {
			return nil, err
		}
		if counts[table], err = copyTable(ctx, src.Tx, dst.Tx, table, cols); err != nil {
			return nil, fmt.Errorf("copy %s: %w", table, err)
		}
		if _, ok := cols["id"]; ok {
			// Ids were copied as they were: the sequence goes on after them.
			if _, err := dst.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s", table, table)); err != nil {
				return nil, fmt.Errorf("copy %s: sequence: %w", table, err)
			}
		}
	}
	if err := dst.Commit(); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return counts, nil
}

// columnTypes returns the columns of a PostgreSQL table and their types.
func columnTypes(ctx context.Context, tx *sql.Tx, table string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT column_name, data_type FROM information_schema.columns "+
		"WHERE table_schema = current_schema() AND table_name = $1", table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[name] = typ
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s is not in the target's schema", table)
	}
	return cols, rows.Err()
}

// copyTable copies every row of table, the columns the target has,
// converting what SQLite stores loosely (0/1 for booleans, text for
// bytes and times) to the target's types.
func copyTable(ctx context.Context, src, dst *sql.Tx, table string, cols map[string]string) (int, error) {
	names := make([]string, 0, len(cols))
	for c := range cols {
		names = append(names, c)
	}
	rows, err := src.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s", strings.Join(names, ", "), table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	marks := make([]string, len(names))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	ins, err := dst.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, strings.Join(names, ", "), strings.Join(marks, ", ")))
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range names {
			if vals[i], err = convert(vals[i], cols[c]); err != nil {
				return n, fmt.Errorf("column %s: %w", c, err)
			}
		}
		if _, err := ins.ExecContext(ctx, vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// convert turns a value read from SQLite into one PostgreSQL takes for a
// column of type typ.
func convert(v any, typ string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		if typ == "boolean" {
			return x != 0, nil
		}
	case string:
		switch {
		case typ == "bytea":
			return []byte(x), nil
		case strings.HasPrefix(typ, "timestamp"):
			return parseStoredTime(x)
		case typ == "boolean":
			return x == "1" || strings.EqualFold(x, "true"), nil
		}
	case []byte:
		switch {
		case typ == "bytea":
			return x, nil
		case strings.HasPrefix(typ, "timestamp"):
			return parseStoredTime(string(x))
		default:
			return string(x), nil
		}
	case time.Time:
		return x.UTC(), nil
	}
	return v, nil
}

// parseStoredTime reads a time SQLite holds as text, in the forms
// go-sqlite3 writes.
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is in no form mailflow writes", s)
}
