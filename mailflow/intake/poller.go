package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
)

// Handler processes one fetched message; engine.Engine is the real one.
type Handler interface {
	Handle(ctx context.Context, d engine.Delivery) (engine.Result, error)
}

// Ledger is what the poller needs from the store: where it got to, and what
// became of a message handled before a crash interrupted its move.
type Ledger interface {
	Checkpoint(mailbox string) (store.Checkpoint, error)
	MessageByUID(mailbox string, uidValidity, uid uint32) (store.Message, error)
}

// Reconnect timing after a network or server error.
const (
	reconnectMin = time.Second
	reconnectMax = 5 * time.Minute
	// idleMax re-issues IDLE well inside the 29 minutes after which
	// RFC 2177 lets a server drop an idle client.
	idleMax = 20 * time.Minute
)

// Poller reads one mailbox.
type Poller struct {
	Config  config.IMAP
	Mailbox string
	Handler Handler
	Ledger  Ledger
	Log     *slog.Logger
	// Handled is called after a batch of messages was handled, so outgoing
	// mail goes out at once instead of at the next sender tick.
	Handled func()

	mu     sync.Mutex
	status Status
}

// Status is what "mailflow status" shows for a mailbox.
type Status struct {
	Mailbox   string
	LastPoll  time.Time
	LastError string
	ErrorAt   time.Time
	Connected bool
	Idle      bool
	Handled   int
}

// Status returns the poller's current status.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status
	s.Mailbox = p.Mailbox
	return s
}

func (p *Poller) setStatus(f func(*Status)) {
	p.mu.Lock()
	f(&p.status)
	p.mu.Unlock()
}

func (p *Poller) log() *slog.Logger {
	l := p.Log
	if l == nil {
		l = slog.Default()
	}
	return l.With("mailbox", p.Mailbox)
}

// Once connects, handles every message waiting in the mailbox and returns.
func (p *Poller) Once(ctx context.Context) error {
	conn, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = p.Cycle(ctx, conn)
	return err
}

func (p *Poller) connect(ctx context.Context) (*Conn, error) {
	conn, err := Dial(ctx, p.Config)
	if err != nil {
		return nil, err
	}
	for _, mb := range []string{p.Config.ProcessedMailbox, p.Config.FailedMailbox} {
		if err := conn.EnsureMailbox(mb); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

// Run reads the mailbox until ctx ends: handle what is there, then wait
// for more with IDLE (or sleep poll_interval), reconnecting with backoff
// after any error. A cause is logged when it first appears and when it
// clears, not on every retry.
func (p *Poller) Run(ctx context.Context) {
	log := p.log()
	delay := reconnectMin
	lastErr := ""
	for ctx.Err() == nil {
		err := p.session(ctx, func() {
			if lastErr != "" {
				log.Info("mailbox reachable again")
				lastErr = ""
			}
			delay = reconnectMin
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.setStatus(func(s *Status) { s.LastError, s.ErrorAt, s.Connected, s.Idle = err.Error(), time.Now(), false, false })
			if err.Error() != lastErr {
				log.Warn("mailbox unavailable; will retry", "err", err)
				lastErr = err.Error()
			} else {
				log.Debug("mailbox still unavailable", "err", err, "retry_in", delay)
			}
		}
		wait := time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		delay *= 2
		if delay > reconnectMax {
			delay = reconnectMax
		}
	}
}

// session is one connection's life: connect, then cycle and wait until an
// error or ctx ends.
func (p *Poller) session(ctx context.Context, connected func()) error {
	conn, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	connected()
	p.setStatus(func(s *Status) { s.Connected = true })
	useIdle := p.Config.UseIDLE() && conn.HasIdle()
	for ctx.Err() == nil {
		if _, err := p.Cycle(ctx, conn); err != nil {
			return err
		}
		wait := p.Config.PollInterval.Duration
		if useIdle {
			if wait > idleMax {
				wait = idleMax
			}
			p.setStatus(func(s *Status) { s.Idle = true })
			_, err := conn.Idle(ctx, wait)
			p.setStatus(func(s *Status) { s.Idle = false })
			if err != nil {
				return err
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil
}

// Cycle handles every message in the mailbox: first it finishes moving
// messages handled before an interruption, then it fetches and handles new
// ones in UID order, batch by batch. It returns how many it handled.
func (p *Poller) Cycle(ctx context.Context, conn *Conn) (int, error) {
	log := p.log()
	sel, err := conn.Select(p.Mailbox)
	if err != nil {
		return 0, err
	}
	uv := sel.UIDValidity
	p.setStatus(func(s *Status) { s.LastPoll = time.Now() })
	if sel.NumMessages == 0 {
		return 0, nil
	}
	cp, err := p.Ledger.Checkpoint(p.Mailbox)
	if err != nil {
		return 0, err
	}
	if cp.UIDValidity != 0 && cp.UIDValidity != uv {
		// RFC 3501 2.3.1.1: UIDs from the old UIDVALIDITY mean nothing now.
		// Every message is treated as new; Message-ID dedupe in the engine
		// keeps them from being processed twice.
		log.Warn("UIDVALIDITY changed; resyncing by Message-ID", "old", cp.UIDValidity, "new", uv)
	}
	uids, err := conn.UIDs()
	if err != nil {
		return 0, err
	}
	var done, failed, fresh []imap.UID
	for _, uid := range uids {
		if cp.UIDValidity == uv && uint32(uid) <= cp.LastUID {
			m, err := p.Ledger.MessageByUID(p.Mailbox, uv, uint32(uid))
			switch {
			case errors.Is(err, store.ErrNotFound):
				fresh = append(fresh, uid)
			case err != nil:
				return 0, err
			case m.Outcome == store.OutcomeFailed:
				failed = append(failed, uid)
			default:
				done = append(done, uid)
			}
			continue
		}
		fresh = append(fresh, uid)
	}
	if len(done)+len(failed) > 0 {
		log.Info("finishing moves interrupted earlier", "processed", len(done), "failed", len(failed))
		if err := p.move(conn, done, failed); err != nil {
			return 0, err
		}
	}
	handled := 0
	batch := p.Config.BatchSize
	for start := 0; start < len(fresh); start += batch {
		end := min(start+batch, len(fresh))
		n, err := p.batch(ctx, conn, uv, fresh[start:end])
		handled += n
		if n > 0 && p.Handled != nil {
			p.Handled()
		}
		if err != nil {
			return handled, err
		}
		if ctx.Err() != nil {
			return handled, nil
		}
	}
	p.setStatus(func(s *Status) { s.Handled += handled; s.LastError = "" })
	return handled, nil
}

// batch handles one batch of new messages and moves them.
func (p *Poller) batch(ctx context.Context, conn *Conn, uv uint32, uids []imap.UID) (int, error) {
	log := p.log()
	sizes, err := conn.Sizes(uids)
	if err != nil {
		return 0, err
	}
	var small, large []imap.UID
	for _, uid := range uids {
		if sizes[uid] > p.Config.MaxMessageBytes {
			large = append(large, uid)
		} else {
			small = append(small, uid)
		}
	}
	var done, failed []imap.UID
	handled := 0
	handle := func(f Fetched, tooLarge int64) error {
		if ctx.Err() != nil {
			// Shutting down: the message in hand is finished, the rest waits.
			return ctx.Err()
		}
		res, err := p.Handler.Handle(ctx, engine.Delivery{Mailbox: p.Mailbox, UIDValidity: uv, UID: uint32(f.UID), Raw: f.Raw, TooLarge: tooLarge})
		if err != nil {
			return err
		}
		handled++
		if res.Failed() {
			failed = append(failed, f.UID)
		} else {
			done = append(done, f.UID)
		}
		log.Debug("message handled", "uid", f.UID, "message_id", res.MessageID, "kind", res.Kind, "outcome", res.Outcome, "duplicate", res.Duplicate)
		return nil
	}
	// Messages in UID order: large ones are rare, so handle them first only
	// when they come first.
	var fetchErr error
	if len(small) > 0 {
		fetchErr = conn.Fetch(small, false, func(f Fetched) error { return handle(f, 0) })
	}
	if fetchErr == nil && len(large) > 0 {
		fetchErr = conn.Fetch(large, true, func(f Fetched) error { return handle(f, sizes[f.UID]) })
	}
	if err := p.move(conn, done, failed); err != nil {
		return handled, err
	}
	if fetchErr != nil && !errors.Is(fetchErr, context.Canceled) {
		return handled, fetchErr
	}
	return handled, nil
}

func (p *Poller) move(conn *Conn, done, failed []imap.UID) error {
	if err := conn.Move(done, p.Config.ProcessedMailbox); err != nil {
		return fmt.Errorf("move %d messages to %s: %w", len(done), p.Config.ProcessedMailbox, err)
	}
	if err := conn.Move(failed, p.Config.FailedMailbox); err != nil {
		return fmt.Errorf("move %d messages to %s: %w", len(failed), p.Config.FailedMailbox, err)
	}
	return nil
}
