package historytest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
)

// uidValidity is the office mailbox's UIDVALIDITY in the history (the
// engine harness's deliveries use the same).
const uidValidity = 7

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// generator writes the office's history week by week, every project's
// week in turn, so that each project's rows are spread through the tables
// as they are in a database that grew by use. What happens to an item or
// a risk after the week it is created (progress, a new due date, its
// closing) is planned when it is created and written in the week it
// happens, with the reply that said it.
type generator struct {
	o        Office
	w        *writer
	rng      *rand.Rand
	start    time.Time // the Monday the history starts, local midnight
	rates    rates
	projects []*project
	pending  map[int][]event // by week
	closedBy [][2]int64      // message row, item row
	ids      struct{ message, meeting, item, risk, milestone int64 }
	uid      int64
}

// rates are the office's totals per project and week.
type rates struct {
	items, risks, messages, outbox float64
	progress                       float64 // progress reports per item
}

type project struct {
	id         int64
	name       string
	address    string
	members    []Person // the first is the chair
	leadership []string
	focus      bool
	meetDay    int // days after Monday
	items      int // A- numbers given
	risks      int // R- numbers given
	messages   int // rows written
	outbox     int
	minutes    minutesSent
}

// minutesSent is the project's latest minutes: replies answer them.
type minutesSent struct {
	subject string            // of the mail sent
	mailIDs map[string]string // Message-ID of the mail each member got
}

func (p *project) chair() Person { return p.members[0] }

// event is a change to an item or a risk, written with the message that
// made it.
type event struct {
	p                  *project
	at                 time.Time
	ref                string
	item               int64 // the item a "closed" or "cancelled" closes
	actor              string
	action, oldV, newV string
}

func newGenerator(o Office, w *writer) *generator {
	g := &generator{o: o, w: w, rng: rand.New(rand.NewPCG(o.Seed, 0x6d61696c666c6f77)), pending: map[int][]event{}}
	e := o.End.In(o.Location)
	monday := time.Date(e.Year(), e.Month(), e.Day()-(int(e.Weekday())+6)%7, 0, 0, 0, 0, o.Location)
	g.start = monday.AddDate(0, 0, -7*(o.Weeks-1))
	pw := float64(o.Projects * o.Weeks)
	g.rates = rates{
		items: float64(o.Items) / pw, risks: float64(o.Risks) / pw,
		messages: float64(o.Messages) / pw, outbox: float64(o.Outbox) / pw,
	}
	// Audit entries per item beside its progress reports: created, a due
	// date moved (1 in 4), an owner changed, closed; the item's share of
	// its risks' entries (created, mitigation, grading, closed), of the
	// meetings' "minutes recorded" and of health notes.
	perItem := float64(o.Audit) / max(1, float64(o.Items))
	others := 1 + 0.25 + 0.03 + 0.92 + (g.rates.risks/max(g.rates.items, 1))*3.5 + 1.1/max(g.rates.items, 1)
	g.rates.progress = max(0, perItem-others)
	return g
}

func (g *generator) run(ctx context.Context) error {
	if err := g.makeProjects(); err != nil {
		return err
	}
	for wk := 0; wk < g.o.Weeks; wk++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		monday := g.start.AddDate(0, 0, 7*wk)
		for _, p := range g.projects {
			if err := g.week(p, wk, monday); err != nil {
				return err
			}
		}
		events := g.pending[wk]
		delete(g.pending, wk)
		sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
		for _, p := range g.projects {
			if err := g.replies(p, events); err != nil {
				return err
			}
		}
		for _, p := range g.projects {
			if err := g.pad(p, wk, monday); err != nil {
				return err
			}
		}
	}
	return g.finish()
}

// makeProjects writes the projects, the focus one in the middle (its rows
// among everybody else's, as in a real office).
func (g *generator) makeProjects() error {
	focusAt := g.o.Projects / 2
	for i := 0; i < g.o.Projects; i++ {
		p := &project{id: int64(i + 1), meetDay: g.rng.IntN(5)}
		if i == focusAt {
			f := g.o.Focus
			p.name, p.address, p.members, p.leadership, p.focus = f.Name, f.Address, f.Members, f.Leadership, true
			p.meetDay = 1 // Tuesday, as the harness's meeting
			if len(p.leadership) == 0 {
				p.leadership = []string{p.chair().Email}
			}
		} else {
			n := i
			if i > focusAt {
				n--
			}
			p.name = projectNames[n%len(projectNames)]
			if n >= len(projectNames) {
				p.name += " " + strconv.Itoa(n/len(projectNames)+1)
			}
			p.address = slug(p.name) + "@" + g.o.Domain
			p.members = g.roster(8)
			p.leadership = []string{"cmo@" + g.o.Domain, "cio@" + g.o.Domain}
		}
		if err := g.w.insert("projects", p.id, p.name, p.address); err != nil {
			return err
		}
		g.projects = append(g.projects, p)
	}
	return nil
}

func (g *generator) roster(n int) []Person {
	seen := map[string]bool{}
	var ps []Person
	for len(ps) < n {
		f, l := pick(g, firstNames), pick(g, lastNames)
		email := strings.ToLower(f+"."+strings.ReplaceAll(l, "'", "")) + "@" + g.o.Domain
		if seen[email] {
			continue
		}
		seen[email] = true
		ps = append(ps, Person{Name: f + " " + l, Email: email})
	}
	return ps
}

// count draws how many of something a week has, rate on average.
func (g *generator) count(rate float64) int {
	n := int(rate)
	if g.rng.Float64() < rate-float64(n) {
		n++
	}
	if rate >= 4 {
		n += g.rng.IntN(5) - 2
	}
	return max(0, n)
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(g.rng.Int64N(int64(to.Sub(from)))))
}

func (g *generator) date(t time.Time) string { return t.In(g.o.Location).Format("2006-01-02") }

func (g *generator) local(d time.Time, h, m int) time.Time {
	d = d.In(g.o.Location)
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, g.o.Location)
}

func (g *generator) hex(n int) string {
	var b strings.Builder
	for b.Len() < n {
		fmt.Fprintf(&b, "%016x", g.rng.Uint64())
	}
	return b.String()[:n]
}

func (g *generator) token(n int) string {
	const abc = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, n)
	for i := range b {
		b[i] = abc[g.rng.IntN(len(abc))]
	}
	return string(b)
}

// incomingID is a Message-ID as the office's mail server (Exchange
// Online) writes them.
func (g *generator) incomingID() string {
	host := "BN" + strconv.Itoa(g.rng.IntN(9)+1) + "PR0" + strconv.Itoa(g.rng.IntN(9)+1) + "MB" + strconv.Itoa(1000+g.rng.IntN(9000))
	return strings.ToUpper(host+g.hex(20)) + "@" + host + ".namprd04.prod.outlook.com"
}

// week writes a project's week: Monday's status report, then its meeting,
// the minutes' items and risks, and the minutes mail.
func (g *generator) week(p *project, wk int, monday time.Time) error {
	if wk > 0 {
		if err := g.statusReport(p, monday); err != nil {
			return err
		}
	}
	meetDay := monday.AddDate(0, 0, p.meetDay)
	meetAt := g.local(meetDay, 10, 0)
	minutesAt := meetAt.Add(3*time.Hour + time.Duration(g.rng.IntN(120))*time.Minute)
	if !minutesAt.Before(g.o.End) {
		return nil
	}
	msg := g.nextMessage()
	title := p.name + " weekly"
	subject := "Minutes: " + title + " " + g.date(meetAt)
	if err := g.w.message(messageRow{id: msg, project: p.id, messageID: g.incomingID(), hash: g.hex(64), uid: g.nextUID(),
		sender: p.chair().Email, subject: subject, kind: "minutes", outcome: "processed",
		receivedAt: minutesAt, processedAtTm: minutesAt.Add(2 * time.Second)}); err != nil {
		return err
	}
	p.messages++
	g.ids.meeting++
	meeting := g.ids.meeting
	if err := g.w.insert("meetings", meeting, p.id, title, g.date(meetAt), p.chair().Email, msg, minutesAt.UTC(), "", ""); err != nil {
		return err
	}
	if err := g.w.insert("meeting_minutes", msg, meeting); err != nil {
		return err
	}
	if err := g.meetingRecord(p, meeting, minutesAt, wk); err != nil {
		return err
	}
	m := meetingOf{p: p, id: meeting, message: msg, at: minutesAt, date: meetAt}
	var refs []string
	nItems := g.count(g.rates.items)
	for range nItems {
		ref, err := g.newItem(m)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	nRisks := g.count(g.rates.risks)
	for range nRisks {
		ref, err := g.newRisk(m)
		if err != nil {
			return err
		}
		refs = append(refs, ref)
	}
	if err := g.w.audit(auditRow{project: p.id, at: minutesAt, actor: p.chair().Email, message: msg, action: "minutes recorded",
		newV: fmt.Sprintf("%s (%s): %d items, %d risks; dkim=pass for %s", title, g.date(meetAt), nItems, nRisks, g.o.Domain)}); err != nil {
		return err
	}
	return g.minutesMail(p, m, title, nItems, refs)
}

// meetingOf is the meeting whose minutes create items and risks.
type meetingOf struct {
	p           *project
	id, message int64
	at          time.Time // the minutes were handled
	date        time.Time // the meeting was held
}

// meetingRecord writes a meeting's attendees, decisions, changes, and
// now and then a health note; the first meeting sets the milestones.
func (g *generator) meetingRecord(p *project, meeting int64, at time.Time, wk int) error {
	for _, m := range p.members {
		if err := g.w.insert("attendees", meeting, m.Name, m.Email, g.chance(0.85)); err != nil {
			return err
		}
	}
	if g.chance(0.2) {
		if err := g.w.insert("attendees", meeting, pick(g, unrosteredNames), "", true); err != nil {
			return err
		}
	}
	for range g.rng.IntN(4) {
		text, kind := pick(g, decisionTexts), "decision"
		if g.chance(0.1) {
			text, kind = pick(g, askTexts), "ask"
		}
		if err := g.w.insert("decisions", p.id, meeting, text, at.UTC(), kind); err != nil {
			return err
		}
	}
	if g.chance(0.3) {
		if err := g.w.insert("changes", p.id, meeting, pick(g, []string{"schedule", "scope", "change"}), pick(g, changeTexts), at.UTC()); err != nil {
			return err
		}
	}
	if g.chance(0.25) {
		level := "green"
		if r := g.rng.Float64(); r < 0.05 {
			level = "red"
		} else if r < 0.3 {
			level = "amber"
		}
		if err := g.w.insert("health_notes", p.id, level, pick(g, healthReasons), p.chair().Email, at.UTC()); err != nil {
			return err
		}
	}
	if wk == 0 {
		return g.milestones(p, meeting, at)
	}
	return nil
}

// milestones are a project's phases, spread over the five years; most
// move later once or twice.
func (g *generator) milestones(p *project, meeting int64, at time.Time) error {
	span := g.o.End.Sub(at)
	for i, name := range milestoneNames {
		g.ids.milestone++
		first := at.Add(span * time.Duration(i+1) / time.Duration(len(milestoneNames)+1))
		due := first
		for range g.rng.IntN(3) {
			moved := due.AddDate(0, 0, 7+g.rng.IntN(28))
			movedAt := g.between(at, due)
			if !movedAt.Before(g.o.End) {
				break
			}
			if err := g.w.insert("milestone_moves", g.ids.milestone, g.date(due), g.date(moved), movedAt.UTC()); err != nil {
				return err
			}
			due = moved
		}
		status := "open"
		if due.Before(g.o.End) {
			status = "done"
		}
		if err := g.w.insert("milestones", g.ids.milestone, p.id, name, nameKey(name), g.date(due), g.date(first), status,
			meeting, at.UTC(), at.UTC()); err != nil {
			return err
		}
	}
	return nil
}

// owner draws who an item is given to: mostly a member by address, now
// and then a name the roster does not know, or nobody.
func (g *generator) owner(p *project) (email, name string) {
	switch r := g.rng.Float64(); {
	case r < 0.88:
		m := p.members[g.rng.IntN(len(p.members))]
		return m.Email, firstName(m.Name)
	case r < 0.95:
		return "", pick(g, unrosteredNames)
	}
	return "", ""
}

// actor is who sends the reply that changes something of owner's: the
// owner, or the chair for work nobody on the roster owns.
func actor(p *project, owner string) string {
	if owner == "" {
		return p.chair().Email
	}
	return owner
}

// newItem writes an item in its final state and plans its changes.
func (g *generator) newItem(m meetingOf) (string, error) {
	p := m.p
	p.items++
	g.ids.item++
	id, ref := g.ids.item, "A-"+strconv.Itoa(p.items)
	text := pick(g, verbs) + " " + pick(g, objects) + pick(g, places)
	owner, ownerName := g.owner(p)
	due := ""
	var dueAt time.Time
	if g.chance(0.92) {
		dueAt = g.local(m.date.AddDate(0, 0, 3+g.rng.IntN(26)), 17, 0)
		due = g.date(dueAt)
	}
	// How it ends: done, cancelled, or (outside the focus project) left
	// open and forgotten.
	end, final := "closed", "done"
	switch r := g.rng.Float64(); {
	case r < 0.10:
		end, final = "cancelled", "cancelled"
	case r < 0.15 && !p.focus:
		end, final = "", "open"
	}
	var closeAt time.Time
	if end != "" {
		if due != "" {
			closeAt = dueAt.AddDate(0, 0, g.rng.IntN(21)-7).Add(time.Duration(g.rng.IntN(600)-300) * time.Minute)
		} else {
			closeAt = m.at.AddDate(0, 0, 7+g.rng.IntN(54))
		}
		closeAt = laterOf(closeAt, m.at.Add(20*time.Hour))
	}
	horizon := closeAt
	if horizon.IsZero() {
		horizon = m.at.AddDate(0, 0, 120)
	}
	var evs []event
	add := func(at time.Time, who, action, oldV, newV string, closes int64) {
		evs = append(evs, event{p: p, at: at, ref: ref, item: closes, actor: who, action: action, oldV: oldV, newV: newV})
	}
	for _, at := range g.times(g.count(g.rates.progress), m.at.Add(2*time.Hour), horizon) {
		add(at, actor(p, owner), "progress", "", "", 0)
	}
	if due != "" && g.chance(0.25) {
		moved := dueAt.AddDate(0, 0, 7+g.rng.IntN(15))
		add(g.between(m.at.Add(time.Hour), horizon), actor(p, owner), "due changed", due, g.date(moved), 0)
	}
	if g.chance(0.03) {
		to := p.members[g.rng.IntN(len(p.members))]
		add(g.between(m.at.Add(time.Hour), horizon), p.chair().Email, "owner changed", owner, to.Email, 0)
	}
	if end != "" {
		who := actor(p, owner)
		if end == "cancelled" || g.chance(0.3) {
			who = p.chair().Email
		}
		add(closeAt, who, end, "open", final, id)
	}
	evs = g.settle(p, m.at, evs)

	// The final state is what the changes that happened left.
	it := itemRow{id: id, project: p.id, num: p.items, text: text, owner: owner, ownerName: ownerName, due: due, status: "open",
		meeting: m.id, createdBy: m.message, created: m.at, updated: m.at}
	progress := 0
	for i := range evs {
		e := &evs[i]
		switch e.action {
		case "progress":
			e.oldV = strconv.Itoa(progress) + "%"
			progress = min(90, progress+10+10*g.rng.IntN(3))
			e.newV = strconv.Itoa(progress) + "%"
		case "due changed":
			e.oldV, it.due = it.due, e.newV
		case "owner changed":
			e.oldV = it.owner
			it.owner, it.ownerName = e.newV, firstName(g.nameOf(p, e.newV))
		case "closed", "cancelled":
			it.status, it.closed = e.newV, e.at
			if e.action == "closed" {
				progress = 100
			}
		}
		it.updated = e.at
	}
	it.progress = progress
	if it.status == "open" && it.due != "" && it.due < g.date(g.o.End) {
		it.lastReminded = g.date(g.o.End.AddDate(0, 0, -1)) // overdue: in every day's digest
	}
	if err := g.w.item(it); err != nil {
		return "", err
	}
	if err := g.w.audit(auditRow{project: p.id, at: m.at, actor: p.chair().Email, message: m.message, ref: ref, action: "created",
		newV: fmt.Sprintf("%s; owner %s; due %s", text, orName(owner, ownerName), due)}); err != nil {
		return "", err
	}
	g.plan(evs)
	return ref, nil
}

func (g *generator) nameOf(p *project, email string) string {
	for _, m := range p.members {
		if m.Email == email {
			return m.Name
		}
	}
	return email
}

func orName(email, name string) string {
	if email != "" {
		return email
	}
	return name
}

// newRisk writes a risk in its final state and plans its changes.
func (g *generator) newRisk(m meetingOf) (string, error) {
	p := m.p
	p.risks++
	g.ids.risk++
	id, ref := g.ids.risk, "R-"+strconv.Itoa(p.risks)
	owner, ownerName := g.owner(p)
	r := riskRow{id: id, project: p.id, num: p.risks, description: pick(g, riskTexts), likelihood: pick(g, levels),
		impact: pick(g, levels), owner: owner, ownerName: ownerName, status: "open", meeting: m.id, createdBy: m.message,
		created: m.at, updated: m.at}
	if g.chance(0.7) {
		r.mitigation = pick(g, mitigations)
	}
	created := fmt.Sprintf("%s; likelihood %s; impact %s; mitigation %s; owner %s", r.description, r.likelihood, r.impact,
		orQ(r.mitigation), orName(owner, ownerName))
	closeAt := time.Time{}
	if p.focus || g.chance(0.9) {
		closeAt = m.at.AddDate(0, 0, 14+g.rng.IntN(270))
	}
	horizon := closeAt
	if horizon.IsZero() {
		horizon = m.at.AddDate(0, 0, 365)
	}
	who := actor(p, owner)
	var evs []event
	add := func(at time.Time, action, newV string) {
		evs = append(evs, event{p: p, at: at, ref: ref, actor: who, action: action, newV: newV})
	}
	for _, at := range g.times(g.rng.IntN(3), m.at.Add(time.Hour), horizon) {
		add(at, "mitigation changed", pick(g, mitigations))
	}
	if g.chance(0.4) {
		add(g.between(m.at, horizon), "likelihood changed", pick(g, levels))
	}
	if g.chance(0.2) {
		add(g.between(m.at, horizon), "impact changed", pick(g, levels))
	}
	if g.chance(0.03) {
		add(g.between(m.at, horizon), "escalated", "yes")
	}
	if !closeAt.IsZero() {
		add(closeAt, "closed", "closed")
	}
	evs = g.settle(p, m.at, evs)
	for i := range evs {
		e := &evs[i]
		switch e.action {
		case "mitigation changed":
			e.oldV, r.mitigation = r.mitigation, e.newV
		case "likelihood changed":
			e.oldV, r.likelihood = r.likelihood, e.newV
		case "impact changed":
			e.oldV, r.impact = r.impact, e.newV
		case "escalated":
			r.escalated = true
		case "closed":
			e.oldV, r.status = "open", "closed"
		}
		r.updated = e.at
	}
	if err := g.w.risk(r); err != nil {
		return "", err
	}
	if err := g.w.audit(auditRow{project: p.id, at: m.at, actor: p.chair().Email, message: m.message, ref: ref, action: "created",
		newV: created}); err != nil {
		return "", err
	}
	g.plan(evs)
	return ref, nil
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// times draws n times between from and to, in order.
func (g *generator) times(n int, from, to time.Time) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = g.between(from, to)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

// settle keeps the changes that happened before End, in order, none after
// the closing one. The focus project's work all ends before End: what
// would have happened later happens in its last two days instead.
func (g *generator) settle(p *project, created time.Time, evs []event) []event {
	if p.focus {
		room := min(48*time.Hour, g.o.End.Sub(created)/2)
		for i := range evs {
			if !evs[i].at.Before(g.o.End) {
				evs[i].at = g.o.End.Add(-time.Minute - time.Duration(g.rng.Int64N(int64(max(room, time.Minute)))))
			}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	kept := evs[:0]
	for _, e := range evs {
		if !e.at.Before(g.o.End) {
			break
		}
		kept = append(kept, e)
		if e.action == "closed" || e.action == "cancelled" {
			break // a change drawn after the closing never happened
		}
	}
	return kept
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// plan files changes under the week they happen in.
func (g *generator) plan(evs []event) {
	for _, e := range evs {
		wk := int(e.at.Sub(g.start) / week)
		g.pending[wk] = append(g.pending[wk], e)
	}
}

// replies writes the week's changes to p's items and risks: each with the
// reply that made it (several of an author's changes often share one),
// the reply's audit entries, and the answer mailflow sent.
func (g *generator) replies(p *project, events []event) error {
	type reply struct {
		row    int64
		at     time.Time
		author string
		refs   []string
	}
	var order []*reply
	open := map[string]*reply{}
	merge := g.mergeChance(p, events)
	for _, e := range events {
		if e.p != p {
			continue
		}
		r := open[e.actor]
		if r == nil || !g.chance(merge) {
			r = &reply{row: g.nextMessage(), at: e.at, author: e.actor}
			open[e.actor] = r
			order = append(order, r)
			if err := g.w.message(messageRow{id: r.row, project: p.id, messageID: g.incomingID(), hash: g.hex(64), uid: g.nextUID(),
				sender: e.actor, subject: "Re: " + p.minutes.subject, kind: "reply", outcome: "processed",
				receivedAt: r.at, processedAtTm: r.at.Add(time.Duration(1+g.rng.IntN(4)) * time.Second)}); err != nil {
				return err
			}
			p.messages++
		}
		r.refs = append(r.refs, e.ref)
		if err := g.w.audit(auditRow{project: p.id, at: r.at, actor: e.actor, message: r.row, ref: e.ref, action: e.action,
			oldV: e.oldV, newV: e.newV}); err != nil {
			return err
		}
		if e.item != 0 {
			g.closedBy = append(g.closedBy, [2]int64{r.row, e.item})
		}
	}
	for _, r := range order {
		if err := g.answer(p, r.row, r.author, r.refs, r.at); err != nil {
			return err
		}
	}
	return nil
}

// mergeChance is the chance that one of p's changes this week rides on
// its author's earlier reply, so that the week's replies come to what the
// office's rate of messages leaves for them (about two a week are
// auto-replies and failures): each author sends at least one.
func (g *generator) mergeChance(p *project, events []event) float64 {
	n, authors := 0, map[string]bool{}
	for _, e := range events {
		if e.p == p {
			n++
			authors[e.actor] = true
		}
	}
	want := g.rates.messages - 1 - 2
	if n <= len(authors) || want <= float64(len(authors)) {
		return 1
	}
	return max(0, 1-(want-float64(len(authors)))/float64(n-len(authors)))
}

// answer queues the ack (now and then an error) of a reply.
func (g *generator) answer(p *project, row int64, to string, refs []string, at time.Time) error {
	kind, subject := "ack", "Re: "+p.minutes.subject
	if g.chance(0.04) {
		kind, subject = "error", subject+" (could not do everything)"
	}
	var about []string
	seen := map[string]bool{}
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			about = append(about, r)
		}
	}
	if kind == "error" {
		about = nil
	}
	inReplyTo := g.incomingID()
	refsHdr := []string{inReplyTo}
	if id := p.minutes.mailIDs[to]; id != "" {
		refsHdr = []string{id, inReplyTo}
	}
	return g.mail(p, kind, fmt.Sprintf("%s:%s:%d", kind, p.name, row), to, subject, strings.Join(about, " "),
		inReplyTo, refsHdr, at.Add(3*time.Second))
}

// minutesMail queues the minutes to every member.
func (g *generator) minutesMail(p *project, m meetingOf, title string, nItems int, refs []string) error {
	subject := fmt.Sprintf("Minutes: %s (%s) — %d action items", title, humanDay(m.date), nItems)
	about := "meeting:" + strconv.FormatInt(m.id, 10) + " " + strings.Join(refs, " ")
	p.minutes = minutesSent{subject: subject, mailIDs: map[string]string{}}
	for _, mem := range p.members {
		idem := fmt.Sprintf("minutes:%s:%d:%d:%s", p.name, m.id, m.message, mem.Email)
		id, err := g.mailID(p, "minutes", idem, mem.Email, subject, about, "", nil, m.at.Add(2*time.Second))
		if err != nil {
			return err
		}
		p.minutes.mailIDs[mem.Email] = id
	}
	return nil
}

// statusReport queues Monday's report to leadership.
func (g *generator) statusReport(p *project, monday time.Time) error {
	at := g.local(monday, 8, 0)
	if !at.Before(g.o.End) {
		return nil
	}
	subject := fmt.Sprintf("[GREEN] %s status %s", p.name, humanDay(at))
	for _, to := range p.leadership {
		if err := g.mail(p, "status", fmt.Sprintf("status:%s:%s:%s", p.name, at.UTC().Format(time.RFC3339), to), to, subject, "",
			"", nil, at.Add(time.Duration(g.rng.IntN(20))*time.Second)); err != nil {
			return err
		}
	}
	return nil
}

// pad brings a project's messages and mail up to the office's rates: the
// auto-replies mailflow ignored and the messages it could not read; the
// reminder digests it sent on weekdays.
func (g *generator) pad(p *project, wk int, monday time.Time) error {
	for p.messages < int(g.rates.messages*float64(wk+1)) {
		at := g.between(monday, monday.Add(week))
		if !at.Before(g.o.End) {
			break
		}
		if err := g.unanswered(p, at); err != nil {
			return err
		}
	}
	reminded := map[string]bool{}
	for p.outbox < int(g.rates.outbox*float64(wk+1)) && len(reminded) < 5*len(p.members) {
		mem := p.members[g.rng.IntN(len(p.members))]
		at := g.local(monday.AddDate(0, 0, g.rng.IntN(5)), 8, 0).Add(time.Duration(g.rng.IntN(60)) * time.Second)
		key := fmt.Sprintf("reminder:%s:%s:%s", p.name, mem.Email, g.date(at))
		if reminded[key] {
			continue
		}
		reminded[key] = true
		if !at.Before(g.o.End) {
			continue
		}
		n := 1 + g.rng.IntN(4)
		refs := make([]string, n)
		for i := range refs {
			refs[i] = "A-" + strconv.Itoa(1+g.rng.IntN(max(1, p.items)))
		}
		subject := fmt.Sprintf("%d items need you — your %s items", n, p.name)
		if err := g.mail(p, "reminder", key, mem.Email, subject, strings.Join(refs, " "), "", nil, at); err != nil {
			return err
		}
	}
	return nil
}

// unanswered writes a message mailflow did not act on: mostly an
// auto-reply (ignored), now and then one it failed to read (kept whole
// for a re-run).
func (g *generator) unanswered(p *project, at time.Time) error {
	mem := p.members[g.rng.IntN(len(p.members))]
	row := messageRow{id: g.nextMessage(), project: p.id, messageID: g.incomingID(), hash: g.hex(64), uid: g.nextUID(),
		sender: mem.Email, subject: "Automatic reply: " + p.minutes.subject, kind: "reply", outcome: "ignored",
		errText: "auto-reply (Auto-Submitted: auto-replied)", receivedAt: at, processedAtTm: at.Add(time.Second)}
	if g.chance(0.07) {
		row.subject, row.outcome, row.errText = "Re: "+p.minutes.subject, "failed", "read message: multipart: NextPart: EOF"
		row.raw = append([]byte("From: "+mem.Email+"\r\nSubject: "+row.subject+"\r\nMessage-ID: <"+row.messageID+">\r\n\r\n"), body(6000)...)
	}
	if err := g.w.message(row); err != nil {
		return err
	}
	p.messages++
	return nil
}

func (g *generator) mail(p *project, kind, idem, to, subject, about, inReplyTo string, refs []string, at time.Time) error {
	_, err := g.mailID(p, kind, idem, to, subject, about, inReplyTo, refs, at)
	return err
}

// mailID writes a mail mailflow queued at at and sent seconds later, and
// returns its Message-ID. A mail sent more than KeepSentBodyDays before
// End was pruned by the next night's prune: its row keeps the header
// block. Now and then one was refused and parked, whole.
func (g *generator) mailID(p *project, kind, idem, to, subject, about, inReplyTo string, refs []string, at time.Time) (string, error) {
	id := fmt.Sprintf("mailflow.%d.%s@%s", at.Unix(), g.hex(24), g.o.Domain)
	local, _, _ := strings.Cut(p.address, "@")
	replyTo := fmt.Sprintf("%s+%c%d.%s@%s", local, kind[0], g.rng.IntN(p.items+1), g.token(15), g.o.Domain)
	if kind == "status" {
		replyTo = p.address
	}
	hdr := mailHeader{kind: kind, project: p.name, projectAddress: p.address, from: "mailflow@" + g.o.Domain, to: to,
		replyTo: replyTo, subject: subject, messageID: id, inReplyTo: inReplyTo, references: refs, date: at.In(g.o.Location),
		boundary: g.hex(60)}.bytes()
	row := outboxRow{project: p.id, idemKey: idem, kind: kind, from: "mailflow@" + g.o.Domain, rcpt: to, subject: subject,
		messageID: id, about: about, status: "sent", attempts: 1, created: at}
	whole := func() []byte { return append(hdr[:len(hdr):len(hdr)], body(mailSize[kind])...) }
	if g.chance(0.0005) {
		row.status, row.attempts, row.raw = "failed", 5, whole()
		row.lastError = "550 5.1.1 <" + to + ">: Recipient address rejected: User unknown"
	} else {
		row.sent = at.Add(time.Duration(2+g.rng.IntN(40)) * time.Second)
		row.smtpResponse = "250 2.0.0 Ok: queued as " + strings.ToUpper(g.hex(10))
		if pruned := g.pruneTime(row.sent); pruned.Before(g.o.End) {
			row.raw, row.pruned = hdr, pruned
		} else {
			row.raw = whole()
		}
	}
	if err := g.w.outbox(row); err != nil {
		return "", err
	}
	p.outbox++
	return id, nil
}

// pruneTime is when the nightly prune (03:00) first found a mail sent at
// sent older than the retention period.
func (g *generator) pruneTime(sent time.Time) time.Time {
	due := sent.AddDate(0, 0, g.o.KeepSentBodyDays)
	night := g.local(due, 3, 0)
	if night.Before(due) {
		night = night.AddDate(0, 0, 1)
	}
	return night
}

func (g *generator) nextMessage() int64 { g.ids.message++; return g.ids.message }
func (g *generator) nextUID() int64     { g.uid++; return g.uid }

// finish links closed items to the replies that closed them, and writes
// what the running daemon keeps beside the history: each project's
// reference counters and last status report, and the mailbox checkpoint.
func (g *generator) finish() error {
	for _, c := range g.closedBy {
		if _, err := g.w.stmts["closed_by"].ExecContext(g.w.ctx, c[0], c[1]); err != nil {
			return fmt.Errorf("link closed items to their replies: %w", err)
		}
	}
	e := g.o.End.In(g.o.Location)
	lastMonday := g.local(time.Date(e.Year(), e.Month(), e.Day()-(int(e.Weekday())+6)%7, 0, 0, 0, 0, g.o.Location), 8, 0)
	if !lastMonday.Before(g.o.End) {
		lastMonday = lastMonday.AddDate(0, 0, -7)
	}
	for _, p := range g.projects {
		for _, c := range []struct {
			kind string
			last int
		}{{"A", p.items}, {"R", p.risks}} {
			if c.last > 0 {
				if err := g.w.insert("ref_counters", p.id, c.kind, c.last); err != nil {
					return err
				}
			}
		}
		if err := g.w.insert("schedule_runs", p.id, "status", lastMonday.UTC()); err != nil {
			return err
		}
	}
	return g.w.insert("checkpoints", "INBOX", uidValidity, g.uid, g.o.End.UTC())
}
