package mailtext

import (
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/internal/corpora"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestReadShapes reads the MIME shapes minutes arrive in.
func TestReadShapes(t *testing.T) {
	for _, c := range []struct {
		name     string
		raw      string
		file     string
		text     string // Message.Text must contain this
		notText  string // and must not contain this
		attached string // an attachment's text must contain this
		problem  string // Message.Problems must mention this
	}{
		{
			name: "plain", raw: "From: a@x.example\r\nSubject: s\r\n\r\nACTION: Alice to go\r\n",
			text: "ACTION: Alice to go",
		},
		{
			name: "html only",
			raw:  "From: a@x.example\r\nContent-Type: text/html\r\n\r\n<p>Hello</p><ul><li>ACTION: Alice to go</li></ul>",
			text: "- ACTION: Alice to go",
		},
		{
			name: "alternative prefers plain",
			raw: "From: a@x.example\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n" +
				"--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n",
			text: "plain words", notText: "html words",
		},
		{name: "alternative with an empty plain part", file: "alternative-empty-plain.eml", text: "ACTION: Alice to send the plan"},
		{
			name: "mixed with a markdown attachment",
			raw: "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
				"--b\r\nContent-Type: text/markdown; name=m.md\r\nContent-Disposition: attachment; filename=\"=?utf-8?q?m=C3=BCnutes.md?=\"\r\n\r\n# Action items\r\n- Alice to go\r\n--b--\r\n",
			text: "See attached.", attached: "- Alice to go",
		},
		{
			name: "html attachment as octet-stream",
			raw: "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
				"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=minutes.HTML\r\n\r\n<table><tr><td>Action</td><td>Owner</td></tr><tr><td>Go</td><td>Alice</td></tr></table>\r\n--b--\r\n",
			attached: "| Go | Alice |",
		},
		{
			name: "apple mail splits the body around an image",
			raw: "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst half\r\n" +
				"--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n\r\nPNG\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond half\r\n--b--\r\n",
			text: "first half\n\nsecond half",
		},
		{
			name: "latin-1 quoted-printable",
			raw:  "From: a@x.example\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nJ=FCrgen to go=\r\n on\r\n",
			text: "Jürgen to go on",
		},
		{
			name: "windows-1252 base64",
			raw:  "From: a@x.example\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: base64\r\n\r\nk0FsaWNlIHRvIGdvlA==\r\n",
			text: "“Alice to go”",
		},
		{name: "unknown charset", file: "unknown-charset.eml", text: "ACTION: Alice to send the plan", problem: "charset"},
		{name: "format=flowed delsp=yes", file: "flowed-delsp.eml", text: "the training plan to the nursing leads by Friday\n> quoted paragraph that was flowed\n>not a quote"},
		{name: "missing final boundary", file: "truncated.eml", text: "ACTION: Alice to send the plan", problem: "skipped"},
		{name: "multipart without parts", file: "lying-multipart.eml", text: "ACTION: Alice to send the plan", problem: "without its boundary"},
		{name: "mbox line, no blank line after the header", file: "mbox-no-separator.eml", text: "Alice to send the plan, as agreed.", problem: "no blank line"},
		{
			name: "message/rfc822 is not the sender's text",
			raw: "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nmine\r\n" +
				"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: old@x.example\r\n\r\nACTION: forwarded\r\n--b--\r\n",
			text: "mine", notText: "forwarded",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := []byte(c.raw)
			if c.file != "" {
				raw = readFile(t, c.file)
			}
			m, err := Read(raw)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !strings.Contains(m.Text, c.text) {
				t.Errorf("Text = %q, want it to contain %q", m.Text, c.text)
			}
			if c.notText != "" && strings.Contains(m.Text, c.notText) {
				t.Errorf("Text = %q, want no %q", m.Text, c.notText)
			}
			if c.attached != "" {
				found := false
				for _, a := range m.Attachments {
					found = found || strings.Contains(a.Text, c.attached)
				}
				if !found {
					t.Errorf("attachments %+v lack %q", m.Attachments, c.attached)
				}
			}
			if c.problem != "" && !strings.Contains(strings.Join(m.Problems, "; "), c.problem) {
				t.Errorf("Problems = %q, want one about %q", m.Problems, c.problem)
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	raw := "From: =?utf-8?q?Priya_Sh=C3=A4h?= <Priya@Clinic.example>\r\nTo: ehr@clinic.example, \"Moreau, Alice\" <alice@clinic.example>\r\n" +
		"Cc: bob@clinic.example\r\nSubject: =?iso-8859-1?q?Protokoll_B=FCro?=\r\nDate: Tue, 24 Nov 2026 17:10:00 +0100\r\n" +
		"Message-ID: <m1@clinic.example>\r\nIn-Reply-To: <a@x>\r\nReferences: <r1@x> <a@x>\r\n\r\nbody\r\n"
	m, err := Read([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Name != "Priya Shäh" || m.From.Email != "priya@clinic.example" || len(m.To) != 2 || m.To[1].Name != "Moreau, Alice" ||
		len(m.Cc) != 1 || m.Subject != "Protokoll Büro" || m.MessageID != "m1@clinic.example" ||
		m.Date.UTC().Format(time.RFC3339) != "2026-11-24T16:10:00Z" || strings.Join(m.References, " ") != "r1@x a@x" {
		t.Errorf("header read as %+v", m)
	}
}

// TestReadMalformed: what cannot be read is an error wrapping ErrMalformed.
func TestReadMalformed(t *testing.T) {
	deep := "From: a@x.example\r\n"
	for i := range MaxDepth + 2 {
		deep += fmt.Sprintf("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	deep += "Content-Type: text/plain\r\n\r\ndeep\r\n"
	many := "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", MaxParts+1) + "--b--\r\n"
	for name, raw := range map[string][]byte{
		"empty":       []byte(" \r\n"),
		"bad base64":  readFile(t, "bad-base64.eml"),
		"too deep":    []byte(deep),
		"too many":    []byte(many),
		"huge header": []byte("From: a@x.example\r\nX-Big: " + strings.Repeat("a", MaxHeaderSize) + "\r\n\r\nbody"),
	} {
		if _, err := Read(raw); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

// TestOddMIME reads the odd and hostile messages of CPython's and
// mailparser's test suites: each must be read or refused with
// ErrMalformed, quickly, and never panic.
func TestOddMIME(t *testing.T) {
	for _, c := range []struct{ corpus, glob string }{
		{"cpython_test_email", "data/*"},
		{"mailparser_fixtures", "fixtures/*.eml"},
	} {
		t.Run(c.corpus, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(corpora.Dir(t, c.corpus), c.glob))
			if len(files) == 0 {
				t.Fatal("no files")
			}
			read, refused := 0, 0
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				m, err := Read(raw)
				took := time.Since(start)
				switch {
				case err == nil:
					read++
					if m.HTML != "" {
						HTMLToText(m.HTML)
					}
				case errors.Is(err, ErrMalformed):
					refused++
					t.Logf("%s: %v", filepath.Base(f), err)
				default:
					t.Errorf("%s: error %v does not wrap ErrMalformed", filepath.Base(f), err)
				}
				if took > 2*time.Second {
					t.Errorf("%s took %s", filepath.Base(f), took)
				}
			}
			t.Logf("%s: %d read, %d refused as malformed", c.corpus, read, refused)
		})
	}
}

// parseDate reads what net/mail.ParseDate reads, the same instant in the
// same zone; only faster for the common form.
func TestParseDateAgreesWithNetMail(t *testing.T) {
	for _, v := range []string{
		"Tue, 24 Nov 2026 10:00:00 +0100",
		"Tue, 4 Nov 2025 09:05:00 -0500",
		"Tue, 04 Nov 2025 09:05:00 -0500",
		" Tue, 24 Nov 2026 10:00:00 +0000 ",
		"Tue, 24 Nov 2026 10:00:00 +0000 (UTC)",
		"24 Nov 2026 10:00:00 +0100",
		"Tue, 24 Nov 26 10:00 GMT",
		"Tue, 24 Nov 2026 10:00:00 -0000",
		"Wed, 24 Nov 2026 10:00:00 +0100", // wrong weekday: both take it
		"Tue, 31 Nov 2026 10:00:00 +0100", // no such day: both refuse
		"Tue, 24 Nov 2026 25:00:00 +0100",
		"yesterday",
		"",
	} {
		want, wantErr := mail.ParseDate(v)
		got, err := parseDate(v)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: error %v, net/mail %v", v, err, wantErr)
			continue
		}
		_, off := got.Zone()
		_, wantOff := want.Zone()
		if !got.Equal(want) || off != wantOff {
			t.Errorf("%q: %v, net/mail %v", v, got, want)
		}
	}
}
