package mailtext

import "bytes"

// repair fixes the two header defects that make a message unreadable as a
// whole although its text is fine: an mbox "From " separator line saved
// with the message, and a header that runs straight into the body with no
// blank line (RFC 5322 section 2.1 requires one; Python's email package
// and most clients treat the first line that is not a header field as the
// start of the body). It returns raw unchanged when nothing needed fixing.
func repair(raw []byte) ([]byte, []string) {
	var problems []string
	if bytes.HasPrefix(raw, []byte("From ")) {
		// "From sender@example Sun Aug 7 11:00:00 2005": no colon right
		// after the first word, so it is not a From: header field.
		if first, _, _ := bytes.Cut(raw, []byte("\n")); !isFieldLine(first) {
			raw = raw[len(first):]
			raw = bytes.TrimLeft(raw, "\n")
			problems = append(problems, "mbox separator line removed")
		}
	}
	for off := 0; off < len(raw); {
		end := bytes.IndexByte(raw[off:], '\n')
		line := raw[off:]
		if end >= 0 {
			line = raw[off : off+end]
		}
		l := bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(l) == 0:
			return raw, problems // the blank line that ends the header
		case off > 0 && (l[0] == ' ' || l[0] == '\t'):
			// folded continuation of the previous field
		case isFieldLine(l):
		default:
			fixed := make([]byte, 0, len(raw)+2)
			fixed = append(fixed, raw[:off]...)
			fixed = append(fixed, "\r\n"...)
			fixed = append(fixed, raw[off:]...)
			return fixed, append(problems, "no blank line between header and body")
		}
		if end < 0 {
			return raw, problems
		}
		off += end + 1
	}
	return raw, problems
}

// isFieldLine reports whether line starts with a header field name
// (printable ASCII other than colon, RFC 5322 section 2.2) and a colon.
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range bytes.TrimRight(line[:i], " \t") {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
