package engine_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/store"
	"mailflow/templates"
)

// leaves takes a member off the roster of a running engine, as an edited
// configuration would: items they own stay stored with their address.
func (h *harness) leaves(p person) {
	h.t.Helper()
	ms := h.cfg.Projects[0].Members
	i := slices.IndexFunc(ms, func(m config.Member) bool { return m.Email == p.email })
	if i < 0 {
		h.t.Fatalf("%s is not on the roster", p.email)
	}
	h.cfg.Projects[0].Members = slices.Delete(slices.Clone(ms), i, i+1)
}

// countLines counts the log lines that contain every one of parts.
func countLines(log string, parts ...string) int {
	n := 0
	for line := range strings.Lines(log) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

// Reminders go only to owners on the roster: an owner who left it gets no
// digest (logged once, with what they own), and nothing is recorded as
// reminded; everybody else's digest goes out as before.
func TestRemindersOnlyToRosterOwners(t *testing.T) {
	// On Mon 30 Nov at 08:00 the sample minutes give Alice a digest
	// (A-1 due tomorrow, R-2 lacking a mitigation) and Carol one (A-3
	// three days overdue); Bob's A-2 is not due yet and R-1 is complete.
	tests := []struct {
		name   string
		left   []person
		want   []string          // digest recipients
		warned map[string]string // owner → the refs their warning names
		unsent []string          // refs not recorded as reminded
	}{
		{"everybody on the roster", nil, []string{alice.email, carol.email}, nil, nil},
		{"Carol left", []person{carol}, []string{alice.email}, map[string]string{carol.email: "refs=A-3"}, []string{"A-3"}},
		{"Alice left", []person{alice}, []string{carol.email}, map[string]string{alice.email: `refs="A-1 R-2"`}, []string{"A-1", "R-2"}},
		{"both left", []person{alice, carol}, nil, map[string]string{alice.email: `refs="A-1 R-2"`, carol.email: "refs=A-3"}, []string{"A-1", "A-3", "R-2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.minutes()
			for _, p := range tc.left {
				h.leaves(p)
			}
			n := len(h.outbox())
			h.tickAt(time.Date(2026, 11, 30, 8, 0, 0, 0, h.loc))
			var got []string
			for to := range kinds(h, n, "reminder") {
				got = append(got, to)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("reminders to %v, want %v", got, tc.want)
			}
			logs := h.logs.String()
			for owner, refs := range tc.warned {
				if n := countLines(logs, "level=WARN", "owner is not on the roster; no reminder sent", "owner="+owner, refs); n != 1 {
					t.Errorf("%d warnings naming %s with %s, want 1; log:\n%s", n, owner, refs, logs)
				}
			}
			if n := countLines(logs, "owner is not on the roster"); n != len(tc.warned) {
				t.Errorf("%d roster warnings, want %d; log:\n%s", n, len(tc.warned), logs)
			}
			for _, ref := range tc.unsent {
				var when string
				if strings.HasPrefix(ref, "R-") {
					when = h.risk(ref).LastNudged
				} else {
					when = h.item(ref).LastReminded
				}
				if when != "" {
					t.Errorf("%s recorded as reminded on %s, though nobody was mailed", ref, when)
				}
			}
		})
	}
}

// overrideTemplates loads the embedded templates with files from a
// directory taking their place, as templates_dir does.
func overrideTemplates(t *testing.T, files map[string]string) *templates.Set {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := templates.Load(dir)
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	return set
}

// An operator's reminder subject that assumes every digest has an overdue
// item fails for Alice (nothing of hers is overdue) and works for Carol:
// Alice's digest is logged and skipped, Carol's goes out, and the tick
// goes on to the status report.
func TestReminderThatCannotBeRenderedDoesNotStopTheOthers(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	h.eng.SetTemplates(overrideTemplates(t, map[string]string{
		"reminder.subject.tmpl": `{{(index .Overdue 0).Ref}} is overdue`,
	}))
	n := len(h.outbox())
	h.tickAt(time.Date(2026, 11, 30, 8, 0, 0, 0, h.loc)) // fails the test if Tick returns an error
	got := kinds(h, n, "reminder")
	if len(got) != 1 || got[carol.email] != 1 {
		t.Fatalf("reminders %v, want Carol's only", got)
	}
	if subj := header(t, mailTo(t, h.mailsSince(n), "reminder", carol.email), "Subject"); subj != "A-3 is overdue" {
		t.Errorf("Carol's reminder subject %q, want the override's", subj)
	}
	logs := h.logs.String()
	if countLines(logs, "level=ERROR", "reminder not sent", "owner="+alice.email) != 1 {
		t.Errorf("Alice's failed digest was not logged once as an error; log:\n%s", logs)
	}
	if last := h.item("A-1").LastReminded; last != "" {
		t.Errorf("A-1 recorded as reminded on %s, though its digest was not sent", last)
	}
	if last := h.item("A-3").LastReminded; last != "2026-11-30" {
		t.Errorf("A-3 last reminded %q, want 2026-11-30", last)
	}
	ran, err := h.st.LastRun(t.Context(), h.eng.Projects()[0].ID, "status")
	if err != nil || ran.IsZero() {
		t.Errorf("the status report's schedule was not run after the reminders (last run %v, %v)", ran, err)
	}
}

// A reassignment names a roster member: an address off the roster, or one
// the outbox could not send to, is refused with the reason and changes
// nothing.
func TestReassignOnlyToRosterMembers(t *testing.T) {
	tests := []struct {
		name, text, ref string
		owner           string // the owner afterwards
		err             string // what the error mail must say; "" for an ack
	}{
		{"item to a stranger", "reassign A-2 to carol@elsewhere.example", "A-2", bob.email,
			`"carol@elsewhere.example" is not on the project roster; ask the chair to add them, then reassign`},
		{"item to a stranger by name and address", "A-2 owner Dave Vendor <Dave@Vendor.example>", "A-2", bob.email,
			`"dave@vendor.example" is not on the project roster`},
		{"risk to a stranger", "R-1 owner sam@elsewhere.example", "R-1", bob.email,
			`"sam@elsewhere.example" is not on the project roster`},
		{"item to an address that cannot be mailed", `reassign A-2 to "odd guy"@evil.example`, "A-2", bob.email,
			"is not on the project roster"},
		{"item to a member whose address cannot be mailed", "reassign A-2 to Odd Guy", "A-2", bob.email,
			"is not an address mailflow can send to"},
		{"item to a member by address", "reassign A-2 to carol@clinic.example", "A-2", carol.email, ""},
		{"risk to a member by name", "R-1 owner Alice", "R-1", alice.email, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.minutes()
			// The configuration accepts a member written "odd guy"@clinic.example
			// and keeps the address unquoted, which no mail can be sent to.
			// (Joining before the minutes, they would fail those too.)
			h.cfg.Projects[0].Members = append(h.cfg.Projects[0].Members, config.Member{Name: "Odd Guy", Email: "odd guy@clinic.example"})
			owner := func() (string, any) {
				if strings.HasPrefix(tc.ref, "R-") {
					r := h.risk(tc.ref)
					return r.Owner, r
				}
				it := h.item(tc.ref)
				return it.Owner, it
			}
			_, before := owner()
			n := len(h.outbox())
			h.deliver(h.replyTo(h.minutesMailTo(bob), bob, tc.text))
			got, after := owner()
			if got != tc.owner {
				t.Errorf("%q: %s owner %q, want %q", tc.text, tc.ref, got, tc.owner)
			}
			ms := h.mailsSince(n)
			if tc.err == "" {
				if k := countKinds(ms); k["ack"] != 1 || k["error"] != 0 {
					t.Errorf("%q: answered with %v, want one ack", tc.text, k)
				}
				return
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("%q changed %s:\nbefore %+v\nafter  %+v", tc.text, tc.ref, before, after)
			}
			if k := countKinds(ms); k["ack"] != 0 || k["error"] != 1 {
				t.Fatalf("%q: answered with %v, want one error mail", tc.text, k)
			}
			if text := flat(body(t, mailTo(t, ms, "error", bob.email))); !strings.Contains(text, tc.err) {
				t.Errorf("%q: error mail lacks %q:\n%s", tc.text, tc.err, text)
			}
		})
	}
}

const vendorMinutes = `Attendees: Priya Shah, Alice Moreau, Dave Vendor <dave@vendor.example>

ACTION: Alice to draft the training plan by 2026-12-01
ACTION: dave@vendor.example to send the interface spec by 2026-11-30
ACTION: Dave Vendor to ship the test kit by 2026-12-01
RISK: interface spec late (likelihood high, impact high) mitigation: weekly vendor call; owner dave@vendor.example
`

// Minutes may name an owner who is not on the roster: the item or risk is
// stored with the name as written and no owner address, the sender's copy
// says why and what to do, and nobody off the roster is reminded.
func TestMinutesOwnerNotOnRoster(t *testing.T) {
	h := newHarness(t)
	res := h.deliver(msg{from: chair, subject: "Minutes: vendor call 2026-11-24", body: vendorMinutes, signed: true})
	if res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("minutes: %+v", res)
	}
	owners := []struct{ ref, owner, ownerName string }{
		{"A-1", alice.email, "Alice"},
		{"A-2", "", "dave@vendor.example"},
		{"A-3", "", "Dave Vendor"},
		{"R-1", "", "dave@vendor.example"},
	}
	for _, w := range owners {
		var owner, name string
		if strings.HasPrefix(w.ref, "R-") {
			r := h.risk(w.ref)
			owner, name = r.Owner, r.OwnerName
		} else {
			it := h.item(w.ref)
			owner, name = it.Owner, it.OwnerName
		}
		if owner != w.owner || name != w.ownerName {
			t.Errorf("%s owner %q (%q), want %q (%q)", w.ref, owner, name, w.owner, w.ownerName)
		}
	}
	ms := h.outbox()
	copyText := flat(body(t, mailTo(t, ms, "minutes", chair.email)))
	for _, ref := range []string{"A-2", "A-3", "R-1"} {
		want := ref + ": dave@vendor.example is not on the project roster, so " + ref + ` has no owner who gets reminders; add them to the roster or reassign it ("reassign ` + ref + " to"
		if !strings.Contains(copyText, want) {
			t.Errorf("the sender's copy lacks %q:\n%s", want, copyText)
		}
	}
	if strings.Contains(copyText, "A-1: ") {
		t.Errorf("the sender's copy flags Alice's A-1:\n%s", copyText)
	}
	if text := flat(body(t, mailTo(t, ms, "minutes", alice.email))); strings.Contains(text, "not on the project roster") {
		t.Errorf("a participant's copy shows the sender's problems:\n%s", text)
	}

	// Mon 30 Nov: A-2 is due today and A-3 tomorrow, but only Alice
	// is reminded; nobody has a digest to queue for the vendor.
	n := len(h.outbox())
	h.tickAt(time.Date(2026, 11, 30, 8, 0, 0, 0, h.loc))
	if got := kinds(h, n, "reminder"); len(got) != 1 || got[alice.email] != 1 {
		t.Errorf("reminders %v, want Alice's only", got)
	}

	// Corrected minutes that give A-2 to Bob keep every now has
	// an owner and is no longer flagged; still are.
	corrected := strings.Replace(vendorMinutes, "dave@vendor.example to send", "Bob to send", 1)
	n = len(h.outbox())
	res = h.deliver(msg{from: chair, subject: "Corrected minutes: vendor call 2026-11-24", body: corrected, signed: true})
	if res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("corrected minutes: %+v", res)
	}
	if got := h.countItems(); got != 3 {
		t.Errorf("%d items after the correction, want the same 3", got)
	}
	if it := h.item("A-2"); it.Owner != bob.email || it.Status != "open" {
		t.Errorf("A-2 after the correction: owner %q, status %s; want Bob's, open", it.Owner, it.Status)
	}
	if it := h.item("A-3"); it.Owner != "" || it.OwnerName != "Dave Vendor" || it.Status != "open" {
		t.Errorf("A-3 after the correction: owner %q (%q), status %s", it.Owner, it.OwnerName, it.Status)
	}
	copyText = flat(body(t, mailTo(t, h.mailsSince(n), "minutes", chair.email)))
	if strings.Contains(copyText, "A-2: dave@vendor.example") {
		t.Errorf("the corrected copy still flags A-2:\n%s", copyText)
	}
	for _, ref := range []string{"A-3", "R-1"} {
		if !strings.Contains(copyText, ref+": dave@vendor.example is not on the project roster") {
			t.Errorf("the corrected copy no longer flags %s:\n%s", ref, copyText)
		}
	}
}
