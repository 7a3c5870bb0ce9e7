package reply

import (
	"strings"
)

// reasonMarks set a reason off from the command in front of it: "reopen
// the vendor sent the wrong file", "reassign A-7 to Carol, she owns
// pharmacy now", "drop A-9 because the budget was cut", "Carol (pharmacy
// lead)". The words are marks as much as the dashes are: the reason is
// what follows them.
var reasonMarks = []string{
	" - ", " – ", " — ", " -- ", ": ", ", ", "; ", ". ", "! ", " (",
	" because ", " as ", " since ", " cos ",
}

// reasonWords open a reason at the start of a tail: "done because the
// vendor fixed it". "because of the holidays" gives "the holidays".
var reasonWords = []string{"because of", "because", "as", "since", "cos"}

// abbreviations end in a full stop that does not end a clause: "reassign
// A-7 to Dr. Smith".
var abbreviations = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "st": true, "jr": true, "sr": true,
	"no": true, "vs": true, "e.g": true, "i.e": true, "approx": true, "dept": true,
}

// splitReason cuts s at its first reason mark into the part the command
// takes and the reason after it, cleaned. Without a mark the reason is "".
func splitReason(s string) (head, reason string) {
	at, width := -1, 0
	for _, m := range reasonMarks {
		i := indexMark(s, m)
		if i >= 0 && (at < 0 || i < at) {
			at, width = i, len(m)
		}
	}
	if at < 0 {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:at]), cleanReason(s[at+width:])
}

// indexMark finds mark in s, ignoring case for the marks that are words,
// and skipping a full stop after an initial or an abbreviation.
func indexMark(s, mark string) int {
	for from := 0; from+len(mark) <= len(s); {
		i := indexFold(s[from:], mark)
		if i < 0 {
			return -1
		}
		i += from
		from = i + len(mark)
		switch {
		case mark == ". " && isAbbreviation(s[:i]):
		case mark == " as " && !asGivesReason(s[from:]):
			// "as soon as she is back": the second "as" is not a mark either.
			word := s[from : from+wordLen(s[from:])]
			if strings.HasPrefix(s[from+len(word):], " as ") {
				from += len(word) + len(" as ")
			}
		default:
			return i
		}
	}
	return -1
}

// wordLen is the length in bytes of the first word of s.
func wordLen(s string) int {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return i
	}
	return len(s)
}

// indexFold is strings.Index for an ASCII needle in any case.
func indexFold(s, needle string) int {
	if strings.IndexFunc(needle, isASCIILetter) < 0 {
		return strings.Index(s, needle)
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// isAbbreviation reports whether the word at the end of s is an initial
// ("Carol J") or a known abbreviation ("Dr").
func isAbbreviation(s string) bool {
	word := s[strings.LastIndexAny(s, " \t(")+1:]
	if len(word) == 1 {
		return true
	}
	return abbreviations[strings.ToLower(word)]
}

// cleanReason trims the marks and courtesies around a reason: "- sent to
// legal, thanks!" is "sent to legal"; "(pharmacy lead)" is "pharmacy
// lead"; "because the file was wrong" is "the file was wrong". A reason
// that is only a courtesy ("thanks", "please") is "".
func cleanReason(s string) string {
	s = strings.TrimLeft(s, " \t,.;:!-–—(")
	if rest, ok := cutReasonWord(s); ok {
		s = rest
	}
	s = strings.TrimRight(trimThanks(s), " \t.!?")
	if strings.HasSuffix(s, ")") && strings.Count(s, "(") < strings.Count(s, ")") {
		s = strings.TrimRight(strings.TrimSuffix(s, ")"), " \t.!?")
	}
	if isQuiet(s) || isPleasantry(s) {
		return ""
	}
	return s
}

// startsWithMark reports whether a tail opens with a mark that sets a
// reason off: punctuation ("- sent to legal", "(sent to legal)") or a
// reason word ("because it was sent").
func startsWithMark(tail string) bool {
	if strings.ContainsRune(",.;:!-–—(", firstRune(tail)) {
		return true
	}
	_, ok := cutReasonWord(tail)
	return ok
}

// cutReasonWord removes a word that opens a reason from the front of s.
func cutReasonWord(s string) (string, bool) {
	word, rest, ok := cutAnyWord(s, reasonWords)
	if !ok || word == "as" && !asGivesReason(rest) {
		return s, false
	}
	return rest, true
}

// asNotReason are the words after "as" that make it a comparison or a
// time, not a reason: "done as soon as the file arrives", "as of today".
var asNotReason = map[string]bool{
	"soon": true, "long": true, "far": true, "much": true, "well": true, "of": true, "if": true,
	"though": true,
}

// asGivesReason reports whether the words after "as" give a reason ("as
// the clinic closed", "as agreed") rather than a comparison or a time.
func asGivesReason(rest string) bool {
	return !asNotReason[firstWordLower(rest)]
}
