package mailflow

import "strings"

// Targets says what a reply verb acts on.
type Targets int

// What a verb applies to.
const (
	ToItems Targets = 1 << iota
	ToRisks
	ToBoth = ToItems | ToRisks
)

// Takes is what follows a verb in a reply, and so how the reply parser
// reads the rest of its line.
type Takes string

// What a verb takes after it.
const (
	TakesNothing Takes = ""        // "done", "reopen" (a reason after a mark is a note)
	TakesDate    Takes = "date"    // "due Dec 9"
	TakesPerson  Takes = "person"  // "reassign to carol@…"
	TakesText    Takes = "text"    // "note …", "mitigation: …"
	TakesPercent Takes = "percent" // "progress 50%"
	TakesLevel   Takes = "level"   // "likelihood high"
)

// VerbSpec is everything about one reply verb in one place: the words
// people use for it, what it applies to and takes, and how mailflow's mail
// teaches it. The reply parser reads its words and syntax from here, the
// engine its targets, and the mail templates and error answers its example
// and meaning; the engine's appliers are keyed by Verb, and a test checks
// that every verb here has one for each thing it applies to.
type VerbSpec struct {
	Verb Verb
	// Words are what people write for it, in the present, the past and
	// the -ing form; the first is how mailflow writes it.
	Words   []string
	Applies Targets
	Takes   Takes
	// Example is the command as a reader would type it, with %s where
	// the ref goes ("%s due next Friday"); Meaning says what it does.
	Example string
	Meaning string
}

// Verbs is the table of reply verbs, in the order the README lists them.
var Verbs = []VerbSpec{
	{VerbDone, []string{"done", "close", "closed", "closing", "complete", "completed", "finish", "finished", "fixed",
		"resolved", "retire", "retired"}, ToBoth, TakesNothing, "%s done", "closes it"},
	{VerbReopen, []string{"reopen", "re-open", "reopened", "re-opened", "reopening", "re-opening"},
		ToBoth, TakesNothing, "reopen %s", "reopens it"},
	{VerbCancel, []string{"cancel", "cancelled", "canceled", "cancelling", "canceling", "drop", "dropped", "dropping",
		"withdraw", "withdrawn", "scrap", "scrapped", "abandon", "abandoned"}, ToBoth, TakesNothing, "cancel %s", "cancels an item, closes a risk"},
	{VerbDue, []string{"due", "deadline", "move", "moved", "moving", "push", "pushed", "pushing", "postpone", "postponed",
		"postponing", "reschedule", "rescheduled", "rescheduling", "extend", "extended", "extending", "defer", "deferred",
		"deferring", "delay", "delayed", "slip", "slipped", "slips", "moves", "bump", "bumped"},
		ToItems, TakesDate, "%s due next Friday", "moves the due date"},
	{VerbReassign, []string{"reassign", "reassigned", "reassigning", "assign", "assigned", "owner", "give", "gave", "hand",
		"handed", "pass", "passed", "transfer", "transferred"}, ToBoth, TakesPerson, "reassign %s to name@example.org", "hands it over"},
	{VerbNote, []string{"note", "comment"}, ToBoth, TakesText, "note %s waiting for the vendor", "adds a note"},
	{VerbProgress, []string{"progress"}, ToItems, TakesPercent, "%s progress 50%%", "records progress"},
	{VerbMitigation, []string{"mitigation", "mitigate"}, ToRisks, TakesText, "%s mitigation: weekly vendor call", "records how the risk is handled"},
	{VerbLikelihood, []string{"likelihood", "probability"}, ToRisks, TakesLevel, "%s likelihood medium", "rates how likely it is"},
	{VerbImpact, []string{"impact", "severity"}, ToRisks, TakesLevel, "%s impact high", "rates how much it would hurt"},
	{VerbEscalate, []string{"escalate", "escalated", "escalating"}, ToRisks, TakesNothing, "escalate %s", "puts it at the top of the leadership report"},
}

// SpecOf returns the table entry of a verb.
func SpecOf(v Verb) (VerbSpec, bool) {
	for _, s := range Verbs {
		if s.Verb == v {
			return s, true
		}
	}
	return VerbSpec{}, false
}

// ExampleFor writes the verb's example for ref: "A-12 due next Friday".
func (s VerbSpec) ExampleFor(ref string) string {
	return strings.Replace(strings.ReplaceAll(s.Example, "%%", "%"), "%s", ref, 1)
}

// AppliesTo reports whether the verb acts on the thing ref names.
func (s VerbSpec) AppliesTo(ref string) bool {
	switch RefKind(ref) {
	case "item":
		return s.Applies&ToItems != 0
	case "risk":
		return s.Applies&ToRisks != 0
	}
	return false
}
