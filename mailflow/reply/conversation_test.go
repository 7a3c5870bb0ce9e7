package reply

import (
	"fmt"
	"strings"
	"testing"

	"mailflow/mailflow"
)

// conversationCases are replies in people's own words: a reason after the
// command, past tense, questions and requests, dates inside a clause. They
// also seed FuzzReply.
var conversationCases = []struct {
	in   string
	want []want
}{
	// A reason after a command, behind every kind of mark, is the note.
	{"reopen A-5 - the vendor sent the wrong extract file", []want{cmdNote(mailflow.VerbReopen, "A-5", "", "the vendor sent the wrong extract file")}},
	{"reopen A-5 – the vendor sent the wrong file", []want{cmdNote(mailflow.VerbReopen, "A-5", "", "the vendor sent the wrong file")}},
	{"reopen A-5 — the vendor sent the wrong file", []want{cmdNote(mailflow.VerbReopen, "A-5", "", "the vendor sent the wrong file")}},
	{"cancel A-9: the budget was cut", []want{cmdNote(mailflow.VerbCancel, "A-9", "", "the budget was cut")}},
	{"close A-12, sent to legal", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"close A-12; sent to legal", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"cancel A-9 because the budget was cut", []want{cmdNote(mailflow.VerbCancel, "A-9", "", "the budget was cut")}},
	{"drop A-9 as the clinic has closed", []want{cmdNote(mailflow.VerbCancel, "A-9", "", "the clinic has closed")}},
	{"close A-12 (sent to legal)", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"A-12 done (sent to legal), thanks", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"A-12 done because of the new contract", []want{cmdNote(mailflow.VerbDone, "A-12", "", "the new contract")}},
	{"done. Sent to legal.", []want{cmdNote(mailflow.VerbDone, "", "", "Sent to legal")}},
	{"A-12 done - thanks Bob", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"close A-12, A-13 - sent to legal", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal"), cmdNote(mailflow.VerbDone, "A-13", "", "sent to legal")}},
	{"Cancelled A-9 (duplicate of A-8)", []want{cmdNote(mailflow.VerbCancel, "A-9", "", "duplicate of A-8")}},
	{"A-12 closed as agreed", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"Done - A-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"escalate R-3 - vendor unresponsive", []want{cmdNote(mailflow.VerbEscalate, "R-3", "", "vendor unresponsive")}},
	{"escalate R-3 to the steering group, vendor unresponsive", []want{cmdNote(mailflow.VerbEscalate, "R-3", "the steering group", "vendor unresponsive")}},

	// Past tense and conversational forms.
	{"A-3 is done", []want{cmd(mailflow.VerbDone, "A-3", "")}},
	{"I've finished A-4", []want{cmd(mailflow.VerbDone, "A-4", "")}},
	{"I have closed A-4 - sent to legal", []want{cmdNote(mailflow.VerbDone, "A-4", "", "sent to legal")}},
	{"A-4 completed yesterday", []want{cmd(mailflow.VerbDone, "A-4", "")}},
	{"A-4 completed yesterday, sent to Bob", []want{cmdNote(mailflow.VerbDone, "A-4", "", "sent to Bob")}},
	{"closed A-12, sent to legal", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"I'm done with A-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"A-4 finished on Monday", []want{cmd(mailflow.VerbDone, "A-4", "")}},
	{"closed A-12 last Friday, sent to legal", []want{cmdNote(mailflow.VerbDone, "A-12", "", "sent to legal")}},
	{"A-2 has moved to the 11th", []want{cmd(mailflow.VerbDue, "A-2", "the 11th")}},
	{"Would you mind moving A-2 to Friday?", []want{cmd(mailflow.VerbDue, "A-2", "Friday")}},
	{"I've now finished A-4", []want{cmd(mailflow.VerbDone, "A-4", "")}},
	{"Finished A-4 this morning", []want{cmd(mailflow.VerbDone, "A-4", "")}},
	{"A-9 can be dropped", []want{cmd(mailflow.VerbCancel, "A-9", "")}},
	{"We dropped A-9, no longer needed", []want{cmdNote(mailflow.VerbCancel, "A-9", "", "no longer needed")}},
	{"reopening A-5: the vendor sent the wrong file", []want{cmdNote(mailflow.VerbReopen, "A-5", "", "the vendor sent the wrong file")}},
	{"Also, A-12 is done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"FYI A-2 moved to Friday", []want{cmd(mailflow.VerbDue, "A-2", "Friday")}},
	{"Thanks! Could you close A-12?", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"reassign A-7 to Carol, she owns pharmacy now", []want{cmdNote(mailflow.VerbReassign, "A-7", "Carol", "she owns pharmacy now")}},
	{"reassign A-7 to Carol as she owns pharmacy now", []want{cmdNote(mailflow.VerbReassign, "A-7", "Carol", "she owns pharmacy now")}},
	{"please give A-7 to carol@example.org", []want{cmd(mailflow.VerbReassign, "A-7", "carol@example.org")}},
	{"hand A-7 over to Bob", []want{cmd(mailflow.VerbReassign, "A-7", "Bob")}},
	{"A-7 reassigned to carol@example.org (pharmacy lead)", []want{cmdNote(mailflow.VerbReassign, "A-7", "carol@example.org", "pharmacy lead")}},
	{"reassign A-7 to Dr. Smith", []want{cmd(mailflow.VerbReassign, "A-7", "Dr. Smith")}},
	{"A-12 progress 50%, waiting on the vendor", []want{cmdNote(mailflow.VerbProgress, "A-12", "50", "waiting on the vendor")}},
	{"A-12 80% done - waiting on the vendor", []want{cmdNote(mailflow.VerbProgress, "A-12", "80", "waiting on the vendor")}},
	{"Progress on A-12: 50%", []want{cmd(mailflow.VerbProgress, "A-12", "50")}},
	{"R-3 impact high - it would stop go-live", []want{cmdNote(mailflow.VerbImpact, "R-3", "high", "it would stop go-live")}},

	// Text verbs keep their whole text: no reason is split off.
	{"R-3 mitigation - weekly vendor call", []want{cmd(mailflow.VerbMitigation, "R-3", "weekly vendor call")}},
	{"R-3 mitigation: weekly vendor call, because the vendor is slow", []want{cmd(mailflow.VerbMitigation, "R-3", "weekly vendor call, because the vendor is slow")}},
	{"Mitigation for R-3: weekly vendor call", []want{cmd(mailflow.VerbMitigation, "R-3", "weekly vendor call")}},
	{"note on A-12: vendor replied", []want{cmd(mailflow.VerbNote, "A-12", "vendor replied")}},
	{"note A-12 waiting for the vendor - again", []want{cmd(mailflow.VerbNote, "A-12", "waiting for the vendor - again")}},

	// A due date is the date phrase alone; the rest of the clause is the note.
	{"Moved A-2 to Dec 11", []want{cmd(mailflow.VerbDue, "A-2", "Dec 11")}},
	{"Moved A-2 to the 11th, vendor can't do earlier.", []want{cmdNote(mailflow.VerbDue, "A-2", "the 11th", "vendor can't do earlier")}},
	{"Pushed A-2 back to next Friday", []want{cmd(mailflow.VerbDue, "A-2", "next Friday")}},
	{"A-2 moved to the 11th", []want{cmd(mailflow.VerbDue, "A-2", "the 11th")}},
	{"can you move A-2 to Dec 11?", []want{cmd(mailflow.VerbDue, "A-2", "Dec 11")}},
	{"please push A-2 to Friday", []want{cmd(mailflow.VerbDue, "A-2", "Friday")}},
	{"push A-2 to tomorrow, the server is down", []want{cmdNote(mailflow.VerbDue, "A-2", "tomorrow", "the server is down")}},
	{"A-2 rescheduled for Dec 11 as the vendor is late", []want{cmdNote(mailflow.VerbDue, "A-2", "Dec 11", "the vendor is late")}},
	{"A-2 delayed until 12/14 - vendor", []want{cmdNote(mailflow.VerbDue, "A-2", "12/14", "vendor")}},
	{"A-2 slipped to end of month; waiting on parts", []want{cmdNote(mailflow.VerbDue, "A-2", "end of month", "waiting on parts")}},
	{"A-2 due in 2 weeks because of the holidays", []want{cmdNote(mailflow.VerbDue, "A-2", "in 2 weeks", "the holidays")}},
	{"A-2 due Friday the 11th", []want{cmd(mailflow.VerbDue, "A-2", "Friday the 11th")}},
	{"A-2 due Dec 11, 2026 - vendor", []want{cmdNote(mailflow.VerbDue, "A-2", "Dec 11, 2026", "vendor")}},
	{"Moved A-2 from Dec 4 to Dec 11", []want{cmd(mailflow.VerbDue, "A-2", "Dec 11")}},
	{"I moved A-2 to Dec 11 at the vendor's request", []want{cmdNote(mailflow.VerbDue, "A-2", "Dec 11", "at the vendor's request")}},
	{"A-2 moves to Friday", []want{cmd(mailflow.VerbDue, "A-2", "Friday")}},
	{"A-2 due tomorrow EOD, waiting on sign-off", []want{cmdNote(mailflow.VerbDue, "A-2", "tomorrow EOD", "waiting on sign-off")}},
	{"A-2 has been pushed out to 14/12", []want{cmd(mailflow.VerbDue, "A-2", "14/12")}},

	// A due line without a date the reader knows is a Problem.
	{"Moved A-2 to sometime later", []want{problem(mailflow.VerbDue, "A-2")}},
	{"push A-2 to", []want{problem(mailflow.VerbDue, "A-2")}},
	{"A-2 due when the vendor is ready", []want{problem(mailflow.VerbDue, "A-2")}},

	// Not commands: kept as notes.
	{"I talked to Bob about A-2 yesterday", []want{note("A-2")}},
	{"is A-2 still needed?", []want{note("A-2")}},
	{"A-12 done?", []want{note("A-12")}},
	{"Should we drop A-9?", []want{note("A-9")}},
	{"Can you tell me when A-2 is due?", []want{note("A-2")}},
	{"Moved A-2 to Dec 11 - is that OK?", []want{note("A-2")}},
	{"> close A-12", []want{note("A-12")}},
	{`"close A-12"`, []want{note("A-12")}},
	{"Bob wrote: close A-12", []want{note("A-12")}},
	{"I closed the loop with finance on A-2", []want{note("A-2")}},
	{"We moved the A-2 meeting to the big room", []want{note("A-2")}},
	{"moved to Boston last year", []want{note("")}},
	{"A-2 moved for the vendor", []want{note("A-2")}},
	{"Pass the budget question to Carol", []want{note("")}},
	{"The vendor will push A-2 to Friday", []want{note("A-2")}},
	{"Due to the holidays A-2 slips to January", []want{note("A-2")}},
	{"A-2 due to the vendor delay", []want{note("A-2")}},
	{"A-2 was discussed at length", []want{note("A-2")}},
	{"I dropped the ball on A-2", []want{note("A-2")}},
	{"Can we move A-2 to Friday?", []want{note("A-2")}},
	{"Thanks for closing A-12", []want{note("A-12")}},
	{"Carol finished A-4 yesterday", []want{note("A-4")}},
	{"Bob is working on A-2", []want{note("A-2")}},
	{"A-12 done as soon as I get the file", []want{note("A-12")}},
	{"I will close A-12 tomorrow", []want{note("A-12")}},
	{"A-12 done by Friday", []want{note("A-12")}},
	{"A-12 done tomorrow", []want{note("A-12")}},
	{"I closed A-12 by mistake, please reopen", []want{note("A-12")}},
	{"Progress on A-12 is slow", []want{note("A-12")}},
}

func TestParseConversation(t *testing.T) {
	for _, tc := range conversationCases {
		lines := ParseCommands(tc.in)
		var gotWants []want
		for _, l := range lines {
			gotWants = append(gotWants, got(l))
		}
		if fmt.Sprint(gotWants) != fmt.Sprint(tc.want) {
			t.Errorf("ParseCommands(%q) = %v, want %v", tc.in, gotWants, tc.want)
		}
		for _, l := range lines {
			if !l.IsCommand && l.Command.Value != l.Command.Text {
				t.Errorf("ParseCommands(%q): a note's Value is %q, want the line", tc.in, l.Command.Value)
			}
			if l.Command.Note != "" && (!l.IsCommand || l.Problem != "") {
				t.Errorf("ParseCommands(%q): Note %q on a line that is not applied", tc.in, l.Command.Note)
			}
		}
	}
}

// TestDueProblemSaysWhy checks that a due line without a readable date
// tells the sender what was not understood and what to write.
func TestDueProblemSaysWhy(t *testing.T) {
	for _, in := range []string{"Moved A-2 to sometime later", "A-2 due whenever", "due soonish"} {
		lines := ParseCommands(in)
		if len(lines) != 1 || lines[0].Problem == "" {
			t.Fatalf("ParseCommands(%q) = %+v, want one Problem", in, lines)
		}
		p := lines[0].Problem
		if !strings.Contains(p, "cannot read the date") || !strings.Contains(p, "e.g.") {
			t.Errorf("ParseCommands(%q) problem %q, want it to say the date is unreadable and give an example", in, p)
		}
	}
}

// TestDateValuesRead checks that every due value the parser hands on is a
// phrase the date reader reads, whatever words were around it.
func TestDateValuesRead(t *testing.T) {
	for _, tc := range append(append([]struct {
		in   string
		want []want
	}{}, commandCases...), conversationCases...) {
		for _, l := range ParseCommands(tc.in) {
			if l.IsCommand && l.Problem == "" && l.Command.Verb == mailflow.VerbDue && !isDate(l.Command.Value) {
				t.Errorf("ParseCommands(%q): due value %q is not a date the reader knows", tc.in, l.Command.Value)
			}
		}
	}
}

func TestSplitReason(t *testing.T) {
	cases := []struct{ in, head, reason string }{
		{"Carol, she owns pharmacy now", "Carol", "she owns pharmacy now"},
		{"Carol (pharmacy lead)", "Carol", "pharmacy lead"},
		{"Carol because she asked", "Carol", "she asked"},
		{"Carol Because she asked", "Carol", "she asked"},
		{"Carol J. Smith", "Carol J. Smith", ""},
		{"carol@example.org. She owns it", "carol@example.org", "She owns it"},
		{"high - thanks!", "high", ""},
		{"high", "high", ""},
		{"Bob’s team – vendor asked", "Bob’s team", "vendor asked"},
		{"Carol as soon as she is back", "Carol as soon as she is back", ""},
		{"Carol as the owner of pharmacy", "Carol", "the owner of pharmacy"},
	}
	for _, tc := range cases {
		if head, reason := splitReason(tc.in); head != tc.head || reason != tc.reason {
			t.Errorf("splitReason(%q) = %q, %q; want %q, %q", tc.in, head, reason, tc.head, tc.reason)
		}
	}
}

func TestDatePhrase(t *testing.T) {
	cases := []struct{ in, phrase, rest string }{
		{"the 11th, vendor can't do earlier.", "the 11th", ", vendor can't do earlier."},
		{"Dec 11", "Dec 11", ""},
		{"next Friday as agreed", "next Friday", " as agreed"},
		{"12/14 - vendor", "12/14", " - vendor"},
		{"end of month", "end of month", ""},
		{"tomorrow?", "tomorrow", "?"},
		{"in 2 weeks because", "in 2 weeks", " because"},
		{"Monday, December 14th, 2026 - vendor", "Monday, December 14th, 2026", " - vendor"},
		{"Friday 5pm", "Friday 5pm", ""},
	}
	for _, tc := range cases {
		phrase, rest, ok := datePhrase(tc.in)
		if !ok || phrase != tc.phrase || rest != tc.rest {
			t.Errorf("datePhrase(%q) = %q, %q, %v; want %q, %q, true", tc.in, phrase, rest, ok, tc.phrase, tc.rest)
		}
	}
	for _, in := range []string{"sometime later", "the vendor", "", "whenever you like"} {
		if phrase, _, ok := datePhrase(in); ok {
			t.Errorf("datePhrase(%q) = %q, want no date", in, phrase)
		}
	}
}
