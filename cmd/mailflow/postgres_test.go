package main

import (
	"database/sql"
	"errors"
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
		byMsg := sql.NullInt64{Int64: msg, Valid: true}
		items := []store.Item{
			{Text: `Confirm the "go-live" date, with pharmacy`, Owner: "alice.moreau@stmarys-clinic.example", OwnerName: "Alice", Due: "2026-12-09", Status: "open"},
			{Text: "=HYPERLINK(\"x\") ünïcode, and a\nsecond line", Owner: "Bob", Due: "", Status: "done", Progress: 100,
				ClosedAt: sql.NullTime{Time: at.Add(48 * time.Hour), Valid: true}},
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
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "db-password"), []byte(password+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "pw"), []byte("demo\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "key"), []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	cfg := `
[database]
url = "` + u.String() + `"
password_file = "db-password"
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
	os.WriteFile(cfgPath, []byte(cfg), 0o600)

	code, out, errOut := run(t, "items", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "A-1") || !strings.Contains(out, `Confirm the "go-live" date`) {
		t.Errorf("items --config with database.url: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "doctor", "--config", cfgPath)
	if !strings.Contains(out, "OK    database "+u.String()+"\n") || strings.Contains(out+errOut, password) {
		t.Errorf("doctor with database.url (exit %d) does not name the database, or prints its password:\n%s%s", code, out, errOut)
	}
}
