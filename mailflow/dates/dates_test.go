package dates

import (
	"errors"
	"testing"

	"mailflow/mailflow"
)

// The meeting of the examples: Tuesday 24 November 2026.
var meeting = mailflow.NewDate(2026, 11, 24)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		phrase string
		opts   Options
		want   string
	}{
		{"2026-12-03", Options{}, "2026-12-03"},
		{"by 2026-12-03", Options{}, "2026-12-03"},
		{"2026/12/03", Options{}, "2026-12-03"},
		{"Dec 3", Options{}, "2026-12-03"},
		{"December 3rd", Options{}, "2026-12-03"},
		{"Dec. 3, 2027", Options{}, "2027-12-03"},
		{"3 December", Options{}, "2026-12-03"},
		{"3rd of December", Options{}, "2026-12-03"},
		{"3-Dec-2026", Options{}, "2026-12-03"},
		{"Thu 3 Dec", Options{}, "2026-12-03"},
		{"Thursday, 3 December", Options{}, "2026-12-03"},
		{"12/3", Options{}, "2026-12-03"},
		{"12/3", Options{DayFirst: true}, "2027-03-12"},
		{"3.12.", Options{DayFirst: true}, "2026-12-03"},
		{"12/3/26", Options{}, "2026-12-03"},
		{"Nov 20", Options{}, "2026-11-20"}, // a little late: overdue, not next year
		{"Jan 15", Options{}, "2027-01-15"},
		{"Friday", Options{}, "2026-11-27"},
		{"by Friday", Options{}, "2026-11-27"},
		{"next Friday", Options{}, "2026-11-27"},
		{"Tuesday", Options{}, "2026-12-01"}, // the next one after the meeting, never the meeting day
		{"Friday 5pm", Options{}, "2026-11-27"},
		{"Friday EOD", Options{}, "2026-11-27"},
		{"Monday next week", Options{}, "2026-11-30"},
		{"Friday (Dec 4)", Options{}, "2026-12-04"},
		{"tomorrow", Options{}, "2026-11-25"},
		{"today", Options{}, "2026-11-24"},
		{"EOD", Options{}, "2026-11-24"},
		{"next week", Options{}, "2026-12-01"},
		{"in 2 weeks", Options{}, "2026-12-08"},
		{"in two weeks", Options{}, "2026-12-08"},
		{"within 10 days", Options{}, "2026-12-04"},
		{"in a month", Options{}, "2026-12-24"},
		{"end of week", Options{}, "2026-11-27"},
		{"EOW", Options{}, "2026-11-27"},
		{"end of next week", Options{}, "2026-12-04"},
		{"end of month", Options{}, "2026-11-30"},
		{"EOM", Options{}, "2026-11-30"},
		{"end of quarter", Options{}, "2026-12-31"},
		{"by the 15th", Options{}, "2026-12-15"},
		{"on the 3rd", Options{}, "2026-12-03"},
		{"by the 30th", Options{}, "2026-11-30"},
		{"next meeting", Options{CadenceDays: 7}, "2026-12-01"},
		{"by the next meeting", Options{CadenceDays: 7}, "2026-12-01"},
		{"next meeting", Options{CadenceDays: 14}, "2026-12-08"},
		{"next meeting", Options{NextMeeting: mailflow.NewDate(2026, 12, 3), CadenceDays: 14}, "2026-12-03"},
		// Deadlines as people state them.
		{"Monday November 30, 12.00 CET", Options{}, "2026-11-30"},
		{"December 3 at 17:00", Options{}, "2026-12-03"},
		{"3 Dec 2026, 5pm", Options{}, "2026-12-03"},
		{"in December 11", Options{}, "2026-12-11"},
		{"COB Friday", Options{}, "2026-11-27"},
		{"by close of business on Friday", Options{}, "2026-11-27"},
		{"end of day Monday", Options{}, "2026-11-30"},
		{"Wednesday of next week", Options{}, "2026-12-02"},
		{"end of December", Options{}, "2026-12-31"},
		{"end of February 2027", Options{}, "2027-02-28"},
		// A day above 12 cannot be a month, whichever order is set.
		{"23/10/2026", Options{}, "2026-10-23"},
		{"10/23/2026", Options{DayFirst: true}, "2026-10-23"},
		{"by 27/11", Options{}, "2026-11-27"},
		// Table cells as spreadsheets write them.
		{"23-Oct-26", Options{}, "2026-10-23"},
		{"3-Dec-26", Options{}, "2026-12-03"},
		{"End Oct", Options{}, "2026-10-31"},
		{"end-Dec", Options{}, "2026-12-31"},
		{"end of Dec 2026", Options{}, "2026-12-31"},
	} {
		got, err := Parse(c.phrase, meeting, c.opts)
		if err != nil || got.String() != c.want {
			t.Errorf("Parse(%q, %+v) = %s, %v; want %s", c.phrase, c.opts, got, err, c.want)
		}
	}
}

func TestParseMonthEnds(t *testing.T) {
	jan31 := mailflow.NewDate(2027, 1, 31)
	for phrase, want := range map[string]string{
		"next month": "2027-02-28", "end of month": "2027-01-31", "end of next month": "2027-02-28", "Feb 29": "2028-02-29",
	} {
		if got, err := Parse(phrase, jan31, Options{}); err != nil || got.String() != want {
			t.Errorf("Parse(%q) from 2027-01-31 = %s, %v; want %s", phrase, got, err, want)
		}
	}
}

// TestUnreadable: what cannot be read is an error, never a guess.
func TestUnreadable(t *testing.T) {
	for _, phrase := range []string{"", "ASAP", "soon", "sometime soon", "Q1", "13/13", "Feb 30", "2026-02-30",
		"someday", "next Fryday", "in many weeks", "32 December", "1/2/3/4", "in 99999999999 days"} {
		if got, err := Parse(phrase, meeting, Options{}); !errors.Is(err, ErrUnreadable) {
			t.Errorf("Parse(%q) = %s, %v; want ErrUnreadable", phrase, got, err)
		}
	}
}

// TestVague: a span of weeks names no day, so it is no due date; the
// error says so, and it is still ErrUnreadable to callers that only ask
// whether a date was read.
func TestVague(t *testing.T) {
	for _, phrase := range []string{"next week", "by next week", "this week", "in the coming weeks",
		"over the coming weeks", "early next week", "Later this week", "w/c 30 Nov", "week commencing 30/11",
		"week of Dec 7", "mid-December", "early Jan", "late Dec"} {
		got, err := Parse(phrase, meeting, Options{NoSpans: true})
		if !errors.Is(err, ErrVague) || !errors.Is(err, ErrUnreadable) {
			t.Errorf("Parse(%q, NoSpans) = %s, %v; want ErrVague", phrase, got, err)
		}
	}
	// Without NoSpans (replies), a week still reads as before; the other
	// spans never did.
	for phrase, want := range map[string]string{"next week": "2026-12-01", "by next week": "2026-12-01", "this week": "2026-11-27"} {
		if got, err := Parse(phrase, meeting, Options{}); err != nil || got.String() != want {
			t.Errorf("Parse(%q) = %s, %v; want %s", phrase, got, err, want)
		}
	}
	if got, err := Parse("w/c 30 Nov", meeting, Options{}); !errors.Is(err, ErrVague) {
		t.Errorf("Parse(%q) = %s, %v; want ErrVague", "w/c 30 Nov", got, err)
	}
	// Days within those weeks are days.
	for phrase, want := range map[string]string{
		"end of next week": "2026-12-04", "Monday next week": "2026-11-30", "end of this week": "2026-11-27",
		"Wednesday of next week": "2026-12-02",
	} {
		if got, err := Parse(phrase, meeting, Options{}); err != nil || got.String() != want {
			t.Errorf("Parse(%q) = %s, %v; want %s", phrase, got, err, want)
		}
	}
}

// TestOrderIn: a document's unambiguous numeric dates say how to read its
// ambiguous ones; without such a date, or with both kinds, it says nothing.
func TestOrderIn(t *testing.T) {
	for _, c := range []struct {
		text            string
		dayFirst, known bool
	}{
		{"| 1 | Review | Priti | 23/10/2026 |\n| 2 | Draft | Helen | 06/11/2026 |", true, true},
		{"due 10/23/2026, then 11/06/2026", false, true},
		{"Go-live 23.10.2026", true, true},
		{"Cutover 23-10-2026", true, true},
		{"by 6/11/26 and 13/11/26", true, true},
		{"06/11/2026 and 05/11/2026", false, false}, // nothing to tell by
		{"23/10/2026 and 10/23/2026", false, false}, // contradicts itself
		{"support is 24/7 and 13/20 staff are trained", false, false},
		{"release 10.15.20 and 1.13.2026.4", false, false},
		{"ref 2026/23/10", false, false},
		{"| A2 | Review the build | Liam | Fri 23/10 |\n| A5 | Load test | Kate | 2/11 |", true, true},
		{"| A6 | Confirm downtime | Mia | 19/10 |", true, true},
		{"send it by 10/23 please", false, true},
		{"ACTION: Bob to test, due 30/11", true, true},
		{"helpdesk 24/7 | 13/20 staff trained", false, false},
		{"| score | 13/20 points |", false, false},
		{"", false, false},
	} {
		dayFirst, known := OrderIn(c.text)
		if dayFirst != c.dayFirst || known != c.known {
			t.Errorf("OrderIn(%q) = %v, %v; want %v, %v", c.text, dayFirst, known, c.dayFirst, c.known)
		}
	}
}

// TestNextMeetingUnknown: "by the next meeting" is a date only when the
// minutes or the project say when that is; a guess would be a due date
// nobody set.
func TestNextMeetingUnknown(t *testing.T) {
	for _, opts := range []Options{{}, {NextMeeting: mailflow.NewDate(2026, 11, 20)}} {
		if got, err := Parse("(at next meeting)", meeting, opts); !errors.Is(err, ErrUnreadable) {
			t.Errorf("Parse(%q, %+v) = %s, %v; want ErrUnreadable", "(at next meeting)", opts, got, err)
		}
	}
}

// TestParseNear: a meeting date without a year is the one nearest the
// day the minutes were sent, even across new year.
func TestParseNear(t *testing.T) {
	for _, c := range []struct {
		phrase string
		ref    mailflow.Date
		want   string
	}{
		{"Dec 30", mailflow.NewDate(2027, 1, 2), "2026-12-30"},
		{"Jan 2", mailflow.NewDate(2026, 12, 30), "2027-01-02"},
		{"24 Nov", meeting, "2026-11-24"},
		{"2025-06-01", meeting, "2025-06-01"},
	} {
		if got, err := ParseNear(c.phrase, c.ref, Options{}); err != nil || got.String() != c.want {
			t.Errorf("ParseNear(%q, %s) = %s, %v; want %s", c.phrase, c.ref, got, err, c.want)
		}
	}
}

// TestNoMeetingDay: absolute dates need no meeting day; relative ones do.
func TestNoMeetingDay(t *testing.T) {
	if got, err := Parse("2026-12-03", mailflow.Date{}, Options{}); err != nil || got.String() != "2026-12-03" {
		t.Errorf("ISO date without a meeting day = %s, %v", got, err)
	}
	if _, err := Parse("Friday", mailflow.Date{}, Options{}); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Friday without a meeting day: err %v, want ErrUnreadable", err)
	}
}
