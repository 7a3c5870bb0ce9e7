package engine_test

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"testing"

	_ "github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
)

type mimeDecoder = mime.WordDecoder

// textPart returns the decoded text/plain part of a message.
func textPart(t *testing.T, raw []byte) string {
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
			if ct, _, _ := h.ContentType(); strings.HasPrefix(ct, "text/plain") {
				b, _ := io.ReadAll(p.Body)
				return string(b)
			}
		}
	}
	t.Fatal("no text/plain part")
	return ""
}
