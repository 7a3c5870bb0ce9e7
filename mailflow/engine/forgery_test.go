package engine_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
)

// Forged minutes in one member's name, many of them: every one is kept
// (nothing the member really sent is lost), the member gets only a few
// requests a day, and each request lists the other minutes waiting, which
// the member can confirm from it.
func TestForgedMinutesFloodIsHeldWithFewRequests(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	const n = engine.ConfirmRequestsPerDay + 3
	for i := range n {
		res := h.deliver(msg{from: bob, subject: fmt.Sprintf("Minutes: meeting %d", i), body: fmt.Sprintf("ACTION: Alice to check item %d\n", i)})
		if res.Outcome != store.OutcomeHeld {
			t.Fatalf("minutes %d: %+v, want held", i, res)
		}
	}
	held, err := h.st.HeldMinutes(context.Background(), 1)
	if err != nil || len(held) != n {
		t.Fatalf("%d minutes held (%v), want all %d", len(held), err, n)
	}
	if k := countKinds(h.outbox()); k["confirm"] != engine.ConfirmRequestsPerDay || len(h.outbox()) != engine.ConfirmRequestsPerDay {
		t.Fatalf("mail queued %v; want %d confirmation requests and nothing else", k, engine.ConfirmRequestsPerDay)
	}
	if !strings.Contains(h.logs.String(), "answer budget spent") {
		t.Errorf("the requests not sent are not logged")
	}
	last := h.outbox()[len(h.outbox())-1]
	text := flat(body(t, last))
	for _, m := range held[:engine.ConfirmRequestsPerDay-1] {
		if !strings.Contains(text, fmt.Sprintf("H-%d", m.ID)) {
			t.Errorf("the last request does not list H-%d, also waiting:\n%s", m.ID, text)
		}
	}
	// Bob publishes the first of them from the last request.
	first := held[0]
	res := h.deliver(h.replyTo(last, bob, fmt.Sprintf("confirm H-%d", first.ID)))
	if res.Outcome != store.OutcomeProcessed || h.countItems() != 1 {
		t.Fatalf("confirm H-%d from another request of bob's: %+v, %d items", first.ID, res, h.countItems())
	}
	// A day later, a request goes out again.
	h.clock.set(h.clock.now().Add(25 * time.Hour))
	before := len(h.outbox())
	h.deliver(msg{from: bob, subject: "Minutes: meeting late", body: "ACTION: Alice to check the late item\n"})
	mailTo(t, h.mailsSince(before), "confirm", bob.email)
}

// Forged replies in a member's name get them a few refusals a day, and do
// not use up what the member's own replies are answered from.
func TestForgedRepliesDoNotSilenceTheMember(t *testing.T) {
	h := newHarness(t, rateLimit(3))
	h.minutes()
	before := len(h.outbox())
	for range engine.UnauthRefusalsPerDay + 3 {
		if res := h.deliver(msg{from: bob, subject: "Re: A-2", body: "close A-2\n"}); res.Outcome != store.OutcomeIgnored {
			t.Fatalf("forged reply: %+v", res)
		}
	}
	if n := len(h.mailsSince(before)); n != engine.UnauthRefusalsPerDay {
		t.Errorf("%d refusals to bob, want %d", n, engine.UnauthRefusalsPerDay)
	}
	before = len(h.outbox())
	res := h.deliver(h.replyTo(mailTo(t, h.outbox(), "minutes", bob.email), bob, "A-2 done"))
	if res.Outcome != store.OutcomeProcessed || h.item("A-2").Status != "done" {
		t.Fatalf("bob's own reply after the forgeries: %+v, A-2 %s", res, h.item("A-2").Status)
	}
	mailTo(t, h.mailsSince(before), "ack", bob.email)
}

// A refusal tells the member what was tried in their name, but quotes too
// little of it to carry someone else's message through the project's
// address.
func TestRefusalQuotesLittleOfTheForgery(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	before := len(h.outbox())
	spam := "Cheap watches at http://spam.example/buy-now-limited-offer-today-only-while-stocks-last"
	var lines []string
	for i := range 8 {
		lines = append(lines, fmt.Sprintf("A-%d note: %s %d", i%4+1, spam, i))
	}
	h.deliver(msg{from: bob, subject: "Re: A-2 " + spam + " " + spam, body: strings.Join(lines, "\n") + "\n"})
	m := mailTo(t, h.mailsSince(before), "error", bob.email)
	text := body(t, m)
	if strings.Count(text, "spam.example") > 4 {
		t.Errorf("the refusal quotes the forgery %d times:\n%s", strings.Count(text, "spam.example"), text)
	}
	if strings.Contains(flat(text), "while-stocks-last") || strings.Contains(header(t, m, "Subject"), "while-stocks-last") {
		t.Errorf("the refusal quotes a whole forged line:\n%s", text)
	}
	if !strings.Contains(flat(text), "and 5 more") {
		t.Errorf("the refusal does not say how much more was asked:\n%s", text)
	}
}

// A signed reply address vouches for its sender only about what the mail
// it came in was about: mail is forwarded, quoted and read on shared
// mailboxes, so the address travels. DKIM from the sender's own domain
// vouches for everything a member may do.
func TestReplyAddressVouchesOnlyForItsMail(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	h.publishByConfirming(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes}) // A-1..A-4, R-1, R-2
	h.publishByConfirming(msg{from: chair, subject: "Minutes: Interfaces 2026-11-25", body: "ACTION: Bob to test the scanners by 2026-12-10\n"})
	if h.item("A-5").Owner != bob.email {
		t.Fatalf("A-5 = %+v, want bob's item of the second meeting", h.item("A-5"))
	}
	firstMinutes := mailTo(t, h.outbox(), "minutes", bob.email)
	cases := []struct {
		name    string
		to      func() store.Mail
		from    person
		text    string
		ref     string
		want    string // the item's status afterwards
		errText string // in the error mail, if refused
	}{
		{"item of the meeting replied to", func() store.Mail { return firstMinutes }, bob, "A-2 done", "A-2", "done", ""},
		{"item of another meeting", func() store.Mail { return firstMinutes }, bob, "A-5 done", "A-5", "open", "A-5 was not in the mail you replied to"},
		{"another item than the ack's", func() store.Mail { return mailTo(t, h.outbox(), "ack", bob.email) }, bob, "reopen A-5", "A-5", "open", "A-5 was not in the mail you replied to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.outbox())
			h.deliver(h.replyTo(tc.to(), tc.from, tc.text))
			if st := h.item(tc.ref).Status; st != tc.want {
				t.Errorf("%s after %q: %s, want %s", tc.ref, tc.text, st, tc.want)
			}
			if tc.errText != "" {
				if text := flat(body(t, mailTo(t, h.mailsSince(before), "error", tc.from.email))); !strings.Contains(text, tc.errText) {
					t.Errorf("error mail does not say %q:\n%s", tc.errText, text)
				}
			}
		})
	}
	t.Run("health needs the minutes or a report", func(t *testing.T) {
		before := len(h.outbox())
		h.deliver(h.replyTo(mailTo(t, h.outbox(), "minutes", chair.email), chair, "A-1 due Dec 8"))
		ack := mailTo(t, h.mailsSince(before), "ack", chair.email)
		before = len(h.outbox())
		h.deliver(h.replyTo(ack, chair, "status red: vendor gone"))
		if text := flat(body(t, mailTo(t, h.mailsSince(before), "error", chair.email))); !strings.Contains(text, "health can be set in a reply to its minutes") {
			t.Errorf("health from a reply to an item's mail was not refused:\n%s", text)
		}
		before = len(h.outbox())
		h.deliver(h.replyTo(mailTo(t, h.outbox(), "minutes", chair.email), chair, "status red: vendor gone"))
		mailTo(t, h.mailsSince(before), "ack", chair.email)
	})
	t.Run("DKIM vouches for everything", func(t *testing.T) {
		h := newHarness(t)
		h.minutes()
		h.deliver(msg{from: chair, subject: "A-3", body: "A-3 done\n", signed: true})
		if st := h.item("A-3").Status; st != "done" {
			t.Errorf("A-3 = %s after a DKIM-signed \"A-3 done\" from the chair, want done", st)
		}
	})
}

// A chair confirms someone else's held minutes from the minutes of a
// meeting (or DKIM), not from the request to confirm their own.
func TestConfirmingOthersMinutesNeedsMoreThanTheirOwnRequest(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	h.publishByConfirming(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes})
	if res := h.deliver(msg{from: bob, subject: "Minutes: Interfaces", body: "ACTION: Bob to test the scanners by 2026-12-10\n"}); res.Outcome != store.OutcomeHeld {
		t.Fatalf("bob's minutes: %+v", res)
	}
	bobs, _ := h.st.HeldMinutes(context.Background(), 1)
	ref := fmt.Sprintf("H-%d", bobs[0].ID)
	before := len(h.outbox())
	if res := h.deliver(msg{from: chair, subject: "Minutes: forged", body: "ACTION: Alice to do x\n"}); res.Outcome != store.OutcomeHeld {
		t.Fatalf("%+v", res)
	}
	chairsRequest := mailTo(t, h.mailsSince(before), "confirm", chair.email)
	before = len(h.outbox())
	h.deliver(h.replyTo(chairsRequest, chair, "confirm "+ref))
	if text := flat(body(t, mailTo(t, h.mailsSince(before), "error", chair.email))); !strings.Contains(text, "the mail you replied to was not about them") {
		t.Errorf("confirming bob's minutes from the chair's own request was not refused:\n%s", text)
	}
	if h.countItems() != 4 {
		t.Fatalf("%d items: bob's minutes were published", h.countItems())
	}
	h.deliver(h.replyTo(mailTo(t, h.outbox(), "minutes", chair.email), chair, "confirm "+ref))
	if h.countItems() != 5 {
		t.Errorf("%d items after the chair confirmed %s from the minutes, want 5", h.countItems(), ref)
	}
}

// Minutes sent to a signed reply address are published, but the address
// alone never lets minutes reach people outside the roster.
func TestMinutesThroughAReplyAddressDoNotReachOutsiders(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Projects[0].OutsideAttendees = true })
	h.minutes()
	m := h.replyTo(mailTo(t, h.outbox(), "minutes", chair.email), chair, "")
	m.body = "Attendees: Priya Shah, Alice Moreau, vendor@outside.example\n\nDECISION: Keep the date.\n\nACTION: Alice to draft the training plan by 2026-12-01\n"
	before := len(h.outbox())
	if res := h.deliver(m); res.Kind != "minutes" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("corrected minutes to the reply address: %+v", res)
	}
	for _, ml := range h.mailsSince(before) {
		if strings.HasSuffix(ml.Recipients()[0], "@outside.example") {
			t.Fatalf("minutes vouched for by a reply address alone mailed an outside attendee")
		}
	}
}

// Held minutes that would correct a recorded meeting say so in the request.
func TestConfirmRequestSaysWhichMeetingItReplaces(t *testing.T) {
	h := newHarness(t, defaultSecurity())
	h.publishByConfirming(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes})
	before := len(h.outbox())
	h.deliver(msg{from: chair, subject: "Corrected minutes: EHR weekly 2026-11-24", body: "ACTION: Alice to draft the training plan by 2026-12-01\n"})
	text := flat(body(t, mailTo(t, h.mailsSince(before), "confirm", chair.email)))
	if !regexp.MustCompile(`would replace the minutes already recorded for EHR weekly`).MatchString(text) {
		t.Errorf("the request does not say which meeting the minutes would replace:\n%s", text)
	}
}

// Corrected minutes from a member who neither chairs nor sent the
// original change only what they may change item by item: the meeting's
// attendees and decisions, and the milestones, stay as recorded.
func TestCorrectionByAnotherMemberKeepsTheMeetingRecord(t *testing.T) {
	h := newHarness(t)
	h.deliver(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: sampleMinutes + "\nMilestone: Go-live — 1 Feb 2027\n", signed: true})
	before := len(h.outbox())
	corrected := "Attendees: Bob Okafor\n\nDECISION: Go-live moves to 2028.\n\nMilestone: Go-live — 1 Feb 2029\n\n" +
		"ACTION: Bob to confirm the interface test window by 2026-12-11\n"
	res := h.deliver(msg{from: bob, subject: "Corrected minutes: EHR weekly 2026-11-24", body: corrected, signed: true})
	if res.Outcome != store.OutcomeProcessed {
		t.Fatalf("%+v", res)
	}
	ctx := context.Background()
	meetings, _ := h.st.Meetings(ctx, 1)
	if len(meetings) != 1 {
		t.Fatalf("%d meetings, want the one corrected", len(meetings))
	}
	as, _ := h.st.Attendees(ctx, meetings[0].ID)
	if len(as) != 4 {
		t.Errorf("attendees %v: bob's correction replaced them", as)
	}
	ds, _ := h.st.DecisionsSince(ctx, 1, h.clock.now().AddDate(-1, 0, 0))
	for _, d := range ds {
		if strings.Contains(d.Text, "2028") {
			t.Errorf("decision %q recorded from bob's correction", d.Text)
		}
	}
	ms, _ := h.st.Milestones(ctx, 1)
	if len(ms) != 1 || ms[0].Due != "2027-02-01" {
		t.Errorf("milestones %+v: bob moved the go-live", ms)
	}
	if it := h.item("A-2"); it.Due != "2026-12-11" {
		t.Errorf("bob's own A-2 due %s, want 2026-12-11", it.Due)
	}
	text := flat(body(t, mailTo(t, h.mailsSince(before), "minutes", bob.email)))
	if want := "attendees, decisions, changes, milestones and notes were kept as recorded"; !strings.Contains(text, want) {
		t.Errorf("bob's copy does not say %q:\n%s", want, text)
	}
	for _, m := range h.mailsSince(before) {
		if strings.Contains(flat(body(t, m)), "2028") {
			t.Errorf("the minutes mailed to %v carry bob's decision", m.Recipients())
		}
	}
	// Nor do bob's own minutes move the chair's milestone.
	before = len(h.outbox())
	h.deliver(msg{from: bob, subject: "Minutes: Interfaces 2026-11-26", body: "Milestone: Go-live — 1 Feb 2029\n\nACTION: Bob to test the scanners by 2026-12-10\n", signed: true})
	if ms, _ := h.st.Milestones(ctx, 1); len(ms) != 1 || ms[0].Due != "2027-02-01" {
		t.Errorf("milestones %+v: bob's minutes moved the go-live", ms)
	}
	text = flat(body(t, mailTo(t, h.mailsSince(before), "minutes", bob.email)))
	if want := `milestone "Go-live" was kept at 2027-02-01`; !strings.Contains(text, want) {
		t.Errorf("bob's copy does not say %q:\n%s", want, text)
	}
}

// A forgery that takes the real minutes' Message-ID first is held; the
// real minutes are recorded under a key of their own, and replies
// threaded to that Message-ID still find their meeting.
func TestRepliesFindMinutesPastAForgeryThatTookTheirID(t *testing.T) {
	h := newHarness(t)
	id := "minutes-1@" + domain
	if res := h.deliver(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: "ACTION: Alice to do the forged thing\n", id: id}); res.Outcome != store.OutcomeHeld {
		t.Fatalf("forgery: %+v", res)
	}
	h.minutes() // the real ones, signed, same Message-ID
	res := h.deliver(msg{from: bob, subject: "Re: Minutes: EHR weekly 2026-11-24", body: "done\n", signed: true,
		headers: []string{"In-Reply-To: <" + id + ">", "References: <" + id + ">"}})
	if st := h.item("A-2").Status; st != "done" {
		t.Errorf("bob's \"done\" threaded to the real minutes: %+v; A-2 %s, want done", res, st)
	}
}
