package mailtext

import "strings"

// unflow joins format=flowed soft line breaks (RFC 3676 section 4.2): a line
// ending in a space continues on the next line of the same quote depth,
// except the signature separator "-- ". Space-stuffing (section 4.4) is
// undone, and with delsp=yes the soft-break space itself is dropped.
func unflow(s string, delsp bool) string {
	var out strings.Builder
	out.Grow(len(s))
	open, openDepth := false, 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ")
		if open && depth != openDepth {
			out.WriteByte('\n') // a quote-depth change ends a paragraph (section 4.5)
			open = false
		}
		if !open && depth > 0 {
			out.WriteString(strings.Repeat(">", depth) + " ")
		}
		flowed := content != "-- " && strings.HasSuffix(content, " ")
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		out.WriteString(content)
		if flowed {
			open, openDepth = true, depth
			continue
		}
		out.WriteByte('\n')
		open = false
	}
	if open {
		out.WriteByte('\n')
	}
	return strings.TrimSuffix(out.String(), "\n")
}
