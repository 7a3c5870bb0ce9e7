// Package intake reads project mailboxes over IMAP: it fetches new messages
// without marking them read, hands each to the engine, and moves it to the
// processed or failed folder once its effects are committed. It waits for
// new mail with IDLE where the server offers it.
package intake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"mailflow/mailflow/config"
)

// Conn is one logged-in IMAP connection.
type Conn struct {
	c       *imapclient.Client
	caps    imap.CapSet
	newMail chan struct{} // signalled on EXISTS while idling
	timeout time.Duration
}

// TLSConfig returns the TLS settings for the IMAP server in cfg:
// certificate verification always on, against the system roots or the
// configured CA file.
func TLSConfig(cfg config.IMAP) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("imap.address: %w", err)
	}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("imap.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("imap.ca_file %s: no PEM certificates in it", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// Dial connects and logs in. The connection is closed when ctx ends, since
// the go-imap client takes no context.
func Dial(ctx context.Context, cfg config.IMAP) (*Conn, error) {
	tc, err := TLSConfig(cfg)
	if err != nil {
		return nil, err
	}
	conn := &Conn{newMail: make(chan struct{}, 1), timeout: cfg.Timeout.Duration}
	opts := &imapclient.Options{
		TLSConfig: tc,
		Dialer:    &net.Dialer{Timeout: cfg.Timeout.Duration},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case conn.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	dialCtx, cancel := context.WithTimeout(ctx, cfg.Timeout.Duration)
	defer cancel()
	type result struct {
		c   *imapclient.Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		var c *imapclient.Client
		var err error
		switch cfg.Security {
		case "tls":
			c, err = imapclient.DialTLS(cfg.Address, opts)
		case "starttls":
			c, err = imapclient.DialStartTLS(cfg.Address, opts)
		default:
			c, err = imapclient.DialInsecure(cfg.Address, opts)
		}
		if err == nil {
			err = c.WaitGreeting()
		}
		done <- result{c, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-dialCtx.Done():
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, fmt.Errorf("connect to IMAP server %s: %w", cfg.Address, dialCtx.Err())
	}
	if r.err != nil {
		return nil, fmt.Errorf("connect to IMAP server %s: %w", cfg.Address, r.err)
	}
	conn.c = r.c
	stop := context.AfterFunc(ctx, func() { r.c.Close() })
	go func() {
		<-r.c.Closed()
		stop()
	}()
	if err := conn.login(cfg); err != nil {
		r.c.Close()
		return nil, err
	}
	caps, err := r.c.Capability().Wait()
	if err != nil {
		r.c.Close()
		return nil, fmt.Errorf("IMAP CAPABILITY: %w", err)
	}
	conn.caps = caps
	return conn, nil
}

// login uses AUTHENTICATE PLAIN when offered and LOGIN otherwise; LOGIN is
// refused by servers that advertise LOGINDISABLED.
func (c *Conn) login(cfg config.IMAP) error {
	caps := c.c.Caps()
	if caps.Has(imap.AuthCap("PLAIN")) {
		if err := c.c.Authenticate(sasl.NewPlainClient("", cfg.Username, cfg.Password)); err != nil {
			return fmt.Errorf("IMAP AUTHENTICATE PLAIN as %s: %w", cfg.Username, err)
		}
		return nil
	}
	if caps.Has(imap.CapLoginDisabled) {
		return fmt.Errorf("IMAP server %s allows no login on this connection (LOGINDISABLED): use security = \"tls\" or \"starttls\"", cfg.Address)
	}
	if err := c.c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		return fmt.Errorf("IMAP LOGIN as %s: %w", cfg.Username, err)
	}
	return nil
}

// Close logs out and closes. It is safe to call twice.
func (c *Conn) Close() error {
	if c == nil || c.c == nil {
		return nil
	}
	_ = c.c.Logout().Wait() // the server may already be gone; Close below is what matters
	return c.c.Close()
}

// Caps returns the server's capabilities.
func (c *Conn) Caps() imap.CapSet { return c.caps }

// HasIdle reports whether the server supports IDLE (RFC 2177).
func (c *Conn) HasIdle() bool { return c.caps.Has(imap.CapIdle) || c.caps.Has(imap.CapIMAP4rev2) }

// HasMove reports whether the server supports MOVE (RFC 6851).
func (c *Conn) HasMove() bool { return c.caps.Has(imap.CapMove) || c.caps.Has(imap.CapIMAP4rev2) }

// EnsureMailbox creates a mailbox if it does not exist.
func (c *Conn) EnsureMailbox(name string) error {
	err := c.c.Create(name, nil).Wait()
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists ||
		strings.Contains(strings.ToLower(ie.Text), "exist")) {
		return nil
	}
	return fmt.Errorf("create mailbox %s: %w", name, err)
}

// Select opens mailbox and returns its UIDVALIDITY.
func (c *Conn) Select(mailbox string) (*imap.SelectData, error) {
	d, err := c.c.Select(mailbox, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", mailbox, err)
	}
	return d, nil
}

// UIDs returns every UID in the selected mailbox, ascending.
func (c *Conn) UIDs() ([]imap.UID, error) {
	d, err := c.c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("UID SEARCH: %w", err)
	}
	return d.AllUIDs(), nil
}

// Sizes returns RFC822.SIZE for each UID.
func (c *Conn) Sizes(uids []imap.UID) (map[imap.UID]int64, error) {
	out := make(map[imap.UID]int64, len(uids))
	cmd := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true})
	msgs, err := cmd.Collect()
	if err != nil {
		return nil, fmt.Errorf("FETCH RFC822.SIZE: %w", err)
	}
	for _, m := range msgs {
		out[m.UID] = m.RFC822Size
	}
	return out, nil
}

// Fetched is one message as fetched.
type Fetched struct {
	UID imap.UID
	Raw []byte
}

// Fetch streams the messages with uids to fn one at a time, with
// BODY.PEEK[] (or BODY.PEEK[HEADER] when header is true) so the server does
// not mark them \Seen before they are handled. fn runs while the FETCH
// response is still arriving, so only one message is in memory at a time.
func (c *Conn) Fetch(uids []imap.UID, header bool, fn func(Fetched) error) error {
	section := &imap.FetchItemBodySection{Peek: true}
	if header {
		section.Specifier = imap.PartSpecifierHeader
	}
	cmd := c.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		buf, err := m.Collect()
		if err != nil {
			return fmt.Errorf("FETCH: %w", err)
		}
		raw := buf.FindBodySection(section)
		if err := fn(Fetched{UID: buf.UID, Raw: raw}); err != nil {
			return err
		}
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("FETCH: %w", err)
	}
	return nil
}

// Move moves messages to dest: MOVE where the server has it, else COPY,
// \Deleted and UID EXPUNGE of exactly those UIDs (never a bare EXPUNGE,
// which would also remove other clients' deleted mail).
func (c *Conn) Move(uids []imap.UID, dest string) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	if c.HasMove() {
		if _, err := c.c.Move(set, dest).Wait(); err != nil {
			return fmt.Errorf("MOVE to %s: %w", dest, err)
		}
		return nil
	}
	if _, err := c.c.Copy(set, dest).Wait(); err != nil {
		return fmt.Errorf("COPY to %s: %w", dest, err)
	}
	if err := c.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		return fmt.Errorf("STORE \\Deleted: %w", err)
	}
	if !c.caps.Has(imap.CapUIDPlus) {
		// Without UIDPLUS a plain EXPUNGE would also remove messages other
		// clients marked deleted; leave ours flagged (copied already) instead.
		return nil
	}
	if err := c.c.UIDExpunge(set).Close(); err != nil {
		return fmt.Errorf("UID EXPUNGE: %w", err)
	}
	return nil
}

// Idle waits in IDLE until new mail arrives, d passes or ctx ends. It
// reports whether new mail arrived.
func (c *Conn) Idle(ctx context.Context, d time.Duration) (bool, error) {
	// Drain a stale signal from before IDLE started.
	select {
	case <-c.newMail:
		return true, nil
	default:
	}
	cmd, err := c.c.Idle()
	if err != nil {
		return false, fmt.Errorf("IDLE: %w", err)
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
		return false, errors.New("IDLE: connection closed")
	}
	if err := cmd.Close(); err != nil {
		return got, fmt.Errorf("IDLE DONE: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return got, fmt.Errorf("IDLE: %w", err)
	}
	return got, nil
}

// Noop asks the server for pending updates.
func (c *Conn) Noop() error {
	return c.c.Noop().Wait()
}
