// Package inproc runs real IMAP and SMTP servers inside the process, on
// loopback ports: go-imap's in-memory server and a go-smtp server that keeps
// what it receives. The demo and the end-to-end tests run mailflow against
// them, so every byte still goes over a socket.
package inproc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// IMAP is an in-memory IMAP server with one user.
type IMAP struct {
	Addr     string
	Username string
	Password string
	server   *imapserver.Server
	ln       net.Listener
	user     *imapmemserver.User
}

// imapSession is imapmemserver's session for our one user, except that
// IDLE first sends what changed since the session's last command. The
// in-memory server otherwise keeps such a change (mail appended between a
// client's last command and its IDLE) until the next one, and a client
// idling on it would not hear of that mail until its next poll; Dovecot
// sends it at once.
type imapSession struct {
	*imapmemserver.UserSession // nil until login
	user                       *imapmemserver.User
}

func (s *imapSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *imapSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.UserSession.Poll(w, true); err != nil {
		return err
	}
	return s.UserSession.Idle(w, stop)
}

// StartIMAP starts an IMAP server on 127.0.0.1 with one user and an INBOX.
func StartIMAP(username, password string) (*IMAP, error) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(username, password)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, err
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{user: user}, nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {},
		},
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(ln) //nolint:errcheck // returns when Close closes the listener
	return &IMAP{Addr: ln.Addr().String(), Username: username, Password: password, server: srv, ln: ln, user: user}, nil
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// Close stops the server. It closes the listener itself too: the server
// closes only the listeners its Serve has registered, and Close may run
// before the goroutine running Serve has started, when the listener would
// stay open, accepting connections nobody serves.
func (s *IMAP) Close() error {
	err := s.server.Close()
	s.ln.Close() //nolint:errcheck // already closed by the server unless Serve had not started
	return err
}

// client logs in a fresh client.
func (s *IMAP) client() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.Addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Append puts a message into mailbox, as a mail server delivering it would.
func (s *IMAP) Append(mailbox string, raw []byte) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	defer c.Close()
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err = cmd.Wait()
	return err
}

// Count returns how many messages mailbox holds (0 if it does not exist).
func (s *IMAP) Count(mailbox string) (int, error) {
	c, err := s.client()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	d, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeNonExistent {
			return 0, nil
		}
		return 0, err
	}
	return int(*d.NumMessages), nil
}

// Seen reports how many messages in mailbox carry \Seen.
func (s *IMAP) Seen(mailbox string) (int, error) {
	c, err := s.client()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, err
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, err
	}
	return len(d.AllUIDs()), nil
}

// Received is one message the SMTP server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Header returns the value of a header field of the message (first one).
func (r Received) Header(key string) string {
	hdr, _, _ := bytes.Cut(r.Data, []byte("\r\n\r\n"))
	var cur string
	var val strings.Builder
	found := false
	for _, line := range strings.Split(string(hdr), "\r\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if found && strings.EqualFold(cur, key) {
				val.WriteString(" " + strings.TrimSpace(line))
			}
			continue
		}
		if found && strings.EqualFold(cur, key) {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		cur = k
		if strings.EqualFold(k, key) {
			found = true
			val.WriteString(strings.TrimSpace(v))
		}
	}
	return strings.TrimSpace(val.String())
}

// Decoded returns a header field with RFC 2047 encoded-words decoded.
func (r Received) Decoded(key string) string {
	v := r.Header(key)
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return strings.TrimSpace(d)
	}
	return strings.TrimSpace(v)
}

// SMTP is an SMTP server that accepts all mail and keeps it, optionally
// writing each message to a directory as an .eml file.
type SMTP struct {
	Addr   string
	server *smtp.Server
	ln     net.Listener

	mu       sync.Mutex
	received []Received
	dir      string
	wait     chan struct{}
	// Reject, when set, is consulted for each message; a non-nil error is
	// returned to the client (use *smtp.SMTPError for a specific code).
	Reject func(Received) error
	// Drop, when set and true for a message, closes the connection after
	// its DATA without any reply: the client cannot know if it was taken.
	// A dropped message is not counted as received.
	Drop func(Received) bool
	// Username and Password, when set, require AUTH PLAIN.
	Username, Password string
}

// StartSMTP starts an SMTP server on 127.0.0.1. If dir is not "", every
// accepted message is written there as NN-<kind>-<recipient>.eml.
func StartSMTP(dir string) (*SMTP, error) {
	s := &SMTP{dir: dir, wait: make(chan struct{})}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 50 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = discardSMTPLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(ln) //nolint:errcheck // returns when Close closes the listener
	s.Addr = ln.Addr().String()
	s.server = srv
	s.ln = ln
	return s, nil
}

type discardSMTPLogger struct{}

func (discardSMTPLogger) Printf(string, ...any) {}
func (discardSMTPLogger) Println(...any)        {}

// Close stops the server, and closes its listener for the reason IMAP.Close
// does.
func (s *SMTP) Close() error {
	err := s.server.Close()
	s.ln.Close() //nolint:errcheck // already closed by the server unless Serve had not started
	return err
}

// Received returns a copy of everything accepted so far.
func (s *SMTP) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// WaitFor waits until at least n messages were received or d passes.
func (s *SMTP) WaitFor(n int, d time.Duration) []Received {
	deadline := time.After(d)
	for {
		s.mu.Lock()
		got := len(s.received)
		ch := s.wait
		s.mu.Unlock()
		if got >= n {
			return s.Received()
		}
		select {
		case <-ch:
		case <-deadline:
			return s.Received()
		}
	}
}

var reUnsafe = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

func (s *SMTP) keep(r Received) error {
	if s.Reject != nil {
		if err := s.Reject(r); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
	close(s.wait)
	s.wait = make(chan struct{})
	if s.dir == "" {
		return nil
	}
	kind := r.Header("X-Mailflow-Kind")
	if kind == "" {
		kind = "mail"
	}
	to := "unknown"
	if len(r.To) > 0 {
		to = r.To[0]
	}
	name := fmt.Sprintf("%02d-%s-%s.eml", len(s.received), kind, reUnsafe.ReplaceAllString(to, "_"))
	return os.WriteFile(filepath.Join(s.dir, name), r.Data, 0o644)
}

// NewSession implements smtp.Backend.
func (s *SMTP) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{srv: s, conn: c}, nil }

type session struct {
	srv  *SMTP
	conn *smtp.Conn
	from string
	to   []string
	auth bool
}

func (se *session) AuthMechanisms() []string {
	if se.srv.Username == "" {
		return nil
	}
	return []string{"PLAIN"}
}

func (se *session) Auth(mech string) (saslServer, error) {
	return newPlainServer(func(identity, username, password string) error {
		if username != se.srv.Username || password != se.srv.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		se.auth = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.srv.Username != "" && !se.auth {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec := Received{From: se.from, To: se.to, Data: b, At: time.Now()}
	if se.srv.Drop != nil && se.srv.Drop(rec) {
		se.conn.Conn().Close()
		return errors.New("connection dropped by the test")
	}
	return se.srv.keep(rec)
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }
