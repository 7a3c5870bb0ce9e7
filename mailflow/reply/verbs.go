package reply

import (
	"regexp"
	"strings"

	"mailflow/mailflow"
)

// verbs maps the words people use to the command they mean. The table is
// read-only after package initialisation.
var verbs = map[string]mailflow.Verb{
	"done": mailflow.VerbDone, "close": mailflow.VerbDone, "closed": mailflow.VerbDone,
	"complete": mailflow.VerbDone, "completed": mailflow.VerbDone, "finished": mailflow.VerbDone,
	"fixed": mailflow.VerbDone, "resolved": mailflow.VerbDone, "retire": mailflow.VerbDone,
	"retired": mailflow.VerbDone,

	"reopen": mailflow.VerbReopen, "re-open": mailflow.VerbReopen, "reopened": mailflow.VerbReopen,

	"cancel": mailflow.VerbCancel, "cancelled": mailflow.VerbCancel, "canceled": mailflow.VerbCancel,
	"drop": mailflow.VerbCancel, "dropped": mailflow.VerbCancel, "withdraw": mailflow.VerbCancel,
	"withdrawn": mailflow.VerbCancel,

	"due": mailflow.VerbDue, "deadline": mailflow.VerbDue,
	// "push A-12 to Friday": these need "to <date>" after them.
	"move": mailflow.VerbDue, "moved": mailflow.VerbDue, "push": mailflow.VerbDue, "pushed": mailflow.VerbDue,
	"postpone": mailflow.VerbDue, "postponed": mailflow.VerbDue, "reschedule": mailflow.VerbDue,
	"rescheduled": mailflow.VerbDue, "extend": mailflow.VerbDue, "extended": mailflow.VerbDue,
	"defer": mailflow.VerbDue, "deferred": mailflow.VerbDue,

	"reassign": mailflow.VerbReassign, "assign": mailflow.VerbReassign, "owner": mailflow.VerbReassign,

	"note": mailflow.VerbNote, "comment": mailflow.VerbNote,

	"progress": mailflow.VerbProgress,

	"mitigation": mailflow.VerbMitigation, "mitigate": mailflow.VerbMitigation,

	"likelihood": mailflow.VerbLikelihood, "probability": mailflow.VerbLikelihood,
	"impact": mailflow.VerbImpact, "severity": mailflow.VerbImpact,

	"escalate": mailflow.VerbEscalate, "escalated": mailflow.VerbEscalate,
}

// movingVerbs are the due-date verbs that only make a command with "to
// <date>" after them: "push A-12 to Friday" but not "push the vendor".
var movingVerbs = map[string]bool{
	"move": true, "moved": true, "push": true, "pushed": true, "postpone": true, "postponed": true,
	"reschedule": true, "rescheduled": true, "extend": true, "extended": true, "defer": true, "deferred": true,
}

// politeWords may come before a command without changing it: "please
// close A-12", "mark A-12 as done", "set A-12 due Dec 9", "new owner: bob".
var politeWords = []string{"please", "pls", "plz", "kindly", "can you", "could you", "mark", "set", "change", "update", "new"}

// copulas may come between a ref and its verb: "A-12 is done", "mark A-12
// as complete", "A-12 and A-13 are done", "A-12 has been cancelled",
// "A-12 at 50%".
var copulas = []string{"is now", "are now", "has been", "have been", "is", "are", "as", "now", "been", "was", "were", "at"}

// quietTails may follow a verb that takes no value without turning the line
// into prose: "close A-12 please", "drop it", "done already".
var quietTails = map[string]bool{
	"please": true, "pls": true, "thanks": true, "thank you": true, "thx": true, "now": true,
	"already": true, "too": true, "as well": true, "it": true, "this": true, "this one": true,
	"that": true, "that one": true, "for me": true, "today": true, "then": true,
}

// proseStarts are words that, right after a verb that takes text, show the
// line is a sentence about the thing rather than a command: "Note that…",
// "Mitigation is hard", "Owner of the budget…".
var proseStarts = map[string]bool{
	"that": true, "is": true, "was": true, "will": true, "would": true, "should": true, "could": true,
	"may": true, "might": true, "has": true, "have": true, "of": true, "for": true, "on": true,
	"in": true, "with": true, "the": true, "this": true, "it": true, "needs": true, "seems": true,
	"to": true, "and": true, "but": true, "we": true, "i": true, "you": true, "they": true, "a": true, "an": true,
}

// dateWords are words that make a phrase look like a date to the engine's
// date reader (mailflow/dates): month and weekday names and the relative
// phrases it knows.
var dateWords = map[string]bool{
	"jan": true, "january": true, "feb": true, "february": true, "mar": true, "march": true,
	"apr": true, "april": true, "may": true, "jun": true, "june": true, "jul": true, "july": true,
	"aug": true, "august": true, "sep": true, "sept": true, "september": true, "oct": true,
	"october": true, "nov": true, "november": true, "dec": true, "december": true,
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true,
	"wednesday": true, "thu": true, "thur": true, "thurs": true, "thursday": true, "fri": true,
	"friday": true, "sat": true, "saturday": true, "sun": true, "sunday": true,
	"today": true, "tonight": true, "tomorrow": true, "eod": true, "eow": true, "eom": true,
	"cob": true, "next": true, "end": true, "week": true, "weeks": true, "month": true,
	"months": true, "days": true, "meeting": true,
}

var (
	reWordSplit = regexp.MustCompile(`[^\p{L}\p{N}]+`)
)

// looksLikeDate reports whether a phrase could be a date: it has a digit or
// one of the date words. The engine decides whether it can read it.
func looksLikeDate(s string) bool {
	if hasDigit(s) {
		return true
	}
	for _, w := range reWordSplit.Split(strings.ToLower(s), -1) {
		if dateWords[w] {
			return true
		}
	}
	return false
}

// isCommandWord reports whether s, alone, is a command verb ("Done.").
func isCommandWord(s string) bool {
	_, ok := verbs[strings.ToLower(strings.Trim(s, ".!,: "))]
	return ok
}
