package store

import (
	"context"
	"database/sql"
)

// Every statement goes through these, written with ? placeholders as
// SQLite takes them; Rebind turns them into the driver's ($1, $2 … for
// PostgreSQL). SQL that differs between the databases beyond that (an
// upsert, a backup) is chosen by Store.dialect where it is written.

func (tx *Tx) get(dest any, q string, args ...any) error {
	return tx.tx.GetContext(tx.ctx, dest, tx.tx.Rebind(q), args...)
}

func (tx *Tx) sel(dest any, q string, args ...any) error {
	return tx.tx.SelectContext(tx.ctx, dest, tx.tx.Rebind(q), args...)
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.tx.Rebind(q), args...)
}

func (s *Store) get(ctx context.Context, dest any, q string, args ...any) error {
	return s.db.GetContext(ctx, dest, s.db.Rebind(q), args...)
}

func (s *Store) sel(ctx context.Context, dest any, q string, args ...any) error {
	return s.db.SelectContext(ctx, dest, s.db.Rebind(q), args...)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.db.Rebind(q), args...)
}
