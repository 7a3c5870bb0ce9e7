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
	text = plainText(text)
	if strings.HasPrefix(text, "[name=") {
		if end := strings.IndexByte(text, ']'); end > 6 {
			return text[6:end], strings.TrimSpace(text[end+1:]), true
		}
	}
	cut := -1
	size := 0
	for _, sep := range []string{": ", " - ", " – ", " — "} {
		if i := strings.Index(text, sep); i > 0 && i <= 40 && (cut < 0 || i < cut) {
			cut, size = i, len(sep)
		}
	}
	if cut < 0 {
		return "", "", false
	}
	name := strings.TrimSpace(text[:cut])
	remark = strings.TrimSpace(text[cut+size:])
	if remark == "" || wordCount(name) > 3 {
		return "", "", false
	}
	if !(nameShaped(name) || p.knownHandle(name)) || notNames[strings.ToLower(name)] {
		return "", "", false
	}
	return name, remark, true
}

// promise finds what a speaker takes on in a remark: the task after
// "will", "I'll" or "I will", or the remark itself when it ends "taking as
// an action".
func promise(remark string) (string, bool) {
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
		if task, ok := firstPerson(part); ok {
			if wordCount(task) < 4 && len(parts) > 1 {
				return remark, true // "asked for it; will share later": the remark says what
			}
			return task, true
		}
	}
	return "", false
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
	words := strings.Fields(clause)
	if len(words) < 2 {
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
