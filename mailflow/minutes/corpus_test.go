package minutes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/internal/corpora"
	"mailflow/mailflow/mailtext"
)

// corpusDir returns a directory of the shared public corpora: it skips
// when they are missing, and fails under MAILFLOW_REQUIRE_CORPORA=1.
func corpusDir(t testing.TB, name string) string { return corpora.Dir(t, name) }

// wrapPlain makes a text/plain message of a minutes file, as a chair would
// paste it into a mail.
func wrapPlain(subject string, body []byte) []byte {
	var b strings.Builder
	b.WriteString("From: Chair <chair@example.org>\r\nTo: Project <project@example.org>\r\n")
	b.WriteString("Subject: " + subject + "\r\nDate: Mon, 1 Jun 2026 10:00:00 +0000\r\nMessage-ID: <corpus@example.org>\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.Write(body)
	return []byte(b.String())
}

// TestRealMinutes parses public minutes of the Apache board and the Rust
// Leadership Council: nothing may fail, and what is found is reported.
func TestRealMinutes(t *testing.T) {
	for _, c := range []struct{ corpus, glob string }{
		{"apache_board_minutes", "data/*.txt"},
		{"rust_leadership_council_minutes", "minutes/*.md"},
	} {
		t.Run(c.corpus, func(t *testing.T) {
			dir := corpusDir(t, c.corpus)
			files, err := filepath.Glob(filepath.Join(dir, c.glob))
			if err != nil || len(files) == 0 {
				t.Fatalf("no files in %s (%v)", dir, err)
			}
			var items, decisions, risks, problems, attendees int
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				msg, err := mailtext.Read(wrapPlain("Minutes", raw))
				if err != nil {
					t.Fatalf("%s: %v", filepath.Base(f), err)
				}
				start := time.Now()
				m := Parse(msg, Options{})
				took := time.Since(start)
				items += len(m.ActionItems)
				decisions += len(m.Decisions)
				risks += len(m.Risks)
				problems += len(m.Problems)
				attendees += len(m.Meeting.Attendees)
				t.Logf("%s: %q %s, %d attendees, %d items, %d decisions, %d risks, %d changes, %d problems (%s)",
					filepath.Base(f), m.Meeting.Title, m.Meeting.Date, len(m.Meeting.Attendees), len(m.ActionItems),
					len(m.Decisions), len(m.Risks), len(m.Changes), len(m.Problems), took.Round(time.Microsecond))
				if os.Getenv("MINUTES_DUMP") != "" {
					t.Log(dump(m))
				}
			}
			t.Logf("%s: %d files, %d action items, %d decisions, %d risks, %d attendees, %d problems",
				c.corpus, len(files), items, decisions, risks, attendees, problems)
		})
	}
}

// dump renders parsed minutes for a person to read.
func dump(m mailflow.Minutes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n  meeting %q %s chair %q\n", m.Meeting.Title, m.Meeting.Date, m.Meeting.Chair)
	fmt.Fprintf(&b, "  attendees %v\n  regrets %v\n", m.Meeting.Attendees, m.Meeting.Regrets)
	for _, it := range m.ActionItems {
		fmt.Fprintf(&b, "  ITEM L%d [%s] owner=%q owners=%v due=%s(%q): %s\n", it.Line, it.Status, it.Owner, it.Owners, it.Due, it.DueText, it.Text)
	}
	for _, d := range m.Decisions {
		fmt.Fprintf(&b, "  DECISION L%d: %s\n", d.Line, d.Text)
	}
	for _, r := range m.Risks {
		fmt.Fprintf(&b, "  RISK L%d %s/%s (%q/%q) owner=%q mit=%q: %s\n", r.Line, r.Likelihood, r.Impact, r.LikelihoodText, r.ImpactText, r.Owner, r.Mitigation, r.Description)
	}
	for _, c := range m.Changes {
		fmt.Fprintf(&b, "  CHANGE L%d %s: %s\n", c.Line, c.Kind, c.Text)
	}
	for _, ms := range m.Milestones {
		fmt.Fprintf(&b, "  MILESTONE L%d %s(%q) done=%v: %s\n", ms.Line, ms.Date, ms.DateText, ms.Done, ms.Name)
	}
	for _, a := range m.Asks {
		fmt.Fprintf(&b, "  ASK L%d: %s\n", a.Line, a.Text)
	}
	for _, p := range m.Problems {
		fmt.Fprintf(&b, "  PROBLEM %s\n", p)
	}
	return b.String()
}
