package pgtest

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// benchServer launches a server outside any test's TempDir, for
// benchmarks that time one step many times.
func benchServer(b *testing.B) *Server {
	b.Helper()
	binDir := installedOrSkip(b, FindBinDir())
	dir, err := os.MkdirTemp("", "pgtest-bench-")
	if err != nil {
		b.Fatal(err)
	}
	s, err := launch(binDir, dir, newOptions(nil))
	b.Cleanup(func() {
		s.close()
		os.RemoveAll(dir)
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkStart is what Start costs a test: initdb, start, the test role,
// then the immediate shutdown and removal at its end.
func BenchmarkStart(b *testing.B) {
	binDir := installedOrSkip(b, FindBinDir())
	for b.Loop() {
		dir, err := os.MkdirTemp("", "pgtest-bench-")
		if err != nil {
			b.Fatal(err)
		}
		s, err := launch(binDir, dir, newOptions(nil))
		s.close()
		os.RemoveAll(dir)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRestart is a failover test's Kill then Restart, crash recovery
// included.
func BenchmarkRestart(b *testing.B) {
	s := benchServer(b)
	for b.Loop() {
		s.Kill()
		if err := s.runRetrying(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateDB is what a test on the shared server pays for its own
// database: CREATE DATABASE, and DROP DATABASE when it ends.
func BenchmarkCreateDB(b *testing.B) {
	s := benchServer(b)
	for b.Loop() {
		name := s.databaseName(b.Name())
		s.CreateDB(b, name)
		s.dropDB(b, pgx.Identifier{name}.Sanitize())
	}
}
