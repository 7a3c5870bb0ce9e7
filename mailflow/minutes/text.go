package minutes

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits that keep hostile input cheap: text past them is not read.
const (
	maxLines     = 20000 // lines read per message
	maxLineBytes = 4000  // longer lines are cut (no minutes line is that long)
	maxEntryText = 2000  // continuation lines stop joining past this
)

// line is one line of the minutes text, measured.
type line struct {
	n      int    // 1-based line number in the whole body
	indent int    // leading white space in columns (a tab counts 4)
	text   string // trimmed; a chat-log prefix ("12:01 <alice>") removed
	raw    string // as written, for the notes
	nick   string // the speaker of a chat-log line
	quoted bool   // part of quoted older mail ("> …")
}

// splitLines measures the lines of text, numbering them from first.
func splitLines(text string, first int) []line {
	raw := strings.Split(text, "\n")
	if len(raw) > maxLines {
		raw = raw[:maxLines]
	}
	out := make([]line, 0, len(raw))
	for i, s := range raw {
		if len(s) > maxLineBytes {
			s = cutUTF8(s, maxLineBytes)
		}
		s = cleanLine(s)
		if strings.Contains(s, "](#") {
			s = dropAnchorLinks(s)
		}
		l := line{n: first + i, raw: s}
		for _, c := range s {
			if c == ' ' {
				l.indent++
			} else if c == '\t' {
				l.indent += 4
			} else {
				break
			}
		}
		l.text = strings.TrimSpace(s)
		if strings.HasPrefix(l.text, ">") {
			l.quoted = true
		} else if l.text != "" {
			l.nick, l.text = chatPrefix(l.text)
		}
		out = append(out, l)
	}
	return out
}

// cleanLine drops carriage returns, zero-width characters and byte order
// marks, and turns no-break spaces (which HTML mail uses for indentation)
// into spaces.
func cleanLine(s string) string {
	if isPlainASCII(s) {
		return strings.TrimRight(s, "\r ")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '\r', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		case '\u00a0', '\u2007', '\u202f':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == '\r' {
			return false
		}
	}
	return true
}

func cutUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// dropAnchorLinks turns Markdown links to a place in the same page,
// "[Action #1](#action1): …", into their text: the anchor says nothing to
// a reader of the mail, and the text may be a label.
func dropAnchorLinks(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "](#")
		if i < 0 {
			break
		}
		open := strings.LastIndexByte(s[:i], '[')
		end := strings.IndexByte(s[i:], ')')
		if open < 0 || end < 0 {
			break
		}
		b.WriteString(s[:open])
		b.WriteString(s[open+1 : i])
		s = s[i+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// reChat matches the prefix of an IRC or chat log line: an optional
// timestamp and the speaker's nick in angle brackets.
var reChat = regexp.MustCompile(`^(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+)?<[@+%~&]?([A-Za-z0-9_\-\[\]\\^{}|.` + "`" + `]{1,32})>\s?(.*)$`)

// chatPrefix splits "12:01:33 <alice> #action bob to …" into the nick and
// what was said.
func chatPrefix(s string) (nick, text string) {
	c := s[0]
	if c != '<' && c != '[' && c != '(' && (c < '0' || c > '9') {
		return "", s
	}
	m := reChat.FindStringSubmatch(s)
	if m == nil {
		return "", s
	}
	return m[1], strings.TrimSpace(m[2])
}

// listMarker reads a list marker at the start of s: "-", "*", "•", "1.",
// "2)", "a)", "(3)". It returns the text after it and the item number for
// numbered markers.
func listMarker(s string) (rest string, number int, ok bool) {
	if s == "" {
		return s, 0, false
	}
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case '-', '*', '+', '•', '·', '▪', '◦', '‣', '⁃', '–', '§', '\uf0b7', '○', '■', '□', '→', '➔', '➢', '►', '▸', '▶', '⇒':
		if size < len(s) && (s[size] == ' ' || s[size] == '\t') {
			return strings.TrimSpace(s[size:]), 0, true
		}
		return s, 0, false
	}
	i := 0
	paren := false
	if s[0] == '(' {
		paren, i = true, 1
	}
	j := i
	for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j > i {
		number = atoiSmall(s[i:j])
	} else if j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
		j++ // "a)" and "a." sub-items
	} else {
		return s, 0, false
	}
	if j >= len(s) {
		return s, 0, false
	}
	switch {
	case paren && s[j] == ')':
	case !paren && (s[j] == '.' || s[j] == ')'):
	default:
		return s, 0, false
	}
	j++
	if j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		return strings.TrimSpace(s[j:]), number, true
	}
	return s, 0, false
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// isRule reports whether s is a horizontal rule or a heading underline:
// "-----", "=====", "***", "___", "~~~".
func isRule(s string) bool {
	if len(s) < 3 {
		return false
	}
	c := s[0]
	if c != '-' && c != '=' && c != '*' && c != '_' && c != '~' && c != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] != c && s[i] != ' ' {
			return false
		}
	}
	return true
}

// stripEmphasis removes Markdown emphasis wrapped around the start of s:
// "**Action items**:" becomes "Action items:", "__Risks__" becomes "Risks".
func stripEmphasis(s string) string {
	for _, m := range []string{"**", "__", "*", "_"} {
		if !strings.HasPrefix(s, m) || len(s) <= 2*len(m) {
			continue
		}
		end := strings.Index(s[len(m):], m)
		if end <= 0 || end > 80 {
			continue
		}
		inner := s[len(m) : len(m)+end]
		if strings.TrimSpace(inner) != inner {
			continue
		}
		return inner + s[len(m)+end+len(m):]
	}
	return s
}

// plainText removes the Markdown emphasis and code marks people leave in
// item text ("**Jack** to update the `team` repo").
func plainText(s string) string {
	if !hasMarkup(s) {
		return s
	}
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "__", "")
	s = strings.ReplaceAll(s, "`", "")
	s = strings.ReplaceAll(s, "~~", "")
	return s
}

// hasMarkup reports whether s has a Markdown emphasis or code mark. It
// runs on every line: four vectorised byte searches beat one loop.
func hasMarkup(s string) bool {
	return strings.IndexByte(s, '*') >= 0 || strings.IndexByte(s, '_') >= 0 ||
		strings.IndexByte(s, '`') >= 0 || strings.IndexByte(s, '~') >= 0
}

// tidyText collapses white space and trims the punctuation that ends a
// sentence or a list entry.
func tidyText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(strings.TrimSpace(s), ".;,: –—")
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// wordCount counts the space-separated words of s without splitting it.
func wordCount(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); i++ {
		space := s[i] == ' ' || s[i] == '\t' || s[i] == '\n'
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}
