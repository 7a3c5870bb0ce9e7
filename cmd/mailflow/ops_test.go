package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/mailflow/oauth/oauthtest"
	"mailflow/store"
)

// demoSetup runs the demo into a temp dir and writes a config file for its
// database and the given servers' addresses.
// startServers starts the in-process IMAP server (with the demo's
// account) and SMTP server for a test; they stop when it ends.
func startServers(t *testing.T) (*inproc.IMAP, *inproc.SMTP) {
	t.Helper()
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { imapSrv.Close() })
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	return imapSrv, smtpSrv
}

func demoSetup(t *testing.T, imapAddr, smtpAddr string) (cfgPath, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Run(t.Context(), dir, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	dbPath = filepath.Join(dir, "mailflow.db")
	os.WriteFile(filepath.Join(dir, "pw"), []byte("demo\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "key"), []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	cfg := fmt.Sprintf(`
[database]
path = %q
[imap]
address = %q
security = "insecure"
username = "ehr-project"
password_file = "pw"
[smtp]
address = %q
security = "insecure"
from = "mailflow@stmarys-clinic.example"
[security]
reply_key_file = "key"
[[project]]
name = "EHR Rollout"
address = "ehr-project@stmarys-clinic.example"
timezone = "America/New_York"
leadership = ["cmo@stmarys-clinic.example"]
[[project.member]]
name = "Priya Shah"
email = "priya.shah@stmarys-clinic.example"
role = "chair"
[[project.member]]
name = "Alice Moreau"
email = "alice.moreau@stmarys-clinic.example"
[[project.member]]
name = "Bob Okafor"
email = "bob.okafor@stmarys-clinic.example"
[[project.member]]
name = "Carol Nguyen"
email = "carol.nguyen@stmarys-clinic.example"
[[project.member]]
name = "Dan Weber"
email = "dan.weber@stmarys-clinic.example"
`, dbPath, imapAddr, smtpAddr)
	cfgPath = filepath.Join(dir, "mailflow.toml")
	os.WriteFile(cfgPath, []byte(cfg), 0o600)
	return cfgPath, dbPath
}

func TestPreviewEveryKind(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	for _, kind := range []string{"minutes", "reminder", "status", "ack", "error"} {
		code, out, errOut := run(t, "preview", kind, "--db", dbPath)
		if code != 0 || !strings.HasPrefix(out, "Subject: ") {
			t.Errorf("preview %s --db: exit %d, %q %s", kind, code, out, errOut)
		}
		code, out, errOut = run(t, "preview", kind, "--config", cfgPath, "--html")
		if code != 0 || !strings.Contains(out, "<html") {
			t.Errorf("preview %s --html: exit %d %s", kind, code, errOut)
		}
	}
	_, out, _ := run(t, "preview", "minutes", "--db", dbPath)
	if !strings.Contains(out, "A-1") || !strings.Contains(out, "Pharmacy interface vendor late") {
		t.Errorf("minutes preview lacks real data:\n%s", out)
	}
	if code, _, _ := run(t, "preview", "nonsense", "--db", dbPath); code == 0 {
		t.Error("unknown kind accepted")
	}
}

func TestReportAndRemindNow(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	code, out, errOut := run(t, "report", "--now", "--config", cfgPath)
	if code != 0 || !strings.HasPrefix(out, "1 mail(s) queued") {
		t.Fatalf("report --now: exit %d %q %s", code, out, errOut)
	}
	code, out, errOut = run(t, "remind", "--now", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "queued") {
		t.Fatalf("remind --now: exit %d %q %s", code, out, errOut)
	}
	st, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	queued, _ := st.OutboxList(context.Background(), store.MailQueued, 100)
	kinds := map[string]int{}
	for _, m := range queued {
		kinds[m.Kind]++
	}
	if kinds["status"] != 1 || kinds["reminder"] == 0 {
		t.Errorf("queued %v, want a status report and reminders", kinds)
	}
	if code, _, _ := run(t, "report", "--config", cfgPath); code != 2 {
		t.Errorf("report without --now: exit %d, want 2", code)
	}
}

func TestOutboxRetryAndFailedList(t *testing.T) {
	_, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	st, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := st.OutboxList(context.Background(), store.MailSent, 1)
	st.MarkFailed(context.Background(), sent[0].ID, "550 5.1.1 no such user")
	st.Close()
	code, out, _ := run(t, "outbox", "--db", dbPath, "--failed")
	if code != 0 || !strings.Contains(out, "550 5.1.1 no such user") || !strings.Contains(out, "failed 1") {
		t.Fatalf("outbox --failed: %d\n%s", code, out)
	}
	code, out, _ = run(t, "outbox", "--db", dbPath, "--retry", fmt.Sprint(sent[0].ID))
	if code != 0 || !strings.Contains(out, "queued again") {
		t.Fatalf("outbox --retry: %d %s", code, out)
	}
	_, out, _ = run(t, "outbox", "--db", dbPath, "--json")
	var rows []struct {
		ID     int64
		Status string
	}
	json.Unmarshal([]byte(out), &rows)
	for _, r := range rows {
		if r.ID == sent[0].ID && r.Status != "queued" {
			t.Errorf("retried mail is %s", r.Status)
		}
	}
}

func TestBackupRestoreExportHistory(t *testing.T) {
	_, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, errOut := run(t, "backup", "--db", dbPath, backup); code != 0 {
		t.Fatalf("backup: %s", errOut)
	}
	if code, _, _ := run(t, "backup", "--db", dbPath, backup); code == 0 {
		t.Error("backup overwrote an existing file")
	}
	// Restore = put the backup in place of the database (daemon stopped).
	restored := filepath.Join(t.TempDir(), "restored.db")
	b, _ := os.ReadFile(backup)
	os.WriteFile(restored, b, 0o600)
	_, want, _ := run(t, "export", "--db", dbPath, "--what", "items", "--format", "json")
	_, got, _ := run(t, "export", "--db", restored, "--what", "items", "--format", "json")
	if got != want || !strings.Contains(got, "A-4") {
		t.Errorf("restored export differs:\n%s\nvs\n%s", got, want)
	}
	code, out, _ := run(t, "export", "--db", dbPath, "--what", "risks")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || recs[0][1] != "ref" || recs[1][1] != "R-1" {
		t.Errorf("risks CSV: %v %v", err, recs)
	}
	code, out, _ = run(t, "export", "--db", dbPath, "--what", "audit", "--format", "csv")
	if code != 0 || !strings.Contains(out, "alice.moreau@stmarys-clinic.example") {
		t.Errorf("audit CSV:\n%s", out)
	}
	code, out, _ = run(t, "history", "A-1", "--db", dbPath)
	if code != 0 || !strings.Contains(out, "closed") || !strings.Contains(out, "alice.moreau@stmarys-clinic.example") || !strings.Contains(out, "message <") {
		t.Errorf("history A-1: who closed it, when, from which message:\n%s", out)
	}
}

func TestReprocessFailedMessage(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	st, err := store.Open(t.Context(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	// A message that failed "because of a bug": valid minutes from the
	// chair recorded as failed, with its bytes kept.
	raw := "From: Priya Shah <priya.shah@stmarys-clinic.example>\r\nSubject: Minutes: budget review 2026-11-26\r\nMessage-ID: <bug-1@stmarys-clinic.example>\r\nDate: Thu, 26 Nov 2026 10:00:00 -0500\r\n\r\nACTION: Priya to send the budget by 2026-12-15\r\n"
	err = st.Tx(t.Context(), func(tx *store.Tx) error {
		_, err := tx.InsertMessage(store.Message{ProjectID: 1, MessageID: "bug-1@stmarys-clinic.example", ContentHash: "x", Kind: "other",
			Outcome: store.OutcomeFailed, Error: "internal error (please report)", Raw: []byte(raw)})
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Run again, the minutes are read; nothing vouches for their From (no
	// reply address, no trusted DKIM result), so they are held for Priya's
	// confirmation, and status lists them.
	code, out, errOut := run(t, "reprocess", "--config", cfgPath, "--message-id", "<bug-1@stmarys-clinic.example>")
	if code != 0 || !strings.Contains(out, "minutes held") {
		t.Fatalf("reprocess: exit %d %q %s", code, out, errOut)
	}
	_, out, _ = run(t, "items", "--db", dbPath)
	if strings.Contains(out, "send the budget") {
		t.Errorf("held minutes created an item:\n%s", out)
	}
	_, out, _ = run(t, "status", "--config", cfgPath)
	if !strings.Contains(out, "held minutes") || !strings.Contains(out, "Minutes: budget review 2026-11-26") || !strings.Contains(out, "expires") {
		t.Errorf("status does not list the held minutes:\n%s", out)
	}
	if code, _, _ := run(t, "reprocess", "--config", cfgPath, "--message-id", "bug-1@stmarys-clinic.example"); code == 0 {
		t.Error("re-running a processed message was allowed")
	}
}

func TestSecondInstanceRefused(t *testing.T) {
	cfgPath, dbPath := demoSetup(t, "127.0.0.1:1", "127.0.0.1:1")
	unlock, err := daemon.Lock(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "run", "--config", cfgPath, "--once")
	unlock()
	if code != 1 || !strings.Contains(errOut, "another mailflow is running") || !strings.Contains(errOut, fmt.Sprint(os.Getpid())) {
		t.Errorf("second instance: exit %d, %q", code, errOut)
	}
}

func TestDoctorAndStatus(t *testing.T) {
	imapSrv, smtpSrv := startServers(t)
	cfgPath, _ := demoSetup(t, imapSrv.Addr, smtpSrv.Addr)
	code, out, errOut := run(t, "doctor", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "all checks passed") || strings.Contains(out, "FAIL") {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errOut)
	}
	// A wrong password is named as such.
	os.WriteFile(filepath.Join(filepath.Dir(cfgPath), "pw"), []byte("wrong\n"), 0o600)
	code, out, _ = run(t, "doctor", "--config", cfgPath)
	if code != 1 || !strings.Contains(out, "FAIL  IMAP login") || !strings.Contains(out, "OK    SMTP") {
		t.Errorf("doctor with a bad password: exit %d\n%s", code, out)
	}
	code, out, errOut = run(t, "status", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "outbox:") || !strings.Contains(out, "next status report Mon") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
}

// TestDoctorOAuth2 checks what doctor says when IMAP signs in with OAuth
// 2.0: the provider's refusal, then a server that takes no tokens.
func TestDoctorOAuth2(t *testing.T) {
	imapSrv, smtpSrv := startServers(t)
	cfgPath, _ := demoSetup(t, imapSrv.Addr, smtpSrv.Addr)
	prov := oauthtest.Start(t, time.Hour)
	dir := filepath.Dir(cfgPath)
	b, _ := os.ReadFile(cfgPath)
	text := strings.Replace(string(b), `password_file = "pw"`, `auth = "oauth2"`, 1) + fmt.Sprintf(`
[oauth2]
token_url = %q
client_id = %q
client_secret_file = "secret"
scopes = [%q]
`, prov.URL, oauthtest.ClientID, t.Name())
	os.WriteFile(cfgPath, []byte(text), 0o600)

	os.WriteFile(filepath.Join(dir, "secret"), []byte("wrong\n"), 0o600)
	code, out, _ := run(t, "doctor", "--config", cfgPath)
	for _, want := range []string{
		"FAIL  OAuth 2.0 token: get an OAuth 2.0 token from " + prov.URL + " (client_credentials grant): 401 Unauthorized: invalid_client",
		"fix: check oauth2.token_url",
		"SKIP  IMAP login", // not tried without a token
		"OK    SMTP",       // signs in with a password
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor with a wrong client secret lacks %q: exit %d\n%s", want, code, out)
		}
	}
	if code != 1 || strings.Contains(out, "wrong") {
		t.Errorf("doctor with a wrong client secret: exit %d, or the secret shown\n%s", code, out)
	}

	os.WriteFile(filepath.Join(dir, "secret"), []byte(oauthtest.ClientSecret+"\n"), 0o600)
	code, out, _ = run(t, "doctor", "--config", cfgPath)
	if code != 1 || !strings.Contains(out, "OK    OAuth 2.0 token") || !strings.Contains(out, "FAIL  IMAP login") ||
		!strings.Contains(out, "neither AUTH=XOAUTH2 nor AUTH=OAUTHBEARER") || !strings.Contains(out, "OK    SMTP") {
		t.Errorf("doctor against an IMAP server without token sign-in: exit %d\n%s", code, out)
	}
}

func TestTemplatesCheck(t *testing.T) {
	if code, out, errOut := run(t, "templates", "check"); code != 0 || !strings.HasPrefix(out, "OK") {
		t.Fatalf("embedded: exit %d %s %s", code, out, errOut)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ack.txt.tmpl"), []byte("Done.\n{{range .Changes}}- {{.}}\n{{end}}\n{{.NoSuchField}}\n"), 0o644)
	code, _, errOut := run(t, "templates", "check", dir)
	if code != 1 || !strings.Contains(errOut, "ack.txt.tmpl") || !strings.Contains(errOut, "NoSuchField") {
		t.Errorf("broken override: exit %d, %q (want the file and the problem named)", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "ack.txt.tmpl"), []byte("Done{{if .Changes}:\n"), 0o644)
	code, _, errOut = run(t, "templates", "check", dir)
	if code != 1 || !strings.Contains(errOut, "ack.txt.tmpl:1") {
		t.Errorf("syntax error: exit %d, %q (want file:line)", code, errOut)
	}
}
