package minutes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/mailtext"
)

// FuzzParse feeds the parser arbitrary messages — and the same bytes as
// the text of a message — and checks that what it returns is well formed.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{
		"ACTION: Alice to go by Friday\n| Action | Owner | Due |\n|---|---|---|\n| x | Bob | 12/3 |\n",
		"Action items\n- Alice\n  - go\n- [ ] @bob come (due 2026-12-01)\n",
		"RISK: late (H/M) owner: Bob\nLikelihood: 4/5\n",
		"9. Review Outstanding Action Items\n\n    * Greg: go\n          Status: done\n10. Next\n",
		"Action\tOwner\tDue\ngo\tAlice\tFriday\n",
		"Action      Owner    Due\ngo          Alice    Friday\n            more\n",
	} {
		f.Add([]byte(s))
	}
	sent := time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := mailtext.Read(data)
		if err == nil {
			check(t, Parse(msg, clinicOpts))
		}
		asText := &mailtext.Message{Subject: "Minutes", Date: sent, Text: string(data),
			From: mailflow.Person{Name: "Priya Shah", Email: priya}}
		check(t, Parse(asText, clinicOpts))
		HasStructure(string(data))
		IsMinutes(string(data), string(data), Options{})
	})
}

// check fails t when parsed minutes break the promises Parse makes.
func check(t *testing.T, m mailflow.Minutes) {
	t.Helper()
	for _, it := range m.ActionItems {
		if strings.TrimSpace(it.Text) == "" || it.Line <= 0 {
			t.Fatalf("item without text or line: %+v", it)
		}
		if len(it.Owners) == 1 || (len(it.Owners) > 1 && it.Owner != it.Owners[0]) {
			t.Fatalf("owners %q for owner %q", it.Owners, it.Owner)
		}
		switch it.Status {
		case mailflow.ItemOpen, mailflow.ItemDone, mailflow.ItemCancelled:
		default:
			t.Fatalf("item status %q", it.Status)
		}
		if !it.Due.IsZero() && it.Due != mailflow.NewDate(it.Due.Year, it.Due.Month, it.Due.Day) {
			t.Fatalf("due date %+v is not a day", it.Due)
		}
	}
	for _, r := range m.Risks {
		if strings.TrimSpace(r.Description) == "" {
			t.Fatalf("risk without description: %+v", r)
		}
		if r.Likelihood != ParseLevel(r.LikelihoodText) && r.LikelihoodText != "" {
			t.Fatalf("likelihood %q read as %q", r.LikelihoodText, r.Likelihood)
		}
	}
	for _, d := range m.Decisions {
		if strings.TrimSpace(d.Text) == "" {
			t.Fatal("empty decision")
		}
	}
	for _, p := range m.Problems {
		if p.Reason == "" {
			t.Fatalf("problem without a reason: %+v", p)
		}
	}
	if m.Meeting.Title == "" {
		t.Fatal("no meeting title")
	}
}
