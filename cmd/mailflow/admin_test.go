package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/store"
)

// TestInit runs init as a script would, then checks what it wrote: a
// configuration that loads once the passwords are in their files, secret
// files 0600, a random reply key, the database directory, and that a
// second init refuses to overwrite.
func TestInit(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "etc", "mailflow")
	code, out, errOut := run(t, "init", "--project", "EHR Rollout", "--address", "EHR-Project@Clinic.example",
		"--smtp", "127.0.0.1:2525", "--timezone", "Europe/Berlin", dir)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Three things left to do", "mailflow doctor --config " + filepath.Join(dir, "mailflow.toml"),
		"the IMAP server imap.clinic.example:993", "printf '%s\\n' 'THE IMAP PASSWORD' > " + filepath.Join(dir, "imap-password")} {
		if !strings.Contains(out, want) {
			t.Errorf("init's output lacks %q:\n%s", want, out)
		}
	}
	for name, mode := range map[string]os.FileMode{"mailflow.toml": 0o644, "imap-password": 0o600, "smtp-password": 0o600, "reply-key": 0o600} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, want mode %04o", name, err, mode)
		}
	}
	dbDir := filepath.Join(root, "var", "lib", "mailflow")
	if fi, err := os.Stat(dbDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("database directory %s: %v, want it made 0700 (ROOT/etc/mailflow → ROOT/var/lib/mailflow)", dbDir, err)
	}

	cfgPath := filepath.Join(dir, "mailflow.toml")
	if _, err := config.Load(cfgPath); err == nil || !strings.Contains(err.Error(), "imap-password is empty") {
		t.Errorf("before the passwords: %v, want the empty password file named", err)
	}
	for _, name := range []string{"imap-password", "smtp-password"} {
		os.WriteFile(filepath.Join(dir, name), []byte("secret\n"), 0o600)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("with the passwords in place, the configuration does not load: %v", err)
	}
	p := cfg.Projects[0]
	if p.Name != "EHR Rollout" || p.Address != "ehr-project@clinic.example" || p.Timezone != "Europe/Berlin" || len(p.Members) != 0 {
		t.Errorf("project %q <%s> %s with %d members", p.Name, p.Address, p.Timezone, len(p.Members))
	}
	if cfg.IMAP.Address != "imap.clinic.example:993" || cfg.IMAP.Security != "tls" || cfg.IMAP.Username != "ehr-project@clinic.example" ||
		cfg.SMTP.Address != "127.0.0.1:2525" || cfg.SMTP.Security != "insecure" || cfg.SMTP.From != "ehr-project@clinic.example" || cfg.SMTP.FromName != "EHR Rollout" {
		t.Errorf("servers: imap %s %s %s, smtp %s %s from %q <%s>", cfg.IMAP.Address, cfg.IMAP.Security, cfg.IMAP.Username,
			cfg.SMTP.Address, cfg.SMTP.Security, cfg.SMTP.FromName, cfg.SMTP.From)
	}
	if cfg.Database.Path != filepath.Join(dbDir, "mailflow.db") || len(cfg.Security.ReplyKey) < 32 {
		t.Errorf("database %s, reply key of %d bytes", cfg.Database.Path, len(cfg.Security.ReplyKey))
	}
	key := string(cfg.Security.ReplyKey)

	code, _, errOut = run(t, "init", "--project", "Other", "--address", "other@clinic.example", dir)
	if code != 1 || !strings.Contains(errOut, "exists") || !strings.Contains(errOut, "fix: mailflow doctor --config") {
		t.Errorf("a second init: exit %d, %q; want a refusal with the fix", code, errOut)
	}
	if again, _ := config.Load(cfgPath); again == nil || string(again.Security.ReplyKey) != key || again.Projects[0].Name != "EHR Rollout" {
		t.Error("the second init changed the configuration or the key")
	}

	if code, _, errOut := run(t, "init", filepath.Join(root, "x")); code != 2 || !strings.Contains(errOut, "--project and --address") {
		t.Errorf("init without answers and no terminal: exit %d, %q", code, errOut)
	}
}

func TestInitInference(t *testing.T) {
	for _, tc := range []struct{ addr, implicit, want string }{
		{"imap.example.org:993", "993", "tls"}, {"imap.example.org:143", "993", "starttls"}, {"127.0.0.1:143", "993", "insecure"},
		{"localhost:25", "465", "insecure"}, {"smtp.example.org:465", "465", "tls"}, {"smtp.example.org:587", "465", "starttls"}, {"[::1]:2525", "465", "insecure"},
	} {
		if got := securityFor(tc.addr, tc.implicit); got != tc.want {
			t.Errorf("securityFor(%q) = %s, want %s", tc.addr, got, tc.want)
		}
	}
	for _, tc := range []struct{ dir, want string }{
		{"/etc/mailflow", "/var/lib/mailflow/mailflow.db"},
		{"/tmp/root/etc/mailflow", "/tmp/root/var/lib/mailflow/mailflow.db"},
		{"/srv/myetc/mailflow", "/srv/myetc/mailflow/mailflow.db"},
		{"/home/ann/mailflow", "/home/ann/mailflow/mailflow.db"},
	} {
		if got := defaultDatabase(tc.dir); got != tc.want {
			t.Errorf("defaultDatabase(%q) = %s, want %s", tc.dir, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{{"mail.example.org", "mail.example.org:993"}, {"mail.example.org:143", "mail.example.org:143"}, {"::1", ""}} {
		got, err := hostPort(tc.in, "993")
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("hostPort(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestInitAsks: on a terminal init asks only for what it cannot infer and
// offers its guess for the rest.
func TestInitAsks(t *testing.T) {
	var a initAnswers
	var prompts bytes.Buffer
	in := strings.NewReader("EHR Rollout\nehr@clinic.example\n\nmail.clinic.example:25\n")
	if err := a.ask(bufioReader(in), &prompts); err != nil {
		t.Fatal(err)
	}
	want := initAnswers{project: "EHR Rollout", address: "ehr@clinic.example", imap: "imap.clinic.example:993", smtp: "mail.clinic.example:25"}
	if a != want {
		t.Errorf("answers %+v, want %+v", a, want)
	}
	if !strings.Contains(prompts.String(), "[imap.clinic.example:993]") {
		t.Errorf("the IMAP prompt does not offer the guess:\n%s", prompts.String())
	}
	given := initAnswers{project: "P", address: "p@x.example", imap: "i:1", smtp: "s:2"}
	prompts.Reset()
	if err := given.ask(bufioReader(strings.NewReader("")), &prompts); err != nil || prompts.Len() != 0 {
		t.Errorf("with every answer given: asked %q (%v)", prompts.String(), err)
	}
}

// TestDemoCommandsWork runs every command the demo suggests on its data,
// with the configuration it leaves; each works, and doctor says plainly
// that the demo's servers are gone.
func TestDemoCommandsWork(t *testing.T) {
	dir := t.TempDir()
	var narration bytes.Buffer
	if _, err := demo.Run(t.Context(), dir, &narration); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, demo.ConfigFile)
	for _, c := range demo.TryCommands(cfgPath) {
		if !strings.Contains(narration.String(), "go run ./cmd/mailflow "+c) {
			t.Errorf("the narration does not print %q", c)
		}
		line, _, _ := strings.Cut(c, "#")
		args := strings.Fields(line)
		code, out, errOut := run(t, args...)
		if args[0] == "doctor" {
			if code != 1 || !strings.Contains(out, "nothing answers at 127.0.0.1:1") || !strings.Contains(out, "OK    database") {
				t.Errorf("doctor on the demo: exit %d\n%s%s", code, out, errOut)
			}
			continue
		}
		if code != 0 || out == "" {
			t.Errorf("%s: exit %d\n%s%s", line, code, out, errOut)
		}
	}
	_, out, _ := run(t, "export", "--config", cfgPath, "--what", "items", "--format", "json")
	var items []map[string]string
	if err := json.Unmarshal([]byte(out), &items); err != nil || len(items) != 4 || items[0]["owner_name"] != "Alice Moreau" {
		t.Errorf("export with the roster: %v, %v; want owner_name \"Alice Moreau\"", err, items)
	}
	_, out, _ = run(t, "history", "A-1", "--config", cfgPath)
	if !regexp.MustCompile(`2026-11-24 17:\d\d EST`).MatchString(out) {
		t.Errorf("history with the project's zone: want times in EST with the zone shown:\n%s", out)
	}
	_, out, _ = run(t, "outbox", "--config", cfgPath)
	if !strings.Contains(out, "2026-11-30 08:30 EST") {
		t.Errorf("outbox: want times in the project's zone, shown:\n%s", out)
	}
	_, out, _ = run(t, "history", "A-1", "--db", filepath.Join(dir, demo.DatabaseFile), "--json")
	var changes []struct {
		At, Actor, Action string
		MessageID         string `json:"message_id"`
	}
	if err := json.Unmarshal([]byte(out), &changes); err != nil || len(changes) < 2 || changes[1].Action != "closed" || changes[1].MessageID == "" {
		t.Errorf("history --json: %v %+v", err, changes)
	}
	_, out, _ = run(t, "status", "--config", cfgPath, "--json")
	var st statusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.LastRun == nil || st.LastRun.State != "ok" || len(st.Mailboxes) != 1 || st.Mailboxes[0].Handled != 5 {
		t.Errorf("status --json: %v\n%s", err, out)
	}
}

// TestStatusAfterAFailedRun: a run --once that cannot reach its mailbox is
// what status shows: when, what it was doing, the error and what to run.
func TestStatusAfterAFailedRun(t *testing.T) {
	cfgPath, _ := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	code, _, errOut := run(t, "run", "--once", "--config", cfgPath)
	if code != 1 || !strings.Contains(errOut, "fix: mailflow doctor --config "+cfgPath) {
		t.Fatalf("run --once against nothing: exit %d, %q; want a failure pointing at doctor", code, errOut)
	}
	_, out, _ := run(t, "status", "--config", cfgPath)
	// The demo's own cycles, which made the database, went well.
	for _, want := range []string{"last run: run --once", "FAILED at reading mailbox INBOX", "error: mailbox INBOX:", "127.0.0.1:1",
		"last success: 20", "fix: mailflow doctor --config " + cfgPath} {
		if !strings.Contains(out, want) {
			t.Errorf("status after a failed run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "has not run") {
		t.Errorf("status says mailflow has not run:\n%s", out)
	}
}

// TestRunCreatesTheDatabaseDirectory: the database's directory missing is
// not an error: run makes it.
func TestRunCreatesTheDatabaseDirectory(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	b, _ := os.ReadFile(cfgPath)
	newDB := filepath.Join(t.TempDir(), "data", "mailflow.db")
	os.WriteFile(cfgPath, bytes.Replace(b, []byte(dbPath), []byte(newDB), 1), 0o600)
	_, _, errOut := run(t, "run", "--once", "--config", cfgPath)
	if strings.Contains(errOut, "no such file") || strings.Contains(errOut, "lock ") {
		t.Errorf("run with the database directory missing: %s", errOut)
	}
	if fi, err := os.Stat(filepath.Dir(newDB)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("database directory: %v, want it created 0700", err)
	}
}

// TestDoctorNamesEachProblemOnce: a configuration that does not load is
// named once, each problem with its key and fix, and no hint that the
// reader compare it with the example.
func TestDoctorNamesEachProblemOnce(t *testing.T) {
	cfgPath, _ := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	os.Remove(filepath.Join(filepath.Dir(cfgPath), "pw"))
	b, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(b, []byte("timezone ="), []byte("time_zone ="), 1), 0o600)
	code, out, _ := run(t, "doctor", "--config", cfgPath)
	if code != 1 || strings.Count(out, cfgPath) != 1 || strings.Contains(out, "mailflow.example.toml") {
		t.Errorf("doctor: exit %d, the file named %d times (want once), or a pointer to the example:\n%s", code, strings.Count(out, cfgPath), out)
	}
	if !strings.Contains(out, "project.time_zone: unknown key: did you mean project.timezone?") {
		t.Errorf("doctor does not suggest the key:\n%s", out)
	}
	code, out, _ = run(t, "doctor", "--config", cfgPath, "--json")
	var checks []checkResult
	if err := json.Unmarshal([]byte(out), &checks); err != nil || code != 1 || len(checks) != 1 || checks[0].Status != "FAIL" ||
		len(checks[0].Problems) != 1 || checks[0].Problems[0].Key != "project.time_zone" {
		t.Errorf("doctor --json: exit %d, %v\n%s", code, err, out)
	}
	os.WriteFile(cfgPath, b, 0o600)
	code, out, _ = run(t, "doctor", "--config", cfgPath)
	want := "imap.password_file: " + filepath.Join(filepath.Dir(cfgPath), "pw") + " does not exist\n      fix: (umask 077 && printf"
	if code != 1 || !strings.Contains(out, want) {
		t.Errorf("doctor with the password file missing: exit %d, want %q in\n%s", code, want, out)
	}
}

// TestEveryCommandsHelp: -h of every command prints its usage line with
// its positional arguments explained.
func TestEveryCommandsHelp(t *testing.T) {
	positional := map[string]string{"history": "REF", "preview": "KIND", "parse": "FILE.eml", "backup": "FILE", "templates": "check [DIR]", "init": "DIR"}
	for name, c := range commands {
		code, _, errOut := run(t, name, "-h")
		if code != 0 || !strings.HasPrefix(errOut, "usage: mailflow "+name+" "+c.usage) || !strings.Contains(errOut, c.help) {
			t.Errorf("%s -h: exit %d\n%s", name, code, errOut)
		}
		if arg, ok := positional[name]; ok && !strings.Contains(errOut, "arguments:\n  "+arg) {
			t.Errorf("%s -h does not explain %s:\n%s", name, arg, errOut)
		}
	}
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "init") || !strings.Contains(out, "version") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, _ := run(t, args...)
		if code != 0 || !strings.HasPrefix(out, "mailflow ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
	v := buildVersion{Module: "v1.2.0", Revision: "5f1a3ce1e2d3a4b5c6d7e8f9", Time: "2026-12-01T10:00:00Z", Modified: true, Go: "go1.26.8"}
	if got, want := v.String(), "mailflow v1.2.0 rev 5f1a3ce1e2d3 2026-12-01T10:00:00Z (modified), go1.26.8"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	code, out, _ := run(t, "templates", "list", "--json")
	var files []string
	if code != 0 || json.Unmarshal([]byte(out), &files) != nil || len(files) == 0 {
		t.Errorf("templates list --json: exit %d %q", code, out)
	}
}

func bufioReader(r *strings.Reader) *bufio.Reader { return bufio.NewReader(r) }

// TestCommandsTable: the README's Commands table lists every command.
func TestCommandsTable(t *testing.T) {
	table := readmeSection(t, "## Commands")
	for name := range commands {
		if !strings.Contains(table, "| `mailflow "+name) && !strings.Contains(table, ", `mailflow "+name) {
			t.Errorf("the README's Commands table lacks mailflow %s", name)
		}
	}
}

// TestPrintLastRun: each state of the last run reads as what happened.
func TestPrintLastRun(t *testing.T) {
	when := func(s string) string { return "<" + s + ">" }
	tests := []struct {
		name string
		run  *runJSON
		want []string
		not  []string
	}{
		{"never", nil, []string{"last run: none yet (mailflow run --once --config C runs one cycle)"}, nil},
		{"once ok", &runJSON{Mode: "once", PID: 7, State: "ok", Updated: "u"}, []string{"last run: run --once (pid 7), ended <u>: ok"}, []string{"error", "fix"}},
		{"once failed", &runJSON{Mode: "once", PID: 7, State: "failed", Updated: "u", Step: "sending mail", Error: "send: 421\nsecond line"},
			[]string{"ended <u>: FAILED at sending mail", "  error: send: 421\n         second line", "last success: never", "fix: mailflow doctor --config C"}, nil},
		{"daemon well", &runJSON{Mode: "daemon", PID: 8, State: "running", Started: "s", Updated: "u", LastOK: "u"},
			[]string{"the daemon (pid 8), running since <s>, last heard from <u>: all well"}, []string{"error"}},
		{"daemon failing", &runJSON{Mode: "daemon", PID: 8, State: "running", Started: "s", Updated: "u", Step: "reading mailbox INBOX", Error: "login failed", LastOK: "k"},
			[]string{": failing at reading mailbox INBOX", "error: login failed", "last success: <k>"}, nil},
		{"daemon gone", &runJSON{Mode: "daemon", PID: 8, State: "silent", Started: "s", Updated: "u"},
			[]string{"silent since <u>: it stopped without saying", "journalctl -u mailflow"}, nil},
		{"daemon stopped", &runJSON{Mode: "daemon", PID: 8, State: "stopped", Started: "s", Updated: "u"},
			[]string{"started <s>, stopped <u> when asked to"}, []string{"error"}},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		printLastRun(&b, tc.run, "C", when)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: printLastRun lacks %q:\n%s", tc.name, w, b.String())
			}
		}
		for _, n := range tc.not {
			if strings.Contains(b.String(), n) {
				t.Errorf("%s: printLastRun says %q:\n%s", tc.name, n, b.String())
			}
		}
	}
}

// TestStatusSilentDaemon: a daemon whose run record stopped being
// refreshed is reported gone, not running.
func TestStatusSilentDaemon(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	st, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		updated time.Time
		want    string
	}{{time.Now(), "running"}, {long, "silent"}} {
		if err := st.SaveRun(context.Background(), store.Run{Host: daemon.HostName(), Mode: store.ModeDaemon, PID: 1, StartedAt: long, UpdatedAt: tc.updated, State: store.RunRunning}); err != nil {
			t.Fatal(err)
		}
		_, out, _ := run(t, "status", "--config", cfgPath, "--json")
		var s statusJSON
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.LastRun == nil || s.LastRun.State != tc.want {
			t.Errorf("daemon last heard from at %s: %v, state %+v, want %s", tc.updated.Format(time.TimeOnly), err, s.LastRun, tc.want)
		}
	}
	st.Close()
}

// readmeSection returns the README's section under heading, up to the
// next heading of the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README has no section %q", heading)
	}
	section, _, _ := strings.Cut(rest, "\n## ")
	return section
}
