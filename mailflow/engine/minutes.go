package engine

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	"mailflow/mailflow/compose"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/replyaddr"
	"mailflow/mailflow/views"
	"mailflow/store"
	"mailflow/templates"
)

// minutes handles a minutes mail from a roster member: authenticated, it
// is published (publish); otherwise it is held until its sender confirms
// it (hold). Minutes from anyone else are ignored without an answer, so a
// forged From cannot make the project's address mail strangers.
func (h *handling) minutes(tg target) error {
	member, ok := h.proj.Member(h.msg.From.Email)
	if !ok {
		return h.finish(store.OutcomeIgnored, "minutes from a sender who is not on the roster")
	}
	parsed := h.parsedMinutes()
	if err := h.e.checkSize(parsed); err != nil {
		return err
	}
	v := h.authenticate(tg)
	if !v.ok {
		return h.hold(tg, member, parsed, v)
	}
	return h.publish(tg, parsed, v)
}

// checkSize fails minutes with more items or risks than anyone writes in
// one meeting: mailing them would flood every participant.
func (e *Engine) checkSize(m mailflow.Minutes) error {
	limit := e.maxItems()
	if n := len(m.ActionItems); n > limit {
		return failf("the minutes hold %d action items, more than the limit of %d (security.max_items); nothing was recorded", n, limit)
	}
	if n := len(m.Risks); n > limit {
		return failf("the minutes hold %d risks, more than the limit of %d (security.max_items); nothing was recorded", n, limit)
	}
	return nil
}

// publish records authenticated minutes — or updates the meeting when
// they are a corrected version — and mails them to every participant.
func (h *handling) publish(tg target, parsed mailflow.Minutes, v verdict) error {
	meeting, corrected, err := h.findMeeting(tg, parsed.Meeting)
	if err != nil {
		return err
	}
	if corrected {
		// A correction changes the meeting's own record — who attended,
		// what was decided, its changes and notes — only when it comes
		// from a chair or from whoever sent the minutes it corrects. From
		// anyone else it changes only the items and risks they may
		// (mayCorrect, item by item), and their copy says what was kept.
		may, err := h.mayCorrect("", meeting.MessageID)
		if err != nil {
			return err
		}
		if !may {
			h.problems = append(h.problems, "the meeting's attendees, decisions, changes, milestones and notes were kept as recorded: only a chair or the sender of the minutes being corrected may change them")
			if parsed, err = h.asRecorded(meeting, parsed); err != nil {
				return err
			}
		} else if err := h.recordMeeting(&meeting, parsed); err != nil {
			return err
		}
	} else {
		meeting = store.Meeting{ProjectID: h.proj.ID, Title: parsed.Meeting.Title, MeetingDate: parsed.Meeting.Date.String(), CreatedAt: h.now}
		if err := h.recordMeeting(&meeting, parsed); err != nil {
			return err
		}
	}
	// Whatever version of the minutes a reply is threaded to finds the
	// meeting, the first one as well as this correction.
	if err := h.tx.LinkMinutes(h.row, meeting.ID); err != nil {
		return err
	}
	items, itemChange, cancelled, err := h.syncItems(meeting.ID, parsed.ActionItems, corrected)
	if err != nil {
		return err
	}
	risks, err := h.syncRisks(meeting.ID, parsed.Risks, corrected)
	if err != nil {
		return err
	}
	for _, r := range risks {
		if need := riskNeeds(r); need != "" && r.Status == string(mailflow.RiskOpen) {
			h.problems = append(h.problems, fmt.Sprintf("%s needs %s: reply \"%s mitigation: …\" (its owner is asked for it weekly until then)", r.Ref(), need, r.Ref()))
		}
	}
	action := "minutes recorded"
	if corrected {
		action = "minutes corrected"
	}
	if err := h.audit("", action, "", fmt.Sprintf("%s (%s): %d items, %d risks; %s", meeting.Title, meeting.MeetingDate, len(items), len(risks), v.how)); err != nil {
		return err
	}
	h.memo.forgetMeetings() // the meeting's items and risks changed
	return h.sendMinutes(meeting, parsed, items, itemChange, cancelled, risks, corrected, v)
}

// recordMeeting writes what minutes say of the meeting itself — chair,
// notes, attendees, decisions, asks, milestones and changes — inserting
// the meeting when it is new. The title stays as first sent: a new
// version's subject carries "Corrected" or "v2", which is not the
// meeting's name.
func (h *handling) recordMeeting(meeting *store.Meeting, parsed mailflow.Minutes) error {
	meeting.Chair, meeting.MessageID = parsed.Meeting.Chair, h.row
	meeting.Notes, meeting.NextMeeting = parsed.Notes, parsed.NextMeeting
	h.memo.forgetMeetings() // the message the meeting was made by changes
	if meeting.ID != 0 {
		if err := h.tx.UpdateMeeting(*meeting); err != nil {
			return err
		}
	} else {
		id, err := h.tx.InsertMeeting(*meeting)
		if err != nil {
			return err
		}
		meeting.ID = id
	}
	var as []store.Attendee
	for _, a := range parsed.Meeting.Attendees {
		as = append(as, store.Attendee{MeetingID: meeting.ID, Name: a.Name, Email: a.Email, Present: true})
	}
	for _, a := range parsed.Meeting.Regrets {
		as = append(as, store.Attendee{MeetingID: meeting.ID, Name: a.Name, Email: a.Email, Present: false})
	}
	if err := h.tx.ReplaceAttendees(meeting.ID, as); err != nil {
		return err
	}
	var decisions []string
	for _, d := range parsed.Decisions {
		decisions = append(decisions, d.Text)
	}
	var asks []string
	for _, a := range parsed.Asks {
		asks = append(asks, a.Text)
	}
	if err := h.tx.ReplaceDecisions(h.proj.ID, meeting.ID, decisions, asks, h.now); err != nil {
		return err
	}
	if err := h.recordMilestones(meeting.ID, parsed.Milestones); err != nil {
		return err
	}
	var changes []store.Change
	for _, c := range parsed.Changes {
		changes = append(changes, store.Change{Kind: string(c.Kind), Text: c.Text})
	}
	return h.tx.ReplaceChanges(h.proj.ID, meeting.ID, changes, h.now)
}

// asRecorded returns parsed minutes with what they say of the meeting
// itself replaced by what is recorded for it: a correction that may not
// change the record is mailed, to the recorded attendees, as the record
// stands with the items and risks it did change.
func (h *handling) asRecorded(mt store.Meeting, parsed mailflow.Minutes) (mailflow.Minutes, error) {
	rec, err := h.tx.MeetingRecord(mt.ID)
	if err != nil {
		return parsed, err
	}
	parsed.Meeting.Chair, parsed.Notes, parsed.NextMeeting = mt.Chair, mt.Notes, mt.NextMeeting
	parsed.Meeting.Attendees, parsed.Meeting.Regrets = nil, nil
	for _, a := range rec.Attendees {
		p := mailflow.Person{Name: a.Name, Email: a.Email}
		if a.Present {
			parsed.Meeting.Attendees = append(parsed.Meeting.Attendees, p)
		} else {
			parsed.Meeting.Regrets = append(parsed.Meeting.Regrets, p)
		}
	}
	parsed.Decisions, parsed.Asks, parsed.Changes, parsed.Milestones = nil, nil, nil, nil
	for _, d := range rec.Decisions {
		if d.Kind == store.DecisionAsk {
			parsed.Asks = append(parsed.Asks, mailflow.Decision{Text: d.Text})
		} else {
			parsed.Decisions = append(parsed.Decisions, mailflow.Decision{Text: d.Text})
		}
	}
	for _, c := range rec.Changes {
		parsed.Changes = append(parsed.Changes, mailflow.Change{Kind: mailflow.ChangeKind(c.Kind), Text: c.Text})
	}
	return parsed, nil
}

// recordMilestones keeps the milestones the minutes name: a new one is
// recorded, one already known gets the date these minutes give it (a later
// date is a slip the status report shows) and is marked reached when they
// say so. A milestone the minutes do not mention is left as it was: minutes
// name only the milestones they discuss.
func (h *handling) recordMilestones(meetingID int64, ms []mailflow.Milestone) error {
	meeting := meetingID
	for _, m := range ms {
		key := milestoneKey(m.Name)
		if key == "" {
			continue
		}
		status := "open"
		if m.Done {
			status = "done"
		}
		old, err := h.tx.MilestoneByKey(h.proj.ID, key)
		if errors.Is(err, store.ErrNotFound) {
			if err := h.tx.InsertMilestone(store.Milestone{ProjectID: h.proj.ID, Name: m.Name, NameKey: key, Due: m.Date.String(),
				FirstDue: m.Date.String(), Status: status, MeetingID: meeting, CreatedAt: h.now, UpdatedAt: h.now}); err != nil {
				return err
			}
			if err := h.audit("", "milestone", "", fmt.Sprintf("%s: %s", m.Name, orQ(m.Date.String()))); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		may, err := h.mayMoveMilestone(old)
		if err != nil {
			return err
		}
		if !may {
			if (!m.Date.IsZero() && m.Date.String() != old.Due) || status != old.Status {
				h.problems = append(h.problems, fmt.Sprintf("milestone %q was kept at %s: only a chair or the sender of the minutes that last set it may move it or mark it reached", old.Name, orQ(old.Due)))
			}
			continue
		}
		updated := old
		updated.Name, updated.Status, updated.MeetingID = m.Name, status, meeting
		if !m.Date.IsZero() {
			updated.Due = m.Date.String()
		}
		if updated.Due == old.Due && updated.Status == old.Status && updated.Name == old.Name {
			continue
		}
		if err := h.tx.MoveMilestone(updated, old.Due, h.now); err != nil {
			return err
		}
		if updated.Due != old.Due {
			if err := h.audit("", "milestone moved", old.Name+": "+orQ(old.Due), updated.Name+": "+updated.Due); err != nil {
				return err
			}
		}
	}
	return nil
}

// mayMoveMilestone reports whether this message's sender may change a
// recorded milestone: a slip is what leadership reads first in the status
// report, so only a chair or the sender of the minutes that last set it
// may move it.
func (h *handling) mayMoveMilestone(ms store.Milestone) (bool, error) {
	var setBy int64
	if ms.MeetingID != 0 {
		mt, err := h.tx.MeetingByID(h.proj.ID, ms.MeetingID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		setBy = mt.MessageID
	}
	return h.mayCorrect("", setBy)
}

// milestoneKey folds a milestone's name for matching the same milestone
// across minutes ("Go-live", "go live", "GO-LIVE:").
func milestoneKey(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// findMeeting returns the meeting these minutes are a new version of: the
// meeting whose minutes they reply to, else one on the same day with the
// same title.
func (h *handling) findMeeting(tg target, m mailflow.Meeting) (store.Meeting, bool, error) {
	if tg.meetingID != 0 {
		for _, id := range append(append([]string{}, h.msg.InReplyTo...), h.msg.References...) {
			if mt, found, err := h.meetingOfMinutes(id); err != nil {
				return store.Meeting{}, false, err
			} else if found {
				return mt, true, nil
			}
		}
	}
	same, err := h.tx.MeetingsOn(h.proj.ID, m.Date.String())
	if err != nil {
		return store.Meeting{}, false, err
	}
	want := meetingKey(m.Title)
	for _, mt := range same {
		if meetingKey(mt.Title) == want {
			return mt, true, nil
		}
	}
	return store.Meeting{}, false, nil
}

var reRevision = regexp.MustCompile(`(?i)\b(corrected|correction|updated?|revised|revision|amended|final|draft|resen[dt]|v\d+|version \d+|rev \d+)\b`)

// meetingKey is a title without the words people add when they resend
// minutes ("Corrected", "v2", "Updated"), for matching a new version to
// the meeting it replaces.
func meetingKey(title string) string {
	t := reRevision.ReplaceAllString(strings.ToLower(title), " ")
	t = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, t)
	return strings.Join(strings.Fields(t), " ")
}

// syncItems stores the parsed items of a meeting. For corrected minutes it
// matches them to the items already stored so unchanged items keep their
// refs, changed ones are updated, and ones no longer listed are cancelled.
func (h *handling) syncItems(meetingID int64, parsed []mailflow.ActionItem, corrected bool) (items []store.Item, change map[string]string, cancelled []store.Item, err error) {
	change = map[string]string{}
	var existing []store.Item
	if corrected {
		if existing, err = h.tx.ItemsOfMeeting(meetingID); err != nil {
			return nil, nil, nil, err
		}
	}
	used := make([]bool, len(existing))
	for _, pi := range parsed {
		owner, ownerName, _ := h.rosterOwner(pi.Owner, pi.OwnerText)
		j := matchVersion(existing, used, itemVersion, pi.Text, owner)
		if j < 0 {
			it := store.Item{ProjectID: h.proj.ID, Text: pi.Text, Owner: owner, OwnerName: ownerName, Due: pi.Due.String(),
				Status: string(pi.Status), MeetingID: meetingID,
				CreatedByMessage: h.row, CreatedAt: h.now, UpdatedAt: h.now}
			if pi.Status == mailflow.ItemDone {
				it.ClosedByMessage = h.row
				it.ClosedAt = h.now.UTC()
			}
			if it, err = h.tx.InsertItem(it); err != nil {
				return nil, nil, nil, err
			}
			if err := h.audit(it.Ref(), "created", "", describeItem(it)); err != nil {
				return nil, nil, nil, err
			}
			if corrected {
				change[it.Ref()] = "new"
			}
			items = append(items, it)
			continue
		}
		used[j] = true
		it := existing[j]
		if !itemChanged(it, pi, owner, ownerName) {
			items = append(items, it)
			continue
		}
		if ok, err := h.mayCorrect(it.Owner, it.CreatedByMessage); err != nil {
			return nil, nil, nil, err
		} else if !ok {
			h.notAllowed(it.Ref(), "was not changed")
			items = append(items, it)
			continue
		}
		var diffs []string
		if it.Text != pi.Text {
			diffs = append(diffs, "text")
			if err := h.audit(it.Ref(), "text changed", it.Text, pi.Text); err != nil {
				return nil, nil, nil, err
			}
			it.Text = pi.Text
		}
		if it.Owner != owner || (owner == "" && it.OwnerName != ownerName) {
			diffs = append(diffs, "owner")
			if err := h.audit(it.Ref(), "owner changed", it.Owner+it.OwnerName, owner+ownerName); err != nil {
				return nil, nil, nil, err
			}
			it.Owner, it.OwnerName = owner, ownerName
		}
		if it.Due != pi.Due.String() {
			diffs = append(diffs, "due date")
			if err := h.audit(it.Ref(), "due changed", it.Due, pi.Due.String()); err != nil {
				return nil, nil, nil, err
			}
			it.Due = pi.Due.String()
		}
		if pi.Status == mailflow.ItemDone && it.Status == string(mailflow.ItemOpen) {
			diffs = append(diffs, "status")
			it.Status = string(mailflow.ItemDone)
			it.ClosedByMessage = h.row
			it.ClosedAt = h.now.UTC()
			if err := h.audit(it.Ref(), "closed", "open", "done"); err != nil {
				return nil, nil, nil, err
			}
		}
		if len(diffs) > 0 {
			it.UpdatedAt = h.now
			if err := h.tx.UpdateItem(existing[j], it); err != nil {
				return nil, nil, nil, err
			}
			change[it.Ref()] = "changed: " + strings.Join(diffs, ", ")
		}
		items = append(items, it)
	}
	owners := make([]string, len(parsed))
	for i, pi := range parsed {
		owners[i] = pi.Owner
	}
	flagStrangers(h, owners, items, itemVersion)
	err = retire(h, existing, used, itemVersion, func(was store.Item) error {
		it := was
		it.Status = string(mailflow.ItemCancelled)
		it.UpdatedAt = h.now
		it.ClosedAt = h.now.UTC()
		it.ClosedByMessage = h.row
		if err := h.tx.UpdateItem(was, it); err != nil {
			return err
		}
		cancelled = append(cancelled, it)
		return h.audit(it.Ref(), "cancelled", "open", "cancelled: not in the corrected minutes")
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return items, change, cancelled, nil
}

func normText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.Trim(s, " .;,"))), " ")
}

// similarity is the Jaccard index of the word sets of a and b.
func similarity(a, b string) float64 {
	wa, wb := map[string]bool{}, map[string]bool{}
	for _, w := range strings.Fields(a) {
		wa[w] = true
	}
	for _, w := range strings.Fields(b) {
		wb[w] = true
	}
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	union := len(wa) + len(wb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

func (h *handling) syncRisks(meetingID int64, parsed []mailflow.Risk, corrected bool) ([]store.Risk, error) {
	var existing []store.Risk
	var err error
	if corrected {
		if existing, err = h.tx.RisksOfMeeting(meetingID); err != nil {
			return nil, err
		}
	}
	used := make([]bool, len(existing))
	var out []store.Risk
	for _, pr := range parsed {
		owner, ownerName, _ := h.rosterOwner(pr.Owner, pr.OwnerText)
		j := matchVersion(existing, used, riskVersion, pr.Description, owner)
		r := store.Risk{ProjectID: h.proj.ID, Description: pr.Description, Likelihood: string(pr.Likelihood),
			LikelihoodText: pr.LikelihoodText, Impact: string(pr.Impact), ImpactText: pr.ImpactText,
			Mitigation: pr.Mitigation, Owner: owner, OwnerName: ownerName, Trigger: pr.Trigger,
			Status: string(mailflow.RiskOpen), MeetingID: meetingID,
			CreatedByMessage: h.row, CreatedAt: h.now, UpdatedAt: h.now}
		if j < 0 {
			if r, err = h.tx.InsertRisk(r); err != nil {
				return nil, err
			}
			if err := h.audit(r.Ref(), "created", "", describeRisk(r)); err != nil {
				return nil, err
			}
			out = append(out, r)
			continue
		}
		used[j] = true
		old := existing[j]
		r.ID, r.Num, r.Status, r.Escalated, r.CreatedAt, r.CreatedByMessage = old.ID, old.Num, old.Status, old.Escalated, old.CreatedAt, old.CreatedByMessage
		if describeRisk(old) != describeRisk(r) {
			if ok, err := h.mayCorrect(old.Owner, old.CreatedByMessage); err != nil {
				return nil, err
			} else if !ok {
				h.notAllowed(old.Ref(), "was not changed")
				out = append(out, old)
				continue
			}
			if err := h.tx.UpdateRisk(r); err != nil {
				return nil, err
			}
			if err := h.audit(r.Ref(), "updated by corrected minutes", describeRisk(old), describeRisk(r)); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	owners := make([]string, len(parsed))
	for i, pr := range parsed {
		owners[i] = pr.Owner
	}
	flagStrangers(h, owners, out, riskVersion)
	err = retire(h, existing, used, riskVersion, func(r store.Risk) error {
		r.Status = string(mailflow.RiskClosed)
		r.UpdatedAt = h.now
		if err := h.tx.UpdateRisk(r); err != nil {
			return err
		}
		return h.audit(r.Ref(), "closed", "open", "closed: not in the corrected minutes")
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// itemChanged reports whether a new version of an item differs from the
// stored one in anything corrected minutes may change.
func itemChanged(it store.Item, pi mailflow.ActionItem, owner, ownerName string) bool {
	return it.Text != pi.Text || it.Owner != owner || (owner == "" && it.OwnerName != ownerName) ||
		it.Due != pi.Due.String() || (pi.Status == mailflow.ItemDone && it.Status == string(mailflow.ItemOpen))
}

// mayCorrect reports whether the sender of these minutes may change, by
// sending corrected minutes, an item or risk owned by owner and created by
// the message createdBy: a chair may change anything, others what they
// own or what their own minutes created. The same rule as for replies,
// so that "corrected minutes" are no way around it.
func (h *handling) mayCorrect(owner string, createdBy int64) (bool, error) {
	sender := h.msg.From.Email
	if m, ok := h.proj.Member(sender); ok && m.Role == string(mailflow.RoleChair) {
		return true, nil
	}
	if owner != "" && owner == sender {
		return true, nil
	}
	if createdBy == 0 {
		return false, nil
	}
	creator, err := h.tx.MessageSender(createdBy)
	if err != nil {
		return false, err
	}
	return creator != "" && creator == sender, nil
}

// notAllowed notes, for the sender's copy, a correction that was left out.
func (h *handling) notAllowed(ref, what string) {
	h.problems = append(h.problems, fmt.Sprintf("%s %s: only its owner, a chair or the sender of the minutes that created it may change it", ref, what))
}

func describeItem(it store.Item) string {
	owner := it.Owner
	if owner == "" {
		owner = it.OwnerName
	}
	s := it.Text
	if owner != "" {
		s += "; owner " + owner
	}
	if it.Due != "" {
		s += "; due " + it.Due
	}
	return s
}

func describeRisk(r store.Risk) string {
	owner := r.Owner
	if owner == "" {
		owner = r.OwnerName
	}
	return fmt.Sprintf("%s; likelihood %s; impact %s; mitigation %s; owner %s", r.Description, orQ(r.Likelihood), orQ(r.Impact), orQ(r.Mitigation), orQ(owner))
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// audit records a change caused by this message.
func (h *handling) audit(ref, action, old, new string) error {
	return h.tx.Audit(store.AuditEntry{ProjectID: h.proj.ID, At: h.now, Actor: h.msg.From.Email, Source: store.SourceMessage,
		MessageID: h.row, Ref: ref, Action: action, OldValue: old, NewValue: new})
}

// minutesView is what a meeting's minutes mail shows, the same for every
// recipient: the engine builds it from what it has just recorded, and
// "mailflow preview" from what the store holds, and both mail it with
// minutesMail.
type minutesView struct {
	meeting            store.Meeting
	attendees, regrets []string
	decisions          []string
	changes            []templates.Change
	items              []store.Item
	change             map[string]string // for corrected minutes: what changed per ref
	cancelled          []store.Item
	risks              []store.Risk
	corrected          bool
}

// storedMinutes is the minutesView of a meeting as the store holds it:
// its open and done items and open risks, attendees, decisions, changes.
func storedMinutes(tx *store.Tx, mt store.Meeting) (*minutesView, error) {
	rec, err := tx.MeetingRecord(mt.ID)
	if err != nil {
		return nil, err
	}
	v := &minutesView{meeting: mt}
	for _, a := range rec.Attendees {
		name := personName(mailflow.Person{Name: a.Name, Email: a.Email})
		if a.Present {
			v.attendees = append(v.attendees, name)
		} else {
			v.regrets = append(v.regrets, name)
		}
	}
	for _, d := range rec.Decisions {
		v.decisions = append(v.decisions, d.Text)
	}
	for _, c := range rec.Changes {
		v.changes = append(v.changes, templates.Change{Kind: c.Kind, Text: c.Text})
	}
	items, err := tx.ItemsOfMeeting(mt.ID)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Status != string(mailflow.ItemCancelled) {
			v.items = append(v.items, it)
		}
	}
	risks, err := tx.RisksOfMeeting(mt.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range risks {
		if r.Status == string(mailflow.RiskOpen) {
			v.risks = append(v.risks, r)
		}
	}
	return v, nil
}

// minutesMail is the minutes mail of v to one person; problems, shown only
// to the minutes' sender, may be nil.
func (e *Engine) minutesMail(p *Project, v *minutesView, to mailflow.Person, problems []string, today mailflow.Date) (templates.Minutes, []calendar.Item) {
	example := ""
	if len(v.items) > 0 {
		example = v.items[0].Ref()
	}
	data := templates.Minutes{
		Common:      e.common(p, to, true, example),
		Title:       v.meeting.Title,
		Date:        views.HumanDate(v.meeting.MeetingDate),
		Chair:       v.meeting.Chair,
		Attendees:   v.attendees,
		Regrets:     v.regrets,
		Decisions:   v.decisions,
		Changes:     v.changes,
		Corrected:   v.corrected,
		Problems:    problems,
		Notes:       compose.TextSafe(v.meeting.Notes),
		NextMeeting: compose.TextSafe(v.meeting.NextMeeting),
	}
	for _, it := range v.items {
		iv := views.Item(it, today, p)
		iv.Change = v.change[it.Ref()]
		data.Items = append(data.Items, iv)
	}
	for _, it := range v.cancelled {
		data.Cancelled = append(data.Cancelled, views.Item(it, today, p))
	}
	for _, r := range v.risks {
		data.Risks = append(data.Risks, views.Risk(r, p))
	}
	cal := calendarItems(to.Email, v.items)
	data.HasICS = len(cal) > 0
	return data, cal
}

// sendMinutes queues the minutes mail to each participant; the sender's
// copy lists the problems found.
func (h *handling) sendMinutes(mt store.Meeting, parsed mailflow.Minutes, items []store.Item, change map[string]string, cancelled []store.Item, risks []store.Risk, corrected bool, v verdict) error {
	today := mailflow.DateOf(h.now.In(h.proj.Location))
	recips := h.minutesRecipients(parsed, v)
	view := &minutesView{meeting: mt, items: items, change: change, cancelled: cancelled, risks: risks, corrected: corrected,
		attendees: personNames(parsed.Meeting.Attendees), regrets: personNames(parsed.Meeting.Regrets)}
	for _, c := range parsed.Changes {
		view.changes = append(view.changes, templates.Change{Kind: string(c.Kind), Text: c.Text})
	}
	for _, d := range parsed.Decisions {
		view.decisions = append(view.decisions, d.Text)
	}
	var problems []string
	for _, p := range parsed.Problems {
		problems = append(problems, p.String())
	}
	problems = append(problems, h.problems...)
	about := []string{fmt.Sprintf("meeting:%d", mt.ID)}
	for _, it := range items {
		about = append(about, it.Ref())
	}
	for _, r := range risks {
		about = append(about, r.Ref())
	}
	var mails []outgoing
	for _, to := range recips {
		var mine []string
		if to.Email == h.msg.From.Email {
			mine = problems
		}
		data, cal := h.e.minutesMail(h.proj, view, to, mine, today)
		mails = append(mails, outgoing{
			kind:      mailflow.MailMinutes,
			idemKey:   fmt.Sprintf("minutes:%s:%d:%d:%s", h.proj.Name, mt.ID, h.row, to.Email),
			to:        to,
			data:      data,
			thing:     replyaddr.MeetingThing(mt.ID),
			about:     about,
			inReplyTo: h.msg.MessageID,
			calendar:  cal,
		})
	}
	return h.queue(false, mails...)
}

// personNames are the names of people as a mail lists them.
func personNames(ps []mailflow.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, personName(p))
	}
	return out
}

// minutesRecipients lists who gets the minutes: their sender, every
// roster member, and the attendees who match the roster. An attendee who
// matches nobody is mailed only when the project allows it and the
// minutes were authenticated by the sender's mail system or a reply
// address; otherwise, and past max_recipients, they are listed as a
// problem in the sender's copy. Minutes never make mailflow mail strangers
// on the word of a forged From.
func (h *handling) minutesRecipients(parsed mailflow.Minutes, v verdict) []mailflow.Person {
	var recips []mailflow.Person
	seen := map[string]bool{}
	limit := h.proj.maxRecipients()
	// The roster always gets the minutes; the limit bounds who else does.
	add := func(p mailflow.Person, capped bool) bool {
		if p.Email == "" || seen[p.Email] || h.e.own[p.Email] {
			return true
		}
		if capped && len(recips) >= limit {
			return false
		}
		seen[p.Email] = true
		recips = append(recips, p)
		return true
	}
	add(h.msg.From, false)
	for _, m := range h.proj.Members {
		add(mailflow.Person{Name: m.Name, Email: m.Email}, false)
	}
	var outside, dropped []string
	for _, a := range parsed.Meeting.Attendees {
		if a.Email == "" || seen[a.Email] || h.e.own[a.Email] {
			continue
		}
		if !h.proj.outsideAttendees() || !v.strong {
			outside = append(outside, a.Email)
			continue
		}
		if !add(a, true) {
			dropped = append(dropped, a.Email)
		}
	}
	if len(outside) > 0 {
		h.problems = append(h.problems, fmt.Sprintf("not mailed, not on the project's roster: %s (ask the chair to add them to the roster)", listSome(outside, 10)))
	}
	if len(dropped) > 0 {
		h.problems = append(h.problems, fmt.Sprintf("not mailed, past the limit of %d recipients (max_recipients): %s", limit, listSome(dropped, 10)))
	}
	return recips
}

// listSome joins up to n strings and says how many more there were.
func listSome(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(s[:n], ", "), len(s)-n)
}

// checkAddresses takes out of parsed minutes every address that could not
// be mailed, keeping the person's name, and notes each as a problem: an
// attendee or owner address go-mail would refuse must not become a mail
// that can never be built (which would fail every message after it).
func checkAddresses(m *mailflow.Minutes) {
	bad := func(addr string) bool {
		if addr == "" || !strings.Contains(addr, "@") {
			return false
		}
		if err := compose.CheckAddress(addr); err != nil {
			m.Problems = append(m.Problems, mailflow.Problem{Reason: "left out: " + err.Error()})
			return true
		}
		return false
	}
	for _, people := range [][]mailflow.Person{m.Meeting.Attendees, m.Meeting.Regrets} {
		for i := range people {
			if bad(people[i].Email) {
				people[i].Email = ""
			}
		}
	}
	for i := range m.ActionItems {
		it := &m.ActionItems[i]
		if bad(it.Owner) {
			it.Owner, it.Owners = "", nil
		}
	}
	for i := range m.Risks {
		if bad(m.Risks[i].Owner) {
			m.Risks[i].Owner = ""
		}
	}
}

// parsedMinutes is the message read as minutes: read already when the
// message was, or now.
func (h *handling) parsedMinutes() mailflow.Minutes {
	if h.text.parsed != nil {
		return *h.text.parsed
	}
	return readMinutes(h.msg, h.proj)
}

// readMinutes reads a message as minutes of a project, with every address
// in them checked.
func readMinutes(msg *mailtext.Message, p *Project) mailflow.Minutes {
	m := minutes.Parse(msg, p.parseOptions())
	checkAddresses(&m)
	// An attachment that could not be read (a damaged .docx, say) is the
	// sender's to hear about: its items are missing.
	for _, prob := range msg.EnclosureProblems {
		m.Problems = append(m.Problems, mailflow.Problem{Reason: prob})
	}
	return m
}

func personName(p mailflow.Person) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Email
}
