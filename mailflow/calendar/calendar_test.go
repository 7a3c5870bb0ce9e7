package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"mailflow/mailflow"
)

var now = time.Date(2026, 11, 30, 13, 30, 15, 0, time.UTC)

func items() []Item {
	return []Item{
		{Ref: "A-2", Text: "confirm the pharmacy interface test window with the vendor, and write down the fallback plan; ask about weekend cover — ça va, ünïcødé ✓ " + strings.Repeat("long ", 20),
			Due: mailflow.NewDate(2026, 12, 4), Status: mailflow.ItemOpen, UpdatedAt: now.Add(-time.Hour)},
		{Ref: "A-3", Text: "Order badge readers; wards 3, 4\nsecond line", Due: mailflow.NewDate(2026, 12, 31), Status: mailflow.ItemDone, UpdatedAt: now},
		{Ref: "A-4", Text: "no due date", Status: mailflow.ItemOpen},
	}
}

func decode(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, b)
	}
	return cal
}

func TestEncodeParsesBack(t *testing.T) {
	b, err := Encode("EHR Rollout", "ehr@clinic.example", items(), now)
	if err != nil {
		t.Fatal(err)
	}
	cal := decode(t, b)
	if m, _ := cal.Props.Text(ical.PropMethod); m != "PUBLISH" {
		t.Errorf("METHOD = %q", m)
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("VERSION = %q", v)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2 (the item without a due date has none)", len(evs))
	}
	ev := evs[0]
	uid, _ := ev.Props.Text(ical.PropUID)
	if uid != "a-2.ehr@clinic.example" {
		t.Errorf("UID = %q", uid)
	}
	start, err := ev.DateTimeStart(time.UTC)
	if err != nil || !start.Equal(time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DTSTART = %v, %v", start, err)
	}
	if p := ev.Props.Get(ical.PropDateTimeStart); p.ValueType() != ical.ValueDate {
		t.Errorf("DTSTART is %s, want an all-day DATE", p.ValueType())
	}
	end, _ := ev.DateTimeEnd(time.UTC)
	if !end.Equal(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("DTEND = %v, want the day after", end)
	}
	stamp, err := ev.Props.DateTime(ical.PropDateTimeStamp, nil)
	if err != nil || !stamp.Equal(now) || stamp.Location() != time.UTC {
		t.Errorf("DTSTAMP = %v, %v; want %v in UTC", stamp, err, now)
	}
	if !bytes.Contains(b, []byte("DTSTAMP:20261130T133015Z")) {
		t.Errorf("DTSTAMP is not a UTC date-time:\n%s", b)
	}
	sum, _ := ev.Props.Text(ical.PropSummary)
	if !strings.HasPrefix(sum, "A-2 due: confirm the pharmacy") || !strings.Contains(sum, "ünïcødé ✓") {
		t.Errorf("SUMMARY = %q", sum)
	}
	desc, _ := ev.Props.Text(ical.PropDescription)
	if !strings.Contains(desc, `"A-2 done"`) || !strings.Contains(desc, "\n") {
		t.Errorf("DESCRIPTION = %q", desc)
	}
	if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:ehr@clinic.example" || org.Params.Get(ical.ParamCommonName) != "EHR Rollout" {
		t.Errorf("ORGANIZER = %+v (PUBLISH requires one)", org)
	}
	if st, _ := evs[1].Props.Text(ical.PropStatus); st != "CANCELLED" {
		t.Errorf("a done item's STATUS = %q, want CANCELLED", st)
	}
	// Commas, semicolons and newlines in the text survive escaping.
	if sum, _ := evs[1].Props.Text(ical.PropSummary); sum != "A-3 due: Order badge readers; wards 3, 4 second line" {
		t.Errorf("SUMMARY = %q", sum)
	}
}

func TestEncodeFoldsLines(t *testing.T) {
	b, err := Encode("EHR Rollout", "ehr@clinic.example", items(), now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("calendar does not end with CRLF")
	}
	folded := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("fold split a UTF-8 sequence: %q", line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Error("no line was folded; the test data should need it")
	}
	if strings.Contains(string(b), "\n") && strings.Count(string(b), "\n") != strings.Count(string(b), "\r\n") {
		t.Error("bare LF in calendar")
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SHORT:x\r\n", "SHORT:x\r\n"},
		{strings.Repeat("a", 75) + "\r\n", strings.Repeat("a", 75) + "\r\n"},
		{strings.Repeat("a", 76) + "\r\n", strings.Repeat("a", 75) + "\r\n a\r\n"},
		{strings.Repeat("a", 74) + "é\r\n", strings.Repeat("a", 74) + "\r\n é\r\n"},
		{strings.Repeat("b", 75+74+1) + "\r\n", strings.Repeat("b", 75) + "\r\n " + strings.Repeat("b", 74) + "\r\n b\r\n"},
	} {
		if got := string(Fold([]byte(tc.in))); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUIDStableAndSequenceGrows(t *testing.T) {
	first := items()[:1]
	b1, _ := Encode("EHR Rollout", "ehr@clinic.example", first, now)
	later := items()[:1]
	later[0].Due = mailflow.NewDate(2026, 12, 9)
	later[0].UpdatedAt = now.Add(time.Minute)
	b2, _ := Encode("EHR Rollout", "ehr@clinic.example", later, now.Add(24*time.Hour))
	e1, e2 := decode(t, b1).Events()[0], decode(t, b2).Events()[0]
	u1, _ := e1.Props.Text(ical.PropUID)
	u2, _ := e2.Props.Text(ical.PropUID)
	if u1 != u2 {
		t.Errorf("UID changed from %q to %q: calendars would duplicate the item", u1, u2)
	}
	s1, _ := e1.Props.Get(ical.PropSequence).Int()
	s2, _ := e2.Props.Get(ical.PropSequence).Int()
	if s2 <= s1 {
		t.Errorf("SEQUENCE %d then %d after a change; must grow", s1, s2)
	}
}

func TestSequence(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Time{}, 0},
		{time.Unix(1000, 0), 0},
		{time.Unix(sequenceEpoch+42, 0), 42},
		{time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), 1<<31 - 1},
	} {
		if got := Sequence(tc.at); got != tc.want {
			t.Errorf("Sequence(%v) = %d, want %d", tc.at, got, tc.want)
		}
	}
}

func TestEncodeNothingDue(t *testing.T) {
	b, err := Encode("P", "p@x.example", []Item{{Ref: "A-1", Text: "x"}}, now)
	if err != nil || b != nil {
		t.Errorf("Encode with no due dates = %q, %v; want nil, nil", b, err)
	}
}

// TestEncodeStripsControlAndBidi: hostile text in an item or the project
// name reaches the .ics without a control or bidi character, its words
// kept apart where a line break or tab stood.
func TestEncodeStripsControlAndBidi(t *testing.T) {
	hostile := "\u202Ecod.exe\u202C review\u2066 \u2067x\u2069\u2068y\u2069 \u200Eleft\u200F right\u061C" +
		"\x00nul\x07bell\x1b[31mred\x1b[0m\x7f\u0080\u009bc1\ttab\r\nnext\u0085nel\u2028line\u202A\u202B\u202D"
	project := "EHR \u202ERollout\x1b]0;title\x07"
	b, err := Encode(project, "ehr@clinic.example", []Item{{Ref: "A-9", Text: hostile, Due: mailflow.NewDate(2026, 12, 4), UpdatedAt: now}}, now)
	if err != nil {
		t.Fatal(err)
	}
	unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
	for i, line := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		for _, r := range line {
			if unicode.IsControl(r) || isBidiControl(r) {
				t.Errorf("line %d holds %U: %q", i+1, r, line)
			}
		}
	}
	ev := decode(t, b).Events()[0]
	const wantText = "cod.exe review xy left rightnulbell[31mred[0mc1 tab next nel line"
	if sum, _ := ev.Props.Text(ical.PropSummary); sum != "A-9 due: "+wantText {
		t.Errorf("SUMMARY = %q, want %q", sum, "A-9 due: "+wantText)
	}
	desc, _ := ev.Props.Text(ical.PropDescription)
	if want := "EHR Rollout]0;title action item A-9: " + wantText + "\n"; !strings.HasPrefix(desc, want) {
		t.Errorf("DESCRIPTION = %q, want it to start %q", desc, want)
	}
	if cn := ev.Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); cn != "EHR Rollout]0;title" {
		t.Errorf("ORGANIZER CN = %q", cn)
	}
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"  two\n\nlines\t ", "two lines"},
		{"\u202Eabc", "abc"},
		{"a\u200Db", "a\u200Db"}, // ZWJ joins emoji; not a bidi control
		{"ünïcødé ✓ שלום", "ünïcødé ✓ שלום"},
		{"\u009b\u0080\x01", ""},
	} {
		if got := plainText(tc.in); got != tc.want {
			t.Errorf("plainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzPlainText holds plainText, which returns plain ASCII as it is, to its
// definition.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"plain words", " lead", "trail ", "two  spaces", "tab\there", "\u202Eabc", "A-12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := oneLine(s)
		if got := plainText(s); got != want {
			t.Fatalf("plainText(%q) = %q, its definition gives %q", s, got, want)
		}
	})
}
