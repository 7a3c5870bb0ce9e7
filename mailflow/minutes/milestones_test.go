package minutes

import (
	"slices"
	"strings"
	"testing"

	"mailflow/mailflow"
)

// milestone is a milestone as a reader of the minutes would note it.
type milestone struct {
	name, date string // date as ISO, "" when none could be read
	done       bool
}

func (w milestone) String() string {
	return w.name + " @" + w.date + map[bool]string{true: " (done)", false: ""}[w.done]
}

func milestonesOf(m mailflow.Minutes) []string {
	var out []string
	for _, ms := range m.Milestones {
		date := ""
		if !ms.Date.IsZero() {
			date = ms.Date.String()
		}
		out = append(out, milestone{ms.Name, date, ms.Done}.String())
	}
	return out
}

// milestoneCase is minutes and the milestones, asks and problems in them.
type milestoneCase struct {
	name       string
	body       string
	milestones []milestone
	asks       []string
	problems   []string // a substring of each problem, in order
}

func checkMilestones(t *testing.T, c milestoneCase) {
	t.Helper()
	m := parseText(t, "", c.body)
	var want []string
	for _, w := range c.milestones {
		want = append(want, w.String())
	}
	if got := milestonesOf(m); !slices.Equal(got, want) {
		t.Errorf("Parse(%q) milestones = %q, want %q", c.body, got, want)
	}
	var asks []string
	for _, a := range m.Asks {
		asks = append(asks, a.Text)
	}
	if !slices.Equal(asks, c.asks) {
		t.Errorf("Parse(%q) asks = %q, want %q", c.body, asks, c.asks)
	}
	var problems []string
	for _, p := range m.Problems {
		if !strings.HasPrefix(p.Reason, "no action items found") {
			problems = append(problems, p.String())
		}
	}
	if len(problems) != len(c.problems) {
		t.Errorf("Parse(%q) problems = %q, want %d about %q", c.body, problems, len(c.problems), c.problems)
		return
	}
	for i, p := range problems {
		if !strings.Contains(p, c.problems[i]) {
			t.Errorf("Parse(%q) problem %d = %q, want one about %q", c.body, i, p, c.problems[i])
		}
	}
}

// TestMilestones: each way minutes record a milestone or a go-live date.
// The meeting is on Tuesday 24 November 2026.
func TestMilestones(t *testing.T) {
	for _, c := range []milestoneCase{
		{
			name:       "Milestone: name — date",
			body:       "Milestone: Go-live (outpatient) — 1 Feb 2027\n",
			milestones: []milestone{{"Go-live (outpatient)", "2027-02-01", false}},
		},
		{
			name:       "Milestone: moved to",
			body:       "Milestone: pharmacy go-live moved to 1 March 2027\n",
			milestones: []milestone{{"pharmacy go-live", "2027-03-01", false}},
		},
		{
			name: "Go-live labels",
			body: "Go-live: 2 March 2027\nGo-live date: 9 March 2027\nTarget go-live: 16 March 2027\n" +
				"Go-live (pharmacy): 23 March 2027\n",
			milestones: []milestone{
				{"Go-live", "2027-03-02", false}, {"Go-live", "2027-03-09", false},
				{"Go-live", "2027-03-16", false}, {"Go-live (pharmacy)", "2027-03-23", false},
			},
		},
		{
			name: "a milestones section, one per line or bullet",
			body: "Milestones\n- Super-user training complete – 27 Nov (done)\n- 14 Dec – Dress rehearsal\n" +
				"- Data migration signed off by 8 Jan 2027\n- [x] Hardware installed: 20 Nov\n- Cutover weekend (30 Jan 2027)\n",
			milestones: []milestone{
				{"Super-user training complete", "2026-11-27", true}, {"Dress rehearsal", "2026-12-14", false},
				{"Data migration signed off", "2027-01-08", false}, {"Hardware installed", "2026-11-20", true},
				{"Cutover weekend", "2027-01-30", false},
			},
		},
		{
			name: "a milestones section in lines, under Key dates",
			body: "Key dates\nGo-live 1 Feb 2027\nUAT sign-off 15/01/2027\n",
			milestones: []milestone{
				{"Go-live", "2027-02-01", false}, {"UAT sign-off", "2027-01-15", false},
			},
		},
		{
			name: "a milestone table with baseline, forecast and RAG",
			body: "| Milestone | Baseline | Forecast | RAG |\n|---|---|---|---|\n" +
				"| Build complete | 1 Dec 2026 | 8 Dec 2026 | Amber |\n| Training complete | 27 Nov 2026 | | Complete |\n" +
				"| Go-live | 1 Feb 2027 | 1 Feb 2027 | Green |\n",
			milestones: []milestone{
				{"Build complete", "2026-12-08", false}, {"Training complete", "2026-11-27", true},
				{"Go-live", "2027-02-01", false},
			},
		},
		{
			name: "a table of deliverables and target dates",
			body: "| Deliverable | Target date | Status |\n|---|---|---|\n| Interface specification | 4 Dec 2026 | Done |\n| Test plan | 11 Dec 2026 | On track |\n",
			milestones: []milestone{
				{"Interface specification", "2026-12-04", true}, {"Test plan", "2026-12-11", false},
			},
		},
		{
			name: "a table of phases and dates",
			body: "| Phase | Date |\n|---|---|\n| Pilot wards live | 1 Feb 2027 |\n| Whole hospital live | 3 May 2027 |\n",
			milestones: []milestone{
				{"Pilot wards live", "2027-02-01", false}, {"Whole hospital live", "2027-05-03", false},
			},
		},
		{
			name: "a table under a milestones heading",
			body: "Milestones\n\n| Name | Date |\n|---|---|\n| Go-live | 1 Feb 2027 |\n",
			milestones: []milestone{
				{"Go-live", "2027-02-01", false},
			},
		},
		{
			name: "a remark on the go-live is no milestone",
			body: "Go-live: we are on track, pending the interface fix. Bob will chase the vendor.\n",
		},
		{
			name: "a milestone without a date it can read is a problem",
			body: "Milestone: Pharmacy go-live — TBC\nGo-live: Q1 2027\nMilestones\n- Order sets built\n",
			milestones: []milestone{
				{"Pharmacy go-live", "", false}, {"Go-live", "", false}, {"Order sets built", "", false},
			},
			problems: []string{
				`line 1: cannot read the date "TBC" of milestone "Pharmacy go-live"`,
				`line 2: cannot read the date "Q1 2027" of milestone "Go-live"`,
				`line 4: milestone "Order sets built" has no date`,
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) { checkMilestones(t, c) })
	}
}

// TestMilestoneTablesStayActions: a deliverable with an owner and a due
// date, or a phase beside an action, is still an action.
func TestMilestoneTablesStayActions(t *testing.T) {
	runTextCases(t, []textCase{
		{
			name: "deliverable, owner, due",
			body: "| Deliverable | Owner | Due |\n|---|---|---|\n| Draft the training plan | Alice | 1 Dec 2026 |\n",
			items: []item{
				{text: "Draft the training plan", owner: alice, due: "2026-12-01"},
			},
		},
		{
			name: "phase, action, owner, due",
			body: "| Phase | Action | Owner | Due |\n|---|---|---|---|\n| Build | Confirm the interface window | Bob | 27/11/2026 |\n",
			items: []item{
				{text: "Confirm the interface window", owner: bob, due: "2026-11-27"},
			},
		},
	})
}

// TestAsks: what the minutes ask of leadership is an ask — neither a
// decision nor an action item.
func TestAsks(t *testing.T) {
	for _, c := range []milestoneCase{
		{
			name: "labelled lines",
			body: "Decision needed: fund two extra trainers for nights\nDecision required: approve the cutover weekend\n" +
				"Ask: release the ward managers for training\nAsk of leadership: chase the vendor's CEO\n" +
				"Escalate: pharmacy interface three weeks late\nEscalation: no network cover on ward 9\n" +
				"For the steering committee: accept the revised go-live\nDecision needed (CIO): sign the change request\n",
			asks: []string{
				"fund two extra trainers for nights", "approve the cutover weekend",
				"release the ward managers for training", "chase the vendor's CEO",
				"pharmacy interface three weeks late", "no network cover on ward 9",
				"accept the revised go-live", "sign the change request",
			},
		},
		{
			name: "a section of asks",
			body: "Decisions needed\n- Approve the extra licences\n- Confirm the go-live date\n\nEscalations\n- Vendor support hours\n",
			asks: []string{"Approve the extra licences", "Confirm the go-live date", "Vendor support hours"},
		},
		{
			name: "nothing to ask",
			body: "Escalations: none\nAsk: n/a\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) { checkMilestones(t, c) })
	}
	// An ask is neither a decision nor an item.
	m := parseText(t, "", "Decision needed: approve the extra licences\nEscalate: Alice to chase the vendor\n")
	if len(m.Decisions) != 0 || len(m.ActionItems) != 0 || len(m.Asks) != 2 {
		t.Errorf("asks read as %d decisions, %d items, %d asks; want 0, 0, 2:%s", len(m.Decisions), len(m.ActionItems), len(m.Asks), dump(m))
	}
}
