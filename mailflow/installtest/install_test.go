// Package installtest follows the README's install steps word for word, with
// the real binary, in a scratch root: a test of the documentation.
package installtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/inproc"
	"mailflow/mailflow/internal/dovecottest"
)

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

// codeBlock returns the first fenced code block of lang in text.
func codeBlock(t *testing.T, text, lang string) string {
	t.Helper()
	m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```").FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no ```%s block in:\n%s", lang, text)
	}
	return m[1]
}

// TestReadmeInstall follows "Running it for real" word for word: it runs
// the section's shell block with bash, in a scratch root standing in for
// /usr/local/bin, /etc and /var/lib, against a private Dovecot holding the
// project's mailbox and an SMTP server that wants AUTH. The editor the
// block opens for the roster is a script that adds the section's roster
// block, as the reader is told to. Build, init, passwords, roster, doctor
// and run --once must each work as written; then the minutes waiting in
// the mailbox must have been handled and answered, and status must say
// the run went well.
func TestReadmeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a private Dovecot")
	}
	section := readmeSection(t, "## Running it for real")
	script, roster := codeBlock(t, section, "sh"), codeBlock(t, section, "toml")

	const (
		project      = "ehr-project@example.org"
		imapPassword = "imap secret, with spaces"
		smtpPassword = "smtp-secret"
		chair        = "priya.shah@example.org"
	)
	dv := dovecottest.Start(t, dovecottest.WithUser(project, imapPassword))
	sink, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	sink.Username, sink.Password = project, smtpPassword
	// The chair's minutes wait in the project's mailbox.
	dv.Append("INBOX", []byte(fmt.Sprintf("From: Priya Shah <%s>\r\nTo: EHR Rollout <%s>\r\nSubject: Minutes: EHR rollout weekly\r\n"+
		"Date: %s\r\nMessage-ID: <readme-install@example.org>\r\n\r\nAttendees: Priya Shah, Alice Moreau\r\n\r\n"+
		"ACTION: Alice to draft the training plan by 2027-01-15\r\n", chair, project, time.Now().Format(time.RFC1123Z))))

	root := t.TempDir()
	rosterFile := filepath.Join(root, "roster.toml")
	editor := filepath.Join(root, "editor")
	os.WriteFile(rosterFile, []byte("\n"+roster), 0o644)
	os.WriteFile(editor, []byte("#!/bin/sh\ncat "+rosterFile+" >> \"$1\"\n"), 0o755)

	// What the reader types differently: their own servers and
	// passwords; and where this test keeps the system's directories.
	replace := []string{
		"/usr/local/bin/", root + "/usr/local/bin/",
		"/etc/mailflow", root + "/etc/mailflow",
		"imap.example.org:993", dv.Addr,
		"smtp.example.org:587", sink.Addr,
		"THE IMAP PASSWORD", imapPassword,
		"THE SMTP PASSWORD", smtpPassword,
	}
	for i := 0; i < len(replace); i += 2 {
		if !strings.Contains(script, replace[i]) {
			t.Fatalf("the README's block no longer has %q, which this test replaces; update the test with it:\n%s", replace[i], script)
		}
	}
	script = strings.NewReplacer(replace...).Replace(script)
	// Never touch the real system: every system path must be in root now.
	if outside := regexp.MustCompile(`(^|[\s'"=])/(etc|var|usr)/`).FindString(strings.ReplaceAll(script, root, "ROOT")); outside != "" {
		t.Fatalf("the block still writes outside the scratch root (%q):\n%s", outside, script)
	}

	bin := filepath.Join(root, "usr", "local", "bin")
	cmd := exec.Command("bash", "-e", "-u", "-o", "pipefail", "-x", "-c", script)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "EDITOR="+editor)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's steps failed as written: %v\n%s", err, out)
	}
	t.Logf("the README's steps:\n%s", out)
	for _, want := range []string{"Three things left to do", "OK    roster of project \"EHR Rollout\": 2 member(s), 1 chair(s)", "all checks passed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "var", "lib", "mailflow", "mailflow.db")); err != nil {
		t.Errorf("the database is not in ROOT/var/lib/mailflow: %v", err)
	}

	// The cycle read the minutes and, as nothing vouches for their From,
	// asked their sender to confirm them.
	if n := dv.Count("INBOX"); n != 0 {
		t.Errorf("%d messages still in INBOX after run --once", n)
	}
	if n := dv.Count("mailflow/processed"); n != 1 {
		t.Errorf("mailflow/processed holds %d, want the minutes", n)
	}
	got := sink.Received()
	if len(got) != 1 || got[0].To[0] != chair || got[0].Header("X-Mailflow-Kind") != "confirm" {
		t.Errorf("mail sent: %d, want one confirmation request to %s", len(got), chair)
		for _, m := range got {
			t.Logf("  %s to %v", m.Header("X-Mailflow-Kind"), m.To)
		}
	}
	status, err := exec.Command(filepath.Join(bin, "mailflow"), "status", "--config", filepath.Join(root, "etc", "mailflow", "mailflow.toml")).CombinedOutput()
	if err != nil || !regexp.MustCompile(`last run: run --once \(pid \d+\), ended .*: ok`).Match(status) {
		t.Errorf("status after the README's run --once: %v\n%s", err, status)
	}
}
