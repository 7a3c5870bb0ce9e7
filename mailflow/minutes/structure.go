package minutes

import (
	"strings"
	"unicode"
)

// entry is one logical line of the minutes: a list item or paragraph line
// with its wrapped continuation lines joined, a heading, or a table.
type entry struct {
	n           int    // line number of its first line
	last        int    // line number of its last line
	indent      int    // indent of its first line
	bullet      bool   // a "-", "*" or "•" list item
	number      int    // the N of an "N." list item, else 0
	text        string // without the list marker, continuation lines joined
	first       string // its first line as written, for problems
	nick        string // speaker, for chat-log lines
	blankBefore bool   // a blank line (or quoted text) comes before it
	table       *table

	// Set by scope:
	heading  bool
	sec      section // the section a heading opens, or the one the entry is in
	depth    int     // nesting below the section's top-level entries
	parent   int     // index of the entry it is nested under, or -1
	children bool    // entries are nested under it
}

// segment turns lines into entries: it joins wrapped lines, recognises
// setext headings and reads tables.
func segment(lines []line) []entry {
	out := make([]entry, 0, len(lines)/2+1) // about one entry to two lines, blank ones included
	blank := true
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.quoted || l.text == "" {
			blank = true
			continue
		}
		if isAttributeList(l.text) {
			continue // kramdown's "{: #act}" styles the line above; it says nothing
		}
		if l.text == "--" && l.indent == 0 {
			break // the signature separator "-- " (RFC 3676 section 4.3): the rest is the sender's signature
		}
		if t, next := readTable(lines, i); t != nil {
			out = append(out, entry{n: l.n, last: lines[next-1].n, indent: l.indent, text: l.text, first: l.text, blankBefore: blank, table: t, parent: -1})
			blank = false
			i = next - 1
			continue
		}
		if isRule(l.text) {
			blank = true
			continue
		}
		e := entry{n: l.n, last: l.n, indent: l.indent, text: l.text, first: l.text, nick: l.nick, blankBefore: blank, parent: -1}
		blank = false
		if rest, num, ok := listMarker(l.text); ok {
			e.text, e.number, e.bullet = rest, num, num == 0
		}
		if e.number == 0 && !e.bullet && i+1 < len(lines) && isUnderline(lines[i+1].text) && len(l.text) <= 80 && l.nick == "" {
			// Setext heading: "Action Items\n------------".
			e.heading = true
			if sec, ok := sectionOf(l.text); ok {
				e.sec = sec
			} else {
				e.sec = secOther
			}
			e.last = lines[i+1].n
			out = append(out, e)
			i++
			continue
		}
		for i+1 < len(lines) && len(e.text) < maxEntryText && continues(&e, lines[i], lines[i+1]) {
			i++
			e.text += " " + lines[i].text
			e.last = lines[i].n
		}
		out = append(out, e)
	}
	return out
}

// isAttributeList reports whether s is a kramdown attribute list, "{:
// .no_toc}" or "{: #section1}".
func isAttributeList(s string) bool {
	return strings.HasPrefix(s, "{:") && strings.HasSuffix(s, "}") && len(s) < 80
}

// isUnderline reports whether s underlines a setext heading.
func isUnderline(s string) bool {
	return len(s) >= 3 && (s[0] == '=' || s[0] == '-') && isRule(s) && !strings.Contains(s, " ")
}

// continues reports whether next is a wrapped continuation of entry e,
// whose last line so far is cur. A line continues an entry when it is
// indented under it ("* Roy: update the guidance …\n     dependencies
// …"), or carries on a sentence in lower case, or follows a long line
// that was evidently hard-wrapped; never when it starts something new (a
// list item, heading, label, "Key: value" line or table).
func continues(e *entry, cur, next line) bool {
	if next.quoted || next.text == "" || next.nick != "" || cur.nick != "" || e.heading {
		return false
	}
	if _, ok := sectionOf(e.text); ok && e.text == cur.text {
		return false // "Present" over its list of names is a heading
	}
	t := next.text
	if isRule(t) || t[0] == '|' || t[0] == '#' || t[0] == '@' {
		return false
	}
	if strings.HasPrefix(t, "**") && strings.HasSuffix(strings.TrimRight(t, ":"), "**") {
		return false // "**Aaron Blake**": a line of its own
	}
	if _, _, ok := listMarker(t); ok {
		return false
	}
	if strings.HasPrefix(t, "[") && isCheckbox(t) {
		return false
	}
	if _, ok := readLabel(t); ok {
		return false
	}
	if k, _, ok := keyValue(t); ok && k != "" {
		return false
	}
	if _, ok := sectionOf(t); ok && (startsUpper(t) || strings.HasSuffix(t, ":")) && !strings.HasSuffix(t, ".") {
		return false
	}
	switch {
	case next.indent > e.indent && (e.bullet || e.number > 0 || next.indent > cur.indent || cur.indent > e.indent):
		// "Alice - book two super-users" under "Bob - get the quote" is
		// the next item, not the rest of the first.
		return !(startsUpper(t) && looksLikeEntry(t))
	case next.indent >= e.indent && startsLower(t):
		return true
	case next.indent == cur.indent && len(cur.text) >= 60 && !strings.ContainsAny(cur.text[len(cur.text)-1:], ".!?:") && !looksLikeEntry(t):
		return true
	}
	return false
}

// looksLikeEntry reports whether s reads like the start of an action item
// or "Name: remark" line rather than the middle of a sentence.
func looksLikeEntry(s string) bool {
	if name, _, ok := splitNameTo(s); ok && nameShaped(name) {
		return true
	}
	if name, _, ok := splitNameColon(s); ok && nameShaped(name) {
		return true
	}
	if dashBefore(s, min(len(s), 44)) {
		if m := reNameDash.FindStringSubmatch(s); m != nil && nameShaped(m[1]) && verbLike(firstField(m[2])) {
			return true // "Alice - book two super-users on 12/14"
		}
	}
	return false
}

// personLine reads a line that is only a person's full name, "Kelly
// Smith" or "**Aaron Blake**:", under which an action list gives that
// person's items.
func personLine(text string) (string, bool) {
	if len(text) > 60 || wordCount(text) > 3 {
		return "", false // most lines: longer than a name
	}
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stripEmphasis(text)), ":"))
	t = strings.Trim(t, "*_ ")
	words := strings.Fields(t)
	if len(words) < 2 || len(words) > 3 || !nameShaped(t) || sentenceStarters[strings.ToLower(words[0])] {
		return "", false
	}
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' && r != '.' {
				return "", false
			}
		}
		if roleNouns[strings.ToLower(w)] || agentNoun(strings.ToLower(w)) && !startsUpper(w) {
			return "", false
		}
	}
	if _, ok := sectionOf(t); ok {
		return "", false
	}
	return t, true
}

// scope is a section being read: opened by a heading, it lasts until the
// next heading — or, when the heading was itself a list item ("- Action
// items:"), until a line that is not indented under it.
type scope struct {
	sec     section
	indent  int
	nested  bool // opened by a list-item heading: bounded by indentation
	entries int
	bullets bool  // its first entry was a list item
	levels  []int // indents of the open nesting levels
	parents []int // entry index at each level
}

// outline tracks numbered top-level headings ("9. Review Outstanding Action
// Items"), so that "10. Unfinished Business" ends section 9 even though it
// names nothing mailflow knows.
type outline struct {
	number, indent int
}

// assignScopes gives every entry its section, nesting depth and parent.
func assignScopes(entries []entry) {
	root := &scope{sec: secNone, indent: -1}
	stack := []*scope{root}
	var out outline
	for i := range entries {
		e := &entries[i]
		for len(stack) > 1 && stack[len(stack)-1].nested && e.indent <= stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		cur := stack[len(stack)-1]
		sec, isHeading := e.sec, e.heading
		if !isHeading && e.table == nil {
			sec, isHeading = headingOf(e)
			if isHeading && sec == secOther && cur.sec == secActions && !e.bullet && e.number == 0 {
				if _, ok := personLine(e.text); ok {
					isHeading = false // "**Kelly Smith**" over her items, in a recap's action list
				}
			}
		}
		if !isHeading && out.number > 0 && e.number == out.number+1 && e.indent <= out.indent+1 &&
			(cur.entries == 0 || len(cur.levels) == 0 || e.indent < cur.levels[0]) && wordCount(e.text) <= 8 {
			sec, isHeading = secOther, true
		}
		if isHeading {
			e.heading, e.sec = true, sec
			top := stack[0]
			nested := e.bullet || (e.number > 0 && e.indent > 2)
			if len(stack) > 1 && stack[1].sec == secAttachments && (sec == secOther || sec == secAttachments || sec == secMilestones ||
				nested || !namedExactly(e.text)) {
				continue // headings inside attached reports ("Operations Action Items") do not end them
			}
			switch {
			case nested:
				stack = append(stack, &scope{sec: sec, indent: e.indent, nested: true})
			default:
				if e.number > 0 {
					out = outline{number: e.number, indent: e.indent}
				}
				stack = []*scope{top, {sec: sec, indent: e.indent}}
			}
			continue
		}
		// A paragraph after a blank line ends a section of list items, or
		// one whose paragraphs were entries: "Next meeting: …" or a
		// sign-off is not one more risk.
		if len(stack) == 2 && cur != root && !cur.nested && e.blankBefore && cur.entries > 0 && !e.bullet &&
			e.number == 0 && e.table == nil && cur.sec != secAttachments && (len(cur.levels) == 0 || e.indent <= cur.levels[0]) &&
			(cur.bullets || !looksLikeEntry(e.text)) {
			stack = stack[:1]
			cur = root
		}
		e.sec = cur.sec
		for len(cur.levels) > 0 && cur.levels[len(cur.levels)-1] >= e.indent {
			cur.levels = cur.levels[:len(cur.levels)-1]
			cur.parents = cur.parents[:len(cur.parents)-1]
		}
		e.depth = len(cur.levels)
		if len(cur.parents) > 0 {
			e.parent = cur.parents[len(cur.parents)-1]
			entries[e.parent].children = true
		}
		cur.levels = append(cur.levels, e.indent)
		cur.parents = append(cur.parents, i)
		if cur.entries == 0 {
			cur.bullets = e.bullet || e.number > 0
		}
		cur.entries++
	}
}

// namedExactly reports whether a heading names its section by one of the
// section names, not only by its last words.
func namedExactly(text string) bool {
	_, ok := sectionNamed(strings.TrimLeft(stripEmphasis(text), "# "), false)
	return ok
}

// readDocument segments and scopes the text of one body or attachment.
func readDocument(text string, firstLine int) []entry {
	entries, _ := readLines(text, firstLine)
	return entries
}

// readLines is readDocument, returning the lines too.
func readLines(text string, firstLine int) ([]entry, []line) {
	lines := splitLines(text, firstLine)
	entries := segment(lines)
	assignScopes(entries)
	return entries, lines
}
