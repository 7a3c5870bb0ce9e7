package minutes

import (
	"regexp"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

func TestCleanSubject(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Re: Fwd: Minutes: weekly", "Minutes: weekly"},
		{"AW: WG: [ehr-project] MoM 3 Dec", "MoM 3 Dec"},
		{"RE[2]: Minutes", "Minutes"},
		{"Re: [A-12] done", "[A-12] done"},
	} {
		if got := CleanSubject(c.in); got != c.want {
			t.Errorf("CleanSubject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsMinutes(t *testing.T) {
	custom := Options{Subjects: []*regexp.Regexp{regexp.MustCompile(`(?i)\bprotokoll\b`)}}
	for _, c := range []struct {
		subject, text string
		opts          Options
		want          bool
	}{
		{"Minutes: EHR weekly", "", Options{}, true},
		{"Re: Fwd: MINUTES", "", Options{}, true},
		{"MoM - steering group", "", Options{}, true},
		{"meeting notes 3/12", "", Options{}, true},
		{"Notes from the kickoff", "", Options{}, true},
		{"Weekly sync notes", "", Options{}, true},
		{"Recap: cutover call 15/10", "", Options{}, true},
		{"Fwd: Call summary - pharmacy", "", Options{}, true},
		{"Actions from today's huddle", "", Options{}, true},
		{"Action points - build workstream", "", Options{}, true},
		{"Summary of the vendor contract", "", Options{}, false},
		{"Notepad licences", "", Options{}, false},
		{"Lunch on Friday?", "See you there.", Options{}, false},
		{"Protokoll Büro", "", custom, true},
		{"Minutes", "", custom, false}, // the project's patterns replace the defaults
		{"Friday", "ACTION: Alice to send the plan\nACTION: Bob to book the room\n", Options{}, true},
		{"Friday", "Action items\n- Alice to send the plan\n\nDecisions\n- Go\n", Options{}, true},
		{"Friday", "| Action | Owner | Due |\n|---|---|---|\n| Plan | Alice | Fri |\n", Options{}, true},
		{"Friday", "We need a decision on the action plan. Alice will know.\n", Options{}, false},
		{"Friday", "Decision: one line in a chatty mail\n", Options{}, false},
		{"Re: hello", "> ACTION: quoted\n> ACTION: quoted again\n", Options{}, false},
	} {
		if got := IsMinutes(c.subject, c.text, c.opts); got != c.want {
			t.Errorf("IsMinutes(%q, %q) = %v, want %v", c.subject, c.text, got, c.want)
		}
	}
}

// TestMeetingDate: the date comes from the subject, else the body, else
// the Date header read in the project's time zone.
func TestMeetingDate(t *testing.T) {
	msg := func(subject, date, body string) *mailtext.Message {
		raw := "From: Priya Shah <priya@clinic.example>\r\nSubject: " + subject + "\r\nDate: " + date +
			"\r\nContent-Type: text/plain\r\n\r\n" + body
		m, err := mailtext.Read([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, c := range []struct {
		name, subject, date, body string
		loc                       *time.Location
		want, title               string
	}{
		{"header in Tokyo", "Minutes: weekly", "Tue, 24 Nov 2026 20:30:00 +0000", "ACTION: Alice to go", tokyo, "2026-11-25", "weekly"},
		{"header in LA", "Minutes: weekly", "Tue, 24 Nov 2026 05:30:00 +0000", "ACTION: Alice to go", la, "2026-11-23", "weekly"},
		{"subject", "Minutes: weekly 20 Nov", "Tue, 24 Nov 2026 10:00:00 +0000", "", time.UTC, "2026-11-20", "weekly"},
		{"subject across new year", "MoM Dec 30", "Sat, 2 Jan 2027 10:00:00 +0000", "", time.UTC, "2026-12-30", "Meeting"},
		{"body date line", "Minutes", "Tue, 24 Nov 2026 10:00:00 +0000", "Meeting: Steering group\nDate: 19 November 2026\n", time.UTC, "2026-11-19", "Steering group"},
		{"body heading", "Minutes", "Tue, 24 Nov 2026 10:00:00 +0000", "# Council meeting 2026 11 20\n\ntext\n", time.UTC, "2026-11-20", "Council meeting"},
		{"MeetBot start", "zodbot", "Tue, 24 Nov 2026 10:00:00 +0000", "10:00 <priya> #startmeeting Infra sync\n", time.UTC, "2026-11-24", "Infra sync"},
	} {
		m := Parse(msg(c.subject, c.date, c.body), Options{Location: c.loc})
		if m.Meeting.Date.String() != c.want || m.Meeting.Title != c.title {
			t.Errorf("%s: meeting %q on %s, want %q on %s", c.name, m.Meeting.Title, m.Meeting.Date, c.title, c.want)
		}
	}
}

// TestRelativeDatesCountFromMeeting: "Friday" is the Friday after the
// meeting, not after the day the mail was sent.
func TestRelativeDatesCountFromMeeting(t *testing.T) {
	raw := "From: p@x.example\r\nSubject: Minutes 2026-11-17\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\n" +
		"Attendees: Alice Moreau <alice@clinic.example>\r\n\r\nACTION: Alice to send the plan by Friday\r\n" +
		"ACTION: Alice to book the room by next meeting\r\n"
	msg, err := mailtext.Read([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	m := Parse(msg, Options{Dates: datesOpts(14)})
	if len(m.ActionItems) != 2 || m.ActionItems[0].Due.String() != "2026-11-20" || m.ActionItems[1].Due.String() != "2026-12-01" {
		t.Errorf("items %+v, want due 2026-11-20 and 2026-12-01", m.ActionItems)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]mailflow.Level{
		"low": mailflow.LevelLow, "L": mailflow.LevelLow, "1": mailflow.LevelLow, "2/5": mailflow.LevelLow, "10%": mailflow.LevelLow,
		"med": mailflow.LevelMedium, "Medium": mailflow.LevelMedium, "M": mailflow.LevelMedium, "3": mailflow.LevelMedium, "50%": mailflow.LevelMedium,
		"HIGH": mailflow.LevelHigh, "h": mailflow.LevelHigh, "4": mailflow.LevelHigh, "5/5": mailflow.LevelHigh, "90%": mailflow.LevelHigh,
		"very high": mailflow.LevelHigh, "medium-high": mailflow.LevelHigh,
		"sometimes": mailflow.LevelUnknown, "7": mailflow.LevelUnknown, "150%": mailflow.LevelUnknown, "": mailflow.LevelUnknown,
	} {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %q, want %q", in, got, want)
		}
	}
}

func datesOpts(cadence int) dates.Options { return dates.Options{CadenceDays: cadence} }
