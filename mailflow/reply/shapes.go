package reply

import (
	"fmt"
	"regexp"
	"strings"

	"mailflow/mailflow"
)

// shape is what the words after a verb turned out to be.
type shape struct {
	value   string // the date, person, level, percentage or text the verb takes
	note    string // a reason or comment that came with the command
	problem string // set when the command is incomplete
	prose   bool   // the line is a sentence, not a command: keep it as a note
}

// reTrailingThanks is a courtesy after a value: "Dec 9, thanks!",
// "carol@x please".
var reTrailingThanks = regexp.MustCompile(`(?i)[\s,;.!-]*(?:\b(?:please|pls|thanks|thank you|thx|cheers))?[\s,;.!]*$`)

// shapeOf reads the words after a verb; colon says a ":" or "=" followed
// the verb, setOff that some punctuation did, and ref that the line names
// a ref. A colon or a ref shows the sender addressed mailflow: then a
// value of the wrong shape is a Problem rather than a sentence.
func shapeOf(verb mailflow.Verb, key, after string, colon, setOff, ref bool) shape {
	after = strings.TrimSpace(after)
	explicit := colon || ref
	spec, ok := mailflow.SpecOf(verb)
	if !ok {
		return shape{prose: true}
	}
	switch spec.Takes {
	case mailflow.TakesNothing:
		return statusShape(verb, key, after, setOff)
	case mailflow.TakesDate:
		return dueShape(key, after, explicit)
	case mailflow.TakesPerson:
		return personShape(key, after, explicit, ref)
	case mailflow.TakesText:
		if rest, ok := cutWord(after, "plan:"); ok && verb == mailflow.VerbMitigation {
			after, explicit = rest, true // "mitigation plan: …"
		}
		return textShape(key, after, explicit, spec.ExampleFor(exampleRef(spec)))
	case mailflow.TakesPercent:
		return progressShape(after, explicit)
	case mailflow.TakesLevel:
		return levelShape(key, after, explicit)
	}
	return shape{prose: true}
}

// exampleRef is the ref error examples use for a verb: an item's where it
// applies to items, else a risk's.
func exampleRef(spec mailflow.VerbSpec) string {
	if spec.Applies&mailflow.ToItems != 0 {
		return "A-12"
	}
	return "R-3"
}

// statusShape reads what follows a verb that takes no value. Nothing, a
// courtesy or a time ("close A-12 please", "completed yesterday") make a
// command; so does a reason set off by a mark ("done - sent to legal",
// "dropped: not needed", "closed because the vendor fixed it"), which
// becomes the note. Words that carry on the sentence ("done with the first
// half") make prose. "escalate R-3 to the board" keeps "the board" as the
// value.
func statusShape(verb mailflow.Verb, key, tail string, setOff bool) shape {
	switch {
	case isQuiet(tail):
		return shape{}
	case setOff || startsWithMark(tail):
		return shape{note: cleanReason(tail)}
	}
	if head, reason := splitReason(tail); reason != "" && isQuiet(head) {
		return shape{note: reason} // "yesterday, sent to legal"
	}
	if reason, ok := pastTime(key, tail); ok {
		return shape{note: reason}
	}
	if verb == mailflow.VerbEscalate {
		if to, ok := cutWord(tail, "to"); ok && to != "" {
			head, reason := splitReason(to)
			return shape{value: trimThanks(head), note: reason}
		}
	}
	return shape{prose: true}
}

// pastTime reads when a thing was done after a verb in the past tense:
// "completed on Monday", "closed last Friday, sent to legal". It returns
// the reason after the time. "done on Friday" and "closed by Friday" may
// be plans, so they stay sentences.
func pastTime(key, tail string) (reason string, ok bool) {
	if !strings.HasSuffix(key, "ed") {
		return "", false
	}
	_, rest, ok := cutAnyWord(tail, []string{"on", "last"})
	if !ok {
		return "", false
	}
	_, after, ok := datePhrase(rest)
	switch {
	case !ok:
		return "", false
	case isQuiet(after):
		return "", true
	case startsWithMark(strings.TrimSpace(after)):
		return cleanReason(after), true
	}
	return "", false
}

// dueLinks join a moving verb to its date: "push A-12 to Friday", "A-12
// delayed until Dec 11", "A-2 rescheduled for the 11th".
var dueLinks = []string{"to", "until", "till", "til", "for"}

// dueFillers may stand between "due" and its date: "due date is now Dec
// 9", "due by Friday", "deadline moved to the 11th".
var dueFillers = []string{"date", "on", "by", "to", "is", "now", "be", "changed", "moved", "pushed", "set",
	"back", "out", "until", "till", "->", "→"}

// dueShape reads a due date out of the clause it sits in: the value is the
// date phrase alone ("Moved A-2 to the 11th, vendor can't do earlier" is
// "the 11th") and the rest of the clause is the note. "due Dec 9", "due
// date: Dec 9", "due by Friday" and "push A-12 back to next week" are
// commands. Without a date the reader knows, a line addressed to mailflow
// ("A-12 due whenever", "due soonish") is a Problem; "due to the vendor",
// "deadline is tight" and "moved to the big room" are sentences.
func dueShape(key, after string, explicit bool) shape {
	v := after
	moving := movingVerbs[key]
	var sentence bool // without a date, the words read as a sentence
	if moving {
		v, _ = skipWords(v, []string{"back", "out", "forward", "up", "it"})
		if from, ok := cutWord(v, "from"); ok {
			// "moved A-2 from Dec 4 to Dec 11"
			if i := indexFold(from, " to "); i >= 0 {
				v = from[i+1:]
			}
		}
		link, rest, ok := cutAnyWord(v, dueLinks)
		if !ok {
			return shape{prose: true}
		}
		// "moved A-2 to Boston" asks about a date it cannot read; "moved
		// A-2 for the vendor" is a sentence.
		v, sentence = rest, !explicit || link != "to"
	} else {
		_, dueTo := cutWord(v, "to")
		_, is := cutWord(v, "is")
		sentence = dueTo || is && !explicit
	}
	v, _ = skipWords(v, dueFillers)
	v = strings.TrimLeft(v, ":= ")
	if phrase, rest, ok := datePhrase(v); ok {
		return shape{value: phrase, note: cleanReason(rest)}
	}
	v = trimThanks(v)
	switch {
	case sentence:
		return shape{prose: true}
	case v == "":
		return shape{problem: fmt.Sprintf("%q needs a date, e.g. \"A-12 due Dec 9\"", key)}
	case vague(v):
		return shape{value: v, problem: fmt.Sprintf("%q names no day, so no due date was set; write one, e.g. \"A-12 due next Friday\" or \"due Dec 9\"", v)}
	case explicit || len(strings.Fields(v)) <= 2:
		return shape{value: v, problem: fmt.Sprintf("cannot read the date %q; write e.g. \"A-12 due Dec 9\", \"due the 11th\" or \"due next Friday\"", v)}
	}
	return shape{prose: true}
}

// personShape reads a new owner: "reassign to carol@x", "owner: Carol",
// "new owner is carol", "reassign A-7 to Carol, she owns pharmacy now"
// (the reason is the note). "Owner of the budget is unclear" is a
// sentence. The verbs of ordinary speech need a ref and "to": "give A-7
// to Carol" is a command, "pass it to Carol" is not.
func personShape(key, after string, explicit, ref bool) shape {
	v := after
	if handingVerbs[key] {
		v, _ = skipWords(v, []string{"over", "back"})
		rest, ok := cutWord(v, "to")
		if !ok || !ref {
			return shape{prose: true}
		}
		v = rest
	}
	v, _ = skipWords(v, []string{"to", "is", "now", "be", "->", "→"})
	head, reason := splitReason(v)
	head = trimThanks(head)
	switch {
	case head == "":
		return shape{problem: fmt.Sprintf("%q needs a person, e.g. \"reassign A-12 to carol@example.org\"", key)}
	case explicit || strings.Contains(head, "@"):
		return shape{value: head, note: reason}
	case len(strings.Fields(head)) <= 3 && !proseStarts[firstWordLower(head)]:
		return shape{value: head, note: reason}
	}
	return shape{prose: true}
}

// textShape reads free text after "note" or "mitigation". The text is the
// value, whole: a comma or a "because" in it is part of it. "Note that…"
// and "Mitigation is hard" are sentences; a dash after the verb sets the
// text off as a colon does ("R-3 mitigation - weekly vendor call").
func textShape(key, after string, explicit bool, example string) shape {
	if rest, ok := cutDash(after); ok {
		after, explicit = rest, true
	}
	switch {
	case after == "":
		return shape{problem: fmt.Sprintf("%q needs some text, e.g. %q", key, example)}
	case explicit:
		return shape{value: after}
	case proseStarts[firstWordLower(after)]:
		return shape{prose: true}
	}
	return shape{value: after}
}

// progressShape reads a percentage: "progress 50%", "progress: 80",
// "progress to 75 %", "progress 50%, waiting on the vendor" (the reason is
// the note). "progress lots" is a Problem; "Progress on the vendor side is
// slow" is a sentence.
func progressShape(after string, explicit bool) shape {
	v, _ := skipWords(after, []string{"to", "is", "now", "at", "of"})
	v, reason := splitReason(v)
	v = trimThanks(v)
	for _, w := range []string{"done", "complete", "completed", "finished"} {
		v = strings.TrimSpace(strings.TrimSuffix(v, " "+w))
	}
	const want = "progress must be a percentage, e.g. \"A-12 progress 50%\""
	if m := rePercent.FindStringSubmatch(v); m != nil {
		return shape{value: m[1], note: reason}
	}
	if v == "" || explicit || len(strings.Fields(v)) <= 2 {
		return shape{value: v, problem: want}
	}
	return shape{prose: true}
}

// levelShape reads a likelihood or impact: "impact high", "R-3 likelihood:
// medium", "impact is 4", "impact high - it stops go-live" (the reason is
// the note). The engine maps the words to a level. "Impact on the
// schedule would be large" is a sentence.
func levelShape(key, after string, explicit bool) shape {
	v, _ := skipWords(after, []string{"is", "now", "to", "be", "->", "→"})
	head, reason := splitReason(v)
	head = trimThanks(head)
	words := len(strings.Fields(head))
	switch {
	case head == "":
		return shape{problem: fmt.Sprintf("%q needs a level: low, medium or high", key)}
	case words <= 3 && (reason == "" || !proseStarts[firstWordLower(head)]):
		return shape{value: head, note: reason}
	case explicit && strings.Contains(after, ":"):
		return shape{value: trimThanks(v), problem: fmt.Sprintf("%q needs a level: low, medium or high", key)}
	}
	return shape{prose: true}
}

// isQuiet reports whether the words after a verb add nothing to it: none,
// or courtesies and times such as "please" and "yesterday".
func isQuiet(tail string) bool {
	lower := strings.ToLower(strings.Trim(tail, " .!,;?"))
	if lower == "" {
		return true
	}
	rest, _ := skipWords(quietPunct.Replace(lower), quietTails)
	return rest == ""
}

// quietPunct turns the punctuation between courtesies into spaces:
// "already, thanks!".
var quietPunct = strings.NewReplacer(",", " ", ";", " ", ".", " ", "!", " ", "?", " ")

// cutDash removes a dash that sets text off from its verb: "- weekly
// vendor call".
func cutDash(s string) (string, bool) {
	for _, d := range []string{"-", "–", "—", "--"} {
		if rest, ok := strings.CutPrefix(s, d+" "); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return s, false
}

// trimThanks removes a courtesy after a value.
func trimThanks(s string) string {
	if len(s) > maxPatternLine {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(reTrailingThanks.ReplaceAllString(s, ""))
}

func firstWordLower(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(f[0], ".,;:!"))
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
