package mailtext

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	message "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"mailflow/mailflow/docx"
)

// DocxType is the content type of a Word .docx file.
const DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// isWordFile reports whether a part is a Word file to open: sent as one,
// or as a generic type (or none) with a Word file name. A Word 97-2003
// .doc is opened too, only so that the problem can say it is one.
func isWordFile(ct string, typed bool, filename string) bool {
	switch ct {
	case DocxType, "application/msword":
		return true
	case "application/octet-stream":
	default:
		if typed {
			return false
		}
	}
	ext := strings.ToLower(path.Ext(filename))
	return ext == ".docx" || ext == ".doc"
}

// word reads a Word attachment into an Attachment. One that cannot be
// read stays in Unread with a problem naming the file and the reason;
// the rest of the message is read as usual.
func (w *walker) word(e *message.Entity, ct, filename string) {
	name := filename
	if name == "" {
		name = "unnamed Word file"
	}
	text, err := readWord(e.Body)
	switch {
	case err == nil && strings.TrimSpace(text) == "":
		err = errors.New("the document has no text")
	case errors.Is(err, docx.ErrTextCut):
		w.enclosureProblem("attachment %q: %v", name, err)
		err = nil
	}
	if err != nil {
		w.enclosureProblem("attachment %q not read: %v", name, err)
		w.m.Unread = append(w.m.Unread, Part{ContentType: ct, Filename: filename})
		return
	}
	w.m.Attachments = append(w.m.Attachments, Attachment{Filename: filename, ContentType: DocxType, Text: text})
}

// readWord reads a Word file's bytes, bounded by docx.MaxFileBytes, and
// its text.
func readWord(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, docx.MaxFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("read the part: %w", err)
	}
	return docx.Read(data)
}

// forwarded reads an attached message (message/rfc822, or message/global
// with UTF-8 headers, RFC 6532 section 3.7): minutes forwarded "as
// attachment". Its body becomes one Attachment, headed by its From, Date
// and Subject as a mail client shows a forwarded message, and its own
// attachments become further Attachments after it. The message limits
// count its parts and nesting; past them the whole message fails. Other
// damage in it leaves it unread with a problem.
func (w *walker) forwarded(e *message.Entity, ct string, depth int) error {
	inner, err := message.ReadWithOptions(e.Body, &message.ReadOptions{MaxHeaderBytes: MaxHeaderSize})
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		w.enclosureProblem("forwarded message not read: %v", err)
		return nil
	}
	if err != nil {
		w.enclosureProblem("forwarded message: %v", err)
	}
	h := gomail.Header{Header: inner.Header}
	name, _ := h.Text("Subject")
	if name = strings.TrimSpace(name); name == "" {
		name = "forwarded message"
	}
	// The forwarded text goes before the attachments the walk adds.
	slot, unread := len(w.m.Attachments), len(w.m.Unread)
	w.m.Attachments = append(w.m.Attachments, Attachment{Filename: name, ContentType: ct})
	w.enclosed++
	b, err := w.walk(inner, depth+1)
	w.enclosed--
	if err != nil {
		w.m.Attachments, w.m.Unread = w.m.Attachments[:slot], w.m.Unread[:unread]
		var limit *limitError
		if errors.As(err, &limit) {
			return err
		}
		w.enclosureProblem("forwarded message %q not read: %v", name, err)
		return nil
	}
	text := forwardedText(b)
	if strings.TrimSpace(text) == "" {
		w.m.Attachments = append(w.m.Attachments[:slot], w.m.Attachments[slot+1:]...)
		return nil
	}
	w.m.Attachments[slot].Text = forwardedHeader(h) + text
	return nil
}

// forwardedText is a forwarded message's body as text: its plain text,
// unless only the HTML keeps its tables (a text/plain alternative flattens
// a table into loose lines; the minutes parser makes the same choice for a
// message's own body).
func forwardedText(b body) string {
	switch {
	case strings.TrimSpace(b.plain) == "":
		if b.html == "" {
			return ""
		}
		return HTMLToText(b.html)
	case b.html != "" && strings.Contains(strings.ToLower(b.html), "<table") && !hasPipeRow(b.plain):
		return HTMLToText(b.html)
	}
	return b.plain
}

// hasPipeRow reports whether text has a "| a | b |" table row.
func hasPipeRow(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 3 {
			return true
		}
	}
	return false
}

// forwardedHeader writes the lines a mail client puts above a forwarded
// message's text: From, Date and Subject, decoded, then a blank line.
func forwardedHeader(h gomail.Header) string {
	var b strings.Builder
	for _, key := range []string{"From", "Date", "Subject"} {
		v, err := h.Text(key)
		if err != nil {
			v = h.Get(key)
		}
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			b.WriteString(key + ": " + v + "\n")
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}
