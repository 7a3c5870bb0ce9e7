// Package sender drains the outbox: it delivers queued mail over SMTP with
// go-mail, one reused connection per batch, records what the server said,
// retries temporary failures with backoff and parks permanent ones.
//
// Delivery is at least once, never at most once: a mail's row is marked
// "sending" before its SMTP transaction and "sent" as soon as the server
// accepts it, so a crash leaves at most the one mail in hand in doubt. Such a
// mail is sent again after the restart with the same bytes and so the same
// Message-ID, which receiving systems and mail clients use to drop the
// duplicate (RFC 1047 describes why SMTP cannot do better: the server may
// take the mail and the connection die before its reply arrives).
package sender

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"mailflow/mailflow/config"
	"mailflow/mailflow/oauth"
	"mailflow/store"
)

// Retry timing for temporary failures: the first retry after RetryBase,
// doubling up to RetryMax, each with ±20% jitter so that a queue of mails
// that failed together does not retry in lockstep.
const (
	RetryBase = 30 * time.Second
	RetryMax  = 2 * time.Hour
)

// markSentTries is how often recording a delivered mail is tried before the
// batch stops: a row left in "sending" is sent again after a restart, so it
// is worth a few tries (the store waits out a busy lock on each).
const markSentTries = 3

// ErrConnection is wrapped by the error a flush returns when the SMTP
// connection failed; the mail stays queued for the next flush.
var ErrConnection = errors.New("SMTP connection failed")

// Store is the part of the store the sender uses.
type Store interface {
	DueMail(ctx context.Context, now time.Time, limit int) ([]store.Mail, error)
	MarkSending(ctx context.Context, id int64) (bool, error)
	MarkSent(ctx context.Context, id int64, at time.Time, response string) error
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error
	MarkFailed(ctx context.Context, id int64, errText string) error
}

// Sender delivers outbox mail.
type Sender struct {
	store Store
	cfg   config.SMTP
	host  string
	port  int
	helo  string
	tls   *tls.Config
	now   func() time.Time
	log   *slog.Logger
}

// Stats counts what one Flush did.
type Stats struct {
	Sent, Retried, Failed int
}

func (s *Stats) add(o Stats) {
	s.Sent += o.Sent
	s.Retried += o.Retried
	s.Failed += o.Failed
}

// New returns a sender for the SMTP server in cfg. It reads cfg.CAFile but
// does not connect.
func New(st Store, cfg config.SMTP, now func() time.Time, log *slog.Logger) (*Sender, error) {
	host, portText, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("smtp.address: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("smtp.address port %q: not a port number", portText)
	}
	switch cfg.Security {
	case "tls", "starttls", "insecure":
	default:
		return nil, fmt.Errorf("smtp.security %q: want \"tls\", \"starttls\" or \"insecure\"", cfg.Security)
	}
	if cfg.Timeout.Duration <= 0 || cfg.MaxAttempts <= 0 || cfg.BatchSize <= 0 {
		return nil, errors.New("smtp: timeout, max_attempts and batch_size unset: the configuration was not finished (config.SMTP.SetDefaults)")
	}
	tc, err := cfg.TLSConfig("smtp")
	if err != nil {
		return nil, err
	}
	helo := "localhost"
	if _, domain, ok := strings.Cut(cfg.From, "@"); ok && domain != "" && !strings.ContainsAny(domain, " \r\n") {
		helo = domain
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Sender{store: st, cfg: cfg, host: host, port: port, helo: helo, tls: tc, now: now, log: log}, nil
}

// conn is one SMTP session and the socket under it, which is closed when
// the flush's context ends so that no read or write outlives it.
type conn struct {
	sc      *gosmtp.Client
	raw     net.Conn
	timeout time.Duration
	stop    func() bool
}

// dial connects, says EHLO, starts TLS and authenticates.
func (s *Sender) dial(ctx context.Context) (*conn, error) {
	var raw net.Conn
	dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{Timeout: s.cfg.Timeout.Duration}
		var c net.Conn
		var err error
		if s.cfg.Security == "tls" {
			// Implicit TLS (RFC 8314): the handshake is the first thing.
			c, err = (&tls.Dialer{NetDialer: nd, Config: s.tls}).DialContext(ctx, network, addr)
		} else {
			c, err = nd.DialContext(ctx, network, addr)
		}
		raw = c
		return c, err
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.cfg.Timeout.Duration),
		gomail.WithTLSConfig(s.tls),
		gomail.WithHELO(s.helo),
		gomail.WithDialContextFunc(dialer),
	}
	switch s.cfg.Security {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default: // "tls" is encrypted by the dialer; "insecure" only to loopback (config checks)
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	var token string
	if s.cfg.Auth == config.AuthOAuth2 {
		b, err := oauth.Token(ctx, s.cfg.OAuth2, oauth.MinLife)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrConnection, s.cfg.Address, err)
		}
		// AUTH XOAUTH2 is said below, on the connection, so that a refusal
		// is known for what it is by the step that failed, not by the
		// error's text.
		token = b.Token
	} else if s.cfg.Username != "" {
		// PLAIN, else LOGIN. Without TLS (loopback only) go-mail refuses
		// both unless told the channel is trusted.
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if s.cfg.Security == "insecure" {
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if raw != nil {
			_ = raw.Close() // go-mail leaves the socket open when EHLO, STARTTLS or AUTH fails
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrConnection, s.cfg.Address, err)
	}
	if token != "" {
		if _, mechs := sc.Extension("AUTH"); !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "XOAUTH2") {
			_ = raw.Close()
			return nil, fmt.Errorf("%w: %s: the server does not offer AUTH XOAUTH2 (it offers %q)", ErrConnection, s.cfg.Address, mechs)
		}
		if err := sc.Auth(gosmtp.XOAuth2Auth(s.cfg.Username, token)); err != nil {
			_ = raw.Close()
			if refused(err) {
				// A refused token is not offered again: the next attempt
				// asks the provider for a new one (at most every few
				// minutes).
				oauth.Forget(s.cfg.OAuth2, token)
			}
			return nil, fmt.Errorf("%w: %s: SMTP AUTH failed: %w", ErrConnection, s.cfg.Address, err)
		}
	}
	cn := &conn{sc: sc, raw: raw, timeout: s.cfg.Timeout.Duration}
	cn.stop = context.AfterFunc(ctx, func() { _ = raw.Close() })
	return cn, nil
}

// refused reports whether err, from AUTH, is the server's 5xx answer, as
// opposed to a lost connection; TestOAuth2RefusedTokenIsRenewed and
// TestOAuth2TokenKeptWhenNotRefused check both sides.
func refused(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code/100 == 5
}

// close says QUIT, briefly, and closes the socket.
func (c *conn) close() {
	c.stop()
	_ = c.raw.SetDeadline(time.Now().Add(quitTimeout))
	_ = c.sc.Quit() // best effort: every mail's fate is already recorded
	_ = c.raw.Close()
}

const quitTimeout = 5 * time.Second

// Check connects, authenticates and quits; for "mailflow doctor".
func (s *Sender) Check(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return err
	}
	c.stop()
	_ = c.raw.SetDeadline(time.Now().Add(quitTimeout))
	err = c.sc.Quit()
	_ = c.raw.Close()
	return err
}

// Flush sends every mail that is due, batch by batch, until none is due or
// ctx ends. It returns an error when the server cannot be reached; the mail
// stays queued.
func (s *Sender) Flush(ctx context.Context) (Stats, error) {
	return s.FlushUntil(ctx, nil)
}

// FlushUntil is Flush that also stops starting new batches once stop is
// closed, while the batch in hand finishes under ctx (graceful shutdown).
func (s *Sender) FlushUntil(ctx context.Context, stop <-chan struct{}) (Stats, error) {
	var total Stats
	for ctx.Err() == nil {
		select {
		case <-stop:
			return total, nil
		default:
		}
		batch, err := s.store.DueMail(ctx, s.now(), s.cfg.BatchSize)
		if err != nil {
			return total, fmt.Errorf("read outbox: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		st, err := s.sendBatch(ctx, batch)
		total.add(st)
		if err != nil {
			// A server that closes the connection after so many mails
			// (421 "too many messages") still made progress: go on with
			// a fresh connection. One that takes nothing is retried at the
			// next flush.
			if errors.Is(err, ErrConnection) && st.Sent > 0 && ctx.Err() == nil {
				s.log.Info("SMTP connection ended mid-batch; reconnecting", "sent", st.Sent, "err", err)
				continue
			}
			return total, err
		}
	}
	return total, ctx.Err()
}

// sendBatch delivers a batch over one connection. It returns an error
// wrapping ErrConnection when the connection failed, after recording the
// fate of the mail in hand.
func (s *Sender) sendBatch(ctx context.Context, batch []store.Mail) (Stats, error) {
	var st Stats
	c, err := s.dial(ctx)
	if err != nil {
		return st, err
	}
	defer c.close()
	for _, m := range batch {
		if ctx.Err() != nil {
			return st, nil // past the shutdown grace period: the rest stays queued
		}
		claimed, err := s.store.MarkSending(ctx, m.ID)
		if err != nil {
			return st, fmt.Errorf("mark outbox %d sending: %w", m.ID, err)
		}
		if !claimed {
			continue // another sender (a second process) has taken it
		}
		resp, sendErr := c.deliver(m)
		if sendErr == nil {
			if err := s.markSent(ctx, m.ID, resp); err != nil {
				return st, fmt.Errorf("mark outbox %d sent: %w", m.ID, err)
			}
			st.Sent++
			s.log.Info("mail sent", "outbox_id", m.ID, "kind", m.Kind, "message_id", m.MessageID)
			continue
		}
		if err := s.recordFailure(ctx, m, sendErr, st.Sent > 0, &st); err != nil {
			return st, err
		}
		if sendErr.connLost() {
			return st, fmt.Errorf("%w: %s: %w", ErrConnection, s.cfg.Address, sendErr)
		}
		// The server refused this mail but the session is fine: abort the
		// transaction so the next MAIL starts clean (RFC 5321 4.1.1.5).
		if err := c.reset(); err != nil {
			return st, fmt.Errorf("%w: RSET after %s: %w", ErrConnection, sendErr.stage, err)
		}
	}
	return st, nil
}

// markSent records a delivered mail, trying again on a store error. It
// outlives a shutdown: the server has the mail, and a record left out
// would send it again.
func (s *Sender) markSent(ctx context.Context, id int64, resp string) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	for i := 0; i < markSentTries; i++ {
		if err = s.store.MarkSent(ctx, id, s.now(), resp); err == nil {
			return nil
		}
		time.Sleep(time.Duration(i+1) * 100 * time.Millisecond)
	}
	return err
}

// recordFailure parks or defers a mail that was not delivered.
func (s *Sender) recordFailure(ctx context.Context, m store.Mail, e *sendError, reused bool, st *Stats) error {
	ctx = context.WithoutCancel(ctx) // the attempt happened: it is counted
	attempts := m.Attempts + 1
	reason := e.Error()
	permanent := e.permanent()
	if permanent || attempts >= s.cfg.MaxAttempts {
		if !permanent {
			reason = fmt.Sprintf("gave up after %d attempts: %s", attempts, reason)
		}
		if err := s.store.MarkFailed(ctx, m.ID, reason); err != nil {
			return fmt.Errorf("mark outbox %d failed: %w", m.ID, err)
		}
		st.Failed++
		s.log.Error("mail parked", "outbox_id", m.ID, "kind", m.Kind, "message_id", m.MessageID, "reason", reason)
		return nil
	}
	next := s.now().Add(Backoff(attempts))
	if e.connLost() && !e.maybeDelivered && reused {
		// A reused connection that the server dropped before this mail's
		// data: the mail was never tried, so it goes again at once on a
		// fresh connection.
		next = s.now()
	}
	if e.maybeDelivered {
		reason += " (the server may have accepted it; it is resent with the same Message-ID)"
	}
	if err := s.store.MarkRetry(ctx, m.ID, next, reason); err != nil {
		return fmt.Errorf("mark outbox %d for retry: %w", m.ID, err)
	}
	st.Retried++
	s.log.Warn("mail deferred", "outbox_id", m.ID, "kind", m.Kind, "message_id", m.MessageID, "retry_at", next, "reason", reason)
	return nil
}

// sendError is a failed delivery and where in the transaction it failed.
type sendError struct {
	stage string // "MAIL FROM", "RCPT TO", "DATA", "message data", "end of data"
	err   error
	// maybeDelivered is set when the message's final dot went out but no
	// reply came back: the server may have taken it.
	maybeDelivered bool
	// perm forces the permanent class for errors that are not SMTP replies
	// but can never succeed (a malformed address, no recipients).
	perm bool
}

func (e *sendError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

func (e *sendError) permanent() bool { return e.perm || IsPermanent(e.err) }

// connLost reports whether the session is unusable after the error: any
// error that is not an SMTP reply, or a 421, with which the server closes
// the channel (RFC 5321 3.8).
func (e *sendError) connLost() bool {
	if e.perm {
		return false
	}
	var tp *textproto.Error
	if !errors.As(e.err, &tp) {
		return true
	}
	return tp.Code == 421
}

// deliver sends one stored message and returns the server's final reply.
func (c *conn) deliver(m store.Mail) (string, *sendError) {
	rcpts := m.Recipients()
	if len(rcpts) == 0 {
		return "", &sendError{stage: "RCPT TO", err: errors.New("no recipients"), perm: true}
	}
	if m.RawErr != nil {
		return "", &sendError{stage: "DATA", err: m.RawErr, perm: true}
	}
	if len(m.Raw) == 0 {
		return "", &sendError{stage: "DATA", err: errors.New("empty message"), perm: true}
	}
	// SMTPUTF8 only when an address needs it (RFC 6531); declaring it for
	// every mail makes some servers refuse plain ASCII mail.
	c.sc.SkipSMTPUTF8(isASCII(m.EnvelopeFrom) && allASCII(rcpts))
	if err := c.extend(); err != nil {
		return "", &sendError{stage: "MAIL FROM", err: err}
	}
	if hasLineBreak(m.EnvelopeFrom) {
		return "", &sendError{stage: "MAIL FROM", err: errLineBreak, perm: true}
	}
	if err := c.sc.Mail(path(m.EnvelopeFrom)); err != nil {
		return "", &sendError{stage: "MAIL FROM", err: err}
	}
	// Every recipient must be accepted: a row is one logical mail, and a
	// partial delivery could not be retried for the rest without sending
	// it twice to the others. A temporary refusal of any makes the whole
	// mail temporary.
	var rcptErr *sendError
	for _, r := range rcpts {
		if err := c.extend(); err != nil {
			return "", &sendError{stage: "RCPT TO", err: err}
		}
		var err error
		if hasLineBreak(r) {
			err = errLineBreak
		} else {
			err = c.sc.Rcpt(path(r))
		}
		if err != nil {
			e := &sendError{stage: "RCPT TO " + r, err: err, perm: errors.Is(err, errLineBreak)}
			if e.connLost() {
				return "", e
			}
			if rcptErr == nil || (rcptErr.permanent() && !e.permanent()) {
				rcptErr = e
			}
		}
	}
	if rcptErr != nil {
		return "", rcptErr
	}
	if err := c.extend(); err != nil {
		return "", &sendError{stage: "DATA", err: err}
	}
	w, err := c.sc.Data()
	if err != nil {
		return "", &sendError{stage: "DATA", err: err}
	}
	if _, err := w.Write(CRLF(m.Raw)); err != nil {
		return "", &sendError{stage: "message data", err: err}
	}
	if err := c.extend(); err != nil {
		return "", &sendError{stage: "end of data", err: err, maybeDelivered: true}
	}
	if err := w.Close(); err != nil {
		e := &sendError{stage: "end of data", err: err}
		var tp *textproto.Error
		e.maybeDelivered = !errors.As(err, &tp)
		return "", e
	}
	resp := "250"
	if dc, ok := w.(*gosmtp.DataCloser); ok && dc.ServerResponse() != "" {
		resp = "250 " + dc.ServerResponse()
	}
	return resp, nil
}

// extend gives the next command a full timeout.
func (c *conn) extend() error { return c.sc.UpdateDeadline(c.timeout) }

// reset aborts the current transaction.
func (c *conn) reset() error {
	if err := c.extend(); err != nil {
		return err
	}
	return c.sc.Reset()
}

// path formats an address as an SMTP reverse- or forward-path (RFC 5321
// 4.1.2): in angle brackets; the null sender is "<>".
func path(addr string) string {
	addr = strings.TrimSpace(addr)
	if strings.HasPrefix(addr, "<") && strings.HasSuffix(addr, ">") {
		return addr
	}
	return "<" + addr + ">"
}

// errLineBreak is an address with a CR or LF in it, which SMTP cannot
// carry (RFC 5321 2.3.8): a permanent failure of that mail, found before
// go-mail would refuse it in words of its own.
var errLineBreak = errors.New("the address contains a line break")

func hasLineBreak(addr string) bool { return strings.ContainsAny(addr, "\r\n") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}

// CRLF returns b with every line ending — CRLF, a bare LF or a bare CR —
// as CRLF, which is all RFC 5321 2.3.8 allows in DATA. The dot-stuffing of
// lines that start with "." is done by the DATA writer.
func CRLF(b []byte) []byte {
	if !bytes.ContainsAny(b, "\r\n") {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/50)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// IsPermanent reports whether err is an SMTP 5xx reply: the server will
// never accept this mail, so retrying is pointless. 4xx replies and
// network errors are temporary.
func IsPermanent(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code >= 500 && tp.Code < 600
	}
	return false
}

// Backoff returns the wait before attempt n+1.
func Backoff(attempts int) time.Duration {
	d := RetryBase
	for i := 1; i < attempts && d < RetryMax; i++ {
		d *= 2
	}
	if d > RetryMax {
		d = RetryMax
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
