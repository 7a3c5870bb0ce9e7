// Package compose turns rendered templates into complete MIME messages with
// the headers every mailflow mail carries: a Message-ID on the project's
// domain, Auto-Submitted, X-Mailflow-Kind and X-Mailflow-Loop, threading
// headers and the signed Reply-To.
package compose

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"mailflow/mailflow"
)

// Header names mailflow adds to everything it sends.
const (
	HeaderKind = "X-Mailflow-Kind"
	// HeaderLoop carries the project address; a message that comes back with
	// it was sent by mailflow and is never answered.
	HeaderLoop = "X-Mailflow-Loop"
)

// Mail is everything needed to build one message.
type Mail struct {
	Kind       mailflow.MailKind
	FromName   string
	From       string
	To         []string // header recipients; the envelope takes the same
	ReplyTo    string
	Subject    string
	Text       string
	HTML       string
	MessageID  string // bare, without angle brackets
	InReplyTo  string // bare Message-ID of the mail answered
	References []string
	Date       time.Time
	LoopID     string
	Calendar   []byte   // an iCalendar file to attach, or nil
	Inline     []Inline // images referenced from the HTML by cid:
	Attach     []File   // files to attach (the status report's register)
}

// File is an attachment.
type File struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Inline is an image embedded in the HTML part.
type Inline struct {
	ContentID   string
	Filename    string
	ContentType string
	Data        []byte
}

// NewMessageID returns a fresh Message-ID on domain.
func NewMessageID(domain string, now time.Time) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the kernel's RNG never fails on Linux
	}
	return fmt.Sprintf("mailflow.%d.%s@%s", now.Unix(), hex.EncodeToString(b[:]), domain)
}

// CheckAddress reports whether addr can be mailed: go-mail, which Build
// hands it to, accepts it, and it reads back unchanged, so the header and
// the SMTP envelope name the same mailbox. Readers check addresses taken
// from mail with it before they are stored, so that one odd address
// (`"odd guy"@evil.example`) is a problem reported on its message, not a
// mail that can never be built.
func CheckAddress(addr string) error {
	if err := gomail.NewMsg().To(addr); err != nil {
		return fmt.Errorf("%q is not an address mailflow can send to: %w", addr, err)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || !strings.EqualFold(a.Address, addr) {
		return fmt.Errorf("%q is not a plain address mailflow can send to", addr)
	}
	return nil
}

// Build renders m as RFC 5322 bytes. Every value that came from people
// (subject, names, the Message-ID being answered) is made header-safe here,
// whatever the caller did, and the bodies lose control and bidi-override
// characters.
func Build(m Mail) ([]byte, error) {
	msgID := MessageIDSafe(m.MessageID)
	if msgID == "" {
		return nil, fmt.Errorf("message-id %q: not a valid Message-ID", m.MessageID)
	}
	if m.Date.IsZero() {
		return nil, errors.New("no Date for the message")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(HeaderSafe(m.FromName), m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	if len(m.To) == 0 {
		return nil, errors.New("no recipients")
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("to %v: %w", m.To, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", m.ReplyTo, err)
		}
	}
	msg.Subject(HeaderSafe(m.Subject))
	msg.SetMessageIDWithValue(msgID)
	msg.SetDateWithValue(m.Date)
	// RFC 3834: mail sent by a program, which auto-responders must not
	// answer.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	// Ask Exchange and friends not to send vacation replies to us.
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader(HeaderKind, HeaderSafe(string(m.Kind)))
	msg.SetGenHeader(HeaderLoop, HeaderSafe(m.LoopID))
	if id := MessageIDSafe(m.InReplyTo); id != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, "<"+id+">")
	}
	refs := make([]string, 0, len(m.References))
	for _, r := range m.References {
		if id := MessageIDSafe(r); id != "" {
			refs = append(refs, "<"+id+">")
		}
	}
	if len(refs) > 0 {
		msg.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	// go-mail writes each part's text through mime/quotedprintable, a
	// call per line; the parts are the most of a mail's bytes. So it is
	// given a placeholder for each (plain ASCII, which quoted-printable
	// leaves as it is), and the text, encoded as that Writer would
	// (appendQP), takes its place in the bytes it writes.
	text, html := TextSafe(m.Text), TextSafe(m.HTML)
	textBody, htmlBody := placeholder(), placeholder()
	if !spliceParts {
		textBody, htmlBody = text, html
	}
	msg.SetBodyString(gomail.TypeTextPlain, textBody)
	if html != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, htmlBody)
	}
	for _, in := range m.Inline {
		cid := MessageIDSafe(in.ContentID)
		if cid == "" {
			return nil, fmt.Errorf("inline %s: content-id %q is not valid", in.Filename, in.ContentID)
		}
		// RFC 2392: the Content-ID header is in angle brackets; the HTML
		// refers to it as cid: without them.
		if err := msg.EmbedReader(HeaderSafe(in.Filename), bytes.NewReader(in.Data),
			gomail.WithFileContentID("<"+cid+">"), gomail.WithFileContentType(gomail.ContentType(in.ContentType))); err != nil {
			return nil, fmt.Errorf("embed %s: %w", in.Filename, err)
		}
	}
	if len(m.Calendar) > 0 {
		if err := msg.AttachReader("mailflow.ics", bytes.NewReader(m.Calendar),
			gomail.WithFileContentType("text/calendar; charset=utf-8; method=PUBLISH")); err != nil {
			return nil, fmt.Errorf("attach calendar: %w", err)
		}
	}
	for _, f := range m.Attach {
		if err := msg.AttachReader(HeaderSafe(f.Filename), bytes.NewReader(f.Data),
			gomail.WithFileContentType(gomail.ContentType(f.ContentType))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Filename, err)
		}
	}
	// Sized up front, the buffer is not grown and copied a dozen times on
	// the way: quoted-printable adds a little to the text, base64 a third
	// to attachments, and the header and MIME boundaries ~2 KB.
	size := 2048 + (len(text)+len(html))*11/10 + len(m.Calendar)*14/10
	for _, f := range m.Attach {
		size += len(f.Data) * 14 / 10
	}
	for _, in := range m.Inline {
		size += len(in.Data) * 14 / 10
	}
	if !spliceParts {
		var whole bytes.Buffer
		if _, err := msg.WriteTo(&whole); err != nil {
			return nil, fmt.Errorf("write message: %w", err)
		}
		return whole.Bytes(), nil
	}
	// The frame is copied into out, so its buffer serves the next mail;
	// but one that carried a large attachment (the status report's
	// register) is left to the collector rather than kept.
	frame := frames.Get().(*bytes.Buffer)
	defer func() {
		if frame.Cap() <= maxPooledFrame {
			frames.Put(frame)
		}
	}()
	frame.Reset()
	frame.Grow(4096 + len(m.Calendar)*14/10)
	if _, err := msg.WriteTo(frame); err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	out := make([]byte, 0, size)
	rest := frame.Bytes()
	for _, part := range []struct{ name, placeholder, text string }{{"text", textBody, text}, {"HTML", htmlBody, html}} {
		if part.name == "HTML" && html == "" {
			break
		}
		i := bytes.Index(rest, []byte(part.placeholder))
		if i < 0 || bytes.Contains(rest[i+len(part.placeholder):], []byte(part.placeholder)) {
			return nil, fmt.Errorf("write message: the %s part's placeholder is not in it once", part.name)
		}
		out = appendQP(append(out, rest[:i]...), part.text)
		rest = rest[i+len(part.placeholder):]
	}
	return append(out, rest...), nil
}

// frames hold what go-mail writes (the message with placeholders for its
// parts) while Build puts the parts in.
var frames = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledFrame is the largest frame buffer frames keeps: a minutes
// mail's frame with its calendar is a few KB.
const maxPooledFrame = 64 << 10

// spliceParts is true but in the test that compares the message built
// with placeholders to the one go-mail writes itself.
var spliceParts = true

// placeholder returns a word that stands for a part's text while go-mail
// writes the message: random, so no text, header or file holds it.
func placeholder() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // the kernel's RNG never fails on Linux
	}
	return "mailflowpart" + hex.EncodeToString(b[:])
}

// HeaderSafe makes text from minutes and replies safe to put in a header:
// no CR/LF (header injection), no other control characters, no bidi
// overrides (which can make a subject read differently from what it is),
// and no literal RFC 2047 encoded-word: "=?" gets an invisible word joiner,
// so a subject that says "=?utf-8?q?=0D=0ABcc:...?=" is shown as typed
// instead of being decoded by the reader's mail client.
func HeaderSafe(s string) string {
	if plainHeader(s) {
		return s // Build asks this of the same few texts in every mail
	}
	s = strings.Join(strings.Fields(TextSafe(s)), " ")
	return strings.ReplaceAll(s, "=?", "=\u2060?")
}

// plainHeader reports whether HeaderSafe leaves s as it is: plain words
// (mailflow.PlainWords) with no "=?".
func plainHeader(s string) bool {
	return mailflow.PlainWords(s) && !strings.Contains(s, "=?")
}

// TextSafe removes control characters other than newline and tab, and the
// Unicode bidi embedding/override/isolate controls, from text shown in mail.
// Line and paragraph separators become newlines; CR is dropped, so CRLF
// becomes LF.
func TextSafe(s string) string {
	// Most text needs no change: find the first rune that does before
	// building a new string (rendering calls this on every part of every
	// mail).
	i := 0
	for i < len(s) {
		if i+8 <= len(s) && plainASCII8(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\n' && c != '\t' || c == 0x7f {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if textUnsafe(r) || r == utf8.RuneError && size == 1 { // invalid UTF-8 becomes U+FFFD
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case textUnsafe(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainASCII8 reports whether the 8 bytes of s are printable ASCII
// (space to "~"): eight bytes TextSafe keeps as they are, checked at once.
// A word with a newline or a tab in it is checked byte by byte.
func plainASCII8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := binary.LittleEndian.Uint64([]byte(s[:8]))
	// A byte of x below 0x20 borrows into its high bit in x-0x20…; one
	// equal to 0x7f becomes zero, and so borrows, in (x^0x7f…)-0x01…;
	// one at or above 0x80 has its high bit set. The "&^ x" drops the
	// high bits borrows set in bytes that had it already. (A borrow may
	// flag a byte after one flagged already: the answer is "no" either
	// way.)
	below := (x - 0x20*ones) &^ x
	del := x ^ 0x7f*ones
	isDel := (del - ones) &^ del
	return (below|isDel|x)&highs == 0
}

// textUnsafe reports whether TextSafe changes r.
func textUnsafe(r rune) bool {
	return r == '\u2028' || r == '\u2029' || isBidiControl(r) || unicode.IsControl(r) && r != '\n' && r != '\t'
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// MessageIDSafe returns id without angle brackets if it is a usable
// msg-id (RFC 5322 3.6.4: printable ASCII without space or specials
// around one "@"), or "" if it is not.
func MessageIDSafe(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" || len(id) > 250 || strings.Count(id, "@") != 1 || strings.HasPrefix(id, "@") || strings.HasSuffix(id, "@") {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`<>()[]\,;:"`, c) >= 0 {
			return ""
		}
	}
	return id
}
