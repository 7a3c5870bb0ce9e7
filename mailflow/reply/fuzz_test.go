package reply

import (
	"strings"
	"testing"

	"mailflow/mailflow"
)

// FuzzReply runs every entry point on arbitrary input, as text and as
// HTML, and checks what must hold whatever the input: no panic, no quoted
// line in the new text, the new text no longer than the reply, and every
// parsed line numbered and of a known kind.
func FuzzReply(f *testing.F) {
	for _, tc := range stripCases {
		f.Add(tc.in)
	}
	for _, tc := range htmlCases {
		f.Add(tc.in)
	}
	for _, tc := range commandCases {
		f.Add(tc.in)
	}
	for _, tc := range conversationCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Strip(s), StripQuotes(s), StripFrom(s, mailflow.Person{Name: "Bob Example", Email: "bob@example.org"})} {
			if len(out) > len(s) {
				t.Fatalf("new text is longer than the reply: %d > %d", len(out), len(s))
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), ">") {
					t.Fatalf("new text keeps the quoted line %q", l)
				}
			}
		}
		_ = StripSignature(s, mailflow.Person{})
		for _, out := range []string{StripHTML(s), StripQuotesHTML(s)} {
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), ">") {
					t.Fatalf("new text of HTML keeps the quoted line %q", l)
				}
			}
		}
		lines := strings.Count(s, "\n") + strings.Count(s, "\r") + 1
		for _, l := range append(ParseCommands(s), ParseCommands(Strip(s))...) {
			c := l.Command
			if c.Line < 1 || c.Line > lines {
				t.Fatalf("line number %d outside 1..%d", c.Line, lines)
			}
			if c.Verb == "" {
				t.Fatalf("line %q has no verb", c.Text)
			}
			if !l.IsCommand && c.Verb != mailflow.VerbNote {
				t.Fatalf("a line that is not a command has verb %q", c.Verb)
			}
			if c.Ref != "" && mailflow.RefKind(c.Ref) == "" {
				t.Fatalf("ref %q is neither an item nor a risk", c.Ref)
			}
			if c.Note != "" && (!l.IsCommand || l.Problem != "" || !strings.Contains(c.Text, c.Note)) {
				t.Fatalf("line %q has the note %q, which is not a reason it gave", c.Text, c.Note)
			}
		}
	})
}
