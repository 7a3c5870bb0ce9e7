// Package mailtext turns a raw RFC 5322 message of any MIME shape into the
// headers mailflow needs and the readable text of its body and
// attachments. It is the only place that knows about charsets, transfer
// encodings, HTML, Word files (through package docx) and attached
// messages.
package mailtext

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	message "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 charsets (PITFALLS: without it iso-8859-1 fails)
	gomail "github.com/emersion/go-message/mail"

	"mailflow/mailflow"
)

// Limits against hostile input. A message that exceeds them is not parsed
// further and the caller records why.
const (
	MaxParts      = 500
	MaxDepth      = 20
	MaxHeaderSize = 256 << 10
	MaxTextBytes  = 4 << 20 // decoded text kept per part
)

// ErrMalformed wraps every reason a message could not be read at all.
var ErrMalformed = errors.New("malformed message")

// Message is what mailflow reads from one mail.
type Message struct {
	Header     message.Header
	MessageID  string // without angle brackets
	From       mailflow.Person
	To         []mailflow.Person
	Cc         []mailflow.Person
	ReplyTo    []mailflow.Person
	Subject    string
	Date       time.Time
	InReplyTo  []string
	References []string
	Text       string // the body as text: text/plain if present, else converted HTML
	HTML       string // the first text/html part, raw, when there is one
	// TextFromHTML is true when there was no plain-text body and Text is
	// the HTML part converted.
	TextFromHTML bool
	Attachments  []Attachment
	// Unread are the parts not read: images, archives, …, and Word files
	// that could not be (a problem says why).
	Unread   []Part
	Problems []string // non-fatal oddities, e.g. an undecodable part skipped
	// UnknownCharset is the problem of the first part of the mail's own
	// text (not of an attachment or forwarded message) in a character set
	// mailflow cannot decode, "" when there is none: such a mail cannot be
	// read reliably.
	UnknownCharset string
	// EnclosureProblems are the Problems about attached files and
	// forwarded messages: what could not be read beyond the mail's own
	// text, for its sender to hear about.
	EnclosureProblems []string
}

// Part names a MIME part that was not read.
type Part struct {
	ContentType string
	Filename    string
}

// Attachment is a text part sent as a file (minutes as .txt, .md or .html),
// a Word .docx file, or an attached message (ContentType message/rfc822,
// Filename its subject). Text is readable text: HTML is already converted,
// a .docx read by docx.Read (headings, lists, pipe tables), and an attached
// message's text starts with its From, Date and Subject lines; its own
// attachments follow it as further Attachments.
type Attachment struct {
	Filename    string
	ContentType string
	Text        string
}

// Get returns a header field's value, decoded.
func (m *Message) Get(key string) string {
	v, err := (&gomail.Header{Header: m.Header}).Text(key)
	if err != nil {
		return m.Header.Get(key)
	}
	return v
}

// Read parses a raw message. Damage that real mail often has — an mbox
// "From " line, no blank line after the header, a missing final boundary,
// an unknown charset — is repaired or skipped and noted in Problems; what
// cannot be read at all is an error wrapping ErrMalformed.
func Read(raw []byte) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrMalformed)
	}
	raw, repairs := repair(raw)
	ent, err := message.ReadWithOptions(bytes.NewReader(raw), &message.ReadOptions{MaxHeaderBytes: MaxHeaderSize})
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: read header: %v", ErrMalformed, err)
	}
	if ent == nil {
		return nil, fmt.Errorf("%w: no header", ErrMalformed)
	}
	m := &Message{Header: ent.Header, Problems: repairs}
	if err != nil {
		m.Problems = append(m.Problems, err.Error())
		if message.IsUnknownCharset(err) {
			m.UnknownCharset = err.Error()
		}
	}
	m.readHeader()
	w := walker{m: m}
	b, err := w.walk(ent, 0)
	if err != nil {
		return nil, err
	}
	m.HTML = b.html
	if strings.TrimSpace(b.plain) != "" {
		m.Text = b.plain
	} else if b.html != "" {
		m.Text = HTMLToText(b.html)
		m.TextFromHTML = true
	}
	return m, nil
}

func (m *Message) readHeader() {
	h := gomail.Header{Header: m.Header}
	m.MessageID = strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")
	m.Subject = m.Get("Subject")
	if d, err := parseDate(m.Header.Get("Date")); err == nil {
		m.Date = d
	}
	m.From = firstPerson(h, "From")
	m.To = persons(h, "To")
	m.Cc = persons(h, "Cc")
	m.ReplyTo = persons(h, "Reply-To")
	m.InReplyTo = msgIDs(m.Header.Get("In-Reply-To"))
	m.References = msgIDs(m.Header.Get("References"))
}

func persons(h gomail.Header, key string) []mailflow.Person {
	as, err := h.AddressList(key)
	if err != nil {
		// A broken address list still often holds usable addresses; fall
		// back to the lenient standard library parser per comma piece.
		var ps []mailflow.Person
		for _, part := range strings.Split(h.Get(key), ",") {
			if a, err := mail.ParseAddress(strings.TrimSpace(part)); err == nil {
				ps = append(ps, mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)})
			}
		}
		return ps
	}
	ps := make([]mailflow.Person, 0, len(as))
	for _, a := range as {
		ps = append(ps, mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)})
	}
	return ps
}

func firstPerson(h gomail.Header, key string) mailflow.Person {
	if ps := persons(h, key); len(ps) > 0 {
		return ps[0]
	}
	return mailflow.Person{}
}

// msgIDs splits an In-Reply-To or References value into bare ids.
func msgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if len(ids) == 0 {
		ids = append(ids, strings.Fields(v)...)
	}
	return ids
}

// parseDate reads a Date header. The form nearly every mailer writes is
// tried first: net/mail.ParseDate tries its layouts in turn, a dozen and
// more before that one, and each miss allocates an error (~70 allocations
// a message). Anything else goes to net/mail, comments, obsolete zones
// and all.
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse("Mon, 2 Jan 2006 15:04:05 -0700", v); err == nil {
		return t, nil
	}
	return mail.ParseDate(v)
}
