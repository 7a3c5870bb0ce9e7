package reply

import (
	"fmt"
	"strings"
	"testing"
)

// typicalReply is a 5 KB reply as a member sends it: three command lines,
// a sign-off and a phone's signature above Gmail's quote of the minutes.
func typicalReply() string {
	var b strings.Builder
	b.WriteString("Hi all,\n\nA-12 done\nA-13 due Dec 9\nR-3 mitigation: weekly vendor call\n\nThanks,\nBob\n\nSent from my iPhone\n\n")
	b.WriteString("On Tue, Mar 3, 2026 at 10:00 AM, Alice Example <alice@example.org> wrote:\n\n")
	for i := 1; b.Len() < 5000; i++ {
		fmt.Fprintf(&b, "> ACTION A-%d: Carol to draft the vendor plan and circulate it before the next meeting (due Dec %d)\n>\n", i, i%28+1)
	}
	return b.String()
}

func BenchmarkStrip(b *testing.B) {
	s := typicalReply()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Strip(s)
	}
}

func BenchmarkStripHTML(b *testing.B) {
	var h strings.Builder
	h.WriteString(`<div dir="ltr">A-12 done<br>A-13 due Dec 9</div><div class="gmail_quote"><div class="gmail_attr">On Tue, Mar 3, 2026 at 10:00 AM Alice wrote:</div><blockquote class="gmail_quote">`)
	for i := 1; h.Len() < 5000; i++ {
		fmt.Fprintf(&h, "<div>ACTION A-%d: Carol to draft the vendor plan and circulate it</div>", i)
	}
	h.WriteString(`</blockquote></div>`)
	s := h.String()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		StripHTML(s)
	}
}

func BenchmarkParseCommands(b *testing.B) {
	s := Strip(typicalReply())
	for b.Loop() {
		ParseCommands(s)
	}
}

func TestTypicalReply(t *testing.T) {
	s := typicalReply()
	if got, want := Strip(s), "Hi all,\n\nA-12 done\nA-13 due Dec 9\nR-3 mitigation: weekly vendor call"; got != want {
		t.Errorf("Strip(typical) = %q, want %q", got, want)
	}
}
