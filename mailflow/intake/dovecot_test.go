package intake_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"mailflow/mailflow/config"
	"mailflow/mailflow/delivery"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/intake"
	"mailflow/mailflow/internal/dovecottest"
	"mailflow/store"
)

// These tests run mailflow's intake against a private Dovecot, through the
// real engine and store.

const (
	processed = "mailflow/processed"
	failed    = "mailflow/failed"
)

func dovecotIMAP(s *dovecottest.Server) config.IMAP {
	c := config.IMAP{Endpoint: config.Endpoint{Address: s.Addr, Security: "insecure", Username: s.Username, Password: s.Password}}
	c.SetDefaults()
	return c
}

func TestMinutesAreStoredAndMovedUnread(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.WithUser("ehr", "pw-never-logged-91c2"))
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	srv.Append("INBOX", fixture(t, "minutes.eml", ""))

	once(t, e.poller())

	if got := e.items(); got != itemsPerMinutes {
		t.Errorf("items stored = %d, want %d", got, itemsPerMinutes)
	}
	if m := e.message("minutes-20261124@clinic.example"); m.Outcome != store.OutcomeProcessed || m.Kind != "minutes" {
		t.Errorf("message recorded as %s/%s (%s), want minutes/processed", m.Kind, m.Outcome, m.Error)
	}
	if n := srv.Count("INBOX"); n != 0 {
		t.Errorf("INBOX holds %d messages after handling, want 0", n)
	}
	ms := srv.Messages(processed)
	if len(ms) != 1 {
		t.Fatalf("%s holds %d messages, want 1", processed, len(ms))
	}
	// BODY.PEEK[]: nothing marked the message read, and MOVE keeps flags.
	if ms[0].Has(imap.FlagSeen) {
		t.Errorf("the processed copy is \\Seen (flags %v): the fetch marked it read", ms[0].Flags)
	}
	if !bytes.Equal(ms[0].Raw, fixture(t, "minutes.eml", "")) {
		t.Errorf("the processed copy differs from the message delivered")
	}
	cp, err := e.st.Checkpoint(context.Background(), "INBOX")
	if err != nil || cp.UIDValidity != srv.UIDValidity("INBOX") || cp.LastUID != 1 {
		t.Errorf("checkpoint = %+v, %v; want UIDVALIDITY %d, last UID 1", cp, err, srv.UIDValidity("INBOX"))
	}
	// The log names the message but never shows its body or the password.
	if e.logs.count("message handled", "uid=1", "message_id=minutes-20261124@clinic.example", "mailbox=INBOX") != 1 {
		t.Errorf("no log line for the handled message:\n%s", e.logs)
	}
	for _, secret := range []string{srv.Password, "badge readers"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("the log shows %q", secret)
		}
	}
}

func TestIdleHandlesNewMailWithinSeconds(t *testing.T) {
	srv := dovecottest.Start(t)
	imapCfg := dovecotIMAP(srv)
	// Polling alone would take a minute: only IDLE explains a quick reaction.
	imapCfg.PollInterval.Duration = time.Minute
	e := newEnv(t, imapCfg, "INBOX")
	p := e.poller()
	e.run(p)
	waitFor(t, 10*time.Second, "the poller to idle", func() bool { return p.Status().Idle })

	var took []time.Duration
	for i, id := range ids("idle", 3) {
		// Back-to-back samples read short (PITFALLS): let IDLE settle.
		waitFor(t, 10*time.Second, "the poller to idle again", func() bool { return p.Status().Idle })
		start := time.Now()
		srv.Append("INBOX", fixture(t, "minutes.eml", id))
		res := e.rec.wait(t, 5*time.Second, fmt.Sprintf("message %d", i+1))
		took = append(took, time.Since(start))
		if res.MessageID != id {
			t.Errorf("handled %s, want %s", res.MessageID, id)
		}
	}
	t.Logf("APPEND to handled, with IDLE: %v", took)
	waitFor(t, 5*time.Second, "the messages to reach "+processed, func() bool { return srv.Count(processed) == 3 })
}

func TestDovecotRestartLosesNothing(t *testing.T) {
	srv := dovecottest.Start(t)
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	p := e.poller()
	e.run(p)
	waitFor(t, 10*time.Second, "the poller to idle", func() bool { return p.Status().Idle })
	srv.Append("INBOX", fixture(t, "minutes.eml", "before@"+domain))
	e.rec.wait(t, 5*time.Second, "the message sent before the restart")

	srv.Stop()
	// Mail delivered while the server is down, straight into the Maildir.
	if err := srv.Deliver("INBOX", fixture(t, "minutes.eml", "while-down@"+domain)); err != nil {
		t.Fatal(err)
	}
	// Let the poller fail more than once: the cause is logged once, not
	// on every retry.
	waitFor(t, 30*time.Second, "repeated reconnect attempts", func() bool {
		return e.logs.count("mailbox still unavailable", "level=DEBUG") >= 1
	})
	if p.Status().Connected || p.Status().LastError == "" {
		t.Errorf("status while down = %+v, want disconnected with an error", p.Status())
	}
	srv.Start()
	srv.Append("INBOX", fixture(t, "minutes.eml", "after@"+domain))

	waitFor(t, 30*time.Second, "all three messages processed", func() bool {
		return e.messages()[store.OutcomeProcessed] == 3 && srv.Count(processed) == 3
	})
	if n := e.rec.Calls(); n != 3 {
		t.Errorf("the engine was called %d times, want 3 (once per message)", n)
	}
	if n := srv.Count("INBOX"); n != 0 {
		t.Errorf("INBOX holds %d messages, want 0", n)
	}
	waitFor(t, 5*time.Second, "the recovery to be logged", func() bool { return e.logs.count("mailbox reachable again") == 1 })
	if n := e.logs.count("level=WARN", "mailbox unavailable"); n != 1 {
		t.Errorf("outage logged %d times at WARN, want once", n)
	}
	if n := e.logs.count("level=WARN", "unavailable"); n > 2 {
		t.Errorf("%d WARN lines for one outage, want at most 2 (one per distinct cause)", n)
	}
}

func TestUIDValidityChangeProcessesNothingTwice(t *testing.T) {
	srv := dovecottest.Start(t)
	const box = "Projects/EHR"
	e := newEnv(t, dovecotIMAP(srv), box)
	srv.Append(box, fixture(t, "minutes.eml", "first@"+domain))
	srv.Append(box, fixture(t, "minutes.eml", "second@"+domain))
	// Handled, but the moves never happened (a crash), and then the mailbox
	// is deleted and re-created with the same mail: new UIDVALIDITY, new
	// UIDs, the old checkpoint meaningless.
	handleWithoutMoving(t, e, srv, box)
	oldUV := srv.UIDValidity(box)
	srv.DeleteAndRecreate(box)
	newUV := srv.UIDValidity(box)
	if newUV == oldUV {
		t.Fatalf("UIDVALIDITY stayed %d", oldUV)
	}
	srv.Append(box, fixture(t, "minutes.eml", "third@"+domain))
	before := e.rec.Calls()

	once(t, e.poller())

	if got := e.messages()[store.OutcomeProcessed]; got != 3 {
		t.Errorf("messages recorded = %d, want 3", got)
	}
	dups := 0
	for _, r := range e.rec.results[before:] {
		if r.Duplicate {
			dups++
		}
	}
	if dups != 2 {
		t.Errorf("%d of the re-delivered messages were seen as duplicates, want 2", dups)
	}
	if n, want := srv.Count(processed), 3; n != want || srv.Count(box) != 0 {
		t.Errorf("%s holds %d, %s %d; want %d and 0", processed, n, box, srv.Count(box), want)
	}
	if cp, _ := e.st.Checkpoint(context.Background(), box); cp.UIDValidity != newUV {
		t.Errorf("checkpoint UIDVALIDITY = %d, want the new %d", cp.UIDValidity, newUV)
	}
	if e.logs.count("UIDVALIDITY changed") != 1 {
		t.Errorf("the UIDVALIDITY change was not logged")
	}
}

// handleWithoutMoving hands every message in box to the engine as intake
// would, then stops: a crash between commit and move.
func handleWithoutMoving(t *testing.T, e *env, srv *dovecottest.Server, box string) {
	t.Helper()
	uv := srv.UIDValidity(box)
	for _, m := range srv.Messages(box) {
		d := engine.Delivery{Mailbox: box, UIDValidity: uv, UID: uint32(m.UID), Raw: m.Raw}
		if limit := e.cfg.IMAP.MaxMessageBytes; int64(len(m.Raw)) > limit {
			head, _, _ := bytes.Cut(m.Raw, []byte("\r\n\r\n"))
			d.Raw, d.TooLarge = append(head, "\r\n\r\n"...), int64(len(m.Raw))
		}
		if _, err := e.rec.Handle(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCrashBetweenCommitAndMove(t *testing.T) {
	srv := dovecottest.Start(t)
	imapCfg := dovecotIMAP(srv)
	imapCfg.MaxMessageBytes = 4096
	e := newEnv(t, imapCfg, "INBOX")
	srv.Append("INBOX", fixture(t, "minutes.eml", ""))
	big := append(fixture(t, "minutes.eml", "big@"+domain), bytes.Repeat([]byte("padding line to pass the limit\r\n"), 200)...)
	srv.Append("INBOX", big)
	srv.Append("INBOX", fixture(t, "reply.eml", ""))
	handleWithoutMoving(t, e, srv, "INBOX")
	calls := e.rec.Calls()

	once(t, e.poller())

	if n := e.rec.Calls() - calls; n != 0 {
		t.Errorf("the engine was called %d more times, want 0: the messages were handled already", n)
	}
	if got := [3]int{srv.Count("INBOX"), srv.Count(processed), srv.Count(failed)}; got != [3]int{0, 2, 1} {
		t.Errorf("INBOX, processed, failed hold %v messages, want [0 2 1]", got)
	}
	if ms := srv.Messages(failed); len(ms) != 1 || !bytes.Contains(ms[0].Raw, []byte("big@"+domain)) {
		t.Errorf("the failed folder does not hold the oversized message")
	}
	if e.logs.count("finishing moves interrupted earlier", "processed=2", "failed=1") != 1 {
		t.Errorf("the finished moves were not logged")
	}
}

func TestTooLargeMessageFails(t *testing.T) {
	srv := dovecottest.Start(t)
	e := newEnv(t, dovecotIMAP(srv), "INBOX") // max_message_bytes: the 25 MB default
	var b bytes.Buffer
	b.Write(fixture(t, "minutes.eml", "huge@"+domain))
	for b.Len() < 30<<20 {
		b.WriteString("ZmlsbGVyIGZpbGxlciBmaWxsZXIgZmlsbGVyIGZpbGxlciBmaWxsZXIgZmlsbGVyIGZpbGxlcg==\r\n")
	}
	srv.Append("INBOX", b.Bytes())
	srv.Append("INBOX", fixture(t, "minutes.eml", ""))

	once(t, e.poller())

	// Only the poller logs out; Dovecot counts what it sent that session.
	if out := sentToPoller(t, srv); out > 1<<20 {
		t.Errorf("Dovecot sent the poller %d bytes: it downloaded the oversized message instead of its header", out)
	}
	m := e.message("huge@" + domain)
	if m.Outcome != store.OutcomeFailed || !strings.Contains(m.Error, "max_message_bytes") {
		t.Errorf("the 30 MB message is recorded as %s (%q), want failed mentioning max_message_bytes", m.Outcome, m.Error)
	}
	if len(m.Raw) > 64<<10 {
		t.Errorf("the store kept %d bytes of the 30 MB message, want its header only", len(m.Raw))
	}
	ms := srv.Messages(failed)
	if len(ms) != 1 || len(ms[0].Raw) != b.Len() {
		t.Fatalf("%s holds %d messages, want the whole 30 MB one", failed, len(ms))
	}
	if ms[0].Has(imap.FlagSeen) {
		t.Errorf("the failed message is \\Seen")
	}
	if got := e.message("minutes-20261124@clinic.example").Outcome; got != store.OutcomeProcessed || srv.Count(processed) != 1 {
		t.Errorf("the ordinary message after it: %s, %d in %s", got, srv.Count(processed), processed)
	}
}

// sentToPoller reads from Dovecot's log how many bytes it sent in the
// session that ended with LOGOUT, which only the poller sends. Dovecot
// writes the line just after the client has gone.
func sentToPoller(t *testing.T, srv *dovecottest.Server) int {
	t.Helper()
	var line string
	waitFor(t, 5*time.Second, "Dovecot to log the poller's session", func() bool {
		b, err := os.ReadFile(srv.LogPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "Disconnected: Logged out") {
				line = l
				return true
			}
		}
		return false
	})
	_, out, _ := strings.Cut(line, " out=")
	n, err := strconv.Atoi(strings.Fields(out + " ")[0])
	if err != nil {
		t.Fatalf("cannot read out= in Dovecot's log line %q", line)
	}
	return n
}

func TestTLS(t *testing.T) {
	srv := dovecottest.Start(t)
	tests := []struct {
		name     string
		security string
		addr     string
		withCA   bool
	}{
		{"implicit TLS with the CA", "tls", srv.TLSAddr, true},
		{"implicit TLS without the CA", "tls", srv.TLSAddr, false},
		{"STARTTLS with the CA", "starttls", srv.Addr, true},
		{"STARTTLS without the CA", "starttls", srv.Addr, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imapCfg := config.IMAP{Endpoint: config.Endpoint{Address: tc.addr, Security: tc.security, Username: srv.Username, Password: srv.Password}}
			if tc.withCA {
				imapCfg.CAFile = srv.CAFile
			}
			box := fmt.Sprintf("TLS%d", i)
			e := newEnv(t, imapCfg, box)
			id := fmt.Sprintf("tls-%d@%s", i, domain)
			srv.Append(box, fixture(t, "minutes.eml", id))
			err := e.poller().Once(context.Background())
			if !tc.withCA {
				var unknown x509.UnknownAuthorityError
				var verify *tls.CertificateVerificationError
				if !errors.As(err, &unknown) && !errors.As(err, &verify) {
					t.Fatalf("Once without the CA: %v, want a certificate error", err)
				}
				if e.rec.Calls() != 0 || srv.Count(box) != 1 {
					t.Errorf("mail was read over an unverified connection")
				}
				return
			}
			if err != nil {
				t.Fatalf("Once: %v", err)
			}
			if e.message(id).Outcome != store.OutcomeProcessed || srv.Count(box) != 0 {
				t.Errorf("message not handled over %s", tc.security)
			}
		})
	}
}

// TestServerSeparator: Dovecot's Maildir default separator is ".", and it
// refuses "/" in names; the configured "mailflow/processed" must still work.
func TestServerSeparator(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.WithSeparator("."))
	e := newEnv(t, dovecotIMAP(srv), "Projects/EHR")
	srv.Append("Projects.EHR", fixture(t, "minutes.eml", ""))
	once(t, e.poller())
	if got := [3]int{srv.Count("Projects.EHR"), srv.Count("mailflow.processed"), srv.Count("mailflow.failed")}; got != [3]int{0, 1, 0} {
		t.Errorf("Projects.EHR, mailflow.processed, mailflow.failed hold %v, want [0 1 0]", got)
	}
	if cp, _ := e.st.Checkpoint(context.Background(), "Projects/EHR"); cp.LastUID != 1 {
		t.Errorf("checkpoint under the configured name = %+v", cp)
	}
}

// TestMoveWithoutMoveCapability runs against a Dovecot that hides MOVE: the
// poller must copy, flag \Deleted and UID EXPUNGE exactly its own messages.
func TestMoveWithoutMoveCapability(t *testing.T) {
	srv := dovecottest.Start(t, dovecottest.WithCapability("IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS UNSELECT"))
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	c, err := srv.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Someone else's message, marked \Deleted but not expunged: a bare
	// EXPUNGE would destroy it.
	other := fixture(t, "minutes.eml", "someone-elses@"+domain)
	ac := c.Append("INBOX", int64(len(other)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}})
	ac.Write(other)
	ac.Close()
	if _, err := ac.Wait(); err != nil {
		t.Fatal(err)
	}
	srv.Append("INBOX", fixture(t, "minutes.eml", ""))

	once(t, e.poller())

	if e.rec.Calls() != 1 {
		t.Errorf("engine called %d times, want 1 (the \\Deleted message is left alone)", e.rec.Calls())
	}
	ms := srv.Messages("INBOX")
	if len(ms) != 1 || !bytes.Contains(ms[0].Raw, []byte("someone-elses@")) {
		t.Errorf("INBOX holds %d messages, want only the other client's deleted one", len(ms))
	}
	if srv.Count(processed) != 1 {
		t.Errorf("%s holds %d, want 1", processed, srv.Count(processed))
	}
}

// TestStalledServerStallsNoOtherMailbox: a server that logs in and then
// never answers is cut off after the timeout, while a poller on a healthy
// server goes on handling mail.
func TestStalledServerStallsNoOtherMailbox(t *testing.T) {
	stalled := startStalledServer(t)
	srv := dovecottest.Start(t)

	bad := newEnv(t, config.IMAP{Endpoint: config.Endpoint{Address: stalled, Security: "insecure", Username: "u", Password: "p", Timeout: config.Duration{Duration: time.Second}}}, "INBOX")
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- bad.poller().Once(context.Background()) }()
	var err error
	select {
	case err = <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Once against a silent server still waiting after 10s")
	}
	if !errors.Is(err, intake.ErrTimeout) || !strings.Contains(err.Error(), "SELECT") {
		t.Fatalf("Once against a server silent after login: %v, want ErrTimeout on SELECT", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timeout took %s to cut in", d)
	}
	badPoller := bad.poller()
	bad.run(badPoller)

	good := newEnv(t, dovecotIMAP(srv), "INBOX")
	p := good.poller()
	good.run(p)
	waitFor(t, 10*time.Second, "the healthy poller to idle", func() bool { return p.Status().Idle })
	srv.Append("INBOX", fixture(t, "minutes.eml", ""))
	good.rec.wait(t, 5*time.Second, "mail on the healthy server")
	waitFor(t, 10*time.Second, "the stalled poller to report its error", func() bool {
		return strings.Contains(badPoller.Status().LastError, "no answer")
	})
}

// blocking hands batches to the engine but holds the second one until
// released, so a test can stop the poller with a batch in hand.
type blocking struct {
	*recorder
	inHand, release chan struct{}
}

func (b *blocking) HandleRead(ctx context.Context, batch delivery.Batch) ([]engine.Result, error) {
	if b.recorder.Calls() == 1 {
		close(b.inHand)
		<-b.release
	}
	return b.recorder.HandleRead(ctx, batch)
}

func TestShutdownFinishesMessageInHand(t *testing.T) {
	srv := dovecottest.Start(t)
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	for _, id := range ids("shutdown", 3) {
		srv.Append("INBOX", fixture(t, "minutes.eml", id))
	}
	h := &blocking{recorder: e.rec, inHand: make(chan struct{}), release: make(chan struct{})}
	p := e.poller()
	p.Handler = h
	p.Config.BatchSize = 1 // one message per batch: the batch in hand is the message in hand
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	select {
	case <-h.inHand:
	case <-time.After(10 * time.Second):
		t.Fatal("the second message never reached the engine")
	}
	cancel() // SIGTERM while the second message is being handled
	close(h.release)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of shutdown")
	}
	if got := e.messages()[store.OutcomeProcessed]; got != 2 {
		t.Errorf("%d messages committed, want 2: the one in hand is finished, the next is not started", got)
	}
	if got := [2]int{srv.Count("INBOX"), srv.Count(processed)}; got != [2]int{1, 2} {
		t.Errorf("INBOX, processed hold %v, want [1 2]: what was handled is moved before the connection closes", got)
	}
	if ms := srv.Messages("INBOX"); len(ms) == 1 && ms[0].Has(imap.FlagSeen) {
		t.Errorf("the message left for later is \\Seen")
	}
}

// accepting takes every message as processed without looking at it, and
// counts how often it saw each UID.
type accepting struct {
	mu   sync.Mutex
	seen map[uint32]int
}

func (a *accepting) ReadBatch(ds []engine.Delivery) delivery.Batch { return unread(ds) }

func (a *accepting) HandleRead(_ context.Context, b delivery.Batch) ([]engine.Result, error) {
	ds := b.Deliveries()
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []engine.Result
	for _, d := range ds {
		a.seen[d.UID]++
		out = append(out, engine.Result{Outcome: store.OutcomeProcessed})
	}
	return out, nil
}

// TestBacklogIsMovedInLargeSets reads a backlog large enough for the moves
// to run on a second connection while the first goes on fetching: every
// message must be handled once and end in the processed folder.
func TestBacklogIsMovedInLargeSets(t *testing.T) {
	const n = 4500
	srv := dovecottest.Start(t)
	if err := srv.Deliver("INBOX", corpus(n)...); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	h := &accepting{seen: map[uint32]int{}}
	p := e.poller()
	p.Handler = h

	once(t, p)

	// The poller logged in twice: once to fetch, once to move aside.
	waitFor(t, 5*time.Second, "Dovecot to log the poller's two logins", func() bool {
		b, err := os.ReadFile(srv.LogPath)
		return err == nil && strings.Count(string(b), "Login: user=<"+srv.Username+">") == 2
	})
	if len(h.seen) != n {
		t.Errorf("%d messages handled, want %d", len(h.seen), n)
	}
	for uid, k := range h.seen {
		if k != 1 {
			t.Errorf("uid %d handled %d times", uid, k)
		}
	}
	if got := [2]int{srv.Count("INBOX"), srv.Count(processed)}; got != [2]int{0, n} {
		t.Errorf("INBOX, processed hold %v, want [0 %d]", got, n)
	}
}

// Batches are handled while the next is fetched, yet in UID order: each
// reply in the corpus acts on items its meeting's minutes (a few UIDs
// earlier, often in the batch before) created, so a reply handled before
// its minutes would be answered with an error instead of an ack.
func TestBatchesAreHandledInUIDOrder(t *testing.T) {
	const n = 300 // 30 minutes, 270 replies
	srv := dovecottest.Start(t)
	if err := srv.Deliver("INBOX", corpus(n)...); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	e.cfg.Security.ReplyRateLimit = n // answer every reply
	p := e.poller()
	p.Config.BatchSize = 7 // minutes and their replies fall in different batches

	once(t, p)

	if got := e.messages()[store.OutcomeProcessed]; got != n {
		t.Fatalf("%d messages processed, want %d", got, n)
	}
	mails, err := e.st.OutboxList(context.Background(), "", 10*n)
	if err != nil {
		t.Fatal(err)
	}

	kinds := map[string]int{}
	for _, m := range mails {
		kinds[m.Kind]++

	}
	if kinds["error"] != 0 || kinds["ack"] != n-n/10 {
		t.Errorf("answers %v: want an ack for each of the %d replies and no error", kinds, n-n/10)
	}
	if got := srv.Count(processed); got != n {
		t.Errorf("%d messages in %s, want %d", got, processed, n)
	}
}

// The work in hand gets the grace the daemon gives it (its
// shutdown_timeout), no more: a batch that outlasts it is cancelled, rolled
// back, and left in the inbox for the next start.
func TestShutdownGraceIsTheDaemons(t *testing.T) {
	srv := dovecottest.Start(t)
	e := newEnv(t, dovecotIMAP(srv), "INBOX")
	srv.Append("INBOX", fixture(t, "minutes.eml", "grace-1@"+domain))
	h := &stuck{recorder: e.rec, inHand: make(chan struct{})}
	p := e.poller()
	p.Handler = h
	p.Grace = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	select {
	case <-h.inHand:
	case <-time.After(10 * time.Second):
		t.Fatal("the message never reached the engine")
	}
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(4 * time.Second):
		t.Fatal("Run outlived a 300 ms grace by seconds: intake used a grace of its own")
	}
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("Run returned after %s: the work in hand got no grace", waited)
	}
	if srv.Count("INBOX") != 1 {
		t.Errorf("the cancelled message left the inbox")
	}
}

// stuck is a handler that stays busy until its context ends.
type stuck struct {
	*recorder
	inHand chan struct{}
}

func (s *stuck) HandleRead(ctx context.Context, batch delivery.Batch) ([]engine.Result, error) {
	close(s.inHand)
	<-ctx.Done()
	return nil, ctx.Err()
}
