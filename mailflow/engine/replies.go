package engine

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/compose"
	"mailflow/mailflow/config"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/reply"
	"mailflow/mailflow/replyaddr"
	"mailflow/mailflow/report"
	"mailflow/mailflow/views"
	"mailflow/store"
	"mailflow/templates"
)

// reply carries out the commands in a reply. Only roster members get an
// answer: anything sent to a stranger would go to whatever From they
// forged (backscatter).
func (h *handling) reply(tg target) error {
	member, ok := h.proj.Member(h.msg.From.Email)
	if !ok {
		return h.finish(store.OutcomeIgnored, "reply from a sender who is not on the roster; nothing changed, no answer")
	}
	v := h.authenticate(tg)
	if !v.ok {
		if err := h.refuseUnder(unauthBudget, keyUnauth, h.unauthenticatedRefusal(v)); err != nil {
			return err
		}
		return h.finish(store.OutcomeIgnored, "unauthenticated reply: "+v.reason+"; nothing changed")
	}
	if id, ok := h.confirmation(tg); ok {
		return h.confirmHeld(id, member, v.scope)
	}
	health, lines := healthLines(h.text.lines)
	for _, l := range lines {
		if l.Command.Ref == "" {
			if err := h.meetingRefs(&tg); err != nil {
				return err
			}
			break
		}
	}
	defaultRef := tg.single()
	if defaultRef == "" && len(tg.refs) == 0 {
		if refs := uniqueRefs(minutes.CleanSubject(h.msg.Subject)); len(refs) == 1 {
			defaultRef = refs[0]
		}
	}
	today := mailflow.DateOf(h.now.In(h.proj.Location))
	run := commandRun{h: h, member: member, today: today, scope: v.scope}
	for _, l := range health {
		if err := run.setHealth(l); err != nil {
			return err
		}
	}
	for _, line := range lines {
		cmd := line.Command
		if line.Problem != "" {
			run.fail(cmd, line.Problem)
			continue
		}
		ref := cmd.Ref
		if ref == "" {
			ref = defaultRef
		}
		if !line.IsCommand {
			if err := run.note(ref, cmd.Value); err != nil {
				return err
			}
			continue
		}
		if ref == "" && len(tg.refs) > 1 {
			// A bare "done" to minutes or a digest: it can only mean the one
			// open thing there the sender owns, if there is exactly one.
			owned, err := run.ownedOpen(tg.refs, cmd.Verb)
			if err != nil {
				return err
			}
			if len(owned) == 1 {
				ref = owned[0]
			} else {
				run.candidates = tg.refs
				if len(owned) > 1 {
					run.candidates = owned
				}
				cmd.Ref = run.candidates[0] // for the example in the error
				run.fail(cmd, "this mail was about more than one item, so say which one")
				continue
			}
		}
		if ref == "" {
			run.fail(cmd, "say which item or risk you mean")
			continue
		}
		if err := run.apply(cmd, ref); err != nil {
			return err
		}
	}
	if len(run.changes) == 0 && len(run.errors) == 0 && len(run.notes) == 0 {
		return h.finish(store.OutcomeIgnored, "reply with no commands")
	}
	if err := run.answer(tg); err != nil {
		return err
	}
	if len(run.changes) == 0 && len(run.errors) > 0 {
		return h.finish(store.OutcomeProcessed, fmt.Sprintf("no change: %d command(s) failed", len(run.errors)))
	}
	return nil
}

func uniqueRefs(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range reRef.FindAllStringSubmatch(s, -1) {
		ref := strings.ToUpper(m[1]) + "-" + m[2]
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

// reHealth reads a chair's word on the project's health: "status amber:
// pharmacy vendor late".
var reHealth = regexp.MustCompile(`(?i)^\s*(?:project\s+)?(?:status|health)\s*[:=]?\s*(green|amber|yellow|red)\b[\s:;,.—–-]*(.*)$`)

// healthLines takes the "status amber: …" lines out of a reply's lines.
func healthLines(lines []reply.Line) (health, rest []reply.Line) {
	for _, l := range lines {
		if reHealth.MatchString(l.Command.Text) {
			health = append(health, l)
		} else {
			rest = append(rest, l)
		}
	}
	return health, rest
}

// setHealth records a chair's health for the project, which the next
// status report shows as its headline beside what the rules compute.
func (r *commandRun) setHealth(l reply.Line) error {
	m := reHealth.FindStringSubmatch(l.Command.Text)
	level := strings.ToLower(m[1])
	if level == "yellow" {
		level = report.HealthAmber
	}
	cmd := mailflow.Command{Line: l.Command.Line, Text: l.Command.Text}
	if r.member.Role != string(mailflow.RoleChair) {
		r.errors = append(r.errors, templates.CommandError{Line: cmd.Line, Text: cmd.Text,
			Reason: "only a chair of the project can set its health", Example: "status amber: pharmacy vendor late"})
		return nil
	}
	if !r.scope.allowsHealth() {
		r.errors = append(r.errors, templates.CommandError{Line: cmd.Line, Text: cmd.Text,
			Reason:  "the project's health can be set in a reply to its minutes or status report, or from an address your mail server signs (DKIM)",
			Example: "status amber: pharmacy vendor late"})
		return nil
	}
	reason := strings.TrimSpace(m[2])
	h := r.h
	if err := h.tx.AddHealthNote(store.HealthNote{ProjectID: h.proj.ID, Level: level, Reason: reason, SetBy: r.member.Email, SetAt: h.now}); err != nil {
		return err
	}
	if err := h.audit("", "health set", "", level+": "+reason); err != nil {
		return err
	}
	r.changes = append(r.changes, fmt.Sprintf("The next status report heads with %s: %s (set by you; the rules' own verdict is shown beside it)", strings.ToUpper(level), orQ(reason)))
	return nil
}

// commandRun collects the effects of one reply's commands.
type commandRun struct {
	h          *handling
	member     config.Member
	today      mailflow.Date
	scope      scope // what the reply may change
	changes    []string
	notes      []string
	errors     []templates.CommandError
	candidates []string
	touched    []string
	// pendingNote is the text a "note" command leaves for its ref.
	pendingNote string
}

func (r *commandRun) fail(cmd mailflow.Command, reason string) {
	r.errors = append(r.errors, templates.CommandError{Line: cmd.Line, Text: cmd.Text, Reason: reason, Example: example(cmd.Verb, cmd.Ref)})
}

func (r *commandRun) touch(ref string) {
	for _, t := range r.touched {
		if t == ref {
			return
		}
	}
	r.touched = append(r.touched, ref)
}

// example shows the right form of a command, from the table of reply
// verbs, for ref (or a ref of the kind the verb applies to).
func example(v mailflow.Verb, ref string) string {
	spec, ok := mailflow.SpecOf(v)
	if !ok {
		spec, _ = mailflow.SpecOf(mailflow.VerbDone)
	}
	if ref == "" || !spec.AppliesTo(ref) {
		ref = "A-12"
		if spec.Applies&mailflow.ToItems == 0 {
			ref = "R-3"
		}
	}
	return spec.ExampleFor(ref)
}

// note keeps a line that is not a command as a note on ref (or on the
// reply as a whole when it is about nothing in particular).
func (r *commandRun) note(ref, text string) error {
	if ref != "" {
		if _, _, err := store.ParseRef(ref); err != nil {
			ref = ""
		} else if owner, meeting, err := r.lookup(ref); errors.Is(err, store.ErrNotFound) {
			ref = ""
		} else if err != nil {
			return err
		} else if !r.scope.allows(ref, meeting, owner, r.member.Email) {
			ref = "" // kept, but not on a thing the reply may not touch
		}
	}
	return r.addNote(ref, text)
}

// addNote records a note on ref, which the caller has checked exists
// ("" for a note on the reply as a whole).
func (r *commandRun) addNote(ref, text string) error {
	if err := r.h.audit(ref, "note", "", text); err != nil {
		return err
	}
	if ref != "" {
		r.notes = append(r.notes, ref+": "+text)
		r.touch(ref)
	} else {
		r.notes = append(r.notes, text)
	}
	return nil
}

// lookup checks that ref exists in the project, returning its owner and
// meeting.
func (r *commandRun) lookup(ref string) (string, int64, error) {
	h := r.h
	if strings.HasPrefix(ref, "A-") {
		it, err := h.tx.ItemByRef(h.proj.ID, ref)
		return it.Owner, it.MeetingID, err
	}
	rk, err := h.tx.RiskByRef(h.proj.ID, ref)
	return rk.Owner, rk.MeetingID, err
}

// ownedOpen returns the refs among refs that are open and owned by the
// sender, keeping to action items for verbs that only items take.
func (r *commandRun) ownedOpen(refs []string, verb mailflow.Verb) ([]string, error) {
	h := r.h
	spec, _ := mailflow.SpecOf(verb)
	itemOnly, riskOnly := spec.Applies == mailflow.ToItems, spec.Applies == mailflow.ToRisks
	var items, risks []string
	for _, ref := range refs {
		if strings.HasPrefix(ref, "A-") && !riskOnly {
			it, err := h.tx.ItemByRef(h.proj.ID, ref)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			if it.Owner == r.member.Email && it.Status == string(mailflow.ItemOpen) {
				items = append(items, ref)
			}
		} else if strings.HasPrefix(ref, "R-") && !itemOnly {
			rk, err := h.tx.RiskByRef(h.proj.ID, ref)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			if rk.Owner == r.member.Email && rk.Status == string(mailflow.RiskOpen) {
				risks = append(risks, ref)
			}
		}
	}
	// "done" on minutes where one owns one item and one risk means the item.
	if len(items) == 1 {
		return items, nil
	}
	return append(items, risks...), nil
}

// may reports whether the sender may change something owned by owner.
func (r *commandRun) may(owner string) bool {
	return r.member.Role == string(mailflow.RoleChair) || (owner != "" && owner == r.member.Email)
}

var reReplyPrefix = regexp.MustCompile(`(?i)^\s*((re|aw|sv|vs|antw)\s*:\s*)+`)

const refuseNotOwner = "you can change only items and risks you own (notes are fine); ask the project's chair to make this change"

// apply carries out one command on ref and keeps a comment after a verb
// that takes none ("done, sent to legal") as a note. Only database failures
// are returned; everything else becomes an error line in the answer.
func (r *commandRun) apply(cmd mailflow.Command, ref string) error {
	errs := len(r.errors)
	if err := r.applyOne(cmd, ref); err != nil {
		return err
	}
	// The reason that came with a command ("reopen A-5 - the vendor sent
	// the wrong file") is kept as a note on the item, even when the
	// command changed nothing (it was done already): the reason still
	// holds. Not when the command failed: the error answers it.
	if note := strings.TrimSpace(cmd.Note); note != "" && len(r.errors) == errs {
		return r.addNote(ref, note)
	}
	return nil
}

func (r *commandRun) applyOne(cmd mailflow.Command, ref string) error {
	h := r.h
	if _, _, err := store.ParseRef(ref); err != nil {
		r.fail(cmd, err.Error())
		return nil
	}
	if strings.HasPrefix(ref, "A-") {
		it, err := h.tx.ItemByRef(h.proj.ID, ref)
		if errors.Is(err, store.ErrNotFound) {
			r.fail(cmd, fmt.Sprintf("there is no action item %s in %s", ref, h.proj.Name))
			return nil
		} else if err != nil {
			return err
		}
		if !r.scope.allows(ref, it.MeetingID, it.Owner, r.member.Email) {
			r.fail(cmd, outOfScope(ref))
			return nil
		}
		return r.applyItem(cmd, it)
	}
	rk, err := h.tx.RiskByRef(h.proj.ID, ref)
	if errors.Is(err, store.ErrNotFound) {
		r.fail(cmd, fmt.Sprintf("there is no risk %s in %s", ref, h.proj.Name))
		return nil
	} else if err != nil {
		return err
	}
	if !r.scope.allows(ref, rk.MeetingID, rk.Owner, r.member.Email) {
		r.fail(cmd, outOfScope(ref))
		return nil
	}
	return r.applyRisk(cmd, rk)
}

// effect is what one command did: the audit entry and the line of the
// answer. A command that changes nothing leaves it empty, with a note or
// an error recorded on the run.
type effect struct {
	action, oldV, newV, change string
}

// itemApplier carries out a command on an item, in place; riskApplier on a
// risk. The tables below are keyed by the verbs of mailflow.Verbs, and
// TestEveryVerbHasAnApplier holds them to it.
type (
	itemApplier func(r *commandRun, cmd mailflow.Command, it *store.Item) effect
	riskApplier func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect
)

var itemAppliers = map[mailflow.Verb]itemApplier{
	mailflow.VerbDone: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		return r.closeItem(it, mailflow.ItemDone, "closed", "was already done")
	},
	mailflow.VerbCancel: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		return r.closeItem(it, mailflow.ItemCancelled, "cancelled", "was already cancelled")
	},
	mailflow.VerbReopen: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		if it.Status == string(mailflow.ItemOpen) {
			r.notes = append(r.notes, it.Ref()+" was already open")
			return effect{}
		}
		old := it.Status
		it.Status, it.ClosedAt, it.ClosedByMessage = string(mailflow.ItemOpen), time.Time{}, 0
		return effect{"reopened", old, it.Status, fmt.Sprintf("%s reopened: %s", it.Ref(), it.Text)}
	},
	mailflow.VerbDue: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		d, err := dates.Parse(cmd.Value, r.today, r.h.proj.dateOptions())
		if err != nil {
			r.fail(cmd, fmt.Sprintf("cannot read the date %q", cmd.Value))
			return effect{}
		}
		old := it.Due
		it.Due, it.LastReminded = d.String(), ""
		return effect{"due changed", old, it.Due, fmt.Sprintf("%s now due %s (was %s)", it.Ref(), d.Human(), views.HumanDate(old))}
	},
	mailflow.VerbReassign: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		email, reason := r.resolvePerson(cmd.Value)
		if reason != "" {
			r.fail(cmd, reason)
			return effect{}
		}
		old := it.Owner + it.OwnerName
		it.Owner, it.OwnerName, it.LastReminded = email, r.h.proj.DisplayName(email), ""
		return effect{"owner changed", old, email, fmt.Sprintf("%s reassigned to %s", it.Ref(), r.h.proj.DisplayName(email))}
	},
	mailflow.VerbProgress: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		n, err := strconv.Atoi(cmd.Value)
		if err != nil || n < 0 || n > 100 {
			r.fail(cmd, "progress must be a percentage from 0 to 100")
			return effect{}
		}
		old := it.Progress
		it.Progress = n
		return effect{"progress", strconv.Itoa(old) + "%", strconv.Itoa(n) + "%", fmt.Sprintf("%s progress %d%%", it.Ref(), n)}
	},
	mailflow.VerbNote: func(r *commandRun, cmd mailflow.Command, it *store.Item) effect {
		r.pendingNote = cmd.Value
		return effect{}
	},
}

var riskAppliers = map[mailflow.Verb]riskApplier{
	mailflow.VerbDone:   closeRisk,
	mailflow.VerbCancel: closeRisk,
	mailflow.VerbReopen: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		if rk.Status == string(mailflow.RiskOpen) {
			r.notes = append(r.notes, rk.Ref()+" was already open")
			return effect{}
		}
		old := rk.Status
		rk.Status = string(mailflow.RiskOpen)
		return effect{"reopened", old, rk.Status, fmt.Sprintf("%s reopened: %s", rk.Ref(), rk.Description)}
	},
	mailflow.VerbMitigation: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		old := rk.Mitigation
		rk.Mitigation = cmd.Value
		return effect{"mitigation changed", old, cmd.Value, fmt.Sprintf("%s mitigation: %s", rk.Ref(), cmd.Value)}
	},
	mailflow.VerbLikelihood: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		return r.gradeRisk(cmd, "likelihood", &rk.Likelihood, &rk.LikelihoodText, rk.Ref())
	},
	mailflow.VerbImpact: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		return r.gradeRisk(cmd, "impact", &rk.Impact, &rk.ImpactText, rk.Ref())
	},
	mailflow.VerbReassign: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		email, reason := r.resolvePerson(cmd.Value)
		if reason != "" {
			r.fail(cmd, reason)
			return effect{}
		}
		old := rk.Owner + rk.OwnerName
		rk.Owner, rk.OwnerName = email, r.h.proj.DisplayName(email)
		return effect{"owner changed", old, email, fmt.Sprintf("%s owner is now %s", rk.Ref(), r.h.proj.DisplayName(email))}
	},
	mailflow.VerbEscalate: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		if rk.Escalated {
			r.notes = append(r.notes, rk.Ref()+" was already escalated")
			return effect{}
		}
		rk.Escalated = true
		newV := "escalated"
		if to := strings.TrimSpace(cmd.Value); to != "" {
			newV = "escalated to " + to
		}
		return effect{"escalated", "", newV, fmt.Sprintf("%s escalated: it heads the next leadership report", rk.Ref())}
	},
	mailflow.VerbNote: func(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
		r.pendingNote = cmd.Value
		return effect{}
	},
}

// closeItem closes or cancels an item.
func (r *commandRun) closeItem(it *store.Item, status mailflow.ItemStatus, action, already string) effect {
	if it.Status == string(status) {
		r.notes = append(r.notes, it.Ref()+" "+already)
		return effect{}
	}
	old := it.Status
	it.Status = string(status)
	it.ClosedByMessage = r.h.row
	it.ClosedAt = r.h.now.UTC()
	return effect{action, old, it.Status, fmt.Sprintf("%s %s: %s", it.Ref(), action, it.Text)}
}

// closeRisk closes a risk ("done" and "cancel" both do).
func closeRisk(r *commandRun, cmd mailflow.Command, rk *store.Risk) effect {
	if rk.Status == string(mailflow.RiskClosed) {
		r.notes = append(r.notes, rk.Ref()+" was already closed")
		return effect{}
	}
	old := rk.Status
	rk.Status = string(mailflow.RiskClosed)
	return effect{"closed", old, rk.Status, fmt.Sprintf("%s closed: %s", rk.Ref(), rk.Description)}
}

// gradeRisk sets a risk's likelihood or impact from a level as written.
func (r *commandRun) gradeRisk(cmd mailflow.Command, what string, level, text *string, ref string) effect {
	lvl := minutes.ParseLevel(cmd.Value)
	if lvl == mailflow.LevelUnknown {
		r.fail(cmd, fmt.Sprintf("cannot read %q as a level: use low, medium or high (or 1-5, or a percentage)", cmd.Value))
		return effect{}
	}
	old := *level
	*level, *text = string(lvl), cmd.Value
	return effect{what + " changed", old, string(lvl), fmt.Sprintf("%s %s %s (was %s)", ref, what, lvl, orQ(old))}
}

// applyItem carries out a command on an item the sender may change.
func (r *commandRun) applyItem(cmd mailflow.Command, it store.Item) error {
	apply, ok := itemAppliers[cmd.Verb]
	if !ok {
		r.fail(cmd, fmt.Sprintf("%q applies to risks, and %s is an action item", cmd.Verb, it.Ref()))
		return nil
	}
	if cmd.Verb != mailflow.VerbNote && !r.may(it.Owner) { // notes are anyone's to add
		r.fail(cmd, refuseNotOwner)
		return nil
	}
	was := it
	eff := apply(r, cmd, &it)
	if eff.action == "" {
		return r.flushNote(it.Ref())
	}
	it.UpdatedAt = r.h.now
	if err := r.h.tx.UpdateItem(was, it); err != nil {
		return err
	}
	return r.record(it.Ref(), eff.action, eff.oldV, eff.newV, eff.change)
}

// applyRisk carries out a command on a risk the sender may change.
func (r *commandRun) applyRisk(cmd mailflow.Command, rk store.Risk) error {
	apply, ok := riskAppliers[cmd.Verb]
	if !ok {
		r.fail(cmd, fmt.Sprintf("%q applies to action items, and %s is a risk", cmd.Verb, rk.Ref()))
		return nil
	}
	if cmd.Verb != mailflow.VerbNote && !r.may(rk.Owner) {
		r.fail(cmd, refuseNotOwner)
		return nil
	}
	eff := apply(r, cmd, &rk)
	if eff.action == "" {
		return r.flushNote(rk.Ref())
	}
	rk.UpdatedAt = r.h.now
	if err := r.h.tx.UpdateRisk(rk); err != nil {
		return err
	}
	return r.record(rk.Ref(), eff.action, eff.oldV, eff.newV, eff.change)
}

// flushNote records the note a "note" command left, if it left one.
func (r *commandRun) flushNote(ref string) error {
	text := r.pendingNote
	r.pendingNote = ""
	if text == "" {
		return nil
	}
	return r.addNote(ref, text)
}

// record audits a change made by a command and lists it for the ack.
func (r *commandRun) record(ref, action, oldV, newV, change string) error {
	if err := r.h.audit(ref, action, oldV, newV); err != nil {
		return err
	}
	r.changes = append(r.changes, change)
	r.touch(ref)
	return nil
}

// resolvePerson finds the roster member a reassignment names. Only a
// member may be given an item or risk: its owner gets reminders, and
// mailflow mails nobody off the roster on its own schedule. An address the
// outbox could not send to is refused as well, whoever it belongs to.
func (r *commandRun) resolvePerson(name string) (string, string) {
	name = strings.TrimSpace(strings.TrimSuffix(name, "."))
	var email string
	matches := r.h.proj.directory().Resolve(name)
	switch {
	case len(matches) == 1:
		email = matches[0].Email
	case len(matches) > 1:
		return "", fmt.Sprintf("%q could mean more than one member; write their email address", name)
	default:
		a, err := mail.ParseAddress(name)
		if err != nil {
			return "", fmt.Sprintf("%q is not a project member; write their email address", name)
		}
		email = strings.ToLower(a.Address)
		if _, ok := r.h.proj.Member(email); !ok {
			return "", fmt.Sprintf("%q is not on the project roster; ask the chair to add them, then reassign", email)
		}
	}
	if err := compose.CheckAddress(email); err != nil {
		return "", err.Error()
	}
	return email, ""
}

// answer queues the ack and/or error mail for the reply.
func (r *commandRun) answer(tg target) error {
	h := r.h
	if ok, err := h.allowAnswer(); err != nil || !ok {
		return err
	}
	to := h.msg.From
	thing := ""
	if len(r.touched) == 1 {
		thing = replyaddr.ItemThing(r.touched[0])
	}
	subject := cleanReSubject(h.msg.Subject)
	refs := h.threadRefs()
	if len(r.changes) > 0 || (len(r.notes) > 0 && len(r.errors) == 0) {
		data := templates.Ack{Common: h.e.common(h.proj, to, thing != "", firstOr(r.touched, "")), Changes: r.changes, Notes: r.notes, Subject: subject}
		if err := h.queue(false, outgoing{kind: mailflow.MailAck, idemKey: fmt.Sprintf("%s%s:%d", keyAck, h.proj.Name, h.row),
			to: to, data: data, thing: thing, about: r.touched, inReplyTo: h.msg.MessageID, references: refs}); err != nil {
			return err
		}
	}
	if len(r.errors) > 0 {
		data := templates.Error{Common: h.e.common(h.proj, to, true, firstOr(tg.refs, "")), Subject: subject, Errors: r.errors,
			Applied: r.changes, Candidates: r.candidates}
		errThing := thing
		if errThing == "" && tg.meetingID != 0 {
			errThing = replyaddr.MeetingThing(tg.meetingID)
		}
		if errThing == "" && len(tg.refs) == 1 {
			errThing = replyaddr.ItemThing(tg.refs[0])
		}
		about := r.touched
		if len(about) == 0 {
			about = tg.refs
		}
		if err := h.queue(false, outgoing{kind: mailflow.MailError, idemKey: fmt.Sprintf("%s%s:%d", keyError, h.proj.Name, h.row),
			to: to, data: data, thing: errThing, about: about, inReplyTo: h.msg.MessageID, references: refs}); err != nil {
			return err
		}
	}
	return nil
}

// refuse answers the sender that nothing changed, within the answer
// budget of their authenticated replies.
func (h *handling) refuse(text string) error {
	return h.refuseUnder(h.e.answerBudget(), keyRefusal, text)
}

// refuseUnder answers the sender that nothing changed, within budget b. A
// refusal goes only to a roster member, at their roster address and by
// their roster name: anything else would go to whatever From was forged
// (backscatter). A refusal that cannot be rendered is logged and not sent;
// it never fails the message. A database error is returned like any other.
func (h *handling) refuseUnder(b budget, key, text string) error {
	member, ok := h.proj.Member(h.msg.From.Email)
	if !ok {
		return nil
	}
	to := mailflow.Person{Name: member.Name, Email: member.Email}
	if ok, err := h.within(b, to.Email); err != nil || !ok {
		return err
	}
	data := templates.Error{Common: h.e.common(h.proj, to, false, ""), Subject: clip(cleanReSubject(h.msg.Subject), maxQuoted), Refusal: text}
	err := h.queue(true, outgoing{kind: mailflow.MailError, idemKey: fmt.Sprintf("%s%s:%d", key, h.proj.Name, h.row),
		to: to, data: data, inReplyTo: h.msg.MessageID, references: h.threadRefs()})
	var re errRender
	if errors.As(err, &re) {
		h.log.Error("refusal not sent: it could not be rendered", "err", err)
		return nil
	}
	return err
}

// maxQuoted bounds the text of a message that could be forged when an
// answer quotes it: enough for its owner to recognise it, too little to
// carry someone else's message through the project's address.
const (
	maxQuoted      = 60
	maxQuotedLines = 3
)

// clip shortens s to n characters on one line, marking the cut.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

// unauthenticatedRefusal tells a roster member that a mail in their name
// could not be authenticated: what it asked for, why it was refused, and
// what to do, whether or not they sent it. What it quotes of the mail is
// clipped: the mail may be a forgery written to be relayed.
func (h *handling) unauthenticatedRefusal(v verdict) string {
	var asked []string
	for _, l := range h.text.lines {
		if l.IsCommand || l.Problem != "" {
			asked = append(asked, clip(l.Command.Text, maxQuoted))
		}
	}
	what := "a mail"
	if len(asked) > 0 {
		what = fmt.Sprintf("a mail asking for %q", listSome(asked, maxQuotedLines))
	}
	return fmt.Sprintf("mailflow received %s in your name (subject %q), but could not confirm that it came from you: %s. Nothing was changed. "+
		"If you sent it, reply directly to a mail that mailflow sent you: its reply address carries a code that proves the reply is yours. "+
		"If this was not you, tell the project chair.", what, clip(cleanReSubject(h.msg.Subject), maxQuoted), v.reason)
}

// allowAnswer applies the answer budget of the sender's replies.
func (h *handling) allowAnswer() (bool, error) {
	return h.within(h.e.answerBudget(), h.msg.From.Email)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// threadRefs is the References header for an answer to this message.
func (h *handling) threadRefs() []string {
	refs := append([]string{}, h.msg.References...)
	if h.msg.MessageID != "" {
		refs = append(refs, h.msg.MessageID)
	}
	return refs
}

// cleanReSubject removes the reply prefixes so that our "Re: " is the only one.
func cleanReSubject(s string) string {
	return strings.TrimSpace(reReplyPrefix.ReplaceAllString(s, ""))
}
