package templates

import (
	"bytes"
	"strings"
	"testing"
)

// tidyTextLines is tidyText as it was first written, line by line: the
// definition the one-pass tidyText is held to.
func tidyTextLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "--" {
			l = "-- "
		}
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

var tidyCases = []string{
	"", "\n", "\n\n\n", "a", "a\n", "  indented first\n\n\n\nnext  \t\n",
	"--\nfooter", "text\n--", "text\n-- \n", "a\n\n\n\nb\n\n", "\u00a0lead and trail\u00a0\n\u0085",
	"x\r\ny \r\n", "tabs\t\t\n\t\n\t\nend",
}

func TestTidyText(t *testing.T) {
	for _, s := range tidyCases {
		if got, want := tidyText(new(bytes.Buffer), s), tidyTextLines(s); got != want {
			t.Errorf("tidyText(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTidyText(f *testing.F) {
	for _, s := range tidyCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tidyText(new(bytes.Buffer), s), tidyTextLines(s); got != want {
			t.Fatalf("tidyText(%q) = %q, want %q", s, got, want)
		}
	})
}
