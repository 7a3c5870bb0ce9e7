package register

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The workbook opens with the same library and holds every risk, with
// every field and its mitigation history, and every item.
func TestWorkbookHoldsEveryRiskAndItem(t *testing.T) {
	var risks []Risk
	for i := range 300 {
		risks = append(risks, Risk{Ref: fmt.Sprintf("R-%d", i+1), Description: fmt.Sprintf("risk number %d", i+1),
			Likelihood: "high", Impact: "medium", Severity: 6, Mitigation: fmt.Sprintf("mitigation %d", i+1), Owner: "Bob Okafor",
			Status: "open", Escalated: i == 0, Raised: "Tue 24 Nov 2026", Updated: "Tue 1 Dec 2026",
			History: []string{"Tue 24 Nov 2026, Priya Shah: (none) → weekly call", fmt.Sprintf("Tue 1 Dec 2026, Bob Okafor: weekly call → mitigation %d", i+1)}})
	}
	risks = append(risks, Risk{Ref: "R-999", Description: "=HYPERLINK(\"http://attacker.example\")", Status: "open"})
	items := []Item{{Ref: "A-1", Text: "draft the plan", Owner: "Alice Moreau", Due: "2026-12-01", DaysOverdue: 3, Progress: 50, Raised: "Tue 24 Nov 2026"},
		{Ref: "A-2", Text: "call the vendor", Owner: "Bob Okafor", Due: "", Raised: "Tue 24 Nov 2026"}}
	data, err := Workbook(risks, items)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(RisksSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(risks)+1 {
		t.Fatalf("%d rows on %s, want %d risks and a header", len(rows), RisksSheet, len(risks))
	}
	for i, r := range risks {
		row := rows[i+1]
		if row[0] != r.Ref || !strings.Contains(row[1], strings.TrimPrefix(r.Description, "=")) {
			t.Errorf("row %d = %v, want %s %q", i+2, row[:2], r.Ref, r.Description)
		}
		if r.Mitigation != "" && (row[5] != r.Mitigation || !strings.Contains(row[12], r.Mitigation)) {
			t.Errorf("%s: mitigation %q, history %q", r.Ref, row[5], row[12])
		}
	}
	if formula, _ := f.GetCellFormula(RisksSheet, fmt.Sprintf("B%d", len(rows))); formula != "" {
		t.Errorf("text from mail became a formula: %q", formula)
	}
	if got := rows[len(rows)-1][1]; !strings.HasPrefix(got, "'=") {
		t.Errorf("formula-like text %q is not quoted", got)
	}
	rows, err = f.GetRows(ItemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "A-1" || rows[1][3] != "2026-12-01" || rows[2][1] != "call the vendor" {
		t.Errorf("items sheet = %v", rows)
	}
}

func BenchmarkWorkbook(b *testing.B) {
	var risks []Risk
	for i := range 1000 {
		risks = append(risks, Risk{Ref: fmt.Sprintf("R-%d", i), Description: "interface vendor may miss the test window", Likelihood: "high",
			Impact: "high", Severity: 9, Mitigation: "weekly vendor call", Owner: "Bob Okafor", Status: "open", History: []string{"a → b"}})
	}
	var items []Item
	for i := range 10000 {
		items = append(items, Item{Ref: fmt.Sprintf("A-%d", i), Text: "prepare the ward super-user rota", Owner: "Alice Moreau", Due: "2026-12-09"})
	}
	for b.Loop() {
		if _, err := Workbook(risks, items); err != nil {
			b.Fatal(err)
		}
	}
}
