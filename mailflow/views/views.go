// Package views shows stored items and risks the way people read them —
// owners by name, dates in words, how overdue — for every mail mailflow
// sends and anything else that shows them (the CLI, a later web page), so
// that an item reads the same wherever it appears.
package views

import (
	"sort"

	"mailflow/mailflow"
	"mailflow/mailflow/compose"
	"mailflow/store"
	"mailflow/templates"
)

// Names gives the roster's name for an address (the address itself when
// it is not on the roster); config.Project is one.
type Names interface {
	DisplayName(email string) string
}

// Item shows an item as of today (a day in the project's time zone).
func Item(it store.Item, today mailflow.Date, names Names) templates.Item {
	v := templates.Item{
		Ref:      it.Ref(),
		Text:     compose.TextSafe(it.Text),
		Status:   it.Status,
		Progress: it.Progress,
		DueISO:   it.Due,
	}
	if it.Owner != "" {
		v.OwnerEmail = it.Owner
		v.Owner = compose.TextSafe(names.DisplayName(it.Owner))
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

// Risk shows a risk.
func Risk(r store.Risk, names Names) templates.Risk {
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
		v.Owner = compose.TextSafe(names.DisplayName(r.Owner))
	} else {
		v.Owner = compose.TextSafe(r.OwnerName)
	}
	return v
}

// SortRegister orders a risk register: escalated first, then by likelihood
// × impact, highest first, then by number (nums maps refs to them).
func SortRegister(rs []templates.Risk, nums map[string]int) {
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

// HumanDate writes a stored YYYY-MM-DD as people read it ("Tue 1 Dec
// 2026"), and "no date" for none.
func HumanDate(iso string) string {
	if d, err := mailflow.ParseDate(iso); err == nil {
		return d.Human()
	}
	return "no date"
}
