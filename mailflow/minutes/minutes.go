// Package minutes reads meeting minutes, as people actually write them, into
// action items, risks, decisions, attendees and schedule/scope changes. It is
// pure: text and options in, values out; no clock, no I/O.
//
// Anything it recognises as meant to be an item but cannot fully read (no
// owner, an owner who could be two people, a date it cannot read) becomes a
// Problem for the sender to fix; it never guesses.
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
	// Subjects match subjects that announce minutes.
	Subjects []*regexp.Regexp
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

var rePrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr)\s*(\[\d+\])?\s*:\s*)+`)

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
// its body has the structure of minutes (labelled action items or an
// action-items section).
func IsMinutes(subject, text string, opts Options) bool {
	subj := CleanSubject(subject)
	for _, re := range opts.Subjects {
		if re.MatchString(subj) {
			return true
		}
	}
	return HasStructure(text)
}

// HasStructure reports whether text is laid out like minutes: labelled
// action items or risks, or sections such as "Action items" and "Attendees".
func HasStructure(text string) bool {
	labels, sections := 0, 0
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, ">") {
			continue // quoted text says nothing about this message
		}
		if _, _, ok := labelled(l); ok {
			labels++
		}
		if sec, ok := heading(l); ok && (sec == secActions || sec == secRisks || sec == secDecisions || sec == secAttendees) {
			sections++
		}
	}
	return labels >= 2 || sections >= 2 || (labels >= 1 && sections >= 1)
}

// Parse reads minutes from a message.
func Parse(msg *mailtext.Message, opts Options) mailflow.Minutes {
	p := newParser(msg, opts)
	p.run()
	return p.out
}
