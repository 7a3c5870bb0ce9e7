package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// PostgreSQL is the shared store: several mailflow hosts on one database.
// Everything that makes that safe is in the SQL both databases run (ref
// counters updated in the transaction, unique keys that decide duplicates,
// claims by conditional UPDATE); what differs is here: how it is opened,
// its own migrations, and the schema lock that lets hosts start together.

//go:embed migrations_postgres/*.sql
var postgresMigrationFiles embed.FS

// ErrBackupPostgres is Backup on PostgreSQL: mailflow copies only its
// SQLite file; a PostgreSQL database is backed up with the server's own
// tools, which also know its roles, its replication and its point-in-time
// recovery.
var ErrBackupPostgres = errors.New("the database is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=FILE 'postgres://USER@HOST/DATABASE'), or the server's own backup; mailflow backup copies only an SQLite file")

// schemaLockKey is the pg_advisory_xact_lock key that migrations hold, so
// that hosts starting together migrate once: the others wait, then find
// the schema current. Any fixed number works; this one is "mailflow" in
// ASCII, unlikely to be another program's on a shared server.
const schemaLockKey int64 = 0x6d61696c666c6f77

// connectTimeout bounds a connection attempt when the URL sets none: a
// host that drops packets must not hang the start (pgx waits forever).
const connectTimeout = 10 * time.Second

// IsPostgres reports whether target, as Open takes it, names a PostgreSQL
// database (a postgres:// or postgresql:// URL) rather than an SQLite
// file.
func IsPostgres(target string) bool {
	return strings.HasPrefix(target, "postgres://") || strings.HasPrefix(target, "postgresql://")
}

// Redact returns target fit for a log or an error: a URL without its
// password, a path as it is.
func Redact(target string) string {
	if !IsPostgres(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(a URL that does not parse)"
	}
	return u.Redacted()
}

// openPostgres connects to the database at rawURL through pgx's
// database/sql driver and brings its schema up to date. TLS is what the
// URL says (sslmode, sslrootcert); the password is the URL's, or pgx's
// usual PGPASSWORD and ~/.pgpass.
func openPostgres(ctx context.Context, rawURL string) (*Store, error) {
	name := Redact(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(scanTimesInUTC))
	// A pooled connection a server restart or a failover killed is found
	// bad at its next use and replaced; idle ones are not kept for long,
	// so a host holds few of the server's connections while it waits.
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	s := &Store{db: sqlx.NewDb(db, driverPostgres)}
	if err := s.migratePostgres(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", name, err)
	}
	return s, nil
}

// scanTimesInUTC makes a connection return TIMESTAMPTZ values in UTC, as
// SQLite returns the UTC times the store writes: pgx would give them in
// the machine's zone, the same instant printed differently.
func scanTimesInUTC(_ context.Context, c *pgx.Conn) error {
	c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
		Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	return nil
}

// postgres reports whether s is a PostgreSQL database.
func (s *Store) postgres() bool { return s.db.DriverName() == driverPostgres }

// Postgres reports whether the store is a PostgreSQL database (shared by
// hosts) rather than an SQLite file.
func (s *Store) Postgres() bool { return s.postgres() }

// migratePostgres applies the PostgreSQL migrations newer than the
// recorded version in one transaction that first takes the schema lock:
// hosts starting together wait for each other, and the first one's
// migrations are there when the next reads the version. DDL is
// transactional in PostgreSQL, so a failed migration leaves the schema as
// it was.
func (s *Store) migratePostgres(ctx context.Context) error {
	ms, err := readMigrations(postgresMigrationFiles, "migrations_postgres")
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`SELECT pg_advisory_xact_lock(?)`, schemaLockKey); err != nil {
			return fmt.Errorf("take the schema lock: %w", err)
		}
		if _, err := tx.exec(`CREATE TABLE IF NOT EXISTS schema_version (
			version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return err
		}
		var current int
		if err := tx.get(&current, `SELECT COALESCE(MAX(version), 0) FROM schema_version`); err != nil {
			return err
		}
		if len(ms) > 0 && current > ms[len(ms)-1].version {
			return fmt.Errorf("database schema version %d is newer than this mailflow knows (%d): upgrade mailflow", current, ms[len(ms)-1].version)
		}
		var applied []appliedMigration
		if err := tx.sel(&applied, `SELECT version, name FROM schema_version`); err != nil {
			return err
		}
		if err := sameMigrations(applied, ms); err != nil {
			return err
		}
		for _, m := range ms {
			if m.version <= current {
				continue
			}
			if _, err := tx.tx.ExecContext(tx.ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if _, err := tx.exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UTC()); err != nil {
				return fmt.Errorf("record %s: %w", m.name, err)
			}
		}
		return nil
	})
}
