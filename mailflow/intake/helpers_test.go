package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/delivery"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/intake"
	"mailflow/store"
	"mailflow/templates"
)

const (
	domain     = "clinic.example"
	authservID = "mx." + domain
	// itemsPerMinutes is the number of ACTION lines in testdata/minutes.eml.
	itemsPerMinutes = 3
)

// fixture reads testdata/name with CRLF line ends, as IMAP carries mail.
// A non-empty id replaces its Message-ID, making a distinct message.
func fixture(t testing.TB, name, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		b = replaceHeader(b, "Message-ID", "<"+id+">")
	}
	return crlf(b)
}

func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// replaceHeader sets the value of the first header field named key.
func replaceHeader(b []byte, key, value string) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			break
		}
		if k, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, key) {
			eol := "\n"
			if strings.HasSuffix(l, "\r\n") {
				eol = "\r\n"
			}
			lines[i] = key + ": " + value + eol
			break
		}
	}
	return []byte(strings.Join(lines, ""))
}

// syncBuffer is a log sink several goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// count returns how many log lines contain every one of parts.
func (s *syncBuffer) count(parts ...string) int {
	n := 0
	for _, l := range strings.Split(s.String(), "\n") {
		all := l != ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			n++
		}
	}
	return n
}

// recorder wraps the engine and reports every handled message.
type recorder struct {
	h       intake.Handler
	mu      sync.Mutex
	results []engine.Result
	calls   int // messages handed to the engine
	ch      chan engine.Result
}

func (r *recorder) ReadBatch(ds []engine.Delivery) delivery.Batch { return r.h.ReadBatch(ds) }

func (r *recorder) HandleRead(ctx context.Context, b delivery.Batch) ([]engine.Result, error) {
	rs, err := r.h.HandleRead(ctx, b)
	r.mu.Lock()
	r.calls += len(b.Deliveries())
	if err == nil {
		r.results = append(r.results, rs...)
	}
	r.mu.Unlock()
	for _, res := range rs {
		select {
		case r.ch <- res:
		default:
		}
	}
	return rs, err
}

// Handle hands one message to the engine as a batch of one.
func (r *recorder) Handle(ctx context.Context, d engine.Delivery) (engine.Result, error) {
	rs, err := r.HandleRead(ctx, unread{d})
	if err != nil {
		return engine.Result{}, err
	}
	return rs[0], nil
}

// Calls returns how many messages were handed to the engine.
func (r *recorder) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// wait waits for the next handled message.
func (r *recorder) wait(t *testing.T, d time.Duration, what string) engine.Result {
	t.Helper()
	select {
	case res := <-r.ch:
		return res
	case <-time.After(d):
		t.Fatalf("no message handled within %s (%s)", d, what)
		return engine.Result{}
	}
}

// env is the real engine over a real store in t.TempDir, on a fixed clock,
// with a recorder in front and logs kept for inspection.
type env struct {
	t    *testing.T
	cfg  *config.Config
	st   *store.Store
	eng  *engine.Engine
	rec  *recorder
	logs *syncBuffer
	log  *slog.Logger
}

// envOption changes how newEnv builds the environment.
type envOption func(*envOptions)

type envOptions struct {
	oauth2 *config.OAuth2
}

// withOAuth2 gives the config an [oauth2] section, for imap.auth = "oauth2".
func withOAuth2(o config.OAuth2) envOption { return func(e *envOptions) { e.oauth2 = &o } }

func newEnv(t *testing.T, imapCfg config.IMAP, mailbox string, opts ...envOption) *env {
	imapCfg.SetDefaults()
	t.Helper()
	var o envOptions
	for _, f := range opts {
		f(&o)
	}
	cfg := &config.Config{
		Database: config.Database{Path: filepath.Join(t.TempDir(), "mailflow.db")},
		IMAP:     imapCfg,
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: "mailflow@" + domain},
		Security: config.Security{ReplyKey: []byte("0123456789abcdef0123456789abcdef"), TrustedAuthservID: authservID},
		Projects: []config.Project{{
			Name: "EHR Rollout", Address: "ehr@" + domain, Mailbox: mailbox, Timezone: "America/New_York",
			Leadership: []string{"cmo@" + domain},
			Members: []config.Member{
				{Name: "Priya Shah", Email: "priya@" + domain, Role: "chair"},
				{Name: "Alice Moreau", Email: "alice@" + domain},
				{Name: "Bob Okafor", Email: "bob@" + domain},
				{Name: "Carol Nguyen", Email: "carol@" + domain},
			},
		}},
	}
	if o.oauth2 != nil {
		cfg.OAuth2 = *o.oauth2
	}
	if err := cfg.Finish(func(string) string { return "" }); err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, cfg.Projects[0].Location)
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: templates.MustDefault(),
		Now: func() time.Time { return now }, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mailflow log:\n%s", logs.String())
		}
	})
	return &env{t: t, cfg: cfg, st: st, eng: eng, rec: &recorder{h: eng, ch: make(chan engine.Result, 100)}, logs: logs, log: log}
}

// poller reads the project's mailbox through the recorder.
func (e *env) poller() *intake.Poller {
	return &intake.Poller{Config: e.cfg.IMAP, Mailbox: e.cfg.Projects[0].Mailbox, Handler: e.rec, Ledger: e.st, Log: e.log,
		Grace: e.cfg.Daemon.ShutdownTimeout.Duration}
}

// run runs p until the test ends.
func (e *env) run(p *intake.Poller) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			e.t.Errorf("Poller.Run did not return within 10s of its context ending")
		}
	})
}

// messages returns the store's rows per outcome.
func (e *env) messages() map[string]int {
	e.t.Helper()
	n, err := e.st.CountMessages(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) items() int {
	e.t.Helper()
	items, err := e.st.Items(context.Background(), store.ItemFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(items)
}

// message returns the store's record of a Message-ID.
func (e *env) message(id string) store.Message {
	e.t.Helper()
	ms, err := e.st.MessagesByMessageID(context.Background(), id)
	if err != nil || len(ms) != 1 {
		e.t.Fatalf("MessagesByMessageID(%q) = %d rows, %v; want 1", id, len(ms), err)
	}
	return ms[0]
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func once(t *testing.T, p *intake.Poller) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.Once(ctx); err != nil {
		t.Fatalf("Once: %v", err)
	}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d@%s", prefix, i+1, domain)
	}
	return out
}
