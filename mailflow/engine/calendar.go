package engine

import (
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	"mailflow/store"
)

// calendarFor returns the iCalendar file of the items owner owns among
// items, or nil when there are none with a due date.
func (e *Engine) calendarFor(p *Project, owner string, items []store.Item, now time.Time) ([]byte, error) {
	var own []calendar.Item
	for _, it := range items {
		if it.Owner != owner || it.Due == "" {
			continue
		}
		d, err := mailflow.ParseDate(it.Due)
		if err != nil {
			continue
		}
		own = append(own, calendar.Item{Ref: it.Ref(), Text: it.Text, Due: d, Status: mailflow.ItemStatus(it.Status), UpdatedAt: it.UpdatedAt})
	}
	if len(own) == 0 {
		return nil, nil
	}
	return calendar.Encode(p.Name, p.Address, own, now)
}
