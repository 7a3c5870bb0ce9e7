package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

const domain = "clinic.example"

// Roster of the test project.
var (
	chair = person{"Priya Shah", "priya@" + domain}
	alice = person{"Alice Moreau", "alice@" + domain}
	bob   = person{"Bob Okafor", "bob@" + domain}
	carol = person{"Carol Nguyen", "carol@" + domain}
	// Not on the roster.
	stranger = person{"Sam Stranger", "sam@elsewhere.example"}
)

type person struct{ name, email string }

func (p person) addr() string { return fmt.Sprintf("%s <%s>", p.name, p.email) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// harness is an engine over a real store, with a settable clock.
type harness struct {
	t     testing.TB
	cfg   *config.Config
	st    *store.Store
	eng   *engine.Engine
	clock *clock
	loc   *time.Location
	uid   uint32
	seq   int
	logs  *logBuffer
}

type option func(*config.Config)

// trustedID is the authserv-id of the test project's own mail server:
// newHarness trusts it unless an option says otherwise, and msg.signed
// stamps a DKIM pass from it.
const trustedID = "mx.clinic.example"

// defaultSecurity leaves trusted_authserv_id unset, as the README's
// default configuration does: only signed reply addresses authenticate.
func defaultSecurity() option { return trustedAuthserv("") }

func trustedAuthserv(id string) option {
	return func(c *config.Config) { c.Security.TrustedAuthservID = id }
}

func rateLimit(n int) option { return func(c *config.Config) { c.Security.ReplyRateLimit = n } }

func newHarness(t testing.TB, opts ...option) *harness {
	t.Helper()
	cfg := &config.Config{
		Database: config.Database{Path: t.TempDir() + "/mailflow.db"},
		IMAP:     config.IMAP{Endpoint: config.Endpoint{Address: "127.0.0.1:143", Security: "insecure", Username: "u", Password: "p"}},
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: "mailflow@" + domain},
		Security: config.Security{ReplyKey: []byte("0123456789abcdef0123456789abcdef"), TrustedAuthservID: trustedID},
		Projects: []config.Project{{
			Name: "EHR", Address: "ehr@" + domain, Timezone: "America/New_York",
			Leadership: []string{"cmo@" + domain}, StatusSchedule: "Mon 08:00",
			Members: []config.Member{
				{Name: chair.name, Email: chair.email, Role: "chair"},
				{Name: alice.name, Email: alice.email},
				{Name: bob.name, Email: bob.email},
				{Name: carol.name, Email: carol.email},
			},
		}},
	}
	for _, o := range opts {
		o(cfg)
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
	loc := cfg.Projects[0].Location
	c := &clock{t: time.Date(2026, 11, 24, 17, 0, 0, 0, loc)} // a Tuesday
	logs := &logBuffer{}
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: templates.MustDefault(), Now: c.now,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, cfg: cfg, st: st, eng: eng, clock: c, loc: loc, logs: logs}
}

// logBuffer keeps what the engine logs, for tests that check a line.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// msg builds a raw message. Headers are given as "Key: value" lines.
type msg struct {
	from    person
	to      string
	subject string
	body    string
	headers []string
	id      string
	// signed adds the DKIM pass the project's own mail server would stamp
	// on mail from the sender's domain.
	signed bool
}

func (h *harness) raw(m msg) []byte {
	h.seq++
	if m.to == "" {
		m.to = "ehr@" + domain
	}
	if m.id == "" {
		m.id = fmt.Sprintf("m%d.%d@test.example", h.seq, time.Now().UnixNano())
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n",
		m.from.addr(), m.to, m.subject, h.clock.now().Format(time.RFC1123Z), m.id)
	if m.signed {
		_, d, _ := strings.Cut(m.from.email, "@")
		fmt.Fprintf(&b, "Authentication-Results: %s; dkim=pass (2048-bit key; unprotected) header.d=%s header.s=s1\r\n", h.cfg.Security.TrustedAuthservID, d)
	}
	for _, hd := range m.headers {
		b.WriteString(hd + "\r\n")
	}
	if !strings.Contains(strings.Join(m.headers, "\n"), "Content-Type") {
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(m.body, "\n", "\r\n"))
	return b.Bytes()
}

// deliver hands a message to the engine as intake would.
func (h *harness) deliver(m msg) engine.Result {
	h.t.Helper()
	return h.deliverRaw(h.raw(m))
}

func (h *harness) deliverRaw(raw []byte) engine.Result {
	h.t.Helper()
	h.uid++
	res, err := h.eng.Handle(context.Background(), engine.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: h.uid, Raw: raw})
	if err != nil {
		h.t.Fatalf("Handle: %v", err)
	}
	return res
}

// outbox returns every queued mail, oldest first.
func (h *harness) outbox() []store.Mail {
	h.t.Helper()
	ms, err := h.st.OutboxList(context.Background(), "", 10000)
	if err != nil {
		h.t.Fatal(err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

// mailsSince returns the mails queued after the first n.
func (h *harness) mailsSince(n int) []store.Mail { return h.outbox()[n:] }

func (h *harness) item(ref string) store.Item {
	h.t.Helper()
	items, err := h.st.Items(context.Background(), store.ItemFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, it := range items {
		if it.Ref() == ref {
			return it
		}
	}
	h.t.Fatalf("no item %s", ref)
	return store.Item{}
}

func (h *harness) risk(ref string) store.Risk {
	h.t.Helper()
	rs, err := h.st.Risks(context.Background(), 0, "")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range rs {
		if r.Ref() == ref {
			return r
		}
	}
	h.t.Fatalf("no risk %s", ref)
	return store.Risk{}
}

func (h *harness) countItems() int {
	items, err := h.st.Items(context.Background(), store.ItemFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(items)
}

// header reads a header of a queued mail.
func header(t testing.TB, m store.Mail, key string) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("queued mail %d does not parse: %v", m.ID, err)
	}
	v := msg.Header.Get(key)
	if d, err := new(mimeDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// body returns the text/plain part of a queued mail, decoded.
func body(t *testing.T, m store.Mail) string {
	t.Helper()
	return textPart(t, m.Raw)
}

// mailTo finds the queued mail of kind to recipient among ms.
func mailTo(t testing.TB, ms []store.Mail, kind, to string) store.Mail {
	t.Helper()
	for _, m := range ms {
		if m.Kind == kind && len(m.Recipients()) == 1 && m.Recipients()[0] == to {
			return m
		}
	}
	var have []string
	for _, m := range ms {
		have = append(have, m.Kind+"→"+strings.Join(m.Recipients(), ","))
	}
	t.Fatalf("no %s mail to %s; queued: %v", kind, to, have)
	return store.Mail{}
}

// replyTo writes a reply from p to a queued mail: to its Reply-To, threaded.
func (h *harness) replyTo(m store.Mail, p person, text string) msg {
	return msg{
		from:    p,
		to:      header(h.t, m, "Reply-To"),
		subject: "Re: " + header(h.t, m, "Subject"),
		body:    text + "\n\nOn Tue, Alice wrote:\n> quoted minutes\n",
		headers: []string{"In-Reply-To: " + header(h.t, m, "Message-ID"), "References: " + header(h.t, m, "Message-ID")},
	}
}

const sampleMinutes = `Attendees: Priya Shah, Alice Moreau, Bob Okafor, Carol Nguyen

DECISION: Go-live stays on 2027-02-01.

ACTION: Alice to draft the training plan by 2026-12-01
ACTION: Bob to confirm the interface test window by 2026-12-04
ACTION: Carol to order badge readers by 2026-11-27
ACTION: Zed to fix the printers by Friday
RISK: interface vendor late (likelihood high, impact high) mitigation: weekly vendor call; owner Bob
RISK: super-users unavailable (likelihood medium, impact low) owner Alice
`

// minutes delivers the sample minutes from the chair.
func (h *harness) minutes() engine.Result {
	h.t.Helper()
	res := h.deliver(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain, signed: true})
	if res.Outcome != store.OutcomeProcessed || res.Kind != "minutes" {
		h.t.Fatalf("minutes: %+v", res)
	}
	return res
}

type configT = config.Config
