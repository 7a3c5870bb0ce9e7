package engine

import (
	"sort"

	"mailflow/mailflow"
	"mailflow/mailflow/compose"
	"mailflow/store"
	"mailflow/templates"
)

// itemView shows an item as of today in the project's time zone.
func (p *Project) itemView(it store.Item, today mailflow.Date) templates.Item {
	v := templates.Item{
		Ref:      it.Ref(),
		Text:     compose.TextSafe(it.Text),
		Status:   it.Status,
		Progress: it.Progress,
		DueISO:   it.Due,
	}
	if it.Owner != "" {
		v.OwnerEmail = it.Owner
		v.Owner = compose.TextSafe(p.displayName(it.Owner))
	} else if it.OwnerName != "" {
		v.Owner = compose.TextSafe(it.OwnerName)
	}
	if d, err := mailflow.ParseDate(it.Due); err == nil {
		v.Due = d.Human()
		left := today.DaysUntil(d)
		if left < 0 && it.Status == string(mailflow.ItemOpen) {
			v.DaysOverdue = -left
			v.Status = "overdue"
		} else if left >= 0 {
			v.DaysLeft = left
		}
	}
	return v
}

func (p *Project) riskView(r store.Risk) templates.Risk {
	v := templates.Risk{
		Ref:         r.Ref(),
		Description: compose.TextSafe(r.Description),
		Likelihood:  r.Likelihood,
		Impact:      r.Impact,
		Severity:    mailflow.Level(r.Likelihood).Score() * mailflow.Level(r.Impact).Score(),
		Mitigation:  compose.TextSafe(r.Mitigation),
		Status:      r.Status,
		Escalated:   r.Escalated,
		Trigger:     compose.TextSafe(r.Trigger),
	}
	if r.Owner != "" {
		v.OwnerEmail = r.Owner
		v.Owner = compose.TextSafe(p.displayName(r.Owner))
	} else {
		v.Owner = compose.TextSafe(r.OwnerName)
	}
	return v
}

// sortRegister orders a risk register: escalated first, then by likelihood
// × impact, highest first, then by ref.
func sortRegister(rs []templates.Risk, nums map[string]int) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Escalated != rs[j].Escalated {
			return rs[i].Escalated
		}
		if rs[i].Severity != rs[j].Severity {
			return rs[i].Severity > rs[j].Severity
		}
		return nums[rs[i].Ref] < nums[rs[j].Ref]
	})
}
