package templates

import (
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"
)

var textFuncs = texttemplate.FuncMap{
	"wrap":   Wrap,
	"indent": indent,
	"plural": plural,
	"join":   strings.Join,
	"upper":  strings.ToUpper,
	"pad":    pad,
}

var htmlFuncs = htmltemplate.FuncMap{
	"plural":       plural,
	"join":         strings.Join,
	"levelColor":   levelColor,
	"statusColor":  statusColor,
	"severityText": severityText,
}

// Wrap breaks s into lines of at most width columns at spaces, so the text
// part reads well in a 72-column terminal; words longer than width stay whole.
func Wrap(width int, s string) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width:
				out = append(out, line)
				line = w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
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
