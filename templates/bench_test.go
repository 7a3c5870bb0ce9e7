package templates

import (
	"fmt"
	"testing"

	"mailflow/mailflow/register"
)

// bigStatus is a status report for a project with 10,000 items — 3,000 of
// them overdue across 60 owners and 7,000 due in the next two weeks — and
// 1,000 open risks, every one of them in the mail.
func bigStatus() Status {
	s := sampleStatus()
	s.OverdueByOwner = nil
	s.Upcoming = nil
	for o := 0; o < 60; o++ {
		own := OwnerItems{Owner: fmt.Sprintf("Owner Number%d", o)}
		for i := 0; i < 50; i++ {
			n := o*50 + i
			own.Items = append(own.Items, Item{Ref: fmt.Sprintf("A-%d", n), Text: fmt.Sprintf("follow up on the vendor's interface specification, part %d, with the pharmacy team", n),
				Owner: own.Owner, Due: "Fri 27 Nov 2026", DueISO: "2026-11-27", Status: "overdue", DaysOverdue: 1 + n%30})
		}
		s.OverdueByOwner = append(s.OverdueByOwner, own)
	}
	for i := 3000; i < 10000; i++ {
		s.Upcoming = append(s.Upcoming, Item{Ref: fmt.Sprintf("A-%d", i), Text: fmt.Sprintf("prepare the ward %d super-user rota and share it with the matrons", i),
			Owner: "Alice Moreau", Due: "Wed 9 Dec 2026", DueISO: "2026-12-09", Status: "open", DaysLeft: 9, Progress: i % 100})
	}
	s.Risks = nil
	levels := []string{"low", "medium", "high"}
	for i := 0; i < 1000; i++ {
		s.Risks = append(s.Risks, Risk{Ref: fmt.Sprintf("R-%d", i), Description: fmt.Sprintf("risk %d: interface vendor may miss the test window", i),
			Likelihood: levels[i%3], Impact: levels[(i/3)%3], Severity: 9 - i%9, Mitigation: "weekly vendor call and a fallback plan",
			Owner: "Bob Okafor", Status: "open", Escalated: i < 10})
	}
	s.Open, s.Overdue = 10000, 3000
	return s
}

// BenchmarkRenderStatus builds what leadership receives for a project with
// 10,000 open items (3,000 overdue across 60 owners, 7,000 due in the next
// two weeks) and 1,000 open risks: the subject, text and HTML of the
// report, whose lists show the first of each, and the attached workbook
// with every one of the 1,000 risks and 10,000 items. The issue asks for
// < 100 ms.
func BenchmarkRenderStatus(b *testing.B) {
	set := MustDefault()
	data := bigStatus()
	var risks []register.Risk
	for _, r := range data.Risks {
		risks = append(risks, register.Risk{Ref: r.Ref, Description: r.Description, Likelihood: r.Likelihood, Impact: r.Impact,
			Severity: r.Severity, Mitigation: r.Mitigation, Owner: r.Owner, Status: r.Status, Escalated: r.Escalated,
			History: []string{"Tue 24 Nov 2026: weekly vendor call and a fallback plan (when recorded)"}})
	}
	var items []register.Item
	for _, o := range data.OverdueByOwner {
		for _, it := range o.Items {
			items = append(items, register.Item{Ref: it.Ref, Text: it.Text, Owner: it.Owner, Due: it.DueISO, DaysOverdue: it.DaysOverdue})
		}
	}
	for _, it := range data.Upcoming {
		items = append(items, register.Item{Ref: it.Ref, Text: it.Text, Owner: it.Owner, Due: it.DueISO, Progress: it.Progress})
	}
	if len(items) != 10000 || len(risks) != 1000 {
		b.Fatalf("%d items and %d risks, want 10,000 and 1,000", len(items), len(risks))
	}
	var size, book int
	for b.Loop() {
		r, err := set.Render("status", data)
		if err != nil {
			b.Fatal(err)
		}
		wb, err := register.Workbook(risks, items)
		if err != nil {
			b.Fatal(err)
		}
		size, book = len(r.Text)+len(r.HTML), len(wb)
	}
	b.ReportMetric(float64(size)/1e6, "MB/mail")
	b.ReportMetric(float64(book)/1e6, "MB/workbook")
}

// BenchmarkRenderMinutes renders the sample minutes mail: the mail that
// ingest renders most, once per participant.
func BenchmarkRenderMinutes(b *testing.B) {
	set := MustDefault()
	data := Sample("minutes")
	for b.Loop() {
		if _, err := set.Render("minutes", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderMinutesReader renders the sample minutes mail for one
// more reader of a minutes whose shared sections are rendered already
// (one Memo for all its readers): the cost per participant.
func BenchmarkRenderMinutesReader(b *testing.B) {
	set := MustDefault()
	data := Sample("minutes").(Minutes).WithMemo(NewMemo())
	if _, err := set.Render("minutes", data); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := set.Render("minutes", data); err != nil {
			b.Fatal(err)
		}
	}
}
