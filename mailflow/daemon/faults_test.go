package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/mailflow/internal/faultnet"
	"mailflow/store"
)

// rig is a daemon running its real loop against in-process servers, with
// a fault proxy in front of IMAP and a clock the test can move.
type rig struct {
	t     *testing.T
	imap  *inproc.IMAP
	smtp  *inproc.SMTP
	proxy *faultnet.Proxy
	cfg   *config.Config
	d     *daemon.Daemon
	clock *demo.Clock
	stop  func() error
}

func newRig(t *testing.T, setup func(*rig)) *rig {
	t.Helper()
	r := &rig{t: t, clock: &demo.Clock{}}
	r.clock.Set(time.Now())
	var err error
	if r.imap, err = inproc.StartIMAP("ehr-project", "demo"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.imap.Close() })
	if r.smtp, err = inproc.StartSMTP(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.smtp.Close() })
	if r.proxy, err = faultnet.Start(r.imap.Addr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.proxy.Close() })
	key := make([]byte, 32)
	rand.Read(key)
	if r.cfg, err = demo.Config(t.TempDir(), r.proxy.Addr, r.smtp.Addr, key); err != nil {
		t.Fatal(err)
	}
	r.cfg.IMAP.Timeout.Duration = 30 * time.Second
	r.cfg.Security.TrustedAuthservID = trustedID
	if setup != nil {
		setup(r)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if r.d, err = daemon.New(t.Context(), r.cfg, daemon.Options{Logger: log, Now: r.clock.Now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.d.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() { done <- r.d.Run(ctx, 5*time.Second, func() { close(ready) }) }()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("daemon never logged in")
	}
	r.stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return fmt.Errorf("daemon did not stop")
		}
	}
	return r
}

// minutes returns minutes from the chair with one action item whose text
// is unique to n, padded to about size bytes.
func (r *rig) minutes(n int, size int) []byte {
	var b bytes.Buffer
	b.WriteString(authResults)
	fmt.Fprintf(&b, "From: Priya Shah <priya.shah@%s>\r\nTo: ehr-project@%s\r\nSubject: Minutes: meeting %d\r\n"+
		"Date: %s\r\nMessage-ID: <fault-%d-%d@test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		demo.Domain, demo.Domain, n, r.clock.Now().Format(time.RFC1123Z), n, time.Now().UnixNano())
	fmt.Fprintf(&b, "ACTION: Alice to prepare report number %d by 2099-01-01\r\n\r\nNotes:\r\n", n)
	for b.Len() < size {
		b.WriteString("The interface team walked through the test plan in detail, line by line.\r\n")
	}
	return b.Bytes()
}

// trustedID is the authserv-id the tests' project trusts; authResults is
// the DKIM pass its mail server would stamp on the chair's minutes, so they
// are published at once rather than held for confirmation.
const trustedID = "mx." + demo.Domain

const authResults = "Authentication-Results: " + trustedID + "; dkim=pass header.d=" + demo.Domain + "\r\n"

// waitItems waits until the store holds n items.
func (r *rig) waitItems(n int, within time.Duration) []store.Item {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		items, err := r.d.Store.Items(context.Background(), store.ItemFilter{})
		if err == nil && len(items) >= n {
			return items
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d items after %s, want %d; poller: %+v", len(items), within, n, r.d.Pollers[0].Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkInvariants: every message appended was recorded once and left the
// inbox; every item exists once; every queued mail was delivered once.
func (r *rig) checkInvariants(appended, items int) {
	r.t.Helper()
	counts, err := r.d.Store.CountMessages(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	if total := counts[store.OutcomeProcessed] + counts[store.OutcomeIgnored] + counts[store.OutcomeFailed]; total != appended {
		r.t.Errorf("%d messages recorded, want %d", total, appended)
	}
	got, _ := r.d.Store.Items(context.Background(), store.ItemFilter{})
	texts := map[string]int{}
	for _, it := range got {
		texts[it.Text]++
		if texts[it.Text] > 1 {
			r.t.Errorf("item %q stored twice", it.Text)
		}
	}
	if len(got) != items {
		r.t.Errorf("%d items, want %d", len(got), items)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		inbox, _ := r.imap.Count("INBOX")
		processed, _ := r.imap.Count("mailflow/processed")
		failed, _ := r.imap.Count("mailflow/failed")
		if inbox == 0 && processed+failed == appended {
			break
		}
		if time.Now().After(deadline) {
			r.t.Errorf("folders: inbox %d, processed %d, failed %d; want all %d out of the inbox", inbox, processed, failed, appended)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The outbox first: a mail it calls sent was received before the
	// server said 250, while one sent after this read is not checked.
	sent, _ := r.d.Store.OutboxList(context.Background(), store.MailSent, 100000)
	perID := map[string]int{}
	for _, m := range r.smtp.Received() {
		perID[m.Header("Message-ID")]++
	}
	for _, m := range sent {
		if n := perID["<"+m.MessageID+">"]; n != 1 {
			r.t.Errorf("outbox %d (%s) delivered %d times", m.ID, m.IdemKey, n)
		}
	}
}

func TestIMAPConnectionCutMidFetch(t *testing.T) {
	r := newRig(t, nil)
	r.proxy.CutAfter(300_000) // inside the 1 MB literal of the FETCH
	if err := r.imap.Append("INBOX", r.minutes(1, 1<<20)); err != nil {
		t.Fatal(err)
	}
	r.waitItems(1, 40*time.Second)
	if r.proxy.Cuts() == 0 {
		t.Fatal("the connection was never cut: the test did not test anything")
	}
	if err := r.imap.Append("INBOX", r.minutes(2, 2000)); err != nil {
		t.Fatal(err)
	}
	r.waitItems(2, 40*time.Second)
	r.checkInvariants(2, 2)
	if err := r.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestIMAPConnectionCutMidIdle(t *testing.T) {
	r := newRig(t, nil)
	waitIdle(t, r.d)
	r.proxy.CutAll()
	if err := r.imap.Append("INBOX", r.minutes(1, 2000)); err != nil {
		t.Fatal(err)
	}
	r.waitItems(1, 40*time.Second)
	// And the server going away for a while.
	r.proxy.SetDown(true)
	r.proxy.CutAll()
	r.imap.Append("INBOX", r.minutes(2, 2000))
	time.Sleep(1500 * time.Millisecond)
	r.proxy.SetDown(false)
	r.waitItems(2, 40*time.Second)
	r.checkInvariants(2, 2)
	if err := r.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func waitIdle(t *testing.T, d *daemon.Daemon) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !d.Pollers[0].Status().Idle {
		if time.Now().After(deadline) {
			t.Fatal("poller never reached IDLE")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSMTPFaults: the server fails each mail once in some way, then
// recovers (or, for 550, never does). Mail is delivered exactly once, a
// permanent failure is parked with its reason, and the daemon goes on.
func TestSMTPFaults(t *testing.T) {
	tests := []struct {
		name   string
		reject func(first bool, rec inproc.Received) error
		drop   bool
	}{
		{name: "421 then recover", reject: func(first bool, _ inproc.Received) error {
			if first {
				return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
			}
			return nil
		}},
		{name: "451 then recover", reject: func(first bool, _ inproc.Received) error {
			if first {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "local error"}
			}
			return nil
		}},
		{name: "452 then recover", reject: func(first bool, _ inproc.Received) error {
			if first {
				return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "insufficient storage"}
			}
			return nil
		}},
		{name: "drop after DATA then recover", drop: true},
		{name: "550 for one recipient", reject: func(_ bool, rec inproc.Received) error {
			if rec.To[0] == "carol.nguyen@"+demo.Domain {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]bool{}
			first := func(rec inproc.Received) bool {
				mu.Lock()
				defer mu.Unlock()
				id := rec.Header("Message-ID")
				f := !seen[id]
				seen[id] = true
				return f
			}
			r := newRig(t, func(r *rig) {
				if tc.reject != nil {
					r.smtp.Reject = func(rec inproc.Received) error { return tc.reject(first(rec), rec) }
				}
				if tc.drop {
					r.smtp.Drop = first
				}
			})
			if err := r.imap.Append("INBOX", r.minutes(1, 2000)); err != nil {
				t.Fatal(err)
			}
			r.waitItems(1, 10*time.Second)
			// Five minutes mails are queued; move the clock past every
			// retry and let the sender run until nothing is queued.
			deadline := time.Now().Add(20 * time.Second)
			for {
				c, _ := r.d.Store.OutboxCounts(context.Background())
				if c[store.MailSent]+c[store.MailFailed] == 5 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("outbox never settled: %v", c)
				}
				r.clock.Set(r.clock.Now().Add(3 * time.Hour))
				r.d.Kick()
				time.Sleep(50 * time.Millisecond)
			}
			c, _ := r.d.Store.OutboxCounts(context.Background())
			parked, _ := r.d.Store.OutboxList(context.Background(), store.MailFailed, 10)
			if strings.HasPrefix(tc.name, "550") {
				if c[store.MailFailed] != 1 || !strings.Contains(parked[0].LastError, "550") || parked[0].Recipients()[0] != "carol.nguyen@"+demo.Domain {
					t.Errorf("550: counts %v, parked %+v", c, parked)
				}
			} else if c[store.MailFailed] != 0 {
				t.Errorf("temporary failure parked mail: %+v", parked)
			}
			// The daemon is still alive: new minutes are handled and mailed.
			if err := r.imap.Append("INBOX", r.minutes(2, 2000)); err != nil {
				t.Fatal(err)
			}
			r.waitItems(2, 10*time.Second)
			r.checkInvariants(2, 2)
			if err := r.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
}

// TestDatabaseLockedByAnotherProcess holds an exclusive SQLite lock from a
// child process for longer than the busy timeout while mail arrives.
func TestDatabaseLockedByAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ~10 s")
	}
	r := newRig(t, nil)
	waitIdle(t, r.d)
	hold := 7 * time.Second // > store.BusyTimeout (5 s)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "MAILFLOW_HOLD_LOCK="+r.cfg.Database.Path, "MAILFLOW_HOLD_FOR="+hold.String())
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "LOCKED" {
		t.Fatalf("helper did not take the lock: %q %v", buf, err)
	}
	start := time.Now()
	if err := r.imap.Append("INBOX", r.minutes(1, 2000)); err != nil {
		t.Fatal(err)
	}
	items := r.waitItems(1, hold+20*time.Second)
	if waited := time.Since(start); waited < hold-time.Second {
		t.Errorf("item stored after %s, while the database was locked for %s", waited, hold)
	}
	cmd.Wait()
	if len(items) != 1 {
		t.Errorf("items %d", len(items))
	}
	r.checkInvariants(1, 1)
	if err := r.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// TestHelperHoldLock is run as a child process by the test above.
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv("MAILFLOW_HOLD_LOCK")
	if path == "" {
		t.Skip("helper process only")
	}
	hold, _ := time.ParseDuration(os.Getenv("MAILFLOW_HOLD_FOR"))
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO schedule_runs (project_id, job, last_run) VALUES (1, 'lock-test', CURRENT_TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	fmt.Print("LOCKED")
	time.Sleep(hold)
	tx.Rollback()
}
