package templates

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

var previewDir = flag.String("preview", "", "write every rendered HTML part to this directory, to look at in a browser")

func TestEmbeddedTemplatesParse(t *testing.T) {
	if _, err := Load(""); err != nil {
		t.Fatalf("Load(\"\") = %v", err)
	}
}

// rendered renders every variant of every kind, and the hostile data.
func rendered(t *testing.T) map[string]Rendered {
	t.Helper()
	set := MustDefault()
	out := map[string]Rendered{}
	for _, kind := range Kinds {
		for _, v := range append(Variants(kind), Variant{"hostile", HostileVariant(kind)}) {
			r, err := set.Render(kind, v.Data)
			if err != nil {
				t.Fatalf("Render(%s, %s): %v", kind, v.Name, err)
			}
			out[kind+"."+v.Name] = r
			if *previewDir != "" {
				if err := os.WriteFile(filepath.Join(*previewDir, kind+"."+v.Name+".html"), []byte(r.HTML), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return out
}

func TestHTMLHasNoExternalReferences(t *testing.T) {
	for name, r := range rendered(t) {
		if refs := ExternalRefs(r.HTML); len(refs) > 0 {
			t.Errorf("%s: HTML loads from outside the mail: %q", name, refs)
		}
		for _, bad := range []string{"<style", "<script", "<link", "@import", "http://", "https://"} {
			// Hostile text may mention a URL, but only as escaped text
			// (checked by tag below), never in markup.
			if strings.Contains(r.HTML, bad) && !strings.HasSuffix(name, ".hostile") {
				t.Errorf("%s: HTML contains %q", name, bad)
			}
		}
	}
}

func TestExternalRefs(t *testing.T) {
	for _, tc := range []struct {
		html string
		want int
	}{
		{`<a href="mailto:x@y.example">x</a><img src="cid:chart@y">`, 0},
		{`<p>see https://example.org/x and src="https://evil"</p>`, 0},
		{`<img src="https://tracker.example/p.gif">`, 1},
		{`<a href='http://x.example'>x</a>`, 1},
		{`<link rel=stylesheet href=//cdn.example/x.css>`, 2},
		{`<style>p{}</style>`, 1},
		{`<script src="x.js"></script>`, 2},
		{`<div style="background:url(https://x.example/bg.png)">`, 1},
		{`<div style="background:url('cid:bg@x')">`, 0},
		{`<table background="https://x.example/bg.png">`, 1},
		{`<meta http-equiv="refresh" content="0;url=https://x.example">`, 1},
	} {
		if got := ExternalRefs(tc.html); len(got) != tc.want {
			t.Errorf("ExternalRefs(%q) = %q, want %d", tc.html, got, tc.want)
		}
	}
}

// allowedTags are the only tags the templates write; hostile text must not
// add any.
var allowedTags = []string{"html", "head", "meta", "title", "body", "div", "p", "h1", "h2", "table", "tr", "td",
	"ul", "li", "span", "strong", "code", "a", "img", "br", "s", "details", "summary"}

func TestHostileTextStaysText(t *testing.T) {
	for name, r := range rendered(t) {
		if !strings.HasSuffix(name, ".hostile") {
			continue
		}
		if strings.ContainsAny(r.Subject, "\r\n") {
			t.Errorf("%s: subject %q has a line break", name, r.Subject)
		}
		for _, part := range []string{r.Subject, r.Text, r.HTML} {
			if strings.ContainsAny(part, "\u202e\u2066\u2069\r\x00") {
				t.Errorf("%s: a bidi override or control character got through", name)
			}
		}
		z := html.NewTokenizer(strings.NewReader(r.HTML))
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !slices.Contains(allowedTags, tok.Data) {
				t.Errorf("%s: hostile text made a <%s> tag", name, tok.Data)
			}
			for _, a := range tok.Attr {
				if a.Key == "href" && !strings.HasPrefix(a.Val, "mailto:") {
					t.Errorf("%s: link to %q", name, a.Val)
				}
				if a.Key == "src" && !strings.HasPrefix(a.Val, "cid:") {
					t.Errorf("%s: image from %q", name, a.Val)
				}
				if a.Key != "style" && a.Key != "href" && a.Key != "src" && a.Key != "alt" && a.Key != "width" &&
					a.Key != "role" && a.Key != "lang" && a.Key != "charset" && a.Key != "name" && a.Key != "content" {
					t.Errorf("%s: unexpected attribute %s=%q", name, a.Key, a.Val)
				}
			}
		}
		// Template syntax in the data is shown, not run.
		if !strings.Contains(r.HTML, "{{.Project}}") && !strings.Contains(r.Text, "{{.Project}}") {
			t.Errorf("%s: the literal {{.Project}} from the data is missing", name)
		}
		if strings.Contains(r.HTML, "<script>") {
			t.Errorf("%s: a script tag got through", name)
		}
	}
}

// TestTextLineLength holds the text part to 72 columns for wrapped text
// and 78 at most, except a line that is one unbreakable token (a URL) with
// its indent or list marker.
func TestTextLineLength(t *testing.T) {
	for name, r := range rendered(t) {
		for i, line := range strings.Split(r.Text, "\n") {
			n := utf8.RuneCountInString(line)
			if n <= 78 {
				continue
			}
			f := strings.Fields(line)
			long := slices.IndexFunc(f, func(w string) bool { return utf8.RuneCountInString(w) > 40 })
			if long >= 0 && n-utf8.RuneCountInString(f[long]) <= 20 {
				continue // an unbreakable token on a line of its own
			}
			t.Errorf("%s line %d has %d columns: %q", name, i+1, n, line)
		}
	}
}

func TestTextWrapsAt72(t *testing.T) {
	for name, r := range rendered(t) {
		if strings.HasSuffix(name, ".hostile") {
			continue // hostile text has unbreakable tokens on purpose
		}
		for i, line := range strings.Split(r.Text, "\n") {
			if n := utf8.RuneCountInString(line); n > 72 {
				t.Errorf("%s line %d has %d columns: %q", name, i+1, n, line)
			}
		}
	}
}

var (
	reStyle = regexp.MustCompile(`style="([^"]*)"`)
	reColor = regexp.MustCompile(`(?:^|;)\s*color:\s*([^;]+)`)
	reBg    = regexp.MustCompile(`(?:^|;)\s*background(?:-color)?:\s*([^;]+)`)
)

// TestHTMLDarkModeSafe checks that no style forces a page colour: a
// background is only ever set together with its own text colour (badges),
// and text colours without a background are mid tones that read on white
// and on black.
func TestHTMLDarkModeSafe(t *testing.T) {
	midTones := []string{"#e5484d", "#ffffff"}
	for name, r := range rendered(t) {
		for _, m := range reStyle.FindAllStringSubmatch(r.HTML, -1) {
			style := m[1]
			bg := reBg.FindStringSubmatch(style)
			fg := reColor.FindStringSubmatch(style)
			switch {
			case bg != nil && fg == nil:
				t.Errorf("%s: background without a text colour: %q", name, style)
			case fg != nil && bg == nil && !slices.Contains(midTones, strings.TrimSpace(fg[1])):
				t.Errorf("%s: text colour %s without a background may not read in dark mode: %q", name, fg[1], style)
			}
		}
		if strings.Contains(r.HTML, "<body style=\"") && strings.Contains(r.HTML, "<body style=\"background") {
			t.Errorf("%s: the body forces a background", name)
		}
	}
}

func TestHTMLIsNarrowScreenFriendly(t *testing.T) {
	for name, r := range rendered(t) {
		if !strings.Contains(r.HTML, `name="viewport" content="width=device-width`) {
			t.Errorf("%s: no viewport meta", name)
		}
		// Fixed widths wider than a 320 px screen break the layout; the
		// chart scales with max-width.
		for _, m := range regexp.MustCompile(`(?:^|[;"])\s*(?:min-)?width:\s*(\d+)px`).FindAllStringSubmatch(r.HTML, -1) {
			t.Errorf("%s: fixed width %spx", name, m[1])
		}
	}
}

func TestMinutesYoursAndHelp(t *testing.T) {
	m := sampleMinutes() // to Bob, who owns
	yours := m.Yours()
	if len(yours) != 1 || yours[0].Ref != "A-2" {
		t.Fatalf("Yours() = %v, want A-2", yours)
	}
	h := m.Help()
	if h.Commands[0].Text != "done" || !strings.Contains(h.Commands[0].Meaning, "A-2") {
		t.Errorf("Help() starts %v, want a bare done for A-2", h.Commands[0])
	}
	if last := h.Commands[len(h.Commands)-1]; last.Text != "R-1 mitigation: weekly vendor call" {
		t.Errorf("last command = %v, want Bob's risk R-1", last)
	}
	// Two items: a bare "done" would be ambiguous.
	m.Items[0].OwnerEmail = m.RecipientEmail
	if h := m.Help(); h.Commands[0].Text == "done" {
		t.Errorf("Help() offers a bare done for two items: %v", h.Commands[0])
	}
	// A closed item is not yours to close any more.
	m.Items[0].Status = "done"
	if len(m.Yours()) != 1 {
		t.Errorf("Yours() counts a done item")
	}
	m.CanReply = false
	if h := m.Help(); len(h.Commands) != 0 {
		t.Errorf("Help() without a signed reply address = %v", h)
	}
}

func TestReminderSubjectForOneItem(t *testing.T) {
	set := MustDefault()
	for _, tc := range []struct {
		item Item
		want string
	}{
		{Item{Ref: "A-4", Text: "update the binder", DaysOverdue: 3}, "A-4 is 3 days overdue: update the binder"},
		{Item{Ref: "A-4", Text: "update the binder"}, "A-4 is due today: update the binder"},
		{Item{Ref: "A-4", Text: strings.Repeat("very long text ", 10), DaysLeft: 1}, "A-4 is due in 1 day: very long text very long text very long text very…"},
	} {
		r := Reminder{Common: sampleCommon(true, "A-4"), Total: 1}
		switch {
		case tc.item.DaysOverdue > 0:
			r.Overdue = []Item{tc.item}
		case tc.item.DaysLeft == 0:
			r.DueToday = []Item{tc.item}
		default:
			r.Upcoming = []Item{tc.item}
		}
		got, err := set.Render("reminder", r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != tc.want {
			t.Errorf("subject = %q, want %q", got.Subject, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		width int
		in    string
		want  string
	}{
		{10, "one two three four", "one two\nthree four"},
		{10, "https://example.org/very/long a", "https://example.org/very/long\na"},
		{10, "para one\n\npara two", "para one\n\npara two"},
		{10, "", ""},
	} {
		if got := Wrap(tc.width, tc.in); got != tc.want {
			t.Errorf("Wrap(%d, %q) = %q, want %q", tc.width, tc.in, got, tc.want)
		}
	}
	if got := hang(9, strings.Repeat("word ", 20)); strings.Count(got, "\n         ") != 1 {
		t.Errorf("hang(9, …) = %q", got)
	}
	if got := trunc(10, "one two three four"); got != "one two…" {
		t.Errorf("trunc = %q", got)
	}
}

// wrapByDefinition is Wrap as first written: words joined onto a line
// while the line stays within width.
func wrapByDefinition(width int, s string) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			switch {
			case line == "":
				line = w
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width:
				out = append(out, line)
				line = w
			default:
				line += " " + w
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func FuzzWrap(f *testing.F) {
	f.Add(72, "one two three four")
	f.Add(10, "para one\n\npara  two \t with\u00a0spaces and a https://example.org/very/long/url")
	f.Add(5, "caf\u00e9 \u2014 na\u00efve r\u00e9sum\u00e9")
	f.Fuzz(func(t *testing.T, width int, s string) {
		if width < 1 || width > 200 {
			return
		}
		if got, want := Wrap(width, s), wrapByDefinition(width, s); got != want {
			t.Fatalf("Wrap(%d, %q) = %q, want %q", width, s, got, want)
		}
	})
}

func TestSampleForEveryKind(t *testing.T) {
	for _, kind := range Kinds {
		if Sample(kind) == nil {
			t.Errorf("Sample(%q) = nil", kind)
		}
	}
	if Sample("nonsense") != nil {
		t.Error("Sample of an unknown kind is not nil")
	}
}

func TestReflow(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The vendor delivered build 7.2 of the pharmacy interface on Monday;\ntesting is a week behind plan.", "The vendor delivered build 7.2 of the pharmacy interface on Monday; testing is a week behind plan."},
		{"Summary\nThe vendor is late.", "Summary\nThe vendor is late."},
		{"We went through the cutover weekend plan page by page, and then:\n- one\n- two", "We went through the cutover weekend plan page by page, and then:\n- one\n- two"},
		{"Discussion items that were raised at the meeting today follow here\n1. first item\n2. second", "Discussion items that were raised at the meeting today follow here\n1. first item\n2. second"},
		{"A paragraph that is long enough to have been wrapped by a client\n\nA new one.", "A paragraph that is long enough to have been wrapped by a client\n\nA new one."},
	}
	for _, tc := range tests {
		if got := Reflow(tc.in); got != tc.want {
			t.Errorf("Reflow(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
