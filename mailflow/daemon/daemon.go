// Package daemon wires mailflow together: one intake poller per mailbox,
// the engine, the periodic jobs and the outbox sender, with a bounded,
// orderly shutdown.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/intake"
	"mailflow/mailflow/sdnotify"
	"mailflow/mailflow/sender"
	"mailflow/store"
	"mailflow/templates"
)

// Timing of the background loops. The sender does not wait for a timer to
// send new mail: each poller kicks it when a batch of messages commits, and
// the periodic loop when its jobs ran (Kick). Its timer only brings retries
// due later, and mail another process queued (mailflow report --now,
// outbox --retry).
const (
	tickEvery = time.Minute // periodic jobs (reminders, reports, pruning)
	// flushEvery is the longest the sender sleeps unkicked, and how long it
	// waits after the SMTP server could not be reached.
	flushEvery = 30 * time.Second
	// flushGap is the shortest it sleeps for a retry, so that a queued
	// mail whose time the store and the sender judge differently cannot
	// make it spin; kicks wake it at once regardless.
	flushGap = time.Second
)

// Daemon is a running mailflow.
type Daemon struct {
	Config *config.Config
	// Store is the database New opened, and Close closes. The daemon's
	// own loops use it through st; the engine, the sender and the pollers
	// each through their own interface of it.
	Store   *store.Store
	st      workStore
	Engine  *engine.Engine
	Sender  *sender.Sender
	Pollers []*intake.Poller
	// Notifier tells systemd about readiness and liveness; nil outside systemd.
	Notifier *sdnotify.Notifier
	// Leases decides which host polls each mailbox and runs the periodic
	// jobs when several share a PostgreSQL store; nil: this host does all.
	Leases      Leaser
	leases      leaseState
	closeLeases func() error
	log         *slog.Logger
	now         func() time.Time // the clock the sender and the engine use
	kick        chan struct{}
	lastTick    atomic.Int64 // unix time of the periodic loop's last run
	started     time.Time    // when Run began

	// trouble holds the running daemon's current failure per step
	// (stepPeriodic, stepSend), for the run record "mailflow status" shows.
	troubleMu sync.Mutex
	trouble   map[string]error
}

// workStore is what the daemon's own loops ask of the store: requeueing
// interrupted mail, when mail is next due, pruning, and the mailbox
// statuses and run record "mailflow status" shows.
type workStore interface {
	RequeueInterrupted(ctx context.Context) (int64, error)
	NextMailAt(ctx context.Context) (time.Time, error)
	PruneSentMail(ctx context.Context, cutoff, now time.Time, limit int) (int, error)
	DropUnusedBlobs(ctx context.Context, cutoff time.Time) (int, error)
	SaveMailboxStatus(ctx context.Context, m store.MailboxStatus) error
	SchemaVersion(ctx context.Context) (int, error)
	runRecorder
}

// Options configure New.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
	// Templates overrides the templates from config (tests, demo).
	Templates *templates.Set
	// Mode is recorded when the daemon fails to start, for "mailflow
	// status": store.ModeOnce or store.ModeDaemon (the default).
	Mode string
}

// New opens the database and builds every part from cfg.
func New(ctx context.Context, cfg *config.Config, o Options) (*Daemon, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	st, err := store.Open(ctx, cfg.Database.Target())
	if err != nil {
		return nil, err
	}
	// From here a failure to start is recorded, so that "mailflow status"
	// shows it beside the database it concerns.
	started := time.Now()
	fail := func(err error) (*Daemon, error) {
		recordRun(ctx, st, log, runOutcome(or(o.Mode, store.ModeDaemon), started, []stepError{{"starting", err}}))
		st.Close()
		return nil, err
	}
	tmpl := o.Templates
	if tmpl == nil {
		if tmpl, err = templates.Load(cfg.Templates.Dir); err != nil {
			return fail(&FixError{Err: fmt.Errorf("templates.dir: %w", err), Fix: fmt.Sprintf("mailflow templates check %s names the file and line", cfg.Templates.Dir)})
		}
	}
	d, err := newWithStore(ctx, cfg, st, tmpl, o.Now, log)
	if err != nil {
		return fail(err)
	}
	if st.Postgres() {
		if d.Leases, d.closeLeases, err = openLeases(cfg.Database.Target()); err != nil {
			return fail(err)
		}
	}
	return d, nil
}

// NewWithStore builds a daemon on an open store, closing it on failure.
func NewWithStore(ctx context.Context, cfg *config.Config, st *store.Store, tmpl *templates.Set, now func() time.Time, log *slog.Logger) (*Daemon, error) {
	if log == nil {
		log = slog.Default()
	}
	d, err := newWithStore(ctx, cfg, st, tmpl, now, log)
	if err != nil {
		st.Close()
	}
	return d, err
}

func newWithStore(ctx context.Context, cfg *config.Config, st *store.Store, tmpl *templates.Set, now func() time.Time, log *slog.Logger) (*Daemon, error) {
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: tmpl, Now: now, Logger: log})
	if err != nil {
		return nil, err
	}
	snd, err := sender.New(st, cfg.SMTP, now, log)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	d := &Daemon{Config: cfg, Store: st, st: st, Engine: eng, Sender: snd, log: log, now: now, kick: make(chan struct{}, 1)}
	seen := map[string]bool{}
	for _, p := range cfg.Projects {
		if seen[p.Mailbox] {
			continue // projects sharing a folder share its poller; the engine routes by address
		}
		seen[p.Mailbox] = true
		d.Pollers = append(d.Pollers, &intake.Poller{
			Config:  cfg.IMAP,
			Mailbox: p.Mailbox,
			Handler: eng,
			Ledger:  st,
			Log:     log,
			Handled: d.Kick,
			Grace:   cfg.Daemon.ShutdownTimeout.Duration,
		})
	}
	return d, nil
}

// Close closes the database.
func (d *Daemon) Close() error {
	var err error
	if d.closeLeases != nil {
		err = d.closeLeases()
	}
	return errors.Join(err, d.Store.Close())
}

// Kick asks the sender to flush now. Each poller calls it when a batch of
// messages has committed (intake.Poller.Handled), so the mail the batch
// queued is sent at once, and the periodic loop after its jobs. A kick
// while the sender is busy is kept (one is enough) and starts another
// flush when the one in hand ends; a flush that finds nothing due costs one
// indexed query. Mail is never sent twice: each is claimed (queued ->
// sending) before it is sent, by one sender.
func (d *Daemon) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Once runs one full cycle: read every mailbox, queue periodic mail, send
// everything due. It returns the first error but always tries every step,
// and records how the cycle went, and each mailbox's status, for
// "mailflow status".
func (d *Daemon) Once(ctx context.Context) error {
	started := time.Now()
	var mu sync.Mutex
	var failed []stepError
	fail := func(step string, err error) {
		mu.Lock()
		failed = append(failed, stepError{step, err})
		mu.Unlock()
	}
	if n, err := d.st.RequeueInterrupted(ctx); err != nil {
		fail(stepRequeue, err)
	} else if n > 0 {
		d.log.Warn("mail interrupted mid-send by a crash is queued again", "count", n)
	}
	// Mailboxes are read side by side, so a dead or slow one does not
	// delay the others.
	var wg sync.WaitGroup
	for _, p := range d.Pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.Once(ctx); err != nil {
				fail("reading mailbox "+p.Mailbox, fmt.Errorf("mailbox %s: %w", p.Mailbox, err))
			}
		}()
	}
	wg.Wait()
	if err := d.Engine.Tick(ctx); err != nil {
		fail(stepPeriodic, err)
	}
	if _, err := d.Sender.Flush(ctx); err != nil {
		fail(stepSend, fmt.Errorf("send: %w", err))
	}
	if err := d.prune(ctx); err != nil {
		fail(stepPrune, err)
	}
	d.saveStatus(ctx)
	recordRun(ctx, d.st, d.log, runOutcome(store.ModeOnce, started, failed))
	errs := make([]error, len(failed))
	for i, f := range failed {
		errs[i] = f.err
	}
	return errors.Join(errs...)
}

// Run runs until ctx ends, then stops fetching, lets the message and the
// mail batch in hand finish, and returns within grace. ready is called once
// the first mailbox login has succeeded.
func (d *Daemon) Run(ctx context.Context, grace time.Duration, ready func()) error {
	d.started = time.Now()
	recordRun(ctx, d.st, d.log, store.Run{Host: HostName(), Mode: store.ModeDaemon, PID: os.Getpid(), StartedAt: d.started, UpdatedAt: d.started, State: store.RunRunning})
	// ended records how the run ended for "mailflow status".
	ended := func(step string, err error) error {
		r := runOutcome(store.ModeDaemon, d.started, nil)
		r.State = store.RunStopped
		if err != nil {
			r = runOutcome(store.ModeDaemon, d.started, []stepError{{step, err}})
		}
		recordRun(ctx, d.st, d.log, r)
		return err
	}
	if n, err := d.st.RequeueInterrupted(ctx); err != nil {
		return ended(stepRequeue, err)
	} else if n > 0 {
		d.log.Warn("mail interrupted mid-send by a crash is queued again", "count", n)
	}
	// Work contexts outlive ctx by at most grace, so the work in hand can
	// finish after a signal.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var wg sync.WaitGroup
	for _, p := range d.Pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.runLeased(stopAfter(ctx, work), d.mailboxLease(p.Mailbox), p.Run)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.periodic(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.sendLoop(ctx, work)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.watch(ctx, ready)
	}()
	<-ctx.Done()
	d.log.Info("shutting down", "grace", grace)
	d.notify("STOPPING=1")
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return ended("", nil)
	case <-time.After(grace):
		cancelWork()
		<-done
		return ended("stopping", fmt.Errorf("shutdown took longer than %s; work in hand was interrupted", grace))
	}
}

// StatusEvery is how often the running daemon saves each mailbox's status
// and its run record for "mailflow status".
const StatusEvery = 10 * time.Second

// watch calls ready once the first mailbox login succeeded (systemd's
// READY=1: the database is migrated and IMAP works), keeps the systemd
// watchdog fed while the database answers and the periodic loop runs, and
// saves the mailboxes' status for "mailflow status".
func (d *Daemon) watch(ctx context.Context, ready func()) {
	signalled := false
	interval := StatusEvery
	if wd := d.Notifier.WatchdogInterval(); wd > 0 && wd/2 < interval {
		interval = wd / 2
	}
	check := time.NewTicker(100 * time.Millisecond)
	defer check.Stop()
	lastSave := time.Time{}
	for {
		select {
		case <-ctx.Done():
			d.saveStatus(ctx)
			return
		case <-check.C:
		}
		if !signalled {
			for _, p := range d.Pollers {
				if p.Status().Connected {
					signalled = true
					d.notify("READY=1")
					if ready != nil {
						ready()
					}
					break
				}
			}
			// A host that stands by never logs in to the mailbox, so with
			// leases, ready means the database answers.
			if len(d.Pollers) == 0 || d.Leases != nil {
				signalled = true
				d.notify("READY=1")
				if ready != nil {
					ready()
				}
			}
		}
		if time.Since(lastSave) < interval {
			continue
		}
		lastSave = time.Now()
		d.saveStatus(ctx)
		recordRun(ctx, d.st, d.log, d.runningOutcome())
		// The watchdog is fed only while the database answers and the
		// periodic loop is not stuck: a wedged daemon gets restarted.
		if _, err := d.st.SchemaVersion(ctx); err == nil && time.Since(time.Unix(d.lastTick.Load(), 0)) < 3*tickEvery {
			d.notify("WATCHDOG=1")
		}
	}
}

func (d *Daemon) notify(state string) {
	if err := d.Notifier.Notify(state); err != nil {
		d.log.Warn("systemd notify", "state", state, "err", err)
	}
}

// saveStatus stores each mailbox's status for "mailflow status".
func (d *Daemon) saveStatus(ctx context.Context) {
	ctx = context.WithoutCancel(ctx) // the last status is saved on the way out too
	for _, p := range d.Pollers {
		if d.Leases != nil && !d.leases.holds(d.mailboxLease(p.Mailbox)) {
			continue // the active host reports this mailbox
		}
		st := p.Status()
		ms := store.MailboxStatus{Mailbox: p.Mailbox, LastPoll: st.LastPoll, LastError: st.LastError, ErrorAt: st.ErrorAt,
			Connected: st.Connected, Handled: st.Handled, UpdatedAt: time.Now()}
		if err := d.st.SaveMailboxStatus(ctx, ms); err != nil {
			d.log.Warn("save mailbox status", "err", err)
		}
	}
}

// stopAfter returns a context that ends when either ctx or work ends; the
// poller stops fetching on ctx, and its in-flight work is cut at work.
func stopAfter(ctx, work context.Context) context.Context {
	c, cancel := context.WithCancel(work)
	context.AfterFunc(ctx, cancel)
	return c
}

func (d *Daemon) periodic(ctx context.Context) {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		// One host runs the periodic jobs; the idempotency keys of the
		// mail they queue stay the guarantee should two overlap.
		if d.holds(ctx, periodicLease) {
			err := d.Engine.Tick(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Error("periodic jobs", "err", err)
			}
			d.setTrouble(stepPeriodic, err)
			d.Kick()
			err = d.prune(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Error("pruning the outbox", "err", err)
			}
			d.setTrouble(stepPrune, err)
		}
		d.lastTick.Store(time.Now().Unix())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Bounds on one pruning pass: pruneBatch mails per transaction (about
// 30 ms of the write lock the engine also needs: BenchmarkOutboxRetention
// measured 250-350 µs a mail), a pause of pruneYield between transactions
// so that a writer waiting for the lock gets it (SQLite's busy handler
// polls, and would keep missing back-to-back transactions), and at most
// pruneBatches transactions per pass of the periodic loop. A first pass
// over years of sent mail so catches up at up to 5,000 mails a minute
// instead of stalling the loop; after that a pass has a minute's worth.
const (
	pruneBatch   = 100
	pruneBatches = 50
	pruneYield   = 50 * time.Millisecond
)

// PruneSentMail drops the bodies of mail sent more than
// smtp.keep_sent_body_days ago (store.PruneSentMail), at most one pass's
// worth, and reports how many it pruned.
func (d *Daemon) PruneSentMail(ctx context.Context) (int, error) {
	now := d.now()
	cutoff := now.Add(-d.Config.SMTP.SentBodyRetention())
	total := 0
	for i := range pruneBatches {
		if i > 0 {
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-time.After(pruneYield):
			}
		}
		n, err := d.st.PruneSentMail(ctx, cutoff, now, pruneBatch)
		total += n
		if err != nil {
			return total, err
		}
		if n < pruneBatch {
			return total, d.dropUnusedBlobs(ctx, cutoff)
		}
	}
	return total, nil
}

// dropUnusedBlobs deletes the parts mails shared (store.DropUnusedBlobs)
// that the mails pruned up to cutoff were the last to use.
func (d *Daemon) dropUnusedBlobs(ctx context.Context, cutoff time.Time) error {
	n, err := d.st.DropUnusedBlobs(ctx, cutoff)
	if n > 0 {
		d.log.Info("dropped the parts old sent mail shared", "parts", n)
	}
	return err
}

// prune runs PruneSentMail and logs what it did.
func (d *Daemon) prune(ctx context.Context) error {
	n, err := d.PruneSentMail(ctx)
	if n > 0 {
		d.log.Info("dropped the bodies of old sent mail; their headers and the server's answers are kept",
			"mails", n, "keep_sent_body_days", int(d.Config.SMTP.SentBodyRetention()/(24*time.Hour)))
	}
	return err
}

// sendLoop flushes the outbox whenever it is kicked, and otherwise when the
// earliest queued mail is due (see nextFlush).
func (d *Daemon) sendLoop(ctx, work context.Context) {
	t := time.NewTimer(flushEvery)
	defer t.Stop()
	lastErr := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.kick:
		}
		// The batch in hand finishes after a signal: its I/O runs on work,
		// which outlives ctx by the grace period; no new batch starts.
		_, err := d.Sender.FlushUntil(work, ctx.Done())
		d.setTrouble(stepSend, err)
		switch {
		case err != nil && err.Error() != lastErr:
			d.log.Warn("sending mail failed; will retry", "err", err)
			lastErr = err.Error()
		case err == nil && lastErr != "":
			d.log.Info("sending mail works again")
			lastErr = ""
		}
		t.Reset(d.nextFlush(ctx, err))
	}
}

// nextFlush is how long the sender sleeps unless kicked: until the earliest
// queued mail is due (a retry), between flushGap and flushEvery; after a
// failed flush, flushEvery, since mail the server was not reached for is
// due at once and would be tried again without pause.
func (d *Daemon) nextFlush(ctx context.Context, failed error) time.Duration {
	if failed != nil {
		return flushEvery
	}
	next, err := d.st.NextMailAt(ctx)
	if err != nil || next.IsZero() {
		return flushEvery
	}
	return min(max(next.Sub(d.now()), flushGap), flushEvery)
}
