package minutes

import "testing"

// TestDecisionSections: under a heading that names decisions, however it
// is worded, what is stated as settled fact is a decision — in a
// paragraph, a list, a list under topics, a numbered log or a table — and
// under "Decisions and actions" each entry is the one or the other.
func TestDecisionSections(t *testing.T) {
	const action = "\n\nACTION: Bob to tell the wards\n"
	tell := []item{{text: "tell the wards", owner: bob}}
	runTextCases(t, []textCase{
		{
			name:      "a paragraph of settled facts",
			body:      "Decisions\n\nTraining will use the vendor sandbox. Go-live stays on 1 February 2027." + action,
			items:     tell,
			decisions: []string{"Training will use the vendor sandbox", "Go-live stays on 1 February 2027"},
		},
		{
			name:      "headings people write",
			body:      "Agreed outcomes:\n- Training will use the vendor sandbox\n\nWhat was decided\n- Night shifts get two super-users\n\nDecisions this week\n- The wiki is the single source of contacts" + action,
			items:     tell,
			decisions: []string{"Training will use the vendor sandbox", "Night shifts get two super-users", "The wiki is the single source of contacts"},
		},
		{
			name:      "two names for one section",
			body:      "Decisions / agreements\n- Training will use the vendor sandbox\n- Ward 4 goes live first" + action,
			items:     tell,
			decisions: []string{"Training will use the vendor sandbox", "Ward 4 goes live first"},
		},
		{
			name:  "decisions under topics",
			body:  "Decisions\n- Training\n  - The vendor sandbox is used for all classes\n  - Would like more evening slots\n- Go-live\n  - conditional on zero open high hazards" + action,
			items: tell,
			decisions: []string{"Training: The vendor sandbox is used for all classes",
				"Go-live: conditional on zero open high hazards"},
		},
		{
			name:      "a numbered decision log",
			body:      "DECISIONS\nD1 - Training will use the vendor sandbox\nDEC-02: Ward 4 goes live first" + action,
			items:     tell,
			decisions: []string{"Training will use the vendor sandbox", "Ward 4 goes live first"},
		},
		{
			name:      "a decision log table with the day decided",
			body:      "Decision log\n\n| ID | Decision | Date |\n|---|---|---|\n| D1 | Training will use the vendor sandbox | 24/11/2026 |" + action,
			items:     tell,
			decisions: []string{"Training will use the vendor sandbox"},
		},
		{
			name: "decisions and actions in one list",
			body: "Decisions and actions\n- Training will use the vendor sandbox\n- Alice to book the trainers by Friday\n" +
				"- Check the scanners on ward 4 by Dec 3 (Carol Nguyen)\n- Night shifts get two super-users\n",
			items: []item{
				{text: "book the trainers", owner: alice, due: "2026-11-27"},
				{text: "Check the scanners on ward 4", owner: carol, due: "2026-12-03"},
			},
			decisions: []string{"Training will use the vendor sandbox", "Night shifts get two super-users"},
		},
	})
}

// TestScheduleMoves: a sentence that moves a date from one day to another
// records a decision and a schedule change; a move to a day alone, or a
// person's task to move something, does not.
func TestScheduleMoves(t *testing.T) {
	m := parseText(t, "", "Dry run: Bob said the dry run will move from Dec 2 to Dec 4 because the fix was late.\n"+
		"Training moves to Friday. Alice will move the meeting from Dec 1 to Dec 3.\n")
	wantDecision := "Dry run: Bob said the dry run will move from Dec 2 to Dec 4 because the fix was late"
	if len(m.Decisions) != 1 || m.Decisions[0].Text != wantDecision {
		t.Errorf("decisions = %v, want [%q]:%s", m.Decisions, wantDecision, dump(m))
	}
	if len(m.Changes) != 1 || m.Changes[0].Kind != "schedule" || m.Changes[0].Text != wantDecision {
		t.Errorf("changes = %v, want one schedule change %q", m.Changes, wantDecision)
	}
	if len(m.ActionItems) != 1 || m.ActionItems[0].Owner != alice {
		t.Errorf("items = %v, want Alice's move of the meeting", m.ActionItems)
	}
}
