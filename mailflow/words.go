package mailflow

// PlainWords reports whether s is printable ASCII words with one space
// between them and none around: text that the cleaners of mail headers
// and calendar text leave as it is, so they can skip the work.
func PlainWords(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case c < ' ' || c > '~':
			return false
		}
	}
	return true
}
