package dovecottest_test

import (
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailflow/mailflow/internal/dovecottest"
)

func msg(n int) []byte {
	return fmt.Appendf(nil, "From: a@example.org\r\nTo: b@example.org\r\nSubject: test %d\r\nMessage-ID: <%d@example.org>\r\n\r\nbody %d\r\n", n, n, n)
}

func TestServer(t *testing.T) {
	s := dovecottest.Start(t)

	if uid := s.Append("INBOX", msg(1)); uid != 1 {
		t.Errorf("Append = uid %d, want 1", uid)
	}
	if err := s.Deliver("INBOX", msg(2), msg(3)); err != nil {
		t.Fatal(err)
	}
	if got := s.Count("INBOX"); got != 3 {
		t.Errorf("Count(INBOX) = %d, want 3", got)
	}
	ms := s.Messages("INBOX")
	if len(ms) != 3 {
		t.Fatalf("Messages(INBOX) = %d messages, want 3", len(ms))
	}
	for _, m := range ms {
		if m.Has(imap.FlagSeen) {
			t.Errorf("uid %d is \\Seen after a BODY.PEEK[] read", m.UID)
		}
	}
	if got := s.Count("Nowhere"); got != 0 {
		t.Errorf("Count(Nowhere) = %d, want 0", got)
	}

	s.Append("Projects/EHR", msg(4))
	uv := s.UIDValidity("Projects/EHR")
	s.DeleteAndRecreate("Projects/EHR")
	if got := s.UIDValidity("Projects/EHR"); got == uv {
		t.Errorf("UIDVALIDITY unchanged (%d) after delete and re-create", got)
	}
	if got := s.Count("Projects/EHR"); got != 1 {
		t.Errorf("Count(Projects/EHR) after re-create = %d, want 1", got)
	}

	// Implicit TLS and STARTTLS against the generated CA.
	c, err := imapclient.DialTLS(s.TLSAddr, &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatalf("DialTLS: %v", err)
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		t.Errorf("login over TLS: %v", err)
	}
	c.Close()
	c, err = imapclient.DialStartTLS(s.Addr, &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatalf("DialStartTLS: %v", err)
	}
	c.Close()
	if _, err := imapclient.DialTLS(s.TLSAddr, &imapclient.Options{TLSConfig: &tls.Config{}}); err == nil {
		t.Errorf("DialTLS without the CA succeeded, want a certificate error")
	}

	// Restart keeps the mail and the ports.
	s.Stop()
	if s.Running() {
		t.Fatal("Running after Stop")
	}
	if _, err := s.Dial(); err == nil {
		t.Fatal("Dial succeeded while stopped")
	}
	s.Start()
	if got := s.Count("INBOX"); got != 3 {
		t.Errorf("Count(INBOX) after restart = %d, want 3", got)
	}
}

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s := dovecottest.Start(b)
		s.Stop()
	}
}
