package templates

import (
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"
)

// TextWidth is the column the text part wraps at; a line runs longer only
// for a word that does not fit on a line of its own (a long URL).
const TextWidth = 72

var textFuncs = texttemplate.FuncMap{
	"wrap":   Wrap,
	"hang":   hang,
	"indent": indent,
	"plural": plural,
	"pick":   pick,
	"join":   strings.Join,
	"upper":  strings.ToUpper,
	"pad":    pad,
	"trunc":  trunc,
	"first":  first,
	"rest":   rest,
	"abs":    abs,
	"reflow": Reflow,
}

var htmlFuncs = htmltemplate.FuncMap{
	"plural":       plural,
	"pick":         pick,
	"join":         strings.Join,
	"trunc":        trunc,
	"first":        first,
	"rest":         rest,
	"levelColor":   levelColor,
	"statusColor":  statusColor,
	"severityText": severityText,
	"healthColor":  healthColor,
	"abs":          abs,
	"reflow":       Reflow,
	"upper":        strings.ToUpper,
}

// Wrap breaks s into lines of at most width columns at spaces, so the text
// part reads well in a 72-column terminal; words longer than width stay whole.
func Wrap(width int, s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/max(width, 1) + 1)
	for p, para := range strings.Split(s, "\n") {
		if p > 0 {
			b.WriteByte('\n')
		}
		col := 0 // runes on the current line
		for _, w := range strings.Fields(para) {
			n := utf8.RuneCountInString(w)
			switch {
			case col == 0:
			case col+1+n > width:
				b.WriteByte('\n')
				col = 0
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += n
		}
	}
	return b.String()
}

// hang wraps s for a place that starts at column col, continuing each
// further line at col, so a list entry reads as a block:
//
//	A-12   the first line of a long text that goes
//	       on under itself
func hang(col int, s string) string {
	return indent(col, Wrap(max(TextWidth-col, 20), s))
}

// trunc shortens s to at most n characters at a word boundary, with "…".
func trunc(n int, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := string(r[:n-1])
	// Cut at the last word boundary, unless a word ends right at the cut.
	if i := strings.LastIndexByte(cut, ' '); r[n-1] != ' ' && i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.-") + "…"
}

// indent prefixes every line but the first with n spaces (for hanging
// indents under list markers).
func indent(n int, s string) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
}

func pad(n int, s string) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

// plural returns "1 item" or "3 items".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// first returns the first n elements of a list (a slice), or all of it
// when it is shorter: a mail shows the top of a long list, and says how many
// more there are with rest.
func first(n int, list any) (any, error) {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("first: %T is not a list", list)
	}
	if v.Len() <= n {
		return list, nil
	}
	return v.Slice(0, max(n, 0)).Interface(), nil
}

// rest returns how many elements of a list first(n) leaves out.
func rest(n int, list any) (int, error) {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return 0, fmt.Errorf("rest: %T is not a list", list)
	}
	return max(v.Len()-n, 0), nil
}

// pick returns one when n is 1 and many otherwise ("needs"/"need").
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// levelColor returns a background/foreground pair readable on light and dark
// backgrounds alike (mail clients may invert the page but not a badge).
func levelColor(level string) htmltemplate.CSS {
	switch level {
	case "high":
		return "background:#b42318;color:#ffffff"
	case "medium":
		return "background:#b54708;color:#ffffff"
	case "low":
		return "background:#067647;color:#ffffff"
	}
	return "background:#667085;color:#ffffff"
}

func statusColor(status string) htmltemplate.CSS {
	switch status {
	case "overdue":
		return "background:#b42318;color:#ffffff"
	case "done", "closed":
		return "background:#067647;color:#ffffff"
	case "cancelled":
		return "background:#667085;color:#ffffff"
	}
	return "background:#175cd3;color:#ffffff"
}

// Reflow joins the lines of text that a mail client hard-wrapped back
// into paragraphs, so that notes quoted from minutes wrap cleanly again. A
// line joins the one before it when that one was long (a wrapped line, not
// a short heading or a signature) and it does not itself start a list
// entry.
func Reflow(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0:0]
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if n := len(out); n > 0 && t != "" && !startsEntry(t) {
			prev := strings.TrimSpace(out[n-1])
			if utf8.RuneCountInString(prev) >= 50 && !strings.HasSuffix(prev, ":") {
				out[n-1] = strings.TrimRight(out[n-1], " ") + " " + t
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// startsEntry reports whether a line begins a list entry: "- ", "* ",
// "• ", "1. ", "a) ".
func startsEntry(line string) bool {
	if strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* ") || strings.HasPrefix(line, "• ") || strings.HasPrefix(line, "#") {
		return true
	}
	i := 0
	for i < len(line) && i < 3 && (line[i] >= '0' && line[i] <= '9' || line[i] >= 'a' && line[i] <= 'z' && i == 0) {
		i++
	}
	return i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')') && i+1 < len(line) && line[i+1] == ' '
}

// abs is |n|: "passed 3 days ago" from DaysLeft -3.
func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// healthColor colours the report's headline the way traffic lights do,
// in a pair readable on light and dark backgrounds.
func healthColor(level string) htmltemplate.CSS {
	switch level {
	case "red":
		return "background:#b42318;color:#ffffff"
	case "amber":
		return "background:#b54708;color:#ffffff"
	case "green":
		return "background:#067647;color:#ffffff"
	}
	return "background:#667085;color:#ffffff"
}

func severityText(score int) string {
	switch {
	case score >= 6:
		return "high"
	case score >= 3:
		return "medium"
	case score >= 1:
		return "low"
	}
	return "unrated"
}
