package templates

import (
	"fmt"
	"testing"
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

// BenchmarkRenderStatus renders the subject, text and HTML of the status
// report for 10,000 items and 1,000 risks. The issue asks for < 100 ms.
func BenchmarkRenderStatus(b *testing.B) {
	set := MustDefault()
	data := bigStatus()
	var size int
	for b.Loop() {
		r, err := set.Render("status", data)
		if err != nil {
			b.Fatal(err)
		}
		size = len(r.Text) + len(r.HTML)
	}
	b.ReportMetric(float64(size)/1e6, "MB/mail")
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
