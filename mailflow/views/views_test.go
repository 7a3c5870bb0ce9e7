package views

import (
	"strings"
	"testing"

	"mailflow/mailflow"
	"mailflow/store"
	"mailflow/templates"
)

type roster map[string]string

func (r roster) DisplayName(email string) string {
	if n, ok := r[email]; ok {
		return n
	}
	return email
}

func TestItem(t *testing.T) {
	names := roster{"alice@x.example": "Alice Moreau"}
	today := mailflow.Date{Year: 2026, Month: 12, Day: 4}
	tests := []struct {
		it       store.Item
		owner    string
		due      string
		status   string
		overdue  int
		daysLeft int
	}{
		{store.Item{Num: 1, Text: "plan", Owner: "alice@x.example", Due: "2026-12-01", Status: "open"}, "Alice Moreau", "Tue 1 Dec 2026", "overdue", 3, 0},
		{store.Item{Num: 2, Text: "call", OwnerName: "the vendor", Due: "2026-12-09", Status: "open"}, "the vendor", "Wed 9 Dec 2026", "open", 0, 5},
		{store.Item{Num: 3, Text: "book", Owner: "zed@x.example", Due: "2026-12-01", Status: "done"}, "zed@x.example", "Tue 1 Dec 2026", "done", 0, 0},
		{store.Item{Num: 4, Text: "think", Status: "open"}, "", "", "open", 0, 0},
	}
	for _, tc := range tests {
		v := Item(tc.it, today, names)
		if v.Owner != tc.owner || v.Due != tc.due || v.Status != tc.status || v.DaysOverdue != tc.overdue || v.DaysLeft != tc.daysLeft {
			t.Errorf("Item(%s) = owner %q due %q %s overdue %d left %d; want %q %q %s %d %d", tc.it.Ref(), v.Owner, v.Due, v.Status,
				v.DaysOverdue, v.DaysLeft, tc.owner, tc.due, tc.status, tc.overdue, tc.daysLeft)
		}
	}
}

func TestSortRegister(t *testing.T) {
	rs := []templates.Risk{{Ref: "R-1", Severity: 2}, {Ref: "R-2", Severity: 9}, {Ref: "R-3", Severity: 1, Escalated: true}, {Ref: "R-4", Severity: 9}}
	SortRegister(rs, map[string]int{"R-1": 1, "R-2": 2, "R-3": 3, "R-4": 4})
	var got []string
	for _, r := range rs {
		got = append(got, r.Ref)
	}
	if got, want := strings.Join(got, " "), "R-3 R-2 R-4 R-1"; got != want {
		t.Errorf("SortRegister = %s, want %s", got, want)
	}
}
