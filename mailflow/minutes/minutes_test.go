package minutes

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

// The project of the fixtures: an EHR rollout at a clinic in Paris.
var (
	paris, _ = time.LoadLocation("Europe/Paris")
	clinic   = []mailflow.Member{
		{Person: mailflow.Person{Name: "Priya Shah", Email: "priya@clinic.example"}, Role: mailflow.RoleChair},
		{Person: mailflow.Person{Name: "Alice Moreau", Email: "alice@clinic.example"}, Role: mailflow.RoleMember},
		{Person: mailflow.Person{Name: "Bob Okafor", Email: "bob@clinic.example"}, Role: mailflow.RoleMember},
		{Person: mailflow.Person{Name: "Carol Nguyen", Email: "carol@clinic.example"}, Role: mailflow.RoleMember},
		{Person: mailflow.Person{Name: "Dan Weber", Email: "dan.weber@clinic.example"}, Role: mailflow.RoleMember},
	}
	clinicOpts = Options{Location: paris, Roster: clinic}
)

const (
	priya = "priya@clinic.example"
	alice = "alice@clinic.example"
	bob   = "bob@clinic.example"
	carol = "carol@clinic.example"
	dan   = "dan.weber@clinic.example"
)

// readEML reads a fixture from testdata.
func readEML(t testing.TB, name string) *mailtext.Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mailtext.Read(raw)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return msg
}

// item is an action item as a person would write it down.
type item struct {
	text   string
	owner  string   // email, or the name as written when nobody has an address
	owners []string // when several
	due    string   // ISO date or ""
	status mailflow.ItemStatus
}

func (w item) matches(it mailflow.ActionItem) bool {
	st := w.status
	if st == "" {
		st = mailflow.ItemOpen
	}
	return it.Text == w.text && it.Owner == w.owner && slices.Equal(it.Owners, w.owners) &&
		it.Due.String() == w.due && it.Status == st
}

type risk struct {
	desc, likelihood, impact, mitigation, owner string
}

func (w risk) matches(r mailflow.Risk) bool {
	return r.Description == w.desc && string(r.Likelihood) == w.likelihood && string(r.Impact) == w.impact &&
		r.Mitigation == w.mitigation && r.Owner == w.owner
}

// parseCase is one fixture and everything a reader would write down from it.
type parseCase struct {
	file      string
	opts      Options
	title     string
	date      string
	items     []item
	risks     []risk
	decisions []string
	changes   []string // "kind: text"
	problems  []string // a substring of each problem's reason, in order
}

func checkParse(t *testing.T, c parseCase) {
	t.Helper()
	opts := c.opts
	if opts.Location == nil {
		opts = clinicOpts
	}
	m := Parse(readEML(t, c.file), opts)
	if c.title != "" && m.Meeting.Title != c.title {
		t.Errorf("title = %q, want %q", m.Meeting.Title, c.title)
	}
	if c.date != "" && m.Meeting.Date.String() != c.date {
		t.Errorf("meeting date = %s, want %s", m.Meeting.Date, c.date)
	}
	if len(m.ActionItems) != len(c.items) {
		t.Errorf("got %d items, want %d:%s", len(m.ActionItems), len(c.items), dump(m))
	}
	for i := 0; i < min(len(m.ActionItems), len(c.items)); i++ {
		if got, want := m.ActionItems[i], c.items[i]; !want.matches(got) {
			t.Errorf("item %d = {%q owner %q owners %q due %s %s}, want %+v", i, got.Text, got.Owner, got.Owners, got.Due, got.Status, want)
		}
	}
	if len(m.Risks) != len(c.risks) {
		t.Errorf("got %d risks, want %d:%s", len(m.Risks), len(c.risks), dump(m))
	}
	for i := 0; i < min(len(m.Risks), len(c.risks)); i++ {
		if got, want := m.Risks[i], c.risks[i]; !want.matches(got) {
			t.Errorf("risk %d = {%q %s/%s mitigation %q owner %q}, want %+v", i, got.Description, got.Likelihood, got.Impact, got.Mitigation, got.Owner, want)
		}
	}
	var decisions []string
	for _, d := range m.Decisions {
		decisions = append(decisions, d.Text)
	}
	if !slices.Equal(decisions, c.decisions) {
		t.Errorf("decisions = %q, want %q", decisions, c.decisions)
	}
	var changes []string
	for _, ch := range m.Changes {
		changes = append(changes, string(ch.Kind)+": "+ch.Text)
	}
	if !slices.Equal(changes, c.changes) {
		t.Errorf("changes = %q, want %q", changes, c.changes)
	}
	if len(m.Problems) != len(c.problems) {
		t.Errorf("got %d problems, want %d: %v", len(m.Problems), len(c.problems), m.Problems)
	}
	for i := 0; i < min(len(m.Problems), len(c.problems)); i++ {
		if !strings.Contains(m.Problems[i].String(), c.problems[i]) {
			t.Errorf("problem %d = %q, want one about %q", i, m.Problems[i], c.problems[i])
		}
	}
}

// TestParse reads one fixture per format of the issue and checks what a
// person would write down from it.
func TestParse(t *testing.T) {
	cases := []parseCase{
		{
			file: "label-lines.eml", title: "EHR rollout weekly", date: "2026-11-24",
			items: []item{
				{text: "draft the training plan", owner: alice, due: "2026-12-01"},
				{text: "confirm the interface test window", owner: bob, due: "2026-11-27"},
			},
			risks:     []risk{{"interface vendor late", "high", "high", "weekly vendor call", bob}},
			decisions: []string{"Go-live stays on 2027-02-01 for the outpatient clinics"},
			changes:   []string{"schedule: pharmacy module moves from January to March"},
		},
		{
			// Label lines: ACTION:, Action item:, AI:, TODO:, W3C "ACTION bob:",
			// [Name], @handle, (owner: …, due: …), status tags.
			file: "labels.eml", title: "EHR weekly", date: "2026-11-24",
			items: []item{
				{text: "send the training plan", owner: alice, due: "2026-11-27"},
				{text: "confirm the interface test window", owner: bob, due: "2026-12-03"},
				{text: "order badge readers for wards 3 and 4", owner: carol},
				{text: "update the downtime binder", owner: dan, due: "2026-11-30"},
				{text: "chase the vendor about build 7.3", owner: bob},
				{text: "book the training rooms", owner: carol}, // "next week" is no day
				{text: "draft the cutover checklist", owner: alice},
				{text: "Review the go-live criteria", owner: priya, due: "2026-12-03"},
				{text: "fix the label printers", owner: dan, status: mailflow.ItemDone},
				{text: "agree the super-user rota", owner: alice, owners: []string{alice, bob}, due: "2026-11-27"},
				{text: "circulate the slides", owner: carol, due: "2026-11-25"},
			},
			problems: []string{`line 9: due "next week" is not a day, so no due date is set (write a day, e.g. Friday or Dec 11)`},
		},
		{
			// Day/month order is the project's: 12/3 is 12 March here.
			file: "labels.eml", opts: Options{Location: paris, Roster: clinic, Dates: dates.Options{DayFirst: true}},
			items: []item{
				{text: "send the training plan", owner: alice, due: "2026-11-27"},
				{text: "confirm the interface test window", owner: bob, due: "2027-03-12"},
				{text: "order badge readers for wards 3 and 4", owner: carol},
				{text: "update the downtime binder", owner: dan, due: "2026-11-30"},
				{text: "chase the vendor about build 7.3", owner: bob},
				{text: "book the training rooms", owner: carol}, // "next week" is no day
				{text: "draft the cutover checklist", owner: alice},
				{text: "Review the go-live criteria", owner: priya, due: "2027-03-12"},
				{text: "fix the label printers", owner: dan, status: mailflow.ItemDone},
				{text: "agree the super-user rota", owner: alice, owners: []string{alice, bob}, due: "2026-11-27"},
				{text: "circulate the slides", owner: carol, due: "2026-11-25"},
			},
			problems: []string{`line 9: due "next week" is not a day, so no due date is set (write a day, e.g. Friday or Dec 11)`},
		},
		{
			// Sections with numbers, wrapped lines, paragraphs and bullets;
			// "Next meeting:" after the risks is not a risk.
			file: "sections.eml", title: "pharmacy workstream",
			items: []item{
				{text: "draft the nurse training plan", owner: alice, due: "2026-12-01"},
				{text: "confirm the interface test window with the vendor", owner: bob, due: "2026-12-04"},
				{text: "update the downtime procedures binder", owner: dan, due: "2026-11-30"},
				{text: "Update the wiki with the new contacts"},
				{text: "collect the ward champions list", owner: carol, due: "2026-11-27"},
				{text: "send the test scripts to the vendor", owner: bob, due: "2026-12-08"},
				{text: "ask finance about the extra licences", owner: priya, due: "2026-12-01"},
			},
			risks:     []risk{{"Pharmacy interface vendor late", "high", "high", "weekly vendor call", bob}},
			decisions: []string{"Pharmacy go-live stays on 1 February 2027", "Training uses the vendor sandbox only"},
			problems:  []string{"line 24: no owner"},
		},
		{
			// A Markdown table with its columns in another order, several
			// owners in a cell, a done status, an unreadable date, a row
			// with no action; and a risk register table.
			file: "markdown-table.eml", title: "EHR weekly",
			items: []item{
				{text: "Draft the training plan", owner: alice, due: "2026-12-01"},
				{text: "Confirm the interface test window", owner: bob, due: "2026-11-27"},
				{text: "Order badge readers", owner: carol, owners: []string{carol, alice}, due: "2026-12-03"},
				{text: "Fix the printers", owner: dan, due: "2026-11-20", status: mailflow.ItemDone},
				{text: "Book the rooms", owner: carol},
			},
			risks: []risk{
				{"Interface vendor late", "high", "high", "Weekly vendor call", bob},
				{"Super-users unavailable in flu season", "low", "medium", "Backfill rota", alice},
				{"Budget overrun", "", "low", "Monthly review", priya},
			},
			problems: []string{"line 11: table row has no action", `line 12: cannot read due date "ASAP"`, `line 20: cannot read likelihood "unclear"`},
		},
		{
			// HTML only (Word): a table with the owner first, <br> in a cell,
			// "Bob & Alice", an attendee the roster does not know.
			file: "html-table.eml", opts: Options{Location: paris, Roster: clinic, Dates: dates.Options{DayFirst: true}},
			title: "EHR weekly", date: "2026-11-24",
			items: []item{
				{text: "Draft the training plan", owner: alice, due: "2026-12-01"},
				{text: "Send the label template to the print shop", owner: "Jürgen", due: "2026-11-27"},
				{text: "Confirm the test window / cutover", owner: bob, owners: []string{bob, alice}},
			},
			risks:     []risk{{"Vendor late", "high", "high", "Weekly call", ""}},
			decisions: []string{"Go-live stays on 1 February 2027", "Pharmacy module moves to March"},
			problems:  []string{`owner "Jürgen" has no email address`},
		},
		{
			// multipart/alternative whose text part lost the table: the
			// HTML part is read instead.
			file: "alternative.eml",
			items: []item{
				{text: "Draft the training plan", owner: alice, due: "2026-12-01"},
				{text: "Confirm the test window", owner: bob, due: "2026-11-27"},
			},
		},
		{
			file: "checklist.eml", title: "hardware walk-through", date: "2026-11-24",
			items: []item{
				{text: "order badges", owner: bob, due: "2026-12-01"},
				{text: "label the docking stations", owner: carol, status: mailflow.ItemDone},
				{text: "test the barcode scanners on ward 4", owner: carol, due: "2026-11-26"},
				{text: "swap the broken monitor", owner: alice, status: mailflow.ItemDone},
				{text: "find a home for the spare printers"},
			},
			problems: []string{"line 7: no owner"},
		},
		{
			// MeetBot: summary, "Action Items", "Action Items, by person" and
			// the log all list the same actions; nicks resolve to the roster.
			file: "meetbot.eml", title: "EHR infra weekly", date: "2026-11-24",
			items: []item{
				{text: "send patch to infra list enabling keepalive", owner: bob},
				{text: "make a choice on the backup keys", owner: alice},
				{text: "check the UPS batteries", owner: carol, due: "2026-11-27"},
			},
			decisions: []string{"we keep the old interface engine until go-live"},
		},
		{
			// W3C scribe minutes: ACTION:, ACTION nick:, RESOLUTION:,
			// present+, [NEW]/[DONE] in the summary, [recorded in …].
			file: "w3c.eml", date: "2026-11-24",
			items: []item{
				{text: "send the revised test plan", owner: alice, due: "2026-11-27"},
				{text: "confirm the test window with the vendor", owner: bob},
				{text: "book the meeting room", owner: priya, status: mailflow.ItemDone},
			},
			decisions: []string{"interface testing restarts on 1 December"},
		},
		{
			// Key/value blocks for actions (Action:/Task:) and a risk.
			file: "keyvalue.eml", title: "cutover planning",
			items: []item{
				{text: "Draft the cutover runbook", owner: alice, due: "2026-12-04"},
				{text: "Book the command centre room", owner: "bob.okafor@clinic.example", due: "2026-12-08"},
				{text: "Confirm pharmacy freeze window", owner: carol, due: "2026-11-30"},
				{text: "Arrange weekend catering", owner: dan},
			},
			risks:    []risk{{"Interface engine cannot be frozen in time", "medium", "high", "Freeze non-critical interfaces a week early", bob}},
			problems: []string{`line 18: cannot read due date "sometime soon"`},
		},
		{
			// Risks as RISK: lines and a section, graded in words, L/M/H,
			// scores and percentages.
			file: "risks.eml",
			risks: []risk{
				{"Interface vendor late", "high", "high", "weekly vendor call", bob},
				{"Not enough super-users on nights", "low", "medium", "", alice},
				{"Printer drivers unsupported on new thin clients", "high", "low", "", ""},
				{"Data migration overruns the cutover weekend", "medium", "high", "dress rehearsal on 12 Dec", carol},
				{"Key trainer leaves", "medium", "low", "", ""},
				{"Budget overrun", "", "", "", ""},
				{"Vendor impact on the schedule is unclear", "", "", "", ""},
			},
			decisions: []string{"Keep the old lab system read-only for a year"},
			problems:  []string{`cannot read likelihood "sometimes"`, `cannot read impact "7"`, "no action items found"},
		},
		{
			file: "decisions-changes.eml", date: "2026-11-24",
			decisions: []string{
				"Go-live for outpatient clinics stays on 1 February 2027",
				"Super-user training uses the vendor sandbox only",
				"Weekly status reports go to the board",
				"the pharmacy module moves to phase 2",
				"The old lab system stays read-only for a year",
			},
			changes: []string{
				"scope: Radiology module descoped to phase 2",
				"schedule: pharmacy go-live moves from January to March 2027",
				"scope: add the maternity ward to the pilot",
				"schedule: Dress rehearsal moved to 12 December",
				"change: Training starts a week later",
			},
			problems: []string{"no action items found"}, // never silent: the sender learns how to mark one
		},
		{
			// multipart/mixed: "see attached" body, Markdown attachment
			// (base64), and an image that is not read.
			file: "attachment-markdown.eml",
			items: []item{
				{text: "send the training plan", owner: alice, due: "2026-12-01"},
				{text: "order badges", owner: bob, due: "2026-12-04"},
			},
			decisions: []string{"Go-live stays on 1 February 2027"},
		},
		{
			// An HTML attachment sent as application/octet-stream.
			file: "attachment-html.eml",
			items: []item{
				{text: "confirm the interface test window", owner: bob, due: "2026-11-27"},
				{text: "order 40 badge readers", owner: carol, due: "2026-12-02"},
			},
			risks: []risk{{"Badge reader stock runs out", "medium", "low", "", ""}},
		},
		{
			// ISO-8859-1, quoted-printable, format=flowed; quoted text is
			// older mail; the roster spells Jürgen without the umlaut.
			file: "latin1-flowed.eml",
			opts: Options{Location: paris, Roster: append(slices.Clone(clinic),
				mailflow.Member{Person: mailflow.Person{Name: "Jurgen Muller", Email: "jurgen@clinic.example"}})},
			title: "Protokoll/Büro weekly",
			items: []item{
				{text: "translate the quick reference guide for the ward clerks", owner: "jurgen@clinic.example", due: "2026-12-03"},
				{text: "review the translation", owner: alice, due: "2026-11-27"},
			},
		},
		{
			// Owners by full, first and last name, handle, local part and
			// address; several owners; ambiguous, unknown and nobody.
			file: "owners.eml",
			opts: Options{Location: paris, Roster: []mailflow.Member{
				{Person: mailflow.Person{Name: "Priya Shah", Email: priya}},
				{Person: mailflow.Person{Name: "Alice Moreau", Email: alice}},
				{Person: mailflow.Person{Name: "Alice Martin", Email: "amartin@clinic.example"}},
				{Person: mailflow.Person{Name: "Eric Huss", Email: "ehuss@lab.example"}},
			}},
			items: []item{
				{text: "book the rooms", owner: "Alice"},
				{text: "order lunch", owner: "amartin@clinic.example"},
				{text: "print the handouts", owner: alice},
				{text: "set up the projector", owner: "amartin@clinic.example"},
				{text: "update the wiki", owner: "ehuss@lab.example"},
				{text: "send the invitations", owner: "Eric"},
				{text: "review the agenda", owner: alice, owners: []string{alice, priya}},
				{text: "bring the badges", owner: "Zoe"},
				{text: "fix the printers", owner: "Zed"},
				{text: "read the runbook"},
				{text: "chair the dry run", owner: alice},
				{text: "collect the feedback forms", owner: priya, owners: []string{priya, "amartin@clinic.example"}},
			},
			problems: []string{
				`line 4: owner "Alice" is ambiguous: could be Alice Moreau <alice@clinic.example> or Alice Martin <amartin@clinic.example>`,
				`line 9: owner "Eric" is ambiguous: could be Eric Huss <ehuss@lab.example> or Eric Holk <eholk@lab.example>`,
				`line 11: owner "Zoe" has no email address`,
				`line 12: owner "Zed" matches nobody`,
				`line 13: no owner: "Everyone" is not one person`,
			},
		},
		{
			// Prose that mentions actions, decisions, risks and names.
			file: "prose.eml",
		},
		{
			// Outlook: the text part's "*    " bullets, and an HTML part of
			// Word list paragraphs.
			file: "outlook-lists.eml",
			items: []item{
				{text: "send the training plan", owner: alice, due: "2026-11-27"},
				{text: "book the rooms", owner: bob},
			},
		},
		{
			// A tab-separated table pasted from a tracker, and a plain-text
			// table with aligned columns and a wrapped row.
			file: "plain-tables.eml",
			items: []item{
				{text: "Order the docking stations", owner: bob, due: "2026-12-01"},
				{text: "Label the printers", owner: carol, due: "2026-11-27", status: mailflow.ItemDone},
				{text: "Move the print server", owner: dan, due: "2026-11-30"},
				{text: "Test the barcode scanners on ward 4 and ward 5", owner: carol, due: "2026-12-03"},
			},
		},
		{
			// Items grouped under their owner ("Action items, by person")
			// or under a topic; a note under an item is not an item.
			file: "grouping.eml",
			items: []item{
				{text: "send the rehearsal plan", owner: alice, due: "2026-11-27"},
				{text: "book the command centre", owner: alice},
				{text: "help with the slides", owner: carol},
				{text: "move the print server", owner: dan, due: "2026-11-30"},
				{text: "order network cables", owner: bob},
				{text: "Ask the vendor for a contact list"},
			},
			problems: []string{"line 14: no owner"},
		},
	}
	for _, c := range cases {
		name := strings.TrimSuffix(c.file, ".eml")
		if c.opts.Dates.DayFirst {
			name += "/dayfirst"
		}
		t.Run(name, func(t *testing.T) { checkParse(t, c) })
	}
}
