package engine_test

import (
	"strings"
	"testing"
	"time"
)

func (h *harness) tickAt(t time.Time) {
	h.t.Helper()
	h.clock.set(t)
	if err := h.eng.Tick(h.t.Context()); err != nil {
		h.t.Fatalf("Tick at %s: %v", t, err)
	}
}

func kinds(h *harness, since int, kind string) map[string]int {
	out := map[string]int{}
	for _, m := range h.mailsSince(since) {
		if m.Kind == kind {
			out[m.Recipients()[0]]++
		}
	}
	return out
}

func TestReminderDigests(t *testing.T) {
	h := newHarness(t)
	// A-1 Alice 12-01, A-2 Bob 12-04, A-3 Carol 11-27, A-4 (no owner)
	// 11-27; both risks with a mitigation, so nobody is asked for one.
	minutes := strings.Replace(sampleMinutes, "owner Alice", "mitigation: backfill rota; owner Alice", 1)
	h.deliver(msg{from: chair, subject: "Minutes: EHR weekly 2026-11-24", body: minutes, signed: true})
	at := func(y, m, d, hh int) time.Time { return time.Date(y, time.Month(m), d, hh, 0, 0, 0, h.loc) }

	// Before the send hour nothing goes out.
	n := len(h.outbox())
	h.tickAt(at(2026, 11, 25, 7))
	if got := kinds(h, n, "reminder"); len(got) != 0 {
		t.Fatalf("reminders before 08:00: %v", got)
	}
	// Wed 25 Nov 09:00: Carol's A-3 is due in 2 days (reminder_days_before 2).
	h.tickAt(at(2026, 11, 25, 9))
	if got := kinds(h, n, "reminder"); len(got) != 1 || got[carol.email] != 1 {
		t.Fatalf("Wed reminders %v, want one to Carol", got)
	}
	digest := mailTo(t, h.mailsSince(n), "reminder", carol.email)
	if text := flat(body(t, digest)); !strings.Contains(text, "A-3") || !strings.Contains(text, "in 2 days") {
		t.Errorf("Carol's digest:\n%s", text)
	}
	// Once a day: a second tick the same day queues nothing more.
	n2 := len(h.outbox())
	h.tickAt(at(2026, 11, 25, 15))
	if got := len(h.mailsSince(n2)); got != 0 {
		t.Fatalf("second tick on the same day queued %d mails", got)
	}
	// Sat 28 Nov: quiet weekend, although A-3 is overdue.
	h.tickAt(at(2026, 11, 28, 10))
	if got := len(h.mailsSince(n2)); got != 0 {
		t.Fatalf("weekend tick queued %d mails", got)
	}
	// Mon 30 Nov: Carol overdue (3 days), Alice due tomorrow; one digest each.
	n3 := len(h.outbox())
	h.tickAt(at(2026, 11, 30, 8))
	got := kinds(h, n3, "reminder")
	if len(got) != 2 || got[carol.email] != 1 || got[alice.email] != 1 {
		t.Fatalf("Monday reminders %v, want Carol and Alice", got)
	}
	if text := flat(body(t, mailTo(t, h.mailsSince(n3), "reminder", carol.email))); !strings.Contains(text, "3 days overdue") {
		t.Errorf("Carol's Monday digest lacks the overdue count:\n%s", text)
	}
	// Bob (A-2 due Fri 4 Dec) hears nothing until Wed 2 Dec.
	if got[bob.email] != 0 {
		t.Errorf("Bob reminded early")
	}
}

func TestNothingDueNothingSent(t *testing.T) {
	h := newHarness(t)
	h.deliver(msg{from: chair, subject: "Minutes: planning", body: "ACTION: Alice to plan the party by 2027-03-01\nACTION: Bob to book a room\n", signed: true})
	n := len(h.outbox())
	h.tickAt(time.Date(2026, 11, 25, 9, 0, 0, 0, h.loc))
	if got := kinds(h, n, "reminder"); len(got) != 0 {
		t.Errorf("reminders with nothing due: %v", got)
	}
}

func TestStatusReportOnSchedule(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	// The first tick only notes the time: no report for a Monday in the past.
	n := len(h.outbox())
	h.tickAt(time.Date(2026, 11, 25, 9, 0, 0, 0, h.loc))
	if got := kinds(h, n, "status"); len(got) != 0 {
		t.Fatalf("status report on first start: %v", got)
	}
	// Close one item so the report has something to say.
	h.deliver(h.replyTo(h.minutesMailTo(alice), alice, "done"))
	// Sunday: not yet. Monday 08:00: the report to leadership.
	h.tickAt(time.Date(2026, 11, 29, 9, 0, 0, 0, h.loc))
	if got := kinds(h, n, "status"); len(got) != 0 {
		t.Fatalf("status report before its time: %v", got)
	}
	h.tickAt(time.Date(2026, 11, 30, 8, 1, 0, 0, h.loc))
	got := kinds(h, n, "status")
	if len(got) != 1 || got["cmo@"+domain] != 1 {
		t.Fatalf("status reports %v, want one to cmo", got)
	}
	report := mailTo(t, h.mailsSince(n), "status", "cmo@"+domain)
	text := flat(body(t, report))
	for _, want := range []string{"Open items ........... 3", "Closed this period ... 1", "Carol Nguyen A-3", "R-1", "weekly vendor call", "Go-live stays on 2027-02-01"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// R-1 (high×high) is listed before R-2 (medium×low).
	if strings.Index(text, "R-1") > strings.Index(text, "R-2") {
		t.Errorf("risk register not sorted by likelihood × impact")
	}
	// Later the same week: no second report.
	n2 := len(h.outbox())
	h.tickAt(time.Date(2026, 12, 2, 8, 1, 0, 0, h.loc))
	if got := kinds(h, n2, "status"); len(got) != 0 {
		t.Errorf("second report in the same period: %v", got)
	}
}

func TestEscalatedRiskHeadsTheRegister(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	h.deliver(h.replyTo(h.minutesMailTo(alice), alice, "escalate R-2"))
	if !h.risk("R-2").Escalated {
		t.Fatal("R-2 not escalated")
	}
	n := len(h.outbox())
	if err := h.eng.Report(t.Context(), h.eng.Projects()[0], true); err != nil {
		t.Fatal(err)
	}
	text := flat(body(t, mailTo(t, h.mailsSince(n), "status", "cmo@"+domain)))
	if i, j := strings.Index(text, "R-2"), strings.Index(text, "R-1"); i < 0 || j < 0 || i > j {
		t.Errorf("escalated R-2 should come before R-1:\n%s", text)
	}
	if !strings.Contains(text, "[ESCALATED]") {
		t.Errorf("escalation not shown")
	}
}

// A risk without a mitigation is a problem in the sender's copy of the
// minutes, and its owner is asked for one in their digest, once a week,
// until a reply supplies it.
func TestRiskWithoutMitigationIsNudgedUntilFixed(t *testing.T) {
	h := newHarness(t)
	h.minutes() // R-2 "super-users unavailable", Alice's, has no mitigation
	if text := flat(body(t, mailTo(t, h.outbox(), "minutes", chair.email))); !strings.Contains(text, "R-2 needs a mitigation") {
		t.Errorf("the sender's copy does not flag R-2:\n%s", text)
	}
	at := func(m, d, hh int) time.Time { return time.Date(2026, time.Month(m), d, hh, 0, 0, 0, h.loc) }
	alicesDigest := func(when time.Time) string {
		t.Helper()
		n := len(h.outbox())
		h.tickAt(when)
		for _, m := range h.mailsSince(n) {
			if m.Kind == "reminder" && m.Recipients()[0] == alice.email {
				return flat(body(t, m))
			}
		}
		return ""
	}
	if text := alicesDigest(at(11, 25, 9)); !strings.Contains(text, "R-2") || !strings.Contains(text, "needs a mitigation") {
		t.Fatalf("Wed 25 Nov: Alice's digest %q does not ask for R-2's mitigation", text)
	}
	if text := alicesDigest(at(11, 26, 9)); strings.Contains(text, "R-2") {
		t.Errorf("Thu 26 Nov: asked again the next day:\n%s", text)
	}
	if text := alicesDigest(at(12, 2, 9)); !strings.Contains(text, "R-2") {
		t.Errorf("Wed 2 Dec: not asked again after a week:\n%s", text)
	}
	h.deliver(h.replyTo(h.minutesMailTo(alice), alice, "R-2 mitigation: backfill rota agreed with nursing"))
	if m := h.risk("R-2").Mitigation; m != "backfill rota agreed with nursing" {
		t.Fatalf("R-2 mitigation %q", m)
	}
	if text := alicesDigest(at(12, 9, 9)); strings.Contains(text, "R-2") {
		t.Errorf("Wed 9 Dec: still asked after the reply:\n%s", text)
	}
}
