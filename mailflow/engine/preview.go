package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"mailflow/mailflow"
	"mailflow/store"
	"mailflow/templates"
)

// ErrNothingToPreview is returned when there is no data for a mail kind
// yet (no meeting recorded, nobody with items).
var ErrNothingToPreview = errors.New("no data for this mail yet")

// Preview renders a mail of kind from the project's real data, as it would
// be sent now, without queueing it. Ack and error mails, which only exist
// in answer to a reply, are rendered from sample data.
func (e *Engine) Preview(ctx context.Context, p *Project, kind mailflow.MailKind) (templates.Rendered, error) {
	now := e.now()
	today := mailflow.DateOf(now.In(p.Location))
	switch kind {
	case mailflow.MailMinutes:
		meetings, err := e.store.Meetings(p.ID)
		if err != nil {
			return templates.Rendered{}, err
		}
		if len(meetings) == 0 {
			return templates.Rendered{}, fmt.Errorf("minutes: %w (no meeting recorded)", ErrNothingToPreview)
		}
		mt := meetings[0]
		items, err := e.store.Items(store.ItemFilter{ProjectID: p.ID, MeetingID: mt.ID})
		if err != nil {
			return templates.Rendered{}, err
		}
		risks, err := e.store.Risks(p.ID, "")
		if err != nil {
			return templates.Rendered{}, err
		}
		attendees, err := e.store.Attendees(mt.ID)
		if err != nil {
			return templates.Rendered{}, err
		}
		data := templates.Minutes{Common: e.common(p, mailflow.Person{}, true, ""), Title: mt.Title, Chair: mt.Chair, Date: humanDate(mt.MeetingDate)}
		for _, a := range attendees {
			name := a.Name
			if name == "" {
				name = a.Email
			}
			if a.Present {
				data.Attendees = append(data.Attendees, name)
			} else {
				data.Regrets = append(data.Regrets, name)
			}
		}
		for _, it := range items {
			data.Items = append(data.Items, p.itemView(it, today))
		}
		if len(items) > 0 {
			data.ExampleRef = items[0].Ref()
		}
		for _, r := range risks {
			if r.MeetingID.Valid && r.MeetingID.Int64 == mt.ID {
				data.Risks = append(data.Risks, p.riskView(r))
			}
		}
		return e.templates.Render(string(kind), data)
	case mailflow.MailReminder:
		items, err := e.store.Items(store.ItemFilter{ProjectID: p.ID, Status: string(mailflow.ItemOpen)})
		if err != nil {
			return templates.Rendered{}, err
		}
		byOwner := map[string][]store.Item{}
		for _, it := range items {
			if it.Owner != "" && it.Due != "" {
				byOwner[it.Owner] = append(byOwner[it.Owner], it)
			}
		}
		if len(byOwner) == 0 {
			return templates.Rendered{}, fmt.Errorf("reminder: %w (no open item has an owner and a due date)", ErrNothingToPreview)
		}
		owners := make([]string, 0, len(byOwner))
		for o := range byOwner {
			owners = append(owners, o)
		}
		sort.Strings(owners)
		owner := owners[0]
		data := templates.Reminder{Common: e.common(p, mailflow.Person{Email: owner}, true, byOwner[owner][0].Ref()), Date: today.Human()}
		for _, it := range byOwner[owner] {
			v := p.itemView(it, today)
			switch {
			case v.DaysOverdue > 0:
				data.Overdue = append(data.Overdue, v)
			case v.DaysLeft == 0:
				data.DueToday = append(data.DueToday, v)
			default:
				data.Upcoming = append(data.Upcoming, v)
			}
			data.Total++
		}
		return e.templates.Render(string(kind), data)
	case mailflow.MailStatus:
		last, err := e.store.LastRun(p.ID, jobStatus)
		if err != nil {
			return templates.Rendered{}, err
		}
		if last.IsZero() {
			last = now.AddDate(0, 0, -7)
		}
		data, _, err := e.statusData(p, last, now, now)
		if err != nil {
			return templates.Rendered{}, err
		}
		data.Common = e.common(p, mailflow.Person{}, false, "")
		return e.templates.Render(string(kind), data)
	case mailflow.MailAck:
		return e.templates.Render(string(kind), templates.Ack{Common: e.common(p, mailflow.Person{}, true, "A-1"),
			Subject: "Minutes", Changes: []string{"A-1 closed: (an example)"}, Notes: []string{"A-1: an example note"}})
	case mailflow.MailError:
		return e.templates.Render(string(kind), templates.Error{Common: e.common(p, mailflow.Person{}, true, "A-1"), Subject: "Minutes",
			Errors: []templates.CommandError{{Line: 1, Text: "A-1 due someday", Reason: "cannot read the date \"someday\"", Example: "A-1 due Dec 9"}}})
	}
	return templates.Rendered{}, fmt.Errorf("unknown mail kind %q: want minutes, reminder, status, ack or error", kind)
}
