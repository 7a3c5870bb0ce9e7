package engine_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/xuri/excelize/v2"

	"mailflow/mailflow/engine"
	"mailflow/mailflow/register"
	"mailflow/store"
)

// attachment returns the named attachment of a queued mail, decoded.
func attachment(t *testing.T, m store.Mail, filename string) []byte {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*gomail.AttachmentHeader); ok {
			if name, _ := h.Filename(); name == filename {
				b, err := io.ReadAll(p.Body)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
	}
	t.Fatalf("no attachment %s in mail %d", filename, m.ID)
	return nil
}

// The report carries the whole register: every open risk, with its
// mitigation, and every open item, in a workbook leadership can open.
func TestStatusReportCarriesTheRegister(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	p := h.eng.Projects()[0]
	if err := h.eng.Report(t.Context(), p, true); err != nil {
		t.Fatal(err)
	}
	report := mailTo(t, h.outbox(), "status", "cmo@"+domain)
	f, err := excelize.OpenReader(bytes.NewReader(attachment(t, report, register.Filename)))
	if err != nil {
		t.Fatalf("the attached register does not open: %v", err)
	}
	defer f.Close()
	risks, _ := f.GetRows(register.RisksSheet)
	items, _ := f.GetRows(register.ItemsSheet)
	sheet := func(rows [][]string) string {
		var b strings.Builder
		for _, r := range rows {
			b.WriteString(strings.Join(r, "|") + "\n")
		}
		return b.String()
	}
	for _, want := range []string{"R-1|interface vendor late|high|high", "weekly vendor call", "R-2|super-users unavailable"} {
		if !strings.Contains(sheet(risks), want) {
			t.Errorf("risks sheet lacks %q:\n%s", want, sheet(risks))
		}
	}
	for _, ref := range []string{"A-1", "A-2", "A-3", "A-4"} {
		if !strings.Contains(sheet(items), ref+"|") {
			t.Errorf("items sheet lacks %s:\n%s", ref, sheet(items))
		}
	}
}

// The headline follows the rules, and a chair's word for the period is
// shown with the rules' verdict beside it; a member cannot set it.
func TestStatusHeadline(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	p := h.eng.Projects()[0]
	h.clock.set(time.Date(2026, 11, 30, 9, 0, 0, 0, h.loc)) // overdue, 2 of 4
	report := func() (subject, text string) {
		t.Helper()
		n := len(h.outbox())
		h.clock.set(h.clock.now().Add(time.Minute))
		if err := h.eng.Report(t.Context(), p, true); err != nil {
			t.Fatal(err)
		}
		m := mailTo(t, h.mailsSince(n), "status", "cmo@"+domain)
		return header(t, m, "Subject"), flat(body(t, m))
	}
	subject, text := report()
	if !strings.HasPrefix(subject, "[AMBER]") || !strings.Contains(text, "2 of 4 open items overdue") {
		t.Errorf("computed headline: %q\n%s", subject, text)
	}
	h.deliver(msg{from: bob, subject: "status", body: "status red: nothing works\n", signed: true})
	h.deliver(msg{from: chair, subject: "status", body: "status red: pharmacy vendor missed the test window\n", signed: true})
	subject, text = report()
	if !strings.HasPrefix(subject, "[RED]") || !strings.Contains(text, "pharmacy vendor missed the test window") ||
		!strings.Contains(text, "set by Priya Shah") || !strings.Contains(text, "it would be amber") {
		t.Errorf("chair's headline: %q\n%s", subject, text)
	}
	if strings.Contains(text, "nothing works") {
		t.Errorf("a member set the health")
	}
}

// A project with nothing in it sends leadership no report of zeros.
func TestEmptyProjectSendsNoReport(t *testing.T) {
	h := newHarness(t)
	p := h.eng.Projects()[0]
	h.tickAt(time.Date(2026, 11, 30, 7, 0, 0, 0, h.loc)) // first run: records the slot
	h.tickAt(time.Date(2026, 12, 7, 8, 30, 0, 0, h.loc))
	if n := len(h.outbox()); n != 0 {
		t.Fatalf("an empty project queued %d mails", n)
	}
	if err := h.eng.Report(t.Context(), p, true); !errors.Is(err, engine.ErrNothingToReport) {
		t.Errorf("report --now on an empty project: %v, want ErrNothingToReport", err)
	}
	if !strings.Contains(h.logs.String(), "no status report") {
		t.Errorf("the log does not say why no report went out")
	}
}

// Milestones and questions for leadership in minutes reach the report: a
// milestone's countdown, its slip when later minutes move it, and the
// question under "needs your attention".
func TestMilestonesAndAsksReachTheReport(t *testing.T) {
	h := newHarness(t)
	p := h.eng.Projects()[0]
	h.deliver(msg{from: chair, subject: "Minutes: steering 2026-11-24", signed: true, body: `Attendees: Priya Shah, Alice Moreau

Milestone: Pharmacy go-live - 1 January 2027
Go-live: 1 February 2027

ACTION: Alice to draft the cutover plan by 2026-12-01
`})
	h.clock.set(h.clock.now().AddDate(0, 0, 7))
	h.deliver(msg{from: chair, subject: "Minutes: steering 2026-12-01", signed: true, body: `Attendees: Priya Shah, Alice Moreau

Milestone: Pharmacy go-live - 1 March 2027
Decision needed: approve weekend overtime for the go-live command centre

ACTION: Alice to book the command centre by 2026-12-08
`})
	if err := h.eng.Report(t.Context(), p, true); err != nil {
		t.Fatal(err)
	}
	text := flat(body(t, mailTo(t, h.outbox(), "status", "cmo@"+domain)))
	for _, want := range []string{"MILESTONES", "Pharmacy go-live: Mon 1 Mar 2027", "moved from Fri 1 Jan 2027 (+59 days)",
		"Go-live: Mon 1 Feb 2027", "decision needed: approve weekend overtime", "HEALTH: RED", "slipped 59 days"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}
