package reply

import (
	"fmt"
	"strings"
	"testing"

	"mailflow/mailflow"
)

// want describes what one line should be read as: "done A-12" is a
// command, "note A-12" a kept line, "problem due" an incomplete command.
type want struct {
	kind  string // "cmd", "note" or "problem"
	verb  mailflow.Verb
	ref   string
	value string
	note  string // Command.Note: the reason that came with a command
}

func cmd(v mailflow.Verb, ref, value string) want { return want{"cmd", v, ref, value, ""} }

// cmdNote is a command that came with a reason.
func cmdNote(v mailflow.Verb, ref, value, note string) want { return want{"cmd", v, ref, value, note} }
func note(ref string) want                                  { return want{kind: "note", verb: mailflow.VerbNote, ref: ref} }
func problem(v mailflow.Verb, ref string) want              { return want{kind: "problem", verb: v, ref: ref} }

func (w want) String() string {
	if w.note != "" {
		return fmt.Sprintf("%s %s %s %q note %q", w.kind, w.verb, w.ref, w.value, w.note)
	}
	return fmt.Sprintf("%s %s %s %q", w.kind, w.verb, w.ref, w.value)
}

func got(l Line) want {
	w := want{verb: l.Command.Verb, ref: l.Command.Ref, value: l.Command.Value, note: l.Command.Note}
	switch {
	case l.Problem != "":
		w.kind, w.value, w.note = "problem", "", ""
	case l.IsCommand:
		w.kind = "cmd"
	default:
		w.kind, w.value = "note", ""
	}
	return w
}

// commandCases are lines and what they should be read as. They also seed
// FuzzReply.
var commandCases = []struct {
	in   string
	want []want
}{
	// Items: done, close, closed, complete.
	{"done", []want{cmd(mailflow.VerbDone, "", "")}},
	{"Done.", []want{cmd(mailflow.VerbDone, "", "")}},
	{"close A-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"closed a-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"A-12 complete", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"[A-12] done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"A-12: done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"A-12 is done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"please mark A-12 as done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"mark as complete", []want{cmd(mailflow.VerbDone, "", "")}},
	{"close A-12 please", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"done, thanks!", []want{cmd(mailflow.VerbDone, "", "")}},
	{"Thanks, done", []want{cmd(mailflow.VerbDone, "", "")}},
	{"Hi Bob, A-12 is done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"done - sent to legal", []want{cmdNote(mailflow.VerbDone, "", "", "sent to legal")}},
	{"Done, sent to legal.", []want{cmdNote(mailflow.VerbDone, "", "", "sent to legal")}},
	{"- A-12 done", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"1. close A-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"close A-12, A-13 and A-14", []want{cmd(mailflow.VerbDone, "A-12", ""), cmd(mailflow.VerbDone, "A-13", ""), cmd(mailflow.VerbDone, "A-14", "")}},
	{"Done with A-12", []want{cmd(mailflow.VerbDone, "A-12", "")}},
	{"A-12 and A-13 are done", []want{cmd(mailflow.VerbDone, "A-12", ""), cmd(mailflow.VerbDone, "A-13", "")}},
	{"A-12, A-13 done", []want{cmd(mailflow.VerbDone, "A-12", ""), cmd(mailflow.VerbDone, "A-13", "")}},

	// reopen, cancel, drop.
	{"reopen A-12", []want{cmd(mailflow.VerbReopen, "A-12", "")}},
	{"A-12 re-open", []want{cmd(mailflow.VerbReopen, "A-12", "")}},
	{"cancel A-12", []want{cmd(mailflow.VerbCancel, "A-12", "")}},
	{"drop it", []want{cmd(mailflow.VerbCancel, "", "")}},
	{"A-12 dropped: no longer needed", []want{cmdNote(mailflow.VerbCancel, "A-12", "", "no longer needed")}},

	// due <date>.
	{"due Dec 9", []want{cmd(mailflow.VerbDue, "", "Dec 9")}},
	{"A-12 due Dec 9", []want{cmd(mailflow.VerbDue, "A-12", "Dec 9")}},
	{"A-12: due Dec 9", []want{cmd(mailflow.VerbDue, "A-12", "Dec 9")}},
	{"due A-12 Dec 9", []want{cmd(mailflow.VerbDue, "A-12", "Dec 9")}},
	{"due date: 2026-12-09", []want{cmd(mailflow.VerbDue, "", "2026-12-09")}},
	{"due by Friday, thanks", []want{cmd(mailflow.VerbDue, "", "Friday")}},
	{"new due date is next Friday", []want{cmd(mailflow.VerbDue, "", "next Friday")}},
	// "next week" is a span, not a day: no due date is guessed from it.
	{"A-2 due next week", []want{problem(mailflow.VerbDue, "A-2")}},
	{"deadline: end of month", []want{cmd(mailflow.VerbDue, "", "end of month")}},
	{"push A-12 to next Friday", []want{cmd(mailflow.VerbDue, "A-12", "next Friday")}},
	{"postpone to Dec 12", []want{cmd(mailflow.VerbDue, "", "Dec 12")}},
	{"due", []want{problem(mailflow.VerbDue, "")}},
	{"A-12 due", []want{problem(mailflow.VerbDue, "A-12")}},
	{"A-12 due whenever", []want{problem(mailflow.VerbDue, "A-12")}},
	{"due soonish", []want{problem(mailflow.VerbDue, "")}},
	{"Due soon, I hope, once the vendor replies", []want{note("")}},

	// reassign, owner.
	{"reassign to carol@example.org", []want{cmd(mailflow.VerbReassign, "", "carol@example.org")}},
	{"reassign A-12 to carol@example.org", []want{cmd(mailflow.VerbReassign, "A-12", "carol@example.org")}},
	{"A-12 reassign to Carol Jones", []want{cmd(mailflow.VerbReassign, "A-12", "Carol Jones")}},
	{"owner carol@example.org", []want{cmd(mailflow.VerbReassign, "", "carol@example.org")}},
	{"R-3 owner: Dave", []want{cmd(mailflow.VerbReassign, "R-3", "Dave")}},
	{"new owner is Carol", []want{cmd(mailflow.VerbReassign, "", "Carol")}},
	{"reassign", []want{problem(mailflow.VerbReassign, "")}},
	{"A-12 reassign to", []want{problem(mailflow.VerbReassign, "A-12")}},

	// note.
	{"note waiting for the vendor", []want{cmd(mailflow.VerbNote, "", "waiting for the vendor")}},
	{"note A-12 waiting for the vendor", []want{cmd(mailflow.VerbNote, "A-12", "waiting for the vendor")}},
	{"A-12 note: vendor replied", []want{cmd(mailflow.VerbNote, "A-12", "vendor replied")}},
	{"note:", []want{problem(mailflow.VerbNote, "")}},

	// progress.
	{"progress 50%", []want{cmd(mailflow.VerbProgress, "", "50")}},
	{"A-12 progress: 80 %", []want{cmd(mailflow.VerbProgress, "A-12", "80")}},
	{"progress to 75% done", []want{cmd(mailflow.VerbProgress, "", "75")}},
	{"A-12 50%", []want{cmd(mailflow.VerbProgress, "A-12", "50")}},
	{"A-12 at 60% complete", []want{cmd(mailflow.VerbProgress, "A-12", "60")}},
	{"progress lots", []want{problem(mailflow.VerbProgress, "")}},
	{"progress", []want{problem(mailflow.VerbProgress, "")}},
	{"A-12 progress good", []want{problem(mailflow.VerbProgress, "A-12")}},

	// Risks: mitigation, likelihood, impact, owner, close, retire, reopen, escalate.
	{"R-3 mitigation: weekly vendor call", []want{cmd(mailflow.VerbMitigation, "R-3", "weekly vendor call")}},
	{"mitigation: weekly vendor call", []want{cmd(mailflow.VerbMitigation, "", "weekly vendor call")}},
	{"mitigation plan: second supplier", []want{cmd(mailflow.VerbMitigation, "", "second supplier")}},
	{"mitigate R-3 weekly vendor call", []want{cmd(mailflow.VerbMitigation, "R-3", "weekly vendor call")}},
	{"mitigation", []want{problem(mailflow.VerbMitigation, "")}},
	{"R-3 likelihood high", []want{cmd(mailflow.VerbLikelihood, "R-3", "high")}},
	{"likelihood: medium", []want{cmd(mailflow.VerbLikelihood, "", "medium")}},
	{"R-3 impact is very high", []want{cmd(mailflow.VerbImpact, "R-3", "very high")}},
	{"impact = 4", []want{cmd(mailflow.VerbImpact, "", "4")}},
	{"likelihood", []want{problem(mailflow.VerbLikelihood, "")}},
	{"R-3 owner carol@example.org", []want{cmd(mailflow.VerbReassign, "R-3", "carol@example.org")}},
	{"close R-3", []want{cmd(mailflow.VerbDone, "R-3", "")}},
	{"retire R-3", []want{cmd(mailflow.VerbDone, "R-3", "")}},
	{"R-3 reopen", []want{cmd(mailflow.VerbReopen, "R-3", "")}},
	{"escalate R-3", []want{cmd(mailflow.VerbEscalate, "R-3", "")}},
	{"escalate R-3 to the steering group", []want{cmd(mailflow.VerbEscalate, "R-3", "the steering group")}},

	// Prose is kept as a note, on the ref it mentions.
	{"I'm done with the first half, A-12 needs another week", []want{note("A-12")}},
	{"Done with the first half, A-12 needs another week", []want{note("A-12")}},
	{"A-12 needs another week", []want{note("A-12")}},
	{"closed the loop with finance", []want{note("")}},
	{"Due to the vendor delay, A-12 slips", []want{note("A-12")}},
	{"Deadline is tight", []want{note("")}},
	{"Note that the budget is frozen", []want{note("")}},
	{"Mitigation is hard here", []want{note("")}},
	{"Owner of the budget is unclear", []want{note("")}},
	{"Progress on the vendor side is slow", []want{note("")}},
	{"R-3 impact on the schedule would be large", []want{note("R-3")}},
	{"Cancel the room booking on Friday", []want{note("")}},
	{"Push the vendor for an answer", []want{note("")}},
	{"The vendor will call on Monday.", []want{note("")}},

	// Refs alone and two refs are problems.
	{"A-12", []want{problem(mailflow.VerbNote, "A-12")}},
	{"close A-12 A-13", []want{cmd(mailflow.VerbDone, "A-12", ""), cmd(mailflow.VerbDone, "A-13", "")}},
	{"A-12 close A-13", []want{problem(mailflow.VerbDone, "A-12")}},

	// Greetings and thanks are skipped.
	{"Hi Bob,", nil},
	{"Thanks for the update!", nil},
	{"Best regards,", nil},
	{"OK", nil},
	{"Cheers", nil},
	{"", nil},
}

func TestParseCommands(t *testing.T) {
	for _, tc := range commandCases {
		lines := ParseCommands(tc.in)
		var gotWants []want
		for _, l := range lines {
			gotWants = append(gotWants, got(l))
		}
		if fmt.Sprint(gotWants) != fmt.Sprint(tc.want) {
			t.Errorf("ParseCommands(%q) = %v, want %v", tc.in, gotWants, tc.want)
		}
		for _, l := range lines {
			if l.Command.Text != strings.TrimSpace(reBullet.ReplaceAllString(tc.in, "")) || l.Command.Line != 1 {
				t.Errorf("ParseCommands(%q): Text %q, Line %d; want the line and 1", tc.in, l.Command.Text, l.Command.Line)
			}
			if !l.IsCommand && l.Problem == "" && l.Command.Value != l.Command.Text {
				t.Errorf("ParseCommands(%q): a note's Value is %q, want the line", tc.in, l.Command.Value)
			}
		}
	}
}

func TestParseCommandsLines(t *testing.T) {
	text := "Hi all,\n\nA-12 done\nA-13 due Dec 9\n\nThe vendor called.\nreassign R-3 to dave@example.org\n\nThanks!\n"
	lines := ParseCommands(text)
	wantLines := []struct {
		n    int
		kind string
		verb mailflow.Verb
	}{{3, "cmd", mailflow.VerbDone}, {4, "cmd", mailflow.VerbDue}, {6, "note", mailflow.VerbNote}, {7, "cmd", mailflow.VerbReassign}}
	if len(lines) != len(wantLines) {
		t.Fatalf("ParseCommands(%q) = %d lines, want %d: %+v", text, len(lines), len(wantLines), lines)
	}
	for i, w := range wantLines {
		if l := lines[i]; l.Command.Line != w.n || got(l).kind != w.kind || l.Command.Verb != w.verb {
			t.Errorf("line %d = %+v, want line %d %s %s", i, l, w.n, w.kind, w.verb)
		}
	}
}

func TestParseCommandsCRLF(t *testing.T) {
	lines := ParseCommands("A-12 done\r\nA-13 done\r\n")
	if len(lines) != 2 || lines[0].Command.Line != 1 || lines[1].Command.Line != 2 {
		t.Errorf("ParseCommands(CRLF) = %+v, want lines 1 and 2", lines)
	}
}

func TestParseCommandsBounded(t *testing.T) {
	lines := ParseCommands(strings.Repeat("A-12 done\n", MaxLines+50))
	if len(lines) != MaxLines+1 {
		t.Fatalf("ParseCommands(%d lines) = %d lines, want %d", MaxLines+50, len(lines), MaxLines+1)
	}
	if last := lines[MaxLines]; last.Problem == "" || last.Command.Line != MaxLines+1 {
		t.Errorf("last line = %+v, want a Problem on line %d", last, MaxLines+1)
	}
}

func TestParseCommandsProblemsHelp(t *testing.T) {
	for _, in := range []string{"due", "progress lots", "reassign", "note:", "mitigation", "likelihood", "A-12", "A-12 close A-13"} {
		for _, l := range ParseCommands(in) {
			if l.Problem == "" || !strings.Contains(l.Problem, "e.g.") && !strings.Contains(l.Problem, "low, medium or high") && !strings.Contains(l.Problem, "own line") {
				t.Errorf("ParseCommands(%q) problem %q does not say what to write", in, l.Problem)
			}
		}
	}
}

// A week is not a day: the error says so, and how to write one.
func TestSpansNameNoDay(t *testing.T) {
	for _, text := range []string{"A-2 due next week", "A-2 due this week", "push A-2 to w/c 26 Oct"} {
		lines := ParseCommands(text)
		if len(lines) != 1 || !strings.Contains(lines[0].Problem, "names no day") {
			t.Errorf("ParseCommands(%q) = %+v, want a problem saying it names no day", text, lines)
		}
	}
}
