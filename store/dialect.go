package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"
)

// Every statement goes through these, written with ? placeholders as
// SQLite takes them; Rebind turns them into the driver's ($1, $2 … for
// PostgreSQL). SQL that differs between the databases beyond that (an
// backup) is chosen where it is written (Store.postgres). Text arguments
// go through storable on the way.

// forUpdate makes q, a read of rows the transaction may then rewrite
// whole (UpdateItem, UpdateRisk), lock them until it ends. On PostgreSQL,
// where hosts sharing the database write at once, two transactions that
// read an item before either wrote it would otherwise both write, and the
// first one's change would be lost: with the lock the second reads the
// item as the first left it. (Two that lock in opposite orders deadlock;
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

// errNoRow is an insert that inserted nothing (ON CONFLICT DO NOTHING).
var errNoRow = errors.New("no row inserted")

// driverPostgres is the database/sql driver name mailflow opens
// PostgreSQL with (pgx's stdlib).
const driverPostgres = "pgx"
