package daemon_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailflow/internal/pgtest"
	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/store"
)

// switchLeaser grants every lease while on is set, as lease.Holder does
// for the host that holds them.
type switchLeaser struct{ on atomic.Bool }

func (s *switchLeaser) Acquire(context.Context, string) (bool, error) { return s.on.Load(), nil }

// A host standing by does not touch the mailbox; once it holds the lease
// it handles what arrived, and when it loses the lease it stops.
func TestStandbyPollsOnlyWhileItHoldsTheLease(t *testing.T) {
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	key := make([]byte, 32)
	rand.Read(key)
	cfg, err := demo.Config(t.TempDir(), imapSrv.Addr, smtpSrv.Addr, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IMAP.PollInterval.Duration = 200 * time.Millisecond
	cfg.Security.TrustedAuthservID = trustedID
	d, err := daemon.New(t.Context(), cfg, daemon.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	leases := &switchLeaser{}
	d.Leases = leases
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, 5*time.Second, func() { close(ready) }) }()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("a standby never said it was ready")
	}
	raw, err := os.ReadFile("../demo/minutes.eml")
	if err != nil {
		t.Fatal(err)
	}
	if err := imapSrv.Append("INBOX", append([]byte(authResults), raw...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // two lease rounds and many poll intervals
	if items, _ := d.Store.Items(ctx, store.ItemFilter{}); len(items) != 0 || d.Pollers[0].Status().Connected {
		t.Fatalf("standing by, the daemon handled %d items (connected: %v)", len(items), d.Pollers[0].Status().Connected)
	}
	leases.on.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if items, _ := d.Store.Items(ctx, store.ItemFilter{}); len(items) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("holding the lease, the daemon never handled the minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	leases.on.Store(false)
	deadline = time.Now().Add(10 * time.Second)
	for d.Pollers[0].Status().Connected {
		if time.Now().After(deadline) {
			t.Fatal("the daemon kept its mailbox session after losing the lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Two hosts share one PostgreSQL store and one mailbox: one is active,
// the mail is handled and sent once; when the active host stops, the
// other takes over and handles what arrives next.
func TestTwoHostsShareOnePostgres(t *testing.T) {
	url := pgtest.Start(t).CreateDB(t, "twohosts")
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	key := make([]byte, 32)
	rand.Read(key)
	type host struct {
		d      *daemon.Daemon
		cancel context.CancelFunc
		done   chan error
	}
	start := func() *host {
		cfg, err := demo.Config(t.TempDir(), imapSrv.Addr, smtpSrv.Addr, key)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Database = config.Database{URL: url}
		cfg.IMAP.PollInterval.Duration = 200 * time.Millisecond
		cfg.Security.TrustedAuthservID = trustedID
		d, err := daemon.New(t.Context(), cfg, daemon.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if d.Leases == nil {
			t.Fatal("a daemon on PostgreSQL has no leases")
		}
		ctx, cancel := context.WithCancel(t.Context())
		h := &host{d: d, cancel: cancel, done: make(chan error, 1)}
		go func() { h.done <- d.Run(ctx, 5*time.Second, nil) }()
		return h
	}
	stop := func(h *host) {
		h.cancel()
		if err := <-h.done; err != nil {
			t.Error(err)
		}
		h.d.Close()
	}
	a, b := start(), start()
	stopped := map[*host]bool{}
	defer func() {
		for _, h := range []*host{a, b} {
			if !stopped[h] {
				stop(h)
			}
		}
	}()
	raw, err := os.ReadFile("../demo/minutes.eml")
	if err != nil {
		t.Fatal(err)
	}
	if err := imapSrv.Append("INBOX", append([]byte(authResults), raw...)); err != nil {
		t.Fatal(err)
	}
	if got := smtpSrv.WaitFor(5, 15*time.Second); len(got) != 5 {
		t.Fatalf("%d mails delivered for the minutes, want 5", len(got))
	}
	time.Sleep(time.Second) // a second host acting too would have sent more by now
	if got := smtpSrv.WaitFor(6, 0); len(got) != 5 {
		t.Fatalf("%d mails delivered, want 5: both hosts acted", len(got))
	}
	active, standby := a, b
	if !a.d.Pollers[0].Status().Connected {
		active, standby = b, a
	}
	if standby.d.Pollers[0].Status().Connected {
		t.Fatal("both hosts are logged in to the mailbox")
	}
	owners, err := daemon.LeaseHolders(t.Context(), a.d.Store, a.d.Config)
	if err != nil || len(owners) != 2 || owners[0].Host == "" || owners[1].Host == "" {
		t.Fatalf("lease holders %+v (%v), want the mailbox and the periodic jobs held", owners, err)
	}
	stop(active)
	stopped[active] = true
	second := strings.Replace(strings.Replace(string(raw), "<20261124164000.priya@", "<20261201164000.priya@", 1),
		"24 Nov 2026", "1 Dec 2026", 1)
	if err := imapSrv.Append("INBOX", append([]byte(authResults), second...)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		meetings, _ := standby.d.Store.Meetings(t.Context(), 1)
		if len(meetings) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the active host stopped, the standby handled %d meetings, want 2", len(meetings))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
