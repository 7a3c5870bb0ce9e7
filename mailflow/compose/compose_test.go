package compose

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	_ "github.com/emersion/go-message/charset"
	gomessage "github.com/emersion/go-message/mail"

	"mailflow/mailflow"
)

// hostile is text people could put in minutes or replies to break a mail.
var hostile = []string{
	"Fix the build\r\nBcc: evil@attacker.example",
	"Fix\nCc: evil@attacker.example\n\n<b>body</b>",
	"<script>alert(1)</script><img src=https://attacker.example/x.png>",
	`{{.Project}} {{template "top" .}}`,
	"=?utf-8?q?=0D=0ABcc:_evil@attacker.example?=",
	"=?UTF-8?B?DQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?=",
	"invoice\u202Egnp.exe and \u2066isolate\u2069 \u200Fmark",
	"nul\x00bell\x07esc\x1b[31m",
	"line\u2028separator\u2029paragraph\u0085next",
	strings.Repeat("long ", 400),
}

var t0 = time.Date(2026, 11, 24, 17, 0, 0, 0, time.FixedZone("EST", -5*3600))

func baseMail() Mail {
	return Mail{
		Kind:       mailflow.MailMinutes,
		FromName:   "EHR Rollout",
		From:       "mailflow@clinic.example",
		To:         []string{"bob@clinic.example"},
		ReplyTo:    "ehr+m1.abcdef@clinic.example",
		Subject:    "Minutes: EHR go-live readiness",
		Text:       "Hello\n",
		HTML:       "<p>Hello</p>",
		MessageID:  NewMessageID("clinic.example", t0),
		InReplyTo:  "20261124164000.priya@clinic.example",
		References: []string{"<root@clinic.example>", "20261124164000.priya@clinic.example"},
		Date:       t0,
		LoopID:     "ehr@clinic.example",
	}
}

func parse(t *testing.T, raw []byte) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("built mail does not parse: %v\n%s", err, raw)
	}
	return msg
}

// wantHeaders is the exact set of header fields a mail may carry.
var wantHeaders = []string{
	"Auto-Submitted", "Content-Type", "Date", "From", "In-Reply-To", "Message-Id", "Mime-Version",
	"References", "Reply-To", "Subject", "To", "X-Auto-Response-Suppress", "X-Mailflow-Kind", "X-Mailflow-Loop",
}

func TestBuildHeaders(t *testing.T) {
	m := baseMail()
	raw, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	msg := parse(t, raw)
	h := msg.Header
	for k, want := range map[string]string{
		"Message-Id":      "<" + m.MessageID + ">",
		"Auto-Submitted":  "auto-generated",
		"X-Mailflow-Kind": "minutes",
		"X-Mailflow-Loop": "ehr@clinic.example",
		"In-Reply-To":     "<20261124164000.priya@clinic.example>",
		"References":      "<root@clinic.example> <20261124164000.priya@clinic.example>",
		"Reply-To":        "<ehr+m1.abcdef@clinic.example>",
		"To":              "<bob@clinic.example>",
	} {
		if got := strings.Join(strings.Fields(h.Get(k)), " "); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.HasSuffix(m.MessageID, "@clinic.example") {
		t.Errorf("Message-ID %q is not on the project's domain", m.MessageID)
	}
	if d, err := h.Date(); err != nil || !d.Equal(t0) {
		t.Errorf("Date = %v, %v; want %v", d, err, t0)
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Name != "EHR Rollout" || from.Address != "mailflow@clinic.example" {
		t.Errorf("From = %v, %v", from, err)
	}
}

func TestBuildWithoutThreading(t *testing.T) {
	m := baseMail()
	m.InReplyTo, m.References = "", nil
	msg := parse(t, mustBuild(t, m))
	if msg.Header.Get("In-Reply-To") != "" || msg.Header.Get("References") != "" {
		t.Errorf("a mail that answers nothing has threading headers: %v", msg.Header)
	}
}

func mustBuild(t *testing.T, m Mail) []byte {
	t.Helper()
	raw, err := Build(m)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return raw
}

// TestBuildHostile puts hostile text in every field that people control and
// checks that the header block keeps its shape: the same fields, one
// recipient, no control or bidi characters, no encoded-word decoded into a
// line break.
func TestBuildHostile(t *testing.T) {
	for _, s := range hostile {
		m := baseMail()
		m.Subject = "Re: " + s
		m.FromName = s
		m.InReplyTo = s
		m.References = []string{s, "ok@clinic.example"}
		m.LoopID = s
		m.Text = s
		m.HTML = s
		raw := mustBuild(t, m)
		msg := parse(t, raw)
		var keys []string
		for k := range msg.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !slices.Contains(wantHeaders, k) {
				t.Errorf("subject %q: unexpected header %s: %q", s, k, msg.Header.Get(k))
			}
		}
		if to := msg.Header["To"]; len(to) != 1 || strings.TrimSpace(to[0]) != "<bob@clinic.example>" {
			t.Errorf("subject %q: To = %q", s, to)
		}
		if addrs, err := msg.Header.AddressList("From"); err != nil || len(addrs) != 1 || addrs[0].Address != "mailflow@clinic.example" {
			t.Errorf("name %q: From = %v, %v", s, addrs, err)
		}
		for _, k := range []string{"Subject", "From", "X-Mailflow-Loop"} {
			dec, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get(k))
			if err != nil {
				t.Errorf("%s of %q does not decode: %v", k, s, err)
				continue
			}
			if strings.ContainsFunc(dec, func(r rune) bool { return unicode.IsControl(r) || isBidiControl(r) || r == '\u2028' }) {
				t.Errorf("%s of %q decodes to %q, with control characters", k, s, dec)
			}
			// A decoded header must not itself contain an encoded-word
			// that a second decoding pass would turn into something else.
			if strings.Contains(dec, "=?") {
				t.Errorf("%s of %q decodes to %q, which still holds an encoded-word", k, s, dec)
			}
		}
		for _, k := range []string{"In-Reply-To", "References"} {
			for _, f := range strings.Fields(msg.Header.Get(k)) {
				if !strings.HasPrefix(f, "<") || !strings.HasSuffix(f, ">") || strings.Count(f, "<") != 1 {
					t.Errorf("%s of %q holds %q, not a msg-id", k, s, f)
				}
			}
		}
		// Header lines stay within RFC 5322's 998 octets.
		hdr, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		for _, line := range bytes.Split(hdr, []byte("\r\n")) {
			if len(line) > 998 {
				t.Errorf("subject %q: header line of %d octets", s, len(line))
			}
		}
	}
}

func TestHeaderSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain subject", "plain subject"},
		{"a\r\nBcc: b", "a Bcc: b"},
		{"  spaced \t out  ", "spaced out"},
		{"\u202Eevil", "evil"},
		{"=?utf-8?q?x?=", "=\u2060?utf-8?q?x?="},
		{"nul\x00", "nul"},
	} {
		if got := HeaderSafe(tc.in); got != tc.want {
			t.Errorf("HeaderSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTextSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text\n\twith a tab", "plain text\n\twith a tab"},
		{"crlf\r\nline", "crlf\nline"},
		{"nul\x00 bell\x07 del\x7f esc\x1b[31m", "nul bell del esc[31m"},
		{"caf\u00e9 \u2014 ok", "caf\u00e9 \u2014 ok"},
		{"\u202Eevil\u2066x\u2069", "evilx"},
		{"line\u2028para\u2029end", "line\npara\nend"},
		{"c1\u0085control", "c1control"},
		{"bad \xff utf-8 \ufffd kept", "bad \ufffd utf-8 \ufffd kept"},
	} {
		if got := TextSafe(tc.in); got != tc.want {
			t.Errorf("TextSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPlainASCII8 checks the word-at-a-time test of TextSafe's scan
// against its definition, for every byte at every place of a word of any
// other byte.
func TestPlainASCII8(t *testing.T) {
	plain := func(c byte) bool { return c >= ' ' && c <= '~' }
	for fill := range 256 {
		for c := range 256 {
			for at := range 8 {
				w := []byte(strings.Repeat(string(rune(0)), 8))
				for i := range w {
					w[i] = byte(fill)
				}
				w[at] = byte(c)
				want := plain(byte(fill)) && plain(byte(c))
				if got := plainASCII8(string(w)); got != want {
					t.Fatalf("plainASCII8(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}

func TestMessageIDSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<a.b@c.example>", "a.b@c.example"},
		{"a.b@c.example", "a.b@c.example"},
		{" <a@b> ", "a@b"},
		{"a> <b@c", ""},
		{"a@b\r\nBcc: x", ""},
		{"no-at-sign", ""},
		{"two@at@signs", ""},
		{"", ""},
		{"caf\u00e9@b", ""},
	} {
		if got := MessageIDSafe(tc.in); got != tc.want {
			t.Errorf("MessageIDSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBuildParts(t *testing.T) {
	m := baseMail()
	m.Kind = mailflow.MailStatus
	m.Text = "Status\r\nline two\r\n"
	m.HTML = `<p>Status</p><img src="cid:chart.1@clinic.example">`
	m.Inline = []Inline{{ContentID: "chart.1@clinic.example", Filename: "chart.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n")}}
	m.Calendar = []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	r, err := gomessage.CreateReader(bytes.NewReader(mustBuild(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *gomessage.InlineHeader:
			ct, _, _ := h.ContentType()
			kinds = append(kinds, ct)
			switch ct {
			case "text/plain":
				if string(body) != "Status\nline two\n" && string(body) != "Status\r\nline two\r\n" {
					t.Errorf("text part = %q", body)
				}
			case "image/png":
				if id := h.Get("Content-Id"); id != "<chart.1@clinic.example>" {
					t.Errorf("Content-ID = %q, want it in angle brackets", id)
				}
			}
		case *gomessage.AttachmentHeader:
			ct, params, _ := h.ContentType()
			name, _ := h.Filename()
			kinds = append(kinds, "attachment "+ct)
			if name != "mailflow.ics" || params["method"] != "PUBLISH" || !bytes.Equal(body, m.Calendar) {
				t.Errorf("calendar attachment %q %v = %q", name, params, body)
			}
		}
	}
	want := []string{"text/plain", "text/html", "image/png", "attachment text/calendar"}
	if !slices.Equal(kinds, want) {
		t.Errorf("parts = %v, want %v", kinds, want)
	}
}

func TestBuildRejects(t *testing.T) {
	for name, mod := range map[string]func(*Mail){
		"no message-id":   func(m *Mail) { m.MessageID = "" },
		"bad message-id":  func(m *Mail) { m.MessageID = "a b@c" },
		"no date":         func(m *Mail) { m.Date = time.Time{} },
		"no recipient":    func(m *Mail) { m.To = nil },
		"bad recipient":   func(m *Mail) { m.To = []string{"bob@clinic.example\r\nBcc: x@y"} },
		"two recipients?": func(m *Mail) { m.To = []string{"a@b.example, evil@attacker.example"} },
	} {
		m := baseMail()
		mod(&m)
		if raw, err := Build(m); err == nil {
			if name == "two recipients?" {
				// go-mail reads "a, b" as two addresses; the engine never
				// passes such a value, but make sure it is not hidden.
				if msg := parse(t, raw); !strings.Contains(msg.Header.Get("To"), "evil") {
					t.Errorf("%s: recipient silently dropped", name)
				}
				continue
			}
			t.Errorf("Build with %s succeeded", name)
		}
	}
}

func FuzzHeaderSafe(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("plain words, one space")
	f.Add(" lead and trail ")
	f.Add("two  spaces")
	f.Add("a=?b")
	f.Fuzz(func(t *testing.T, s string) {
		got := HeaderSafe(s)
		if want := strings.ReplaceAll(strings.Join(strings.Fields(TextSafe(s)), " "), "=?", "=\u2060?"); got != want {
			t.Fatalf("HeaderSafe(%q) = %q, its definition gives %q", s, got, want)
		}
		if strings.ContainsAny(got, "\r\n") || strings.Contains(got, "=?") {
			t.Fatalf("HeaderSafe(%q) = %q", s, got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return unicode.IsControl(r) || isBidiControl(r) }) {
			t.Fatalf("HeaderSafe(%q) = %q keeps a control character", s, got)
		}
	})
}

func FuzzTextSafe(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := TextSafe(s)
		if strings.ContainsFunc(got, func(r rune) bool {
			return r != '\n' && r != '\t' && unicode.IsControl(r) || isBidiControl(r) || r == '\u2028' || r == '\u2029'
		}) {
			t.Fatalf("TextSafe(%q) = %q keeps a control character", s, got)
		}
		if TextSafe(got) != got {
			t.Fatalf("TextSafe is not idempotent on %q", s)
		}
		if want := textSafeSlow(s); got != want {
			t.Fatalf("TextSafe(%q) = %q, the rune-by-rune definition gives %q", s, got, want)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("TextSafe(%q) = %q is not valid UTF-8", s, got)
		}
	})
}

// textSafeSlow is TextSafe's definition, rune by rune.
func textSafeSlow(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\u2028' || r == '\u2029':
			return '\n'
		case isBidiControl(r) || unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

func FuzzBuildSubject(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, subject, name string) {
		m := baseMail()
		m.Subject, m.FromName = subject, name
		raw, err := Build(m)
		if err != nil {
			t.Skip() // refusing is fine; breaking the header is not
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("subject %q, name %q: %v", subject, name, err)
		}
		for k := range msg.Header {
			if !slices.Contains(wantHeaders, k) && k != "In-Reply-To" {
				t.Fatalf("subject %q, name %q: header %s appeared", subject, name, k)
			}
		}
		if len(msg.Header["To"]) != 1 || len(msg.Header["Subject"]) != 1 {
			t.Fatalf("subject %q: To/Subject duplicated: %v", subject, msg.Header)
		}
	})
}

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"alice@clinic.example", true},
		{"alice.moreau+ehr@mail.clinic.example", true},
		{`"odd guy"@evil.example`, false},
		{"odd guy@evil.example", false},
		{"Alice <alice@clinic.example>", false},
		{"alice@", false},
		{"", false},
		{"alice@clinic.example, bob@clinic.example", false},
	}
	for _, tc := range tests {
		if err := CheckAddress(tc.addr); (err == nil) != tc.ok {
			t.Errorf("CheckAddress(%q) = %v, want ok %v", tc.addr, err, tc.ok)
		}
	}
}
