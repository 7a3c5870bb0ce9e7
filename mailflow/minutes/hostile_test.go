package minutes

import (
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/mailtext"
)

// TestHostileInput: text built to make the parser work hard is read in
// bounded time and yields bounded output.
func TestHostileInput(t *testing.T) {
	row := "| Alice | go | Friday |\n"
	for name, text := range map[string]string{
		"huge table":         "| Owner | Action | Due |\n|---|---|---|\n" + strings.Repeat(row, 50000),
		"wide table":         "|" + strings.Repeat(" Owner | Action |", 5000) + "\n|" + strings.Repeat("---|", 10000) + "\n",
		"very long line":     "ACTION: Alice to " + strings.Repeat("go and ", 200000) + "by Friday\n",
		"long word":          "ACTION: " + strings.Repeat("x", 1<<20) + "\n",
		"deep nesting":       "Action items\n" + deepList(5000),
		"many labels":        strings.Repeat("ACTION: Alice to go by Friday\nRISK: late (H/H)\nDECISION: yes we do\n", 20000),
		"many headings":      strings.Repeat("# Action items\n", 50000),
		"many continuations": "- Alice to go\n" + strings.Repeat("  and more words to join\n", 100000),
		"many owners":        "ACTION: " + strings.Repeat("Alice and ", 20000) + "Bob to go\n",
		"many numbered": "1. Action items\n" + func() string {
			var b strings.Builder
			for i := 2; i < 30000; i++ {
				b.WriteString(strings.Repeat(" ", i%3) + "2. x\n")
			}
			return b.String()
		}(),
		"unbalanced brackets": "ACTION: Alice to go " + strings.Repeat("(", 100000) + "\n",
		"many risks keys":     "RISK: x " + strings.Repeat("(likelihood high, impact high) ", 20000) + "\n",
	} {
		start := time.Now()
		m := Parse(&mailtext.Message{Text: text}, clinicOpts)
		HasStructure(text)
		took := time.Since(start)
		if took > 10*time.Second {
			t.Errorf("%s: %s", name, took)
		}
		if n := len(m.ActionItems) + len(m.Risks) + len(m.Decisions) + len(m.Problems); n > strings.Count(text, "\n")*3+10 {
			t.Errorf("%s: %d results from %d lines", name, n, strings.Count(text, "\n"))
		}
		t.Logf("%s: %d bytes in %s", name, len(text), took.Round(time.Millisecond))
	}
}

func deepList(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("- Alice to go\n")
	}
	return b.String()
}
