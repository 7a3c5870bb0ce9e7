package compose

import (
	"bytes"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"
)

// writerQP is what mime/quotedprintable's Writer makes of s.
func writerQP(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var qpCases = []string{
	"",
	"plain",
	"caf\u00e9 \u2014 \u00b7 ok\n",
	"trailing space \nand tab\t\nand at the end ",
	"a=b",
	"crlf\r\nlf\ncr\rcr-then-encoded\r\xffnext\n",
	strings.Repeat("x", 75) + "\n" + strings.Repeat("y", 76) + "\n" + strings.Repeat("z", 200),
	strings.Repeat("x", 73) + "\u00e9\u00e9\n" + strings.Repeat("x", 74) + " \n" + strings.Repeat("x", 75) + "\t",
	strings.Repeat("\u00b7", 100),
	strings.Repeat("word ", 40) + "\n\n\n",
}

func TestAppendQP(t *testing.T) {
	for _, s := range qpCases {
		if got, want := string(appendQP(nil, s)), writerQP(t, s); got != want {
			t.Errorf("appendQP(%q) =\n%q\nquotedprintable.Writer gives\n%q", s, got, want)
		}
	}
	if got := string(appendQP([]byte("head:"), "x ")); got != "head:x=20" {
		t.Errorf("appendQP after other bytes = %q, want %q", got, "head:x=20")
	}
}

func FuzzAppendQP(f *testing.F) {
	for _, s := range append(qpCases, hostile...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQP(nil, s)), writerQP(t, s); got != want {
			t.Fatalf("appendQP(%q) =\n%q\nquotedprintable.Writer gives\n%q", s, got, want)
		}
	})
}

// TestBuildSplicesPartsAsGoMailWrites builds mails whose text and HTML
// take every path of quoted-printable, with and without the other parts a
// mail may have, and checks that the bytes are those go-mail writes when
// it encodes the parts itself; only the MIME boundaries, new for each
// mail, may differ.
func TestBuildSplicesPartsAsGoMailWrites(t *testing.T) {
	var mails []Mail
	for _, s := range append(qpCases, hostile...) {
		m := baseMail()
		m.Text, m.HTML = s, "<p>"+s+"</p>"
		mails = append(mails, m)
	}
	textOnly := baseMail()
	textOnly.Text, textOnly.HTML = qpCases[3], ""
	empty := baseMail()
	empty.Text, empty.HTML = "", ""
	full := baseMail()
	full.Text = strings.Repeat("caf\u00e9 \u2014 the plan, line by line \n", 50)
	full.Calendar = []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	full.Inline = []Inline{{ContentID: "chart.1@clinic.example", Filename: "chart.png", ContentType: "image/png", Data: []byte("\x89PNG\r\n")}}
	full.Attach = []File{{Filename: "register.xlsx", ContentType: "application/octet-stream", Data: bytes.Repeat([]byte{0, 1, 2, 0xff}, 100)}}
	mails = append(mails, textOnly, empty, full)
	for _, m := range mails {
		got, err := Build(m)
		if err != nil {
			t.Fatal(err)
		}
		spliceParts = false
		want, err := Build(m)
		spliceParts = true
		if err != nil {
			t.Fatal(err)
		}
		if g, w := withoutBoundaries(got), withoutBoundaries(want); !bytes.Equal(g, w) {
			t.Errorf("Build(text %q) differs from go-mail's own encoding:\n--- got\n%s\n--- go-mail\n%s", m.Text, g, w)
		}
	}
}

var boundaryParam = regexp.MustCompile(`boundary=([0-9a-f]+)`)

func withoutBoundaries(raw []byte) []byte {
	for _, b := range boundaryParam.FindAllSubmatch(raw, -1) {
		raw = bytes.ReplaceAll(raw, b[1], []byte("BOUNDARY"))
	}
	return raw
}
