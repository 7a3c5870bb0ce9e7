// Package calendar writes action items as an iCalendar file (RFC 5545) so
// owners see their due dates in their calendar. Each item is an all-day
// VEVENT on its due date — the form Outlook, Gmail and Apple Calendar all
// import — with a UID stable per item, so a later mail updates the event
// instead of adding a second one.
package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"mailflow/mailflow"
)

// Item is one dated action item for the calendar.
type Item struct {
	Ref       string
	Text      string
	Due       mailflow.Date
	Status    mailflow.ItemStatus
	UpdatedAt time.Time
}

// UID returns the stable calendar UID of an item of a project.
func UID(projectAddr, ref string) string {
	local, domain, _ := strings.Cut(projectAddr, "@")
	return strings.ToLower(ref) + "." + local + "@" + domain
}

// Encode returns a VCALENDAR with one event per item that has a due date,
// or nil when none has.
func Encode(project, projectAddr string, items []Item, now time.Time) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//mailflow//action items//EN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	for _, it := range items {
		if it.Due.IsZero() {
			continue
		}
		ev := ical.NewComponent(ical.CompEvent)
		ev.Props.SetText(ical.PropUID, UID(projectAddr, it.Ref))
		ev.Props.SetDateTime(ical.PropDateTimeStamp, now.UTC())
		ev.Props.SetDate(ical.PropDateTimeStart, it.Due.Time(time.UTC))
		ev.Props.SetDate(ical.PropDateTimeEnd, it.Due.AddDays(1).Time(time.UTC))
		ev.Props.SetText(ical.PropSummary, fmt.Sprintf("%s due: %s", it.Ref, oneLine(it.Text)))
		ev.Props.SetText(ical.PropDescription, fmt.Sprintf("%s action item %s: %s\nReply to the mailflow mail with \"%s done\" when it is done.", project, it.Ref, it.Text, it.Ref))
		// SEQUENCE must grow when the event changes (RFC 5545 3.8.7.4);
		// the item's last change time in seconds does.
		seq := ical.NewProp(ical.PropSequence)
		seq.Value = fmt.Sprint(it.UpdatedAt.Unix() - 1700000000)
		ev.Props.Set(seq)
		status := "CONFIRMED"
		if it.Status == mailflow.ItemCancelled || it.Status == mailflow.ItemDone {
			status = "CANCELLED"
		}
		ev.Props.SetText(ical.PropStatus, status)
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		cal.Children = append(cal.Children, ev)
	}
	if len(cal.Children) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode calendar: %w", err)
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
