// Package intake reads project mailboxes over IMAP: it fetches new messages
// without marking them read, hands each to the engine, and moves it to the
// processed or failed folder once its effects are committed. It waits for
// new mail with IDLE where the server offers it.
package intake

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"mailflow/mailflow/config"
	"mailflow/mailflow/oauth"
)

// Timeouts of a connection.
const (
	// logoutTimeout bounds the courtesy LOGOUT when closing.
	logoutTimeout = 5 * time.Second
	// maxHeaderBytes is how much of a message's start is kept when its body
	// turns out larger than the limit while it streams in.
	maxHeaderBytes = 256 << 10
)

// ErrTimeout is returned when the server stays silent longer than the
// configured timeout; the connection is closed then.
var ErrTimeout = errors.New("no answer from the IMAP server in time")

// Conn is one logged-in IMAP connection. It is used by one goroutine at a
// time.
type Conn struct {
	c       *imapclient.Client
	caps    imap.CapSet
	delim   rune          // the server's hierarchy delimiter; 0 when flat
	newMail chan struct{} // signalled on EXISTS, in IDLE or not
	timeout time.Duration
	expired atomic.Bool  // a watchdog closed the connection
	bearer  oauth.Bearer // the token signed in with (imap.auth = "oauth2")
}

// SessionTokenLife is the least life a token must have left to sign in to
// IMAP with. Microsoft 365 ends a session when its token expires ("BYE
// Session invalidated - AccessTokenExpired"), so the poller signs in again
// shortly before (AuthExpiry); a fresh token makes that about hourly
// rather than minutes after a sign-in with an old one.
const SessionTokenLife = 15 * time.Minute

// AuthExpiry is when the token this connection signed in with expires;
// zero for a password, or a token whose expiry the provider did not say.
func (c *Conn) AuthExpiry() time.Time { return c.bearer.Expiry }

// Dial connects, secures the connection as cfg.Security says (implicit TLS,
// STARTTLS, or none towards loopback), logs in and learns the server's
// capabilities and hierarchy delimiter, all within cfg.Timeout. The go-imap
// client takes no context: when ctx ends, the connection gets grace to
// finish the exchange in hand and is then closed.
func Dial(ctx context.Context, cfg config.IMAP, grace time.Duration) (*Conn, error) {
	tc, err := cfg.TLSConfig("imap")
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout.Duration
	conn := &Conn{newMail: make(chan struct{}, 1), timeout: timeout}
	if cfg.Auth == config.AuthOAuth2 {
		// Before connecting: a slow token endpoint is its own error, not
		// an IMAP timeout, and holds no half-open connection.
		if conn.bearer, err = oauth.Token(ctx, cfg.OAuth2, SessionTokenLife); err != nil {
			return nil, err
		}
	}
	opts := &imapclient.Options{
		TLSConfig: tc,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					conn.signal()
				}
			},
		},
	}

	setup, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := dialTransport(setup, cfg, tc)
	if err != nil {
		return nil, fmt.Errorf("connect to IMAP server %s: %w", cfg.Address, setupErr(setup, timeout, err))
	}
	// Until the set-up is done, its deadline bounds every step: closing the
	// socket fails whatever command is waiting.
	stopSetup := context.AfterFunc(setup, func() { raw.Close() })
	fail := func(step string, err error) (*Conn, error) {
		stopSetup()
		raw.Close()
		return nil, fmt.Errorf("%s (IMAP server %s): %w", step, cfg.Address, setupErr(setup, timeout, err))
	}
	var c *imapclient.Client
	if cfg.Security == "starttls" {
		// Never falls back to plaintext: a server that refuses STARTTLS
		// fails the connection.
		if c, err = imapclient.NewStartTLS(raw, opts); err != nil {
			return fail("STARTTLS", err)
		}
	} else {
		c = imapclient.New(raw, opts)
	}
	conn.c = c
	if err := c.WaitGreeting(); err != nil {
		return fail("greeting", err)
	}
	if err := conn.login(cfg); err != nil {
		return fail("login", err)
	}
	// The capabilities change with login (RFC 3501 7.2.1): ask again.
	caps, err := c.Capability().Wait()
	if err != nil {
		return fail("CAPABILITY", err)
	}
	conn.caps = caps
	list, err := c.List("", "", nil).Collect()
	if err != nil {
		return fail("LIST", err)
	}
	if len(list) > 0 {
		conn.delim = list[0].Delim
	}
	if !stopSetup() {
		c.Close()
		return nil, fmt.Errorf("log in to IMAP server %s: %w", cfg.Address, setupErr(setup, timeout, net.ErrClosed))
	}
	// The closing grace starts when ctx ends; the watcher goes with the
	// connection.
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, func() { c.Close() })
		go func() {
			<-c.Closed()
			t.Stop()
		}()
	})
	go func() {
		<-c.Closed()
		stop()
	}()
	return conn, nil
}

// dialTransport opens the TCP connection and, for implicit TLS, completes
// the handshake, both bounded by ctx.
func dialTransport(ctx context.Context, cfg config.IMAP, tc *tls.Config) (net.Conn, error) {
	nd := &net.Dialer{KeepAlive: 30 * time.Second}
	if cfg.Security == "tls" {
		tc = tc.Clone()
		tc.NextProtos = []string{"imap"}
		return (&tls.Dialer{NetDialer: nd, Config: tc}).DialContext(ctx, "tcp", cfg.Address)
	}
	return nd.DialContext(ctx, "tcp", cfg.Address)
}

// setupErr names a set-up step cut short by the deadline as a timeout.
func setupErr(setup context.Context, timeout time.Duration, err error) error {
	if errors.Is(setup.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (within %s): %v", ErrTimeout, timeout, err)
	}
	return err
}

// login uses AUTHENTICATE PLAIN when offered and LOGIN otherwise; LOGIN is
// refused by servers that advertise LOGINDISABLED. With auth = "oauth2" it
// signs in with a token instead (loginOAuth2). The password or token
// appears in no error.
func (c *Conn) login(cfg config.IMAP) error {
	if cfg.Auth == config.AuthOAuth2 {
		return c.loginOAuth2(cfg)
	}
	caps := c.c.Caps()
	if caps.Has(imap.AuthCap("PLAIN")) {
		if err := c.c.Authenticate(sasl.NewPlainClient("", cfg.Username, cfg.Password)); err != nil {
			return fmt.Errorf("AUTHENTICATE PLAIN as %s: %w", cfg.Username, err)
		}
		return nil
	}
	if caps.Has(imap.CapLoginDisabled) {
		return fmt.Errorf("the server allows no login on this connection (LOGINDISABLED): use security = \"tls\" or \"starttls\"")
	}
	if err := c.c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		return fmt.Errorf("LOGIN as %s: %w", cfg.Username, err)
	}
	return nil
}

// loginOAuth2 signs in with the OAuth 2.0 access token Dial got, over the
// first of the SASL mechanisms for it that the server offers. A token the
// server refuses is forgotten, so the next attempt (reconnect backoff)
// asks the provider for a new one rather than offering the same one again.
func (c *Conn) loginOAuth2(cfg config.IMAP) error {
	caps := c.c.Caps()
	mech := ""
	for _, m := range oauth.Mechanisms {
		if caps.Has(imap.AuthCap(m)) {
			mech = m
			break
		}
	}
	if mech == "" {
		return fmt.Errorf("imap.auth is \"oauth2\" but the server offers neither AUTH=XOAUTH2 nor AUTH=OAUTHBEARER")
	}
	client, err := oauth.NewClient(mech, cfg.Username, c.bearer.Token)
	if err != nil {
		return err
	}
	if err := c.c.Authenticate(client); err != nil {
		var refused *oauth.RefusedError
		var answer *imap.Error
		if errors.As(err, &refused) || errors.As(err, &answer) {
			// The server answered: a refusal, not a lost connection.
			oauth.Forget(cfg.OAuth2, c.bearer.Token)
		}
		if r := client.Refusal(); r != "" && refused == nil {
			return fmt.Errorf("AUTHENTICATE %s as %s: %w (server says: %s)", mech, cfg.Username, err, r)
		}
		return fmt.Errorf("AUTHENTICATE %s as %s: %w", mech, cfg.Username, err)
	}
	return nil
}

func (c *Conn) signal() {
	select {
	case c.newMail <- struct{}{}:
	default:
	}
}

// Close logs out and closes. It is safe to call twice.
func (c *Conn) Close() error {
	if c == nil || c.c == nil {
		return nil
	}
	// The server may already be gone; closing is what matters.
	_ = c.guardFor(logoutTimeout, "LOGOUT", func() error { return c.c.Logout().Wait() })
	if err := c.c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// watchdog closes the connection when the server stays silent for the
// connection's timeout: go-imap puts no deadline on waiting for a reply.
type watchdog struct {
	c *Conn
	t *time.Timer
}

func (c *Conn) watch(d time.Duration) *watchdog {
	return &watchdog{c: c, t: time.AfterFunc(d, func() {
		c.expired.Store(true)
		c.c.Close()
	})}
}

// reset restarts the countdown: the server has shown progress.
func (w *watchdog) reset() { w.t.Reset(w.c.timeout) }

// pause stops the countdown while the time is ours, not the server's.
func (w *watchdog) pause() { w.t.Stop() }

// err turns the failure of a watched command into ErrTimeout when the
// watchdog cut it short.
func (w *watchdog) err(op string, err error) error {
	if err == nil {
		return nil
	}
	if w.c.expired.Load() {
		return fmt.Errorf("%s: %w (silent for %s)", op, ErrTimeout, w.c.timeout)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// guard runs one exchange with the server under the watchdog.
func (c *Conn) guard(op string, fn func() error) error { return c.guardFor(c.timeout, op, fn) }

func (c *Conn) guardFor(d time.Duration, op string, fn func() error) error {
	w := c.watch(d)
	err := fn()
	w.pause()
	return w.err(op, err)
}

// Caps returns the server's capabilities.
func (c *Conn) Caps() imap.CapSet { return c.caps }

// HasIdle reports whether the server supports IDLE (RFC 2177).
func (c *Conn) HasIdle() bool { return c.caps.Has(imap.CapIdle) }

// HasMove reports whether the server supports MOVE (RFC 6851).
func (c *Conn) HasMove() bool { return c.caps.Has(imap.CapMove) }

// Name returns the server's name for a mailbox named in the configuration,
// where "/" separates levels whatever the server uses: Dovecot's Maildir
// default is ".", and it refuses "/" in a name. Every method of Conn takes
// configured names and translates them.
func (c *Conn) Name(configured string) string {
	if c.delim == 0 || c.delim == '/' {
		return configured
	}
	return strings.ReplaceAll(configured, "/", string(c.delim))
}

// EnsureMailbox creates a mailbox if it does not exist and subscribes to
// it, so mail clients show it.
func (c *Conn) EnsureMailbox(mailbox string) error {
	name := c.Name(mailbox)
	var exists bool
	err := c.guard("LIST "+name, func() error {
		list, err := c.c.List("", name, nil).Collect()
		for _, l := range list {
			exists = exists || l.Mailbox == name || strings.EqualFold(name, "INBOX") && strings.EqualFold(l.Mailbox, "INBOX")
		}
		return err
	})
	if err != nil || exists {
		return err
	}
	err = c.guard("CREATE "+name, func() error { return c.c.Create(name, nil).Wait() })
	var ie *imap.Error
	if errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists ||
		strings.Contains(strings.ToLower(ie.Text), "exist")) {
		return nil // another client was quicker
	}
	if err != nil {
		return fmt.Errorf("create mailbox: %w", err)
	}
	// Without the subscription the folder is merely hidden in some clients.
	_ = c.guard("SUBSCRIBE "+name, func() error { return c.c.Subscribe(name).Wait() })
	return nil
}

// Select opens a mailbox read-write.
func (c *Conn) Select(mailbox string) (*imap.SelectData, error) {
	name := c.Name(mailbox)
	var d *imap.SelectData
	err := c.guard("SELECT "+name, func() (err error) {
		d, err = c.c.Select(name, nil).Wait()
		return err
	})
	return d, err
}

// UIDs returns the UIDs in the selected mailbox that are not marked
// \Deleted, ascending. \Deleted ones are on their way out: ours when the
// server lacks UIDPLUS, or someone else's.
func (c *Conn) UIDs() ([]imap.UID, error) {
	var uids []imap.UID
	err := c.guard("UID SEARCH", func() error {
		d, err := c.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
		if err == nil {
			uids = d.AllUIDs()
		}
		return err
	})
	return uids, err
}

// Sizes returns RFC822.SIZE for each UID.
func (c *Conn) Sizes(uids []imap.UID) (map[imap.UID]int64, error) {
	out := make(map[imap.UID]int64, len(uids))
	err := c.guard("FETCH RFC822.SIZE", func() error {
		msgs, err := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		for _, m := range msgs {
			out[m.UID] = m.RFC822Size
		}
		return err
	})
	return out, err
}

// Fetched is one message as fetched.
type Fetched struct {
	UID imap.UID
	Raw []byte
	// Size is the size of the fetched section as the server announced it.
	Size int64
	// Truncated is set when the section was larger than the limit given to
	// Fetch: Raw then holds only the start of the message, up to the end
	// of its header.
	Truncated bool
}

// Fetch streams the messages with uids to fn one at a time, in the order
// the server sends them, with BODY.PEEK[] (BODY.PEEK[HEADER] when header is
// true) so the server does not mark them \Seen before they are handled. fn
// runs while the FETCH response is still arriving, so one message is in
// memory at a time, read into a buffer of its announced size. A message
// whose body exceeds limit is not kept whole (see Fetched.Truncated).
// Messages that vanished meanwhile are skipped.
//
// The server may be silent for the timeout between two pieces of data;
// the time fn takes does not count.
func (c *Conn) Fetch(uids []imap.UID, header bool, limit int64, fn func(Fetched) error) error {
	section := &imap.FetchItemBodySection{Peek: true}
	if header {
		section.Specifier = imap.PartSpecifierHeader
	}
	w := c.watch(c.timeout)
	defer w.pause()
	cmd := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	for {
		w.reset()
		m := cmd.Next()
		if m == nil {
			break
		}
		f, ok, err := readMessage(m, w, limit)
		if err != nil {
			// The connection is broken, and the first error tells why. It
			// is closed, not drained: go-imap's FetchCommand.Close would
			// read the failed literal again while its reader goroutine
			// reads what follows (a data race the race detector reports).
			c.c.Close()
			return w.err("FETCH", err)
		}
		if !ok {
			continue
		}
		w.pause()
		if err := fn(f); err != nil {
			// The rest of the response must still be read before the
			// connection can carry another command.
			w.reset()
			if cerr := cmd.Close(); cerr != nil {
				return errors.Join(err, w.err("FETCH", cerr))
			}
			return err
		}
	}
	w.reset()
	return w.err("FETCH", cmd.Close())
}

// readMessage reads one FETCH response: its UID and its body section. ok is
// false when the server sent no body (the message was expunged meanwhile).
func readMessage(m *imapclient.FetchMessageData, w *watchdog, limit int64) (f Fetched, ok bool, err error) {
	for {
		item := m.Next()
		if item == nil {
			break
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			f.UID = it.UID
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				continue
			}
			ok = true
			f.Size = it.Literal.Size()
			if f.Raw, f.Truncated, err = readLiteral(&progress{r: it.Literal, w: w}, f.Size, limit); err != nil {
				return f, false, err
			}
		}
	}
	return f, ok && f.UID != 0, nil
}

// readLiteral reads a literal of the announced size into one buffer, or,
// when it exceeds limit, keeps its header (up to maxHeaderBytes) and
// discards the rest as it streams.
func readLiteral(r io.Reader, size, limit int64) ([]byte, bool, error) {
	if size <= limit {
		buf := make([]byte, size)
		_, err := io.ReadFull(r, buf)
		return buf, false, err
	}
	head := make([]byte, min(size, maxHeaderBytes))
	n, err := io.ReadFull(r, head)
	if err != nil {
		return nil, true, err
	}
	head = head[:n]
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i+4]
	}
	_, err = io.Copy(io.Discard, r)
	return head, true, err
}

// progress resets the watchdog whenever data arrives, so a large message
// on a slow link is not cut short while it is still coming in.
type progress struct {
	r io.Reader
	w *watchdog
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.w.reset()
	}
	return n, err
}

// Move moves messages to dest: MOVE where the server has it,
// else COPY, \Deleted and UID EXPUNGE of exactly those UIDs (never a bare
// EXPUNGE, which would also remove other clients' deleted mail). A missing
// destination is created (the server says TRYCREATE) and the move retried.
// Nothing is ever deleted without its copy in dest.
func (c *Conn) Move(uids []imap.UID, dest string) error {
	name := c.Name(dest)
	for _, set := range uidSets(uids, maxSetLen) {
		err := c.move(set, name)
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeTryCreate {
			if err := c.EnsureMailbox(dest); err != nil {
				return err
			}
			err = c.move(set, name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// maxSetLen bounds a UID set on a command line: RFC 7162 3.2.1 asks
// clients to keep lines under 8192 octets, and Dovecot's limit is 64 KiB.
const maxSetLen = 8000

// uidSets splits uids (ascending) into sets whose text stays under max
// characters; runs of consecutive UIDs are one range each.
func uidSets(uids []imap.UID, max int) []imap.UIDSet {
	uids = slices.Clone(uids)
	slices.Sort(uids)
	var out []imap.UIDSet
	var cur imap.UIDSet
	size := 0
	for i := 0; i < len(uids); {
		j := i + 1
		for j < len(uids) && uids[j] == uids[j-1]+1 {
			j++
		}
		r := imap.UIDRange{Start: uids[i], Stop: uids[j-1]}
		n := len(imap.UIDSet{r}.String()) + 1
		if size+n > max && len(cur) > 0 {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, r)
		size += n
		i = j
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (c *Conn) move(set imap.UIDSet, dest string) error {
	if c.HasMove() {
		return c.guard("MOVE to "+dest, func() error {
			_, err := c.c.Move(set, dest).Wait()
			return err
		})
	}
	err := c.guard("COPY to "+dest, func() error {
		_, err := c.c.Copy(set, dest).Wait()
		return err
	})
	if err != nil {
		return err
	}
	err = c.guard(`STORE \Deleted`, func() error {
		return c.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close()
	})
	if err != nil {
		return err
	}
	if !c.caps.Has(imap.CapUIDPlus) {
		// Without UIDPLUS (RFC 4315) only a plain EXPUNGE exists, which
		// would also remove messages other clients marked deleted. Ours
		// stay, copied and flagged; UIDs skips them from now on.
		return nil
	}
	return c.guard("UID EXPUNGE", func() error { return c.c.UIDExpunge(set).Close() })
}

// Idle waits in IDLE until new mail arrives, d passes or ctx ends, and
// reports whether new mail arrived. d should stay under the 29 minutes
// after which RFC 2177 lets a server drop an idle client. A server that
// sends EXISTS outside IDLE (after our own commands) counts too.
func (c *Conn) Idle(ctx context.Context, d time.Duration) (bool, error) {
	select {
	case <-c.newMail:
		return true, nil
	default:
	}
	var cmd *imapclient.IdleCommand
	if err := c.guard("IDLE", func() (err error) {
		cmd, err = c.c.Idle()
		return err
	}); err != nil {
		return false, err
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	got := false
	select {
	case <-c.newMail:
		got = true
	case <-timer.C:
	case <-ctx.Done():
	case <-c.c.Closed():
		return false, errors.New("IDLE: the server closed the connection")
	}
	err := c.guard("IDLE DONE", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
	return got, err
}

// Noop asks the server for pending updates.
func (c *Conn) Noop() error {
	return c.guard("NOOP", func() error { return c.c.Noop().Wait() })
}
