package minutes

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The scanners here find where an item's owner or due date is written.
// They are hand-written rather than regular expressions because they run
// on most lines of every message, and a backtracking search for "the name
// before 'to'" costs more than the rest of the parse.

// maxNameWords bounds the words of an owner list ("Alice Moreau and Bob").
const maxNameWords = 10

// nameWord reports whether w can be part of a written owner: a name, an
// @handle, an address, or a joining word.
func nameWord(w string, first bool) bool {
	switch w {
	case "and", "&", "/", "+", ",":
		return !first
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsLetter(r) && r != '@' {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".'@_+-/&,’", r) {
			return false
		}
	}
	return true
}

// toWords are the words between an owner and the task: "Alice to …",
// "Bob will …". The two-word forms end in "to".
var toWords = map[string]bool{
	"to": true, "will": true, "shall": true, "should": true, "must": true, "owns": true, "takes": true,
}
var toPrefixes = map[string]bool{
	"is": true, "are": true, "agreed": true, "needs": true, "need": true, "has": true, "have": true,
	"volunteered": true, "offered": true,
}

// splitNameTo splits "Alice and Bob to agree the rota" into "Alice and
// Bob" and "agree the rota". It judges only the shape of the words.
func splitNameTo(s string) (name, rest string, ok bool) {
	pos := 0
	var starts []int
	for i := 0; i <= maxNameWords; i++ {
		for pos < len(s) && s[pos] == ' ' {
			pos++
		}
		if pos >= len(s) {
			return "", "", false
		}
		end := strings.IndexByte(s[pos:], ' ')
		if end < 0 {
			return "", "", false // no task after the marker
		}
		w := s[pos : pos+end]
		lower := strings.ToLower(w)
		if i > 0 {
			markerEnd := -1
			switch {
			case toWords[lower]:
				markerEnd = pos + end
			case toPrefixes[lower] && strings.HasPrefix(s[pos+end:], " to "):
				markerEnd = pos + end + 3
			}
			if markerEnd >= 0 {
				rest = strings.TrimSpace(s[markerEnd:])
				if rest == "" {
					return "", "", false
				}
				return strings.TrimSpace(s[:starts[len(starts)-1]+len(lastWord(s, starts))]), rest, true
			}
		}
		if !nameWord(w, i == 0) {
			return "", "", false
		}
		starts = append(starts, pos)
		pos += end
	}
	return "", "", false
}

func lastWord(s string, starts []int) string {
	w := s[starts[len(starts)-1]:]
	if i := strings.IndexByte(w, ' '); i >= 0 {
		w = w[:i]
	}
	return w
}

// splitNameColon splits "Alice Moreau: send the plan" at the colon.
func splitNameColon(s string) (name, rest string, ok bool) {
	i := strings.Index(s, ": ")
	if i <= 0 || i > 80 {
		return "", "", false
	}
	name = strings.TrimSpace(s[:i])
	rest = strings.TrimSpace(s[i+2:])
	if rest == "" {
		return "", "", false
	}
	words := strings.Fields(name)
	if len(words) > maxNameWords {
		return "", "", false
	}
	for j, w := range words {
		if !nameWord(w, j == 0) {
			return "", "", false
		}
	}
	return name, rest, true
}

// dueTail finds the last "by Friday", "due 12/3", "before Dec 3",
// "deadline: Monday" in s, looking back over its last words. It returns
// the keyword, the phrase after it and where the item's text ends.
func dueTail(s string) (keyword, phrase string, at int, ok bool) {
	// Word spans, from the end, at most 10 words back.
	type span struct{ start, end int }
	var words []span
	end := len(s)
	for len(words) < 10 {
		for end > 0 && s[end-1] == ' ' {
			end--
		}
		if end == 0 {
			break
		}
		start := strings.LastIndexByte(s[:end], ' ') + 1
		words = append(words, span{start, end})
		end = start
	}
	for k := 1; k < len(words); k++ { // words[0] is the last word: a keyword needs a phrase after it
		w := strings.Trim(s[words[k].start:words[k].end], ",;:-–—(")
		phraseFrom := words[k].end
		switch strings.ToLower(w) {
		case "by", "before", "deadline", "on":
		case "due", "target":
			if k >= 2 {
				switch strings.ToLower(strings.TrimRight(s[words[k-1].start:words[k-1].end], ":")) {
				case "by", "on", "date":
					phraseFrom = words[k-1].end
				}
			}
		case "than":
			if k+2 < len(words) && strings.EqualFold(s[words[k+2].start:words[k].end], "no later than") {
				break
			}
			continue
		default:
			continue
		}
		phrase = strings.TrimSpace(strings.TrimLeft(s[phraseFrom:], ": "))
		phrase = strings.TrimRight(phrase, ".! ")
		if phrase == "" || strings.ContainsAny(phrase, ";()") {
			return "", "", 0, false
		}
		at = words[k].start
		keyword = w
		if strings.EqualFold(w, "than") {
			at, keyword = words[k+2].start, "no later than"
		}
		// The item's text ends before the keyword and the space, comma or
		// dash in front of it.
		for at > 0 && strings.ContainsAny(s[at-1:at], " ,;-") {
			at--
		}
		return keyword, phrase, at, true
	}
	return "", "", 0, false
}

var reBareDue = regexp.MustCompile(`(?i)^(?:(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|today|tonight|next week|this week|(?:in|over) the coming (?:days|weeks)|end of (?:the )?(?:week|month)|eow|eod|eom|(?:in|within) (?:\d{1,2}|one|two|three|four|a) (?:days?|weeks?|months?)|(?:before |at )?(?:the )?next meeting)$`)

// bareDueTail finds a date phrase that ends an item without "by":
// "Carol to circulate the slides tomorrow", "… in 2 weeks".
func bareDueTail(s string) (phrase string, at int, ok bool) {
	t := strings.TrimRight(s, ".! ")
	end := len(t)
	for k := 1; k <= 4; k++ {
		i := strings.LastIndexByte(t[:end], ' ')
		if i <= 0 {
			return "", 0, false
		}
		end = i
		if cand := t[i+1:]; reBareDue.MatchString(cand) {
			prev := strings.TrimSpace(t[:i])
			if w := strings.ToLower(lastField(prev)); w == "the" || w == "our" || w == "a" {
				prev = strings.TrimSpace(prev[:len(prev)-len(w)])
			}
			if purposeWords[strings.ToLower(lastField(prev))] {
				return "", 0, false // "a doodle for the next meeting" names what it is for
			}
			if w := strings.ToLower(lastField(prev)); w == "at" || w == "by" || w == "before" || w == "on" || w == "to" {
				prev = strings.TrimSpace(prev[:len(prev)-len(w)]) // "report back at the next meeting", "bring it to the next meeting"
			}
			return cand, len(prev), true
		}
	}
	return "", 0, false
}

// purposeWords before a time say what something is for, not when it is
// due: "for the next meeting", "of next week".
var purposeWords = map[string]bool{
	"for": true, "of": true, "about": true, "from": true, "after": true, "during": true, "since": true,
	"until": true, "than": true,
}

// lastField returns the last word of s.
func lastField(s string) string {
	s = strings.TrimRight(s, " ")
	return s[strings.LastIndexByte(s, ' ')+1:]
}

// dashTail splits "send the plan - Alice" at its last dash.
func dashTail(s string) (head, tail string, ok bool) {
	best := -1
	size := 0
	for _, d := range []string{" - ", " – ", " — ", " -- "} {
		if i := strings.LastIndex(s, d); i > best {
			best, size = i, len(d)
		}
	}
	if best <= 0 {
		return "", "", false
	}
	tail = strings.TrimSpace(s[best+size:])
	if tail == "" || len(tail) > 40 {
		return "", "", false
	}
	return strings.TrimSpace(s[:best]), tail, true
}
