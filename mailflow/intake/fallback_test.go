package intake_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"mailflow/mailflow/config"
	"mailflow/mailflow/delivery"
	"mailflow/mailflow/engine"
)

// memServer is go-imap's in-memory server with chosen capabilities.
type memServer struct {
	addr, user, pass string
}

func startMemServer(t *testing.T, caps imap.CapSet) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("ehr", "secret")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // returns when Close closes the listener
	t.Cleanup(func() { srv.Close() })
	return &memServer{addr: ln.Addr().String(), user: "ehr", pass: "secret"}
}

func (s *memServer) imapConfig() config.IMAP {
	c := config.IMAP{Endpoint: config.Endpoint{Address: s.addr, Security: "insecure", Username: s.user, Password: s.pass}}
	c.SetDefaults()
	return c
}

func (s *memServer) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(s.user, s.pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func (s *memServer) append(t *testing.T, raw []byte) {
	t.Helper()
	c := s.client(t)
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	cmd.Write(raw)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// flags returns the flags of every message in mailbox.
func (s *memServer) flags(t *testing.T, mailbox string) [][]imap.Flag {
	t.Helper()
	c := s.client(t)
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]imap.Flag
	for _, m := range msgs {
		out = append(out, m.Flags)
	}
	return out
}

func hasFlag(fs []imap.Flag, f imap.Flag) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// TestMoveFallback exercises COPY + \Deleted + UID EXPUNGE on a server
// without MOVE, and COPY + \Deleted alone (never a bare EXPUNGE) on one
// without UIDPLUS either.
func TestMoveFallback(t *testing.T) {
	tests := []struct {
		name     string
		caps     imap.CapSet
		expunged bool
	}{
		{"UIDPLUS without MOVE", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, true},
		{"neither MOVE nor UIDPLUS", imap.CapSet{imap.CapIMAP4rev1: {}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startMemServer(t, tc.caps)
			e := newEnv(t, srv.imapConfig(), "INBOX")
			srv.append(t, fixture(t, "minutes.eml", ""))
			p := e.poller()

			once(t, p)
			once(t, p) // a second pass must neither handle nor copy again

			if n := e.rec.Calls(); n != 1 {
				t.Errorf("engine called %d times, want 1", n)
			}
			if got := e.items(); got != itemsPerMinutes {
				t.Errorf("items = %d, want %d", got, itemsPerMinutes)
			}
			dest := srv.flags(t, processed)
			if len(dest) != 1 || hasFlag(dest[0], imap.FlagDeleted) || hasFlag(dest[0], imap.FlagSeen) {
				t.Errorf("%s flags %v, want one message, neither \\Deleted nor \\Seen", processed, dest)
			}
			src := srv.flags(t, "INBOX")
			switch {
			case tc.expunged && len(src) != 0:
				t.Errorf("INBOX still holds %d messages after UID EXPUNGE", len(src))
			case !tc.expunged && (len(src) != 1 || !hasFlag(src[0], imap.FlagDeleted)):
				t.Errorf("INBOX flags %v, want the original kept and marked \\Deleted", src)
			}
		})
	}
}

// startStalledServer is a server that logs anyone in, answers CAPABILITY
// and LIST, and then never answers SELECT: a hung server or a black-holed
// network after login, which only a watchdog on each command can catch.
func startStalledServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveStalled(c)
		}
	}()
	return ln.Addr().String()
}

func serveStalled(c net.Conn) {
	defer c.Close()
	fmt.Fprintf(c, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN IDLE] ready\r\n")
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch tag := f[0]; strings.ToUpper(f[1]) {
		case "AUTHENTICATE":
			fmt.Fprintf(c, "%s OK logged in\r\n", tag)
		case "CAPABILITY":
			fmt.Fprintf(c, "* CAPABILITY IMAP4rev1 IDLE MOVE\r\n%s OK done\r\n", tag)
		case "LIST":
			fmt.Fprintf(c, "* LIST () \"/\" %s\r\n%s OK done\r\n", f[len(f)-1], tag)
		case "LOGOUT":
			fmt.Fprintf(c, "* BYE\r\n%s OK done\r\n", tag)
			return
		}
		// Anything else, SELECT first of all, gets no answer.
	}
}

// panicking is a handler with a bug in one of its two phases.
type panicking struct {
	*recorder
	inRead bool // panic in ReadBatch, else in HandleRead
}

func (p *panicking) ReadBatch(ds []engine.Delivery) delivery.Batch {
	if p.inRead {
		panic("bug while reading")
	}
	return p.recorder.ReadBatch(ds)
}

func (p *panicking) HandleRead(ctx context.Context, b delivery.Batch) ([]engine.Result, error) {
	if !p.inRead {
		panic("bug while handling")
	}
	return p.recorder.HandleRead(ctx, b)
}

// A bug the handler does not catch, while it reads a batch (on the cycle's
// goroutine, beside the batch before) or handles one (on its own), ends the
// cycle with an error; the daemon lives, and the message stays in the inbox.
func TestHandlerPanicEndsTheCycleOnly(t *testing.T) {
	for _, inRead := range []bool{true, false} {
		t.Run(fmt.Sprintf("in read %v", inRead), func(t *testing.T) {
			srv := startMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}})
			e := newEnv(t, srv.imapConfig(), "INBOX")
			srv.append(t, fixture(t, "minutes.eml", ""))
			p := e.poller()
			p.Handler = &panicking{recorder: e.rec, inRead: inRead}
			err := p.Once(context.Background())
			if err == nil || !strings.Contains(err.Error(), "internal error") {
				t.Fatalf("Once returned %v, want an internal error", err)
			}
			if got := len(srv.flags(t, "INBOX")); got != 1 {
				t.Errorf("INBOX holds %d messages, want the 1 left for the next cycle", got)
			}
			if got := e.items(); got != 0 {
				t.Errorf("%d items stored, want none", got)
			}
		})
	}
}
