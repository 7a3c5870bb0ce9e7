package compose

// appendQP appends s encoded as quoted-printable (RFC 2045 6.7) to dst,
// byte for byte as mime/quotedprintable's Writer (not in Binary mode)
// writes it when s is written and the Writer closed: lines of at most 76
// characters with "=" soft breaks, CR, LF and CRLF as CRLF, space and tab
// encoded before a line break and at the end. That Writer is what go-mail
// encodes a mail's text with; this does the same work without a call per
// line and a switch per byte, for the mail every minutes sends to each of
// its readers. FuzzAppendQP holds the two to the same output.
func appendQP(dst []byte, s string) []byte {
	const maxLine = 76
	start := len(dst) // where the current line starts in dst
	cr := false       // the byte before was CR: an LF after it is part of its line break
	softBreak := func() {
		dst = append(dst, "=\r\n"...)
		start = len(dst)
	}
	encode := func(b byte) {
		if maxLine-1-(len(dst)-start) < 3 {
			softBreak()
		}
		dst = append(dst, '=', upperhex[b>>4], upperhex[b&0x0f])
	}
	// encodeLastSpace encodes a space or tab that ends a line.
	encodeLastSpace := func() {
		if n := len(dst); n > start && (dst[n-1] == ' ' || dst[n-1] == '\t') {
			b := dst[n-1]
			dst = dst[:n-1]
			encode(b)
		}
	}
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case qpLiteral[b]:
			// A run of literal bytes, cut where the line is full.
			j := i + 1
			for j < len(s) && qpLiteral[s[j]] {
				j++
			}
			for i < j {
				if len(dst)-start == maxLine-1 {
					softBreak()
				}
				n := min(j-i, maxLine-1-(len(dst)-start))
				dst = append(dst, s[i:i+n]...)
				i += n
			}
			cr = false
			continue
		case b == '\n' || b == '\r':
			if cr && b == '\n' {
				cr = false
				i++
				continue
			}
			cr = b == '\r'
			encodeLastSpace()
			dst = append(dst, '\r', '\n')
			start = len(dst)
		default:
			encode(b) // leaves cr as it was, as the Writer does
		}
		i++
	}
	encodeLastSpace()
	return dst
}

const upperhex = "0123456789ABCDEF"

// qpLiteral marks the bytes quoted-printable writes as they are: printable
// ASCII but "=", and space and tab.
var qpLiteral = func() (t [256]bool) {
	for b := '!'; b <= '~'; b++ {
		t[b] = b != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()
