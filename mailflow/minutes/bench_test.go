package minutes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

// benchParse reads and parses a fixture b.N times, as the engine does for
// each message: mailtext.Read, then Parse.
func benchParse(b *testing.B, name string, opts Options, wantItems, wantRisks int) {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	msg, err := mailtext.Read(raw)
	if err != nil {
		b.Fatal(err)
	}
	if m := Parse(msg, opts); len(m.ActionItems) != wantItems || len(m.Risks) != wantRisks {
		b.Fatalf("%s: %d items and %d risks, want %d and %d:%s", name, len(m.ActionItems), len(m.Risks), wantItems, wantRisks, dump(m))
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := mailtext.Read(raw)
		if err != nil {
			b.Fatal(err)
		}
		Parse(msg, opts)
	}
}

// BenchmarkParsePlain: ~10 KB of plain-text minutes. The budget is 2,000
// messages a second on one core (500µs each).
func BenchmarkParsePlain(b *testing.B) {
	benchParse(b, "bench-plain.eml", clinicOpts, 12, 3)
}

// BenchmarkParseHTMLTables: ~10 KB of Word HTML minutes with an action
// table and a risk table. The budget is 500 a second (2ms each).
func BenchmarkParseHTMLTables(b *testing.B) {
	benchParse(b, "bench-html.eml", Options{Location: paris, Roster: clinic, Dates: dates.Options{DayFirst: true}}, 12, 3)
}

// BenchmarkParseManyDecisions: minutes holding n decisions, asks and
// milestones, all different. The cost per line must stay flat as n grows
// (ns/op ÷ n): the checks for repeats are sets, and the pairwise
// comparisons stop at maxRepeatDecisions.
func BenchmarkParseManyDecisions(b *testing.B) {
	for _, n := range []int{250, 1000, 4000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var body strings.Builder
			for i := range n {
				fmt.Fprintf(&body, "DECISION: Ward %d moves to phase %d of the rollout\n", i, i+1)
				fmt.Fprintf(&body, "Ask: approve overtime budget number %d for ward %d\n", i, i)
				fmt.Fprintf(&body, "Milestone: Ward %d go-live — %s\n", i, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2 Jan 2006"))
			}
			raw := "From: priya@clinic.example\r\nSubject: Minutes: rollout\r\nDate: Tue, 24 Nov 2026 17:00:00 +0000\r\n\r\n" + body.String()
			msg, err := mailtext.Read([]byte(raw))
			if err != nil {
				b.Fatal(err)
			}
			if m := Parse(msg, clinicOpts); len(m.Decisions) != n || len(m.Asks) != n || len(m.Milestones) != n {
				b.Fatalf("%d decisions, %d asks, %d milestones; want %d of each", len(m.Decisions), len(m.Asks), len(m.Milestones), n)
			}
			for b.Loop() {
				Parse(msg, clinicOpts)
			}
		})
	}
}
