package engine_test

import (
	"context"
	"strings"
	"testing"

	"mailflow/store"
)

func TestMinutesStoreItemsAndMailEveryone(t *testing.T) {
	h := newHarness(t)
	h.minutes()

	wantItems := []struct{ ref, owner, due, text string }{
		{"A-1", alice.email, "2026-12-01", "draft the training plan"},
		{"A-2", bob.email, "2026-12-04", "confirm the interface test window"},
		{"A-3", carol.email, "2026-11-27", "order badge readers"},
		{"A-4", "", "2026-11-27", "fix the printers"},
	}
	if n := h.countItems(); n != len(wantItems) {
		t.Fatalf("stored %d items, want %d", n, len(wantItems))
	}
	for _, w := range wantItems {
		it := h.item(w.ref)
		if it.Owner != w.owner || it.Due != w.due || it.Text != w.text || it.Status != "open" {
			t.Errorf("%s = {owner %q due %q text %q status %q}, want {%q %q %q open}", w.ref, it.Owner, it.Due, it.Text, it.Status, w.owner, w.due, w.text)
		}
	}
	if r := h.risk("R-1"); r.Likelihood != "high" || r.Impact != "high" || r.Mitigation != "weekly vendor call" || r.Owner != bob.email {
		t.Errorf("R-1 = %+v", r)
	}
	if r := h.risk("R-2"); r.Likelihood != "medium" || r.Impact != "low" || r.Owner != alice.email {
		t.Errorf("R-2 = %+v", r)
	}

	ms := h.outbox()
	if len(ms) != 4 {
		t.Fatalf("queued %d mails, want 4 (one minutes mail per member)", len(ms))
	}
	for _, p := range []person{chair, alice, bob, carol} {
		m := mailTo(t, ms, "minutes", p.email)
		if got := header(t, m, "In-Reply-To"); got != "<minutes-1@"+domain+">" {
			t.Errorf("minutes to %s: In-Reply-To %q", p.email, got)
		}
		if rt := strings.Trim(header(t, m, "Reply-To"), "<>"); !strings.HasPrefix(rt, "ehr+m") || !strings.HasSuffix(rt, "@"+domain) {
			t.Errorf("minutes to %s: Reply-To %q is not a signed project address", p.email, rt)
		}
		if header(t, m, "Auto-Submitted") != "auto-generated" || header(t, m, "X-Mailflow-Kind") != "minutes" {
			t.Errorf("minutes to %s lacks Auto-Submitted/X-Mailflow-Kind", p.email)
		}
		if !strings.HasSuffix(strings.Trim(header(t, m, "Message-ID"), "<>"), "@"+domain) {
			t.Errorf("Message-ID %q not on the project domain", header(t, m, "Message-ID"))
		}
		text := body(t, m)
		for _, want := range []string{"A-1", "draft the training plan", "Alice Moreau", "R-1", "weekly vendor call"} {
			if !strings.Contains(text, want) {
				t.Errorf("minutes to %s does not mention %q", p.email, want)
			}
		}
		// Only the sender sees the problems (Zed is nobody).
		hasProblems := strings.Contains(text, "PROBLEMS FOUND") && strings.Contains(text, "Zed")
		if hasProblems != (p == chair) {
			t.Errorf("minutes to %s: problems listed = %v, want %v", p.email, hasProblems, p == chair)
		}
	}
}

func TestSameMessageTwiceIsHandledOnce(t *testing.T) {
	h := newHarness(t)
	raw := h.raw(msg{from: chair, subject: "Minutes: EHR weekly", body: sampleMinutes, id: "dup@" + domain, signed: true})
	first := h.deliverRaw(raw)
	second := h.deliverRaw(raw)
	if first.Duplicate || !second.Duplicate {
		t.Fatalf("duplicate flags: first %v second %v", first.Duplicate, second.Duplicate)
	}
	if n := h.countItems(); n != 4 {
		t.Errorf("items after a repeated delivery: %d, want 4", n)
	}
	if n := len(h.outbox()); n != 4 {
		t.Errorf("mails after a repeated delivery: %d, want 4", n)
	}
}

func TestCorrectedMinutesKeepRefs(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	before := len(h.outbox())
	corrected := strings.Replace(sampleMinutes, "by 2026-12-04", "by 2026-12-11", 1)                      // A-2 moved
	corrected = strings.Replace(corrected, "ACTION: Carol to order badge readers by 2026-11-27\n", "", 1) // A-3 dropped
	corrected += "ACTION: Carol to book the training rooms by 2026-12-03\n"                               // new
	res := h.deliver(msg{from: chair, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, signed: true})
	if res.Kind != "minutes" {
		t.Fatalf("corrected minutes read as %s", res.Kind)
	}
	if n := h.countItems(); n != 5 {
		t.Fatalf("items after correction: %d, want 5 (4 kept/cancelled + 1 new)", n)
	}
	if it := h.item("A-1"); it.Status != "open" || it.Due != "2026-12-01" {
		t.Errorf("unchanged A-1 = %+v", it)
	}
	if it := h.item("A-2"); it.Due != "2026-12-11" || it.Status != "open" {
		t.Errorf("A-2 after correction: due %s status %s, want 2026-12-11 open", it.Due, it.Status)
	}
	if it := h.item("A-3"); it.Status != "cancelled" {
		t.Errorf("dropped A-3 status %s, want cancelled", it.Status)
	}
	if it := h.item("A-5"); it.Text != "book the training rooms" || it.Owner != carol.email {
		t.Errorf("new A-5 = %+v", it)
	}
	trail, err := h.st.AuditTrail(context.Background(), 1, "A-3")
	if err != nil {
		t.Fatal(err)
	}
	if last := trail[len(trail)-1]; last.Action != "cancelled" {
		t.Errorf("A-3 audit ends with %q, want cancelled", last.Action)
	}
	if n := len(h.mailsSince(before)); n != 4 {
		t.Errorf("corrected minutes queued %d mails, want 4", n)
	}
}

func TestMinutesFromStrangerAreNotRecorded(t *testing.T) {
	h := newHarness(t)
	res := h.deliver(msg{from: stranger, subject: "Minutes: EHR weekly", body: sampleMinutes, signed: true})
	if res.Outcome != store.OutcomeIgnored {
		t.Fatalf("outcome %s, want ignored", res.Outcome)
	}
	if n := h.countItems(); n != 0 {
		t.Errorf("stranger's minutes created %d items", n)
	}
	if ms := h.outbox(); len(ms) != 0 {
		t.Fatalf("a stranger's minutes queued %d mails; want none (no backscatter)", len(ms))
	}
}

func TestMalformedMessageIsKeptAsFailed(t *testing.T) {
	h := newHarness(t)
	raw := []byte("From: Priya <priya@clinic.example>\r\nSubject: Minutes\r\nMessage-ID: <broken@x>\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--zz--\r\n")
	res := h.deliverRaw(raw)
	if res.Outcome != store.OutcomeFailed || res.Reason == "" {
		t.Fatalf("result %+v, want failed with a reason", res)
	}
	ms, err := h.st.MessagesByMessageID(context.Background(), "broken@x")
	if err != nil || len(ms) != 1 {
		t.Fatalf("recorded %d rows (%v)", len(ms), err)
	}
	if !bytes_equal(ms[0].Raw, raw) || ms[0].Error == "" {
		t.Errorf("failed message not kept with its bytes and reason: %+v", ms[0].Error)
	}
	cp, _ := h.st.Checkpoint(context.Background(), "INBOX")
	if cp.LastUID != h.uid {
		t.Errorf("checkpoint %d, want %d: a failed message is still handled", cp.LastUID, h.uid)
	}
}

func bytes_equal(a, b []byte) bool { return string(a) == string(b) }

// A reply threaded to the first version of minutes, after a correction,
// still belongs to the meeting: most people answer the chair's own mail,
// and a "done" naming no ref must not be dropped for it.
func TestReplyToFirstMinutesAfterACorrection(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx."+domain))
	h.minutes()
	corrected := sampleMinutes + "ACTION: Alice to book the training rooms by 2026-12-03\n"
	if res := h.deliver(msg{from: chair, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, id: "minutes-2@" + domain, signed: true}); res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("corrected minutes: %+v", res)
	}
	res := h.deliver(h.authReply(carol, "done")) // In-Reply-To the first version
	if res.Kind != "reply" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("carol's reply to the first minutes: %+v, want a processed reply", res)
	}
	if st := h.item("A-3").Status; st != "done" {
		t.Errorf("A-3 is %s, want done", st)
	}
}
