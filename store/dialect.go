package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"unicode/utf8"
)

// Every statement goes through these, written with ? placeholders as
// SQLite takes them; Rebind turns them into the driver's ($1, $2 … for
// PostgreSQL). SQL that differs between the databases beyond that (an
// backup) is chosen where it is written (Store.postgres). Text arguments
// go through storable on the way.

// forUpdate makes q, a read of rows the transaction may then rewrite
// (UpdateItem, from the item as read; UpdateRisk, whole), lock them until
// it ends. On PostgreSQL, where hosts sharing the database write at once,
// two transactions that read an item before either wrote it would
// otherwise both write, and the first one's change would be lost: with the
// lock the second reads the item as the first left it. (Two that lock in opposite orders deadlock;
// PostgreSQL ends one, and its batch is handled again from the mailbox.)
// SQLite needs nothing: BEGIN IMMEDIATE already serialises writers.
func (tx *Tx) forUpdate(q string) string {
	if tx.tx.DriverName() == driverPostgres {
		return q + " FOR UPDATE"
	}
	return q
}

func (tx *Tx) get(dest any, q string, args ...any) error {
	return tx.tx.GetContext(tx.ctx, dest, tx.tx.Rebind(q), storable(tx.tx.DriverName(), args)...)
}

func (tx *Tx) sel(dest any, q string, args ...any) error {
	return tx.tx.SelectContext(tx.ctx, dest, tx.tx.Rebind(q), storable(tx.tx.DriverName(), args)...)
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.tx.Rebind(q), storable(tx.tx.DriverName(), args)...)
}

func (s *Store) get(ctx context.Context, dest any, q string, args ...any) error {
	return s.db.GetContext(ctx, dest, s.db.Rebind(q), storable(s.db.DriverName(), args)...)
}

func (s *Store) sel(ctx context.Context, dest any, q string, args ...any) error {
	return s.db.SelectContext(ctx, dest, s.db.Rebind(q), storable(s.db.DriverName(), args)...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.db.Rebind(q), storable(s.db.DriverName(), args)...)
}

// storable makes text arguments fit the database. PostgreSQL text holds
// neither NUL bytes nor invalid UTF-8, which mail can carry (a hostile
// subject, a raw 8-bit header) and SQLite keeps: there each becomes
// U+FFFD, so the message is recorded with its text marked rather than
// failing on one database and not the other. The arguments are copied
// only when one changes.
func storable(driver string, args []any) []any {
	if driver != driverPostgres {
		return args
	}
	out := args
	for i, a := range args {
		var fixed any
		switch v := a.(type) {
		case string:
			if t, ok := postgresText(v); ok {
				fixed = t
			}
		case sql.NullString:
			if t, ok := postgresText(v.String); ok {
				fixed = sql.NullString{String: t, Valid: v.Valid}
			}
		}
		if fixed == nil {
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = fixed
	}
	return out
}

// postgresText returns s with NUL bytes and invalid UTF-8 replaced by
// U+FFFD, and whether that changed it.
func postgresText(s string) (string, bool) {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s, false
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD"), true
}

// insert runs an INSERT and returns the new row's id: SQLite reports it
// (LastInsertId); PostgreSQL has no such thing, so there the statement
// gets RETURNING id. (SQLite has RETURNING too, but its plan for it checks
// every table that refers to the new row, which the plain insert does not.)
// An insert that DO NOTHING left out returns errNoRow.
func (tx *Tx) insert(q string, args ...any) (int64, error) {
	if tx.tx.DriverName() == driverPostgres {
		var id int64
		err := tx.get(&id, q+" RETURNING id", args...)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errNoRow
		}
		return id, err
	}
	res, err := tx.exec(q, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return 0, errNoRow
	}
	return res.LastInsertId()
}

// rowChunks are the row counts of the statements insertRows writes,
// largest first: a few fixed shapes, so each is prepared once and reused
// (six an INSERT), and n rows take at most a statement per set bit of n
// below 32. 32 rows of up to 9 values stay far below either database's
// limit on parameters.
var rowChunks = []int{32, 16, 8, 4, 2, 1}

// chunkStatements holds, for each INSERT insertRows has run, its text for
// each chunk size.
var chunkStatements sync.Map // "INSERT … VALUES" → map[int]string

// insertRows runs stmt, an INSERT whose text ends in "VALUES", for rows
// of width values each, in order, a chunk of rows a statement: a meeting's
// attendees or a batch's audit entries in a few statements instead of one
// each (one round trip each, on PostgreSQL).
func (tx *Tx) insertRows(stmt string, width int, rows [][]any) error {
	texts, ok := chunkStatements.Load(stmt)
	if !ok {
		m := map[int]string{}
		for _, n := range rowChunks {
			m[n] = valuesFor(stmt, width, n)
		}
		texts, _ = chunkStatements.LoadOrStore(stmt, m)
	}
	for len(rows) > 0 {
		n := rowChunks[len(rowChunks)-1]
		for _, c := range rowChunks {
			if len(rows) >= c {
				n = c
				break
			}
		}
		args := make([]any, 0, width*n)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.exec(texts.(map[int]string)[n], args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// valuesFor completes stmt with n rows of width placeholders.
func valuesFor(stmt string, width, n int) string {
	row := " (" + strings.Repeat("?, ", width-1) + "?)"
	var b strings.Builder
	b.WriteString(stmt)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(row)
	}
	return b.String()
}

// errNoRow is an insert that inserted nothing (ON CONFLICT DO NOTHING).
var errNoRow = errors.New("no row inserted")

// driverPostgres is the database/sql driver name mailflow opens
// PostgreSQL with (pgx's stdlib).
const driverPostgres = "pgx"
