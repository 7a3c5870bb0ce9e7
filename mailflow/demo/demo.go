// Package demo runs the whole mailflow loop with no set-up: an in-process
// IMAP server holding sample minutes and replies, an in-process SMTP server
// that writes every mail it receives to a directory, and the real daemon
// code between them, on a clock the demo moves forward to reach reminders
// and the leadership report.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/inproc"
	"mailflow/store"
)

//go:embed minutes.eml
var sampleMinutes []byte

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Project facts of the sample.
const (
	Domain   = "stmarys-clinic.example"
	Timezone = "America/New_York"
)

// Files the demo leaves in its directory besides the mail: the database
// and a configuration for it, with its secret files.
const (
	ConfigFile   = "mailflow.toml"
	DatabaseFile = "mailflow.db"
	passwordFile = "imap-password"
	replyKeyFile = "reply-key"
	// nowhere stands in for the demo's servers in the configuration it
	// leaves: they ran inside the demo and are gone; nothing listens on
	// port 1, so "mailflow doctor" says plainly that nothing answers.
	nowhere = "127.0.0.1:1"
	// demoMark opens the demo's configuration; a configuration without
	// it is someone's real one, which the demo never overwrites.
	demoMark = "The demo's configuration"
)

// setup is the demo's configuration: the sample clinic's project, roster
// and leadership, with its servers at imapAddr and smtpAddr. Paths are
// relative to the demo directory, so the directory can move.
func setup(imapAddr, smtpAddr string) config.Setup {
	return config.Setup{
		Header: []string{
			demoMark + ", written by \"mailflow demo\" beside its database.",
			"",
			"It points at nothing live: the demo's IMAP and SMTP servers ran inside",
			"the demo and are gone, so " + nowhere + " stands in for both (mailflow doctor",
			"reports them unreachable). It is here so that the read-only commands",
			"(items, risks, history, status, export, report --now, remind --now,",
			"doctor) can be tried on the demo's data. Its passwords and key are the",
			"demo's own, in the files beside it.",
		},
		Database:         DatabaseFile,
		IMAPAddress:      imapAddr,
		IMAPSecurity:     "insecure",
		IMAPUsername:     "ehr-project",
		IMAPPasswordFile: passwordFile,
		SMTPAddress:      smtpAddr,
		SMTPSecurity:     "insecure",
		SMTPFrom:         "mailflow@" + Domain,
		ReplyKeyFile:     replyKeyFile,
		SecretDir:        ".",
		ProjectName:      "EHR Rollout",
		ProjectAddress:   "ehr-project@" + Domain,
		Timezone:         Timezone,
		Leadership:       []string{"cmo@" + Domain, "cio@" + Domain},
		Members: []config.Member{
			{Name: "Priya Shah", Email: "priya.shah@" + Domain, Role: "chair"},
			{Name: "Alice Moreau", Email: "alice.moreau@" + Domain, Role: "member"},
			{Name: "Bob Okafor", Email: "bob.okafor@" + Domain, Role: "member"},
			{Name: "Carol Nguyen", Email: "carol.nguyen@" + Domain, Role: "member"},
			{Name: "Dan Weber", Email: "dan.weber@" + Domain, Role: "member"},
		},
	}
}

// Config returns the demo configuration pointed at the given servers, read
// from the same text the demo leaves in dir (with the IMAP password and the
// reply key in memory instead of their files).
func Config(dir, imapAddr, smtpAddr string, key []byte) (*config.Config, error) {
	var c config.Config
	if err := config.Decode(config.Render(setup(imapAddr, smtpAddr)), dir, &c); err != nil {
		return nil, err
	}
	c.IMAP.Password = imapPassword
	c.Security.ReplyKey = key
	if err := c.Finish(func(string) string { return "" }); err != nil {
		return nil, err
	}
	return &c, nil
}

// imapPassword is the demo mailbox's password.
const imapPassword = "demo"

// writeConfig leaves the demo's configuration in dir, pointing at nothing
// live, with its secret files (0600) beside it.
func writeConfig(dir string, key []byte) error {
	path := filepath.Join(dir, ConfigFile)
	for name, content := range map[string][]byte{passwordFile: []byte(imapPassword + "\n"), replyKeyFile: append(key, '\n')} {
		if err := writePrivate(filepath.Join(dir, name), content); err != nil {
			return err
		}
	}
	return os.WriteFile(path, config.Render(setup(nowhere, nowhere)), 0o644)
}

// writePrivate writes a secret file, mode 0600 whatever was there before.
func writePrivate(path string, content []byte) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(path, content, 0o600)
}

// Summary is what the demo did.
type Summary struct {
	Dir       string
	Mails     []inproc.Received
	Items     []store.Item
	Risks     []store.Risk
	Processed int
	Failed    int
	Steps     []string
}

// Run runs the demo, writing mail and the database to dir, narrating to w.
func Run(ctx context.Context, dir string, w io.Writer) (*Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// The demo clears its directory: never one with a real installation.
	cfgPath := filepath.Join(dir, ConfigFile)
	if old, err := os.ReadFile(cfgPath); err == nil && !bytes.Contains(old, []byte(demoMark)) {
		return nil, fmt.Errorf("%s is not the demo's configuration: run the demo in another directory (--out DIR)", cfgPath)
	}
	// A fresh demo each time: old mail files and database would mix in.
	old, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	db := filepath.Join(dir, DatabaseFile)
	for _, f := range append(old, db, db+"-wal", db+"-shm") {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		return nil, fmt.Errorf("start IMAP server: %w", err)
	}
	defer imapSrv.Close()
	smtpSrv, err := inproc.StartSMTP(dir)
	if err != nil {
		return nil, fmt.Errorf("start SMTP server: %w", err)
	}
	defer smtpSrv.Close()

	// The key as text, as a key file holds it.
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	key := []byte(base64.StdEncoding.EncodeToString(raw))
	if err := writeConfig(dir, key); err != nil {
		return nil, err
	}
	cfg, err := Config(dir, imapSrv.Addr, smtpSrv.Addr, key)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(Timezone)
	if err != nil {
		return nil, err
	}
	clock := &Clock{}
	clock.Set(time.Date(2026, 11, 24, 17, 0, 0, 0, loc))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(ctx, cfg, daemon.Options{Now: clock.Now, Logger: log})
	if err != nil {
		return nil, err
	}
	defer d.Close()

	sum := &Summary{Dir: dir}
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		sum.Steps = append(sum.Steps, line)
		fmt.Fprintln(w, line)
	}
	say("mailflow demo — in-process IMAP on %s, SMTP on %s", imapSrv.Addr, smtpSrv.Addr)
	say("clock: %s", clock.Now().Format("Mon 2 Jan 2006 15:04 MST"))

	// 1. The chair's minutes arrive.
	if err := imapSrv.Append("INBOX", sampleMinutes); err != nil {
		return nil, err
	}
	if err := d.Once(ctx); err != nil {
		return nil, err
	}
	// Nothing vouches for the minutes' From (the demo has no mail server
	// checking DKIM), so mailflow holds them and asks Priya, at her roster
	// address, to confirm them.
	sent := smtpSrv.Received()
	ask, ok := findMail(sent, "confirm", "priya.shah@"+Domain)
	if !ok {
		return nil, fmt.Errorf("no confirmation request to Priya")
	}
	say("1. Priya's minutes arrived; nothing vouches for their From yet, so they are held and Priya is asked to confirm them (%d mail)", len(sent))
	clock.Set(clock.Now().Add(5 * time.Minute))
	if err := imapSrv.Append("INBOX", replyTo(ask, "Priya Shah <priya.shah@"+Domain+">", clock.Now(), "confirm")); err != nil {
		return nil, err
	}
	before := len(sent)
	if err := d.Once(ctx); err != nil {
		return nil, err
	}
	items, _ := d.Store.Items(ctx, store.ItemFilter{})
	risks, _ := d.Store.Risks(ctx, 0, "")
	sent = smtpSrv.Received()
	minutesMails := 0
	for _, m := range sent[before:] {
		if m.Header("X-Mailflow-Kind") == "minutes" {
			minutesMails++
		}
	}
	say("   Priya replied \"confirm\": %d action items and %d risks stored, minutes mailed to %d people", len(items), len(risks), minutesMails)

	clock.Set(clock.Now().Add(30 * time.Minute))
	alice, ok := findMail(sent, "minutes", "alice.moreau@"+Domain)
	if !ok {
		return nil, fmt.Errorf("no minutes mail to Alice")
	}
	bob, ok := findMail(sent, "minutes", "bob.okafor@"+Domain)
	if !ok {
		return nil, fmt.Errorf("no minutes mail to Bob")
	}
	replies := [][]byte{
		replyTo(alice, "Alice Moreau <alice.moreau@"+Domain+">", clock.Now(), "Done - the draft is on the shared drive under Training/2026.\n\nAlice"),
		replyTo(bob, "Bob Okafor <bob.okafor@"+Domain+">", clock.Now().Add(time.Minute),
			"A-2 due Dec 9\nR-1 mitigation: weekly vendor call, and a flat-file fallback interface ready by January\n\nThanks,\nBob\n\nSent from my iPhone"),
		forged("Bob Okafor <bob.okafor@"+Domain+">", "ehr-project@"+Domain, clock.Now().Add(2*time.Minute), "close A-2"),
	}
	for _, r := range replies {
		if err := imapSrv.Append("INBOX", r); err != nil {
			return nil, err
		}
	}
	before = len(sent)
	since := clock.Now()
	if err := d.Once(ctx); err != nil {
		return nil, err
	}
	sent = smtpSrv.Received()
	say("2. %d replies arrived; what they changed:", len(replies))
	pid, err := d.Store.ProjectID(ctx, cfg.Projects[0].Name)
	if err != nil {
		return nil, err
	}
	trail, err := d.Store.AuditSince(ctx, pid, since)
	if err != nil {
		return nil, err
	}
	for _, a := range trail {
		say("   %s %s by %s: %s", a.Ref, a.Action, a.Actor, a.NewValue)
	}
	for _, m := range sent[before:] {
		say("   answer: %-5s to %s — %s", m.Header("X-Mailflow-Kind"), m.To[0], m.Decoded("Subject"))
	}

	// 3. Six days later, Monday morning: reminders and the status report.
	clock.Set(time.Date(2026, 11, 30, 8, 30, 0, 0, loc))
	before = len(sent)
	if err := d.Once(ctx); err != nil {
		return nil, err
	}
	sent = smtpSrv.Received()
	kinds := map[string]int{}
	for _, m := range sent[before:] {
		kinds[m.Header("X-Mailflow-Kind")]++
	}
	say("3. clock moved to %s: %d reminder digests and %d leadership status reports mailed", clock.Now().Format("Mon 2 Jan 15:04"), kinds["reminder"], kinds["status"])

	sum.Mails = sent
	sum.Items, _ = d.Store.Items(ctx, store.ItemFilter{})
	sum.Risks, _ = d.Store.Risks(ctx, 0, "")
	sum.Processed, _ = imapSrv.Count("mailflow/processed")
	sum.Failed, _ = imapSrv.Count("mailflow/failed")
	open := 0
	for _, it := range sum.Items {
		if it.Status == "open" {
			open++
		}
	}
	fmt.Fprintf(w, "\nDone: %d items (%d open), %d risks, %d mails sent, %d messages in mailflow/processed, %d in mailflow/failed.\n",
		len(sum.Items), open, len(sum.Risks), len(sent), sum.Processed, sum.Failed)
	fmt.Fprintf(w, "Read the mail:  ls %s/*.eml   (open any .eml in a mail client)\n", dir)
	fmt.Fprintf(w, "Try the commands on the demo's data with its configuration, %s (it points at nothing live):\n", cfgPath)
	for _, c := range TryCommands(cfgPath) {
		fmt.Fprintf(w, "  go run ./cmd/mailflow %s\n", c)
	}
	return sum, nil
}

// TryCommands are the commands the demo suggests on its data, with the
// configuration it left at cfgPath: each works there (a test runs them).
func TryCommands(cfgPath string) []string {
	return []string{
		"items --config " + cfgPath + " --status all",
		"risks --config " + cfgPath,
		"history A-2 --config " + cfgPath,
		"status --config " + cfgPath,
		"export --config " + cfgPath + " --what items",
		"report --now --config " + cfgPath + "    # queues the status report; nothing live sends it",
		"remind --now --config " + cfgPath,
		"doctor --config " + cfgPath + "          # reports the demo's servers unreachable: they are gone",
	}
}

func findMail(ms []inproc.Received, kind, to string) (inproc.Received, bool) {
	for _, m := range ms {
		if m.Header("X-Mailflow-Kind") == kind && len(m.To) > 0 && m.To[0] == to {
			return m, true
		}
	}
	return inproc.Received{}, false
}

// replyTo writes the reply a mail client would send to m: to its Reply-To,
// threaded under it, quoting it.
func replyTo(m inproc.Received, from string, at time.Time, body string) []byte {
	var b bytes.Buffer
	subject := m.Decoded("Subject")
	if !strings.HasPrefix(subject, "Re:") {
		subject = "Re: " + subject
	}
	id := m.Header("Message-ID")
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.reply@%s>\r\nIn-Reply-To: %s\r\nReferences: %s\r\n",
		from, m.Header("Reply-To"), subject, at.Format(time.RFC1123Z), at.UnixNano(), Domain, id, id)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	fmt.Fprintf(&b, "\r\n\r\nOn %s, EHR Rollout wrote:\r\n> (the minutes, quoted)\r\n", at.Add(-30*time.Minute).Format("Mon, 2 Jan 2006 at 15:04"))
	return b.Bytes()
}

// forged is a mail claiming to be from a member, sent straight to the
// project address: no reply token, no DKIM.
func forged(from, to string, at time.Time, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: Re: A-2\r\nDate: %s\r\nMessage-ID: <%d.forged@attacker.example>\r\n\r\n%s\r\n",
		from, to, at.Format(time.RFC1123Z), at.UnixNano(), body))
}
