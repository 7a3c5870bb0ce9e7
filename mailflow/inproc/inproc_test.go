package inproc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// waitLimit bounds every wait for the servers; they answer in
// milliseconds, so reaching it is a failure, not slowness.
const waitLimit = 5 * time.Second

const sample = "From: Priya <priya@x.example>\r\nTo: ehr@x.example\r\nSubject: Minutes\r\n\r\nACTION: Bob to call\r\n"

func startIMAP(t *testing.T) *IMAP {
	t.Helper()
	s, err := StartIMAP("mailflow", "secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// dial connects a client, with handler for unilateral data (or nil).
func dial(t *testing.T, s *IMAP, handler *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, &imapclient.Options{UnilateralDataHandler: handler})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestIMAPLogin(t *testing.T) {
	s := startIMAP(t)
	if err := dial(t, s, nil).Login("mailflow", "secret").Wait(); err != nil {
		t.Errorf("login with the right password: %v", err)
	}
	if err := dial(t, s, nil).Login("mailflow", "wrong").Wait(); err == nil {
		t.Error("login with a wrong password succeeded")
	}
	if err := dial(t, s, nil).Login("someone", "secret").Wait(); err == nil {
		t.Error("login as another user succeeded")
	}
}

// Append delivers into a mailbox, Count and Seen read it back as a client
// would see it.
func TestIMAPAppendCountSeen(t *testing.T) {
	s := startIMAP(t)
	for range 2 {
		if err := s.Append("INBOX", []byte(sample)); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := s.Append("Missing", []byte(sample)); err == nil {
		t.Error("Append to a mailbox that does not exist succeeded")
	}
	if n, err := s.Count("INBOX"); err != nil || n != 2 {
		t.Errorf("Count(INBOX) = %d, %v; want 2", n, err)
	}
	if n, err := s.Count("Missing"); err != nil || n != 0 {
		t.Errorf("Count(Missing) = %d, %v; want 0 and no error", n, err)
	}
	if n, err := s.Seen("INBOX"); err != nil || n != 0 {
		t.Errorf("Seen(INBOX) = %d, %v; want 0", n, err)
	}

	// A client reads the first message with BODY[] (not PEEK), which
	// marks it \Seen; the other stays unseen.
	c := dial(t, s, nil)
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("fetch: %d messages, %v", len(msgs), err)
	}
	if got := string(msgs[0].FindBodySection(&imap.FetchItemBodySection{})); got != sample {
		t.Errorf("fetched %q, want the appended %q", got, sample)
	}
	if n, err := s.Seen("INBOX"); err != nil || n != 1 {
		t.Errorf("Seen(INBOX) after reading one = %d, %v; want 1", n, err)
	}
}

// Mail appended between a client's last command and its IDLE is reported
// as soon as the IDLE starts, as Dovecot does, not at the next command.
func TestIMAPIdleReportsMailAppendedBeforeIt(t *testing.T) {
	s := startIMAP(t)
	exists := make(chan uint32, 10)
	c := dial(t, s, &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			exists <- *d.NumMessages
		}
	}})
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("INBOX", []byte(sample)); err != nil { // on another connection
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("IDLE reported %d messages, want 1", n)
		}
	case <-time.After(waitLimit):
		t.Fatalf("IDLE reported nothing in %s about the mail appended before it", waitLimit)
	}
}

func TestIMAPClose(t *testing.T) {
	s, err := StartIMAP("mailflow", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c, err := imapclient.DialInsecure(s.Addr, nil); err == nil {
		c.Close()
		t.Error("the server still accepts connections after Close")
	}
}

func startSMTP(t *testing.T, dir string) *SMTP {
	t.Helper()
	s, err := StartSMTP(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// send delivers raw over SMTP, signing in first when auth is not nil.
func send(addr string, auth sasl.Client, from string, to []string, raw string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, to, strings.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// The server keeps each message with its envelope, reads its headers
// (folded, encoded, any case) and writes it to the directory by kind and
// recipient.
func TestSMTPKeepsWhatItReceives(t *testing.T) {
	dir := t.TempDir()
	s := startSMTP(t, dir)
	raw := "From: mailflow@x.example\r\nTo: bob@x.example\r\nSubject: =?utf-8?q?Minutes_=E2=80=93_EHR?=\r\n" +
		"X-Mailflow-Kind: minutes\r\nReferences: <a@x>\r\n <b@x>\r\n\r\nHello Bob\r\n"
	if err := send(s.Addr, nil, "mailflow@x.example", []string{"bob@x.example", "carol@x.example"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := s.WaitFor(1, waitLimit)
	if len(got) != 1 {
		t.Fatalf("received %d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "mailflow@x.example" || strings.Join(r.To, ",") != "bob@x.example,carol@x.example" {
		t.Errorf("envelope %s → %v, want mailflow@x.example → [bob@x.example carol@x.example]", r.From, r.To)
	}
	if string(r.Data) != raw {
		t.Errorf("data %q, want %q", r.Data, raw)
	}
	for _, c := range []struct{ key, want string }{
		{"x-mailflow-kind", "minutes"},
		{"References", "<a@x> <b@x>"},
		{"Subject", "=?utf-8?q?Minutes_=E2=80=93_EHR?="},
		{"Cc", ""},
	} {
		if v := r.Header(c.key); v != c.want {
			t.Errorf("Header(%q) = %q, want %q", c.key, v, c.want)
		}
	}
	if v := r.Decoded("Subject"); v != "Minutes – EHR" {
		t.Errorf("Decoded(Subject) = %q, want %q", v, "Minutes – EHR")
	}
	file := filepath.Join(dir, "01-minutes-bob_x.example.eml")
	if b, err := os.ReadFile(file); err != nil || string(b) != raw {
		t.Errorf("%s holds %q (%v), want the message", file, b, err)
	}
}

// WaitFor returns what arrived once its time is up, without blocking on.
func TestSMTPWaitForGivesUp(t *testing.T) {
	s := startSMTP(t, "")
	start := time.Now()
	if got := s.WaitFor(1, 50*time.Millisecond); len(got) != 0 {
		t.Errorf("WaitFor on an idle server returned %d messages", len(got))
	}
	if took := time.Since(start); took < 50*time.Millisecond || took > waitLimit {
		t.Errorf("WaitFor(1, 50ms) returned after %s", took)
	}
}

func TestSMTPRejectAndDrop(t *testing.T) {
	s := startSMTP(t, "")
	s.Reject = func(r Received) error {
		if strings.Contains(string(r.Data), "reject me") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}
	s.Drop = func(r Received) bool { return strings.Contains(string(r.Data), "drop me") }

	err := send(s.Addr, nil, "a@x", []string{"b@x"}, "Subject: x\r\n\r\nreject me\r\n")
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("a rejected message: %v, want the 550 Reject returned", err)
	}
	if err := send(s.Addr, nil, "a@x", []string{"b@x"}, "Subject: x\r\n\r\ndrop me\r\n"); err == nil {
		t.Error("a dropped message was acknowledged")
	} else if errors.As(err, &se) {
		t.Errorf("a dropped message got the SMTP reply %v, want the connection closed without one", se)
	}
	if n := len(s.Received()); n != 0 {
		t.Errorf("kept %d rejected or dropped messages, want none", n)
	}
	if err := send(s.Addr, nil, "a@x", []string{"b@x"}, "Subject: x\r\n\r\nkeep me\r\n"); err != nil {
		t.Errorf("an ordinary message after them: %v", err)
	}
	if n := len(s.WaitFor(1, waitLimit)); n != 1 {
		t.Errorf("kept %d messages, want 1", n)
	}
}

// With a username and password set, mail needs AUTH PLAIN with them.
func TestSMTPAuth(t *testing.T) {
	s := startSMTP(t, "")
	s.Username, s.Password = "mailflow", "secret"
	var se *smtp.SMTPError
	if err := send(s.Addr, nil, "a@x", []string{"b@x"}, "Subject: x\r\n\r\nx\r\n"); !errors.As(err, &se) || se.Code != 530 {
		t.Errorf("mail without AUTH: %v, want 530", err)
	}
	if err := send(s.Addr, sasl.NewPlainClient("", "mailflow", "wrong"), "a@x", []string{"b@x"}, "Subject: x\r\n\r\nx\r\n"); !errors.As(err, &se) || se.Code != 535 {
		t.Errorf("AUTH with a wrong password: %v, want 535", err)
	}
	if err := send(s.Addr, sasl.NewPlainClient("", "mailflow", "secret"), "a@x", []string{"b@x"}, "Subject: x\r\n\r\nx\r\n"); err != nil {
		t.Errorf("AUTH with the password: %v", err)
	}
	if n := len(s.WaitFor(1, waitLimit)); n != 1 {
		t.Errorf("kept %d messages, want the authenticated one", n)
	}
}

func TestSMTPClose(t *testing.T) {
	s, err := StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c, err := smtp.Dial(s.Addr); err == nil {
		c.Close()
		t.Error("the server still accepts connections after Close")
	}
}
