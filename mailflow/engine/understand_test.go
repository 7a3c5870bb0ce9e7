package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/internal/corpora"
	"mailflow/mailflow/minutes"
	"mailflow/store"
)

// "mailflow parse" and the engine read a message through one path: the
// same mails, fed to both, are classified alike and yield the same items.
// The first two cases are ones where parse used to disagree.
func TestParseAgreesWithEngine(t *testing.T) {
	cases := []msg{
		{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes,
			headers: []string{"In-Reply-To: <unknown-thread@elsewhere.example>"}},
		{from: chair, subject: "Re: Minutes: EHR weekly 2026-11-24", body: "ACTION: Alice to send the revised plan by 2026-12-02\nACTION: Bob to call the vendor by 2026-12-03\n"},
		{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes},
		{from: chair, subject: "Notes", body: "Attendees: Priya Shah, Alice Moreau\n\nAction items\n- Alice to draft the memo by Friday\n- Bob to book a room by Monday\n"},
		{from: bob, subject: "Re: A-2", body: "A-2 due Dec 9\n"},
		{from: bob, subject: "lunch?", body: "Anyone up for lunch on Friday?\n"},
	}
	for _, c := range cases {
		c.signed = true
		t.Run(c.subject, func(t *testing.T) {
			h := newHarness(t)
			raw := h.raw(c)
			u, err := engine.Understand(raw, &h.cfg.Projects[0])
			if err != nil {
				t.Fatal(err)
			}
			res := h.deliverRaw(raw)
			if string(u.Kind) != string(res.Kind) {
				t.Fatalf("parse says %s, the engine handled it as %s (%s)", u.Kind, res.Kind, res.Reason)
			}
			if res.Kind == "minutes" && res.Outcome == store.OutcomeProcessed && len(u.ActionItems) != h.countItems() {
				t.Errorf("parse read %d items, the engine stored %d", len(u.ActionItems), h.countItems())
			}
		})
	}
}

// On real minutes, parse and the engine agree on every file of the
// labelled development set (../shared/corpora; required in CI).
func TestParseAgreesWithEngineOnRealMinutes(t *testing.T) {
	dir := corpora.Dir(t, "real_minutes_dev")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .eml files in %s (%v)", dir, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, trustedAuthserv(""), func(c *configT) { f := false; c.Security.RequireAuth = &f })
		u, err := engine.Understand(raw, &h.cfg.Projects[0])
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		res := h.deliverRaw(raw)
		if res.Outcome == store.OutcomeFailed {
			continue // failed messages are compared by their reason elsewhere
		}
		if string(u.Kind) != string(res.Kind) {
			t.Errorf("%s: parse says %s, the engine %s (%s)", filepath.Base(f), u.Kind, res.Kind, res.Reason)
		}
		if res.Kind == "minutes" && strings.Contains(res.Reason, "roster") {
			continue // from a sender not on the test roster: nothing stored
		}
	}
}

// The daemon's default minutes subjects (the config's, written out for
// the example file) are the parser's: a subject "mailflow parse" reads as
// minutes is one the daemon does too.
func TestDefaultSubjectsAgree(t *testing.T) {
	var parser []string
	for _, re := range minutes.DefaultSubjects {
		parser = append(parser, re.String())
	}
	if got, want := strings.Join(config.DefaultMinutesSubjects, "\n"), strings.Join(parser, "\n"); got != want {
		t.Errorf("config.DefaultMinutesSubjects:\n%s\nminutes.DefaultSubjects:\n%s", got, want)
	}
}

// "mailflow parse --json" shows the milestones and asks the engine
// records.
func TestParseShowsMilestonesAndAsks(t *testing.T) {
	h := newHarness(t)
	raw := h.raw(msg{from: chair, subject: "Minutes: steering", body: "Milestone: Go-live — 1 Feb 2027\nDecision needed: budget for a second trainer\n\nACTION: Alice to draft the plan by 2026-12-01\n"})
	u, err := engine.Understand(raw, &h.cfg.Projects[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Milestones) != 1 || u.Milestones[0].Date.String() != "2027-02-01" || len(u.Asks) != 1 {
		t.Errorf("milestones %+v, asks %+v; want the go-live on 2027-02-01 and one ask", u.Milestones, u.Asks)
	}
}
