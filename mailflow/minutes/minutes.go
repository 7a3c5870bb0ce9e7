// Package minutes reads meeting minutes, as people actually write them, into
// action items, risks, decisions, attendees and schedule/scope changes. It is
// pure: text and options in, values out; no clock, no I/O.
//
// Minutes arrive in many layouts — labelled lines ("ACTION: Alice to …"),
// sections ("Action items" followed by a list), Markdown and HTML tables,
// checklists, key/value blocks, MeetBot and W3C scribe output — and often
// several at once. The text is first cut into entries (a list item or line
// with its wrapped continuation, a heading, a table) and each entry placed
// in the section it belongs to (structure.go); then each entry is read by
// what it is (parser.go, labels.go, markers.go, actions.go, risk.go,
// tables.go). Running text is read sentence by sentence (prose.go,
// subjects.go, speakers.go, decisions.go): "Priya will write the runbook by
// December 11", "Ian: will write a PR", "The board decided to …" — the
// shape of a sentence, and who its subject is, decide. Recaps written by
// meeting assistants (recap.go), the notes that travel with the minutes
// (notes.go), and the milestones and asks of leadership a status report
// shows (milestones.go) have their own files. Numeric dates are read the
// way the minutes write them (dates.OrderIn), and a week is no due day.
//
// Anything it recognises as meant to be an item but cannot fully read (no
// owner, an owner who could be two people, a date it cannot read or that is
// only hoped for) becomes a Problem for the sender to fix; it never
// guesses. Prose that merely mentions an action or a name is not an item,
// and minutes that yield no item at all say so.
package minutes

import (
	"regexp"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

// Options configure a parse.
type Options struct {
	// Location is the project's time zone; meeting dates are days there.
	Location *time.Location
	// Roster is the project's members; owners resolve against it first.
	Roster []mailflow.Member
	// Dates says how to read 12/3 and "next meeting".
	Dates dates.Options
	// Subjects match subjects that announce minutes; DefaultSubjects when nil.
	Subjects []*regexp.Regexp
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// DefaultSubjects match the subjects that announce minutes ("Minutes:
// weekly sync", "MoM 3 Dec", "Meeting notes", "Notes from the kickoff",
// "Weekly sync notes", "Recap: cutover call", "Call summary", "Actions from
// today"), after CleanSubject has removed Re:/Fwd: prefixes.
var DefaultSubjects = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bminutes\b`), regexp.MustCompile(`(?i)\bmom\b`),
	regexp.MustCompile(`(?i)\bnotes\b`), regexp.MustCompile(`(?i)\brecap\b`),
	regexp.MustCompile(`(?i)\b(?:meeting|call|session|sync) summary\b`),
	regexp.MustCompile(`(?i)\baction (?:items|points)\b`), regexp.MustCompile(`(?i)\bactions (?:from|arising)\b`),
}

var rePrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|doorst)\s*(\[\d+\])?\s*:\s*)+`)

// CleanSubject removes Re:/Fwd: prefixes (in the common languages) and
// list tags such as "[ehr-project]".
func CleanSubject(s string) string {
	for {
		t := strings.TrimSpace(rePrefix.ReplaceAllString(s, ""))
		if strings.HasPrefix(t, "[") {
			if i := strings.Index(t, "]"); i > 0 && !reRef.MatchString(t[:i+1]) {
				t = strings.TrimSpace(t[i+1:])
			}
		}
		if t == s {
			return t
		}
		s = t
	}
}

var reRef = regexp.MustCompile(`(?i)\b[AR]-\d+\b`)

// IsMinutes reports whether a message is minutes: its subject says so, or
// its body has the structure of minutes (labelled action items, sections
// such as "Action items", action or risk tables).
func IsMinutes(subject, text string, opts Options) bool {
	return subjectSaysMinutes(subject, opts) || HasStructure(text)
}

// subjectSaysMinutes reports whether a subject announces minutes.
func subjectSaysMinutes(subject string, opts Options) bool {
	subj := CleanSubject(subject)
	subjects := opts.Subjects
	if subjects == nil {
		subjects = DefaultSubjects
	}
	for _, re := range subjects {
		if re.MatchString(subj) {
			return true
		}
	}
	return false
}

// HasStructure reports whether text is laid out like minutes: labelled
// action items, decisions or risks, checklists, action or risk tables, or
// sections such as "Action items" and "Attendees", the headings of a
// meeting assistant's recap ("Quick recap", "Next steps", "Follow-up
// tasks") and the items under them — two such signs, so that one
// "Decision:" in a chatty mail does not make it minutes.
func HasStructure(text string) bool {
	return structured(readDocument(strings.ReplaceAll(text, "\r", ""), 1))
}

// structured reports whether entries are laid out like minutes (see
// HasStructure).
func structured(entries []entry) bool {
	signs, recap := 0, 0
	for i := range entries {
		e := &entries[i]
		switch {
		case e.sec == secAttachments:
		case e.heading:
			switch e.sec {
			case secActions, secRisks, secDecisions, secAttendees, secMotions, secOutcomes:
				signs++
			}
			if recapHeadings[normHeading(e.text)] {
				recap++ // a forwarded meeting recap: "Quick recap", "Next steps", "Summary"
				if recap == 3 {
					signs++
				}
			}
		case (e.sec == secActions || e.sec == secOutcomes) && e.depth == 0 && (looksLikeEntry(e.text) || endsWithOwner(e.text)):
			signs++ // "- Marcus Chen to confirm …" under "Next steps"
		case e.table != nil:
			if kind, _ := layout(e.table.header, e.sec); kind != tableNone {
				signs += 2
			}
		case isCheckbox(e.text):
			signs++
		default:
			if l, ok := readLabel(e.text); ok && l.kind != labelIgnore {
				signs++
			}
		}
		if signs >= 2 {
			return true
		}
	}
	return false
}

// endsWithOwner reports whether an item's text ends with its owner's name
// in brackets or after a dash: "… by Thursday. (Lena Kovacs)", "… - Jordan
// Lee".
func endsWithOwner(s string) bool {
	t := strings.TrimRight(s, " .")
	if strings.HasSuffix(t, ")") {
		if open := strings.LastIndexByte(t, '('); open > 0 {
			return fullName(t[open+1 : len(t)-1])
		}
	}
	if _, tail, ok := dashTail(t); ok {
		return fullName(tail)
	}
	return false
}

// Parse reads minutes from a message.
func Parse(msg *mailtext.Message, opts Options) mailflow.Minutes {
	p := newParser(msg, opts)
	p.run()
	return p.out
}
