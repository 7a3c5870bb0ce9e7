package mailtext

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
	"unicode/utf8"

	message "github.com/emersion/go-message"
)

// body is the readable text of an entity: its text/plain and text/html
// renderings. A multipart/alternative picks one of each; other multiparts
// join their inline parts in order.
type body struct {
	plain string
	html  string
}

type walker struct {
	m     *Message
	parts int
	// enclosed is how deep the walk is inside forwarded messages: what
	// goes wrong there concerns an enclosure, not the mail's own text.
	enclosed int
}

func (w *walker) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	w.m.Problems = append(w.m.Problems, p)
	if w.enclosed > 0 {
		w.m.EnclosureProblems = append(w.m.EnclosureProblems, p)
	}
}

// enclosureProblem notes a problem about an attachment or a forwarded
// message.
func (w *walker) enclosureProblem(format string, args ...any) {
	w.enclosed++
	w.problem(format, args...)
	w.enclosed--
}

// charsetProblem notes a part in a character set that cannot be decoded.
func (w *walker) charsetProblem(ct string, err error) {
	w.problem("%s part: %v", ct, err)
	if w.enclosed == 0 && w.m.UnknownCharset == "" {
		w.m.UnknownCharset = fmt.Sprintf("%s part: %v", ct, err)
	}
}

// limitError is a limit on the whole message passed: too deep, too many
// parts. Unlike other damage inside a forwarded message, it fails the
// message, since it is what hostile mail is made of.
type limitError struct{ reason string }

func (e *limitError) Error() string { return ErrMalformed.Error() + ": " + e.reason }
func (e *limitError) Unwrap() error { return ErrMalformed }

func (w *walker) walk(e *message.Entity, depth int) (body, error) {
	if depth > MaxDepth {
		return body{}, &limitError{fmt.Sprintf("MIME parts nested more than %d deep", MaxDepth)}
	}
	w.parts++
	if w.parts > MaxParts {
		return body{}, &limitError{fmt.Sprintf("more than %d MIME parts", MaxParts)}
	}
	ct, params, err := e.Header.ContentType()
	typed := err == nil && e.Header.Get("Content-Type") != ""
	if err != nil || ct == "" {
		ct = "text/plain" // RFC 2045 section 5.2: the default
	}
	if strings.HasPrefix(ct, "multipart/") {
		return w.multipart(e, ct, params["boundary"], depth)
	}
	return w.leaf(e, ct, params, typed, depth)
}

// multipart reads the parts of e. A missing final boundary (a truncated
// message) keeps the parts read so far; a "multipart" whose body has no
// boundary at all is read as the plain text it really is.
func (w *walker) multipart(e *message.Entity, ct, boundary string, depth int) (body, error) {
	// Keep the start of the body in case it turns out to have no parts;
	// the copy stops once a part is found, so memory stays bounded.
	preamble := &captureReader{r: e.Body, limit: maxPreamble}
	inner, err := message.New(e.Header, preamble)
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return body{}, fmt.Errorf("%w: %s: %v", ErrMalformed, ct, err)
	}
	mr := inner.MultipartReader()
	if mr == nil {
		return body{}, nil
	}
	var out body
	n := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			if n == 0 {
				if !preamble.full && (boundary == "" || !bytes.Contains(preamble.buf.Bytes(), []byte("--"+boundary))) {
					w.problem("%s without its boundary read as plain text", ct)
					return body{plain: validText(preamble.buf.Bytes())}, nil
				}
				return body{}, fmt.Errorf("%w: %s part 1: %v", ErrMalformed, ct, err)
			}
			w.problem("%s: parts after part %d skipped: %v", ct, n, err)
			break
		}
		if p == nil {
			break
		}
		if err != nil {
			if message.IsUnknownCharset(err) {
				w.charsetProblem(fmt.Sprintf("%s part %d", ct, n+1), err)
			} else {
				w.problem("%s part %d: %v", ct, n+1, err)
			}
		}
		n++
		preamble.stop()
		b, err := w.walk(p, depth+1)
		if err != nil {
			return body{}, err
		}
		if ct == "multipart/alternative" {
			// RFC 2046 section 5.1.4: the parts are the same content; keep
			// the first non-empty rendering of each kind.
			if strings.TrimSpace(out.plain) == "" {
				out.plain = b.plain
			}
			if out.html == "" {
				out.html = b.html
			}
			continue
		}
		out.plain = joinText(out.plain, b.plain)
		if out.html == "" {
			out.html = b.html
		}
	}
	return out, nil
}

func joinText(a, b string) string {
	switch {
	case strings.TrimSpace(b) == "":
		return a
	case strings.TrimSpace(a) == "":
		return b
	}
	return strings.TrimRight(a, "\r\n") + "\n\n" + b
}

// textFileTypes are the file name extensions of text attachments sent with
// a generic content type such as application/octet-stream.
var textFileTypes = map[string]string{
	".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
	".html": "text/html", ".htm": "text/html",
}

// leaf reads a part that is not a multipart. typed is false when the part
// had no (readable) Content-Type and ct is the default text/plain.
func (w *walker) leaf(e *message.Entity, ct string, params map[string]string, typed bool, depth int) (body, error) {
	disp, dparams, _ := e.Header.ContentDisposition()
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = decodeWord(filename)
	if ct == "application/octet-stream" && filename != "" {
		if t, ok := textFileTypes[strings.ToLower(path.Ext(filename))]; ok {
			ct = t
		}
	}
	if isWordFile(ct, typed, filename) {
		w.word(e, ct, filename)
		return body{}, nil
	}
	switch ct {
	case "message/rfc822", "message/global":
		return body{}, w.forwarded(e, ct, depth)
	case "message/delivery-status", "message/disposition-notification":
		return body{}, nil // reports are not the sender's text
	}
	if !strings.HasPrefix(ct, "text/") {
		// Not read, but named, so that the engine can decide about
		// attachments it will not open (archives, executables).
		w.m.Unread = append(w.m.Unread, Part{ContentType: ct, Filename: filename})
		return body{}, nil
	}
	raw, err := io.ReadAll(io.LimitReader(e.Body, MaxTextBytes+1))
	if err != nil {
		var corrupt base64.CorruptInputError
		switch {
		case message.IsUnknownCharset(err):
			w.charsetProblem(ct, err)
		case errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &corrupt):
			w.problem("%s part is cut short", ct) // a truncated message: keep what arrived
		default:
			return body{}, fmt.Errorf("%w: read %s part: %v", ErrMalformed, ct, err)
		}
	}
	if len(raw) > MaxTextBytes {
		w.problem("%s part longer than %d bytes was cut", ct, MaxTextBytes)
		raw = raw[:MaxTextBytes]
	}
	text := validText(raw)
	if ct == "text/plain" && strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	if disp == "attachment" || (filename != "" && disp != "inline") {
		if ct == "text/html" {
			text = HTMLToText(text)
		}
		w.m.Attachments = append(w.m.Attachments, Attachment{Filename: filename, ContentType: ct, Text: text})
		return body{}, nil
	}
	switch ct {
	case "text/html":
		return body{html: text}, nil
	case "text/plain", "text/markdown", "text/x-markdown", "text/enriched":
		return body{plain: text}, nil
	}
	return body{}, nil // text/calendar, text/csv, text/rfc822-headers…: not prose
}

// validText returns b as a string with invalid UTF-8 (a lying charset
// label) replaced, so that no later stage has to care.
func validText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func decodeWord(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// maxPreamble bounds how much of a multipart body is kept in case it has
// no parts.
const maxPreamble = 1 << 20

// captureReader copies what is read through it, up to limit bytes, until
// stopped.
type captureReader struct {
	r       io.Reader
	buf     bytes.Buffer
	limit   int
	full    bool // more than limit bytes went past
	stopped bool
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if !c.stopped && n > 0 {
		if c.buf.Len()+n > c.limit {
			c.full, c.stopped = true, true
		} else {
			c.buf.Write(p[:n])
		}
	}
	return n, err
}

func (c *captureReader) stop() {
	c.stopped = true
	c.buf = bytes.Buffer{}
}
