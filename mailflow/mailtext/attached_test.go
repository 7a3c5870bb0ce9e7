package mailtext

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	dt "mailflow/mailflow/docx/docxtest"
)

// part is one MIME part as raw text: header lines and a body.
type part struct {
	header string
	body   string
}

// textPart is a text/plain part.
func textPart(text string) part {
	return part{header: "Content-Type: text/plain; charset=utf-8\r\n", body: text}
}

// filePart is an attachment whose body is data in base64, as mailers send
// files; header holds its Content-Type line (or none) and disposition.
func filePart(header string, data []byte) part {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return part{header: header + "Content-Transfer-Encoding: base64\r\n", body: b.String()}
}

// docxPart attaches a .docx with its proper content type.
func docxPart(filename string, data []byte) part {
	return filePart(fmt.Sprintf("Content-Type: %s; name=%q\r\nContent-Disposition: attachment; filename=%q\r\n", DocxType, filename, filename), data)
}

// messagePart attaches a whole message, as "forward as attachment" does.
func messagePart(raw string) part {
	return part{header: "Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n", body: raw}
}

// mixedMail returns a message with the header lines given and a
// multipart/mixed body of parts; boundaries differ per nesting level as
// each call picks one from its own content.
func mixedMail(header string, parts ...part) string {
	boundary := fmt.Sprintf("b%d", len(header)+len(parts)*7919)
	for _, p := range parts {
		boundary += fmt.Sprintf("%x", len(p.body)%251)
	}
	var b strings.Builder
	b.WriteString(header + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p.header + "\r\n" + p.body + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

const outer = "From: Priya Shah <priya@clinic.example>\r\nTo: ehr@clinic.example\r\nSubject: Minutes: EHR steering 24 Nov\r\n" +
	"Date: Tue, 24 Nov 2026 17:10:00 +0100\r\n"

// actionLog is a Word document with an action-log table.
var actionLog = dt.Build(dt.Heading(1, "Action log") +
	dt.Table([]string{"Action", "Owner", "Due"}, []string{"Send the super-user roster", "Alice", "Fri 27 Nov"},
		[]string{"Book training rooms", "Bob", "2 Dec"}) +
	dt.Para("Next meeting: 1 December"))

const actionLogText = "# Action log\n\n| Action | Owner | Due |\n| --- | --- | --- |\n" +
	"| Send the super-user roster | Alice | Fri 27 Nov |\n| Book training rooms | Bob | 2 Dec |\n\nNext meeting: 1 December\n"

// TestReadWordAttachments: a .docx attachment becomes an Attachment of
// its text, however it is labelled; one that cannot be read stays in
// Unread with a problem naming it, and the rest of the message is read.
func TestReadWordAttachments(t *testing.T) {
	for _, c := range []struct {
		name     string
		file     part
		text     string // the Attachment's text; "" when none is wanted
		filename string
		unread   string // the Unread part's content type, when it is not read
		problem  string
	}{
		{name: "docx content type", file: docxPart("Minutes 24 Nov.docx", actionLog), text: actionLogText, filename: "Minutes 24 Nov.docx"},
		{
			name:     "octet-stream with a .docx name",
			file:     filePart("Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"MINUTES.DOCX\"\r\n", actionLog),
			text:     actionLogText,
			filename: "MINUTES.DOCX",
		},
		{
			name:     "no content type, a .docx name",
			file:     filePart("Content-Disposition: attachment; filename=\"=?utf-8?q?Protokoll_B=C3=BCro.docx?=\"\r\n", actionLog),
			text:     actionLogText,
			filename: "Protokoll Büro.docx",
		},
		{
			name:    "a damaged docx",
			file:    docxPart("minutes.docx", actionLog[:len(actionLog)/2]),
			unread:  DocxType,
			problem: `attachment "minutes.docx" not read: docx: damaged .docx file: zip: not a valid zip file`,
		},
		{
			name:    "a zip bomb",
			file:    docxPart("bomb.docx", dt.Bomb(64<<20)),
			unread:  DocxType,
			problem: `attachment "bomb.docx" not read: docx: too large: word/document.xml is larger than 16 MB when decompressed`,
		},
		{
			name:    "a Word 97 .doc",
			file:    filePart("Content-Type: application/msword\r\nContent-Disposition: attachment; filename=\"minutes.doc\"\r\n", dt.OLE("WordDocument")),
			unread:  "application/msword",
			problem: `attachment "minutes.doc" not read: docx: not a .docx file: a Word 97-2003 .doc file; save it as .docx to have it read`,
		},
		{
			name:    "a docx without text",
			file:    docxPart("empty.docx", dt.Build("<w:p/>")),
			unread:  DocxType,
			problem: `attachment "empty.docx" not read: the document has no text`,
		},
		{
			// A zip is the engine's to quarantine, whatever its name says.
			name:   "a zip named .docx",
			file:   filePart("Content-Type: application/zip\r\nContent-Disposition: attachment; filename=\"minutes.docx\"\r\n", actionLog),
			unread: "application/zip",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Read([]byte(mixedMail(outer, textPart("Minutes attached."), c.file)))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if strings.TrimSpace(m.Text) != "Minutes attached." {
				t.Errorf("Text = %q, want the body", m.Text)
			}
			var texts []string
			for _, a := range m.Attachments {
				texts = append(texts, a.Text)
				if a.ContentType != DocxType || a.Filename != c.filename {
					t.Errorf("Attachment %q (%s), want %q (%s)", a.Filename, a.ContentType, c.filename, DocxType)
				}
			}
			if want := []string{c.text}; c.text == "" && len(texts) > 0 || c.text != "" && fmt.Sprint(texts) != fmt.Sprint(want) {
				t.Errorf("Attachment texts = %q, want %q", texts, c.text)
			}
			if c.unread == "" && len(m.Unread) > 0 || c.unread != "" && (len(m.Unread) != 1 || m.Unread[0].ContentType != c.unread) {
				t.Errorf("Unread = %+v, want %q", m.Unread, c.unread)
			}
			if got := strings.Join(m.Problems, "; "); got != c.problem {
				t.Errorf("Problems = %q, want %q", got, c.problem)
			}
		})
	}
}

// TestReadWordTableHeader: the first row of a Word action log is the
// pipe table's header row, so the minutes parser maps its columns.
func TestReadWordTableHeader(t *testing.T) {
	m, err := Read([]byte(mixedMail(outer, docxPart("minutes.docx", dt.Minutes(20<<10)))))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %d, want 1", len(m.Attachments))
	}
	lines := strings.Split(m.Attachments[0].Text, "\n")
	tables := 0
	for i, l := range lines {
		if l != "## Action log" {
			continue
		}
		tables++
		if i+3 >= len(lines) || lines[i+2] != "| Action | Owner | Due | Status |" || lines[i+3] != "| --- | --- | --- | --- |" {
			t.Fatalf("after %q: %q, want the header row and a separator", l, lines[i+1:min(i+5, len(lines))])
		}
	}
	if tables == 0 {
		t.Errorf("no action log in %q", m.Attachments[0].Text)
	}
}

// forwardedMinutes is minutes as the chair sent them, to be forwarded.
var forwardedMinutes = mixedMail("From: =?utf-8?q?J=C3=BCrgen_Weiss?= <juergen@clinic.example>\r\nTo: team@clinic.example\r\n"+
	"Subject: =?utf-8?q?Minutes:_Pharmacy_go-live_=E2=80=93_3_Dec?=\r\nDate: Thu, 3 Dec 2026 09:30:00 +0100\r\n",
	textPart("Action items\r\n- Alice to send the order sets by Friday\r\n"),
	docxPart("risk log.docx", dt.Build(dt.Table([]string{"Risk", "Mitigation"}, []string{"Order sets late", "Two more builders"}))),
	part{header: "Content-Type: text/html; name=notes.html\r\nContent-Disposition: attachment; filename=notes.html\r\n", body: "<p>Decisions: <b>go</b></p>"})

// TestReadForwardedMessages: an attached message's text becomes an
// Attachment headed as a mail client shows a forwarded message, and its
// own attachments follow it.
func TestReadForwardedMessages(t *testing.T) {
	type att struct{ filename, contentType, text string }
	for _, c := range []struct {
		name    string
		raw     string
		want    []att
		problem string
	}{
		{
			name: "forwarded minutes with their attachments",
			raw:  mixedMail(outer, textPart("FYI, minutes from pharmacy."), messagePart(forwardedMinutes)),
			want: []att{
				{"Minutes: Pharmacy go-live – 3 Dec", "message/rfc822", "From: Jürgen Weiss <juergen@clinic.example>\nDate: Thu, 3 Dec 2026 09:30:00 +0100\n" +
					"Subject: Minutes: Pharmacy go-live – 3 Dec\n\nAction items\r\n- Alice to send the order sets by Friday\r\n"},
				{"risk log.docx", DocxType, "| Risk | Mitigation |\n| --- | --- |\n| Order sets late | Two more builders |\n"},
				{"notes.html", "text/html", "Decisions: go\n"},
			},
		},
		{
			name: "no subject, HTML only",
			raw:  mixedMail(outer, messagePart("From: a@clinic.example\r\nContent-Type: text/html\r\n\r\n<ul><li>Bob to book rooms</li></ul>")),
			want: []att{{"forwarded message", "message/rfc822", "From: a@clinic.example\n\n- Bob to book rooms\n"}},
		},
		{
			name: "the HTML alternative is read when only it keeps the table",
			raw: mixedMail(outer, messagePart("Subject: Action log\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"+
				"--alt\r\nContent-Type: text/plain\r\n\r\nAction\r\nOwner\r\nGo\r\nAlice\r\n"+
				"--alt\r\nContent-Type: text/html\r\n\r\n<table><tr><td>Action</td><td>Owner</td></tr><tr><td>Go</td><td>Alice</td></tr></table>\r\n--alt--\r\n")),
			want: []att{{"Action log", "message/rfc822", "Subject: Action log\n\n| Action | Owner |\n| --- | --- |\n| Go | Alice |\n"}},
		},
		{
			name: "a forward of a forward",
			raw: mixedMail(outer, messagePart(mixedMail("From: b@clinic.example\r\nSubject: Fwd: minutes\r\n", textPart("see below"),
				messagePart("From: c@clinic.example\r\nSubject: minutes\r\n\r\nCarol to go\r\n")))),
			want: []att{
				{"Fwd: minutes", "message/rfc822", "From: b@clinic.example\nSubject: Fwd: minutes\n\nsee below"},
				{"minutes", "message/rfc822", "From: c@clinic.example\nSubject: minutes\n\nCarol to go\r\n"},
			},
		},
		{
			name: "base64-encoded attached message",
			raw:  mixedMail(outer, filePart("Content-Type: message/rfc822\r\n", []byte("Subject: encoded\r\n\r\nDan to go\r\n"))),
			want: []att{{"encoded", "message/rfc822", "Subject: encoded\n\nDan to go\r\n"}},
		},
		{
			name:    "a broken attached message is left with a problem",
			raw:     mixedMail(outer, messagePart("Subject: broken\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!! not base64 ####\r\n")),
			problem: `forwarded message "broken" not read: malformed message: read text/plain part: illegal base64 data at input byte 0`,
		},
		{
			name: "an attached message without text adds nothing",
			raw:  mixedMail(outer, messagePart("Subject: picture\r\nContent-Type: image/png\r\n\r\nPNG")),
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Read([]byte(c.raw))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var got []att
			for _, a := range m.Attachments {
				got = append(got, att{a.Filename, a.ContentType, a.Text})
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Errorf("Attachments =\n%q\nwant\n%q", got, c.want)
			}
			if strings.Contains(m.Text, "to go") || strings.Contains(m.Text, "Alice") {
				t.Errorf("Text = %q, want no forwarded text in the body", m.Text)
			}
			if p := strings.Join(m.Problems, "; "); p != c.problem {
				t.Errorf("Problems = %q, want %q", p, c.problem)
			}
		})
	}
}

// TestReadForwardedLimits: parts and nesting inside attached messages
// count towards the message's limits, and past them the message is
// refused as for any other MIME shape.
func TestReadForwardedLimits(t *testing.T) {
	deep := "Subject: innermost\r\n\r\ntext\r\n"
	for range MaxDepth + 1 {
		deep = "Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n" + deep
	}
	nested := ""
	for i := range MaxDepth {
		nested += fmt.Sprintf("Content-Type: multipart/mixed; boundary=n%d\r\n\r\n--n%d\r\n", i, i)
	}
	var many []part
	for range MaxParts / 2 {
		many = append(many, textPart("x"))
	}
	for _, c := range []struct{ name, raw, says string }{
		{"nested too deep", "From: a@clinic.example\r\n" + deep, "nested more than 20 deep"},
		{"too many parts", mixedMail(outer, messagePart(mixedMail("Subject: a\r\n", many...)), messagePart(mixedMail("Subject: b\r\n", many...))), "more than 500 MIME parts"},
		{"too deep in mime", mixedMail(outer, messagePart(nested+"Content-Type: text/plain\r\n\r\ndeep\r\n")), "nested more than 20 deep"},
	} {
		if _, err := Read([]byte(c.raw)); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: Read error = %v, want ErrMalformed saying %q", c.name, err, c.says)
		}
	}
	// Just under the limits, the same shapes are read.
	ok := "Subject: innermost\r\n\r\ntext\r\n"
	for range MaxDepth - 1 {
		ok = "Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n" + ok
	}
	if m, err := Read([]byte("From: a@clinic.example\r\n" + ok)); err != nil || len(m.Attachments) != 1 {
		t.Errorf("nested %d deep: Read = %v, want one attachment", MaxDepth, err)
	}
}
