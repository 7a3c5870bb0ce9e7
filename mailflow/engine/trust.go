package engine

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/views"
	"mailflow/store"
	"mailflow/templates"
)

// verdict says whether the sender named in a message's From is
// authenticated, and how.
type verdict struct {
	ok bool
	// strong is an authentication by the sender's own mail system: not a
	// reply address (which travels with the mail it came in), nor a
	// confirmation afterwards, nor require_auth turned off. Only then may
	// minutes reach outside attendees.
	strong bool
	// scope is what the message may change (see scope).
	scope  scope
	how    string // for the audit trail: "signed reply address", …
	reason string // why not, when not ok: logged and told to the member
}

// authenticate decides whether the message's From is who sent it: a
// trusted DKIM/SPF/DMARC pass for its domain, or a reply to a signed reply
// address issued to that address (which vouches only for what the mail it
// answers was about). With require_auth off every roster member's mail
// counts.
func (h *handling) authenticate(tg target) verdict {
	sec := h.e.cfg.Security
	mta := h.e.senderVerdict(h.msg)
	if mta.Pass {
		return verdict{ok: true, strong: true, scope: everything, how: mta.Reason}
	}
	if !sec.RequireAuthentication() {
		return verdict{ok: true, scope: everything, how: "not authenticated (require_auth is off)"}
	}
	if tg.tokenValid {
		return verdict{ok: true, scope: scopeOfThing(tg.thing), how: "sent to a signed reply address"}
	}
	reason := "no signed reply address, and " + mta.Reason
	if sec.TrustedAuthservID == "" && !sec.TrustExchangeInternal {
		reason = "the mail did not come through a signed reply address, and mailflow is not set up to read your mail server's DKIM results (trusted_authserv_id)"
	}
	if tg.token != "" {
		reason = tg.tokenProblem
	}
	return verdict{reason: reason}
}

// hold keeps minutes that could not be authenticated: nothing is recorded
// and nobody else is mailed; the roster member named in From gets, at their
// roster address, a request to confirm them showing what would be
// recorded. A chair may confirm them too ("confirm H-12"). Minutes are
// held however many arrive, so nothing a member sent is lost; the requests
// are bounded (confirmBudget), and each lists the other minutes waiting.
func (h *handling) hold(tg target, member config.Member, parsed mailflow.Minutes, v verdict) error {
	h.log.Warn("minutes held until their sender confirms them", "reason", v.reason)
	h.result.Outcome, h.result.Reason = store.OutcomeHeld, "minutes not authenticated, held for their sender's confirmation: "+v.reason
	if err := h.tx.UpdateMessageOutcome(h.row, string(mailflow.KindMinutes), store.OutcomeHeld, h.result.Reason, h.d.Raw, h.now); err != nil {
		return err
	}
	to := mailflow.Person{Name: member.Name, Email: member.Email}
	if ok, err := h.within(confirmBudget, to.Email); err != nil || !ok {
		return err
	}
	data, err := h.confirmRequest(tg, to, parsed, v)
	if err != nil {
		return err
	}
	return h.queue(false, outgoing{kind: mailflow.MailConfirm, idemKey: fmt.Sprintf("%s%s:%d", keyConfirm, h.proj.Name, h.row),
		to: to, data: data, thing: heldThing(h.row), about: []string{fmt.Sprintf("held:%d", h.row)}})
}

// maxHeldSubject bounds the subject a confirmation request quotes: the
// minutes may be a forgery, and the request must not carry its text far.
const maxHeldSubject = 100

// confirmRequest is what a member is shown of minutes held in their name:
// what would be recorded, which meeting they would replace if they correct
// one, and what else waits for their word.
func (h *handling) confirmRequest(tg target, to mailflow.Person, parsed mailflow.Minutes, v verdict) (templates.Confirm, error) {
	loc := h.proj.Location
	days := h.e.heldDays()
	today := mailflow.DateOf(h.now.In(loc))
	data := templates.Confirm{
		Common:     h.e.common(h.proj, to, false, ""),
		Ref:        heldRef(h.row),
		Subject:    clip(h.msg.Subject, maxHeldSubject),
		Received:   h.now.In(loc).Format("Mon 2 Jan 2006 15:04"),
		Reason:     v.reason,
		Expires:    mailflow.DateOf(h.now.In(loc).AddDate(0, 0, days)).Human(),
		Recipients: len(h.minutesRecipients(parsed, verdict{})),
		Title:      parsed.Meeting.Title,
		Date:       parsed.Meeting.Date.Human(),
	}
	if mt, corrects, err := h.findMeeting(tg, parsed.Meeting); err != nil {
		return data, err
	} else if corrects {
		data.Replaces = mt.Title
		if d, err := mailflow.ParseDate(mt.MeetingDate); err == nil {
			data.Replaces += ", " + d.Human()
		}
	}
	held, err := h.tx.HeldFrom(h.proj.ID, to.Email, h.now.AddDate(0, 0, -days))
	if err != nil {
		return data, err
	}
	for _, m := range held {
		if m.ID != h.row {
			data.Others = append(data.Others, templates.Held{Ref: heldRef(m.ID), Subject: clip(m.Subject, maxHeldSubject),
				Received: m.ProcessedAt.In(loc).Format("Mon 2 Jan 2006 15:04")})
		}
	}
	for _, pi := range parsed.ActionItems {
		data.Items = append(data.Items, views.Item(previewItem(pi), today, h.proj))
	}
	for _, pr := range parsed.Risks {
		data.Risks = append(data.Risks, views.Risk(store.Risk{Description: pr.Description, Mitigation: pr.Mitigation,
			Likelihood: string(pr.Likelihood), Impact: string(pr.Impact), Owner: ownerEmail(pr.Owner), OwnerName: pr.OwnerText}, h.proj))
	}
	for _, d := range parsed.Decisions {
		data.Decisions = append(data.Decisions, d.Text)
	}
	return data, nil
}

// previewItem is a parsed item as it would be stored, for showing it
// before it is.
func previewItem(pi mailflow.ActionItem) store.Item {
	it := store.Item{Text: pi.Text, Owner: ownerEmail(pi.Owner), OwnerName: pi.OwnerText, Due: pi.Due.String(), Status: string(pi.Status)}
	return it
}

// ownerEmail keeps an owner that is an address; a name alone is kept as
// the owner's name instead.
func ownerEmail(owner string) string {
	if strings.Contains(owner, "@") {
		return owner
	}
	return ""
}

func heldRef(id int64) string { return fmt.Sprintf("H-%d", id) }

// heldThing names held minutes in a reply token, as replyaddr names items
// and meetings.
func heldThing(id int64) string { return fmt.Sprintf("h%d", id) }

var reConfirmRef = regexp.MustCompile(`(?i)^\s*confirm\s+H-(\d{1,12})\b`)
var reConfirm = regexp.MustCompile(`(?i)^\s*(confirm(ed)?|yes|publish)\b`)

// confirmation returns the held minutes a reply confirms: "confirm H-12"
// anywhere, or "confirm" as the first line of a reply to a confirmation
// request.
func (h *handling) confirmation(tg target) (int64, bool) {
	first := true
	for _, l := range strings.Split(h.text.reply, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if m := reConfirmRef.FindStringSubmatch(l); m != nil {
			var id int64
			fmt.Sscan(m[1], &id)
			return id, true
		}
		if first && tg.heldID != 0 && reConfirm.MatchString(l) {
			return tg.heldID, true
		}
		first = false
	}
	return 0, false
}

// confirmHeld publishes held minutes on the word of the member they name,
// or of a chair, as if they had just arrived authenticated: they are
// recorded under their own message, in their sender's name, and mailed.
func (h *handling) confirmHeld(id int64, member config.Member, sc scope) error {
	ref := heldRef(id)
	held, err := h.tx.HeldMessage(h.proj.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return h.declineConfirm(fmt.Sprintf("There are no minutes %s awaiting confirmation: they have been published already, or have expired. Nothing was changed.", ref),
			"no held minutes "+ref)
	} else if err != nil {
		return err
	}
	if held.Sender != member.Email && member.Role != string(mailflow.RoleChair) {
		return h.declineConfirm(fmt.Sprintf("Minutes %s can be confirmed only by the person who sent them or by a chair of the project. Nothing was changed.", ref),
			"confirmation of "+ref+" by someone who may not")
	}
	if !sc.allowsConfirm(id, held.Sender, member.Email) {
		return h.declineConfirm(fmt.Sprintf("Minutes %s were sent by %s, and the mail you replied to was not about them: to confirm them, reply \"confirm %s\" to the minutes of a meeting, or send from an address your mail server signs (DKIM). Nothing was changed.", ref, held.Sender, ref),
			"confirmation of "+ref+" outside the reply address's scope")
	}
	expires := held.ProcessedAt.AddDate(0, 0, h.e.heldDays())
	if h.now.After(expires) {
		if err := h.tx.UpdateMessageOutcome(held.ID, held.Kind, store.OutcomeIgnored, "held minutes expired unconfirmed", nil, h.now); err != nil {
			return err
		}
		return h.declineConfirm(fmt.Sprintf("The minutes %s expired unpublished on %s. Please send them again.", ref, mailflow.DateOf(expires.In(h.proj.Location)).Human()),
			"held minutes "+ref+" expired")
	}
	msg, err := mailtext.Read(held.Raw)
	if err != nil {
		return failf("held minutes %s can no longer be read: %v", ref, err)
	}
	sub := &handling{e: h.e, tx: h.tx, proj: h.proj, msg: msg, d: Delivery{Raw: held.Raw}, key: held.MessageID,
		hash: held.ContentHash, log: h.log.With("held", ref), now: h.now, row: held.ID, mails: h.mails, memo: h.memo}
	tg, err := sub.findTarget()
	if err != nil {
		return err
	}
	parsed := sub.parsedMinutes()
	if err := h.e.checkSize(parsed); err != nil {
		return err
	}
	if err := sub.publish(tg, parsed, verdict{ok: true, how: "confirmed by " + member.Email}); err != nil {
		return err
	}
	if err := h.tx.UpdateMessageOutcome(held.ID, held.Kind, store.OutcomeProcessed, "", nil, h.now); err != nil {
		return err
	}
	if err := h.audit("", "minutes confirmed", "", fmt.Sprintf("%s %q from %s", ref, held.Subject, held.Sender)); err != nil {
		return err
	}
	h.log.Info("held minutes confirmed", "held", ref, "by", member.Email)
	if ok, err := h.allowAnswer(); err != nil || !ok {
		return err
	}
	data := templates.Ack{Common: h.e.common(h.proj, h.msg.From, false, ""), Subject: cleanReSubject(h.msg.Subject),
		Changes: []string{fmt.Sprintf("The minutes %q are published: everyone on the list has been mailed.", held.Subject)}}
	return h.queue(false, outgoing{kind: mailflow.MailAck, idemKey: fmt.Sprintf("%s%s:%d", keyAck, h.proj.Name, h.row),
		to: h.msg.From, data: data, inReplyTo: h.msg.MessageID, references: h.threadRefs()})
}

// declineConfirm answers a confirmation that cannot be carried out.
func (h *handling) declineConfirm(text, reason string) error {
	if err := h.refuse(text); err != nil {
		return err
	}
	return h.finish(store.OutcomeIgnored, reason)
}
