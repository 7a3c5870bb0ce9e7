package minutes

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSentences bounds the sentences read from one entry.
const maxSentences = 64

// abbreviations end in a full stop without ending a sentence.
var abbreviations = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "st": true, "jr": true, "sr": true,
	"vs": true, "etc": true, "e.g": true, "i.e": true, "approx": true, "no": true, "fig": true, "inc": true,
	"ltd": true, "co": true, "cf": true, "ca": true, "dept": true, "est": true, "min": true, "max": true,
}

// sentences splits running text into sentences: at ".", "!" and "?"
// followed by a space and a capital, digit or bracket, and at ";". A full
// stop after an abbreviation ("Dr. Okafor"), an initial ("M.S. and") or
// inside a number ("12.00") does not end a sentence.
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text) && len(out) < maxSentences; i++ {
		c := text[i]
		switch c {
		case ';':
			if i+1 < len(text) && text[i+1] != ' ' {
				continue
			}
		case '.', '!', '?':
			if i+1 < len(text) && text[i+1] != ' ' && text[i+1] != ')' && text[i+1] != '"' {
				continue
			}
			if c == '.' && !endsSentence(text[start:i], text[i+1:]) {
				continue
			}
			if c != '.' && !startsSentence(strings.TrimLeft(text[i+1:], " )\"")) {
				continue
			}
		default:
			continue
		}
		if s := strings.TrimSpace(text[start : i+1]); s != "" {
			out = append(out, s)
		}
		start = i + 1
	}
	if s := strings.TrimSpace(text[start:]); s != "" && len(out) < maxSentences {
		out = append(out, s)
	}
	return out
}

// endsSentence reports whether a full stop between before and after ends
// a sentence.
func endsSentence(before, after string) bool {
	w := before
	if i := strings.LastIndexAny(before, " ("); i >= 0 {
		w = before[i+1:]
	}
	if w == "" {
		return true
	}
	lower := strings.ToLower(w)
	if abbreviations[lower] {
		return false
	}
	if r, size := utf8.DecodeRuneInString(w); size == len(w) && unicode.IsUpper(r) {
		return false // an initial: "J. Smith"
	}
	if strings.Contains(w, ".") && len(w) <= 6 {
		return false // "M.S", "e.g"
	}
	return startsSentence(strings.TrimLeft(after, " )\""))
}

// startsSentence reports whether s can be the start of a new sentence.
func startsSentence(s string) bool {
	if s == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("([@*_`'\"“‘#", r)
}

// wordPunct are the ASCII marks around a word.
var wordPunct = func() (t [256]bool) {
	for _, c := range ".,;:!?()[]{}\"'*_`" {
		t[c] = true
	}
	return t
}()

// curlyQuote reports whether s[i:] starts with “, ”, ‘ or ’.
func curlyQuote(s string, i int) bool {
	return i+2 < len(s) && s[i] == 0xE2 && s[i+1] == 0x80 && (s[i+2] >= 0x98 && s[i+2] <= 0x9D)
}

// bareWord returns w lowercased, without the punctuation around it. It
// runs on most words of every message, so it allocates only to lowercase.
func bareWord(w string) string {
	w = trimPunct(w)
	for k := 0; k < len(w); k++ {
		if c := w[k]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(w)
		}
	}
	return w
}

// trimPunct removes the punctuation around a word.
func trimPunct(w string) string {
	i, j := 0, len(w)
	for i < j {
		switch {
		case wordPunct[w[i]]:
			i++
		case curlyQuote(w, i):
			i += 3
		default:
			goto right
		}
	}
right:
	for j > i {
		switch {
		case wordPunct[w[j-1]]:
			j--
		case j-3 >= i && curlyQuote(w, j-3):
			j -= 3
		default:
			goto done
		}
	}
done:
	return w[i:j]
}

// wordSet is a set of lower-case words with a quick test of a word's
// first letter and length, which rules out most words of running text
// before the map is consulted.
type wordSet struct {
	words map[string]bool
	shape [26][16]bool
}

func newWordSet(words ...string) *wordSet {
	s := &wordSet{words: map[string]bool{}}
	for _, w := range words {
		s.words[w] = true
		if c := w[0]; c >= 'a' && c <= 'z' && len(w) < 16 {
			s.shape[c-'a'][len(w)] = true
		}
	}
	return s
}

// has reports whether the bare word w is in the set.
func (s *wordSet) has(w string) bool {
	if w == "" {
		return false
	}
	if c := w[0]; c >= 'a' && c <= 'z' && len(w) < 16 && !s.shape[c-'a'][len(w)] {
		return false
	}
	return s.words[w]
}
