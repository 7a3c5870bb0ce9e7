package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"mailflow/mailflow/config"
	"mailflow/mailflow/lease"
)

// Leaser decides which host does a job when several share one PostgreSQL
// store (lease.Holder). A daemon without one (SQLite: one host, kept to
// one process by the database's lock file) does every job.
type Leaser interface {
	Acquire(ctx context.Context, name string) (bool, error)
}

// openLeases opens the leases of this host on the PostgreSQL database at
// target: a pool of its own, since each lease holds a connection for as
// long as the host is active. The host is named by its hostname and
// process id, which "mailflow status" shows beside each lease.
func openLeases(target string) (Leaser, func() error, error) {
	db, err := sql.Open("pgx", target)
	if err != nil {
		return nil, nil, fmt.Errorf("leases: %w", err)
	}
	h := lease.New(db, fmt.Sprintf("%s/%d", HostName(), os.Getpid()))
	return h, func() error { return errors.Join(h.Close(), db.Close()) }, nil
}

// Lease names. A mailbox is named by its server, user and folder, so two
// hosts configured for the same mailbox contend for it, whatever their
// configuration files call the project.
const periodicLease = "periodic jobs"

func (d *Daemon) mailboxLease(mailbox string) string { return mailboxLease(d.Config, mailbox) }

func mailboxLease(cfg *config.Config, mailbox string) string {
	return "mailbox " + cfg.IMAP.Username + "@" + cfg.IMAP.Host() + "/" + mailbox
}

// LeaseNames are the leases a daemon with cfg asks for: one per mailbox
// it reads, and the periodic jobs'. "mailflow status" shows who holds them.
func LeaseNames(cfg *config.Config) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range cfg.Projects {
		if !seen[p.Mailbox] {
			seen[p.Mailbox] = true
			names = append(names, mailboxLease(cfg, p.Mailbox))
		}
	}
	return append(names, periodicLease)
}

// LeaseStore is the part of the store LeaseHolders reads: the handle of
// the PostgreSQL database whose sessions hold the leases (package lease
// reads its lock table).
type LeaseStore interface {
	DB() *sqlx.DB
}

// LeaseHolders reports which host holds each of cfg's leases on the
// PostgreSQL store st.
func LeaseHolders(ctx context.Context, st LeaseStore, cfg *config.Config) ([]lease.Owner, error) {
	return lease.Owners(ctx, st.DB().DB, LeaseNames(cfg))
}

// leaseState remembers which leases this host holds, for the status it
// saves (a standby must not overwrite the active host's mailbox status).
type leaseState struct {
	mu   sync.Mutex
	held map[string]bool
}

func (s *leaseState) set(name string, held bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == nil {
		s.held = map[string]bool{}
	}
	s.held[name] = held
}

func (s *leaseState) holds(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[name]
}

// holds reports whether this host may do the job name now, asking for its
// lease: every job is this host's without a Leaser.
func (d *Daemon) holds(ctx context.Context, name string) bool {
	if d.Leases == nil {
		return true
	}
	held, err := d.Leases.Acquire(ctx, name)
	if err != nil && ctx.Err() == nil {
		d.log.Warn("asking for a lease", "lease", name, "err", err)
	}
	if was := d.leases.holds(name); was != held {
		if held {
			d.log.Info("this host is now active", "lease", name)
		} else {
			d.log.Info("standing by: another host is active", "lease", name)
		}
	}
	d.leases.set(name, held && err == nil)
	return held && err == nil
}

// runLeased runs job while this host holds the lease name, and stands by
// while another host does, asking again every lease.RetryEvery. A job
// whose lease is lost (its session ended: the database restarted, the
// network dropped it) is stopped at once; what it had in hand is rolled
// back and done again by whichever host holds the lease next.
func (d *Daemon) runLeased(ctx context.Context, name string, job func(context.Context)) {
	if d.Leases == nil {
		job(ctx)
		return
	}
	t := time.NewTicker(lease.RetryEvery)
	defer t.Stop()
	for ctx.Err() == nil {
		if !d.holds(ctx, name) {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			continue
		}
		jobCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			job(jobCtx)
		}()
	watching:
		for {
			select {
			case <-done:
				break watching
			case <-t.C:
				if !d.holds(ctx, name) {
					cancel()
					<-done
					break watching
				}
			}
		}
		cancel()
	}
}
