package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLastRun: a run replaces the one before on its host; a failure keeps
// the time of the last success.
func TestLastRun(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		if _, err := s.LastRunOutcome(context.Background(), "a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LastRunOutcome on a new database = %v, want ErrNotFound", err)
		}
		t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
		ok := Run{Host: "a", Mode: ModeOnce, PID: 10, StartedAt: t0, UpdatedAt: t0.Add(time.Second), State: RunOK, LastOK: t0.Add(time.Second)}
		failed := Run{Host: "a", Mode: ModeOnce, PID: 11, StartedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour + time.Second), State: RunFailed,
			Step: "reading mailbox INBOX", Error: "dial tcp: connection refused"}
		for _, r := range []Run{ok, failed} {
			if err := s.SaveRun(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LastRunOutcome(context.Background(), "a")
		if err != nil {
			t.Fatal(err)
		}
		want := failed
		want.LastOK = ok.LastOK
		if !sameRun(got, want) {
			t.Errorf("LastRunOutcome = %+v, want %+v", got, want)
		}
	})
}

// TestLastRunPerHost: two hosts on one database each keep their record,
// and LastRuns lists both, by host.
func TestLastRunPerHost(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
		active := Run{Host: "mail-a", Mode: ModeDaemon, PID: 10, StartedAt: t0, UpdatedAt: t0.Add(time.Minute), State: RunRunning, LastOK: t0.Add(time.Minute)}
		standby := Run{Host: "mail-b", Mode: ModeDaemon, PID: 20, StartedAt: t0.Add(time.Second), UpdatedAt: t0.Add(2 * time.Minute), State: RunRunning,
			Step: "reading mailbox INBOX", Error: "connection refused"}
		for _, r := range []Run{standby, active, standby} {
			if err := s.SaveRun(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		runs, err := s.LastRuns(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || !sameRun(runs[0], active) || !sameRun(runs[1], standby) {
			t.Errorf("LastRuns = %+v,\nwant %+v and %+v", runs, active, standby)
		}
		if err := s.SaveRun(t.Context(), Run{Mode: ModeOnce, State: RunOK, StartedAt: t0, UpdatedAt: t0}); err == nil {
			t.Error("SaveRun without a host = nil, want an error")
		}
	})
}

// TestLastRunFromBeforeHosts: migration 0016 keeps the one record of
// before as host "", and the first host to record a run takes it over,
// its time of last success and all; a second host gets a record of its
// own.
func TestLastRunFromBeforeHosts(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	eachTarget(t, func(t *testing.T, target string) {
		s := openTarget(t, target)
		rewindLastRun(t, s)
		if _, err := s.exec(t.Context(), `INSERT INTO last_run (id, mode, pid, started_at, updated_at, state, step, error, last_ok_at)
				VALUES (1, 'daemon', 7, ?, ?, 'stopped', '', '', ?)`, t0, t0.Add(time.Hour), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = openTarget(t, target)
		old := Run{Mode: ModeDaemon, PID: 7, StartedAt: t0, UpdatedAt: t0.Add(time.Hour), State: RunStopped, LastOK: t0.Add(time.Hour)}
		if runs, err := s.LastRuns(t.Context()); err != nil || len(runs) != 1 || !sameRun(runs[0], old) {
			t.Fatalf("LastRuns after the migration = %+v (%v), want the record of before with host \"\": %+v", runs, err, old)
		}
		now := Run{Host: "mail-a", Mode: ModeDaemon, PID: 8, StartedAt: t0.Add(2 * time.Hour), UpdatedAt: t0.Add(2 * time.Hour), State: RunRunning}
		other := Run{Host: "mail-b", Mode: ModeDaemon, PID: 9, StartedAt: t0.Add(3 * time.Hour), UpdatedAt: t0.Add(3 * time.Hour), State: RunRunning}
		for _, r := range []Run{now, other} {
			if err := s.SaveRun(t.Context(), r); err != nil {
				t.Fatal(err)
			}
		}
		now.LastOK = old.LastOK
		if runs, err := s.LastRuns(t.Context()); err != nil || len(runs) != 2 || !sameRun(runs[0], now) || !sameRun(runs[1], other) {
			t.Errorf("LastRuns = %+v (%v),\nwant %+v (the record of before, taken over) and %+v", runs, err, now, other)
		}
	})
}

// rewindLastRun puts s's last_run table back as it was before migration
// 0016, with the schema version to match, so that opening s again runs
// the migration.
func rewindLastRun(t *testing.T, s *Store) {
	t.Helper()
	var create string
	if s.postgres() {
		b, err := postgresMigrationFiles.ReadFile("migrations_postgres/0015_schema.sql")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "CREATE TABLE last_run (")
		table, _, ok2 := strings.Cut(rest, ");")
		if !ok || !ok2 {
			t.Fatal("0015_schema.sql has no CREATE TABLE last_run")
		}
		create = "CREATE TABLE last_run (" + table + ");"
	} else {
		b, err := migrationFiles.ReadFile("migrations/0012_last_run.sql")
		if err != nil {
			t.Fatal(err)
		}
		create = string(b)
	}
	undo := append([]string{"DROP TABLE last_run", create}, undoMigrationsAfter(t, s, 16)...)
	for _, q := range append(undo, "DELETE FROM schema_version WHERE version >= 16") {
		if _, err := s.db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// reCreated finds what a migration creates, so that a test can take a
// database back to before it.
var reCreated = regexp.MustCompile(`(?m)^CREATE (?:UNIQUE )?(INDEX|TABLE) (\w+)`)

// undoMigrationsAfter returns the statements that drop what the
// migrations after version created (their indexes and tables), so that
// migrating again replays them; a later migration that alters a table
// must be undone here by hand.
func undoMigrationsAfter(t *testing.T, s *Store, version int) []string {
	t.Helper()
	files, dir := migrationFiles, "migrations"
	if s.postgres() {
		files, dir = postgresMigrationFiles, "migrations_postgres"
	}
	ms, err := readMigrations(files, dir)
	if err != nil {
		t.Fatal(err)
	}
	var undo, dropColumns []string
	for _, m := range ms {
		if m.version <= version {
			continue
		}
		added := reAddedColumn.FindAllStringSubmatch(m.sql, -1)
		if strings.Count(m.sql, "ALTER TABLE") != len(added) {
			t.Fatalf("migration %s alters a table other than by adding a column: undo it in undoMigrationsAfter", m.name)
		}
		for _, c := range reCreated.FindAllStringSubmatch(m.sql, -1) {
			undo = append(undo, fmt.Sprintf("DROP %s IF EXISTS %s", c[1], c[2]))
		}
		// A column goes after the indexes on it (SQLite refuses to drop
		// an indexed column).
		for _, c := range added {
			dropColumns = append(dropColumns, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", c[1], c[2]))
		}
	}
	return append(undo, dropColumns...)
}

// reAddedColumn finds the columns a migration adds.
var reAddedColumn = regexp.MustCompile(`(?m)^ALTER TABLE (\w+) ADD COLUMN (\w+)`)

// sameRun reports whether two runs are the same record, times compared
// as instants.
func sameRun(a, b Run) bool {
	return a.Host == b.Host && a.Mode == b.Mode && a.PID == b.PID && a.StartedAt.Equal(b.StartedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.State == b.State && a.Step == b.Step && a.Error == b.Error && a.LastOK.Equal(b.LastOK)
}

// A database whose migration N is not this build's migration N (migrated
// by a build that numbered them otherwise) is refused at open, naming
// both, instead of being taken as up to date.
func TestOpenRefusesMigrationsOfAnotherBuild(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		s := openTarget(t, target)
		if _, err := s.exec(t.Context(), `UPDATE schema_version SET name = '0016_audit_by_time.sql' WHERE version = 16`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s2, err := Open(t.Context(), target)
		if err == nil {
			s2.Close()
			t.Fatal("Open of a database migrated by another build = nil, want an error")
		}
		for _, want := range []string{"version 16", "0016_audit_by_time.sql", "0016_last_run_per_host.sql"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Open error %q does not name %q", err, want)
			}
		}
	})
}

// A database a newer mailflow migrated is refused: this build would not
// know its tables.
func TestOpenRefusesANewerSchema(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		s := openTarget(t, target)
		if _, err := s.exec(t.Context(), `INSERT INTO schema_version (version, name, applied_at) VALUES (9999, '9999_future.sql', ?)`, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s2, err := Open(t.Context(), target)
		if err == nil {
			s2.Close()
			t.Fatal("Open of a database a newer mailflow migrated = nil, want an error")
		}
		if !strings.Contains(err.Error(), "version 9999 is newer than this mailflow knows") {
			t.Errorf("Open error %q does not say the schema is newer", err)
		}
	})
}
