package minutes

import (
	"os"
	"path/filepath"
	"testing"

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
