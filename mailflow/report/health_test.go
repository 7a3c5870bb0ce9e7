package report

import (
	"strings"
	"testing"
)

// One case per rule of the headline, and the boundaries around each.
func TestComputeHealth(t *testing.T) {
	tests := []struct {
		name   string
		f      healthFacts
		level  string
		reason string
	}{
		{"nothing wrong", healthFacts{open: 10}, HealthGreen, "nothing overdue"},
		{"an escalated risk", healthFacts{open: 10, escalated: []string{"R-2"}}, HealthRed, "R-2 escalated"},
		{"a high risk without mitigation", healthFacts{open: 10, highUnmitigated: []string{"R-1"}, unmitigated: []string{"R-1"}}, HealthRed, "high risk R-1 without a mitigation"},
		{"a quarter overdue", healthFacts{open: 12, overdue: 3}, HealthRed, "3 of 12 open items overdue (25%)"},
		{"a quarter overdue, but only two items", healthFacts{open: 8, overdue: 2}, HealthAmber, "2 of 8 open items overdue (25%)"},
		{"a tenth overdue", healthFacts{open: 20, overdue: 2}, HealthAmber, "2 of 20 open items overdue (10%)"},
		{"under a tenth overdue", healthFacts{open: 21, overdue: 2}, HealthGreen, ""},
		{"a missed milestone", healthFacts{open: 5, missedMilestone: []string{"Go-live"}}, HealthRed, "milestone date passed: Go-live"},
		{"a long slip", healthFacts{open: 5, slips: []slip{{"Go-live", 61}}}, HealthRed, "Go-live slipped 61 days"},
		{"a short slip", healthFacts{open: 5, slips: []slip{{"Training", 7}}}, HealthAmber, "Training slipped 7 days"},
		{"an item long overdue", healthFacts{open: 40, overdue: 1, longOverdue: []string{"A-3"}}, HealthAmber, "A-3 overdue more than 14 days"},
		{"a risk without mitigation", healthFacts{open: 5, unmitigated: []string{"R-4"}}, HealthAmber, "1 risk without a mitigation"},
		{"a scope change", healthFacts{open: 5, scopeChanges: 1}, HealthAmber, "1 scope change this period"},
		{"a question for leadership", healthFacts{open: 5, asks: 2}, HealthAmber, "2 questions for leadership"},
		{"red keeps the amber reasons after its own", healthFacts{open: 5, escalated: []string{"R-1"}, scopeChanges: 1}, HealthRed, "R-1 escalated; 1 scope change"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			level, reason := computeHealth(tc.f)
			if level != tc.level || !strings.Contains(reason, tc.reason) {
				t.Errorf("computeHealth = %s %q, want %s containing %q", level, reason, tc.level, tc.reason)
			}
		})
	}
}
