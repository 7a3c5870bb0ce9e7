package daemon_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

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
