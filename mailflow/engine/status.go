package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/chart"
	"mailflow/mailflow/compose"
	"mailflow/store"
	"mailflow/templates"
)

// Status report limits: a report is for reading, not an export.
const (
	maxActivity      = 40
	upcomingDays     = 14
	statusChartWeeks = 8
)

// statusData gathers the leadership report for the period (from, to].
func (e *Engine) statusData(p *Project, from, to, now time.Time) (templates.Status, *compose.Inline, error) {
	loc := p.Location
	today := mailflow.DateOf(now.In(loc))
	items, err := e.store.Items(store.ItemFilter{ProjectID: p.ID})
	if err != nil {
		return templates.Status{}, nil, err
	}
	risks, err := e.store.Risks(p.ID, "")
	if err != nil {
		return templates.Status{}, nil, err
	}
	d := templates.Status{
		PeriodFrom: mailflow.DateOf(from.In(loc)).Human(),
		PeriodTo:   mailflow.DateOf(to.In(loc)).Human(),
	}
	overdueBy := map[string][]templates.Item{}
	onTime, closedWithDue := 0, 0
	for _, it := range items {
		if it.CreatedAt.After(from) && !it.CreatedAt.After(now) {
			d.OpenedSince++
		}
		v := p.itemView(it, today)
		switch it.Status {
		case string(mailflow.ItemOpen):
			d.Open++
			if v.DaysOverdue > 0 {
				d.Overdue++
				owner := v.Owner
				if owner == "" {
					owner = "(no owner)"
				}
				overdueBy[owner] = append(overdueBy[owner], v)
			} else if v.DueISO != "" && v.DaysLeft <= upcomingDays {
				d.Upcoming = append(d.Upcoming, v)
			}
		case string(mailflow.ItemDone):
			if it.ClosedAt.Valid && it.ClosedAt.Time.After(from) && !it.ClosedAt.Time.After(now) {
				d.ClosedSince++
				if due, err := mailflow.ParseDate(it.Due); err == nil {
					closedWithDue++
					if !mailflow.DateOf(it.ClosedAt.Time.In(loc)).After(due) {
						onTime++
					}
				}
			}
		}
	}
	if closedWithDue > 0 {
		d.OnTimeKnown = true
		d.OnTimePercent = onTime * 100 / closedWithDue
	}
	owners := make([]string, 0, len(overdueBy))
	for o := range overdueBy {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		its := overdueBy[o]
		sort.Slice(its, func(i, j int) bool { return its[i].DaysOverdue > its[j].DaysOverdue })
		d.OverdueByOwner = append(d.OverdueByOwner, templates.OwnerItems{Owner: o, Items: its})
	}
	sort.SliceStable(d.Upcoming, func(i, j int) bool { return d.Upcoming[i].DueISO < d.Upcoming[j].DueISO })

	nums := map[string]int{}
	for _, r := range risks {
		if r.Status != string(mailflow.RiskOpen) {
			continue
		}
		d.Risks = append(d.Risks, p.riskView(r))
		nums[r.Ref()] = r.Num
	}
	sortRegister(d.Risks, nums)

	decisions, err := e.store.DecisionsSince(p.ID, from)
	if err != nil {
		return d, nil, err
	}
	for _, x := range decisions {
		d.Decisions = append(d.Decisions, compose.TextSafe(x.Text))
	}
	changes, err := e.store.ChangesSince(p.ID, from)
	if err != nil {
		return d, nil, err
	}
	for _, c := range changes {
		d.Changes = append(d.Changes, templates.Change{Kind: c.Kind, Text: compose.TextSafe(c.Text)})
	}
	audit, err := e.store.AuditSince(p.ID, from)
	if err != nil {
		return d, nil, err
	}
	for _, a := range audit {
		if a.Ref == "" && a.Action != "note" {
			continue // meeting-level bookkeeping; decisions and changes are listed above
		}
		if len(d.Activity) >= maxActivity {
			d.ActivityOmitted++
			continue
		}
		d.Activity = append(d.Activity, templates.Activity{
			When: a.At.In(loc).Format("Mon 2 Jan"),
			Who:  compose.TextSafe(p.displayName(a.Actor)),
			What: compose.TextSafe(p.namesFor(describeAudit(a))),
		})
	}
	img, weeks, err := e.statusChart(p, items, now)
	if err != nil {
		return d, nil, err
	}
	d.ChartCID = img.ContentID
	d.ChartAlt = chart.Describe(weeks)
	for _, w := range weeks {
		d.Weeks = append(d.Weeks, templates.Week{Label: w.Start.In(loc).Format("2 Jan"), Open: w.Open, Closed: w.Closed})
	}
	return d, img, nil
}

// describeAudit says an audit entry in a few words for the report.
func describeAudit(a store.AuditEntry) string {
	switch a.Action {
	case "created":
		return fmt.Sprintf("%s created: %s", a.Ref, a.NewValue)
	case "note":
		if a.Ref == "" {
			return "note: " + a.NewValue
		}
		return fmt.Sprintf("%s note: %s", a.Ref, a.NewValue)
	case "closed", "reopened", "cancelled", "escalated":
		return fmt.Sprintf("%s %s", a.Ref, a.Action)
	}
	old := a.OldValue
	if old == "" {
		old = "none"
	}
	return fmt.Sprintf("%s %s: %s → %s", a.Ref, a.Action, old, strings.TrimSpace(a.NewValue))
}

// statusChart draws open and closed items per week for the last weeks, as
// a PNG for the HTML part, and returns the weeks for the text part.
func (e *Engine) statusChart(p *Project, items []store.Item, now time.Time) (*compose.Inline, []chart.Week, error) {
	spans := make([]chart.Span, 0, len(items))
	for _, it := range items {
		s := chart.Span{Opened: it.CreatedAt}
		switch it.Status {
		case string(mailflow.ItemDone):
			s.Done = true
			s.Ended = it.ClosedAt.Time
			if !it.ClosedAt.Valid {
				s.Ended = it.UpdatedAt
			}
		case string(mailflow.ItemCancelled):
			s.Ended = it.ClosedAt.Time
			if !it.ClosedAt.Valid {
				s.Ended = it.UpdatedAt
			}
		}
		spans = append(spans, s)
	}
	weeks := chart.Tally(spans, now, statusChartWeeks, p.Location)
	png, err := chart.WeeklyItems(weeks)
	if err != nil {
		return nil, nil, fmt.Errorf("status chart: %w", err)
	}
	return &compose.Inline{
		ContentID:   fmt.Sprintf("chart.%d@%s", now.Unix(), p.Domain()),
		Filename:    "items-per-week.png",
		ContentType: "image/png",
		Data:        png,
	}, weeks, nil
}

// namesFor replaces roster members' addresses in text with their names: a
// report reads "owner Alice Moreau", not an address.
func (p *Project) namesFor(text string) string {
	for _, m := range p.Members {
		if m.Name != "" && strings.Contains(text, m.Email) {
			text = strings.ReplaceAll(text, m.Email, m.Name)
		}
	}
	return text
}
