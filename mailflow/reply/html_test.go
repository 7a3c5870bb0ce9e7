package reply

import (
	"strings"
	"testing"
	"time"
)

// htmlCases are HTML replies as the common clients write them, and the new
// text in them. They also seed FuzzReply.
var htmlCases = []struct {
	name, in, want string
}{
	{"gmail", `<div dir="ltr">A-12 done</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Tue, Mar 3, 2026 at 10:00 AM Alice &lt;<a href="mailto:alice@example.org">alice@example.org</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">A-13 due Dec 9</div></blockquote></div>`,
		"A-12 done"},
	{"gmail signature", `<div dir="ltr">A-12 done<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">Bob Example<br>Acme</div></div>`,
		"A-12 done"},
	{"gmail inline reply", `<div dir="ltr">See below</div><div class="gmail_quote"><blockquote class="gmail_quote">A-12: draft the plan</blockquote></div><div>A-12 done</div>`,
		"See below\nA-12 done"},
	{"apple mail", `<html><body><div>A-12 done</div><div><br><blockquote type="cite"><div>On 3 Mar 2026, at 10:00, Alice &lt;alice@example.org&gt; wrote:</div><br class="Apple-interchange-newline"><div>A-13 due Dec 9</div></blockquote></div></body></html>`,
		"A-12 done"},
	{"apple mail attribution outside the quote", `<div>A-12 done<br><br><div>On 3 Mar 2026, at 10:00, Alice &lt;alice@example.org&gt; wrote:</div><br><blockquote type="cite"><div>A-13 due Dec 9</div></blockquote></div>`,
		"A-12 done"},
	{"ios signature", `<div dir="ltr">A-12 done</div><div dir="ltr" id="AppleMailSignature">Sent from my iPhone</div><blockquote type="cite">text</blockquote>`,
		"A-12 done"},
	{"outlook web", `<div>A-12 done</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif"><b>From:</b> Alice &lt;alice@example.org&gt;<br><b>Sent:</b> Tuesday, March 3, 2026 10:00 AM<br><b>To:</b> Bob<br><b>Subject:</b> Minutes</font><div>&nbsp;</div></div><div>A-13 due Dec 9</div>`,
		"A-12 done"},
	{"outlook web forwarded copy", `<div>A-12 done</div><div id="x_divRplyFwdMsg"><b>From:</b> Alice</div><div>A-13 due Dec 9</div>`,
		"A-12 done"},
	{"outlook desktop", `<div class="WordSection1"><p class="MsoNormal">A-12 done<o:p></o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Alice &lt;alice@example.org&gt;<br><b>Sent:</b> Tuesday, March 3, 2026 10:00<br><b>To:</b> Bob<br><b>Subject:</b> Minutes</p></div></div><p class="MsoNormal">A-13 due Dec 9</p></div>`,
		"A-12 done"},
	{"outlook signature", `<div>A-12 done</div><div id="Signature"><div>Bob Example | Acme</div></div><div id="appendonsend"></div><div>quoted</div>`,
		"A-12 done"},
	{"outlook message header", `<div>A-12 done</div><div class="OutlookMessageHeader"><hr><b>From:</b> Alice</div><div>A-13 due Dec 9</div>`,
		"A-12 done"},
	{"outlook for mac", `<div>A-12 done</div><span id="OLK_SRC_BODY_SECTION"><div><span>From: </span>Alice<br><span>Date: </span>Tue<br></div><div>A-13 due Dec 9</div></span>`,
		"A-12 done"},
	{"rule above a header block", `<div>A-12 done<hr id="zwchr"><b>From: </b>alice@example.org<br><b>To: </b>bob@example.org<br><b>Sent: </b>Tuesday<br><b>Subject: </b>Minutes<br><br>A-13 due Dec 9</div>`,
		"A-12 done"},
	{"rule that is only a rule", `<div>A-12 done</div><hr><div>A-13 due Dec 9</div>`,
		"A-12 done\n\n----\nA-13 due Dec 9"},
	{"thunderbird", `<html><body><p>A-12 done</p><div class="moz-cite-prefix">On 03/03/2026 10:00, Alice wrote:<br></div><blockquote type="cite" cite="mid:x@example.org">A-13 due Dec 9</blockquote><div class="moz-signature">-- <br>Bob</div></body></html>`,
		"A-12 done"},
	{"yahoo", `<div class="ydp1"><div>A-12 done</div></div><div id="yahoo_quoted_123" class="yahoo_quoted"><div>On Tuesday, March 3, 2026, 10:00:00 AM GMT, Alice &lt;alice@example.org&gt; wrote:</div><div>A-13 due Dec 9</div></div>`,
		"A-12 done"},
	{"plain blockquote with an attribution", `<p>A-12 done<br><br>03.03.2026, 10:00, "Alice" &lt;alice@example.org&gt;:</p><blockquote>A-13 due Dec 9</blockquote>`,
		"A-12 done"},
	{"dash dash signature", `<div>A-12 done</div><div>--&nbsp;</div><div>Bob</div>`,
		"A-12 done"},
	{"script and style", `<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>A-12 done</p></body></html>`,
		"A-12 done"},
	{"empty", ``, ""},
}

func TestStripHTML(t *testing.T) {
	for _, tc := range htmlCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StripHTML(tc.in); got != tc.want {
				t.Errorf("StripHTML(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStripQuotesHTMLKeepsSignature(t *testing.T) {
	in := `<div>A-12 done</div><div class="gmail_signature">Bob Example</div><div class="gmail_quote">On Tue, Alice wrote:<blockquote class="gmail_quote">text</blockquote></div>`
	if got, want := StripQuotesHTML(in), "A-12 done\nBob Example"; got != want {
		t.Errorf("StripQuotesHTML(%q) = %q, want %q", in, got, want)
	}
}

// TestStripHTMLHostile feeds HTML the parser refuses or that would make a
// careless walker quadratic; each must come back quickly with the text.
func TestStripHTMLHostile(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"nested deeper than the parser allows", "<p>A-12 done</p>" + strings.Repeat("<div>", 5000) + "x" + strings.Repeat("</div>", 5000), "A-12 done\nx"},
		{"deep blockquotes", "<p>A-12 done</p>" + strings.Repeat("<blockquote>", 2000) + "old", "A-12 done"},
		{"many rules", "<p>A-12 done</p>" + strings.Repeat("<hr><div></div>", 20000), "A-12 done\n\n----"},
		{"nested just under the limit", "<p>A-12 done</p>" + strings.Repeat("<div>", 500) + "x", "A-12 done"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got := StripHTML(tc.in)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("StripHTML took %v", d)
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("StripHTML(%.60q…) = %.200q, want it to start with %q", tc.in, got, tc.want)
			}
		})
	}
}
