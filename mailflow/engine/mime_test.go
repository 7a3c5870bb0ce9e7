package engine_test

import (
	"bytes"
	"io"
	"mime"
	"testing"

	_ "github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
)

type mimeDecoder = mime.WordDecoder

// textPart returns the decoded text/plain part of a message.
func textPart(t *testing.T, raw []byte) string {
	t.Helper()
	return partOf(t, raw, "text/plain")
}

// partOf returns the first decoded inline part of content type ct.
func partOf(t *testing.T, raw []byte, ct string) string {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		if h, ok := p.Header.(*gomail.InlineHeader); ok {
			if got, _, _ := h.ContentType(); got == ct {
				b, _ := io.ReadAll(p.Body)
				return string(b)
			}
		}
	}
	t.Fatalf("no %s part", ct)
	return ""
}
