package minutes

import (
	"testing"

	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

// TestDateOrder: numeric dates are read the way the minutes write them.
// A day above 12 cannot be a month; one such date shows which way round
// the document's other dates are; without one, the project's order holds.
// The meeting is on Tuesday 24 November 2026.
func TestDateOrder(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "a day above 12 under the default month-first order",
			body: "ACTION: Alice to book the rooms by 27/11/2026\n",
			items: []item{
				{text: "book the rooms", owner: alice, due: "2026-11-27"},
			},
		},
		{
			name: "a table whose unambiguous date makes the others day first",
			body: "Actions\n\n| Action | Owner | Due |\n|---|---|---|\n" +
				"| Check the ward printers | Carol | 14/12/2026 |\n| Send the rota | Bob | 04/12/2026 |\n| Book the trainers | Dan | 9/1/27 |\n",
			items: []item{
				{text: "Check the ward printers", owner: carol, due: "2026-12-14"},
				{text: "Send the rota", owner: bob, due: "2026-12-04"},
				{text: "Book the trainers", owner: dan, due: "2027-01-09"},
			},
		},
		{
			name: "evidence elsewhere in the minutes counts",
			body: "Cutover weekend: 19.12.2026\n\nACTION: Bob to freeze the interfaces by 03/12/2026\n",
			items: []item{
				{text: "freeze the interfaces", owner: bob, due: "2026-12-03"},
			},
		},
		{
			name: "month-first evidence in the other direction",
			body: "ACTION: Alice to send the plan by 12/15/2026\nACTION: Bob to test by 12/04/2026\n",
			items: []item{
				{text: "send the plan", owner: alice, due: "2026-12-15"},
				{text: "test", owner: bob, due: "2026-12-04"},
			},
		},
		{
			name: "no evidence: the project's order",
			body: "ACTION: Bob to test by 12/04/2026\nThe helpdesk is staffed 24/7 now.\n",
			items: []item{
				{text: "test", owner: bob, due: "2026-12-04"},
			},
		},
	})
}

// TestDateOrderKeepsProject: minutes that contradict themselves, or give
// no evidence, leave a day-first project reading day first.
func TestDateOrderKeepsProject(t *testing.T) {
	opts := clinicOpts
	opts.Dates = dates.Options{DayFirst: true}
	for _, body := range []string{
		"Freeze 23/10/2026 or 10/23/2026, we were not sure.\nACTION: Bob to test by 04/12/2026\n",
		"ACTION: Bob to test by 04/12/2026\n",
	} {
		msg := &mailtext.Message{Subject: "Minutes: EHR weekly", Date: meetingDay, Text: body}
		m := Parse(msg, opts)
		if len(m.ActionItems) != 1 || m.ActionItems[0].Due.String() != "2026-12-04" {
			t.Errorf("Parse(%q) day first = %s, want one item due 2026-12-04", body, dump(m))
		}
	}
}

// TestVagueWeeks: "next week" and its kin name no day: the item has no
// due date, and the sender is shown how to write one.
func TestVagueWeeks(t *testing.T) {
	const hint = "is not a day, so no due date is set (write a day, e.g. Friday or Dec 11)"
	runTextCases(t, []textCase{
		{
			name:     "by next week in a label",
			body:     "ACTION: Alice to send the slides by next week\n",
			items:    []item{{text: "send the slides", owner: alice}},
			problems: []string{`due "next week" ` + hint},
		},
		{
			name:     "this week at the end of a sentence",
			body:     "Bob will check the scanners this week.\n",
			items:    []item{{text: "check the scanners", owner: bob}},
			problems: []string{`due "this week" ` + hint},
		},
		{
			name:     "in the coming weeks",
			body:     "Action items\n- Carol to visit the wards in the coming weeks\n",
			items:    []item{{text: "visit the wards", owner: carol}},
			problems: []string{`due "in the coming weeks" ` + hint},
		},
		{
			name:     "a due column",
			body:     "| Action | Owner | Due |\n|---|---|---|\n| Order the badges | Dan | next week |\n",
			items:    []item{{text: "Order the badges", owner: dan}},
			problems: []string{`due "next week" ` + hint},
		},
		{
			name:     "at the next meeting leaves no words behind",
			body:     "Carol will look into the badge issue and report back at the next meeting.\n",
			items:    []item{{text: "look into the badge issue and report back", owner: carol}},
			problems: []string{"the minutes do not say when the next meeting is"},
		},
		{
			name:  "a day of next week is a day",
			body:  "ACTION: Alice to send the slides by Wednesday of next week\n",
			items: []item{{text: "send the slides", owner: alice, due: "2026-12-02"}},
		},
	})
}

// TestSpreadsheetDates: due dates as spreadsheets and trackers write them;
// a weekday or a cell of its own makes a date without a year evidence of
// the order too.
func TestSpreadsheetDates(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "an action tracker",
			body: "| Ref | Action | Owner | Due |\n|---|---|---|---|\n| A1 | Finalise order sets | Alice | 3-Dec-26 |\n" +
				"| A2 | Review the build | Bob | Fri 27/11 |\n| A3 | Load the test data | Carol | 2/12 |\n" +
				"| A4 | Sign off content | Dan | End Dec |\n| A5 | Test the scanners | Alice | w/c 7 Dec |\n",
			items: []item{
				{text: "Finalise order sets", owner: alice, due: "2026-12-03"},
				{text: "Review the build", owner: bob, due: "2026-11-27"},
				{text: "Load the test data", owner: carol, due: "2026-12-02"},
				{text: "Sign off content", owner: dan, due: "2026-12-31"},
				{text: "Test the scanners", owner: alice},
			},
			problems: []string{`due "w/c 7 Dec" is not a day`},
		},
		{
			name: "an action log with the day each action was raised",
			body: "| Date | Action | Owner | Due | Date raised |\n|---|---|---|---|---|\n| 10/11/2026 | Order the badges | Dan | 30/11/2026 | 10/11/2026 |\n",
			items: []item{
				{text: "Order the badges", owner: dan, due: "2026-11-30"},
			},
		},
	})
}
