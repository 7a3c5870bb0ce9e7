package mailtext

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ name, html, want string }{
		{
			name: "table rows become pipe rows",
			html: `<table><tr><td><p>Action</p></td><td><b>Owner</b></td><td>Due</td></tr>` +
				`<tr><td>Send the<br>plan</td><td>Alice</td><td>Fri</td></tr>` +
				`<tr><td colspan=2>a | b</td><td>x</td></tr></table>`,
			want: "| Action | Owner | Due |\n| --- | --- | --- |\n| Send the plan | Alice | Fri |\n| a / b |  | x |\n",
		},
		{
			name: "nested lists keep their nesting",
			html: `<h2>Action items</h2><ol><li>Alice to go<ul><li>note</li></ul></li><li><p>Bob:</p><p>come</p></li></ol>`,
			want: "## Action items\n\n1. Alice to go\n   - note\n2. Bob:\n   come\n",
		},
		{
			name: "ordered list start",
			html: `<ol start="3"><li>three</li><li>four</li></ol>`,
			want: "3. three\n4. four\n",
		},
		{
			name: "checklists",
			html: `<ul><li><input type=checkbox checked> done</li><li><input type="checkbox"> open</li></ul>`,
			want: "- [x] done\n- [ ] open\n",
		},
		{
			name: "quotes, scripts and styles",
			html: `<style>p{}</style><script>alert(1)</script><p>mine</p><blockquote><p>old</p><p>older</p></blockquote>`,
			want: "mine\n> old\n> older\n",
		},
		{
			name: "Word list paragraphs",
			html: `<p class=MsoNormal><b>Action items<o:p></o:p></b></p><p class=MsoListParagraphCxSpFirst><![if !supportLists]>` +
				`<span style='font-family:Symbol'><span style='mso-list:Ignore'>&middot;<span>&nbsp;&nbsp;&nbsp; </span></span></span>` +
				`<![endif]>Alice to go<o:p></o:p></p><p class=MsoListParagraphCxSpLast><![if !supportLists]><span>1.<span>&nbsp;&nbsp; </span>` +
				`</span><![endif]>Bob to come<o:p></o:p></p>`,
			want: "Action items\n· Alice to go\n1. Bob to come\n",
		},
		{
			name: "white space and entities",
			html: "<p>Go&nbsp;live&#8211;Feb\n   2027 &amp; more</p>",
			want: "Go live–Feb 2027 & more\n",
		},
	} {
		if got := HTMLToText(c.html); got != c.want {
			t.Errorf("%s: HTMLToText =\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
}

// TestHTMLToTextHostile: deep nesting and huge tables are rendered with
// bounded work.
func TestHTMLToTextHostile(t *testing.T) {
	for name, html := range map[string]string{
		"deep divs":     strings.Repeat("<div>", 100000) + "x",
		"deep tables":   strings.Repeat("<table><tr><td>", 3000) + "x",
		"deep lists":    strings.Repeat("<ul><li>", 5000) + "x",
		"deep quotes":   strings.Repeat("<blockquote>", 5000) + "x",
		"wide table":    "<table><tr>" + strings.Repeat("<td>c</td>", 100000) + "</tr></table>",
		"long table":    "<table>" + strings.Repeat("<tr><td>c</td></tr>", 100000) + "</table>",
		"formatting":    strings.Repeat("<b><i><u>", 20000) + "x",
		"one long line": strings.Repeat("word ", 500000),
	} {
		out := HTMLToText(html)
		if len(out) > 4*len(html)+100 {
			t.Errorf("%s: %d bytes of text from %d of HTML", name, len(out), len(html))
		}
	}
}
