package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

// authReply is a reply by p to the sample minutes, threaded to them and
// passed by the trusted authserv, so it needs no token from a mail of ours
// (and can sit in the same batch as the minutes).
func (h *harness) authReply(p person, text string) msg {
	return msg{from: p, subject: "Re: Minutes: EHR weekly 2026-11-24", body: text + "\n",
		headers: []string{
			"In-Reply-To: <minutes-1@" + domain + ">",
			"Authentication-Results: mx." + domain + "; dkim=pass header.d=" + domain,
		}}
}

func (h *harness) minutesMsg() msg {
	return msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain, signed: true}
}

// batch hands ms to the engine as one batch, as intake does.
func (h *harness) batch(ms ...msg) ([]engine.Result, error) {
	var ds []engine.Delivery
	for _, m := range ms {
		h.uid++
		ds = append(ds, engine.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: h.uid, Raw: h.raw(m)})
	}
	return h.eng.HandleBatch(context.Background(), ds)
}

// deliveries makes deliveries of ms with the next UIDs.
func (h *harness) deliveries(ms ...msg) []engine.Delivery {
	var ds []engine.Delivery
	for _, m := range ms {
		h.uid++
		ds = append(ds, engine.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: h.uid, Raw: h.raw(m)})
	}
	return ds
}

func (h *harness) kinds(ms []store.Mail) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		out[m.Kind+"→"+strings.Join(m.Recipients(), ",")]++
	}
	return out
}

func TestBatchMinutesAndRepliesToThem(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	rs, err := h.batch(h.minutesMsg(), h.authReply(alice, "A-1 done"), h.authReply(bob, "A-2 progress 40%"))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"minutes", "reply", "reply"} {
		if string(rs[i].Kind) != want || rs[i].Outcome != store.OutcomeProcessed {
			t.Errorf("result %d = %+v, want a processed %s", i, rs[i], want)
		}
	}
	if st := h.item("A-1").Status; st != "done" {
		t.Errorf("A-1 is %s, want done: a reply sees the minutes handled earlier in its batch", st)
	}
	if p := h.item("A-2").Progress; p != 40 {
		t.Errorf("A-2 progress %d, want 40", p)
	}
	got := h.kinds(h.outbox())
	for _, p := range []person{chair, alice, bob, carol} {
		if got["minutes→"+p.email] != 1 {
			t.Errorf("minutes to %s queued %d times, want 1 (queued: %v)", p.email, got["minutes→"+p.email], got)
		}
	}
	if got["ack→"+alice.email] != 1 || got["ack→"+bob.email] != 1 {
		t.Errorf("acks: %v, want one each to alice and bob", got)
	}
	cp, err := h.st.Checkpoint(context.Background(), "INBOX")
	if err != nil || cp.LastUID != 3 {
		t.Errorf("checkpoint %+v (%v), want last UID 3", cp, err)
	}
}

func TestBatchFailureIsRolledBackAlone(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	before := len(h.outbox())
	// The second message of the batch fails after its writes (a bug
	// surfacing late): its change and its ack go, the others stay.
	engine.SetAfterApply(h.eng, func(d engine.Delivery) {
		if strings.Contains(string(d.Raw), "A-2 done") {
			panic("late failure")
		}
	})
	rs, err := h.batch(h.authReply(alice, "A-1 done"), h.authReply(bob, "A-2 done"), h.authReply(carol, "A-3 done"))
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Outcome != store.OutcomeProcessed || rs[1].Outcome != store.OutcomeFailed || rs[2].Outcome != store.OutcomeProcessed {
		t.Fatalf("outcomes %s, %s, %s; want processed, failed, processed", rs[0].Outcome, rs[1].Outcome, rs[2].Outcome)
	}
	if !strings.Contains(rs[1].Reason, "late failure") {
		t.Errorf("failure reason %q does not say why", rs[1].Reason)
	}
	for ref, want := range map[string]string{"A-1": "done", "A-2": "open", "A-3": "done"} {
		if st := h.item(ref).Status; st != want {
			t.Errorf("%s is %s, want %s", ref, st, want)
		}
	}
	got := h.kinds(h.mailsSince(before))
	want := map[string]int{"ack→" + alice.email: 1, "ack→" + carol.email: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queued %v, want %v: the failed message's ack is rolled back with it", got, want)
	}
	failed, err := h.st.MessagesByMessageID(context.Background(), rs[1].MessageID)
	if err != nil || len(failed) != 1 || failed[0].Outcome != store.OutcomeFailed || len(failed[0].Raw) == 0 {
		t.Fatalf("failed message record %+v (%v), want one failed record with its bytes", failed, err)
	}
	// Re-run once the bug is gone: it applies.
	engine.SetAfterApply(h.eng, nil)
	if _, err := h.eng.Reprocess(context.Background(), rs[1].MessageID); err != nil {
		t.Fatal(err)
	}
	if st := h.item("A-2").Status; st != "done" {
		t.Errorf("after reprocess A-2 is %s, want done", st)
	}
}

// A message that panics the MIME reader is kept as failed, under a key of
// its own (its content hash), with its bytes; the batch goes on.
func TestBatchReaderPanicFailsTheMessageOnly(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	engine.SetAfterRead(h.eng, func(d engine.Delivery) {
		if strings.Contains(string(d.Raw), "poison") {
			panic("reader bug")
		}
	})
	rs, err := h.batch(h.authReply(alice, "poison one"), h.authReply(bob, "poison two"), h.authReply(carol, "A-3 done"))
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Outcome != store.OutcomeFailed || rs[1].Outcome != store.OutcomeFailed || rs[2].Outcome != store.OutcomeProcessed {
		t.Fatalf("outcomes %s, %s, %s; want failed, failed, processed", rs[0].Outcome, rs[1].Outcome, rs[2].Outcome)
	}
	if rs[0].MessageID == rs[1].MessageID || !strings.HasPrefix(rs[0].MessageID, "hash:") {
		t.Errorf("keys %q and %q: want a content-hash key for each", rs[0].MessageID, rs[1].MessageID)
	}
	for _, r := range rs[:2] {
		ms, err := h.st.MessagesByMessageID(context.Background(), r.MessageID)
		if err != nil || len(ms) != 1 || len(ms[0].Raw) == 0 || !strings.Contains(ms[0].Error, "reader bug") {
			t.Errorf("record of %s: %+v (%v), want one failed record with its bytes and the reason", r.MessageID, ms, err)
		}
	}
	if st := h.item("A-3").Status; st != "done" {
		t.Errorf("A-3 is %s, want done", st)
	}
}

// Mail is written out between messages once enough is waiting; a message
// that fails afterwards still takes only its own mail with it.
func TestBatchWritesMailOutAsItGoes(t *testing.T) {
	defer engine.SetMaxPendingMails(3)()
	h := newHarness(t, trustedAuthserv("mx."+domain))
	engine.SetAfterApply(h.eng, func(d engine.Delivery) {
		if strings.Contains(string(d.Raw), "A-2 done") {
			panic("late failure")
		}
	})
	rs, err := h.batch(h.minutesMsg(), h.authReply(alice, "A-1 done"), h.authReply(bob, "A-2 done"),
		h.authReply(carol, "A-3 done"), h.authReply(chair, "A-4 due Dec 9"))
	if err != nil {
		t.Fatal(err)
	}
	if rs[2].Outcome != store.OutcomeFailed {
		t.Fatalf("bob's reply: %+v, want failed", rs[2])
	}
	got := h.kinds(h.outbox())
	want := map[string]int{"ack→" + alice.email: 1, "ack→" + carol.email: 1, "ack→" + chair.email: 1}
	for _, p := range []person{chair, alice, bob, carol} {
		want["minutes→"+p.email] = 1
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queued %v, want %v", got, want)
	}
}

func TestBatchDuplicateMessageID(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	m := h.authReply(alice, "A-1 progress 30%")
	m.id = "same@" + domain
	rs, err := h.batch(m, m)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Duplicate || !rs[1].Duplicate {
		t.Errorf("duplicate flags %v, %v; want the second only", rs[0].Duplicate, rs[1].Duplicate)
	}
	if ms, _ := h.st.MessagesByMessageID(context.Background(), "same@"+domain); len(ms) != 1 {
		t.Errorf("%d records of the message, want 1", len(ms))
	}
}

func TestBatchRateLimitCountsMailQueuedInTheBatch(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain), rateLimit(2))
	h.minutes()
	before := len(h.outbox())
	var ms []msg
	for i := range 4 {
		ms = append(ms, h.authReply(bob, fmt.Sprintf("A-2 progress %d%%", 10*(i+1))))
	}
	if _, err := h.batch(ms...); err != nil {
		t.Fatal(err)
	}
	if got := h.kinds(h.mailsSince(before))["ack→"+bob.email]; got != 2 {
		t.Errorf("%d acks to bob, want 2: the limit counts answers queued earlier in the same batch", got)
	}
	if p := h.item("A-2").Progress; p != 40 {
		t.Errorf("A-2 progress %d, want 40: the limit stops answers, not changes", p)
	}
}

// A mail that cannot be rendered (a broken template override) is an error
// like a database error: nothing of the batch is committed, and intake
// leaves the messages where they are.
// A mail that cannot be built because of what one message says fails
// that message alone: the messages before and after it in the batch keep
// their effects and their mail, and the mailbox moves past all three.
func TestBatchRenderErrorFailsThatMessageAlone(t *testing.T) {
	dir := t.TempDir()
	// An override that breaks on one reply's content only.
	tmpl := "{{if eq .Subject \"Minutes: EHR weekly 2026-11-24 poison\"}}{{index .Changes 99}}{{end}}Done.\n"
	if err := os.WriteFile(filepath.Join(dir, "ack.txt.tmpl"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.minutes()
	h.eng.SetTemplates(set)
	before := len(h.outbox())
	poison := h.authReply(bob, "A-2 done")
	poison.subject += " poison"
	rs, err := h.batch(h.authReply(alice, "A-1 done"), poison, h.authReply(carol, "A-3 done"))
	if err != nil {
		t.Fatalf("HandleBatch: %v; one message's mail must not fail the batch", err)
	}
	if rs[0].Failed() || rs[2].Failed() || !rs[1].Failed() {
		t.Fatalf("results %+v: want only the poisoned reply failed", rs)
	}
	if !strings.Contains(rs[1].Reason, "could not be built") {
		t.Errorf("reason %q does not say why", rs[1].Reason)
	}
	for ref, want := range map[string]string{"A-1": "done", "A-2": "open", "A-3": "done"} {
		if st := h.item(ref).Status; st != want {
			t.Errorf("%s is %s, want %s", ref, st, want)
		}
	}
	acks := 0
	for _, m := range h.mailsSince(before) {
		if m.Kind == "ack" {
			acks++
		}
	}
	if acks != 2 {
		t.Errorf("%d acks queued, want 2 (alice, carol)", acks)
	}
	if cp, _ := h.st.Checkpoint(context.Background(), "INBOX"); cp.LastUID != h.uid {
		t.Errorf("checkpoint at UID %d, want %d", cp.LastUID, h.uid)
	}
}

// Intake reads the next batch while the one before it is handled: replies
// read before the minutes they answer were committed are still applied to
// the items those minutes create.
func TestBatchReadBeforeTheBatchBeforeIsHandled(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	first := h.eng.ReadBatch(h.deliveries(h.minutesMsg()))
	second := h.eng.ReadBatch(h.deliveries(h.authReply(alice, "A-1 done"), h.authReply(bob, "A-2 progress 40%")))
	if _, err := h.eng.HandleRead(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	rs, err := h.eng.HandleRead(context.Background(), second)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if string(r.Kind) != "reply" || r.Outcome != store.OutcomeProcessed {
			t.Errorf("result %d = %+v, want a processed reply", i, r)
		}
	}
	if st := h.item("A-1").Status; st != "done" {
		t.Errorf("A-1 is %s, want done", st)
	}
	if p := h.item("A-2").Progress; p != 40 {
		t.Errorf("A-2 progress %d, want 40", p)
	}
	// An unread batch is read when it is handled.
	rs, err = h.eng.HandleRead(context.Background(), unread(h.deliveries(h.authReply(carol, "A-3 progress 10%"))))
	if err != nil || len(rs) != 1 || rs[0].Outcome != store.OutcomeProcessed {
		t.Fatalf("unread batch: %+v, %v", rs, err)
	}
	if p := h.item("A-3").Progress; p != 10 {
		t.Errorf("A-3 progress %d, want 10", p)
	}
}

// unread is a batch of deliveries the engine has not read ahead.
type unread []engine.Delivery

func (u unread) Deliveries() []engine.Delivery { return u }

// The batch remembers which meeting a Message-ID threads to, for the
// replies after; minutes recorded later in the batch make an id it
// looked up before and did not find name their meeting.
func TestBatchReplyBeforeItsMinutes(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	rs, err := h.batch(h.authReply(alice, "done"), h.minutesMsg(), h.authReply(bob, "done"))
	if err != nil {
		t.Fatal(err)
	}
	if rs[1].Kind != "minutes" || rs[2].Outcome != store.OutcomeProcessed {
		t.Fatalf("results %+v, want the minutes and bob's reply processed", rs)
	}
	if st := h.item("A-2").Status; st != "done" {
		t.Errorf("A-2 is %s, want done: bob's reply threads to the minutes recorded earlier in its batch", st)
	}
	if st := h.item("A-1").Status; st != "open" {
		t.Errorf("A-1 is %s, want open: alice's reply came before the minutes", st)
	}
}

// The answer budget counts what the batch queued, written out or not,
// and not what a message rolled back had queued.
func TestBatchRateLimitAcrossWriteOutsAndRollbacks(t *testing.T) {
	defer engine.SetMaxPendingMails(1)()
	h := newHarness(t, trustedAuthserv("mx."+domain), rateLimit(2))
	h.minutes()
	before := len(h.outbox())
	engine.SetAfterApply(h.eng, func(d engine.Delivery) {
		if strings.Contains(string(d.Raw), "progress 20%") {
			panic("late failure")
		}
	})
	var ms []msg
	for i := range 5 {
		ms = append(ms, h.authReply(bob, fmt.Sprintf("A-2 progress %d%%", 10*(i+1))))
	}
	rs, err := h.batch(ms...)
	if err != nil {
		t.Fatal(err)
	}
	if rs[1].Outcome != store.OutcomeFailed {
		t.Fatalf("second reply %+v, want failed", rs[1])
	}
	acks := 0
	for _, m := range h.mailsSince(before) {
		if m.Kind == "ack" {
			acks++
			if strings.Contains(string(m.Raw), "20%") {
				t.Errorf("the rolled-back reply's ack was queued")
			}
		}
	}
	if acks != 2 {
		t.Errorf("%d acks to bob, want 2: the first and third replies are answered, the rolled-back one's ack neither sent nor counted", acks)
	}
}

// A batch is handled once when none of its messages fails; when one does,
// the batch is rolled back and handled again with a savepoint for each
// message, so the failure is undone alone and the others apply once.
func TestBatchIsHandledAgainOnlyWhenAMessageFails(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	applied := map[string]int{}
	fail := ""
	engine.SetAfterApply(h.eng, func(d engine.Delivery) {
		for _, ref := range []string{"A-1", "A-2", "A-3"} {
			if strings.Contains(string(d.Raw), ref+" progress") {
				applied[ref]++
				if ref == fail {
					panic("late failure")
				}
			}
		}
	})
	replies := func() []msg {
		return []msg{h.authReply(alice, "A-1 progress 10%"), h.authReply(bob, "A-2 progress 20%"), h.authReply(carol, "A-3 progress 30%")}
	}
	if _, err := h.batch(replies()...); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(applied) != "map[A-1:1 A-2:1 A-3:1]" {
		t.Errorf("applied %v, want each reply once", applied)
	}
	clear(applied)
	fail = "A-2"
	rs, err := h.batch(replies()...)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(applied) != "map[A-1:2 A-2:2 A-3:1]" {
		t.Errorf("applied %v, want A-1 and A-2 twice (the pass that failed, then the guarded one) and A-3 once", applied)
	}
	if rs[0].Outcome != store.OutcomeProcessed || rs[1].Outcome != store.OutcomeFailed || rs[2].Outcome != store.OutcomeProcessed {
		t.Errorf("outcomes %s, %s, %s; want processed, failed, processed", rs[0].Outcome, rs[1].Outcome, rs[2].Outcome)
	}
	if p := h.item("A-1").Progress; p != 10 {
		t.Errorf("A-1 progress %d, want 10", p)
	}
}

// Corrected minutes in the middle of a batch change what their meeting
// holds: a reply after them that names no ref sees the new item, though a
// reply before them had the batch look the meeting's refs up.
func TestBatchSeesItemsCorrectedMinutesAdd(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	corrected := sampleMinutes + "ACTION: Carol to book the training rooms by 2026-12-03\n"
	second := h.authReply(carol, "done")
	second.headers[0] = "In-Reply-To: <minutes-2@" + domain + ">" // the corrected minutes
	rs, err := h.batch(h.authReply(carol, "done"),
		msg{from: chair, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, id: "minutes-2@" + domain, signed: true},
		second)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Outcome != store.OutcomeProcessed {
			t.Fatalf("message %d: %+v, want processed", i, r)
		}
	}
	if st := h.item("A-3").Status; st != "done" {
		t.Errorf("A-3 is %s, want done by carol's first reply", st)
	}
	if st := h.item("A-5").Status; st != "done" {
		t.Errorf("A-5 (added by the corrected minutes) is %s, want done by carol's second reply", st)
	}
}

// Held minutes confirmed in the middle of a batch become the meeting a
// later reply in it threads to, though an earlier reply had the batch look
// them up while they were still held.
func TestBatchSeesMinutesConfirmedInIt(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	before := len(h.outbox())
	held := msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain}
	if res := h.deliver(held); res.Outcome != store.OutcomeHeld {
		t.Fatalf("unsigned minutes: %+v, want held", res)
	}
	ask := mailTo(t, h.mailsSince(before), "confirm", chair.email)
	rs, err := h.batch(h.authReply(carol, "done"), h.replyTo(ask, chair, "confirm"), h.authReply(carol, "done"))
	if err != nil {
		t.Fatal(err)
	}
	if rs[1].Outcome != store.OutcomeProcessed || rs[2].Outcome != store.OutcomeProcessed {
		t.Fatalf("results %+v, want the confirmation and carol's second reply processed", rs)
	}
	if st := h.item("A-3").Status; st != "done" {
		t.Errorf("A-3 is %s, want done: carol's reply after the confirmation threads to the minutes it published", st)
	}
}

// Projects reading one mailbox share a batch. What the batch remembers of a
// Message-ID is per project: a reply to another project, threaded to
// minutes only the first project holds, stays unlinked, whether or not a
// reply to the first project asked about those minutes before it.
func TestBatchMemoIsPerProject(t *testing.T) {
	for _, ehrFirst := range []bool{false, true} {
		h := newHarness(t, trustedAuthserv("mx."+domain), func(c *config.Config) {
			c.Projects = append(c.Projects, config.Project{Name: "Lab", Address: "lab@" + domain, Timezone: "UTC",
				Members: []config.Member{{Name: chair.name, Email: chair.email, Role: "chair"}, {Name: alice.name, Email: alice.email}}})
		})
		h.minutes() // EHR's, <minutes-1@…>
		lab := msg{from: chair, to: "lab@" + domain, subject: "Minutes: Lab weekly", body: "ACTION: Alice to calibrate the analyser by 2026-12-01\n", signed: true}
		if res := h.deliver(lab); res.Project != "Lab" || res.Outcome != store.OutcomeProcessed {
			t.Fatalf("Lab's minutes: %+v", res)
		}
		labReply := h.authReply(alice, "done") // threaded to EHR's minutes
		labReply.to = "lab@" + domain
		ms := []msg{labReply}
		if ehrFirst {
			ms = []msg{h.authReply(bob, "A-2 progress 10%"), labReply}
		}
		rs, err := h.batch(ms...)
		if err != nil {
			t.Fatal(err)
		}
		if r := rs[len(rs)-1]; r.Project != "Lab" || r.Kind != "other" || r.Outcome != store.OutcomeIgnored {
			t.Errorf("EHR reply first: %v; Lab reply %+v, want ignored (Lab holds no minutes-1, and a bare done names nothing)", ehrFirst, r)
		}
	}
}
