// Package mailtext turns a raw RFC 5322 message of any MIME shape into the
// headers mailflow needs and the readable text of its body. It is the only
// place that knows about charsets, transfer encodings and HTML.
package mailtext

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
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
	Header      message.Header
	MessageID   string // without angle brackets
	From        mailflow.Person
	To          []mailflow.Person
	Cc          []mailflow.Person
	ReplyTo     []mailflow.Person
	Subject     string
	Date        time.Time
	InReplyTo   []string
	References  []string
	Text        string // the body as text: text/plain if present, else converted HTML
	HTML        string // the first text/html part, raw, when there is one
	Attachments []Attachment
	Problems    []string // non-fatal oddities, e.g. an undecodable part skipped
}

// Attachment is a text part sent as a file (minutes as .txt, .md or .html).
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

// Read parses a raw message.
func Read(raw []byte) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrMalformed)
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ent == nil {
		return nil, fmt.Errorf("%w: no header", ErrMalformed)
	}
	m := &Message{Header: ent.Header}
	if err != nil {
		m.Problems = append(m.Problems, err.Error())
	}
	if err := m.readHeader(); err != nil {
		return nil, err
	}
	w := walker{m: m}
	if err := w.walk(ent, 0); err != nil {
		return nil, err
	}
	switch {
	case w.plain != "":
		m.Text = w.plain
	case m.HTML != "":
		m.Text = HTMLToText(m.HTML)
	}
	return m, nil
}

func (m *Message) readHeader() error {
	size := 0
	fields := m.Header.Fields()
	for fields.Next() {
		size += len(fields.Key()) + len(fields.Value())
	}
	if size > MaxHeaderSize {
		return fmt.Errorf("%w: header is %d bytes (limit %d)", ErrMalformed, size, MaxHeaderSize)
	}
	h := gomail.Header{Header: m.Header}
	m.MessageID = strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")
	m.Subject = m.Get("Subject")
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	m.From = firstPerson(h, "From")
	m.To = persons(h, "To")
	m.Cc = persons(h, "Cc")
	m.ReplyTo = persons(h, "Reply-To")
	m.InReplyTo = msgIDs(m.Header.Get("In-Reply-To"))
	m.References = msgIDs(m.Header.Get("References"))
	return nil
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
		for _, f := range strings.Fields(v) {
			ids = append(ids, f)
		}
	}
	return ids
}

type walker struct {
	m     *Message
	parts int
	plain string
}

func (w *walker) walk(e *message.Entity, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: MIME parts nested more than %d deep", ErrMalformed, MaxDepth)
	}
	w.parts++
	if w.parts > MaxParts {
		return fmt.Errorf("%w: more than %d MIME parts", ErrMalformed, MaxParts)
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if p == nil {
				return nil
			}
			if err != nil {
				w.m.Problems = append(w.m.Problems, err.Error())
			}
			if err := w.walk(p, depth+1); err != nil {
				return err
			}
		}
	}
	ct, params, err := e.Header.ContentType()
	if err != nil || ct == "" {
		ct = "text/plain"
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	if ct == "message/rfc822" || ct == "message/delivery-status" || ct == "message/disposition-notification" {
		return nil // forwarded mail and reports are not the sender's text
	}
	if !strings.HasPrefix(ct, "text/") {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(e.Body, MaxTextBytes+1))
	if err != nil {
		if message.IsUnknownCharset(err) {
			w.m.Problems = append(w.m.Problems, err.Error())
		} else {
			return fmt.Errorf("%w: read %s part: %v", ErrMalformed, ct, err)
		}
	}
	if len(body) > MaxTextBytes {
		w.m.Problems = append(w.m.Problems, fmt.Sprintf("%s part longer than %d bytes was cut", ct, MaxTextBytes))
		body = body[:MaxTextBytes]
	}
	text := string(body)
	if ct == "text/plain" && strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	isAttachment := disp == "attachment" || (filename != "" && disp != "inline")
	switch {
	case isAttachment:
		if ct == "text/html" {
			text = HTMLToText(text)
		}
		w.m.Attachments = append(w.m.Attachments, Attachment{Filename: decodeWord(filename), ContentType: ct, Text: text})
	case ct == "text/html":
		if w.m.HTML == "" {
			w.m.HTML = text
		}
	case ct == "text/plain" || ct == "text/markdown" || ct == "text/x-markdown":
		if w.plain == "" {
			w.plain = text
		}
	}
	return nil
}

func decodeWord(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// unflow joins format=flowed soft line breaks (RFC 3676 section 4.2): a line
// ending in a space continues on the next line, unless it is the signature
// separator "-- ".
func unflow(s string, delsp bool) string {
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), MaxTextBytes)
	var para strings.Builder
	flush := func() {
		out.WriteString(para.String())
		out.WriteByte('\n')
		para.Reset()
	}
	open := false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		quote := len(line) - len(strings.TrimLeft(line, ">"))
		content := line[quote:]
		if strings.HasPrefix(content, " ") {
			content = content[1:] // space-stuffing
		}
		if open && quote == 0 {
			// continuation of a flowed line
		} else if open {
			flush()
			open = false
		}
		if !open && quote > 0 {
			para.WriteString(strings.Repeat(">", quote) + " ")
		}
		if content != "-- " && strings.HasSuffix(content, " ") {
			if delsp {
				content = content[:len(content)-1]
			}
			para.WriteString(content)
			open = true
			continue
		}
		para.WriteString(content)
		flush()
		open = false
	}
	if open {
		flush()
	}
	return out.String()
}
