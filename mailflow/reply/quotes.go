package reply

import "strings"

// dropQuotes removes quoted text from the lines of a reply.
//
// Lines quoted with ">" are dropped wherever they are, with the attribution
// above them, and the lines between and after them are kept: people reply
// below a quote and between its paragraphs as well as above it, and the
// commands mailflow reads are as likely to be there.
//
// A quote that is not marked with ">" (a separator such as
// "-----Original Message-----", an Outlook header block, or an attribution
// with nothing quoted under it) cannot be told from a reply written after
// it, so everything from it down is dropped; clients that quote this way put
// the reply on top.
func dropQuotes(lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			out = append(out, lines[i])
			continue
		}
		if isQuoted(t) {
			continue
		}
		if k := attributionAt(lines, i); k > 0 {
			if nextIsQuote(lines, i+k) {
				i += k - 1
				continue
			}
			return trimSeparators(out)
		}
		if isSeparator(t) || headerBlockAt(lines, i) {
			return trimSeparators(out)
		}
		out = append(out, lines[i])
	}
	return out
}

// trimSeparators drops the blank lines and rules left at the end of the
// reply once the quote below them is gone ("____" above Outlook's header
// block, "-----" above Zimbra's).
func trimSeparators(lines []string) []string {
	for len(lines) > 0 {
		t := strings.TrimSpace(lines[len(lines)-1])
		if t != "" && !isRuleOrTitle(t) {
			break
		}
		lines = lines[:len(lines)-1]
	}
	return lines
}
