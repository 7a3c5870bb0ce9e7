// Package sender drains the outbox: it delivers queued mail over SMTP with
// go-mail, one reused connection per batch, records what the server said,
// retries temporary failures with backoff and parks permanent ones.
package sender

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"mailflow/mailflow/config"
	"mailflow/store"
)

// Retry timing for temporary failures: the first retry after RetryBase,
// doubling up to RetryMax, each with ±20% jitter so that a queue of mails
// that failed together does not retry in lockstep.
const (
	RetryBase = 30 * time.Second
	RetryMax  = 2 * time.Hour
)

// Sender delivers outbox mail.
type Sender struct {
	store *store.Store
	cfg   config.SMTP
	tls   *tls.Config
	now   func() time.Time
	log   *slog.Logger
}

// Stats counts what one Flush did.
type Stats struct {
	Sent, Retried, Failed int
}

// New returns a sender for the SMTP server in cfg.
func New(st *store.Store, cfg config.SMTP, now func() time.Time, log *slog.Logger) (*Sender, error) {
	host, _, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("smtp.address: %w", err)
	}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("smtp.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("smtp.ca_file %s: no PEM certificates in it", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Sender{store: st, cfg: cfg, tls: tc, now: now, log: log}, nil
}

func (s *Sender) client() (*gomail.Client, error) {
	host, portText, _ := net.SplitHostPort(s.cfg.Address)
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("smtp.address port %q: %w", portText, err)
	}
	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(s.cfg.Timeout.Duration),
		gomail.WithTLSConfig(s.tls),
	}
	switch s.cfg.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(host, opts...)
}

// Check connects, authenticates and quits; for "mailflow doctor".
func (s *Sender) Check(ctx context.Context) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	return sc.Quit()
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
		batch, err := s.store.DueMail(s.now(), s.cfg.BatchSize)
		if err != nil {
			return total, fmt.Errorf("read outbox: %w", err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		st, err := s.sendBatch(ctx, batch)
		total.Sent += st.Sent
		total.Retried += st.Retried
		total.Failed += st.Failed
		if err != nil {
			return total, err
		}
	}
	return total, ctx.Err()
}

// sendBatch delivers a batch over one connection.
func (s *Sender) sendBatch(ctx context.Context, batch []store.Mail) (Stats, error) {
	var st Stats
	c, err := s.client()
	if err != nil {
		return st, err
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return st, fmt.Errorf("connect to SMTP server %s: %w", s.cfg.Address, err)
	}
	defer func() {
		_ = sc.Quit() // best effort; every mail's fate is already recorded
	}()
	for _, m := range batch {
		if ctx.Err() != nil {
			return st, nil // past the shutdown grace period: the rest stays queued
		}
		if err := s.store.MarkSending(m.ID); err != nil {
			return st, fmt.Errorf("mark outbox %d sending: %w", m.ID, err)
		}
		resp, sendErr := s.deliver(sc, m)
		if sendErr == nil {
			if err := s.store.MarkSent(m.ID, s.now(), resp); err != nil {
				return st, fmt.Errorf("mark outbox %d sent: %w", m.ID, err)
			}
			st.Sent++
			s.log.Info("mail sent", "outbox_id", m.ID, "kind", m.Kind, "message_id", m.MessageID)
			continue
		}
		permanent := IsPermanent(sendErr)
		attempts := m.Attempts + 1
		if permanent || attempts >= s.cfg.MaxAttempts {
			reason := sendErr.Error()
			if !permanent {
				reason = fmt.Sprintf("gave up after %d attempts: %s", attempts, reason)
			}
			if err := s.store.MarkFailed(m.ID, reason); err != nil {
				return st, err
			}
			st.Failed++
			s.log.Error("mail parked", "outbox_id", m.ID, "kind", m.Kind, "reason", reason)
		} else {
			next := s.now().Add(Backoff(attempts))
			if err := s.store.MarkRetry(m.ID, next, sendErr.Error()); err != nil {
				return st, err
			}
			st.Retried++
			s.log.Warn("mail deferred", "outbox_id", m.ID, "kind", m.Kind, "retry_at", next, "reason", sendErr.Error())
		}
		var tp *textproto.Error
		if !errors.As(sendErr, &tp) {
			// Not an SMTP reply: the connection is gone; the rest of the
			// batch waits for the next flush.
			return st, fmt.Errorf("SMTP connection lost: %w", sendErr)
		}
		if err := sc.Reset(); err != nil {
			return st, fmt.Errorf("SMTP RSET after error: %w", err)
		}
	}
	return st, nil
}

// deliver sends one stored message and returns the server's final reply.
func (s *Sender) deliver(sc *gosmtp.Client, m store.Mail) (string, error) {
	if err := sc.Mail(m.EnvelopeFrom); err != nil {
		return "", err
	}
	rcpts := m.Recipients()
	if len(rcpts) == 0 {
		return "", &textproto.Error{Code: 554, Msg: "no recipients"}
	}
	for _, r := range rcpts {
		if err := sc.Rcpt(r); err != nil {
			return "", err
		}
	}
	w, err := sc.Data()
	if err != nil {
		return "", err
	}
	if _, err := w.Write(crlf(m.Raw)); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	resp := ""
	if dc, ok := w.(*gosmtp.DataCloser); ok {
		resp = dc.ServerResponse()
	}
	if err := sc.Reset(); err != nil {
		// The mail is accepted; a failed RSET only means a fresh connection
		// for the next one.
		s.log.Debug("RSET after DATA failed", "err", err)
	}
	return resp, nil
}

// crlf normalises line endings to CRLF for the DATA stream.
func crlf(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// IsPermanent reports whether err is an SMTP 5xx reply: the server will
// never accept this mail, so retrying is pointless.
func IsPermanent(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code >= 500 && tp.Code < 600
	}
	msg := err.Error()
	return len(msg) >= 3 && msg[0] == '5' && strings.IndexFunc(msg[:3], func(r rune) bool { return r < '0' || r > '9' }) < 0
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
