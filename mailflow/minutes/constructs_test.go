package minutes

import (
	"slices"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/mailtext"
)

// The tests here give one small fixture per construct of minutes written
// by people outside the project (issue 15): what a reader would write
// down from it — items with owner and due, decisions — and the problems
// the sender hears about. The project is the clinic of minutes_test.go;
// the meeting is on Tuesday 24 November 2026.

// textCase is minutes written as the body of a plain-text mail.
type textCase struct {
	name      string
	subject   string // "Minutes: EHR weekly" when empty
	body      string
	items     []item
	decisions []string
	problems  []string // a substring of each problem, in order; nil means none
}

// meetingDay is when the fixtures' meeting was held.
var meetingDay = time.Date(2026, 11, 24, 17, 0, 0, 0, paris)

// parseText parses body as minutes sent by the chair.
func parseText(t *testing.T, subject, body string) mailflow.Minutes {
	t.Helper()
	if subject == "" {
		subject = "Minutes: EHR weekly"
	}
	msg := &mailtext.Message{Subject: subject, Date: meetingDay, Text: body,
		From: mailflow.Person{Name: "Priya Shah", Email: priya}}
	return Parse(msg, clinicOpts)
}

func checkText(t *testing.T, c textCase) {
	t.Helper()
	m := parseText(t, c.subject, c.body)
	if len(m.ActionItems) != len(c.items) {
		t.Errorf("Parse(%q) gave %d items, want %d:%s", c.body, len(m.ActionItems), len(c.items), dump(m))
	}
	for i := 0; i < min(len(m.ActionItems), len(c.items)); i++ {
		if got, want := m.ActionItems[i], c.items[i]; !want.matches(got) {
			t.Errorf("Parse(%q) item %d = {%q owner %q owners %q due %s %s}, want %+v", c.body, i, got.Text, got.Owner, got.Owners, got.Due, got.Status, want)
		}
	}
	var decisions []string
	for _, d := range m.Decisions {
		decisions = append(decisions, d.Text)
	}
	if !slices.Equal(decisions, c.decisions) {
		t.Errorf("Parse(%q) decisions = %q, want %q", c.body, decisions, c.decisions)
	}
	if len(m.Problems) != len(c.problems) {
		t.Errorf("Parse(%q) gave %d problems, want %d: %v", c.body, len(m.Problems), len(c.problems), m.Problems)
	}
	for i := 0; i < min(len(m.Problems), len(c.problems)); i++ {
		if !strings.Contains(m.Problems[i].String(), c.problems[i]) {
			t.Errorf("Parse(%q) problem %d = %q, want one about %q", c.body, i, m.Problems[i], c.problems[i])
		}
	}
}

func runTextCases(t *testing.T, cases []textCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkText(t, c) })
	}
}

// TestProse: actions written as sentences, with no heading or label.
func TestProse(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "will, no heading",
			body:  "We went through the training plan.\n\nAlice will finish the super-user roster by Thursday.\n",
			items: []item{{text: "finish the super-user roster", owner: alice, due: "2026-11-26"}},
		},
		{
			name:  "will with a date",
			body:  "Cutover\nPriya will write the runbook by December 11.\n",
			items: []item{{text: "write the runbook", owner: priya, due: "2026-12-11"}},
		},
		{
			name:  "will, a task with to in it",
			body:  "The vendor's spec is out of date. Bob will ask the authors to update the spec.\n",
			items: []item{{text: "ask the authors to update the spec", owner: bob}},
		},
		{
			name:  "speaker line",
			body:  "Discussion\n- Dan: will write a PR by tomorrow\n- Carol: not sure the vendor agrees\n",
			items: []item{{text: "write a PR", owner: dan, due: "2026-11-25"}},
		},
		{
			name:  "first person under a speaker's name",
			body:  "Round table\n\nCarol:\n- I'll reach out to them about the labels.\n- The printers are fine.\n",
			items: []item{{text: "reach out to them about the labels", owner: carol}},
		},
		{
			name:  "X to check at the end of a paragraph",
			body:  "Printers\nWard 4 still reports jams on the label printers. Nobody knows why. Bob to check.\n",
			items: []item{{text: "check", owner: bob}},
		},
		{
			name:  "for the next meeting is not a due date",
			body:  "Carol to send out a doodle for the next meeting.\n",
			items: []item{{text: "send out a doodle for the next meeting", owner: carol}},
		},
		{
			name:  "is going to, after an introduction",
			body:  "For now, Dan is going to form a group with the ward managers.\n",
			items: []item{{text: "form a group with the ward managers", owner: dan}},
		},
		{
			name:  "he stands for the name the sentence starts with",
			body:  "Bob has several todos that he will take care of and he will also chase the vendor.\n",
			items: []item{{text: "take care of and he will also chase the vendor", owner: bob}},
		},
		{
			name:  "a request by name in a note",
			body:  "Hi all, the recap is below. Alice, can you also add the new contact numbers to the intranet page by Thursday? Thanks.\n",
			items: []item{{text: "add the new contact numbers to the intranet page", owner: alice, due: "2026-11-26"}},
		},
		{
			name:     "asked someone to",
			body:     "Priya asked all ward managers to add their training dates to the calendar.\n",
			items:    []item{{text: "add their training dates to the calendar", owner: "all ward managers"}},
			problems: []string{`owner "all ward managers" matches nobody`},
		},
		{
			name:      "decided someone would",
			body:      "The board decided Dan would be sending the letter to the vendor on Dec 3.\n",
			items:     []item{{text: "sending the letter to the vendor", owner: dan, due: "2026-12-03"}},
			decisions: []string{"The board decided Dan would be sending the letter to the vendor on Dec 3"},
		},
		{
			name: "an imperative that names its owner at the end",
			body: "Discussion\n- Send the list to pharmacy (Assigned to Dan Weber)\n- Print the packs and deliver them before Dec 4. - Carol Nguyen\n- Review the spec (Phase Two)\n",
			items: []item{
				{text: "Send the list to pharmacy", owner: dan},
				{text: "Print the packs and deliver them", owner: carol, due: "2026-12-04"},
			},
		},
		{
			name: "hedges, states and external parties are not actions",
			body: "Carol will probably want to see it before Friday. Alice to be fair did most of the work.\n" +
				"The vendor will send build 7.3 next week. The printers will be replaced.\n",
			problems: []string{"no action items found"},
		},
	})
}

// TestMarkers: the inline tags people put in running notes.
func TestMarkers(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:     "AI(initials)",
			body:     "Notes\nAI(BT) set up the meeting with the vendor\n",
			items:    []item{{text: "set up the meeting with the vendor", owner: "BT"}},
			problems: []string{`owner "BT" matches nobody`},
		},
		{
			name:  "AI(handle@):",
			body:  "Notes\nAI(alice@): review the interface spec\n",
			items: []item{{text: "review the interface spec", owner: alice}},
		},
		{
			name:  "ACTION(owner)",
			body:  "Notes\nACTION(bob) send the revised quote\n",
			items: []item{{text: "send the revised quote", owner: bob}},
		},
		{
			name:  "[ACTION]",
			body:  "Notes\n[ACTION] Carol to book the training room\n",
			items: []item{{text: "book the training room", owner: carol}},
		},
		{
			name:  "TODO(name):",
			body:  "Notes\nTODO(dan): fix the label printers\n",
			items: []item{{text: "fix the label printers", owner: dan}},
		},
		{
			name:  "Action – Name:",
			body:  "Notes\nAction – Alice: draft the cutover plan\n",
			items: []item{{text: "draft the cutover plan", owner: alice}},
		},
		{
			name: "markers in brackets",
			body: "Memorial\n* (AI: Bob) chase the vendor for the drivers\n* (AI: Carol schedule a call) we could record it\n* (AI) Who else?\n",
			items: []item{
				{text: "chase the vendor for the drivers", owner: bob},
				{text: "schedule a call", owner: carol},
				{text: "Who else?"},
			},
			problems: []string{"no owner"},
		},
		{
			name:  "numbered Action #n",
			body:  "Actions\n* Action #1: alert security about the questionnaire (Alice Moreau)\n",
			items: []item{{text: "alert security about the questionnaire", owner: alice}},
		},
		{
			name:  "a handle asked in an item",
			body:  "* ACTION ITEM: open a discourse thread, @bob - can you do this\n",
			items: []item{{text: "open a discourse thread, @bob - can you do this", owner: bob}},
		},
	})
}

// TestDeadlines: due dates as people state them, and none from a guess.
func TestDeadlines(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "Deadline: with a time and zone",
			body:  "ACTION: Alice to send the plan\nDeadline: Monday November 30, 12.00 CET\n",
			items: []item{{text: "send the plan", owner: alice, due: "2026-11-30"}},
		},
		{
			name:  "due in <date>",
			body:  "ACTION: Bob to order the badges due in December 11\n",
			items: []item{{text: "order the badges", owner: bob, due: "2026-12-11"}},
		},
		{
			name:  "by COB Friday",
			body:  "ACTION: Carol to confirm the room by COB Friday\n",
			items: []item{{text: "confirm the room", owner: carol, due: "2026-11-27"}},
		},
		{
			name: "ordinal days are the next such day",
			body: "ACTION: Dan to file the report by the 30th\nACTION: Dan to call the vendor on the 3rd\n",
			items: []item{
				{text: "file the report", owner: dan, due: "2026-11-30"},
				{text: "call the vendor", owner: dan, due: "2026-12-03"},
			},
		},
		{
			name:  "the first of two deadlines",
			body:  "ACTION: Bob to finish the pilot by Dec 4 and publish the results by Dec 11\n",
			items: []item{{text: "finish the pilot by Dec 4 and publish the results by Dec 11", owner: bob, due: "2026-12-04"}},
		},
		{
			name:  "on a date at the end",
			body:  "Dr. Carol Nguyen will review the order sets before the dry run on December 2.\n",
			items: []item{{text: "review the order sets before the dry run", owner: carol, due: "2026-12-02"}},
		},
		{
			name:     "hopefully is no date",
			body:     "ACTION: Alice to send the slides, hopefully next week\n",
			items:    []item{{text: "send the slides, hopefully", owner: alice}},
			problems: []string{`due "next week" is only hoped for`},
		},
		{
			name: "soon and at some point are no date",
			body: "ACTION: Bob to fix the printers soon\nACTION: Carol to tidy the wiki at some point\n",
			items: []item{
				{text: "fix the printers soon", owner: bob},
				{text: "tidy the wiki at some point", owner: carol},
			},
		},
		{
			name:     "the next meeting when nobody said when",
			body:     "ACTION: Dan to book the room by the next meeting\n",
			items:    []item{{text: "book the room", owner: dan}},
			problems: []string{"the minutes do not say when the next meeting is"},
		},
		{
			name:  "the next meeting the minutes give",
			body:  "ACTION: Dan to book the room (at next meeting)\n\nNext meeting: Tuesday 8 December, 16:00\n",
			items: []item{{text: "book the room", owner: dan, due: "2026-12-08"}},
		},
		{
			name:     "two dates in one sentence",
			body:     "Dan will meet the vendor tomorrow to agree a plan to finish by December 18.\n",
			items:    []item{{text: "meet the vendor tomorrow to agree a plan to finish", owner: dan}},
			problems: []string{"more than one date"},
		},
	})
}

// TestDecisionsInProse: decisions recorded in sentences and motions.
func TestDecisionsInProse(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:      "decided",
			body:      "Proposals\nThe board discussed PEP 690 and decided to reject it.\n\nACTION: Alice to tell the authors\n",
			items:     []item{{text: "tell the authors", owner: alice}},
			decisions: []string{"The board discussed PEP 690 and decided to reject it"},
		},
		{
			name:      "the group agreed",
			body:      "ACTION: Alice to tell the wards\n\nThe group agreed to announce the go-live date on Friday.\n",
			items:     []item{{text: "tell the wards", owner: alice}},
			decisions: []string{"The group agreed to announce the go-live date on Friday"},
		},
		{
			name:      "PROPOSED … SO RESOLVED",
			body:      "ACTION: Bob to order scanners\n\nPROPOSED: that the board adopt the training plan.\nSO RESOLVED\n",
			items:     []item{{text: "order scanners", owner: bob}},
			decisions: []string{"that the board adopt the training plan"},
		},
		{
			name:      "Resolution #1",
			body:      "ACTION: Bob to order scanners\nResolution #1: Approve the minutes of the last meeting\n",
			items:     []item{{text: "order scanners", owner: bob}},
			decisions: []string{"Approve the minutes of the last meeting"},
		},
		{
			name:      "Voted to accept",
			body:      "ACTION: Bob to order scanners\nVoted to accept the revised budget (5-0).\n",
			items:     []item{{text: "order scanners", owner: bob}},
			decisions: []string{"Voted to accept the revised budget (5-0)"},
		},
		{
			name:      "General consensus",
			body:      "ACTION: Bob to order scanners\nGeneral consensus: keep the weekly call on Tuesdays.\n",
			items:     []item{{text: "order scanners", owner: bob}},
			decisions: []string{"keep the weekly call on Tuesdays"},
		},
		{
			name: "motions moved and carried",
			body: "ACTION: Bob to order scanners\n\nIt was MOVED and SECONDED that the parking charges be frozen. The motion was CARRIED.\n\n" +
				"Moved by Cllr Jones, seconded by Cllr Brown, that the depot be sold.\nCarried unanimously.\n",
			items:     []item{{text: "order scanners", owner: bob}},
			decisions: []string{"the parking charges be frozen", "the depot be sold"},
		},
		{
			name:      "a resolution that asks someone to act",
			body:      "Budget\nRESOLVED – That (1) the report be noted; (2) the Director of Finance be asked to report back on the overspend.\n",
			items:     []item{{text: "report back on the overspend", owner: "the Director of Finance"}},
			decisions: []string{"That (1) the report be noted; (2) the Director of Finance be asked to report back on the overspend"},
			problems:  []string{`owner "the Director of Finance" matches nobody`},
		},
		{
			name:  "a person agreeing to do something is an action",
			body:  "Carol agreed to test the governance policy.\n",
			items: []item{{text: "test the governance policy", owner: carol}},
		},
		{
			name: "not decisions",
			body: "ACTION: Bob to order scanners\nAgreed, but we need a date from the vendor first. The group agreed.\n" +
				"Alice agreed with Bob. Nothing is approved yet. The plan is to be decided next week.\n",
			items: []item{{text: "order scanners", owner: bob}},
		},
	})
}

// TestFalseItems: what looks like an item and is not one — and a group
// owner, which is kept.
func TestFalseItems(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:  "attendance checklist",
			body:  "Attendance\n☒ Gordon Bradley, Autodesk\n☐ Jane Roe, Acme\n\nACTION: Bob to send the slides\n",
			items: []item{{text: "send the slides", owner: bob}},
		},
		{
			name:  "agenda topics",
			body:  "Agenda\n- Carol to present the roadmap (10 min)\n- Budget\n\nACTION: Bob to send the slides\n",
			items: []item{{text: "send the slides", owner: bob}},
		},
		{
			name:  "status reports",
			body:  "Updates\nBob is working on the quote. Carol is on top of the rota. Dan scheduled a check-in.\n\nACTION: Bob to send the slides\n",
			items: []item{{text: "send the slides", owner: bob}},
		},
		{
			name:  "done, struck through",
			body:  "Action items\n- ~~Alice to book the room~~\n- Bob to send the slides\n",
			items: []item{{text: "send the slides", owner: bob}},
		},
		{
			name:     "a group owner is kept",
			body:     "CPC members to review the draft by Friday.\n",
			items:    []item{{text: "review the draft", owner: "CPC members", due: "2026-11-27"}},
			problems: []string{`owner "CPC members" matches nobody`},
		},
		{
			name:     "a statement in an action list",
			body:     "Board actions\n- The board has not changed its stance on the rota\n- The board will meet the vendor\n",
			items:    []item{{text: "meet the vendor", owner: "The board"}},
			problems: []string{`owner "The board" matches nobody`},
		},
	})
}

// TestLayouts: layouts that used to swallow an item or a field.
func TestLayouts(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "Name - task under Name - task",
			body: "Action items\n- Bob - get the revised quote (Fri)\n  Alice - book two super-users on 12/14\n",
			items: []item{
				{text: "get the revised quote", owner: bob, due: "2026-11-27"},
				{text: "book two super-users", owner: alice, due: "2026-12-14"},
			},
		},
		{
			name: "a list under the following",
			body: "Board actions\n- Dan to send the following to the board:\n1. the budget\n2. the rota\n- Bob will chase the vendor\n",
			items: []item{
				{text: "send the following to the board", owner: dan},
				{text: "chase the vendor", owner: bob},
			},
		},
	})
	m := parseText(t, "", "ACTION: Bob to order scanners\n\nRISK: interface vendor late\nMitigation - Bob escalates\n")
	if len(m.Risks) != 1 || m.Risks[0].Mitigation != "Bob escalates" {
		t.Errorf("risk %+v, want mitigation %q", m.Risks, "Bob escalates")
	}
}

// TestAttendanceLine: a remark after the list is not an attendee.
func TestAttendanceLine(t *testing.T) {
	m := parseText(t, "", "Attendees: Alice, Bob, Carol, Dan. Erin out sick\n\nACTION: Bob to send the slides\n")
	var came, away []string
	for _, p := range m.Meeting.Attendees {
		came = append(came, p.Name)
	}
	for _, p := range m.Meeting.Regrets {
		away = append(away, p.Name)
	}
	if !slices.Equal(came, []string{"Alice", "Bob", "Carol", "Dan"}) || !slices.Equal(away, []string{"Erin"}) {
		t.Errorf("attendees %q regrets %q, want Alice, Bob, Carol, Dan and Erin", came, away)
	}
}

// TestNeverSilent: minutes that yield nothing, or an action nobody owns,
// say so and show how to mark an item.
func TestNeverSilent(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name:     "no items at all",
			body:     "Summary\nThe team reviewed the training numbers and the printer issues.\n",
			problems: []string{`no action items found in these minutes; to record one, write e.g. "ACTION: Alice to send the plan by Dec 9"`},
		},
		{
			name:     "an action with no owner",
			body:     "ACTION: Bob to send the slides\n\nWe will send the survey to the wards by Friday.\n",
			items:    []item{{text: "send the slides", owner: bob}},
			problems: []string{`reads like an action but names no owner; to record it, write e.g. "ACTION: Alice to … by Dec 9"`},
		},
		{
			name:     "a task with a date and no owner",
			body:     "Memorial\n* Try to get the recordings together by Wed 2nd\n\nACTION: Bob to send the slides\n",
			items:    []item{{text: "send the slides", owner: bob}},
			problems: []string{"reads like an action but names no owner"},
		},
		{
			name:     "a promise with no subject",
			body:     "Firefox updates\n- Will look at automating the rebuilds.\n\nACTION: Bob to send the slides\n",
			items:    []item{{text: "send the slides", owner: bob}},
			problems: []string{"reads like an action but names no owner"},
		},
	})
	// A mail that is not minutes is not told it has no items.
	msg := &mailtext.Message{Subject: "Lunch", Date: meetingDay, Text: "See you at noon.\n"}
	if m := Parse(msg, clinicOpts); len(m.Problems) != 0 {
		t.Errorf("Parse(lunch mail) problems = %v, want none", m.Problems)
	}
}

// TestNotes: the discussion travels with the minutes; the lists and the
// lines mailflow shows elsewhere do not.
func TestNotes(t *testing.T) {
	m := parseText(t, "", "Date: 2026-11-24\nAttendees: Alice, Bob\n\nSummary\nBuild 7.2 arrived; testing is a week late.\n"+
		"Bob will chase the vendor.\n\nAction items\n- Alice to send the plan by Friday\n\nDecisions\n- Go-live stays in February\n\n"+
		"Next meeting: Tuesday 1 December, 16:00, room 2.14\n")
	want := "Summary\nBuild 7.2 arrived; testing is a week late.\nBob will chase the vendor."
	if m.Notes != want {
		t.Errorf("Notes = %q, want %q", m.Notes, want)
	}
	if m.NextMeeting != "Tuesday 1 December, 16:00, room 2.14" {
		t.Errorf("NextMeeting = %q", m.NextMeeting)
	}
	long := parseText(t, "", "Summary\n"+strings.Repeat("A long paragraph of discussion that goes on.\n", 2000)+"\nACTION: Bob to send it\n")
	if len(long.Notes) > mailflow.MaxNotes || !strings.HasSuffix(long.Notes, strings.TrimSpace(notesMarker)+"\n") {
		t.Errorf("long notes: %d bytes, ending %q; want at most %d, ending with the marker", len(long.Notes), long.Notes[max(0, len(long.Notes)-60):], mailflow.MaxNotes)
	}
}

// TestRecaps: meeting recaps from Zoom, Teams, Google Meet (Gemini) and
// Otter that the host forwards under the vendor's subject are minutes by
// their structure; the items are in their "Next steps", "Follow-up
// tasks", "Suggested next steps" and "Action Items", and the forwarding
// note may ask for something too. The outline repeating an action item is
// not another item, and a decision the summary states and the details
// tell again is one decision.
func TestRecaps(t *testing.T) {
	subjects := Options{Subjects: DefaultSubjects}
	for _, c := range []struct {
		file      string
		title     string
		items     []item
		decisions int
		problems  []string
	}{
		{
			file: "recap-zoom.eml", title: "EHR weekly",
			items: []item{
				{text: "send the label template to the print shop", owner: bob, due: "2026-11-27"},
				{text: "update the training schedule", owner: alice, due: "2026-11-26"},
				{text: "test the barcode scanners on ward 4", owner: carol},
				{text: "swap the ward 4 label printers", owner: "IT Service Desk"},
			},
			decisions: 2,
			problems:  []string{`owner "IT Service Desk" matches nobody`},
		},
		{
			file: "recap-teams.eml", title: "EHR cutover planning",
			items: []item{
				{text: "Failed orders: Send the list of failed orders to the pharmacy leads", owner: bob, due: "2026-11-26"},
				{text: "Cabinet testing: Test the ward 7 cabinet profiles before the dry run", owner: carol},
			},
			decisions: 1,
		},
		{
			file: "recap-gemini.eml", title: "EHR training sync",
			items: []item{
				{text: "ask the bank staff office for agency nurses", owner: bob},
				{text: "send the quick reference cards to the print room", owner: carol, due: "2026-11-30"},
			},
			decisions: 1,
		},
		{
			file: "recap-otter.eml", title: "EHR downtime review",
			items: []item{
				{text: "Print 40 downtime packs for ward 7 and deliver them", owner: dan, due: "2026-12-04"},
				{text: "Test the downtime viewer PCs on ward 7", owner: alice},
			},
			decisions: 1,
		},
	} {
		t.Run(c.file, func(t *testing.T) {
			msg := readEML(t, c.file)
			if !IsMinutes(msg.Subject, msg.Text, subjects) {
				t.Errorf("IsMinutes(%q) = false, want true", msg.Subject)
			}
			checkParse(t, parseCase{file: c.file, title: c.title, items: c.items, decisions: parseDecisions(t, c.file, c.decisions), problems: c.problems})
		})
	}
}

// parseDecisions returns the decisions Parse finds in a fixture after
// checking there are n: recaps word them at length, and their number is
// what the test is about.
func parseDecisions(t *testing.T, file string, n int) []string {
	t.Helper()
	m := Parse(readEML(t, file), clinicOpts)
	if len(m.Decisions) != n {
		t.Errorf("%s: %d decisions, want %d:%s", file, len(m.Decisions), n, dump(m))
	}
	var out []string
	for _, d := range m.Decisions {
		out = append(out, d.Text)
	}
	return out
}

// TestProseRisks: risks named in sentences, with the mitigation in the
// clause after a semicolon or in a sentence that says it is one.
func TestProseRisks(t *testing.T) {
	m := parseText(t, "", "ACTION: Bob to send the slides\n\nInterface\nBob raised the risk that the interface fix may not be ready before the dry run. "+
		"As a mitigation, pharmacists will reconcile the orders by hand. Carol noted the risk that overrides are not logged; "+
		"the team will keep the paper log for a week.\n")
	want := []risk{
		{desc: "the interface fix may not be ready before the dry run", mitigation: "pharmacists will reconcile the orders by hand"},
		{desc: "overrides are not logged", mitigation: "the team will keep the paper log for a week"},
	}
	if len(m.Risks) != len(want) {
		t.Fatalf("got %d risks, want %d:%s", len(m.Risks), len(want), dump(m))
	}
	for i, w := range want {
		if !w.matches(m.Risks[i]) {
			t.Errorf("risk %d = {%q mitigation %q}, want %+v", i, m.Risks[i].Description, m.Risks[i].Mitigation, w)
		}
	}
}
