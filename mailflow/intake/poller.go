package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailflow/mailflow/config"
	"mailflow/mailflow/delivery"
	"mailflow/store"
)

// Handler processes fetched messages in order, a batch at a time, and says
// what became of each; engine.Engine is the real one. ReadBatch reads a
// batch without the database, so intake reads the next batch while the one
// before it is handled; HandleRead then handles it. An error from
// HandleRead means none of the batch was handled.
type Handler interface {
	ReadBatch(ds []delivery.Delivery) delivery.Batch
	HandleRead(ctx context.Context, b delivery.Batch) ([]delivery.Result, error)
}

// Ledger is what the poller needs from the store: where it got to, and what
// became of a message handled before a crash interrupted its move.
type Ledger interface {
	Checkpoint(ctx context.Context, mailbox string) (store.Checkpoint, error)
	MessageByUID(ctx context.Context, mailbox string, uidValidity, uid uint32) (store.Message, error)
}

// Reconnect and wait timing.
const (
	reconnectMin = time.Second
	reconnectMax = 5 * time.Minute
	// idleMax re-issues IDLE well inside the 29 minutes after which
	// RFC 2177 lets a server drop an idle client.
	idleMax = 25 * time.Minute
)

// Poller reads one mailbox. Each poller has its own connection and
// goroutine, so a slow or broken mailbox holds up no other.
type Poller struct {
	Config config.IMAP
	// Mailbox is the mailbox as configured ("/" between levels); it also
	// names the checkpoint and the messages in the store.
	Mailbox string
	Handler Handler
	Ledger  Ledger
	Log     *slog.Logger
	// Handled is called after a batch of messages was handled, so outgoing
	// mail goes out at once instead of at the next sender tick.
	Handled func()
	// Grace is how long the work in hand — the batch being handled, its
	// moves, the LOGOUT — may go on after ctx ends: the daemon's
	// shutdown_timeout, which the daemon sets. With none, work stops with
	// ctx.
	Grace time.Duration

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
		p.failed(err)
		return err
	}
	defer conn.Close()
	if _, err = p.Cycle(ctx, conn); err != nil {
		p.failed(err)
	}
	return err
}

func (p *Poller) failed(err error) {
	p.setStatus(func(s *Status) { s.LastError, s.ErrorAt, s.Connected, s.Idle = err.Error(), time.Now(), false, false })
}

func (p *Poller) connect(ctx context.Context) (*Conn, error) {
	conn, err := Dial(ctx, p.Config, p.Grace)
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
// for more with IDLE and at least every poll_interval, reconnecting with
// exponential backoff and jitter after any error. A cause is logged when
// it first appears, when it changes and when it clears, not on every retry.
func (p *Poller) Run(ctx context.Context) {
	log := p.log()
	delay := reconnectMin
	var down string // the current outage's cause; "" while all is well
	var downSince time.Time
	for ctx.Err() == nil {
		start := time.Now()
		err := p.session(ctx, func() {
			if down != "" {
				log.Info("mailbox reachable again", "down_for", time.Since(downSince).Round(time.Second))
				down = ""
			}
			delay = reconnectMin
		})
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			continue
		}
		if (errors.Is(err, errTokenExpiring) || tokenExpired(err)) && time.Since(start) > time.Second {
			// Routine under OAuth 2.0: sign in again with a new token, at
			// once and quietly. (A session that did not last a second had
			// a token about to expire: that is a fault, with backoff.)
			log.Debug("signing in again: the session's token expires", "err", err)
			continue
		}
		p.failed(err)
		wait := jitter(delay)
		switch cause := causeOf(err); {
		case down == "":
			log.Warn("mailbox unavailable; retrying with backoff", "err", err, "retry_in", wait.Round(time.Millisecond))
			down, downSince = cause, time.Now()
		case cause != down:
			log.Warn("mailbox still unavailable, for another reason", "err", err, "retry_in", wait.Round(time.Millisecond))
			down = cause
		default:
			log.Debug("mailbox still unavailable", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(delay*2, reconnectMax)
	}
}

// jitter spreads retries over ±20% so pollers that failed together do not
// retry in lockstep.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

var reVolatile = regexp.MustCompile(`[0-9]+`)

// causeOf reduces an error to what stays the same across retries of the
// same failure: ports, process ids and durations change each time.
func causeOf(err error) string {
	return reVolatile.ReplaceAllString(err.Error(), "#")
}

// tokenRenewMargin is how long before its token expires a session ends
// to sign in again.
const tokenRenewMargin = time.Minute

// errTokenExpiring ends a session whose token is about to expire.
var errTokenExpiring = errors.New("the session's OAuth 2.0 token is about to expire")

// tokenExpired recognises a server ending the session because its token
// expired (Microsoft 365: "BYE Session invalidated - AccessTokenExpired"),
// should the renewal come too late.
func tokenExpired(err error) bool {
	return strings.Contains(err.Error(), "AccessTokenExpired")
}

// session is one connection's life: connect, then cycle and wait until an
// error or ctx ends. healthy is called after the first cycle that worked.
func (p *Poller) session(ctx context.Context, healthy func()) error {
	conn, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	p.setStatus(func(s *Status) { s.Connected = true })
	defer p.setStatus(func(s *Status) { s.Connected = false })
	useIdle := p.Config.UseIDLE() && conn.HasIdle()
	wait := p.Config.PollInterval.Duration
	if wait <= 0 {
		wait = time.Minute
	}
	// A session signed in with a token ends shortly before the token
	// does, since the server would end it then (Microsoft 365 does).
	var renewAt time.Time
	if exp := conn.AuthExpiry(); !exp.IsZero() {
		// A short-lived token is renewed at half its life instead.
		renewAt = exp.Add(-min(tokenRenewMargin, time.Until(exp)/2))
	}
	for first := true; ctx.Err() == nil; first = false {
		if _, err := p.Cycle(ctx, conn); err != nil {
			return err
		}
		if first {
			healthy()
		}
		wait := wait
		if !renewAt.IsZero() {
			left := time.Until(renewAt)
			if left <= 0 {
				return errTokenExpiring
			}
			wait = min(wait, left)
		}
		if useIdle {
			// IDLE wakes us for new mail; it is ended every poll_interval
			// anyway, which also proves the connection still works.
			p.setStatus(func(s *Status) { s.Idle = true })
			_, err := conn.Idle(ctx, min(wait, idleMax))
			p.setStatus(func(s *Status) { s.Idle = false })
			if err != nil {
				return err
			}
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// Cycle handles every message in the mailbox: first it finishes moving
// messages handled before an interruption, then it fetches and handles new
// ones in UID order, batch by batch. It returns how many it handled.
func (p *Poller) Cycle(ctx context.Context, conn *Conn) (int, error) {
	sel, err := conn.Select(p.Mailbox)
	if err != nil {
		return 0, err
	}
	uv := sel.UIDValidity
	p.setStatus(func(s *Status) { s.LastPoll = time.Now(); s.LastError = "" })
	if sel.NumMessages == 0 {
		return 0, nil
	}
	fresh, err := p.resume(ctx, conn, uv)
	if err != nil {
		return 0, err
	}
	c := &cycle{p: p, conn: conn, uv: uv, mv: &mover{p: p, conn: conn, uv: uv}}
	defer c.mv.close()
	return c.run(ctx, fresh)
}

// resume sorts the mailbox's messages: those at or below the checkpoint
// were handled before an interruption and only need moving, which it
// finishes; the rest, returned, are new.
func (p *Poller) resume(ctx context.Context, conn *Conn, uv uint32) ([]imap.UID, error) {
	cp, err := p.Ledger.Checkpoint(ctx, p.Mailbox)
	if err != nil {
		return nil, err
	}
	if cp.UIDValidity != 0 && cp.UIDValidity != uv {
		// RFC 3501 2.3.1.1: UIDs from the old UIDVALIDITY mean nothing now.
		// Every message is treated as new; Message-ID dedupe in the engine
		// keeps them from being processed twice.
		p.log().Warn("UIDVALIDITY changed; resyncing by Message-ID", "old", cp.UIDValidity, "new", uv)
	}
	uids, err := conn.UIDs()
	if err != nil {
		return nil, err
	}
	var done, failed, fresh []imap.UID
	for _, uid := range uids {
		if cp.UIDValidity != uv || uint32(uid) > cp.LastUID {
			fresh = append(fresh, uid)
			continue
		}
		// At or below the checkpoint yet still here: handled, but the move
		// was interrupted. The store says where it belongs.
		m, err := p.Ledger.MessageByUID(ctx, p.Mailbox, uv, uint32(uid))
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Recorded under another UID (a duplicate): handling it again
			// finds it by Message-ID and changes nothing.
			fresh = append(fresh, uid)
		case err != nil:
			return nil, err
		case m.Outcome == store.OutcomeFailed:
			failed = append(failed, uid)
		default:
			done = append(done, uid)
		}
	}
	if len(done)+len(failed) > 0 {
		p.log().Info("finishing moves interrupted earlier", "processed", len(done), "failed", len(failed))
		if err := p.move(conn, done, failed); err != nil {
			return nil, err
		}
	}
	return fresh, nil
}

// cycle is one pass over the new messages of a mailbox. Batches are
// handled on another goroutine while the next is fetched and read, so the
// server sends batch k+1, and the engine parses it, while the engine's
// transaction works on batch k. Batch k+1 is handed over only after batch
// k committed, so messages are still handled in UID order. Shutting down,
// the batch in hand is finished and committed (within Grace); a
// batch fetched but not handed over is dropped and waits, unread, for the
// next run.
type cycle struct {
	p    *Poller
	conn *Conn
	uv   uint32
	// Handled messages are moved in large UID sets: the server's cost is
	// mostly per command (Dovecot rewrites the source mailbox's index for
	// each), not per message. In a backlog the moves run on a second
	// connection, so the server moves one set while it sends the next.
	mv      *mover
	moves   pendingMoves
	handled int
	inHand  chan handledBatch // the batch being handled, if any
}

// run fetches, reads and hands over the fresh messages batch by batch.
func (c *cycle) run(ctx context.Context, fresh []imap.UID) (int, error) {
	p, conn := c.p, c.conn
	batch, limit := p.Config.BatchSize, p.Config.MaxMessageBytes
	work, stop := finishing(ctx, p.Grace)
	defer stop()
	var sizes map[imap.UID]int64 // RFC822.SIZE, asked for many batches at once
	var err error
	for rest := fresh; len(rest) > 0 && ctx.Err() == nil; {
		if _, ok := sizes[rest[0]]; !ok {
			if sizes, err = conn.Sizes(rest[:min(max(batch, sizeChunk), len(rest))]); err != nil {
				return c.fail(err)
			}
		}
		n := batchLen(rest, sizes, batch, limit)
		ds, err := p.fetch(ctx, conn, c.uv, rest[:n], sizes, limit)
		rest = rest[n:]
		var next delivery.Batch
		if err == nil && len(ds) > 0 && ctx.Err() == nil {
			next, err = p.read(ds) // while the batch before is handled
		}
		if cerr := c.collect(); cerr != nil {
			return c.fail(errors.Join(cerr, err))
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				break
			}
			return c.fail(err)
		}
		if c.moves.due() {
			if err := c.mv.start(ctx, &c.moves); err != nil {
				return c.handled, err
			}
		}
		if ctx.Err() != nil || len(ds) == 0 {
			continue
		}
		c.handOver(work, ds, next)
	}
	if err := c.collect(); err != nil {
		return c.fail(err)
	}
	return c.handled, c.mv.finish(&c.moves)
}

// handOver has the handler handle a read batch on another goroutine.
func (c *cycle) handOver(work context.Context, ds []delivery.Delivery, next delivery.Batch) {
	ch := make(chan handledBatch, 1)
	go func() {
		r := handledBatch{ds: ds}
		defer func() {
			// A bug the engine did not catch ends this cycle with an
			// error (the batch rolled back), not the whole daemon.
			if v := recover(); v != nil {
				r.err = fmt.Errorf("internal error handling the batch (please report): %v\n%s", v, debug.Stack())
			}
			ch <- r
		}()
		r.results, r.err = c.p.Handler.HandleRead(work, next)
	}()
	c.inHand = ch
}

// collect waits for the batch in hand and queues its messages' moves.
func (c *cycle) collect() error {
	if c.inHand == nil {
		return nil
	}
	r := <-c.inHand
	c.inHand = nil
	if r.err != nil {
		return fmt.Errorf("handle uids %d-%d: %w", r.ds[0].UID, r.ds[len(r.ds)-1].UID, r.err)
	}
	log := c.p.log()
	for i, res := range r.results {
		uid := r.ds[i].UID
		c.moves.add(imap.UID(uid), res.Failed())
		log.Info("message handled", "uid", uid, "message_id", res.MessageID, "kind", res.Kind,
			"outcome", res.Outcome, "duplicate", res.Duplicate)
	}
	c.handled += len(r.results)
	c.p.setStatus(func(s *Status) { s.Handled += len(r.results) })
	if c.p.Handled != nil {
		c.p.Handled()
	}
	return nil
}

// fail ends the cycle after err: what was handled still goes where it
// belongs, unless the connection is gone; then the next cycle finishes
// the move.
func (c *cycle) fail(err error) (int, error) {
	if cerr := c.collect(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if merr := c.mv.finish(&c.moves); merr != nil {
		err = errors.Join(err, merr)
	}
	return c.handled, err
}

// read reads a fetched batch for the handler. A bug the handler did not
// catch ends the cycle with an error, not the whole daemon.
func (p *Poller) read(ds []delivery.Delivery) (b delivery.Batch, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("internal error reading uids %d-%d (please report): %v\n%s", ds[0].UID, ds[len(ds)-1].UID, v, debug.Stack())
		}
	}()
	return p.Handler.ReadBatch(ds), nil
}

// handledBatch is what became of a batch handed to the engine.
type handledBatch struct {
	ds      []delivery.Delivery
	results []delivery.Result
	err     error
}

// batchLen is how many of uids the next batch takes: up to batch
// messages, and no more than handleBytes of them by their RFC822.SIZE
// (messages over limit count only their header), but always one.
func batchLen(uids []imap.UID, sizes map[imap.UID]int64, batch int, limit int64) int {
	n, total := 0, int64(0)
	for n < len(uids) && n < batch {
		size, known := sizes[uids[n]]
		if !known && n > 0 {
			break // past the sizes asked for: the next batch asks again
		}
		if size > limit {
			size = maxHeaderBytes
		}
		if n > 0 && total+size > handleBytes {
			break
		}
		total += size
		n++
	}
	return max(n, 1)
}

// handleBytes bounds the bytes of the messages in one batch, whatever
// batch_size says: with one batch being handled while the next is fetched,
// this keeps a backlog of large messages from sitting in memory at once.
const handleBytes = 8 << 20

// Limits on how many handled messages wait for their move.
const (
	moveBatch = 2000            // UIDs waiting before a move
	moveEvery = 2 * time.Second // longest wait before a move
	// moveAside is the smallest set worth a second connection.
	moveAside = 500
	// sizeChunk is how many messages' sizes one FETCH asks for.
	sizeChunk = 2000
)

// pendingMoves are handled messages not yet moved.
type pendingMoves struct {
	done, failed []imap.UID
	since        time.Time // when the oldest was handled
}

func (m *pendingMoves) add(uid imap.UID, failed bool) {
	if m.len() == 0 {
		m.since = time.Now()
	}
	if failed {
		m.failed = append(m.failed, uid)
	} else {
		m.done = append(m.done, uid)
	}
}

func (m *pendingMoves) len() int { return len(m.done) + len(m.failed) }

func (m *pendingMoves) due() bool {
	n := m.len()
	return n >= moveBatch || n > 0 && time.Since(m.since) >= moveEvery
}

// mover moves handled messages: small sets on the cycle's connection,
// large ones on a second connection in the background, one set at a time.
// A move that fails leaves the messages where they are, handled; the next
// cycle finishes it.
type mover struct {
	p       *Poller
	conn    *Conn
	uv      uint32
	aside   *Conn      // the second connection, once opened
	noAside bool       // it could not be opened: do without
	running chan error // the move in the background, if any
}

// start moves m's messages, in the background when worth it, and empties m.
func (mv *mover) start(ctx context.Context, m *pendingMoves) error {
	if err := mv.wait(); err != nil {
		return err
	}
	done, failed := m.done, m.failed
	*m = pendingMoves{}
	if len(done)+len(failed) < moveAside || !mv.open(ctx) {
		return mv.p.move(mv.conn, done, failed)
	}
	ch := make(chan error, 1)
	go func() { ch <- mv.p.move(mv.aside, done, failed) }()
	mv.running = ch
	return nil
}

// finish moves what remains and waits for every move to end.
func (mv *mover) finish(m *pendingMoves) error {
	err := mv.wait()
	if m.len() > 0 && err == nil {
		err = mv.p.move(mv.conn, m.done, m.failed)
	}
	*m = pendingMoves{}
	return err
}

func (mv *mover) wait() error {
	if mv.running == nil {
		return nil
	}
	err := <-mv.running
	mv.running = nil
	return err
}

// open opens the second connection on the same mailbox, reporting whether
// it is there to use. A server that refuses it (a limit on connections per
// user) costs nothing but the speed.
func (mv *mover) open(ctx context.Context) bool {
	if mv.aside != nil || mv.noAside {
		return mv.aside != nil
	}
	c, err := Dial(ctx, mv.p.Config, mv.p.Grace)
	if err == nil {
		var sel *imap.SelectData
		if sel, err = c.Select(mv.p.Mailbox); err == nil && sel.UIDValidity != mv.uv {
			err = fmt.Errorf("UIDVALIDITY %d, not %d", sel.UIDValidity, mv.uv)
		}
		if err != nil {
			c.Close()
		}
	}
	if err != nil {
		mv.p.log().Debug("moving on the one connection: a second one failed", "err", err)
		mv.noAside = true
		return false
	}
	mv.aside = c
	return true
}

func (mv *mover) close() {
	_ = mv.wait() // only after an error was returned already
	if mv.aside != nil {
		mv.aside.Close()
	}
}

// fetch fetches a batch of new messages in UID order. Messages over
// max_message_bytes by their RFC822.SIZE in sizes are fetched header only
// and marked too large, so the engine records them as failed.
func (p *Poller) fetch(ctx context.Context, conn *Conn, uv uint32, uids []imap.UID, sizes map[imap.UID]int64, limit int64) ([]delivery.Delivery, error) {
	var ds []delivery.Delivery
	add := func(f Fetched, tooLarge int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		ds = append(ds, delivery.Delivery{Mailbox: p.Mailbox, UIDValidity: uv, UID: uint32(f.UID), Raw: f.Raw, TooLarge: tooLarge})
		return nil
	}
	// Runs of UIDs of the same kind keep UID order (minutes before the
	// replies to them) with one FETCH per run.
	for i := 0; i < len(uids); {
		large := sizes[uids[i]] > limit
		j := i + 1
		for j < len(uids) && (sizes[uids[j]] > limit) == large {
			j++
		}
		var err error
		if large {
			err = conn.Fetch(uids[i:j], true, limit, func(f Fetched) error { return add(f, sizes[f.UID]) })
		} else {
			err = conn.Fetch(uids[i:j], false, limit, func(f Fetched) error {
				if f.Truncated { // larger than RFC822.SIZE said
					return add(f, f.Size)
				}
				return add(f, 0)
			})
		}
		if err != nil {
			return ds, err
		}
		i = j
	}
	return ds, nil
}

// finishing returns a context for work in hand: it ends grace after ctx
// ends, not at once.
func finishing(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return work, func() {
		stop()
		cancel()
	}
}

// move moves messages to the processed and failed folders.
func (p *Poller) move(conn *Conn, done, failed []imap.UID) error {
	if err := conn.Move(done, p.Config.ProcessedMailbox); err != nil {
		return fmt.Errorf("move %d messages to %s: %w", len(done), p.Config.ProcessedMailbox, err)
	}
	if err := conn.Move(failed, p.Config.FailedMailbox); err != nil {
		return fmt.Errorf("move %d messages to %s: %w", len(failed), p.Config.FailedMailbox, err)
	}
	return nil
}
