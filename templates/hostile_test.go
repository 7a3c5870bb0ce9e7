package templates

import "strings"

// Hostile is text that tries to break a mail: header injection, HTML and
// template syntax, encoded-words, bidi overrides and an overlong word. The
// tests put it in every field people control.
var Hostile = []string{
	"Fix\r\nBcc: evil@attacker.example",
	`<script>alert("x")</script><img src="https://attacker.example/t.png"><a href="http://attacker.example">click</a>`,
	`{{.Project}} {{template "top" .}} {{define "x"}}`,
	"=?utf-8?q?=0D=0ABcc:_evil@attacker.example?=",
	"invoice\u202Egnp.exe \u2066isolated\u2069",
	"https://intranet.stmarys-clinic.example/sites/ehr/Shared%20Documents/Go-live/downtime-procedures-binder-v7-final-FINAL.docx",
	strings.Repeat("word ", 60),
}

// HostileVariant returns the sample of kind with every free-text field
// set to hostile text.
func HostileVariant(kind string) any {
	h := func(i int) string { return Hostile[i%len(Hostile)] }
	item := func(i int) Item {
		return Item{Ref: "A-" + h(i)[:1], Text: h(i), Owner: h(i + 1), OwnerEmail: h(i + 2), Due: h(i + 3), Status: "open", Note: h(i + 4), Change: h(i + 5)}
	}
	risk := func(i int) Risk {
		return Risk{Ref: "R-1", Description: h(i), Likelihood: h(i + 1), Impact: h(i + 2), Mitigation: h(i + 3), Owner: h(i + 4), Status: h(i + 5), Trigger: h(i + 6), Escalated: true}
	}
	var items []Item
	var risks []Risk
	var texts []string
	for i := range Hostile {
		items = append(items, item(i))
		risks = append(risks, risk(i))
		texts = append(texts, h(i))
	}
	c := Common{Project: h(2), ProjectAddress: "ehr-project@stmarys-clinic.example", RecipientName: h(1), RecipientEmail: h(2), CanReply: true, ExampleRef: "A-1"}
	switch kind {
	case "minutes":
		return Minutes{Common: c, Title: h(0), Date: h(1), Chair: h(2), Attendees: texts, Regrets: texts, Decisions: texts,
			Items: items, Cancelled: items, Risks: risks, Changes: []Change{{Kind: h(1), Text: h(2)}}, Problems: texts, Corrected: true, HasICS: true,
			Notes: strings.Join(texts, "\n"), NextMeeting: h(3)}
	case "reminder":
		return Reminder{Common: c, Date: h(0), Overdue: items, DueToday: items, Upcoming: items, Total: 3 * len(items), HasICS: true, Risks: risks}
	case "status":
		return Status{Common: c, PeriodFrom: h(0), PeriodTo: h(1), OverdueByOwner: []OwnerItems{{Owner: h(3), Items: items}},
			Upcoming: items, Decisions: texts, Changes: []Change{{Kind: h(4), Text: h(5)}}, Risks: risks, RiskTotal: len(risks),
			Health:    Health{Level: "red", Reason: h(0), SetBy: h(1), SetAt: h(2), Computed: "amber", ComputedReason: h(3)},
			Attention: []Attention{{Ref: "R-1", Text: h(1), Why: h(2)}}, Milestones: []Milestone{{Name: h(0), Date: h(1), DaysLeft: 3, Was: h(2), SlipDays: 4}},
			ScopeAdded: texts, ScopeRemoved: texts, Closed: items, New: items, Slipped: items,
			Groups:   []Group{{Name: h(0), LastSeen: h(1), Absent: true}},
			Register: h(4), ChartCID: h(3), ChartAlt: h(1), Weeks: []Week{{Label: h(4), Open: 1}}}
	case "ack":
		return Ack{Common: c, Changes: texts, Notes: texts, Subject: h(0)}
	case "error":
		return Error{Common: c, Subject: h(0), Errors: []CommandError{{Line: 1, Text: h(1), Reason: h(2), Example: h(3)}}, Applied: texts, Candidates: texts}
	case "confirm":
		return Confirm{Common: c, Ref: "H-1", Subject: h(0), Received: h(1), Reason: h(2), Expires: h(3), Recipients: 3,
			Title: h(4), Date: h(5), Items: items, Risks: risks, Decisions: texts}
	}
	return nil
}
