package minutes

import (
	"strings"
)

// Notes kept as "Name: remark" or "Name - remark" lines record who said
// what; a remark that promises something makes the speaker its owner:
// "Ian: will write a PR by tomorrow", "Steve - will open up an issue",
// "Paris: ask Michelle to attend …; taking as an action", "Jack: I'll
// update the doc". So does a first-person line under a speaker's name.

// speakerRemark splits "Name: remark", "Name - remark" and HackMD's
// "[name=Kirstie] remark".
func (p *parser) speakerRemark(text string) (speaker, remark string, ok bool) {
	if strings.HasPrefix(text, "[name=") {
		if end := strings.IndexByte(text, ']'); end > 6 {
			return text[6:end], strings.TrimSpace(text[end+1:]), true
		}
	}
	cut, size := speakerCut(text)
	if cut < 0 {
		return "", "", false
	}
	name := strings.TrimSpace(text[:cut])
	remark = strings.TrimSpace(text[cut+size:])
	if remark == "" || wordCount(name) > 3 {
		return "", "", false
	}
	if !(nameShaped(name) || p.knownHandle(name)) || lowerIn(notNames, name) {
		return "", "", false
	}
	return name, remark, true
}

// speakerCut finds where a speaker's name ends in its first 40 bytes: at
// ": " or a spaced dash. It returns -1 when there is none.
func speakerCut(text string) (at, size int) {
	for i := 1; i < len(text)-1 && i <= 40; i++ {
		switch {
		case text[i] == ':' && text[i+1] == ' ':
			return i, 2
		case text[i] == ' ' && text[i+1] == '-' && i+2 < len(text) && text[i+2] == ' ':
			return i, 3
		case text[i] == ' ' && strings.HasPrefix(text[i+1:], "– "), text[i] == ' ' && strings.HasPrefix(text[i+1:], "— "):
			return i, 5
		}
	}
	return -1, 0
}

// promise finds what a speaker takes on in a remark: the task after
// "will", "I'll" or "I will", or the remark itself when it ends "taking as
// an action".
func promise(remark string) (string, bool) {
	if !mayPromise(remark) {
		return "", false
	}
	parts := splitRemark(remark)
	for i, part := range parts {
		if isActionTag(part) {
			rest := strings.TrimSpace(strings.Join(append(append([]string(nil), parts[:i]...), parts[i+1:]...), "; "))
			if rest == "" {
				return "", false
			}
			return rest, true
		}
	}
	for _, part := range parts {
		if task, ok := firstPerson(part); ok && !emptyTask(task) {
			if wordCount(task) < 4 && len(parts) > 1 {
				return remark, true // "asked for it; will share later": the remark says what
			}
			return task, true
		}
	}
	return "", false
}

// mayPromise reports, in one pass, whether a remark has a word that
// promises: "will", "'ll", "action", "AI on", "going to".
func mayPromise(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'w':
			if hasFoldAt(s, i, "will") {
				return true
			}
		case 'a':
			if hasFoldAt(s, i, "action") || hasFoldAt(s, i, "ai on") {
				return true
			}
		case 'g':
			if hasFoldAt(s, i, "going to") {
				return true
			}
		case 'l':
			if i > 0 && (s[i-1] == '\'' || s[i-1] == 0x99) && hasFoldAt(s, i, "ll ") {
				return true
			}
		}
	}
	return false
}

// hasFoldAt reports whether s has the lower-case ASCII word sub at i, in
// any case.
func hasFoldAt(s string, i int, sub string) bool {
	if i+len(sub) > len(s) {
		return false
	}
	for k := 0; k < len(sub); k++ {
		c := s[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != sub[k] {
			return false
		}
	}
	return true
}

// emptyTask reports whether a promise names no task: "Will do.", "will
// do it".
func emptyTask(task string) bool {
	for _, w := range strings.Fields(task) {
		switch bareWord(w) {
		case "do", "it", "that", "this", "so", "thanks", "sure", "ok", "okay":
		default:
			return false
		}
	}
	return true
}

// splitRemark cuts a remark at "; ", " - " and ", ".
func splitRemark(remark string) []string {
	f := func(r rune) bool { return r == ';' || r == '–' || r == '—' }
	var out []string
	for _, part := range strings.FieldsFunc(strings.ReplaceAll(remark, " - ", " – "), f) {
		for _, p := range strings.Split(part, ", ") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// isActionTag reports whether a clause only says the speaker takes the
// action: "taking as an action", "will take this as an action", "action
// on me".
func isActionTag(s string) bool {
	if len(s) > 40 || !containsFold(s, "action") && !containsFold(s, "ai on") {
		return false
	}
	s = strings.ToLower(strings.Trim(s, " .!()"))
	s = strings.TrimPrefix(s, "i ")
	s = strings.TrimPrefix(s, "will ")
	s = strings.TrimPrefix(s, "i'll ")
	for _, tag := range []string{"taking as an action", "taking this as an action", "take this as an action",
		"taking it as an action", "take it as an action", "take that as an action", "take an action",
		"taking an action", "take the action", "action on me", "ai on me", "action for me", "taking that as an action"} {
		if s == tag {
			return true
		}
	}
	return false
}

// firstPerson reads the task of "will send …", "I'll send …", "I will
// send …", "I'm going to send …".
func firstPerson(clause string) (string, bool) {
	if clause == "" || !strings.ContainsRune("wWiI", rune(clause[0])) {
		return "", false
	}
	return firstPersonWords(strings.Fields(clause))
}

// firstPersonWords is firstPerson on the words of a clause.
func firstPersonWords(words []string) (string, bool) {
	if len(words) < 2 || !strings.ContainsRune("wWiI", rune(words[0][0])) {
		return "", false
	}
	k := 0
	switch strings.ToLower(strings.ReplaceAll(words[0], "’", "'")) {
	case "will", "i'll", "ill":
		k = 1
	case "i":
		if len(words) > 2 && (strings.EqualFold(words[1], "will") || strings.EqualFold(words[1], "shall")) {
			k = 2
		}
	case "i'm", "im":
		if len(words) > 3 && strings.EqualFold(words[1], "going") && strings.EqualFold(words[2], "to") {
			k = 3
		}
	}
	if k == 0 {
		return "", false
	}
	for k < len(words) && adverbs[bareWord(words[k])] {
		k++
	}
	if k >= len(words) || hedges[bareWord(words[k])] || !verbLike(words[k]) {
		return "", false
	}
	return strings.Join(words[k:], " "), true
}

// speakerName reads an entry that is only a speaker's name, "Priya:",
// "**Priya**", "- Bob:", under which that person's remarks follow.
func (p *parser) speakerName(e *entry) string {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stripEmphasis(e.text)), ":"))
	t = strings.Trim(t, "*_ ")
	if t == "" || wordCount(t) > 3 || !(nameShaped(t) || p.knownHandle(t)) || notNames[strings.ToLower(t)] {
		return ""
	}
	if _, ok := sectionOf(t); ok {
		return ""
	}
	return t
}
