package engine

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/replyaddr"
	"mailflow/mailflow/screen"
	"mailflow/store"
)

// handling is the work on one message inside its transaction.
type handling struct {
	e    *Engine
	tx   *store.Tx
	proj *Project
	msg  *mailtext.Message
	text textFacts
	d    Delivery
	key  string
	hash string
	log  *slog.Logger
	now  time.Time
	row  int64 // messages.id of this message
	// mails is the batch's mail queue; nil renders each mail as it is
	// queued.
	mails *mailQueue
	// memo is what the batch has looked up before; nil looks up again.
	memo *batchMemo

	result Result
	// problems are found while handling (corrections left out, attendees
	// not mailed) and shown, with the parser's, in the sender's copy.
	problems []string
}

// target is what a reply is about, found from its reply token, its
// threading headers or the refs it names.
type target struct {
	token      string // the +token found in the recipients, if any
	tokenValid bool   // the token verified for this sender
	thing      string // what a valid token names ("a12", "m3", "digest")
	refs       []string
	meetingID  int64
	heldID     int64  // held minutes a confirmation request was about
	threadedTo string // Message-ID of the mail of ours (or minutes) it answers
	// tokenProblem says why a token was not accepted, for the refusal.
	tokenProblem string
}

// single returns the one ref the reply is about, if there is exactly one.
func (t target) single() string {
	if len(t.refs) == 1 {
		return t.refs[0]
	}
	return ""
}

var reRef = regexp.MustCompile(`(?i)\b([AR])-(\d{1,9})\b`)

func (h *handling) run() error {
	h.now = h.e.now()
	reason, self := screen.DoNotAnswer(h.msg, h.e.own, h.e.cfg.Security.AllowLists)
	if self {
		return failf("%s", reason)
	}
	tg, err := h.findTarget()
	if err != nil {
		return err
	}
	kind := h.classify(tg)
	m := store.Message{ProjectID: h.proj.ID, MessageID: h.key, ContentHash: h.hash, Mailbox: h.d.Mailbox,
		UIDValidity: h.d.UIDValidity, UID: h.d.UID, Sender: h.msg.From.Email, Subject: h.msg.Subject,
		Kind: string(kind), Outcome: store.OutcomeProcessed, ReceivedAt: h.now, ProcessedAt: h.now}
	if !h.msg.Date.IsZero() {
		m.ReceivedAt = h.msg.Date
	}
	if kind == mailflow.KindMinutes {
		// Recorded as minutes, the message may be what a Message-ID
		// threads to from now on.
		h.memo.forgetMeetings()
	}
	if h.row, err = h.tx.InsertMessage(m); errors.Is(err, store.ErrDuplicate) {
		// Another host on the same database recorded it between the
		// look-up and now: it is that host's to handle.
		h.result = Result{Project: h.proj.Name, MessageID: h.key, Kind: kind, Outcome: store.OutcomeProcessed, Duplicate: true}
		return nil
	} else if err != nil {
		return err
	}
	h.result = Result{Project: h.proj.Name, MessageID: h.key, Kind: kind, Outcome: store.OutcomeProcessed}
	if reason != "" {
		if reason == screen.Report {
			return h.bounce()
		}
		return h.finish(store.OutcomeIgnored, reason)
	}
	switch kind {
	case mailflow.KindMinutes:
		return h.minutes(tg)
	case mailflow.KindReply:
		return h.reply(tg)
	}
	return h.finish(store.OutcomeIgnored, "neither minutes nor a reply with commands")
}

// queue queues the mail this message causes. Optional mail that cannot be
// rendered is logged and dropped instead of failing the message.
func (h *handling) queue(optional bool, os ...outgoing) error {
	if h.mails != nil {
		h.mails.add(h.proj, os, h.now, optional)
		return nil
	}
	_, err := h.e.enqueueAll(h.tx, h.proj, os, h.now)
	return err
}

// finish records the outcome of the message.
func (h *handling) finish(outcome, reason string) error {
	h.result.Outcome, h.result.Reason = outcome, reason
	if outcome == store.OutcomeProcessed && reason == "" {
		return nil
	}
	// The reason is in the log as well as the database: an administrator
	// reading the journal sees why a mail changed nothing.
	h.log.Info("message not acted on", "outcome", outcome, "kind", h.result.Kind, "reason", reason)
	return h.tx.UpdateMessageOutcome(h.row, string(h.result.Kind), outcome, reason, nil, h.now)
}

// findTarget works out what the message replies to (steps 1 and 2 of the
// association order; refs in the text are step 3, per command).
func (h *handling) findTarget() (target, error) {
	var tg target
	tg.token = replyaddr.Find(h.proj.Address, recipientAddrs(h.msg))
	if tg.token != "" {
		thing, err := h.e.signer.Verify(tg.token, h.proj.Name, h.msg.From.Email)
		if err == nil {
			tg.tokenValid, tg.thing = true, thing
			if ref := replyaddr.RefOfThing(thing); ref != "" {
				tg.refs = []string{ref}
			} else if id, ok := thingID(thing, "m"); ok {
				tg.meetingID = id
			} else if id, ok := thingID(thing, "h"); ok {
				tg.heldID = id
			}
		} else if errors.Is(err, replyaddr.ErrExpired) {
			tg.tokenProblem = fmt.Sprintf("the reply address it was sent to is older than %d days and no longer works: reply to a newer mail from mailflow",
				int(h.e.cfg.Security.ReplyTokenLifetime().Hours()/24))
		} else {
			tg.tokenProblem = "the reply address it was sent to was not issued to " + h.msg.From.Email
		}
	}
	ids := append([]string{}, h.msg.InReplyTo...)
	for i := len(h.msg.References) - 1; i >= 0; i-- {
		ids = append(ids, h.msg.References[i])
	}
	for _, id := range ids {
		mail, found, err := h.mailByMessageID(id)
		if err != nil {
			return tg, err
		}
		if found && mail.ProjectID == h.proj.ID {
			tg.threadedTo = id
			if len(tg.refs) == 0 && tg.meetingID == 0 {
				for _, f := range strings.Fields(mail.About) {
					if id, ok := strings.CutPrefix(f, "meeting:"); ok {
						tg.meetingID, _ = strconv.ParseInt(id, 10, 64)
					} else if id, ok := strings.CutPrefix(f, "held:"); ok {
						tg.heldID, _ = strconv.ParseInt(id, 10, 64)
					} else {
						tg.refs = append(tg.refs, f)
					}
				}
			}
			break
		}
		mt, found, err := h.meetingOfMinutes(id)
		if err != nil {
			return tg, err
		}
		if found {
			tg.threadedTo = id
			if tg.meetingID == 0 && len(tg.refs) == 0 {
				tg.meetingID = mt.ID
			}
			break
		}
	}
	return tg, nil
}

// meetingOfMinutes returns the meeting whose minutes carried Message-ID
// id. A message recorded under the id that holds no meeting (minutes
// held, refused, or a forgery that took the id first) is passed over for
// one that does.
func (h *handling) meetingOfMinutes(id string) (store.Meeting, bool, error) {
	if h.memo != nil {
		if hit, ok := h.memo.meetings[threadKey{h.proj.ID, id}]; ok {
			return hit.meeting, hit.found, nil
		}
	}
	mt, found, err := h.findMeetingOfMinutes(id)
	if err == nil && h.memo != nil {
		h.memo.meetings[threadKey{h.proj.ID, id}] = meetingLookup{meeting: mt, found: found}
	}
	return mt, found, err
}

func (h *handling) findMeetingOfMinutes(id string) (store.Meeting, bool, error) {
	prevs, err := h.tx.MessageVariants(h.proj.ID, id)
	if err != nil {
		return store.Meeting{}, false, err
	}
	for _, prev := range prevs {
		if prev.Kind != string(mailflow.KindMinutes) {
			continue
		}
		mt, err := h.tx.MeetingByMessage(prev.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return mt, false, err
		}
		return mt, true, nil
	}
	return store.Meeting{}, false, nil
}

// thingID reads the id of a token's thing with the given prefix ("m12").
func thingID(thing, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(thing, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// meetingRefs fills tg.refs with the refs of the meeting a reply is about,
// when it is about a meeting. It is called only when a command names no
// ref: most replies do, and the lookup is not free.
func (h *handling) meetingRefs(tg *target) error {
	if tg.meetingID == 0 || len(tg.refs) > 0 {
		return nil
	}
	if h.memo != nil {
		if refs, ok := h.memo.refs[tg.meetingID]; ok {
			tg.refs = slices.Clone(refs)
			return nil
		}
	}
	refs, err := h.tx.RefsOfMeeting(tg.meetingID)
	if err != nil {
		return err
	}
	if h.memo != nil {
		h.memo.refs[tg.meetingID] = refs
	}
	tg.refs = slices.Clone(refs)
	return nil
}

var reReplySubject = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|antw)\s*:`)

// classify decides whether a message is minutes, a reply or other.
func (h *handling) classify(tg target) mailflow.MessageKind {
	return kindOf(h.msg, h.text, tg.token != "" || tg.threadedTo != "")
}

// kindOf classifies a message read as t. answering says that it answers
// mail of ours or minutes we hold (a reply token, or threading to them).
func kindOf(msg *mailtext.Message, t textFacts, answering bool) mailflow.MessageKind {
	if answering {
		// A reply to our mail or to minutes is minutes only when the new
		// text is itself laid out as minutes ("here is the corrected version").
		if t.structured {
			return mailflow.KindMinutes
		}
		return mailflow.KindReply
	}
	if t.minutes && (!reReplySubject.MatchString(msg.Subject) || t.structured) {
		return mailflow.KindMinutes
	}
	for _, l := range t.lines {
		if l.IsCommand && l.Command.Ref != "" || reConfirmRef.MatchString(l.Command.Text) || reHealth.MatchString(l.Command.Text) {
			return mailflow.KindReply
		}
	}
	if reRef.MatchString(minutes.CleanSubject(msg.Subject)) && reReplySubject.MatchString(msg.Subject) {
		return mailflow.KindReply
	}
	return mailflow.KindOther
}

// bounce records a delivery report against the outbox mail it is about.
func (h *handling) bounce() error {
	ids := append(append([]string{}, h.msg.InReplyTo...), h.msg.References...)
	if id := findOriginalMessageID(h.d.Raw); id != "" {
		ids = append(ids, id)
	}
	about := ""
	for _, id := range ids {
		m, err := h.tx.MailByMessageID(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		about = fmt.Sprintf("outbox %d (%s to %s)", m.ID, m.Kind, strings.Join(m.Recipients(), ", "))
		break
	}
	if about == "" {
		return h.finish(store.OutcomeIgnored, "delivery report about a mail mailflow did not send")
	}
	h.log.Warn("bounce", "about", about)
	return h.finish(store.OutcomeIgnored, "bounce: "+about)
}

var reOrigID = regexp.MustCompile(`(?im)^(?:original-)?message-id:\s*<([^>]+)>`)

// findOriginalMessageID finds, in a delivery report (RFC 3464), the
// Message-ID of the mail it reports on: the returned headers
// (text/rfc822-headers) or message carry it. The report body is searched
// as raw bytes since those parts are not text for reading.
func findOriginalMessageID(raw []byte) string {
	_, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		_, body, _ = bytes.Cut(raw, []byte("\n\n"))
	}
	if m := reOrigID.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}
