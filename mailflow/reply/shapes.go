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
	switch verb {
	case mailflow.VerbDone, mailflow.VerbReopen, mailflow.VerbCancel, mailflow.VerbEscalate:
		return statusShape(verb, after, setOff)
	case mailflow.VerbDue:
		return dueShape(key, after, explicit)
	case mailflow.VerbReassign:
		return personShape(key, after, explicit)
	case mailflow.VerbNote:
		return textShape(key, after, explicit, "note A-12 waiting for the vendor")
	case mailflow.VerbMitigation:
		if rest, ok := cutWord(after, "plan:"); ok {
			after, explicit = rest, true
		}
		return textShape(key, after, explicit, "R-3 mitigation: weekly vendor call")
	case mailflow.VerbProgress:
		return progressShape(after, explicit)
	case mailflow.VerbLikelihood, mailflow.VerbImpact:
		return levelShape(key, after, explicit)
	}
	return shape{prose: true}
}

// statusShape reads what follows a verb that takes no value. Nothing, a
// courtesy ("close A-12 please") or a comment set off by punctuation
// ("done - sent to legal", "dropped: not needed", kept as the value) make
// a command; words that carry on the sentence ("done with the first
// half") make prose.
func statusShape(verb mailflow.Verb, tail string, setOff bool) shape {
	switch {
	case isQuiet(tail):
		return shape{}
	case setOff || strings.ContainsRune(",.;:!-–—(", firstRune(tail)):
		comment := strings.Trim(tail, " ,.;:!-–—()")
		if quietTails[strings.ToLower(comment)] || isPleasantry(comment) {
			comment = ""
		}
		return shape{value: comment}
	case verb == mailflow.VerbEscalate:
		if to, ok := cutWord(tail, "to"); ok && to != "" {
			return shape{value: trimThanks(to)}
		}
	}
	return shape{prose: true}
}

// dueShape reads a due date. "due Dec 9", "due date: Dec 9", "due by
// Friday" and "push A-12 to next week" are commands, and so is "A-12 due
// whenever", whose date the engine will say it cannot read; "due to the
// vendor" and "deadline is tight" are sentences; "due" alone is a Problem.
func dueShape(key, after string, explicit bool) shape {
	v := after
	if movingVerbs[key] {
		rest, ok := cutWord(v, "to")
		if !ok {
			return shape{prose: true}
		}
		v = rest
	} else {
		if _, ok := cutWord(v, "to"); ok && !explicit {
			return shape{prose: true} // "due to the holidays"
		}
		if _, ok := cutWord(v, "is"); ok && !explicit && !looksLikeDate(v) {
			return shape{prose: true} // "deadline is tight"
		}
	}
	v, _ = skipWords(v, []string{"date", "on", "by", "to", "is", "now", "be", "changed", "moved", "set", "->", "→"})
	v = trimThanks(strings.TrimLeft(v, ":= "))
	switch {
	case v == "":
		return shape{problem: fmt.Sprintf("%q needs a date, e.g. \"A-12 due Dec 9\"", key)}
	case looksLikeDate(v):
		return shape{value: v}
	case explicit || len(strings.Fields(v)) <= 2:
		// Meant as a date: the engine says it cannot read it.
		return shape{value: v}
	}
	return shape{prose: true}
}

// personShape reads a new owner: "reassign to carol@x", "owner: Carol",
// "new owner is carol". "Owner of the budget is unclear" is a sentence.
func personShape(key, after string, explicit bool) shape {
	v, _ := skipWords(after, []string{"to", "is", "now", "be", "->", "→"})
	v = trimThanks(v)
	switch {
	case v == "":
		return shape{problem: fmt.Sprintf("%q needs a person, e.g. \"reassign A-12 to carol@example.org\"", key)}
	case explicit || strings.Contains(v, "@"):
		return shape{value: v}
	case len(strings.Fields(v)) <= 3 && !proseStarts[firstWordLower(v)]:
		return shape{value: v}
	}
	return shape{prose: true}
}

// textShape reads free text after "note" or "mitigation". "Note that…"
// and "Mitigation is hard" are sentences; the text itself is the value.
func textShape(key, after string, explicit bool, example string) shape {
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
// "progress to 75 %". "progress lots" is a Problem; "Progress on the vendor
// side is slow" is a sentence.
func progressShape(after string, explicit bool) shape {
	v, _ := skipWords(after, []string{"to", "is", "now", "at", "of"})
	v = trimThanks(v)
	for _, w := range []string{"done", "complete", "completed", "finished"} {
		v = strings.TrimSpace(strings.TrimSuffix(v, " "+w))
	}
	const want = "progress must be a percentage, e.g. \"A-12 progress 50%\""
	if m := rePercent.FindStringSubmatch(v); m != nil {
		return shape{value: m[1]}
	}
	if v == "" || explicit || len(strings.Fields(v)) <= 2 {
		return shape{value: v, problem: want}
	}
	return shape{prose: true}
}

// levelShape reads a likelihood or impact: "impact high", "R-3 likelihood:
// medium", "impact is 4". The engine maps the words to a level. "Impact on
// the schedule would be large" is a sentence.
func levelShape(key, after string, explicit bool) shape {
	v, _ := skipWords(after, []string{"is", "now", "to", "be", "->", "→"})
	v = trimThanks(v)
	words := len(strings.Fields(v))
	switch {
	case v == "":
		return shape{problem: fmt.Sprintf("%q needs a level: low, medium or high", key)}
	case words <= 3:
		return shape{value: v}
	case explicit && strings.Contains(after, ":"):
		return shape{value: v, problem: fmt.Sprintf("%q needs a level: low, medium or high", key)}
	}
	return shape{prose: true}
}

// isQuiet reports whether the words after a verb add nothing to it:
// none, or a courtesy such as "please".
func isQuiet(tail string) bool {
	lower := strings.ToLower(strings.Trim(tail, " .!,;"))
	return lower == "" || quietTails[lower]
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
