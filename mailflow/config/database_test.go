package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examplePath is the example's [database] line.
const examplePath = `path = "/var/lib/mailflow/mailflow.db"`

// withDatabase returns the example with its [database] path line replaced
// by lines, and the directory of its secret files.
func withDatabase(t *testing.T, lines string) (string, string) {
	t.Helper()
	text, dir := example(t)
	if !strings.Contains(text, examplePath) {
		t.Fatalf("example lacks %q", examplePath)
	}
	return strings.Replace(text, examplePath, strings.ReplaceAll(lines, "DIR", dir), 1), dir
}

// writeSecret writes a secret file with mode.
func writeSecret(t *testing.T, path, secret string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(secret+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	chmod(t, path, mode)
}

// TestDatabaseURL: a PostgreSQL URL takes the place of path; its password
// comes from password_file, the systemd credential database-password or
// the environment, and goes into Target only: Name, which messages print,
// never holds it.
func TestDatabaseURL(t *testing.T) {
	const url = `postgres://mailflow@db.example.org:5432/mailflow?sslmode=verify-full&sslrootcert=system`
	tests := []struct {
		name         string
		lines        string
		credential   string // the database-password credential's content, if any
		env          string // MAILFLOW_DATABASE_PASSWORD
		wantPassword string
	}{
		{"password file", `url = "` + url + `"` + "\npassword_file = \"DIR/db-password\"", "", "", "file-s3cret"},
		{"credential before file", `url = "` + url + `"` + "\npassword_file = \"DIR/db-password\"", "cred-s3cret", "", "cred-s3cret"},
		{"environment", `url = "` + url + `"`, "", "env-s3cret", "env-s3cret"},
		{"none: pgx's PGPASSWORD or ~/.pgpass", `url = "` + url + `"`, "", "", ""},
		{"loopback without TLS", `url = "postgres://mailflow@127.0.0.1:5432/mailflow?sslmode=disable"`, "", "", ""},
		{"unix socket", `url = "postgres://mailflow@/mailflow?host=/var/run/postgresql"`, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, dir := withDatabase(t, tc.lines)
			writeSecret(t, filepath.Join(dir, "db-password"), "file-s3cret", 0o600)
			env := map[string]string{EnvDatabasePassword: tc.env}
			if tc.credential != "" {
				creds := t.TempDir()
				writeSecret(t, filepath.Join(creds, "database-password"), tc.credential, 0o400)
				env["CREDENTIALS_DIRECTORY"] = creds
			}
			c, err := finish(t, text, env)
			if err != nil {
				t.Fatal(err)
			}
			d := c.Database
			if !d.Postgres() || d.Path != "" || d.Password != tc.wantPassword {
				t.Errorf("Database = %+v, want PostgreSQL with password %q", d, tc.wantPassword)
			}
			if tc.wantPassword != "" && !strings.Contains(d.Target(), ":"+tc.wantPassword+"@") {
				t.Errorf("Target() = %q, want the password in it", d.Target())
			}
			if strings.Contains(d.Name(), "s3cret") {
				t.Errorf("Name() = %q holds the password", d.Name())
			}
		})
	}
}

// TestDatabasePath: the SQLite file stays the default, taken from the
// configuration's directory when relative.
func TestDatabasePath(t *testing.T) {
	text, _ := withDatabase(t, `path = "state/mailflow.db"`)
	c, err := load(t, text)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Database
	if d.Postgres() || !filepath.IsAbs(d.Path) || filepath.Base(d.Path) != "mailflow.db" || d.Target() != d.Path || d.Name() != d.Path {
		t.Errorf("Database = %+v (target %q), want the SQLite file state/mailflow.db beside the config", d, d.Target())
	}
}

// TestBadDatabaseNamesTheKey: each mistake in [database] stops the start
// with the key it is in, and never prints a password.
func TestBadDatabaseNamesTheKey(t *testing.T) {
	tests := []struct {
		name, lines, wantKey, wantText string
	}{
		{"neither", ``, "database.path", "or set database.url"},
		{"both", examplePath + "\nurl = \"postgres://mailflow@127.0.0.1/mailflow\"", "database.url", "exclude each other"},
		{"not PostgreSQL", `url = "mysql://mailflow@db.example.org/mailflow"`, "database.url", "not a PostgreSQL URL"},
		{"password in the URL", `url = "postgres://mailflow:hunter2@127.0.0.1/mailflow"`, "database.url", "holds a password"},
		{"no role", `url = "postgres://127.0.0.1/mailflow"`, "database.url", "names no role"},
		{"no database", `url = "postgres://mailflow@127.0.0.1"`, "database.url", "names no database"},
		{"remote without sslmode", `url = "postgres://mailflow@db.example.org/mailflow"`, "database.url", "verify-full"},
		{"remote, TLS unchecked", `url = "postgres://mailflow@db.example.org/mailflow?sslmode=require"`, "database.url", `sslmode="require"`},
		{"remote among hosts", `url = "postgres://mailflow@127.0.0.1,db.example.org/mailflow?sslmode=prefer"`, "database.url", "db.example.org"},
		{"missing CA file, taken from the config's directory", `url = "postgres://mailflow@db.example.org/mailflow?sslmode=verify-full&sslrootcert=ca.pem"`, "database.url", "ca.pem: no such file"},
		{"password file without url", examplePath + "\npassword_file = \"DIR/db-password\"", "database.password_file", "only used with database.url"},
		{"missing password file", "url = \"postgres://mailflow@127.0.0.1/mailflow\"\npassword_file = \"DIR/nope\"", "database.password_file", "does not exist"},
		{"readable password file", "url = \"postgres://mailflow@127.0.0.1/mailflow\"\npassword_file = \"DIR/db-password-644\"", "database.password_file", "chmod 600"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, dir := withDatabase(t, tc.lines)
			writeSecret(t, filepath.Join(dir, "db-password"), "hunter2", 0o600)
			writeSecret(t, filepath.Join(dir, "db-password-644"), "hunter2", 0o644)
			_, err := load(t, text)
			if err == nil {
				t.Fatalf("[database] %q loaded without error", tc.lines)
			}
			if !strings.Contains(err.Error(), tc.wantKey+":") || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q, want %s: …%s…", err, tc.wantKey, tc.wantText)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q prints the password", err)
			}
		})
	}
}

// TestDatabaseCAFileBesideConfig: a relative sslrootcert is the file in
// the configuration's directory, as every other file the configuration
// names.
func TestDatabaseCAFileBesideConfig(t *testing.T) {
	text, _ := withDatabase(t, `url = "postgres://mailflow@db.example.org/mailflow?sslmode=verify-full&sslrootcert=ca.pem"`)
	dir := t.TempDir()
	p := filepath.Join(dir, "mailflow.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if want := "open " + filepath.Join(dir, "ca.pem") + ": no such file"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load = %v, want an error with %q", err, want)
	}
}
