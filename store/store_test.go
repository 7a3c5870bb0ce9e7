package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailflow/internal/pgtest"
)

func open(t *testing.T) (*Store, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

func TestMigrationsApplyOnceAndRecordVersion(t *testing.T) {
	s, p := open(t)
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("schema version %d (%v)", v, err)
	}
	s.Close()
	again, err := Open(context.Background(), p) // re-opening must not re-apply
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	var n int
	if err := again.db.Get(&n, `SELECT COUNT(*) FROM schema_version`); err != nil || n != len(mustMigrations(t)) {
		t.Errorf("schema_version rows %d, want %d", n, len(mustMigrations(t)))
	}
	var mode string
	again.db.Get(&mode, `PRAGMA journal_mode`)
	var fk, sync int
	again.db.Get(&fk, `PRAGMA foreign_keys`)
	again.db.Get(&sync, `PRAGMA synchronous`)
	if mode != "wal" || fk != 1 || sync != 2 {
		t.Errorf("journal_mode %s foreign_keys %d synchronous %d, want wal 1 2 (FULL: a commit survives a power cut)", mode, fk, sync)
	}
}

func mustMigrations(t *testing.T) []migration {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// Every query takes values as parameters: hostile text goes in and comes
// back byte for byte, except what PostgreSQL text cannot hold (a NUL
// byte, invalid UTF-8), which comes back there as U+FFFD.
func TestHostileTextRoundTrips(t *testing.T) {
	hostile := []struct{ in, onPostgres string }{
		{"'); DROP TABLE action_items; --", ""},
		{"Robert'); DELETE FROM outbox WHERE ('1'='1", ""},
		{"line1\r\nBcc: victim@example.org", ""},
		{"<script>alert(1)</script> {{.Secret}} =?utf-8?q?=41?=", ""},
		{"\u202Eevil\u202C \x00nul", "\u202Eevil\u202C \uFFFDnul"},
		{"caf\xe9 latin-1", "caf\uFFFD latin-1"},
	}
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, err := s.EnsureProject(ctx, "P'; DROP TABLE projects; --", "p@x.example")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for _, h := range hostile {
			want := h.in
			if s.Postgres() && h.onPostgres != "" {
				want = h.onPostgres
			}
			err := s.Tx(ctx, func(tx *Tx) error {
				it, err := tx.InsertItem(Item{ProjectID: pid, Text: h.in, Owner: h.in, Due: "", Status: "open", CreatedAt: now, UpdatedAt: now})
				if err != nil {
					return err
				}
				got, err := tx.ItemByRef(pid, it.Ref())
				if err != nil {
					return err
				}
				if got.Text != want || got.Owner != want {
					t.Errorf("round trip of %q: got %q and %q, want %q", h.in, got.Text, got.Owner, want)
				}
				return tx.Audit(AuditEntry{ProjectID: pid, At: now, Actor: h.in, Source: SourceCLI, Ref: it.Ref(), Action: h.in, NewValue: h.in})
			})
			if err != nil {
				t.Fatalf("store %q: %v", h.in, err)
			}
		}
		items, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil || len(items) != len(hostile) {
			t.Fatalf("items %d (%v), want %d", len(items), err, len(hostile))
		}
		ps, _ := s.Projects(ctx)
		if len(ps) != 1 || ps[0].Name != "P'; DROP TABLE projects; --" {
			t.Errorf("projects = %+v", ps)
		}
	})
}

func TestOutboxIdempotencyKey(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Now()
		enqueue := func() bool {
			var added bool
			err := s.Tx(ctx, func(tx *Tx) error {
				var err error
				added, err = tx.Enqueue(Mail{ProjectID: pid, IdemKey: "reminder:P:a@x:2026-11-30", Kind: "reminder", EnvelopeFrom: "m@x", MessageID: "1@x", Raw: []byte("x")}, []string{"a@x"}, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return added
		}
		if !enqueue() || enqueue() {
			t.Fatal("the same idempotency key was queued twice (or not at all)")
		}
		due, _ := s.DueMail(ctx, now.Add(time.Second), 10)
		if len(due) != 1 {
			t.Fatalf("due %d", len(due))
		}
		// A crash mid-send leaves the row "sending"; a restart queues it again.
		if ok, err := s.MarkSending(ctx, due[0].ID); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if ok, _ := s.MarkSending(ctx, due[0].ID); ok {
			t.Fatal("a mail being sent was claimed a second time")
		}
		if d, _ := s.DueMail(ctx, now.Add(time.Second), 10); len(d) != 0 {
			t.Fatal("a mail being sent is due again")
		}
		if n, err := s.RequeueInterrupted(ctx); err != nil || n != 1 {
			t.Fatalf("requeued %d (%v)", n, err)
		}
		if d, _ := s.DueMail(ctx, now.Add(time.Second), 10); len(d) != 1 || d[0].Attempts != 1 || d[0].Interrupted != 1 {
			t.Fatalf("after requeue: %+v", d)
		}
	})
}

func TestCheckpointOnlyMovesForward(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		set := func(uv, uid uint32) {
			if err := s.Tx(ctx, func(tx *Tx) error { return tx.SetCheckpoint("INBOX", uv, uid, time.Now()) }); err != nil {
				t.Fatal(err)
			}
		}
		set(5, 10)
		set(5, 7)
		if c, _ := s.Checkpoint(ctx, "INBOX"); c.LastUID != 10 {
			t.Errorf("checkpoint went back to %d", c.LastUID)
		}
		set(6, 3) // a new UIDVALIDITY starts over
		if c, _ := s.Checkpoint(ctx, "INBOX"); c.UIDValidity != 6 || c.LastUID != 3 {
			t.Errorf("after UIDVALIDITY change: %+v", c)
		}
	})
}

// A transaction whose context ends before it commits keeps nothing, though
// its statements run without the context's cancellation.
func TestTxCancelledBeforeCommitKeepsNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		cases := []struct {
			name string
			// after runs once the first write is done; it may cancel.
			after   func(cancel context.CancelFunc, tx *Tx) error
			wantErr bool
		}{
			{"not cancelled", func(context.CancelFunc, *Tx) error { return nil }, false},
			{"cancelled, then returns", func(cancel context.CancelFunc, _ *Tx) error { cancel(); return nil }, true},
			{"cancelled, then writes more", func(cancel context.CancelFunc, tx *Tx) error {
				cancel()
				_ = tx.SetCheckpoint("INBOX", 5, 20, time.Now()) // may fail or not: the commit must
				return nil
			}, true},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				box := fmt.Sprintf("box%d", i)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				err := s.Tx(ctx, func(tx *Tx) error {
					if err := tx.SetCheckpoint(box, 5, 10, time.Now()); err != nil {
						return err
					}
					return c.after(cancel, tx)
				})
				if (err != nil) != c.wantErr {
					t.Fatalf("Tx error %v, want an error: %v", err, c.wantErr)
				}
				cp, err := s.Checkpoint(context.Background(), box)
				if err != nil {
					t.Fatal(err)
				}
				if kept := cp.LastUID != 0; kept == c.wantErr {
					t.Errorf("checkpoint %+v after Tx error %v", cp, c.wantErr)
				}
			})
		}
	})
}

// umask sets the process umask for the test and restores it after. The
// tests that use it must not run in parallel: the umask is the process's.
func umask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("stat %s: %v", filepath.Base(path), err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

// write makes one change, so the -wal and -shm files exist.
func write(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.EnsureProject(context.Background(), "P", "p@x.example"); err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseFilesArePrivate: under the usual umask 022 the database, its
// WAL and shared-memory files and a backup are all 0600.
func TestDatabaseFilesArePrivate(t *testing.T) {
	umask(t, 0o022)
	s, p := open(t)
	write(t, s)
	for _, f := range []string{p, p + "-wal", p + "-shm"} {
		wantMode(t, f, 0o600)
	}

	b := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	wantMode(t, b, 0o600)
	restored, err := Open(context.Background(), b)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer restored.Close()
	if ps, err := restored.Projects(context.Background()); err != nil || len(ps) != 1 || ps[0].Name != "P" {
		t.Errorf("backup holds projects %+v (%v), want P", ps, err)
	}
}

// TestBackupRefusesAnExistingFile: a backup never overwrites, nor changes
// the mode of, a file that is there, and a failed backup leaves no file
// behind.
func TestBackupRefusesAnExistingFile(t *testing.T) {
	umask(t, 0o022)
	s, _ := open(t)
	dir := t.TempDir()
	there := filepath.Join(dir, "there.db")
	if err := os.WriteFile(there, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(context.Background(), there); !errors.Is(err, fs.ErrExist) {
		t.Errorf("backup over an existing file: %v, want an error wrapping fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(there); string(b) != "keep me" {
		t.Errorf("the existing file now holds %q", b)
	}
	wantMode(t, there, 0o644)

	missing := filepath.Join(dir, "no-such-dir", "b.db")
	if err := s.Backup(context.Background(), missing); err == nil {
		t.Errorf("backup into a missing directory succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed backup left %s: %v", missing, err)
	}
}

// TestOpenTightensAnExistingDatabase: a database made 0644 by an older
// mailflow, with -wal and -shm left by a running (or crashed) process, is
// 0600 after Open, and owner bits stay as they were.
func TestOpenTightensAnExistingDatabase(t *testing.T) {
	umask(t, 0o022)
	first, p := open(t)
	write(t, first) // keeps -wal and -shm while first is open
	for _, f := range []string{p, p + "-wal", p + "-shm"} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	for _, f := range []string{p, p + "-wal", p + "-shm"} {
		wantMode(t, f, 0o600)
	}
	// 0640 loses the group's bits; a read-only 0400 is left alone.
	for _, tc := range []struct{ from, want os.FileMode }{{0o640, 0o600}, {0o400, 0o400}, {0o604, 0o600}} {
		if err := os.Chmod(p, tc.from); err != nil {
			t.Fatal(err)
		}
		if err := makePrivate(p); err != nil {
			t.Fatal(err)
		}
		wantMode(t, p, tc.want)
	}
}

// A path with the characters a SQLite URI gives a meaning to opens that
// very file.
func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case #01?x=1%20")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mailflow.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked for: %v", err)
	}
}

// Item and risk numbers come from the project's counter row: writers one
// after another get the next number each, and a number is never given
// twice, also after the highest-numbered item is gone.
func TestRefNumbersComeFromTheCounter(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, err := s.EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for range 3 {
			if err := s.Tx(ctx, func(tx *Tx) error {
				it, err := tx.InsertItem(Item{ProjectID: pid, Text: "x", Status: "open", CreatedAt: time.Now(), UpdatedAt: time.Now()})
				nums = append(nums, it.Num)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.exec(ctx, `DELETE FROM action_items WHERE num = 3`); err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(tx *Tx) error {
			it, err := tx.InsertItem(Item{ProjectID: pid, Text: "y", Status: "open", CreatedAt: time.Now(), UpdatedAt: time.Now()})
			nums = append(nums, it.Num)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(nums) != "[1 2 3 4]" {
			t.Errorf("numbers %v, want [1 2 3 4]: A-3 is not given again", nums)
		}
	})
}

// Numbers taken after a transaction's first are counted in the
// transaction: a savepoint rolled back to gives back those taken since, a
// transaction that fails gives back all of its own, and the next
// transaction goes on from what was kept.
func TestRefNumbersWithinATransaction(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, err := s.EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		item := func(tx *Tx) error {
			it, err := tx.InsertItem(Item{ProjectID: pid, Text: "x", Status: "open", CreatedAt: time.Now(), UpdatedAt: time.Now()})
			got = append(got, it.Ref())
			return err
		}
		risk := func(tx *Tx) error {
			r, err := tx.InsertRisk(Risk{ProjectID: pid, Description: "y", Status: "open", CreatedAt: time.Now(), UpdatedAt: time.Now()})
			got = append(got, r.Ref())
			return err
		}
		run := func(steps ...func(*Tx) error) error {
			return s.Tx(ctx, func(tx *Tx) error {
				for _, step := range steps {
					if err := step(tx); err != nil {
						return err
					}
				}
				return nil
			})
		}
		savepoint := func(tx *Tx) error { return tx.Savepoint("message") }
		rollback := func(tx *Tx) error { return tx.RollbackTo("message") }
		release := func(tx *Tx) error { return tx.Release("message") }
		fail := func(*Tx) error { return errUndo }
		if err := run(item, item, savepoint, item, risk, rollback, savepoint, item, release); err != nil {
			t.Fatal(err)
		}
		if err := run(item, risk, item, fail); !errors.Is(err, errUndo) {
			t.Fatalf("failing transaction: %v", err)
		}
		if err := run(savepoint, item, risk, release); err != nil {
			t.Fatal(err)
		}
		want := "[A-1 A-2 A-3 R-1 A-3 A-4 R-1 A-5 A-4 R-1]"
		if fmt.Sprint(got) != want {
			t.Errorf("refs handed out %v, want %s", got, want)
		}
		items, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil {
			t.Fatal(err)
		}
		var kept []int
		for _, it := range items {
			kept = append(kept, it.Num)
		}
		if fmt.Sprint(kept) != "[1 2 3 4]" {
			t.Errorf("items kept %v, want [1 2 3 4]", kept)
		}
	})
}

// A message recorded twice under one Message-ID is refused by the unique
// key with ErrDuplicate, not by a look-up that another writer could race.
func TestInsertMessageTwiceIsADuplicate(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, err := s.EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			m := Message{ProjectID: pid, MessageID: "a@b", ContentHash: "h", Kind: "other", Outcome: OutcomeProcessed, ReceivedAt: time.Now(), ProcessedAt: time.Now()}
			if _, err := tx.InsertMessage(m); err != nil {
				return err
			}
			_, err = tx.InsertMessage(m)
			if !errors.Is(err, ErrDuplicate) {
				t.Errorf("second InsertMessage = %v, want ErrDuplicate", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Hosts that start together on a new PostgreSQL database migrate it once:
// each open waits for the schema lock, and finds the schema current.
func TestPostgresMigratesOnceWhenHostsStartTogether(t *testing.T) {
	target := postgresDB(t)
	const hosts = 4
	errs := make(chan error, hosts)
	for range hosts {
		go func() {
			s, err := Open(t.Context(), target)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range hosts {
		if err := <-errs; err != nil {
			t.Errorf("open: %v", err)
		}
	}
	s := openTarget(t, target)
	ms, err := readMigrations(postgresMigrationFiles, "migrations_postgres")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.get(t.Context(), &n, `SELECT COUNT(*) FROM schema_version`); err != nil || n != len(ms) {
		t.Errorf("schema_version has %d rows (%v), want %d: one per migration", n, err, len(ms))
	}
}

// Both databases reach the same schema version: a migration is written
// for each, under one number.
func TestSchemaVersionsAgree(t *testing.T) {
	versions := map[string]int{}
	eachDB(t, func(t *testing.T, s *Store) {
		v, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		versions[t.Name()] = v
	})
	sqlite := mustMigrations(t)
	for name, v := range versions {
		if want := sqlite[len(sqlite)-1].version; v != want {
			t.Errorf("%s: schema version %d, want %d (the newest SQLite migration)", name, v, want)
		}
	}
}

// Backup copies an SQLite file only: on PostgreSQL it says to use pg_dump
// and leaves no file behind.
func TestBackupOnPostgresSaysPgDump(t *testing.T) {
	s := openTarget(t, postgresDB(t))
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(t.Context(), path); !errors.Is(err, ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup on PostgreSQL = %v, want ErrBackupPostgres naming pg_dump", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Backup on PostgreSQL left %s (%v)", path, err)
	}
}

func TestIsPostgresAndRedact(t *testing.T) {
	tests := []struct {
		target   string
		postgres bool
		redacted string
	}{
		{"/var/lib/mailflow/mailflow.db", false, "/var/lib/mailflow/mailflow.db"},
		{"postgres.db", false, "postgres.db"},
		{"postgres://mailflow:s3cret@db.example.org/mailflow?sslmode=verify-full", true, "postgres://mailflow:xxxxx@db.example.org/mailflow?sslmode=verify-full"},
		{"postgresql://mailflow@db.example.org/mailflow", true, "postgresql://mailflow@db.example.org/mailflow"},
	}
	for _, tc := range tests {
		if got := IsPostgres(tc.target); got != tc.postgres {
			t.Errorf("IsPostgres(%q) = %v, want %v", tc.target, got, tc.postgres)
		}
		if got := Redact(tc.target); got != tc.redacted {
			t.Errorf("Redact(%q) = %q, want %q", tc.target, got, tc.redacted)
		}
	}
}

// A PostgreSQL server that crashes and comes back is found again: the
// pooled connections it cut are replaced, and what was committed before
// is there.
func TestPostgresServerRestart(t *testing.T) {
	srv := pgtest.Start(t)
	s := openTarget(t, srv.CreateDB(t, "restart"))
	ctx := t.Context()
	if _, err := s.EnsureProject(ctx, "EHR", "ehr@clinic.example"); err != nil {
		t.Fatal(err)
	}
	srv.Restart(t)
	// The first statement may meet a connection the crash cut (and fail,
	// if it was sent before the cut was seen); the next has a new one.
	var err error
	for range 2 {
		if _, err = s.EnsureProject(ctx, "Lab", "lab@clinic.example"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	ps, err := s.Projects(ctx)
	if err != nil || len(ps) != 2 {
		t.Errorf("projects after a restart: %+v (%v), want EHR and Lab", ps, err)
	}
}

// A refused login says so, naming the database but not the password.
func TestPostgresWrongPasswordIsNotPrinted(t *testing.T) {
	target := postgresDB(t)
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "wrong-s3cret")
	_, err = Open(t.Context(), u.String())
	if err == nil || strings.Contains(err.Error(), "wrong-s3cret") || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("Open with a wrong password = %v, want a login failure without the password", err)
	}
}
