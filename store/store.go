// Package store keeps mailflow's state: projects, the messages it has
// seen, meetings, action items, risks, the audit log, the outbox of mail to
// send, and the IMAP checkpoints. It is an embedded SQLite file by default,
// or a PostgreSQL database that several hosts share (see postgres.go).
//
// Every write goes through Store.Tx so that a state change, its audit entry,
// the mail it causes and the mailbox checkpoint commit or roll back together.
//
// NULL stays inside the store: a nullable column is a plain Go value in the
// exported types, and NULL is its zero. An id that refers to another row
// (Item.MeetingID, AuditEntry.MessageID, …) is an int64, 0 for none: ids
// start at 1. A time (Item.ClosedAt, Mail.SentAt, Run.LastOK, …) is a
// time.Time, the zero time (IsZero) for none. The store writes the zero
// as NULL and reads NULL as the zero (null.go), so its callers need no
// database/sql types; TestExportedTypesHideSQLNull holds every exported
// type, field, function and method to this.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeout is how long a writer waits for another writer's lock before it
// gives up with SQLITE_BUSY. Long enough for a backup or a CLI command to
// finish; short enough that a stuck lock shows up in the logs.
const BusyTimeout = 5 * time.Second

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when a message was recorded already: the
// unique key, not a look-up beforehand, decides, so two writers cannot
// both record it.
var ErrDuplicate = errors.New("recorded already")

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *sqlx.DB
}

// Open opens the database named by target and applies any migrations it
// has not seen yet: a PostgreSQL URL (postgres://… or postgresql://…, see
// IsPostgres) opens that database; anything else is the path of an SQLite
// file, created if needed.
func Open(ctx context.Context, target string) (*Store, error) {
	if IsPostgres(target) {
		return openPostgres(ctx, target)
	}
	return openSQLite(ctx, target)
}

// openSQLite opens (creating if needed) the SQLite database at path. The
// database holds people's mail addresses and what they were asked to do:
// it is created 0600, and an existing one that group or others may open
// is made private (see makePrivate).
func openSQLite(ctx context.Context, path string) (*Store, error) {
	if err := makePrivate(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	// FULL: a commit is on disk before it returns. With NORMAL, WAL
	// commits since the last checkpoint can vanish in a power cut or a
	// kernel crash (not in a process crash), and what follows a commit
	// cannot be undone: intake moves the message out of the inbox, the
	// sender hands mail to the server. Lost, the message would sit in the
	// processed folder unhandled, and the mail would be sent again. The
	// price is one fsync per commit: a batch of messages, or a mail sent.
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", strconv.Itoa(int(BusyTimeout/time.Millisecond)))
	q.Set("_foreign_keys", "on")
	// BEGIN IMMEDIATE takes the write lock up front, so two writers never
	// deadlock upgrading read locks; the loser waits out the busy timeout.
	q.Set("_txlock", "immediate")
	// Reuse prepared statements: the engine runs the same few dozen
	// queries for every message, and preparing them was ~10% of its time
	// (insertRows adds six shapes of each multi-row INSERT).
	q.Set("_stmt_cache_size", "128")
	dsn := "file:" + uriPath(path) + "?" + q.Encode()
	db, err := sqlx.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	return s, nil
}

// makePrivate creates the database file empty and 0600 when it does not
// exist, before SQLite opens it: SQLite makes the -wal and -shm files with
// the mode of the database file, and would make the database itself 0644
// under the usual umask. An existing database, -wal or -shm file that
// group or others may open loses those bits (0644 becomes 0600, 0640
// 0600): silently, as the fix is safe and the daemon has nobody to tell at
// that point. Only a file that cannot be changed (another user's) stops
// Open, with the chmod that fixes it.
func makePrivate(path string) error {
	created, err := createPrivate(path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if created {
		return nil
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		perm := fi.Mode().Perm()
		if perm&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, perm&^0o077); err != nil {
			return fmt.Errorf("%s is open to group or others (mode %04o) and could not be made private: %w; run: chmod 600 %s", p, uint32(perm), err, p)
		}
	}
	return nil
}

// createPrivate creates path empty with mode 0600 and reports whether it
// did; an existing path is an error wrapping fs.ErrExist, and is left as
// it was (O_EXCL: not even through a symlink).
func createPrivate(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, err
	}
	if err := f.Close(); err != nil {
		return true, err
	}
	return true, nil
}

// backup writes a consistent copy of the SQLite database to a new file at path,
// 0600 like the database. VACUUM INTO creates its target with the umask's
// mode (0644), but accepts an empty one: so the file is made first, empty
// and private, and removed again if the copy fails. An existing path is
// refused, never overwritten. Store.Backup should be this.
func (s *Store) backup(ctx context.Context, path string) error {
	if s.postgres() {
		return fmt.Errorf("backup to %s: %w", path, ErrBackupPostgres)
	}
	if _, err := createPrivate(path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := s.exec(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path) //nolint:errcheck // the file is ours and holds no complete copy; the VACUUM error is the one to report
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// uriPath escapes the characters a SQLite URI filename gives a meaning to,
// so that a database path with a '#' or '?' in it (a directory named
// after a test case, say) opens that file and not the path cut short
// there.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Close closes the database. It is safe to call twice.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// DB exposes the handle for package lease, which keeps its leases on the
// same PostgreSQL database (daemon.LeaseHolders), and for read-only
// queries in sibling packages' tests. Writers use Tx.
func (s *Store) DB() *sqlx.DB { return s.db }

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the SQLite migrations.
func loadMigrations() ([]migration, error) { return readMigrations(migrationFiles, "migrations") }

// readMigrations reads the migrations in dir of files, oldest first; each
// file is named NNNN_what.sql, NNNN its schema version.
func readMigrations(files embed.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		body, err := fs.ReadFile(files, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, name, string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies each embedded SQLite migration newer than the recorded
// schema version, each in its own transaction with its version row, so a
// crash mid-upgrade leaves the database at a known version. (SQLite has one
// writer at a time; PostgreSQL's migratePostgres takes a lock first.)
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var current int
	if err := s.get(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_version`); err != nil {
		return err
	}
	if len(ms) > 0 && current > ms[len(ms)-1].version {
		return fmt.Errorf("database schema version %d is newer than this mailflow knows (%d): upgrade mailflow", current, ms[len(ms)-1].version)
	}
	var applied []appliedMigration
	if err := s.sel(ctx, &applied, `SELECT version, name FROM schema_version`); err != nil {
		return err
	}
	if err := sameMigrations(applied, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		tx, err := s.db.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("apply %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UTC()); err != nil {
			tx.Rollback()
			return fmt.Errorf("record %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit %s: %w", m.name, err)
		}
	}
	return nil
}

// appliedMigration is a row of schema_version.
type appliedMigration struct {
	Version int    `db:"version"`
	Name    string `db:"name"`
}

// sameMigrations checks that each migration the database has applied is
// the one this build has under that number. A database migrated by a build
// whose numbering differed (a development build, a branch) would otherwise
// be taken as up to date, skip the migration that took the number, and
// fail later on what it lacks.
func sameMigrations(applied []appliedMigration, ms []migration) error {
	names := make(map[int]string, len(ms))
	for _, m := range ms {
		names[m.version] = m.name
	}
	for _, a := range applied {
		if want, ok := names[a.Version]; ok && want != a.Name {
			return fmt.Errorf("database schema version %d was applied as %s, but this mailflow's migration %d is %s: the database was migrated by another build of mailflow; restore a backup taken before, or migrate it with that build",
				a.Version, a.Name, a.Version, want)
		}
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.get(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_version`)
	return v, err
}

// Tx is one write transaction. Its methods are the only way state changes.
type Tx struct {
	tx  *sqlx.Tx
	ctx context.Context
	// audits are the entries Audit appended and not yet written: they are
	// written together before the commit (writeAudits), a few rows a
	// statement, instead of one statement each. Nothing reads the audit
	// log inside a transaction, so nothing can miss them meanwhile.
	audits []AuditEntry
	// counters are the ref counters this transaction has taken numbers
	// from (see nextRef); written back before the commit.
	counters map[counterKey]counter
	// marks are, for each open savepoint, the length of audits and the
	// counters when it was set, so that rolling back to it drops the
	// entries appended since and gives back the numbers taken since.
	marks map[string]txMark
	// blobs are the runs of mail body this transaction's mails share
	// (see share); those stored once are written before the commit.
	blobs blobs
}

// txMark is what a savepoint restores of a transaction's pending writes.
type txMark struct {
	audits   int
	counters map[counterKey]counter
	blobs    blobMark
}

// Tx runs fn in a write transaction and commits if fn returns nil.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	// Statements run without ctx's cancellation: go-sqlite3 runs each
	// statement given a cancellable context on a goroutine of its own, and
	// a batch of messages is thousands of statements (handling was ~20 %
	// faster without). Cancellation still ends the transaction:
	// database/sql rolls it back when ctx ends, and Commit then fails, so
	// nothing of it is kept.
	t := &Tx{tx: tx, ctx: context.WithoutCancel(ctx)}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.writeCounters(); err != nil {
		return err
	}
	if err := t.writeAudits(); err != nil {
		return err
	}
	if err := t.writeBlobs(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Savepoint marks a point in the transaction that RollbackTo returns to.
// The engine sets one before each message of a batch, so a message that
// fails is undone alone and the batch commits once.
func (tx *Tx) Savepoint(name string) error {
	if _, err := tx.exec("SAVEPOINT " + name); err != nil {
		return fmt.Errorf("savepoint %s: %w", name, err)
	}
	if tx.marks == nil {
		tx.marks = map[string]txMark{}
	}
	tx.marks[name] = txMark{audits: len(tx.audits), counters: maps.Clone(tx.counters), blobs: tx.blobs.mark()}
	return nil
}

// RollbackTo undoes everything since Savepoint(name) and drops the mark.
func (tx *Tx) RollbackTo(name string) error {
	if _, err := tx.exec("ROLLBACK TO " + name + "; RELEASE " + name); err != nil {
		return fmt.Errorf("roll back to %s: %w", name, err)
	}
	if mark, ok := tx.marks[name]; ok {
		tx.audits = tx.audits[:mark.audits]
		tx.counters = mark.counters
		tx.forgetBlobsSince(mark.blobs)
		delete(tx.marks, name)
	}
	return nil
}

// Release keeps what was done since Savepoint(name) and drops the mark.
func (tx *Tx) Release(name string) error {
	if _, err := tx.exec("RELEASE " + name); err != nil {
		return fmt.Errorf("release %s: %w", name, err)
	}
	delete(tx.marks, name)
	return nil
}

// EnsureProject returns the id of the project named name, creating it (or
// updating its address) as needed.
func (s *Store) EnsureProject(ctx context.Context, name, address string) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`INSERT INTO projects (name, address) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET address = excluded.address`, name, address); err != nil {
			return err
		}
		return tx.get(&id, `SELECT id FROM projects WHERE name = ?`, name)
	})
	if err != nil {
		return 0, fmt.Errorf("ensure project %s: %w", name, err)
	}
	return id, nil
}

// ProjectID returns the id of the project named name.
func (s *Store) ProjectID(ctx context.Context, name string) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `SELECT id FROM projects WHERE name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("project %q: %w", name, ErrNotFound)
	}
	return id, err
}

// Projects lists the projects in the database by name.
func (s *Store) Projects(ctx context.Context) ([]Project, error) {
	var ps []Project
	err := s.sel(ctx, &ps, `SELECT id, name, address FROM projects ORDER BY name`)
	return ps, err
}

// Project is a row of the projects table.
type Project struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Address string `db:"address"`
}

func utc(t time.Time) time.Time { return t.UTC() }
