package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/internal/pgtest"
	"mailflow/store"
)

// TestMain stops the package's shared PostgreSQL when the tests end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// postgresDB makes an empty database on the package's PostgreSQL and
// returns its URL, password included.
func postgresDB(t *testing.T) string {
	t.Helper()
	return pgtest.Shared(t).CreateDB(t, "")
}

// seedExport writes the same project, items, risks and audit entries
// into a store, times fixed, text that CSV and JSON must quote.
func seedExport(t *testing.T, target string) {
	t.Helper()
	st, err := store.Open(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	pid, err := st.EnsureProject(ctx, "EHR Rollout", "ehr-project@stmarys-clinic.example")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)
	err = st.Tx(ctx, func(tx *store.Tx) error {
		msg, err := tx.InsertMessage(store.Message{ProjectID: pid, MessageID: "minutes-1@stmarys-clinic.example", ContentHash: "h",
			Kind: "minutes", Outcome: store.OutcomeProcessed, ReceivedAt: at, ProcessedAt: at})
		if err != nil {
			return err
		}
		byMsg := msg
		items := []store.Item{
			{Text: `Confirm the "go-live" date, with pharmacy`, Owner: "alice.moreau@stmarys-clinic.example", OwnerName: "Alice", Due: "2026-12-09", Status: "open"},
			{Text: "=HYPERLINK(\"x\") ünïcode, and a\nsecond line", Owner: "Bob", Due: "", Status: "done", Progress: 100,
				ClosedAt: at.Add(48 * time.Hour)},
		}
		for _, it := range items {
			it.ProjectID, it.CreatedByMessage, it.CreatedAt, it.UpdatedAt = pid, byMsg, at, at
			it, err := tx.InsertItem(it)
			if err != nil {
				return err
			}
			if err := tx.Audit(store.AuditEntry{ProjectID: pid, At: at, Actor: "priya.shah@stmarys-clinic.example", Source: store.SourceMessage,
				MessageID: byMsg, Ref: it.Ref(), Action: "created", NewValue: it.Text}); err != nil {
				return err
			}
		}
		if _, err := tx.InsertRisk(store.Risk{ProjectID: pid, Description: "Pharmacy interface vendor late; 3 weeks", Likelihood: "high",
			LikelihoodText: "very likely", Impact: "medium", Mitigation: "weekly call", Owner: "dan.weber@stmarys-clinic.example",
			Status: "open", Escalated: true, CreatedAt: at, UpdatedAt: at}); err != nil {
			return err
		}
		return tx.Audit(store.AuditEntry{ProjectID: pid, At: at.Add(time.Hour), Actor: "cli:root", Source: store.SourceCLI,
			Ref: "A-2", Action: "status", OldValue: "open", NewValue: "done"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportSameOnBothDatabases: the same data exports to the same bytes
// from an SQLite file and from PostgreSQL, each table in each format.
func TestExportSameOnBothDatabases(t *testing.T) {
	sqlite := filepath.Join(t.TempDir(), "mailflow.db")
	postgres := postgresDB(t)
	for _, target := range []string{sqlite, postgres} {
		seedExport(t, target)
	}
	for _, what := range []string{"items", "risks", "audit"} {
		for _, format := range []string{"csv", "json"} {
			var outs [2]string
			for i, target := range []string{sqlite, postgres} {
				code, out, errOut := run(t, "export", "--db", target, "--what", what, "--format", format)
				if code != 0 {
					t.Fatalf("export --what %s --format %s --db %s: exit %d: %s", what, format, store.Redact(target), code, errOut)
				}
				outs[i] = out
			}
			if outs[0] != outs[1] {
				t.Errorf("export --what %s --format %s differs:\nSQLite:\n%s\nPostgreSQL:\n%s", what, format, outs[0], outs[1])
			}
			if len(strings.Split(strings.TrimSpace(outs[0]), "\n")) < 2 {
				t.Errorf("export --what %s --format %s exported nothing:\n%s", what, format, outs[0])
			}
		}
	}
}

// TestBackupOnPostgres: mailflow backup refuses a PostgreSQL database,
// exits non-zero, names pg_dump, and writes no file.
func TestBackupOnPostgres(t *testing.T) {
	target := postgresDB(t)
	seedExport(t, target)
	file := filepath.Join(t.TempDir(), "backup.db")
	code, out, errOut := run(t, "backup", "--db", target, file)
	if code == 0 || !strings.Contains(errOut, "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d, %q %q; want a failure that names pg_dump", code, out, errOut)
	}
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup of PostgreSQL left %s (%v)", file, err)
	}
}

// TestConfigWithDatabaseURL: with [database] url and password_file, the
// commands open the PostgreSQL database the configuration names, and say
// which one without its password.
func TestConfigWithDatabaseURL(t *testing.T) {
	target := postgresDB(t)
	seedExport(t, target)
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	cfgPath := configFor(t, t.TempDir(), target)

	code, out, errOut := run(t, "items", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "A-1") || !strings.Contains(out, `Confirm the "go-live" date`) {
		t.Errorf("items --config with database.url: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "doctor", "--config", cfgPath)
	if !strings.Contains(out, "OK    database "+u.String()+"\n") || strings.Contains(out+errOut, password) {
		t.Errorf("doctor with database.url (exit %d) does not name the database, or prints its password:\n%s%s", code, out, errOut)
	}
}

// TestStatusShowsEveryHost: two hosts on one database each keep their run
// record, and status shows both, by host, on either database; with one
// host, status reads as it always did.
func TestStatusShowsEveryHost(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "mailflow.db")
			if db == "postgres" {
				target = postgresDB(t)
			}
			st, err := store.Open(t.Context(), target)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			cfgPath := configFor(t, dir, target)
			now := time.Now()
			active := store.Run{Host: "mail-a", Mode: store.ModeDaemon, PID: 101, StartedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Second),
				State: store.RunRunning, LastOK: now.Add(-time.Second)}
			if err := st.SaveRun(t.Context(), active); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := run(t, "status", "--config", cfgPath)
			if !strings.HasPrefix(out, "last run: the daemon (pid 101), running since ") || strings.Contains(out, "last run on") {
				t.Errorf("status with one host: want its run as \"last run: the daemon (pid 101), running since …\", no host named:\n%s%s", out, errOut)
			}
			other := store.Run{Host: "mail-b", Mode: store.ModeOnce, PID: 202, StartedAt: now, UpdatedAt: now, State: store.RunFailed,
				Step: "reading mailbox INBOX", Error: "dial tcp 127.0.0.1:1: connection refused"}
			if err := st.SaveRun(t.Context(), other); err != nil {
				t.Fatal(err)
			}
			_, out, errOut = run(t, "status", "--config", cfgPath)
			for _, want := range []string{"last run on mail-a: the daemon (pid 101), running since ", ": all well\n",
				"last run on mail-b: run --once (pid 202), ended ", ": FAILED at reading mailbox INBOX\n", "  error: dial tcp 127.0.0.1:1: connection refused\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("status with two hosts lacks %q:\n%s%s", want, out, errOut)
				}
			}
			if a, b := strings.Index(out, "mail-a:"), strings.Index(out, "mail-b:"); a > b {
				t.Errorf("status lists mail-b before mail-a, want them by name:\n%s", out)
			}
			_, out, _ = run(t, "status", "--config", cfgPath, "--json")
			var s statusJSON
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("status --json: %v\n%s", err, out)
			}
			if len(s.Runs) != 2 || s.Runs[0].Host != "mail-a" || s.Runs[0].PID != 101 || s.Runs[1].Host != "mail-b" || s.Runs[1].State != store.RunFailed {
				t.Errorf("status --json runs = %+v, want mail-a's and mail-b's", s.Runs)
			}
			if s.LastRun == nil || s.LastRun.PID != 202 {
				t.Errorf("status --json last_run = %+v, want the latest of any host (mail-b's)", s.LastRun)
			}
			// mail-a writes its record again, later: last_run stays on the
			// failing host, so a monitor reading it alone sees the failure.
			active.UpdatedAt = now.Add(time.Second)
			if err := st.SaveRun(t.Context(), active); err != nil {
				t.Fatal(err)
			}
			_, out, _ = run(t, "status", "--config", cfgPath, "--json")
			s = statusJSON{}
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatalf("status --json: %v\n%s", err, out)
			}
			if s.LastRun == nil || s.LastRun.State != store.RunFailed || s.LastRun.PID != 202 {
				t.Errorf("status --json last_run = %+v after mail-a wrote again, want mail-b's failed run", s.LastRun)
			}
		})
	}
}

// configFor writes a configuration in dir for the database target (an
// SQLite path or a PostgreSQL URL, its password moved to a file) and
// returns its path.
func configFor(t *testing.T, dir, target string) string {
	t.Helper()
	database := fmt.Sprintf("path = %q", target)
	if store.IsPostgres(target) {
		u, err := url.Parse(target)
		if err != nil {
			t.Fatal(err)
		}
		password, _ := u.User.Password()
		u.User = url.User(u.User.Username())
		os.WriteFile(filepath.Join(dir, "db-password"), []byte(password+"\n"), 0o600)
		database = fmt.Sprintf("url = %q\npassword_file = \"db-password\"", u.String())
	}
	os.WriteFile(filepath.Join(dir, "pw"), []byte("demo\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "key"), []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	cfg := `
[database]
` + database + `
[imap]
address = "127.0.0.1:1"
security = "insecure"
username = "ehr-project"
password_file = "pw"
[smtp]
address = "127.0.0.1:1"
security = "insecure"
from = "mailflow@stmarys-clinic.example"
[security]
reply_key_file = "key"
[[project]]
name = "EHR Rollout"
address = "ehr-project@stmarys-clinic.example"
[[project.member]]
name = "Alice Moreau"
email = "alice.moreau@stmarys-clinic.example"
`
	cfgPath := filepath.Join(dir, "mailflow.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}
