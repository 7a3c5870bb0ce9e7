package daemon_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/store"
)

// TestRunLoop runs the daemon's long-running loop (not --once) against
// in-process IMAP and SMTP servers: minutes appended while it idles are
// handled and mailed without any poll tick, and cancelling stops it cleanly.
func TestRunLoop(t *testing.T) {
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
	cfg.IMAP.PollInterval.Duration = time.Hour // only IDLE can make this test pass in time
	cfg.Security.TrustedAuthservID = trustedID
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(t.Context(), cfg, daemon.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, 5*time.Second, func() { close(ready) }) }()
	<-ready
	// Let the poller reach IDLE on an empty INBOX first.
	deadline := time.Now().Add(5 * time.Second)
	for !d.Pollers[0].Status().Idle && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !d.Pollers[0].Status().Idle {
		t.Fatal("poller never reached IDLE")
	}

	raw, err := os.ReadFile("../demo/minutes.eml")
	if err != nil {
		t.Fatal(err)
	}
	raw = append([]byte(authResults), raw...)
	start := time.Now()
	if err := imapSrv.Append("INBOX", raw); err != nil {
		t.Fatal(err)
	}
	got := smtpSrv.WaitFor(5, 10*time.Second)
	if len(got) != 5 {
		t.Fatalf("after appending minutes, %d mails were delivered, want 5", len(got))
	}
	t.Logf("minutes appended → 5 mails delivered in %s", time.Since(start).Round(time.Millisecond))
	items, err := d.Store.Items(ctx, store.ItemFilter{})
	if err != nil || len(items) != 4 {
		t.Fatalf("items %d (%v), want 4", len(items), err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	case <-time.After(6 * time.Second):
		t.Fatal("Run did not return within the grace period")
	}
	if r, err := d.Store.LastRunOutcome(context.Background(), daemon.HostName()); err != nil || r.Mode != store.ModeDaemon || r.State != store.RunStopped || r.Error != "" {
		t.Errorf("the run recorded after a clean stop: %+v (%v), want daemon/stopped", r, err)
	}
	if n, _ := imapSrv.Count("mailflow/processed"); n != 1 {
		t.Errorf("processed folder holds %d, want 1", n)
	}
	if n, _ := imapSrv.Count("INBOX"); n != 0 {
		t.Errorf("INBOX still holds %d", n)
	}
}
