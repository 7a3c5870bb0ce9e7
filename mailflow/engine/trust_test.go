package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/store"
)

// publishByConfirming delivers minutes that nothing authenticates, as the
// README's default configuration receives every minutes mail, and has
// their sender confirm them through the request mailflow sends.
func (h *harness) publishByConfirming(m msg) {
	h.t.Helper()
	before := len(h.outbox())
	if res := h.deliver(m); res.Outcome != store.OutcomeHeld {
		h.t.Fatalf("minutes: %+v, want held", res)
	}
	ask := mailTo(h.t, h.mailsSince(before), "confirm", m.from.email)
	if res := h.deliver(h.replyTo(ask, m.from, "confirm")); res.Outcome != store.OutcomeProcessed {
		h.t.Fatalf("confirm: %+v", res)
	}
}

// The attack of the issue: with the default security (a reply key, no
// trusted_authserv_id), "corrected minutes" in the chair's name, sent
// straight to the project address in reply to the real minutes, must
// change nothing and mail nobody but the chair, at the roster address.
func TestForgedCorrectedMinutesChangeNothing(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	h.publishByConfirming(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain})
	if n := h.countItems(); n != 4 {
		t.Fatalf("%d items after the real minutes, want 4", n)
	}
	before := len(h.outbox())
	h.clock.set(h.clock.now().Add(time.Hour))
	forged := msg{
		from: person{chair.name, chair.email}, subject: "Corrected minutes: EHR weekly 2026-11-24",
		body: "Attendees: Priya Shah, mallory@attacker.example\n\nDECISION: pay invoices through https://attacker.example/pay\n\n" +
			"ACTION: Alice to wire the vendor deposit to https://attacker.example by 2026-11-25\n",
		headers: []string{"In-Reply-To: <minutes-1@" + domain + ">", "References: <minutes-1@" + domain + ">"},
	}
	res := h.deliver(forged)
	if res.Outcome != store.OutcomeHeld || res.Kind != "minutes" {
		t.Fatalf("forged corrected minutes: %+v, want held minutes", res)
	}
	for _, ref := range []string{"A-1", "A-2", "A-3", "A-4"} {
		if st := h.item(ref).Status; st != "open" {
			t.Errorf("%s is %s: forged minutes changed it", ref, st)
		}
	}
	if n := h.countItems(); n != 4 {
		t.Errorf("%d items: forged minutes added some", n)
	}
	trail, err := h.st.AuditSince(context.Background(), 1, h.clock.now())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range trail {
		if a.MessageID != 0 && a.Actor == chair.email && a.Action != "note" {
			t.Errorf("audit trail records %q by the chair from the forged mail", a.Action)
		}
	}
	ms := h.mailsSince(before)
	if len(ms) != 1 || ms[0].Kind != "confirm" || ms[0].Recipients()[0] != chair.email {
		var got []string
		for _, m := range ms {
			got = append(got, m.Kind+"→"+strings.Join(m.Recipients(), ","))
		}
		t.Fatalf("forged minutes queued %v; want one confirmation request to the chair", got)
	}
	text := flat(body(t, ms[0]))
	for _, want := range []string{"could not confirm that they came from you", "tell the project chair", "wire the vendor deposit", `"confirm"`} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation request lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(h.logs.String(), "reason=") {
		t.Errorf("holding the minutes logged no reason:\n%s", h.logs.String())
	}
}

func TestHeldMinutesConfirmedBySenderArePublished(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	before := len(h.outbox())
	h.publishByConfirming(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain})
	if n := h.countItems(); n != 4 {
		t.Fatalf("%d items after confirmation, want 4", n)
	}
	kinds := countKinds(h.mailsSince(before))
	if kinds["confirm"] != 1 || kinds["minutes"] != 4 || kinds["ack"] != 1 {
		t.Errorf("mail queued: %v; want 1 confirm, 4 minutes (the roster), 1 ack", kinds)
	}
	// The items are the sender's, created by the minutes message itself.
	trail, err := h.st.AuditTrail(context.Background(), 1, "A-1")
	if err != nil || len(trail) == 0 || trail[0].Actor != chair.email {
		t.Fatalf("A-1 trail %+v (%v): want created by the chair", trail, err)
	}
	// Confirming twice does nothing more.
	n := len(h.outbox())
	ask := mailTo(t, h.outbox(), "confirm", chair.email)
	res := h.deliver(h.replyTo(ask, chair, "confirm"))
	if res.Outcome != store.OutcomeIgnored || h.countItems() != 4 {
		t.Errorf("second confirm: %+v, %d items", res, h.countItems())
	}
	if ms := h.mailsSince(n); len(ms) != 1 || ms[0].Kind != "error" || !strings.Contains(flat(body(t, ms[0])), "no minutes H-") {
		t.Errorf("second confirm: want one error saying there is nothing to confirm, got %d mails", len(ms))
	}
}

func TestHeldMinutesConfirmedByChairOnly(t *testing.T) {
	h := newHarness(t)
	// Alice's minutes arrive without a DKIM pass.
	res := h.deliver(msg{from: alice, subject: "Minutes: training sync", body: "ACTION: Bob to book the training rooms by 2026-12-03\n"})
	if res.Outcome != store.OutcomeHeld {
		t.Fatalf("alice's unauthenticated minutes: %+v, want held", res)
	}
	held, err := h.st.HeldMinutes(context.Background(), 1)
	if err != nil || len(held) != 1 {
		t.Fatalf("held minutes %v (%v)", held, err)
	}
	ref := fmt.Sprintf("H-%d", held[0].ID)
	// Bob, a member, may not confirm someone else's minutes.
	res = h.deliver(msg{from: bob, subject: "confirm", body: "confirm " + ref + "\n", signed: true})
	if res.Outcome != store.OutcomeIgnored || h.countItems() != 0 {
		t.Fatalf("bob's confirm: %+v, %d items; want refused", res, h.countItems())
	}
	// The chair may.
	res = h.deliver(msg{from: chair, subject: "confirm", body: "confirm " + ref + "\n", signed: true})
	if res.Outcome != store.OutcomeProcessed || h.countItems() != 1 {
		t.Fatalf("chair's confirm: %+v, %d items", res, h.countItems())
	}
	if it := h.item("A-1"); it.Owner != bob.email {
		t.Errorf("A-1 owner %q, want bob", it.Owner)
	}
	trail, _ := h.st.AuditTrail(context.Background(), 1, "A-1")
	if len(trail) == 0 || trail[0].Actor != alice.email {
		t.Errorf("A-1 created by %v; want alice, whose minutes they are", trail)
	}
	if held, _ := h.st.HeldMinutes(context.Background(), 1); len(held) != 0 {
		t.Errorf("%d minutes still held after confirmation", len(held))
	}
}

func TestHeldMinutesExpire(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	before := len(h.outbox())
	if res := h.deliver(msg{from: chair, subject: "Minutes: EHR weekly", body: sampleMinutes}); res.Outcome != store.OutcomeHeld {
		t.Fatalf("%+v, want held", res)
	}
	ask := mailTo(t, h.mailsSince(before), "confirm", chair.email)
	h.clock.set(h.clock.now().AddDate(0, 0, 8))
	n := len(h.outbox())
	res := h.deliver(h.replyTo(ask, chair, "confirm"))
	if res.Outcome != store.OutcomeIgnored || h.countItems() != 0 {
		t.Fatalf("confirm after 8 days: %+v, %d items", res, h.countItems())
	}
	ms := h.mailsSince(n)
	if len(ms) != 1 || !strings.Contains(flat(body(t, ms[0])), "expired unpublished") {
		t.Errorf("want one answer saying the minutes expired, got %d", len(ms))
	}
}

// Forged minutes listing 600 outside addresses: the project address must
// not become a spam cannon. Only the roster is mailed; the rest are named
// as a problem in the sender's copy.
func TestOutsideAttendeesAreNotMailed(t *testing.T) {
	var b strings.Builder
	b.WriteString("Attendees: Priya Shah, Alice Moreau")
	for i := range 600 {
		fmt.Fprintf(&b, ", victim%d@outside.example", i)
	}
	b.WriteString("\n\nACTION: Alice to draft the plan by 2026-12-01\n")
	t.Run("default", func(t *testing.T) {
		h := newHarness(t)
		res := h.deliver(msg{from: chair, subject: "Minutes: big meeting", body: b.String(), signed: true})
		if res.Outcome != store.OutcomeProcessed {
			t.Fatalf("%+v", res)
		}
		ms := h.outbox()
		for _, m := range ms {
			if strings.HasSuffix(m.Recipients()[0], "@outside.example") {
				t.Fatalf("mailed an outside attendee: %v", m.Recipients())
			}
		}
		if len(ms) != 4 {
			t.Errorf("%d mails, want 4 (the roster)", len(ms))
		}
		text := flat(body(t, mailTo(t, ms, "minutes", chair.email)))
		if !strings.Contains(text, "not on the project's roster") || !strings.Contains(text, "more (ask the chair to add them") {
			t.Errorf("sender's copy does not list the attendees left out:\n%s", text)
		}
	})
	t.Run("allowed, capped", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config) {
			c.Projects[0].OutsideAttendees = true
			c.Projects[0].MaxRecipients = 20
		})
		h.deliver(msg{from: chair, subject: "Minutes: big meeting", body: b.String(), signed: true})
		if n := len(h.outbox()); n != 20 {
			t.Errorf("%d mails, want 20 (max_recipients)", n)
		}
		text := flat(body(t, mailTo(t, h.outbox(), "minutes", chair.email)))
		if !strings.Contains(text, "past the limit of 20 recipients") {
			t.Errorf("sender's copy does not say who was left out past the limit:\n%s", text)
		}
	})
	t.Run("allowed, but held minutes never reach outsiders", func(t *testing.T) {
		h := newHarness(t, defaultSecurity(), func(c *config.Config) { c.Projects[0].OutsideAttendees = true })
		h.publishByConfirming(msg{from: chair, subject: "Minutes: big meeting", body: b.String()})
		for _, m := range h.outbox() {
			if strings.HasSuffix(m.Recipients()[0], "@outside.example") {
				t.Fatalf("confirmed (not authenticated) minutes mailed an outside attendee")
			}
		}
	})
}

// A member whose mail passes DKIM sends "corrected minutes" that drop two
// items owned by others and move a third's due date by six months: only
// what they may change changes; the rest is listed in their copy.
func TestCorrectionsAreAuthorisedItemByItem(t *testing.T) {
	h := newHarness(t)
	h.minutes() // the chair's: A-1 Alice, A-2 Bob, A-3 Carol, A-4 Zed (no owner)
	before := len(h.outbox())
	corrected := `Attendees: Priya Shah, Alice Moreau, Bob Okafor, Carol Nguyen

ACTION: Bob to confirm the interface test window by 2026-12-11
ACTION: Carol to order badge readers by 2027-05-27
`
	res := h.deliver(msg{from: bob, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, signed: true})
	if res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("bob's corrected minutes: %+v", res)
	}
	if it := h.item("A-1"); it.Status != "open" {
		t.Errorf("Alice's A-1 is %s; Bob may not cancel it", it.Status)
	}
	if it := h.item("A-3"); it.Due != "2026-11-27" {
		t.Errorf("Carol's A-3 due %s; Bob may not move it", it.Due)
	}
	if it := h.item("A-2"); it.Due != "2026-12-11" {
		t.Errorf("Bob's own A-2 due %s, want 2026-12-11", it.Due)
	}
	copyText := flat(body(t, mailTo(t, h.mailsSince(before), "minutes", bob.email)))
	for _, want := range []string{"A-1 is not in these minutes but stays open", "A-3 was not changed"} {
		if !strings.Contains(copyText, want) {
			t.Errorf("bob's copy lacks %q:\n%s", want, copyText)
		}
	}
	// The chair may make the same corrections.
	res = h.deliver(msg{from: chair, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, signed: true})
	if res.Outcome != store.OutcomeProcessed {
		t.Fatalf("%+v", res)
	}
	if st := h.item("A-1").Status; st != "cancelled" {
		t.Errorf("the chair's correction left A-1 %s, want cancelled", st)
	}
	if due := h.item("A-3").Due; due != "2027-05-27" {
		t.Errorf("the chair's correction left A-3 due %s", due)
	}
}

// One message whose content could never be mailed sits between two good
// replies: all three are handled, and the bad address is a problem in the
// sender's copy rather than a mail that fails the batch.
func TestPoisonAddressDoesNotStallTheBatch(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Projects[0].OutsideAttendees = true })
	h.minutes()
	before := len(h.outbox())
	poison := msg{from: chair, subject: "Minutes: vendor call 2026-11-24", signed: true,
		body: "Attendees: Priya Shah, \"odd guy\"@evil.example, odd guy@evil.example, sam@outside.example\n\nACTION: Alice to send the quote by 2026-12-01\n"}
	rs, err := h.batch(h.authReply(alice, "A-1 done"), poison, h.authReply(bob, "A-2 done"))
	if err != nil {
		t.Fatalf("HandleBatch: %v", err)
	}
	for i, r := range rs {
		if r.Outcome != store.OutcomeProcessed {
			t.Errorf("message %d: %+v", i, r)
		}
	}
	if h.item("A-1").Status != "done" || h.item("A-2").Status != "done" {
		t.Errorf("the good replies around the poison were not applied")
	}
	ms := h.mailsSince(before)
	for _, m := range ms {
		if strings.Contains(m.Recipients()[0], "odd") {
			t.Errorf("a mail went to %v", m.Recipients())
		}
	}
	mailTo(t, ms, "minutes", "sam@outside.example") // the good outside address still gets them
	text := flat(body(t, mailTo(t, ms, "minutes", chair.email)))
	if !strings.Contains(text, "not an address mailflow can send to") {
		t.Errorf("sender's copy does not name the bad address:\n%s", text)
	}
}

func TestTooManyItemsFailTheMessage(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Security.MaxItems = 50 })
	var b strings.Builder
	for i := range 51 {
		fmt.Fprintf(&b, "ACTION: Alice to check rack %d by 2026-12-01\n", i)
	}
	res := h.deliver(msg{from: chair, subject: "Minutes: inventory", body: b.String(), signed: true})
	if res.Outcome != store.OutcomeFailed || !strings.Contains(res.Reason, "max_items") {
		t.Fatalf("%+v, want failed naming security.max_items", res)
	}
	if h.countItems() != 0 || len(h.outbox()) != 0 {
		t.Errorf("a failed message left %d items and %d mails", h.countItems(), len(h.outbox()))
	}
}

// A mail that takes the real minutes' Message-ID first, forged and never
// confirmed, must not make the real minutes be dropped as a duplicate.
func TestMessageIDCannotBePreempted(t *testing.T) {
	h := newHarness(t)
	forged := msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", id: "minutes-1@" + domain, body: "ACTION: Alice to wire the deposit by 2026-11-25\n"}
	if res := h.deliver(forged); res.Outcome != store.OutcomeHeld {
		t.Fatalf("forgery: %+v, want held", res)
	}
	res := h.minutes() // the real ones, same Message-ID, DKIM-signed
	if res.Duplicate || h.countItems() != 4 {
		t.Fatalf("real minutes after the forgery: %+v, %d items", res, h.countItems())
	}
	// A second copy of the real minutes is still a duplicate.
	again := h.deliver(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes, id: "minutes-1@" + domain, signed: true})
	if h.countItems() != 4 {
		t.Errorf("a repeated delivery of the real minutes added items (%+v)", again)
	}
}

func TestExpiredReplyTokenIsRefused(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	mine := h.minutesMailTo(bob)
	h.clock.set(h.clock.now().AddDate(0, 0, 181))
	before := len(h.outbox())
	res := h.deliver(h.replyTo(mine, bob, "A-2 done"))
	if res.Outcome != store.OutcomeIgnored || h.item("A-2").Status != "open" {
		t.Fatalf("reply through a 181-day-old address: %+v, A-2 %s", res, h.item("A-2").Status)
	}
	ms := h.mailsSince(before)
	if len(ms) != 1 || !strings.Contains(flat(body(t, ms[0])), "reply to a newer mail") {
		t.Errorf("want one refusal that says to reply to a newer mail, got %d", len(ms))
	}
}

// Mailman marks every post with both List-Id and Precedence: list. With
// allow_lists on, a post to a list the project runs is handled; off, it is
// ignored.
func TestMailingListPosts(t *testing.T) {
	list := []string{"List-Id: EHR team <ehr.lists.clinic.example>", "Precedence: list"}
	for _, allow := range []bool{false, true} {
		h := newHarness(t, func(c *config.Config) { c.Security.AllowLists = allow })
		h.minutes()
		m := h.replyTo(h.minutesMailTo(bob), bob, "A-2 due Dec 9")
		m.headers = append(m.headers, list...)
		res := h.deliver(m)
		want := "2026-12-04"
		if allow {
			want = "2026-12-09"
		}
		if d := h.item("A-2").Due; d != want {
			t.Errorf("allow_lists=%v: A-2 due %s (%s), want %s", allow, d, res.Reason, want)
		}
	}
}

// countKinds counts mails by kind.
func countKinds(ms []store.Mail) map[string]int {
	n := map[string]int{}
	for _, m := range ms {
		n[m.Kind]++
	}
	return n
}

// Authentication-Results as real mail servers write them, and as attackers
// shape them, decide through the engine whether a reply from Bob that
// came straight to the project address (no reply token) counts.
func TestAuthenticationResultsThroughTheEngine(t *testing.T) {
	tests := []struct {
		name     string
		headers  []string
		exchange bool
		applied  bool
	}{
		{"OpenDKIM's comment form", []string{"Authentication-Results: mx.clinic.example; dkim=pass (2048-bit key; unprotected) header.d=clinic.example header.i=@clinic.example header.b=Ab12Cd34"}, false, true},
		{"one header per method, dmarc none on top", []string{
			"Authentication-Results: mx.clinic.example; dmarc=none (p=none dis=none) header.from=clinic.example",
			"Authentication-Results: mx.clinic.example; spf=none smtp.mailfrom=clinic.example",
			"Authentication-Results: mx.clinic.example; dkim=pass (2048-bit key; unprotected) header.d=clinic.example"}, false, true},
		{"a pass inside a comment", []string{"Authentication-Results: mx.clinic.example; spf=fail (sender; dkim=pass header.d=clinic.example) smtp.mailfrom=bob@clinic.example"}, false, false},
		{"a pass inside an unquoted local part", []string{"Authentication-Results: mx.clinic.example; spf=fail smtp.mailfrom=x;dkim=pass header.d=clinic.example@evil.example"}, false, false},
		{"a pass inside a quoted value", []string{`Authentication-Results: mx.clinic.example; spf=fail smtp.mailfrom="x; dkim=pass header.d=clinic.example"@evil.example`}, false, false},
		{"dmarc fail beside an unaligned dkim pass", []string{"Authentication-Results: mx.clinic.example; dkim=pass header.d=evil.example; dmarc=fail header.from=clinic.example"}, false, false},
		{"Exchange Online's id-less header", []string{"Authentication-Results: spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=clinic.example; dkim=pass (signature was verified) header.d=clinic.example; dmarc=pass action=none header.from=clinic.example; compauth=pass reason=100"}, false, false},
		{"Exchange organisation headers, trusted", []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com",
			"X-MS-Exchange-Organization-AuthMechanism: 04"}, true, true},
		{"Exchange organisation headers, not trusted", []string{"X-MS-Exchange-Organization-AuthAs: Internal", "X-MS-Exchange-Organization-AuthSource: AM0PR01MB1234.eurprd01.prod.exchangelabs.com"}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(c *config.Config) { c.Security.TrustExchangeInternal = tc.exchange })
			h.minutes()
			res := h.deliver(msg{from: bob, subject: "A-2", body: "A-2 due Dec 9\n", headers: tc.headers})
			got := h.item("A-2").Due == "2026-12-09"
			if got != tc.applied {
				t.Errorf("applied = %v (%s: %s), want %v", got, res.Outcome, res.Reason, tc.applied)
			}
			if !tc.applied && !strings.Contains(h.logs.String(), "reason=") {
				t.Errorf("the refusal logged no reason")
			}
		})
	}
}
