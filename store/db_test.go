package store

import (
	"os"
	"path/filepath"
	"testing"

	"mailflow/internal/pgtest"
)

// TestMain stops the package's shared PostgreSQL (pgtest.Shared) when the
// tests end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Databases the store runs on, as subtests name them.
const (
	onSQLite   = "sqlite"
	onPostgres = "postgres"
)

// eachDB runs fn as a subtest on a new, empty store of each database:
// subtests "sqlite" and "postgres". Without PostgreSQL installed the
// postgres subtest skips, or fails under MAILFLOW_REQUIRE_POSTGRES=1.
func eachDB(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, db := range []string{onSQLite, onPostgres} {
		t.Run(db, func(t *testing.T) { fn(t, openOn(t, db)) })
	}
}

// eachTarget runs fn as a subtest "sqlite" and "postgres", each with the
// target of a new, empty database of its kind (an SQLite path, a
// PostgreSQL URL), for tests that open it themselves, more than once.
func eachTarget(t *testing.T, fn func(t *testing.T, target string)) {
	t.Helper()
	for _, db := range []string{onSQLite, onPostgres} {
		t.Run(db, func(t *testing.T) {
			if db == onSQLite {
				fn(t, filepath.Join(t.TempDir(), "m.db"))
				return
			}
			fn(t, postgresDB(t))
		})
	}
}

// openOn opens a new, empty store on db (onSQLite or onPostgres), closed
// when t ends.
func openOn(t *testing.T, db string) *Store {
	t.Helper()
	if db == onSQLite {
		s, _ := open(t)
		return s
	}
	return openTarget(t, postgresDB(t))
}

// postgresDB makes an empty database on the package's PostgreSQL and
// returns its URL.
func postgresDB(t *testing.T) string {
	t.Helper()
	return pgtest.Shared(t).CreateDB(t, "")
}

// openTarget opens the store at target (a path or a URL), closed when t
// ends.
func openTarget(t *testing.T, target string) *Store {
	t.Helper()
	s, err := Open(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
