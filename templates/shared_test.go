package templates

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// readers returns the sample minutes as each of its readers gets them:
// the sender (with the problems list), owners of items, a reader who owns
// nothing, one who cannot reply, and one whose name needs cleaning.
func readers() []Minutes {
	base := sampleMinutes()
	var out []Minutes
	add := func(name, email string, f func(*Minutes)) {
		m := base
		m.RecipientName, m.RecipientEmail = name, email
		if f != nil {
			f(&m)
		}
		out = append(out, m)
	}
	add("Priya", "priya.shah@stmarys-clinic.example", func(m *Minutes) {
		m.Problems = []string{`line 14: "Dan to update binder" has no due date`}
		m.HasICS = false
	})
	for _, it := range base.Items {
		first := strings.Fields(it.Owner)[0]
		add(first, it.OwnerEmail, nil)
	}
	add("Erin", "erin.fox@stmarys-clinic.example", func(m *Minutes) { m.HasICS = false })
	add("Guest", "guest@elsewhere.example", func(m *Minutes) { m.CanReply, m.HasICS = false, false })
	add("Zoë <b>&amp;", "zoe@stmarys-clinic.example", nil)
	return out
}

// TestSharedSectionsRenderOnce renders the minutes for each of their
// readers through one Memo, on several goroutines at once, and checks that
// every mail is the very mail rendered alone, and that the Memo rendered
// the shared sections once for all of them.
func TestSharedSectionsRenderOnce(t *testing.T) {
	set := MustDefault()
	rs := readers()
	memo := NewMemo()
	got := make([]Rendered, len(rs))
	errs := make([]error, len(rs))
	var wg sync.WaitGroup
	for i, m := range rs {
		wg.Go(func() { got[i], errs[i] = set.Render("minutes", m.WithMemo(memo)) })
	}
	wg.Wait()
	for i, m := range rs {
		if errs[i] != nil {
			t.Fatalf("Render(minutes to %s) with a memo: %v", m.RecipientEmail, errs[i])
		}
		want, err := set.Render("minutes", m)
		if err != nil {
			t.Fatalf("Render(minutes to %s): %v", m.RecipientEmail, err)
		}
		if got[i] != want {
			t.Errorf("minutes to %s differ when their shared sections come from the memo:\nsubject %q / %q\ntext:\n%s\nhtml:\n%s",
				m.RecipientEmail, got[i].Subject, want.Subject, diff(want.Text, got[i].Text), diff(want.HTML, got[i].HTML))
		}
	}
	// The readers' own parts differ: the test covers mails that are not
	// all alike.
	if got[0].Text == got[1].Text || got[1].HTML == got[len(got)-2].HTML {
		t.Errorf("the readers' mails are alike; the test needs readers whose mails differ")
	}
	// Head and body, text and HTML, once; the reply commands once for
	// each set of commands the readers are taught, text and HTML.
	helps := map[string]bool{}
	for _, m := range rs {
		if h := m.Help(); len(h.Commands) > 0 {
			key, _ := sectionKey(h)
			helps[key] = true
		}
	}
	names := map[string]int{}
	for k := range memo.sections {
		names[k.name]++
	}
	want := map[string]int{"minutes-head": 2, "minutes-body": 2, "replyhelp-commands": 2 * len(helps)}
	if len(helps) < 2 || len(helps) >= len(rs)-1 {
		t.Errorf("the readers are taught %d sets of commands; the test needs some taught alike and some not", len(helps))
	}
	if !maps.Equal(names, want) {
		t.Errorf("memo holds sections %v, want %v", names, want)
	}
}

// TestSectionKeyTellsHelpsApart checks that reply helps that differ in
// anything have different keys, and that the key knows every field of a
// help: one added later must be added to sectionKey too.
func TestSectionKeyTellsHelpsApart(t *testing.T) {
	if n := reflect.TypeFor[ReplyHelp]().NumField(); n != 3 {
		t.Fatalf("ReplyHelp has %d fields; sectionKey knows 3 (What, Commands, Notes)", n)
	}
	if n := reflect.TypeFor[Command]().NumField(); n != 2 {
		t.Fatalf("Command has %d fields; sectionKey knows 2 (Text, Meaning)", n)
	}
	base := ReplyHelp{What: "items", Commands: []Command{{"A-1 done", "closes A-1"}, {"A-1 due Dec 9", "moves it"}}, Notes: true}
	variants := []ReplyHelp{
		base,
		{What: "items!", Commands: base.Commands, Notes: true},
		{What: "items", Commands: base.Commands[:1], Notes: true},
		{What: "items", Commands: []Command{{"A-1 done", "closes A-1"}, {"A-1 due Dec 9", "moves it!"}}, Notes: true},
		{What: "items", Commands: []Command{{"A-1 done", "closes A-1"}, {"A-2 due Dec 9", "moves it"}}, Notes: true},
		{What: "items", Commands: base.Commands, Notes: false},
		{What: "items", Commands: []Command{{"A-1 done", "closes A-1A-1 due Dec 9"}, {"", "moves it"}}, Notes: true},
		{},
	}
	seen := map[string]int{}
	for i, h := range variants {
		key, ok := sectionKey(h)
		if !ok {
			t.Fatalf("sectionKey(%+v) does not know a ReplyHelp", h)
		}
		if j, dup := seen[key]; dup {
			t.Errorf("sectionKey(%+v) = sectionKey(%+v) = %q", h, variants[j], key)
		}
		seen[key] = i
	}
	if _, ok := sectionKey(sampleMinutes()); ok {
		t.Errorf("sectionKey knows Minutes; it should know only the data it can tell apart")
	}
}

// TestSharedIsTemplate checks the "shared" function against what it
// stands for: the embedded minutes templates with each {{shared "x" .}}
// written as {{template "x" .Shared}} render the same mails.
func TestSharedIsTemplate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"minutes.txt.tmpl", "minutes.html.tmpl"} {
		src, err := embedded.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		plain := string(src)
		for _, section := range []string{"minutes-head", "minutes-body"} {
			call := fmt.Sprintf("{{shared %q .}}", section)
			if !strings.Contains(plain, call) {
				t.Fatalf("%s does not call %s", name, call)
			}
			plain = strings.ReplaceAll(plain, call, fmt.Sprintf("{{template %q .Shared}}", section))
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(plain), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plain, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	set := MustDefault()
	var data []Minutes
	for _, v := range Variants("minutes") {
		data = append(data, v.Data.(Minutes))
	}
	data = append(data, readers()...)
	memo := NewMemo()
	for _, m := range data {
		want, err := plain.Render("minutes", m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := set.Render("minutes", m)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("minutes to %s: shared sections render otherwise than {{template}}:\ntext:\n%s\nhtml:\n%s",
				m.RecipientEmail, diff(want.Text, got.Text), diff(want.HTML, got.HTML))
		}
		if !m.SameShared(sampleMinutes()) {
			continue
		}
		if got, err = set.Render("minutes", m.WithMemo(memo)); err != nil || got != want {
			t.Errorf("minutes to %s through a memo: %v\ntext:\n%s\nhtml:\n%s", m.RecipientEmail, err, diff(want.Text, got.Text), diff(want.HTML, got.HTML))
		}
	}
}

func TestSameShared(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Minutes)
		same   bool
	}{
		{"nothing", func(*Minutes) {}, true},
		{"the reader", func(m *Minutes) { m.RecipientName, m.RecipientEmail = "Dan", "dan@example.org" }, true},
		{"the problems", func(m *Minutes) { m.Problems = []string{"line 3: no owner"} }, true},
		{"the calendar", func(m *Minutes) { m.HasICS = !m.HasICS }, true},
		{"the project", func(m *Minutes) { m.Project = "Other" }, false},
		{"the title", func(m *Minutes) { m.Title += "!" }, false},
		{"the date", func(m *Minutes) { m.Date = "Wed 25 Nov 2026" }, false},
		{"an attendee", func(m *Minutes) { m.Attendees = append(m.Attendees[:len(m.Attendees):len(m.Attendees)], "Erin Fox") }, false},
		{"a decision", func(m *Minutes) { m.Decisions = m.Decisions[:1] }, false},
		{"an item's due date", func(m *Minutes) {
			m.Items = append([]Item(nil), m.Items...)
			m.Items[1].Due = "Sat 5 Dec 2099"
		}, false},
		{"a risk", func(m *Minutes) { m.Risks = nil }, false},
		{"a change", func(m *Minutes) { m.Changes = append(m.Changes, Change{Kind: "scope", Text: "more"}) }, false},
		{"corrected", func(m *Minutes) { m.Corrected = true }, false},
		{"the notes", func(m *Minutes) { m.Notes = "" }, false},
		{"the next meeting", func(m *Minutes) { m.NextMeeting = "" }, false},
	} {
		m := sampleMinutes()
		tc.change(&m)
		if got := m.SameShared(sampleMinutes()); got != tc.same {
			t.Errorf("SameShared after changing %s = %v, want %v", tc.name, got, tc.same)
		}
	}
}

// A section whose render panics fails the mail that rendered it and every
// later one that shares it, instead of leaving them an empty section.
func TestMemoSectionPanics(t *testing.T) {
	memo := NewMemo()
	k := memoKey{kind: "minutes", name: "minutes-body"}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("the first render's panic was swallowed")
			}
		}()
		memo.section(k, func() (string, error) { panic("template bug") })
	}()
	out, err := memo.section(k, func() (string, error) { return "rendered again", nil })
	if err == nil || !strings.Contains(err.Error(), "template bug") {
		t.Errorf("after a panic, section = %q, %v; want the panic as an error", out, err)
	}
}

// "shared" on data without shared sections is an error that says so.
func TestSharedNeedsSections(t *testing.T) {
	dir := t.TempDir()
	src, err := embedded.ReadFile("ack.txt.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	override := string(src) + `{{shared "x" .}}{{define "x"}}x{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "ack.txt.tmpl"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Render("ack", Sample("ack"))
	if err == nil || !strings.Contains(err.Error(), "no sections shared between readers") {
		t.Errorf("Render(ack with a shared section) = %v, want an error naming the problem", err)
	}
}
