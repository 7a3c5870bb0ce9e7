package templates

// Sample returns fixed example data for a kind of mail — the one
// "mailflow preview" shows and the golden tests render — or nil for a kind
// there is no template for.
func Sample(kind string) any {
	if vs := Variants(kind); len(vs) > 0 {
		return vs[0].Data
	}
	return nil
}

// Variant is one set of example data for a kind, with a short name.
type Variant struct {
	Name string
	Data any
}

// Variants returns every example of a kind: the sample first, then the
// cases that take other branches of the templates (the sender's copy with
// problems, a refusal, an empty report). "templates check" renders them all.
func Variants(kind string) []Variant {
	switch kind {
	case "minutes":
		return []Variant{
			{"attendee", sampleMinutes()},
			{"sender", func() Minutes {
				m := sampleMinutes()
				m.RecipientName, m.RecipientEmail = "Priya", "priya.shah@stmarys-clinic.example"
				m.Problems = []string{
					`line 14: "Dan to update binder" has no due date; reply "A-4 due Dec 4" to set one`,
					`line 17: "someone from IT" is not on the roster; the item has no owner`,
				}
				m.HasICS = false
				return m
			}()},
			{"corrected", func() Minutes {
				m := sampleMinutes()
				m.Corrected = true
				m.Items[1].Change = "changed"
				m.Items = append(m.Items, Item{Ref: "A-5", Text: "book the training rooms", Owner: "Erin Fox", OwnerEmail: "erin.fox@stmarys-clinic.example",
					Due: "Mon 7 Dec 2026", DueISO: "2026-12-07", Status: "open", DaysLeft: 13, Change: "new"})
				m.Cancelled = []Item{{Ref: "A-6", Text: "print the old downtime forms", Status: "cancelled"}}
				return m
			}()},
			{"empty", Minutes{Common: sampleCommon(false, ""), Title: "Weekly sync", Date: "Tue 1 Dec 2026"}},
		}
	case "reminder":
		return []Variant{
			{"digest", sampleReminder()},
			{"risks", Reminder{Common: sampleCommon(true, ""), Date: "Mon 30 Nov 2026",
				Risks: []Risk{{Ref: "R-4", Description: "Pharmacy staff not released for super-user training", Likelihood: "high",
					Owner: "Dan Weber", Status: "open", Missing: "a mitigation and an impact"}}}},
			{"single", Reminder{Common: sampleCommon(true, "A-3"), Date: "Mon 30 Nov 2026", Total: 1, HasICS: true,
				Upcoming: []Item{{Ref: "A-3", Text: "Order 40 badge readers for wards 3 and 4", Owner: "Carol Nguyen",
					OwnerEmail: "carol.nguyen@stmarys-clinic.example", Due: "Wed 2 Dec 2026", DueISO: "2026-12-02", Status: "open", DaysLeft: 2}}}},
		}
	case "status":
		return []Variant{
			{"report", sampleStatus()},
			{"quiet", Status{Common: sampleCommon(false, ""), PeriodFrom: "Mon 23 Nov 2026", PeriodTo: "Mon 30 Nov 2026", Open: 3,
				Health: Health{Level: "green", Reason: "nothing overdue beyond the thresholds, no escalated or unmitigated risks, no slips", Computed: "green"}}},
		}
	case "ack":
		return []Variant{
			{"closed", Ack{Common: sampleCommon(true, "A-1"), Subject: "Minutes: EHR go-live readiness (Tue 24 Nov 2026) — 4 action items",
				Changes: []string{"A-1 closed: draft the nurse super-user training plan"}}},
			{"several", Ack{Common: sampleCommon(false, ""), Subject: "Your EHR Rollout action items",
				Changes: []string{"A-2 due date: Fri 4 Dec 2026 → Wed 9 Dec 2026", "R-1 mitigation: weekly vendor call, and a flat-file fallback interface ready by January"},
				Notes:   []string{"A-2: the vendor confirmed the test window by phone"}}},
			{"risk", Ack{Common: sampleCommon(true, "R-1"), Subject: "R-1 Pharmacy interface vendor late",
				Changes: []string{"R-1 likelihood: high → medium"}}},
		}
	case "error":
		return []Variant{
			{"errors", Error{Common: sampleCommon(true, "A-2"), Subject: "Minutes: EHR go-live readiness (Tue 24 Nov 2026) — 4 action items",
				Errors: []CommandError{
					{Line: 1, Text: "done", Reason: "this mail was about more than one item, so say which one", Example: "close A-2"},
					{Line: 3, Text: "A-2 due whenever", Reason: `"whenever" is not a date mailflow can read`, Example: "A-2 due Dec 9"},
				},
				Applied:    []string{"A-2 note: waiting for the vendor"},
				Candidates: []string{"A-2", "R-1"}}},
			{"refusal", Error{Common: sampleCommon(false, ""), Subject: "A-2",
				Refusal: "mailflow could not confirm that this reply came from you, so nothing was changed. " +
					"To update an item, reply directly to a mail that mailflow sent you (its reply address carries a code that proves the reply is yours), " +
					"or send from an account whose mail your organisation signs (DKIM)."}},
		}
	case "confirm":
		return []Variant{
			{"held", Confirm{Common: sampleCommon(false, ""), Ref: "H-7", Subject: "Minutes: EHR go-live readiness 24 Nov",
				Received: "Tue 24 Nov 2026 17:05", Expires: "Tue 1 Dec 2026",
				Reason:     "no valid reply address and no DKIM, SPF or DMARC pass for stmarys-clinic.example from the project's mail server",
				Recipients: 7, Title: "EHR go-live readiness", Date: "Tue 24 Nov 2026",
				Items: []Item{
					{Text: "Draft the nurse super-user training plan", Owner: "Alice Moreau", Due: "Tue 1 Dec 2026"},
					{Text: "Find a second pharmacy interface tester"},
				},
				Risks:     []Risk{{Description: "Pharmacy interface vendor late", Mitigation: "weekly vendor call"}},
				Decisions: []string{"Go-live stays on 1 February 2027."}}},
			{"correction-with-others", Confirm{Common: sampleCommon(false, ""), Ref: "H-9", Subject: "Re: Minutes: EHR go-live readiness 24 Nov (corrected)",
				Received: "Wed 25 Nov 2026 09:12", Expires: "Wed 2 Dec 2026",
				Reason:     "no valid reply address and no DKIM, SPF or DMARC pass for stmarys-clinic.example from the project's mail server",
				Recipients: 7, Title: "EHR go-live readiness", Date: "Tue 24 Nov 2026", Replaces: "EHR go-live readiness, Tue 24 Nov 2026",
				Items:  []Item{{Text: "Draft the nurse super-user training plan", Owner: "Alice Moreau", Due: "Fri 4 Dec 2026"}},
				Others: []Held{{Ref: "H-7", Subject: "Minutes: EHR go-live readiness 24 Nov", Received: "Tue 24 Nov 2026 17:05"}}}},
		}
	}
	return nil
}

func sampleCommon(canReply bool, example string) Common {
	return Common{
		Project:        "EHR Rollout",
		ProjectAddress: "ehr-project@stmarys-clinic.example",
		RecipientName:  "Bob",
		RecipientEmail: "bob.okafor@stmarys-clinic.example",
		CanReply:       canReply,
		ExampleRef:     example,
	}
}

func sampleItems() []Item {
	return []Item{
		{Ref: "A-1", Text: "draft the nurse super-user training plan", Owner: "Alice Moreau", OwnerEmail: "alice.moreau@stmarys-clinic.example",
			Due: "Tue 1 Dec 2026", DueISO: "2026-12-01", Status: "open", DaysLeft: 7},
		{Ref: "A-2", Text: "confirm the pharmacy interface test window with the vendor", Owner: "Bob Okafor", OwnerEmail: "bob.okafor@stmarys-clinic.example",
			Due: "Fri 4 Dec 2026", DueISO: "2026-12-04", Status: "open", DaysLeft: 10},
		{Ref: "A-3", Text: "Order 40 badge readers for wards 3 and 4", Owner: "Carol Nguyen", OwnerEmail: "carol.nguyen@stmarys-clinic.example",
			Due: "Wed 2 Dec 2026", DueISO: "2026-12-02", Status: "open", DaysLeft: 8},
		{Ref: "A-4", Text: "update the downtime procedures binder", Owner: "Dan Weber", OwnerEmail: "dan.weber@stmarys-clinic.example",
			Due: "Fri 27 Nov 2026", DueISO: "2026-11-27", Status: "open", DaysLeft: 3},
	}
}

func sampleRisks() []Risk {
	return []Risk{
		{Ref: "R-1", Description: "Pharmacy interface vendor late", Likelihood: "high", Impact: "high", Severity: 9,
			Mitigation: "weekly vendor call", Owner: "Bob Okafor", OwnerEmail: "bob.okafor@stmarys-clinic.example", Status: "open"},
		{Ref: "R-2", Description: "Super-users unavailable during flu season", Likelihood: "medium", Impact: "high", Severity: 6,
			Mitigation: "backfill rota agreed with nursing", Owner: "Alice Moreau", OwnerEmail: "alice.moreau@stmarys-clinic.example", Status: "open"},
	}
}

func sampleMinutes() Minutes {
	return Minutes{
		Common:    sampleCommon(true, "A-1"),
		Title:     "EHR go-live readiness",
		Date:      "Tue 24 Nov 2026",
		Chair:     "Priya Shah",
		Attendees: []string{"Priya Shah", "Alice Moreau", "Bob Okafor", "Carol Nguyen", "Dan Weber"},
		Regrets:   []string{"Erin Fox"},
		Decisions: []string{
			"Go-live for the outpatient clinics stays on 1 February 2027.",
			"Super-user training uses the vendor sandbox, never production.",
		},
		Items:       sampleItems(),
		Risks:       sampleRisks(),
		Changes:     []Change{{Kind: "schedule", Text: "pharmacy module go-live moves from January to March 2027"}},
		NextMeeting: "Tue 1 Dec 2026, 14:00, boardroom 2",
		Notes: "Summary\nThe vendor confirmed the interface build is on track; testing starts in the week of 7 December.\n\n" +
			"Discussion\n- Nursing asked for super-user cover on nights; Alice will draft the rota.\n- Pharmacy raised the order-set backlog again.",
		HasICS: true,
	}
}

func sampleReminder() Reminder {
	c := sampleCommon(true, "A-4")
	c.RecipientName, c.RecipientEmail = "Dan", "dan.weber@stmarys-clinic.example"
	owner, email := "Dan Weber", "dan.weber@stmarys-clinic.example"
	return Reminder{
		Common: c,
		Date:   "Mon 30 Nov 2026",
		Overdue: []Item{{Ref: "A-4", Text: "update the downtime procedures binder", Owner: owner, OwnerEmail: email,
			Due: "Fri 27 Nov 2026", DueISO: "2026-11-27", Status: "overdue", DaysOverdue: 3}},
		DueToday: []Item{{Ref: "A-7", Text: "send the go-live communication plan to the ward managers", Owner: owner, OwnerEmail: email,
			Due: "Mon 30 Nov 2026", DueISO: "2026-11-30", Status: "open"}},
		Upcoming: []Item{{Ref: "A-9", Text: "test the downtime printers on wards 3 and 4 with the night shift", Owner: owner, OwnerEmail: email,
			Due: "Thu 3 Dec 2026", DueISO: "2026-12-03", Status: "open", DaysLeft: 3, Progress: 40}},
		Total:  3,
		HasICS: true,
	}
}

func sampleStatus() Status {
	overdue := Item{Ref: "A-4", Text: "update the downtime procedures binder", Owner: "Dan Weber", OwnerEmail: "dan.weber@stmarys-clinic.example",
		Due: "Fri 27 Nov 2026", DueISO: "2026-11-27", Status: "overdue", DaysOverdue: 3}
	risks := sampleRisks()
	risks[0].Mitigation = "weekly vendor call, and a flat-file fallback interface ready by January"
	risks = append([]Risk{{Ref: "R-3", Description: "Wireless coverage gaps on ward 4 block bedside scanning", Likelihood: "medium", Impact: "medium",
		Severity: 4, Mitigation: "site survey booked with estates", Owner: "Carol Nguyen", Status: "open", Escalated: true}}, risks...)
	return Status{
		Common:     sampleCommon(false, ""),
		PeriodFrom: "Mon 23 Nov 2026",
		PeriodTo:   "Mon 30 Nov 2026",
		Health: Health{Level: "red", Reason: "R-3 escalated; pharmacy go-live slipped 59 days",
			SetBy: "Priya Shah", SetAt: "Fri 27 Nov 2026", Computed: "red", ComputedReason: "R-3 escalated; pharmacy go-live slipped 59 days"},
		Attention: []Attention{
			{Ref: "R-3", Text: "Wireless coverage gaps on ward 4 block bedside scanning", Why: "escalated"},
			{Text: "approve weekend overtime for the go-live command centre", Why: "decision needed"},
		},
		Milestones: []Milestone{
			{Name: "Outpatient clinics go-live", Date: "Mon 1 Feb 2027", DaysLeft: 63},
			{Name: "Pharmacy go-live", Date: "Mon 1 Mar 2027", DaysLeft: 91, Was: "Fri 1 Jan 2027", SlipDays: 59},
			{Name: "Super-user training complete", Date: "Fri 27 Nov 2026", DaysLeft: -3, Done: true},
		},
		ScopeAdded:    []string{"barcode medication administration on ward 4"},
		Changes:       []Change{{Kind: "schedule", Text: "pharmacy module go-live moves from January to March 2027"}},
		Open:          11,
		OpenedSince:   4,
		ClosedSince:   2,
		Overdue:       1,
		OnTimePercent: 50,
		OnTimeKnown:   true,
		Closed: []Item{
			{Ref: "A-1", Text: "draft the nurse super-user training plan", Owner: "Alice Moreau", Status: "done", By: "Alice Moreau"},
			{Ref: "A-6", Text: "book the training rooms for December", Owner: "Erin Fox", Status: "done", By: "Priya Shah"},
		},
		New: []Item{{Ref: "A-11", Text: "survey wireless coverage on ward 4", Owner: "Carol Nguyen", Due: "Fri 11 Dec 2026", DueISO: "2026-12-11", Status: "open", DaysLeft: 11}},
		Slipped: []Item{{Ref: "A-2", Text: "confirm the pharmacy interface test window with the vendor", Owner: "Bob Okafor",
			Due: "Wed 9 Dec 2026", DueISO: "2026-12-09", Status: "open", DaysLeft: 9, Was: "Fri 4 Dec 2026"}},
		OverdueByOwner: []OwnerItems{
			{Owner: "Dan Weber", Items: []Item{overdue}},
		},
		Upcoming: []Item{
			{Ref: "A-3", Text: "Order 40 badge readers for wards 3 and 4", Owner: "Carol Nguyen", Due: "Wed 2 Dec 2026", DueISO: "2026-12-02", Status: "open", DaysLeft: 2},
			{Ref: "A-2", Text: "confirm the pharmacy interface test window with the vendor", Owner: "Bob Okafor", Due: "Wed 9 Dec 2026", DueISO: "2026-12-09", Status: "open", DaysLeft: 9, Progress: 50},
		},
		Decisions: []string{
			"Go-live for the outpatient clinics stays on 1 February 2027.",
			"Super-user training uses the vendor sandbox, never production.",
		},
		Groups: []Group{
			{Name: "Nursing", Members: 3, Open: 5, LastSeen: "Tue 24 Nov 2026"},
			{Name: "Pharmacy", Members: 1, Open: 2, Overdue: 1, LastSeen: "Tue 20 Oct 2026", Absent: true},
		},
		Risks:             risks,
		RiskTotal:         len(risks),
		RisksNoMitigation: 1,
		Register:          "risk-register.xlsx",
		ChartCID:          "chart.status.20261130@stmarys-clinic.example",
		ChartAlt:          "Action items per week over the 8 weeks from 5 Oct to 23 Nov: open items went from 12 to 11; 42 closed in all, 6 in the last week.",
		Weeks: []Week{
			{"5 Oct", 12, 3}, {"12 Oct", 15, 4}, {"19 Oct", 19, 2}, {"26 Oct", 18, 6},
			{"2 Nov", 22, 5}, {"9 Nov", 17, 9}, {"16 Nov", 14, 7}, {"23 Nov", 11, 6},
		},
	}
}
