// Package reply finds what a person actually wrote in a reply — without the
// quoted mail, signature or forwarded text around it — and reads the
// commands in it ("done", "close A-12", "A-12 due Dec 9").
//
// Finding the new text is done in two stages that can be used alone:
// StripQuotes drops quoted and forwarded text, StripSignature drops the
// signature under what is left. Strip does both for a plain-text reply and
// StripHTML for an HTML one, where the quote containers of the common
// clients are removed from the document before it is turned into text.
package reply

import (
	"strings"

	"mailflow/mailflow"
)

// Strip returns the new text of a plain-text reply: without quoted or
// forwarded text and without the signature.
func Strip(text string) string {
	return StripFrom(text, mailflow.Person{})
}

// StripFrom is Strip for a reply from a known sender, whose name lets it
// recognise a signature with no delimiter ("Stavros\nvia mobile").
func StripFrom(text string, from mailflow.Person) string {
	return finish(dropSignature(dropQuotes(splitLines(text)), from))
}

// StripQuotes returns a plain-text reply without its quoted and forwarded
// text, keeping the signature.
func StripQuotes(text string) string {
	return finish(dropQuotes(splitLines(text)))
}

// StripSignature returns text without the signature at its end. from may
// be the zero Person.
func StripSignature(text string, from mailflow.Person) string {
	return finish(dropSignature(splitLines(text), from))
}

// splitLines splits text into lines, whatever its line endings.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// finish joins lines into the text a reader sees: trailing spaces trimmed,
// runs of blank lines (left where a quote was taken out) made one, no
// blank lines at either end.
func finish(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	return b.String()
}
