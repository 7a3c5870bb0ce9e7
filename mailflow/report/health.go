package report

import (
	"fmt"
	"strings"
)

// Project health, as the status report's headline gives it.
const (
	HealthGreen = "green"
	HealthAmber = "amber"
	HealthRed   = "red"
)

// The thresholds behind the headline. They are the README's "How the
// headline is decided"; change both together.
const (
	// redOverdueShare and amberOverdueShare are the shares of open items
	// overdue (in percent) that make a project red or amber.
	redOverdueShare   = 25
	amberOverdueShare = 10
	// redOverdueMin is the fewest overdue items that make a project red on
	// their share alone: one of two open items late is not a crisis.
	redOverdueMin = 3
	// longOverdueDays is how late an item is before leadership hears of it
	// by name ("needs your attention") and the project is at least amber.
	longOverdueDays = 14
	// redSlipDays is a milestone slip, in days, that makes a project red.
	redSlipDays = 30
	// highSeverity is the likelihood × impact (1-9) from which a risk is
	// high: high × medium or worse.
	highSeverity = 6
)

// healthFacts are the figures the headline is computed from.
type healthFacts struct {
	open, overdue   int
	longOverdue     []string // refs of items overdue more than longOverdueDays
	escalated       []string // refs of open escalated risks
	highUnmitigated []string // refs of open high risks without a mitigation
	unmitigated     []string // refs of open risks without a mitigation
	missedMilestone []string // milestones whose date passed, not reached
	slips           []slip   // milestone dates moved later this period
	scopeChanges    int
	asks            int // open questions the minutes put to leadership
}

// slip is a milestone that moved later.
type slip struct {
	name string
	days int
}

// computeHealth applies the rules, worst first, and says in one line why.
func computeHealth(f healthFacts) (level, reason string) {
	var red, amber []string
	share := 0
	if f.open > 0 {
		share = f.overdue * 100 / f.open
	}
	if len(f.escalated) > 0 {
		red = append(red, fmt.Sprintf("%s escalated", refList(f.escalated)))
	}
	if len(f.highUnmitigated) > 0 {
		noun := "high risk"
		if len(f.highUnmitigated) > 1 {
			noun = "high risks"
		}
		red = append(red, fmt.Sprintf("%s %s without a mitigation", noun, refList(f.highUnmitigated)))
	}
	if f.overdue >= redOverdueMin && share >= redOverdueShare {
		red = append(red, fmt.Sprintf("%d of %d open items overdue (%d%%)", f.overdue, f.open, share))
	} else if f.overdue > 0 && share >= amberOverdueShare {
		amber = append(amber, fmt.Sprintf("%d of %d open items overdue (%d%%)", f.overdue, f.open, share))
	}
	if len(f.missedMilestone) > 0 {
		red = append(red, fmt.Sprintf("milestone date passed: %s", strings.Join(f.missedMilestone, ", ")))
	}
	for _, s := range f.slips {
		if s.days >= redSlipDays {
			red = append(red, fmt.Sprintf("%s slipped %d days", s.name, s.days))
		} else {
			amber = append(amber, fmt.Sprintf("%s slipped %d days", s.name, s.days))
		}
	}
	if len(f.longOverdue) > 0 {
		amber = append(amber, fmt.Sprintf("%s overdue more than %d days", refList(f.longOverdue), longOverdueDays))
	}
	if n := len(f.unmitigated) - len(f.highUnmitigated); n > 0 {
		amber = append(amber, plural(n, "risk", "risks")+" without a mitigation")
	}
	if f.scopeChanges > 0 {
		amber = append(amber, plural(f.scopeChanges, "scope change", "scope changes")+" this period")
	}
	if f.asks > 0 {
		amber = append(amber, plural(f.asks, "question", "questions")+" for leadership")
	}
	switch {
	case len(red) > 0:
		return HealthRed, strings.Join(append(red, amber...), "; ")
	case len(amber) > 0:
		return HealthAmber, strings.Join(amber, "; ")
	}
	return HealthGreen, "nothing overdue beyond the thresholds, no escalated or unmitigated risks, no slips"
}

// refList names up to three refs and how many more.
func refList(refs []string) string {
	if len(refs) <= 3 {
		return strings.Join(refs, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(refs[:3], ", "), len(refs)-3)
}

// plural says "1 risk" or "3 risks".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
