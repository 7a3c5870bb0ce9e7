package engine

import (
	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	"mailflow/store"
)

// calendarItems returns the items owner owns among items that have a due
// date: the events of the iCalendar file attached to owner's mail (none
// when empty). The file itself is encoded when the mail is rendered, off
// the transaction.
func calendarItems(owner string, items []store.Item) []calendar.Item {
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
	return own
}
