package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"mailflow/mailflow/engine"
	"mailflow/store"
)

// mailFor returns the minutes mail queued to p.
func (h *harness) minutesMailTo(p person) store.Mail {
	h.t.Helper()
	return mailTo(h.t, h.outbox(), "minutes", p.email)
}

func TestReplyDoneThroughSignedAddress(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	before := len(h.outbox())
	// Alice owns one item and one risk: a bare "done" to the
	// minutes means her item.
	res := h.deliver(h.replyTo(h.minutesMailTo(alice), alice, "Done!"))
	if res.Kind != "reply" || res.Outcome != store.OutcomeProcessed {
		t.Fatalf("reply result %+v", res)
	}
	it := h.item("A-1")
	if it.Status != "done" || it.ClosedByMessage == 0 || it.ClosedAt.IsZero() {
		t.Fatalf("A-1 after done = %+v", it)
	}
	if r := h.risk("R-2"); r.Status != "open" {
		t.Errorf("R-2 closed by a bare done: %s", r.Status)
	}
	ms := h.mailsSince(before)
	if len(ms) != 1 || ms[0].Kind != "ack" || ms[0].Recipients()[0] != alice.email {
		t.Fatalf("want one ack to Alice, got %d mails", len(ms))
	}
	if !strings.Contains(body(t, ms[0]), "A-1 closed") {
		t.Errorf("ack does not say what changed:\n%s", body(t, ms[0]))
	}
	// The ack threads under the reply.
	if irt := header(t, ms[0], "In-Reply-To"); !strings.HasPrefix(irt, "<m") {
		t.Errorf("ack In-Reply-To %q", irt)
	}
	trail, _ := h.st.AuditTrail(context.Background(), 1, "A-1")
	last := trail[len(trail)-1]
	if last.Action != "closed" || last.Actor != alice.email || last.MessageID == 0 {
		t.Errorf("audit of the close: %+v", last)
	}
}

func TestBareDoneToMinutesFromChairListsCandidates(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	before := len(h.outbox())
	h.deliver(h.replyTo(h.minutesMailTo(chair), chair, "done"))
	for _, ref := range []string{"A-1", "A-2", "A-3", "A-4"} {
		if st := h.item(ref).Status; st != "open" {
			t.Errorf("%s = %s after an ambiguous done", ref, st)
		}
	}
	ms := h.mailsSince(before)
	if len(ms) != 1 || ms[0].Kind != "error" {
		t.Fatalf("want one error mail, got %d", len(ms))
	}
	text := flat(body(t, ms[0]))
	if !strings.Contains(text, "A-1, A-2, A-3, A-4") || !strings.Contains(text, "Line 1") || !strings.Contains(text, "A-1 done") {
		t.Errorf("error mail should name the line and list candidate refs:\n%s", text)
	}
}

func TestReplyCommands(t *testing.T) {
	tests := []struct {
		name  string
		from  person
		text  string
		check func(t *testing.T, h *harness)
		ack   string // text the ack must contain; "" for no ack
		err   string // text the error mail must contain; "" for none
	}{
		{"due", bob, "A-2 due Dec 9", func(t *testing.T, h *harness) {
			if d := h.item("A-2").Due; d != "2026-12-09" {
				t.Errorf("A-2 due %s", d)
			}
		}, "A-2 now due Wed 9 Dec 2026", ""},
		{"reassign by name", bob, "reassign A-2 to carol", func(t *testing.T, h *harness) {
			if o := h.item("A-2").Owner; o != carol.email {
				t.Errorf("A-2 owner %s", o)
			}
		}, "reassigned to Carol Nguyen", ""},
		{"owner by email", bob, "A-2 owner carol@clinic.example", func(t *testing.T, h *harness) {
			if o := h.item("A-2").Owner; o != carol.email {
				t.Errorf("A-2 owner %s", o)
			}
		}, "reassigned", ""},
		{"progress", bob, "A-2 progress 40%", func(t *testing.T, h *harness) {
			if p := h.item("A-2").Progress; p != 40 {
				t.Errorf("progress %d", p)
			}
		}, "A-2 progress 40%", ""},
		{"cancel", bob, "drop A-2", func(t *testing.T, h *harness) {
			if s := h.item("A-2").Status; s != "cancelled" {
				t.Errorf("status %s", s)
			}
		}, "A-2 cancelled", ""},
		{"note on another's item", bob, "note A-1 the trainers are booked", func(t *testing.T, h *harness) {
			trail, _ := h.st.AuditTrail(context.Background(), 1, "A-1")
			if last := trail[len(trail)-1]; last.Action != "note" || last.NewValue != "the trainers are booked" {
				t.Errorf("last audit %+v", last)
			}
		}, "A-1: the trainers are booked", ""},
		{"member cannot close another's item", bob, "close A-1", func(t *testing.T, h *harness) {
			if s := h.item("A-1").Status; s != "open" {
				t.Errorf("A-1 %s", s)
			}
		}, "", "you can change only items and risks you own"},
		{"chair closes anything", chair, "close A-1\nA-3 done", func(t *testing.T, h *harness) {
			if h.item("A-1").Status != "done" || h.item("A-3").Status != "done" {
				t.Errorf("chair's closes did not apply")
			}
		}, "A-3 closed", ""},
		{"risk mitigation", bob, "R-1 mitigation: weekly vendor call and escrow", func(t *testing.T, h *harness) {
			if m := h.risk("R-1").Mitigation; m != "weekly vendor call and escrow" {
				t.Errorf("mitigation %q", m)
			}
		}, "R-1 mitigation: weekly vendor call and escrow", ""},
		{"risk likelihood and impact", bob, "R-1 likelihood low\nR-1 impact 3", func(t *testing.T, h *harness) {
			if r := h.risk("R-1"); r.Likelihood != "low" || r.Impact != "medium" {
				t.Errorf("R-1 %s/%s", r.Likelihood, r.Impact)
			}
		}, "R-1 impact medium", ""},
		{"escalate and retire", chair, "escalate R-2\nretire R-1", func(t *testing.T, h *harness) {
			if !h.risk("R-2").Escalated || h.risk("R-1").Status != "closed" {
				t.Errorf("R-2 escalated %v, R-1 %s", h.risk("R-2").Escalated, h.risk("R-1").Status)
			}
		}, "R-2 escalated", ""},
		{"reopen", chair, "close A-4\nreopen A-4", func(t *testing.T, h *harness) {
			if s := h.item("A-4").Status; s != "open" {
				t.Errorf("A-4 %s", s)
			}
		}, "A-4 reopened", ""},
		{"unknown ref", bob, "close A-99", nil, "", "there is no action item A-99"},
		{"bad date", bob, "A-2 due someday soon", func(t *testing.T, h *harness) {
			if d := h.item("A-2").Due; d != "2026-12-04" {
				t.Errorf("A-2 due changed to %s", d)
			}
		}, "", "cannot read the date"},
		{"risk verb on an item", bob, "A-2 mitigation: pray", nil, "", "applies to risks"},
		{"mixed good and bad", bob, "A-2 due Dec 10\nclose A-1", func(t *testing.T, h *harness) {
			if h.item("A-2").Due != "2026-12-10" || h.item("A-1").Status != "open" {
				t.Errorf("partial application wrong")
			}
		}, "A-2 now due", "you can change only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, trustedAuthserv("mx.clinic.example"))
			h.minutes()
			before := len(h.outbox())
			m := msg{from: tc.from, subject: "EHR items", body: tc.text + "\n",
				headers: []string{fmt.Sprintf("Authentication-Results: mx.clinic.example; dkim=pass header.d=%s header.s=s1", domain)}}
			res := h.deliver(m)
			if res.Kind != "reply" {
				t.Fatalf("read as %s (%s)", res.Kind, res.Reason)
			}
			if tc.check != nil {
				tc.check(t, h)
			}
			ms := h.mailsSince(before)
			var ack, errMail string
			for _, m := range ms {
				switch m.Kind {
				case "ack":
					ack = body(t, m)
				case "error":
					errMail = body(t, m)
				}
			}
			ack, errMail = flat(ack), flat(errMail)
			if (tc.ack == "") != (ack == "") || !strings.Contains(ack, tc.ack) {
				t.Errorf("ack = %q, want one containing %q", ack, tc.ack)
			}
			if (tc.err == "") != (errMail == "") || !strings.Contains(errMail, tc.err) {
				t.Errorf("error mail = %q, want one containing %q", errMail, tc.err)
			}
		})
	}
}

func TestForgedFromChangesNothing(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx.clinic.example"))
	h.minutes()
	before := len(h.outbox())
	cases := []msg{
		// A member's From, straight to the project address, no token, no AR.
		{from: bob, subject: "Re: A-2", body: "close A-2\n"},
		// Authentication-Results from a server we do not trust.
		{from: bob, subject: "A-2", body: "close A-2\n", headers: []string{"Authentication-Results: evil.example; dkim=pass header.d=clinic.example"}},
		// Our trusted server, but the signature is for another domain.
		{from: bob, subject: "A-2", body: "close A-2\n", headers: []string{"Authentication-Results: mx.clinic.example; dkim=pass header.d=attacker.example; spf=fail"}},
		// An id that only begins with ours.
		{from: bob, subject: "A-2", body: "close A-2\n", headers: []string{"Authentication-Results: mx.clinic.example.evil.example; dkim=pass header.d=clinic.example"}},
	}
	for i, m := range cases {
		res := h.deliver(m)
		if res.Outcome != store.OutcomeIgnored {
			t.Errorf("case %d: outcome %s (%s), want ignored", i, res.Outcome, res.Reason)
		}
	}
	// A real reply token, but sent on (forwarded) by someone else.
	fw := h.replyTo(h.minutesMailTo(bob), carol, "A-2 done")
	if res := h.deliver(fw); res.Outcome != store.OutcomeIgnored {
		t.Errorf("forwarded token: outcome %s", res.Outcome)
	}
	if st := h.item("A-2").Status; st != "open" {
		t.Fatalf("A-2 = %s: a forged message changed data", st)
	}
	// One refusal per forged message, up to the member's daily budget of
	// them: bob's name was forged four times, carol's once.
	ms := h.mailsSince(before)
	if k := countRecipients(ms); k[bob.email] != min(len(cases), engine.UnauthRefusalsPerDay) || k[carol.email] != 1 || len(k) != 2 {
		t.Fatalf("refusals %v, want one per forged message within the budget of %d", k, engine.UnauthRefusalsPerDay)
	}
	for _, m := range ms {
		text := flat(body(t, m))
		if m.Kind != "error" || !strings.Contains(text, "Nothing was changed") || !strings.Contains(text, "If this was not you, tell the project chair") {
			t.Errorf("refusal %d: kind %s body %q", m.ID, m.Kind, text)
		}
		// The member is told what was attempted in their name.
		if !strings.Contains(text, "close A-2") && !strings.Contains(text, "A-2 done") {
			t.Errorf("refusal %d does not say what was attempted: %q", m.ID, text)
		}
		if to := m.Recipients(); len(to) != 1 || (to[0] != bob.email && to[0] != carol.email) {
			t.Errorf("refusal %d went to %v, want the roster member named in From", m.ID, to)
		}
	}
}

// A stranger's command changes nothing and gets no answer: the answer
// would go to whatever From they forged (backscatter).
func TestReplyFromStrangerGetsNoAnswer(t *testing.T) {
	h := newHarness(t, trustedAuthserv("mx.elsewhere.example"))
	h.minutes()
	before := len(h.outbox())
	res := h.deliver(msg{from: stranger, subject: "A-1", body: "close A-1\n",
		headers: []string{"Authentication-Results: mx.elsewhere.example; spf=pass smtp.mailfrom=sam@elsewhere.example"}})
	if res.Outcome != store.OutcomeIgnored || h.item("A-1").Status != "open" {
		t.Fatalf("stranger's command: %+v, A-1 %s", res, h.item("A-1").Status)
	}
	if !strings.Contains(res.Reason, "not on the roster") {
		t.Errorf("reason %q does not say why", res.Reason)
	}
	if ms := h.mailsSince(before); len(ms) != 0 {
		t.Fatalf("a stranger got %d mails; want none", len(ms))
	}
}

func TestReplyAssociation(t *testing.T) {
	t.Run("threading to our mail", func(t *testing.T) {
		// No token (the client dropped Reply-To), but In-Reply-To names the
		// minutes mail and DKIM passes: the refs of that mail are in play.
		h := newHarness(t, trustedAuthserv("mx.clinic.example"))
		h.minutes()
		m := h.replyTo(h.minutesMailTo(carol), carol, "done")
		m.to = "ehr@" + domain
		m.headers = append(m.headers, "Authentication-Results: mx.clinic.example; dkim=pass header.d=clinic.example")
		h.deliver(m)
		if st := h.item("A-3").Status; st != "done" {
			t.Errorf("A-3 = %s, want done via In-Reply-To", st)
		}
	})
	t.Run("ref in subject", func(t *testing.T) {
		h := newHarness(t, trustedAuthserv("mx.clinic.example"))
		h.minutes()
		h.deliver(msg{from: carol, subject: "Re: [A-3] badge readers", body: "done\n",
			headers: []string{"Authentication-Results: mx.clinic.example; dkim=pass header.d=clinic.example"}})
		if st := h.item("A-3").Status; st != "done" {
			t.Errorf("A-3 = %s, want done via the subject ref", st)
		}
	})
	t.Run("token beats threading", func(t *testing.T) {
		h := newHarness(t)
		h.minutes()
		// Run a reminder so Carol gets a digest about A-3 alone.
		h.clock.set(h.clock.now().AddDate(0, 0, 2).Add(-8 * 3600e9)) // Thu 09:00
		if err := h.eng.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		digest := mailTo(t, h.outbox(), "reminder", carol.email)
		m := h.replyTo(digest, carol, "done")
		// Threading points at the minutes mail, the token at the digest.
		m.headers = []string{"In-Reply-To: " + header(t, h.minutesMailTo(carol), "Message-ID")}
		h.deliver(m)
		if st := h.item("A-3").Status; st != "done" {
			t.Errorf("A-3 = %s, want done via the digest's token", st)
		}
	})
}

func TestReplyRateLimit(t *testing.T) {
	h := newHarness(t, rateLimit(3))
	h.minutes()
	before := len(h.outbox())
	minutes := h.minutesMailTo(bob)
	for i := 0; i < 5; i++ {
		h.deliver(h.replyTo(minutes, bob, fmt.Sprintf("A-2 progress %d%%", 10*(i+1))))
	}
	if p := h.item("A-2").Progress; p != 50 {
		t.Errorf("progress %d: commands beyond the rate limit must still apply", p)
	}
	if n := len(h.mailsSince(before)); n != 3 {
		t.Errorf("%d answers queued, want 3 (the hourly limit)", n)
	}
}

// flat collapses the line wrapping of a mail body.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// Replies in people's words: a reason after a command is a note, and a
// date is read out of the clause it sits in.
func TestRepliesInPeoplesWords(t *testing.T) {
	tests := []struct {
		from   person
		text   string
		ref    string
		status string
		due    string
		note   string
	}{
		{chair, "reopen A-1 - the vendor sent the wrong extract file", "A-1", "open", "2026-12-01", "the vendor sent the wrong extract file"},
		{bob, "Moved A-2 to the 11th, vendor can't do earlier.", "A-2", "open", "2026-12-11", "vendor can't do earlier"},
		{carol, "closed A-3, sent to legal", "A-3", "done", "2026-11-27", "sent to legal"},
	}
	h := newHarness(t)
	h.minutes()
	// A-1 is done first, so that reopening it changes something.
	h.deliver(h.replyTo(h.minutesMailTo(alice), alice, "A-1 done"))
	for _, tc := range tests {
		h.deliver(h.replyTo(h.minutesMailTo(tc.from), tc.from, tc.text))
		it := h.item(tc.ref)
		if it.Status != tc.status || it.Due != tc.due {
			t.Errorf("%q: %s is %s due %s, want %s due %s", tc.text, tc.ref, it.Status, it.Due, tc.status, tc.due)
		}
		trail, err := h.st.AuditTrail(context.Background(), 1, tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		if last := trail[len(trail)-1]; last.Action != "note" || last.NewValue != tc.note {
			t.Errorf("%q: last audit entry %q %q, want the note %q", tc.text, last.Action, last.NewValue, tc.note)
		}
	}
}

// countRecipients counts mails by their one recipient.
func countRecipients(ms []store.Mail) map[string]int {
	k := map[string]int{}
	for _, m := range ms {
		k[strings.Join(m.Recipients(), ",")]++
	}
	return k
}
