package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"mailflow/store"
)

// A reply that would change A-2 and earn an ack — but carries a marker that
// says never answer it.
func TestNeverAnswered(t *testing.T) {
	tests := []struct {
		name     string
		headers  []string
		from     person
		outcome  string
		quarantd bool
	}{
		{"Auto-Submitted", []string{"Auto-Submitted: auto-replied"}, bob, store.OutcomeIgnored, false},
		{"Precedence bulk", []string{"Precedence: bulk"}, bob, store.OutcomeIgnored, false},
		{"Precedence junk", []string{"Precedence: junk"}, bob, store.OutcomeIgnored, false},
		{"Precedence list", []string{"Precedence: list"}, bob, store.OutcomeIgnored, false},
		{"X-Autoreply", []string{"X-Autoreply: yes"}, bob, store.OutcomeIgnored, false},
		{"X-Auto-Response-Suppress", []string{"X-Auto-Response-Suppress: All"}, bob, store.OutcomeIgnored, false},
		{"List-Id", []string{"List-Id: <ehr.lists.clinic.example>"}, bob, store.OutcomeIgnored, false},
		{"empty return path", []string{"Return-Path: <>"}, bob, store.OutcomeIgnored, false},
		{"mailer-daemon", []string{"Return-Path: <MAILER-DAEMON@clinic.example>"}, bob, store.OutcomeIgnored, false},
		{"our loop header", []string{"X-Mailflow-Loop: ehr@clinic.example"}, bob, store.OutcomeFailed, true},
		{"from our own address", nil, person{"mailflow", "mailflow@" + domain}, store.OutcomeFailed, true},
		{"from the project address", nil, person{"EHR", "ehr@" + domain}, store.OutcomeFailed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.minutes()
			before := len(h.outbox())
			m := h.replyTo(h.minutesMailTo(bob), tc.from, "A-2 due Dec 9")
			m.headers = append(m.headers, tc.headers...)
			res := h.deliver(m)
			if res.Outcome != tc.outcome {
				t.Errorf("outcome %s (%s), want %s", res.Outcome, res.Reason, tc.outcome)
			}
			if res.Reason == "" {
				t.Errorf("no reason recorded")
			}
			if n := len(h.mailsSince(before)); n != 0 {
				t.Errorf("%d mails queued in answer", n)
			}
			if d := h.item("A-2").Due; d != "2026-12-04" {
				t.Errorf("A-2 due changed to %s", d)
			}
		})
	}
}

func TestListMailAllowedWhenConfigured(t *testing.T) {
	h := newHarness(t, func(c *configT) { c.Security.AllowLists = true })
	h.minutes()
	m := h.replyTo(h.minutesMailTo(bob), bob, "A-2 due Dec 9")
	m.headers = append(m.headers, "List-Id: <ehr.lists.clinic.example>")
	h.deliver(m)
	if d := h.item("A-2").Due; d != "2026-12-09" {
		t.Errorf("A-2 due %s; list mail should be accepted with allow_lists", d)
	}
}

func TestBounceIsRecordedAgainstOutbox(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	sent := h.minutesMailTo(carol)
	id := strings.Trim(header(t, sent, "Message-ID"), "<>")
	before := len(h.outbox())
	report := fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@clinic.example>\r\nTo: mailflow@clinic.example\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@clinic.example>\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b1\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"+
		"--b1\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; carol@clinic.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"+
		"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\nSubject: Minutes\r\n\r\n--b1--\r\n", id)
	res := h.deliverRaw([]byte(report))
	if res.Outcome != store.OutcomeIgnored || !strings.Contains(res.Reason, "bounce") || !strings.Contains(res.Reason, carol.email) {
		t.Errorf("bounce result %+v", res)
	}
	if n := len(h.mailsSince(before)); n != 0 {
		t.Errorf("answered a bounce with %d mails", n)
	}
}
