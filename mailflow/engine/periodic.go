package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/compose"
	"mailflow/mailflow/register"
	"mailflow/mailflow/replyaddr"
	"mailflow/mailflow/report"
	"mailflow/mailflow/views"
	"mailflow/store"
	"mailflow/templates"
)

// Periodic job names in schedule_runs.
const (
	jobStatus = "status"
)

// Tick queues whatever periodic mail is due at the engine's now: today's
// reminder digests once the send hour has passed, and the status report
// when its schedule says so. Running it again is harmless: each mail has an
// idempotency key. A project whose job fails (a lock it lost to another
// host's transaction, a template that will not render) does not hold up
// the others: their mail is queued, and the failures are returned together.
func (e *Engine) Tick(ctx context.Context) error {
	var errs []error
	for _, p := range e.projects {
		if err := e.Remind(ctx, p, false); err != nil {
			errs = append(errs, fmt.Errorf("project %s: reminders: %w", p.Name, err))
		}
		if err := e.Report(ctx, p, false); err != nil {
			errs = append(errs, fmt.Errorf("project %s: status report: %w", p.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Project returns the project named name.
func (e *Engine) Project(name string) (*Project, bool) {
	for _, p := range e.projects {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// digest is one owner's reminder.
type digest struct {
	overdue, today, upcoming []store.Item
	risks                    []store.Risk // lacking a mitigation or grading
}

// nudgeEveryDays is how often an owner is asked for what their risk lacks.
const nudgeEveryDays = 7

// riskNeeds says what an open risk still lacks, "" when nothing: every
// risk must have a mitigation, and a likelihood and impact to rank it.
func riskNeeds(r store.Risk) string {
	var need []string
	if strings.TrimSpace(r.Mitigation) == "" {
		need = append(need, "a mitigation")
	}
	if r.Likelihood == "" {
		need = append(need, "a likelihood")
	}
	if r.Impact == "" {
		need = append(need, "an impact")
	}
	switch len(need) {
	case 0:
		return ""
	case 1:
		return need[0]
	}
	return strings.Join(need[:len(need)-1], ", ") + " and " + need[len(need)-1]
}

// Remind queues today's reminder digests for a project: one per owner with
// something due within reminder_days_before days, due today, or overdue
// (overdue items again every overdue_every_days). now forces the digests
// regardless of the send hour and weekend rule ("mailflow remind --now").
func (e *Engine) Remind(ctx context.Context, p *Project, now bool) error {
	at := e.now()
	local := at.In(p.Location)
	if !now {
		if local.Hour() < p.ReminderHour {
			return nil
		}
		if p.Quiet() && (local.Weekday() == time.Saturday || local.Weekday() == time.Sunday) {
			return nil
		}
	}
	today := mailflow.DateOf(local)
	items, err := e.store.Items(ctx, store.ItemFilter{ProjectID: p.ID, Status: string(mailflow.ItemOpen)})
	if err != nil {
		return err
	}
	byOwner := map[string]*digest{}
	for _, it := range items {
		if it.Owner == "" || it.Due == "" {
			continue
		}
		due, err := mailflow.ParseDate(it.Due)
		if err != nil {
			continue
		}
		left := today.DaysUntil(due)
		d := byOwner[it.Owner]
		if d == nil {
			d = &digest{}
		}
		switch {
		case left < 0:
			if it.LastReminded != "" {
				if last, err := mailflow.ParseDate(it.LastReminded); err == nil && last.DaysUntil(today) < p.OverdueEveryDays {
					continue
				}
			}
			d.overdue = append(d.overdue, it)
		case left == 0:
			d.today = append(d.today, it)
		case left <= p.ReminderDaysBefore:
			d.upcoming = append(d.upcoming, it)
		default:
			continue
		}
		byOwner[it.Owner] = d
	}
	risks, err := e.store.Risks(ctx, p.ID, string(mailflow.RiskOpen))
	if err != nil {
		return err
	}
	for _, r := range risks {
		if r.Owner == "" || riskNeeds(r) == "" {
			continue
		}
		if last, err := mailflow.ParseDate(r.LastNudged); err == nil && last.DaysUntil(today) < nudgeEveryDays {
			continue
		}
		d := byOwner[r.Owner]
		if d == nil {
			d = &digest{}
			byOwner[r.Owner] = d
		}
		d.risks = append(d.risks, r)
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, owner := range owners {
		if err := e.remindOwner(ctx, p, owner, byOwner[owner], today, at); err != nil {
			return err
		}
	}
	return nil
}

// remindOwner queues one owner's digest. mailflow mails nobody off the
// roster on its own schedule, so an owner who is not a member (an address
// stored before the roster changed, say) is logged and skipped. A digest
// that cannot be built is logged and skipped too: one owner's bad data or
// a broken template must not stop everybody else's reminders. Only a
// database error is returned.
func (e *Engine) remindOwner(ctx context.Context, p *Project, owner string, d *digest, today mailflow.Date, at time.Time) error {
	rosterless := e.preview != nil && len(p.Members) == 0 // a preview from a database alone (--db) has no roster to check
	if _, ok := p.Member(owner); !ok && !rosterless {
		e.log.Warn("owner is not on the roster; no reminder sent", "project", p.Name, "owner", owner, "refs", strings.Join(d.refs(), " "))
		return nil
	}
	err := e.tx(ctx, func(tx *store.Tx) error { return e.queueDigest(tx, p, owner, d, today, at) })
	var re errRender
	if errors.As(err, &re) {
		e.log.Error("reminder not sent: it could not be rendered", "project", p.Name, "owner", owner, "refs", strings.Join(d.refs(), " "), "err", err)
		return nil
	}
	return err
}

// items returns the digest's items, overdue first, as the mail lists them.
func (d *digest) items() []store.Item {
	return append(append(append([]store.Item{}, d.overdue...), d.today...), d.upcoming...)
}

// refs returns the refs of the digest's items and then of its risks.
func (d *digest) refs() []string {
	var refs []string
	for _, it := range d.items() {
		refs = append(refs, it.Ref())
	}
	for _, r := range d.risks {
		refs = append(refs, r.Ref())
	}
	return refs
}

func (e *Engine) queueDigest(tx *store.Tx, p *Project, owner string, d *digest, today mailflow.Date, at time.Time) error {
	to := mailflow.Person{Email: owner, Name: p.DisplayName(owner)}
	if to.Name == owner {
		to.Name = ""
	}
	view := func(items []store.Item) []templates.Item {
		var vs []templates.Item
		for _, it := range items {
			vs = append(vs, views.Item(it, today, p))
		}
		return vs
	}
	all, refs := d.items(), d.refs()
	if len(refs) == 0 {
		return nil // nothing to remind of; Remind builds no such digest
	}
	var risks []templates.Risk
	for _, r := range d.risks {
		v := views.Risk(r, p)
		v.Missing = riskNeeds(r)
		risks = append(risks, v)
	}
	thing := replyaddr.ThingDigest
	if len(refs) == 1 {
		thing = replyaddr.ItemThing(refs[0])
	}
	data := templates.Reminder{
		Common:   e.common(p, to, true, refs[0]),
		Date:     today.Human(),
		Overdue:  view(d.overdue),
		DueToday: view(d.today),
		Upcoming: view(d.upcoming),
		Total:    len(all),
		Risks:    risks,
	}
	cal := calendarItems(owner, all)
	data.HasICS = len(cal) > 0
	queued, err := e.enqueue(tx, p, outgoing{
		kind:     mailflow.MailReminder,
		idemKey:  fmt.Sprintf("reminder:%s:%s:%s", p.Name, owner, today),
		to:       to,
		data:     data,
		thing:    thing,
		about:    refs,
		calendar: cal,
	}, at)
	if err != nil || !queued {
		return err
	}
	for _, it := range all {
		if err := tx.SetLastReminded(it.ID, today.String()); err != nil {
			return err
		}
	}
	for _, r := range d.risks {
		if err := tx.SetRiskNudged(r.ID, today.String()); err != nil {
			return err
		}
	}
	return nil
}

// ErrNothingToReport is returned by a report asked for now of a project
// with nothing in it yet.
var ErrNothingToReport = errors.New("nothing to report")

// Report queues the leadership status report when the schedule says one is
// due (or at once when now is true). The first time a project is seen it
// only records the time, so installing mailflow on a Wednesday does not
// produce a report for last Monday.
func (e *Engine) Report(ctx context.Context, p *Project, now bool) error {
	at := e.now()
	last, err := e.store.LastRun(ctx, p.ID, jobStatus)
	if err != nil {
		return err
	}
	var slot time.Time
	var key string
	if now {
		slot = at
		key = fmt.Sprintf("status:%s:manual:%s", p.Name, at.UTC().Format(time.RFC3339))
	} else {
		slot = p.Schedule.Prev(at.In(p.Location))
		if slot.IsZero() {
			return nil
		}
		if last.IsZero() {
			return e.tx(ctx, func(tx *store.Tx) error { return tx.SetLastRun(p.ID, jobStatus, slot) })
		}
		if !slot.After(last) {
			return nil
		}
		key = fmt.Sprintf("status:%s:%s", p.Name, slot.UTC().Format(time.RFC3339))
	}
	from := last
	if from.IsZero() {
		from = at.AddDate(0, 0, -7)
	}
	rep, err := report.Build(ctx, e.store, p.ID, p.Project, from, slot, at)
	if err != nil {
		return err
	}
	if rep.Empty {
		// Leadership gets no report of zeros: the first one goes out once
		// there is something in it.
		e.log.Info("no status report: the project has no items, risks or meetings yet", "project", p.Name)
		if now {
			return fmt.Errorf("%w: project %s has no items, risks or meetings yet", ErrNothingToReport, p.Name)
		}
		return e.tx(ctx, func(tx *store.Tx) error { return tx.SetLastRun(p.ID, jobStatus, slot) })
	}
	recips := p.Leadership
	if len(recips) == 0 {
		for _, m := range p.Members {
			if m.Role == string(mailflow.RoleChair) {
				recips = append(recips, m.Email)
			}
		}
	}
	if len(recips) == 0 && e.preview != nil {
		recips = []string{""} // a preview without a roster (--db) still shows the report
	}
	var mails []outgoing
	for _, r := range recips {
		to := mailflow.Person{Email: strings.ToLower(r)}
		d := rep.Data
		d.Common = e.common(p, to, false, "")
		o := outgoing{kind: mailflow.MailStatus, idemKey: key + ":" + to.Email, to: to, data: d,
			attach: []compose.File{{Filename: register.Filename, ContentType: register.ContentType, Data: rep.Register}}}
		if rep.Chart != nil {
			o.inline = append(o.inline, *rep.Chart)
		}
		mails = append(mails, o)
	}
	return e.tx(ctx, func(tx *store.Tx) error {
		if _, err := e.enqueueAll(tx, p, mails, at); err != nil {
			return err
		}
		return tx.SetLastRun(p.ID, jobStatus, slot)
	})
}
