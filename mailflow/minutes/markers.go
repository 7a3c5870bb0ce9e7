package minutes

import (
	"strings"
)

// Inline markers are the short tags people put in running notes to flag an
// action without a section for it: "AI(BT) set up the meeting",
// "AI(titzer@): review the spec", "ACTION(owner) …", "TODO(name): …",
// "[ACTION] Bob to …", "(AI: Saad) schedule a call", "(AI) Who else?".
// The owner in the brackets is the one the writer meant, so it is taken
// as written even when it is a lower-case handle.

// markerWords are the tags that mark an action. "AI" counts only in
// capitals: "ai" is a word in other languages and in prose.
var markerWords = map[string]bool{
	"AI": true, "ACTION": true, "Action": true, "action": true, "TODO": true, "Todo": true, "todo": true,
	"ACTION ITEM": true, "Action item": true, "Action Item": true, "AP": true, "FOLLOW-UP": true, "Follow-up": true,
}

// readMarker reads an action marker at the start of s.
func readMarker(s string) (label, bool) {
	var l label
	switch s[0] {
	case '(':
		return parenMarker(s)
	case '[':
		return boxMarker(s)
	}
	open := strings.IndexByte(s, '(')
	if open <= 0 || open > 12 || !markerWords[s[:open]] {
		return l, false
	}
	end := strings.IndexByte(s[open:], ')')
	if end < 0 {
		return l, false
	}
	end += open
	owner := markerOwner(s[open+1 : end])
	rest := trimMarkerGap(s[end+1:])
	if rest == "" {
		return l, false
	}
	l.kind, l.rest, l.owner = labelAction, rest, owner
	return l, true
}

// parenMarker reads "(AI) …", "(AI: PaulM) …", "(AI: Saad schedule a
// zoom call) …" and "(ACTION: Bob) …": the brackets hold an owner, an
// owner and the task, or the task alone.
func parenMarker(s string) (label, bool) {
	var l label
	end := strings.IndexByte(s, ')')
	if end < 3 || end > 160 {
		return l, false
	}
	inner := strings.TrimSpace(s[1:end])
	word, arg, _ := strings.Cut(inner, ":")
	if !markerWords[strings.TrimSpace(word)] {
		return l, false
	}
	arg = strings.TrimSpace(arg)
	after := trimMarkerGap(s[end+1:])
	l.kind = labelAction
	switch {
	case arg == "":
		l.rest = after // "(AI) Who else?"
	case nameShaped(arg) || handleShaped(arg):
		l.owner, l.rest = markerOwner(arg), after
	default:
		// "Saad schedule a zoom call": the owner, then the task; what
		// follows the brackets is a remark on it.
		if names, task, ok := splitNamesVerb(arg); ok {
			l.owner, l.rest = names, task
		} else {
			l.rest = arg
		}
	}
	return l, strings.TrimSpace(l.rest) != ""
}

// boxMarker reads "[ACTION] …", "[AI] …", "[ACTION: Bob] …" and "[TODO
// bob] …".
func boxMarker(s string) (label, bool) {
	var l label
	end := strings.IndexByte(s, ']')
	if end < 3 || end > 60 {
		return l, false
	}
	inner := strings.TrimSpace(s[1:end])
	word, owner := inner, ""
	if i := strings.IndexAny(inner, ": "); i > 0 {
		word, owner = inner[:i], strings.TrimSpace(strings.TrimLeft(inner[i:], ": "))
	}
	if !markerWords[word] && !markerWords[inner] {
		return l, false
	}
	if markerWords[inner] {
		owner = ""
	}
	rest := trimMarkerGap(s[end+1:])
	if rest == "" || (strings.HasPrefix(rest, "(") && !strings.Contains(rest, " ")) {
		return l, false // "[ACTION](#action1)": a link, read once the link is removed
	}
	l.kind, l.rest, l.owner = labelAction, rest, markerOwner(owner)
	return l, true
}

// markerOwner tidies the owner written in a marker: "titzer@" is the
// handle titzer, "BT" stays BT.
func markerOwner(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "@")
	return strings.Trim(s, " *_")
}

// trimMarkerGap drops what separates a marker from its text: ":", "-",
// "–" and spaces.
func trimMarkerGap(s string) string {
	return strings.TrimSpace(strings.TrimLeft(s, " :-–—"))
}

// handleShaped reports whether s is one handle as people write them in
// markers: "binji", "titzer@", "@min", "bob.smith".
func handleShaped(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "@"), "@")
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return !notNames[strings.ToLower(s)] && !verbs[strings.ToLower(s)]
}

// splitNamesVerb splits "Chris, Paris reach out to OSMI" into the names
// and the task: capitalised names (joined by commas, "and", "&") followed
// by a lower-case word.
func splitNamesVerb(s string) (names, task string, ok bool) {
	words := strings.Fields(s)
	for i, w := range words {
		if i == 0 {
			if !startsUpper(w) {
				return "", "", false
			}
			continue
		}
		bare := strings.TrimRight(w, ",")
		if bare == "and" || bare == "&" || startsUpper(bare) {
			if i > 6 {
				return "", "", false
			}
			continue
		}
		names = strings.TrimRight(strings.Join(words[:i], " "), ",")
		if !nameShaped(names) {
			return "", "", false
		}
		return names, strings.Join(words[i:], " "), true
	}
	return "", "", false
}
