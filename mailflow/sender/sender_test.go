package sender

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	"mailflow/mailflow/compose"
	"mailflow/mailflow/config"
	"mailflow/store"
	"mailflow/templates"
)

var t0 = time.Date(2026, 11, 30, 13, 30, 0, 0, time.UTC)

// clock is a settable clock for backoff.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	st      *store.Store
	path    string
	project int64
	clock   *clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mailflow.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pid, err := st.EnsureProject(context.Background(), "EHR Rollout", "ehr@clinic.example")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, path: path, project: pid, clock: &clock{t: t0}}
}

// reopen closes the store and opens it again, as a restart does.
func (f *fixture) reopen(t testing.TB) {
	t.Helper()
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
}

// message builds a realistic mail the way the engine does.
func message(t testing.TB, to, msgID string) []byte {
	t.Helper()
	raw, err := compose.Build(compose.Mail{
		Kind:      mailflow.MailReminder,
		FromName:  "EHR Rollout",
		From:      "mailflow@clinic.example",
		To:        []string{to},
		ReplyTo:   "ehr+a3.token@clinic.example",
		Subject:   "1 due soon — EHR Rollout action items",
		Text:      "Hello Carol,\n\nA-3    Order 40 badge readers for wards 3 and 4\n       Due Wed 2 Dec 2026 (in 2 days)\n.\n..leading dots survive\n",
		HTML:      "<p>Hello Carol</p>",
		MessageID: msgID,
		Date:      t0,
		LoopID:    "ehr@clinic.example",
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (f *fixture) enqueue(t testing.TB, key string, to ...string) string {
	t.Helper()
	msgID := fmt.Sprintf("mailflow.%s@clinic.example", strings.ReplaceAll(key, ":", "."))
	raw := message(t, to[0], msgID)
	err := f.st.Tx(context.Background(), func(tx *store.Tx) error {
		added, err := tx.Enqueue(store.Mail{
			ProjectID: f.project, IdemKey: key, Kind: "reminder", EnvelopeFrom: "mailflow@clinic.example",
			Subject: "digest", MessageID: msgID, Raw: raw,
		}, to, f.clock.Now())
		if err == nil && !added {
			err = fmt.Errorf("idempotency key %s queued twice", key)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgID
}

func (f *fixture) row(t testing.TB, key string) store.Mail {
	t.Helper()
	ms, err := f.st.OutboxList(context.Background(), "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.IdemKey == key {
			return m
		}
	}
	t.Fatalf("no outbox row %s", key)
	return store.Mail{}
}

func (f *fixture) sender(t testing.TB, ts *testServer, security string, mod func(*config.SMTP)) *Sender {
	t.Helper()
	cfg := config.SMTP{Endpoint: config.Endpoint{Address: ts.Addr, Security: security, CAFile: ts.CAFile, Timeout: config.Duration{Duration: 5 * time.Second}}, From: "mailflow@clinic.example", MaxAttempts: 4, BatchSize: 50}
	if ts.username != "" {
		cfg.Username, cfg.Password = ts.username, ts.password
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(f.st, cfg, f.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func flush(t testing.TB, s *Sender) (Stats, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Flush(ctx)
}

func withAuth(ts *testServer) { ts.username, ts.password = "mailflow", "s3cret pass" }

func TestSendSTARTTLSWithAuth(t *testing.T) {
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		t.Run(mech, func(t *testing.T) {
			f := newFixture(t)
			ts := startServer(t, modeSTARTTLS, func(ts *testServer) { withAuth(ts); ts.mechs = []string{mech} })
			msgID := f.enqueue(t, "reminder:1", "carol@clinic.example")
			st, err := flush(t, f.sender(t, ts, "starttls", nil))
			if err != nil || st.Sent != 1 {
				t.Fatalf("Flush = %+v, %v; want 1 sent", st, err)
			}
			got := ts.Received()
			if len(got) != 1 {
				t.Fatalf("server received %d mails, want 1", len(got))
			}
			r := got[0]
			if !r.TLS || r.Authed != mech {
				t.Errorf("TLS = %v, AUTH = %q; want TLS and %s", r.TLS, r.Authed, mech)
			}
			if r.From != "mailflow@clinic.example" || len(r.To) != 1 || r.To[0] != "carol@clinic.example" {
				t.Errorf("envelope = %s -> %v", r.From, r.To)
			}
			if !bytes.Contains(r.Data, []byte("<"+msgID+">")) {
				t.Errorf("Message-ID %s not in the delivered mail", msgID)
			}
			row := f.row(t, "reminder:1")
			if row.Status != store.MailSent || !strings.HasPrefix(row.SMTPResponse, "250") || row.Attempts != 1 || row.SentAt.IsZero() {
				t.Errorf("row = status %s, response %q, attempts %d, sent_at %v", row.Status, row.SMTPResponse, row.Attempts, row.SentAt)
			}
			if row.MessageID != msgID {
				t.Errorf("row Message-ID = %q, want %q", row.MessageID, msgID)
			}
		})
	}
}

func TestSendImplicitTLS(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeTLS, withAuth)
	f.enqueue(t, "k1", "carol@clinic.example")
	f.enqueue(t, "k2", "dan@clinic.example")
	st, err := flush(t, f.sender(t, ts, "tls", nil))
	if err != nil || st.Sent != 2 {
		t.Fatalf("Flush = %+v, %v; want 2 sent", st, err)
	}
	for _, r := range ts.Received() {
		if !r.TLS || r.Authed == "" {
			t.Errorf("mail to %v: TLS %v, auth %q", r.To, r.TLS, r.Authed)
		}
	}
	if n := ts.Conns(); n != 1 {
		t.Errorf("%d connections for one batch, want 1", n)
	}
}

func TestCertificateIsVerified(t *testing.T) {
	for _, mode := range []struct {
		name     string
		mode     serverMode
		security string
	}{{"starttls", modeSTARTTLS, "starttls"}, {"tls", modeTLS, "tls"}} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFixture(t)
			ts := startServer(t, mode.mode, withAuth)
			f.enqueue(t, "k1", "carol@clinic.example")
			// No ca_file: the self-signed certificate is not trusted.
			s := f.sender(t, ts, mode.security, func(c *config.SMTP) { c.CAFile = "" })
			_, err := flush(t, s)
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("Flush with an untrusted certificate = %v, want a certificate error", err)
			}
			if len(ts.Received()) != 0 {
				t.Fatal("mail was sent over an unverified connection")
			}
			if row := f.row(t, "k1"); row.Status != store.MailQueued || row.Attempts != 0 {
				t.Errorf("row after a failed connection = %s, %d attempts; want queued, 0", row.Status, row.Attempts)
			}
		})
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modePlain, nil) // offers no STARTTLS
	f.enqueue(t, "k1", "carol@clinic.example")
	if _, err := flush(t, f.sender(t, ts, "starttls", nil)); err == nil {
		t.Fatal("Flush to a server without STARTTLS succeeded with security = starttls")
	}
	if len(ts.Received()) != 0 {
		t.Fatal("mail was sent in the clear")
	}
}

func TestInsecureLoopbackAuth(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modePlain, withAuth)
	f.enqueue(t, "k1", "carol@clinic.example")
	st, err := flush(t, f.sender(t, ts, "insecure", nil))
	if err != nil || st.Sent != 1 {
		t.Fatalf("Flush = %+v, %v; want 1 sent", st, err)
	}
}

func TestAuthFailureKeepsMailQueued(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, withAuth)
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", func(c *config.SMTP) { c.Password = "wrong" })
	if _, err := flush(t, s); err == nil {
		t.Fatal("Flush with a wrong password succeeded")
	}
	if row := f.row(t, "k1"); row.Status != store.MailQueued || row.Attempts != 0 {
		t.Errorf("row = %s, %d attempts; a server-wide failure must not use up the mail's attempts", row.Status, row.Attempts)
	}
}

func TestTemporaryFailureThenSuccess(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		ts.data = func(n int, _ received) (error, bool) {
			if n == 1 {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}, false
			}
			return nil, false
		}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", nil)

	st, err := flush(t, s)
	if err != nil || st.Retried != 1 || st.Sent != 0 {
		t.Fatalf("first Flush = %+v, %v; want 1 retried", st, err)
	}
	row := f.row(t, "k1")
	if row.Status != store.MailQueued || row.Attempts != 1 || !strings.Contains(row.LastError, "451") {
		t.Fatalf("after 451: status %s, attempts %d, last error %q", row.Status, row.Attempts, row.LastError)
	}
	if wait := row.NextAttemptAt.Sub(t0); wait < RetryBase*8/10 || wait > RetryBase*12/10 {
		t.Errorf("retry in %v, want %v ± 20%%", wait, RetryBase)
	}
	// Not due yet: nothing happens.
	if st, _ := flush(t, s); st != (Stats{}) {
		t.Errorf("Flush before the retry time = %+v, want nothing", st)
	}
	f.clock.Add(RetryBase * 2)
	if st, err := flush(t, s); err != nil || st.Sent != 1 {
		t.Fatalf("Flush after the backoff = %+v, %v; want 1 sent", st, err)
	}
	if got := ts.Received(); len(got) != 1 {
		t.Fatalf("server holds %d copies, want exactly 1", len(got))
	}
	if row := f.row(t, "k1"); row.Status != store.MailSent || row.Attempts != 2 {
		t.Errorf("row = %s after %d attempts, want sent after 2", row.Status, row.Attempts)
	}
}

func TestPermanentFailureIsParked(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		ts.rcpt = func(to string) error {
			if strings.HasPrefix(to, "gone@") {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
			}
			return nil
		}
	})
	f.enqueue(t, "bad", "gone@clinic.example")
	f.enqueue(t, "good", "carol@clinic.example")
	st, err := flush(t, f.sender(t, ts, "starttls", nil))
	if err != nil || st.Failed != 1 || st.Sent != 1 {
		t.Fatalf("Flush = %+v, %v; want 1 failed and 1 sent", st, err)
	}
	row := f.row(t, "bad")
	if row.Status != store.MailFailed || !strings.Contains(row.LastError, "550") || !strings.Contains(row.LastError, "mailbox unavailable") {
		t.Errorf("parked row: status %s, reason %q", row.Status, row.LastError)
	}
	// The refusal was followed by RSET on the same connection.
	if got := ts.Received(); len(got) != 1 || got[0].To[0] != "carol@clinic.example" || ts.Conns() != 1 {
		t.Errorf("received %v over %d connections, want carol's mail over 1", got, ts.Conns())
	}
	// A parked mail is not tried again.
	f.clock.Add(24 * time.Hour)
	if st, _ := flush(t, f.sender(t, ts, "starttls", nil)); st != (Stats{}) {
		t.Errorf("Flush after parking = %+v, want nothing", st)
	}
}

// TestUnreadableMailIsParked: a mail whose shared part is gone from the
// database (store.Mail.RawErr) is parked with the reason, never sent cut
// short, and the mails around it are sent.
func TestUnreadableMailIsParked(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, withAuth)
	var body strings.Builder
	for i := range 80 {
		fmt.Fprintf(&body, "A-%d    confirm interface test window %d with the pharmacy vendor\n", i, i*13)
	}
	err := f.st.Tx(context.Background(), func(tx *store.Tx) error {
		for _, to := range []string{"alice@clinic.example", "bob@clinic.example"} {
			msgID := "minutes." + to
			raw, err := compose.Build(compose.Mail{Kind: mailflow.MailMinutes, FromName: "EHR Rollout", From: "mailflow@clinic.example",
				To: []string{to}, Subject: "Minutes", Text: body.String(), MessageID: msgID, Date: t0, LoopID: "ehr@clinic.example"})
			if err != nil {
				return err
			}
			if _, err := tx.Enqueue(store.Mail{ProjectID: f.project, IdemKey: "minutes:" + to, Kind: "minutes",
				EnvelopeFrom: "mailflow@clinic.example", Subject: "Minutes", MessageID: msgID, Raw: raw}, []string{to}, f.clock.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.enqueue(t, "other", "carol@clinic.example")
	if _, err := f.st.DB().Exec(`DELETE FROM outbox_blobs`); err != nil {
		t.Fatal(err)
	}
	st, err := flush(t, f.sender(t, ts, "starttls", nil))
	if err != nil || st.Failed != 1 || st.Sent != 2 {
		t.Fatalf("Flush = %+v, %v; want bob's mail, which shared alice's part, parked and the two others sent", st, err)
	}
	row := f.row(t, "minutes:bob@clinic.example")
	if row.Status != store.MailFailed || !strings.Contains(row.LastError, "not in the database") {
		t.Errorf("bob's row: status %s, reason %q; want it parked saying its part is missing", row.Status, row.LastError)
	}
	for _, r := range ts.Received() {
		if r.To[0] == "bob@clinic.example" {
			t.Errorf("bob's mail was sent (%d bytes) though it could not be read back whole", len(r.Data))
		}
	}
}

func TestPermanentAfterDataIsParked(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		ts.data = func(int, received) (error, bool) {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "message content rejected"}, false
		}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	if st, err := flush(t, f.sender(t, ts, "starttls", nil)); err != nil || st.Failed != 1 {
		t.Fatalf("Flush = %+v, %v; want 1 failed", st, err)
	}
	if row := f.row(t, "k1"); row.Status != store.MailFailed || !strings.Contains(row.LastError, "554") {
		t.Errorf("row: %s, %q", row.Status, row.LastError)
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		ts.data = func(int, received) (error, bool) {
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"}, false
		}
	})
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", func(c *config.SMTP) { c.MaxAttempts = 3 })
	for i := 1; i <= 3; i++ {
		if _, err := flush(t, s); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(RetryMax * 2)
	}
	row := f.row(t, "k1")
	if row.Status != store.MailFailed || row.Attempts != 3 || !strings.Contains(row.LastError, "gave up after 3 attempts") {
		t.Errorf("row: %s after %d attempts, %q", row.Status, row.Attempts, row.LastError)
	}
}

func TestRestartBetweenEnqueueAndSend(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, withAuth)
	f.enqueue(t, "k1", "carol@clinic.example")
	f.enqueue(t, "k2", "dan@clinic.example")
	// A crash after the attempt was recorded but before SMTP saw the mail.
	rows, err := f.st.DueMail(context.Background(), f.clock.Now(), 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("DueMail = %d rows, %v", len(rows), err)
	}
	if _, err := f.st.MarkSending(context.Background(), rows[0].ID); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	if n, err := f.st.RequeueInterrupted(context.Background()); err != nil || n != 1 {
		t.Fatalf("RequeueInterrupted = %d, %v; want 1", n, err)
	}
	// The engine queuing the same mails again after the restart adds nothing.
	err = f.st.Tx(context.Background(), func(tx *store.Tx) error {
		added, err := tx.Enqueue(store.Mail{ProjectID: f.project, IdemKey: "k1", Kind: "reminder", EnvelopeFrom: "x@clinic.example", Raw: []byte("x")},
			[]string{"carol@clinic.example"}, f.clock.Now())
		if added {
			return fmt.Errorf("k1 queued twice")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := f.sender(t, ts, "starttls", nil)
	if st, err := flush(t, s); err != nil || st.Sent != 2 {
		t.Fatalf("Flush = %+v, %v; want 2 sent", st, err)
	}
	f.reopen(t)
	if n, _ := f.st.RequeueInterrupted(context.Background()); n != 0 {
		t.Errorf("RequeueInterrupted after a clean flush = %d, want 0", n)
	}
	f.clock.Add(RetryMax)
	if st, _ := flush(t, f.sender(t, ts, "starttls", nil)); st != (Stats{}) {
		t.Errorf("second Flush = %+v, want nothing", st)
	}
	counts := map[string]int{}
	for _, r := range ts.Received() {
		counts[r.To[0]]++
	}
	if counts["carol@clinic.example"] != 1 || counts["dan@clinic.example"] != 1 || len(counts) != 2 {
		t.Errorf("deliveries per recipient = %v, want exactly one each", counts)
	}
}

func TestConnectionDropAfterData(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		ts.data = func(n int, _ received) (error, bool) { return nil, n == 1 }
	})
	msgID := f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", nil)
	st, err := flush(t, s)
	if err == nil || st.Retried != 1 {
		t.Fatalf("Flush = %+v, %v; want 1 retried and a connection error", st, err)
	}
	row := f.row(t, "k1")
	if row.Status != store.MailQueued || !strings.Contains(row.LastError, "may have accepted") {
		t.Fatalf("row after a lost reply: %s, %q", row.Status, row.LastError)
	}
	f.clock.Add(RetryBase * 2)
	if st, err := flush(t, s); err != nil || st.Sent != 1 {
		t.Fatalf("retry = %+v, %v", st, err)
	}
	// The server has it twice, as RFC 1047 says it may; both copies carry
	// the same Message-ID, so the recipient's mail system shows one.
	got := ts.Received()
	if len(got) != 2 {
		t.Fatalf("server holds %d copies, want 2", len(got))
	}
	for _, r := range got {
		if !bytes.Contains(r.Data, []byte(msgID)) {
			t.Errorf("a copy lacks Message-ID %s", msgID)
		}
	}
}

func TestReconnectsAfter421(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) {
		withAuth(ts)
		// Two mails per connection, then "too many messages".
		ts.mail = func(n int) error {
			if n > 2 {
				return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages, closing connection"}
			}
			return nil
		}
	})
	for i := 0; i < 5; i++ {
		f.enqueue(t, fmt.Sprintf("k%d", i), fmt.Sprintf("p%d@clinic.example", i))
	}
	st, err := flush(t, f.sender(t, ts, "starttls", nil))
	if err != nil || st.Sent != 5 || st.Failed != 0 {
		t.Fatalf("Flush = %+v, %v; want 5 sent", st, err)
	}
	counts := map[string]int{}
	for _, r := range ts.Received() {
		counts[r.To[0]]++
	}
	for i := 0; i < 5; i++ {
		if n := counts[fmt.Sprintf("p%d@clinic.example", i)]; n != 1 {
			t.Errorf("p%d got %d copies, want 1", i, n)
		}
	}
	if ts.Conns() < 3 {
		t.Errorf("%d connections, want at least 3", ts.Conns())
	}
}

func TestCancelInterruptsStalledServer(t *testing.T) {
	f := newFixture(t)
	hold := make(chan struct{})
	defer close(hold)
	ts := startServer(t, modeSTARTTLS, func(ts *testServer) { withAuth(ts); ts.hold = hold })
	f.enqueue(t, "k1", "carol@clinic.example")
	s := f.sender(t, ts, "starttls", func(c *config.SMTP) { c.Timeout.Duration = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Flush(ctx); done <- err }()
	if !ts.WaitData(1, 10*time.Second) {
		t.Fatal("mail never reached DATA")
	}
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Flush did not return after its context ended")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Flush took %v to notice the cancellation", d)
	}
	// The mail is back in the queue, flagged as possibly delivered.
	if row := f.row(t, "k1"); row.Status != store.MailQueued {
		t.Errorf("row after cancellation: %s, want queued", row.Status)
	}
}

func TestDotStuffingAndLineEndings(t *testing.T) {
	f := newFixture(t)
	ts := startServer(t, modeSTARTTLS, withAuth)
	raw := []byte("From: a@clinic.example\nTo: b@clinic.example\nSubject: dots\nMessage-ID: <dots@clinic.example>\n\nline one\n.\n..two dots\n.one dot\nbare\rcr\r\nend")
	err := f.st.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Enqueue(store.Mail{ProjectID: f.project, IdemKey: "dots", Kind: "ack", EnvelopeFrom: "a@clinic.example", MessageID: "dots@clinic.example", Raw: raw},
			[]string{"b@clinic.example"}, f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := flush(t, f.sender(t, ts, "starttls", nil)); err != nil || st.Sent != 1 {
		t.Fatalf("Flush = %+v, %v", st, err)
	}
	got := string(ts.Received()[0].Data)
	want := "line one\r\n.\r\n..two dots\r\n.one dot\r\nbare\r\ncr\r\nend\r\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("delivered body = %q, want it to end %q", got, want)
	}
}

func TestCRLF(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\nb", "a\r\nb"},
		{"a\r\nb", "a\r\nb"},
		{"a\rb", "a\r\nb"},
		{"a\r\r\nb", "a\r\n\r\nb"},
		{"a\n\nb\n", "a\r\n\r\nb\r\n"},
		{"plain", "plain"},
	} {
		if got := string(CRLF([]byte(tc.in))); got != tc.want {
			t.Errorf("CRLF(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		base     time.Duration
	}{{1, RetryBase}, {2, 2 * RetryBase}, {3, 4 * RetryBase}, {20, RetryMax}, {1000, RetryMax}} {
		for i := 0; i < 50; i++ {
			d := Backoff(tc.attempts)
			if d < tc.base*8/10 || d > tc.base*12/10 {
				t.Fatalf("Backoff(%d) = %v, want %v ± 20%%", tc.attempts, d, tc.base)
			}
		}
	}
}

func TestIsPermanent(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&textproto.Error{Code: 550, Msg: "x"}, true},
		{&textproto.Error{Code: 554, Msg: "x"}, true},
		{&textproto.Error{Code: 451, Msg: "x"}, false},
		{&textproto.Error{Code: 421, Msg: "x"}, false},
		{io.ErrUnexpectedEOF, false},
		{fmt.Errorf("wrapped: %w", &textproto.Error{Code: 553, Msg: "x"}), true},
	} {
		if got := IsPermanent(tc.err); got != tc.want {
			t.Errorf("IsPermanent(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// digestMessage is a reminder digest as the engine builds it: the sample
// digest rendered and built into MIME, with its calendar file.
func digestMessage(t testing.TB) []byte {
	t.Helper()
	r, err := templates.MustDefault().Render("reminder", templates.Sample("reminder"))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Encode("EHR Rollout", "ehr@clinic.example", []calendar.Item{
		{Ref: "A-4", Text: "update the downtime procedures binder", Due: mailflow.NewDate(2026, 11, 27), Status: mailflow.ItemOpen, UpdatedAt: t0},
		{Ref: "A-7", Text: "send the go-live communication plan to the ward managers", Due: mailflow.NewDate(2026, 11, 30), Status: mailflow.ItemOpen, UpdatedAt: t0},
		{Ref: "A-9", Text: "test the downtime printers on wards 3 and 4", Due: mailflow.NewDate(2026, 12, 3), Status: mailflow.ItemOpen, UpdatedAt: t0},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := compose.Build(compose.Mail{
		Kind: mailflow.MailReminder, FromName: "EHR Rollout", From: "mailflow@clinic.example", To: []string{"dan@clinic.example"},
		ReplyTo: "ehr+d.token@clinic.example", Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		MessageID: "bench@clinic.example", Date: t0, LoopID: "ehr@clinic.example", Calendar: cal,
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
