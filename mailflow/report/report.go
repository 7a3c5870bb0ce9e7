// Package report gathers the leadership status report of a project for a
// period: its headline (health.go), what needs leadership, milestones,
// progress, clinical groups, the risk register, the chart, and the
// workbook it carries. It reads the store and decides nothing else; the
// engine queues the mail.
package report

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/chart"
	"mailflow/mailflow/compose"
	"mailflow/mailflow/config"
	"mailflow/mailflow/register"
	"mailflow/mailflow/views"
	"mailflow/store"
	"mailflow/templates"
)

// Status report limits: a report is for reading; the attached register
// carries everything.
const (
	upcomingDays  = 14
	reportedRisks = 10
)

// Report is the leadership report for a period: its data, its chart and
// the register it carries.
type Report struct {
	Data     templates.Status
	Chart    *compose.Inline
	Register []byte
	Empty    bool // the project has no items, risks or meetings yet: send nothing
}

// Store is what a report reads.
type Store interface {
	Items(ctx context.Context, f store.ItemFilter) ([]store.Item, error)
	Risks(ctx context.Context, projectID int64, status string) ([]store.Risk, error)
	FirstMeetingDate(ctx context.Context, projectID int64) (string, error)
	HasContent(ctx context.Context, projectID int64) (bool, error)
	AuditSince(ctx context.Context, projectID int64, since time.Time) ([]store.AuditEntry, error)
	AuditOfOpenRisks(ctx context.Context, projectID int64, action string) ([]store.AuditEntry, error)
	DecisionsSince(ctx context.Context, projectID int64, since time.Time) ([]store.Decision, error)
	ChangesSince(ctx context.Context, projectID int64, since time.Time) ([]store.Change, error)
	Milestones(ctx context.Context, projectID int64) ([]store.Milestone, error)
	MilestoneMovesSince(ctx context.Context, projectID int64, since time.Time) ([]store.MilestoneMove, error)
	LastAttendance(ctx context.Context, projectID int64) (map[string]string, error)
	LatestHealthNote(ctx context.Context, projectID int64, since time.Time) (store.HealthNote, error)
}

// builder gathers one project's report.
type builder struct {
	ctx context.Context // of the one Build call the builder serves
	st  Store
	id  int64
	p   *config.Project
}

// Build gathers the leadership report of project id (configured as p) for
// the period (from, to], as of now.
func Build(ctx context.Context, st Store, id int64, p *config.Project, from, to, now time.Time) (Report, error) {
	return builder{ctx, st, id, p}.build(from, to, now)
}

func (b builder) build(from, to, now time.Time) (Report, error) {
	var rep Report
	p := b.p
	has, err := b.st.HasContent(b.ctx, b.id)
	if err != nil {
		return rep, err
	}
	if !has {
		rep.Empty = true
		return rep, nil
	}
	// Years of closed items say nothing about this period: the report
	// reads the open items and those changed since the period or the
	// chart's first week began, whichever is earlier, so that its cost
	// follows the project's current work, not its age.
	items, err := b.st.Items(b.ctx, store.ItemFilter{ProjectID: b.id, OpenOrChangedSince: earlier(from, chartStart(now, p.Location))})
	if err != nil {
		return rep, err
	}
	risks, err := b.st.Risks(b.ctx, b.id, "")
	if err != nil {
		return rep, err
	}
	if rep.Data, rep.Chart, err = b.figures(items, risks, from, to, now); err != nil {
		return rep, err
	}
	if rep.Register, err = b.register(rep.Data, risks, items, mailflow.DateOf(now.In(p.Location))); err != nil {
		return rep, fmt.Errorf("risk register: %w", err)
	}
	rep.Data.Register = register.Filename
	return rep, nil
}

// figures gathers the report's figures, lists and chart.
func (b builder) figures(items []store.Item, risks []store.Risk, from, to, now time.Time) (templates.Status, *compose.Inline, error) {
	p := b.p
	loc := p.Location
	today := mailflow.DateOf(now.In(loc))
	audit, err := b.st.AuditSince(b.ctx, b.id, from)
	if err != nil {
		return templates.Status{}, nil, err
	}
	d := templates.Status{
		PeriodFrom: mailflow.DateOf(from.In(loc)).Human(),
		PeriodTo:   mailflow.DateOf(to.In(loc)).Human(),
	}
	var facts healthFacts
	inPeriod := func(t time.Time) bool { return t.After(from) && !t.After(now) }
	byRef := map[string]store.Item{}
	overdueBy := map[string][]templates.Item{}
	onTime, closedWithDue := 0, 0
	for _, it := range items {
		byRef[it.Ref()] = it
		v := views.Item(it, today, p)
		if inPeriod(it.CreatedAt) {
			d.OpenedSince++
			if it.Status == string(mailflow.ItemOpen) {
				d.New = append(d.New, v)
			}
		}
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
				if v.DaysOverdue > longOverdueDays {
					facts.longOverdue = append(facts.longOverdue, v.Ref)
					d.Attention = append(d.Attention, templates.Attention{Ref: v.Ref, Text: v.Text,
						Why: fmt.Sprintf("%d days overdue (%s)", v.DaysOverdue, orNoOwner(v.Owner))})
				}
			} else if v.DueISO != "" && v.DaysLeft <= upcomingDays {
				d.Upcoming = append(d.Upcoming, v)
			}
		case string(mailflow.ItemDone):
			if !it.ClosedAt.IsZero() && inPeriod(it.ClosedAt) {
				d.ClosedSince++
				if due, err := mailflow.ParseDate(it.Due); err == nil {
					closedWithDue++
					if !mailflow.DateOf(it.ClosedAt.In(loc)).After(due) {
						onTime++
					}
				}
			}
		}
	}
	facts.open, facts.overdue = d.Open, d.Overdue
	if closedWithDue > 0 {
		d.OnTimeKnown = true
		d.OnTimePercent = onTime * 100 / closedWithDue
	}
	d.OverdueByOwner = byOwner(overdueBy)
	sort.SliceStable(d.Upcoming, func(i, j int) bool { return d.Upcoming[i].DueISO < d.Upcoming[j].DueISO })
	d.Closed, d.Slipped = progress(p, audit, byRef, today)

	if err := b.riskRegister(risks, &d, &facts); err != nil {
		return d, nil, err
	}
	if err := b.schedule(from, today, &d, &facts); err != nil {
		return d, nil, err
	}
	decisions, err := b.st.DecisionsSince(b.ctx, b.id, from)
	if err != nil {
		return d, nil, err
	}
	for _, x := range decisions {
		if x.Kind == store.DecisionAsk {
			facts.asks++
			d.Attention = append(d.Attention, templates.Attention{Text: compose.TextSafe(x.Text), Why: "decision needed"})
			continue
		}
		d.Decisions = append(d.Decisions, compose.TextSafe(x.Text))
	}
	if d.Groups, err = b.groups(items, today); err != nil {
		return d, nil, err
	}
	if err := b.health(from, facts, &d.Health); err != nil {
		return d, nil, err
	}
	img, weeks, err := b.chart(items, now)
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

func orNoOwner(owner string) string {
	if owner == "" {
		return "no owner"
	}
	return owner
}

// byOwner groups overdue items under their owners, most overdue first.
func byOwner(overdue map[string][]templates.Item) []templates.OwnerItems {
	owners := make([]string, 0, len(overdue))
	for o := range overdue {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	var out []templates.OwnerItems
	for _, o := range owners {
		its := overdue[o]
		sort.Slice(its, func(i, j int) bool { return its[i].DaysOverdue > its[j].DaysOverdue })
		out = append(out, templates.OwnerItems{Owner: o, Items: its})
	}
	return out
}

// progress reads the period's audit trail for the items closed (and who
// closed them) and those whose due date moved later. The trail itself
// stays in "mailflow history" and the export; the report says what it
// means.
func progress(p *config.Project, audit []store.AuditEntry, byRef map[string]store.Item, today mailflow.Date) (closed, slipped []templates.Item) {
	seen := map[string]bool{}
	slipFrom := map[string]string{}
	var slipOrder []string
	for _, a := range audit {
		it, ok := byRef[a.Ref]
		if !ok {
			continue
		}
		switch a.Action {
		case "closed":
			if it.Status == string(mailflow.ItemDone) && !seen[a.Ref] {
				seen[a.Ref] = true
				v := views.Item(it, today, p)
				v.By = compose.TextSafe(p.DisplayName(a.Actor))
				closed = append(closed, v)
			}
		case "due changed":
			if _, ok := slipFrom[a.Ref]; !ok && a.OldValue != "" {
				slipFrom[a.Ref] = a.OldValue
				slipOrder = append(slipOrder, a.Ref)
			}
		}
	}
	for _, ref := range slipOrder {
		it := byRef[ref]
		if it.Status != string(mailflow.ItemOpen) || it.Due <= slipFrom[ref] {
			continue // moved earlier, or back, or no longer open
		}
		v := views.Item(it, today, p)
		v.Was = views.HumanDate(slipFrom[ref])
		slipped = append(slipped, v)
	}
	return closed, slipped
}

// riskRegister fills the report's register (all open risks, escalated
// first) and what needs leadership among them.
func (b builder) riskRegister(risks []store.Risk, d *templates.Status, f *healthFacts) error {
	p := b.p
	nums := map[string]int{}
	for _, r := range risks {
		if r.Status != string(mailflow.RiskOpen) {
			continue
		}
		v := views.Risk(r, p)
		d.Risks = append(d.Risks, v)
		nums[r.Ref()] = r.Num
		high := v.Severity >= highSeverity
		switch {
		case r.Escalated:
			f.escalated = append(f.escalated, v.Ref)
			d.Attention = append(d.Attention, templates.Attention{Ref: v.Ref, Text: v.Description, Why: "escalated"})
		case high && r.Mitigation == "":
			d.Attention = append(d.Attention, templates.Attention{Ref: v.Ref, Text: v.Description, Why: "high risk, no mitigation"})
		}
		if r.Mitigation == "" {
			d.RisksNoMitigation++
			f.unmitigated = append(f.unmitigated, v.Ref)
			if high {
				f.highUnmitigated = append(f.highUnmitigated, v.Ref)
			}
		}
	}
	views.SortRegister(d.Risks, nums)
	sortAttention(d.Attention)
	d.RiskTotal = len(d.Risks)
	return nil
}

// sortAttention puts what needs leadership in order: escalated risks,
// high risks without a mitigation, then the rest as found.
func sortAttention(as []templates.Attention) {
	rank := func(a templates.Attention) int {
		switch {
		case a.Why == "escalated":
			return 0
		case strings.HasPrefix(a.Why, "high risk"):
			return 1
		}
		return 2
	}
	sort.SliceStable(as, func(i, j int) bool { return rank(as[i]) < rank(as[j]) })
}

// schedule fills the milestones with their countdown and slips, and the
// period's scope and schedule changes.
func (b builder) schedule(from time.Time, today mailflow.Date, d *templates.Status, f *healthFacts) error {
	ms, err := b.st.Milestones(b.ctx, b.id)
	if err != nil {
		return err
	}
	moves, err := b.st.MilestoneMovesSince(b.ctx, b.id, from)
	if err != nil {
		return err
	}
	was := map[int64]string{} // the date each had when the period began
	for _, mv := range moves {
		if _, ok := was[mv.MilestoneID]; !ok {
			was[mv.MilestoneID] = mv.OldDue
		}
	}
	for _, m := range ms {
		v := templates.Milestone{Name: compose.TextSafe(m.Name), Done: m.Status == "done"}
		if due, err := mailflow.ParseDate(m.Due); err == nil {
			v.Date, v.DaysLeft = due.Human(), today.DaysUntil(due)
			if v.DaysLeft < 0 && !v.Done {
				f.missedMilestone = append(f.missedMilestone, v.Name)
			}
			if old, err := mailflow.ParseDate(was[m.ID]); err == nil && old.DaysUntil(due) != 0 {
				v.Was, v.SlipDays = old.Human(), old.DaysUntil(due)
				if v.SlipDays > 0 {
					f.slips = append(f.slips, slip{v.Name, v.SlipDays})
				}
			}
		}
		d.Milestones = append(d.Milestones, v)
	}
	changes, err := b.st.ChangesSince(b.ctx, b.id, from)
	if err != nil {
		return err
	}
	for _, c := range changes {
		text := compose.TextSafe(c.Text)
		if c.Kind == string(mailflow.ChangeScope) {
			f.scopeChanges++
			if rest, ok := scopeVerb(text, "add", "added", "adding", "add:", "+"); ok {
				d.ScopeAdded = append(d.ScopeAdded, rest)
				continue
			}
			if rest, ok := scopeVerb(text, "remove", "removed", "removing", "drop", "dropped", "descoped", "-"); ok {
				d.ScopeRemoved = append(d.ScopeRemoved, rest)
				continue
			}
		}
		d.Changes = append(d.Changes, templates.Change{Kind: c.Kind, Text: text})
	}
	return nil
}

// scopeVerb reads "added X" or "- X" as X when text starts with one of the
// words.
func scopeVerb(text string, words ...string) (string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	first = strings.ToLower(strings.TrimRight(first, ":"))
	for _, w := range words {
		if first == strings.TrimRight(w, ":") && strings.TrimSpace(rest) != "" {
			return strings.TrimSpace(strings.TrimPrefix(rest, ":")), true
		}
	}
	return "", false
}

// groups shows each clinical group of the roster: its open work and the
// last meeting one of its people attended.
func (b builder) groups(items []store.Item, today mailflow.Date) ([]templates.Group, error) {
	p := b.p
	members := map[string][]string{}
	var names []string
	for _, m := range p.Members {
		if m.Group == "" {
			continue
		}
		if _, ok := members[m.Group]; !ok {
			names = append(names, m.Group)
		}
		members[m.Group] = append(members[m.Group], m.Email)
	}
	if len(names) == 0 {
		return nil, nil
	}
	last, err := b.st.LastAttendance(b.ctx, b.id)
	if err != nil {
		return nil, err
	}
	var out []templates.Group
	for _, name := range names {
		g := templates.Group{Name: compose.TextSafe(name), Members: len(members[name])}
		in := map[string]bool{}
		seen := ""
		for _, email := range members[name] {
			in[email] = true
			seen = max(seen, last[email])
		}
		for _, it := range items {
			if it.Status == string(mailflow.ItemOpen) && in[it.Owner] {
				g.Open++
				if due, err := mailflow.ParseDate(it.Due); err == nil && today.DaysUntil(due) < 0 {
					g.Overdue++
				}
			}
		}
		if d, err := mailflow.ParseDate(seen); err == nil {
			g.LastSeen = d.Human()
			g.Absent = d.DaysUntil(today) > 7*p.GroupAbsentWeeks
		} else {
			g.Absent = true
		}
		out = append(out, g)
	}
	return out, nil
}

// health sets the headline: the rules' verdict, or a chair's word given
// during the period ("status amber: …"), shown with the rules' beside it.
func (b builder) health(from time.Time, f healthFacts, h *templates.Health) error {
	p := b.p
	h.Computed, h.ComputedReason = computeHealth(f)
	h.Level, h.Reason = h.Computed, h.ComputedReason
	note, err := b.st.LatestHealthNote(b.ctx, b.id, from)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	h.Level, h.Reason = note.Level, compose.TextSafe(note.Reason)
	if h.Reason == "" {
		h.Reason = "(no reason given)"
	}
	h.SetBy = compose.TextSafe(p.DisplayName(note.SetBy))
	h.SetAt = mailflow.DateOf(note.SetAt.In(p.Location)).Human()
	return nil
}

// statusChart draws open and closed items per week for the last weeks, as
// a PNG for the HTML part, and returns the weeks for the text part.
func (b builder) chart(items []store.Item, now time.Time) (*compose.Inline, []chart.Week, error) {
	p := b.p
	spans := make([]chart.Span, 0, len(items))
	for _, it := range items {
		s := chart.Span{Opened: it.CreatedAt}
		switch it.Status {
		case string(mailflow.ItemDone):
			s.Done = true
			s.Ended = it.ClosedAt
			if it.ClosedAt.IsZero() {
				s.Ended = it.UpdatedAt
			}
		case string(mailflow.ItemCancelled):
			s.Ended = it.ClosedAt
			if it.ClosedAt.IsZero() {
				s.Ended = it.UpdatedAt
			}
		}
		spans = append(spans, s)
	}
	n, err := b.chartWeeks(items, now)
	if err != nil {
		return nil, nil, err
	}
	weeks := chart.Tally(spans, now, n, p.Location)
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

// chartWeeks is how many weeks the chart shows: from the week of the
// project's first meeting (or first item) to this one, at most
// chart.MaxWeeks. Weeks before the project existed would be empty bars.
func (b builder) chartWeeks(items []store.Item, now time.Time) (int, error) {
	p := b.p
	first, err := b.st.FirstMeetingDate(b.ctx, b.id)
	if err != nil {
		return 0, err
	}
	start := now
	if d, err := mailflow.ParseDate(first); err == nil {
		start = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, p.Location)
	}
	for _, it := range items {
		if it.CreatedAt.Before(start) {
			start = it.CreatedAt
		}
	}
	n := int(now.Sub(monday(start.In(p.Location))).Hours()/(24*7)) + 1
	return min(max(n, 1), chart.MaxWeeks), nil
}

// chartStart is when the first week the chart can show begins: an item
// that has not changed since cannot count in any of its bars. (An item
// left out for that reason was created before it too, so it could only
// widen a chart already at chart.MaxWeeks, unless the project's first
// meeting is dated after the item was recorded.)
func chartStart(now time.Time, loc *time.Location) time.Time {
	return monday(now.In(loc)).AddDate(0, 0, -7*(chart.MaxWeeks-1))
}

// earlier is the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// monday is the start of t's week.
func monday(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day()-(int(t.Weekday())+6)%7, 0, 0, 0, 0, t.Location())
}

// statusRegister is the workbook the report carries: every open risk in
// the register's order, with its mitigation's history, and every open item.
func (b builder) register(d templates.Status, risks []store.Risk, items []store.Item, today mailflow.Date) ([]byte, error) {
	p := b.p
	changes, err := b.st.AuditOfOpenRisks(b.ctx, b.id, "mitigation changed")
	if err != nil {
		return nil, err
	}
	history := map[string][]store.AuditEntry{}
	for _, a := range changes {
		history[a.Ref] = append(history[a.Ref], a)
	}
	byRef := map[string]store.Risk{}
	for _, r := range risks {
		byRef[r.Ref()] = r
	}
	day := func(t time.Time) string { return mailflow.DateOf(t.In(p.Location)).Human() }
	var rows []register.Risk
	for _, v := range d.Risks {
		r := byRef[v.Ref]
		row := register.Risk{Ref: v.Ref, Description: r.Description, Likelihood: r.Likelihood, Impact: r.Impact, Severity: v.Severity,
			Mitigation: r.Mitigation, Owner: v.Owner, Status: r.Status, Escalated: r.Escalated, Trigger: r.Trigger,
			Raised: day(r.CreatedAt), Updated: day(r.UpdatedAt)}
		first := r.Mitigation
		if hs := history[v.Ref]; len(hs) > 0 {
			first = hs[0].OldValue
		}
		if first != "" {
			row.History = append(row.History, fmt.Sprintf("%s: %s (when recorded)", row.Raised, first))
		}
		for _, a := range history[v.Ref] {
			row.History = append(row.History, fmt.Sprintf("%s, %s: %s → %s", day(a.At), p.DisplayName(a.Actor), orNone(a.OldValue), a.NewValue))
		}
		rows = append(rows, row)
	}
	var open []register.Item
	for _, it := range items {
		if it.Status != string(mailflow.ItemOpen) {
			continue
		}
		v := views.Item(it, today, p)
		open = append(open, register.Item{Ref: v.Ref, Text: it.Text, Owner: v.Owner, Due: it.Due, DaysOverdue: v.DaysOverdue,
			Progress: it.Progress, Raised: day(it.CreatedAt)})
	}
	return register.Workbook(rows, open)
}

// orNone writes an empty old value as "(none)".
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
