package engine

import (
	"errors"

	"mailflow/store"
)

// batchMemo remembers, for the transaction of one batch, what replies ask
// the database over and over: a busy project's replies thread to the same
// few minutes and mails, and each asked which meeting or mail that was
// (two or three statements a reply, a third of a reply's database work).
//
// What it remembers stays true while the batch runs, with two exceptions
// it is told of: a meeting written or a minutes message recorded may make
// a Message-ID name a meeting it did not, and minutes change what a
// meeting holds (forgetMeetings, before and after they do), and a message
// rolled back to its savepoint undoes whatever the batch learned during it
// (forget). A mail queued by the batch is not sent before it commits, so
// no reply in it can thread to one: a mail looked up and not found stays
// not found. A nil memo remembers nothing.
type batchMemo struct {
	mails    map[string]mailLookup
	meetings map[threadKey]meetingLookup
	// refs are the refs of a meeting's items and risks, by meeting id:
	// only minutes add items and risks to a meeting, or move them.
	refs map[int64][]string
}

type mailLookup struct {
	mail  store.Mail
	found bool
}

// threadKey is a Message-ID as one project sees it: projects reading one
// mailbox share a batch, and the same Message-ID (a chair's minutes sent to
// two project addresses) may be one project's meeting and not another's.
type threadKey struct {
	project int64
	id      string
}

type meetingLookup struct {
	meeting store.Meeting
	found   bool
}

func newBatchMemo() *batchMemo {
	return &batchMemo{mails: map[string]mailLookup{}, meetings: map[threadKey]meetingLookup{}, refs: map[int64][]string{}}
}

// forget drops everything remembered.
func (m *batchMemo) forget() {
	if m == nil {
		return
	}
	clear(m.mails)
	clear(m.meetings)
	clear(m.refs)
}

// forgetMeetings drops what is remembered of meetings: which meeting
// minutes made, and what each holds.
func (m *batchMemo) forgetMeetings() {
	if m != nil {
		clear(m.meetings)
		clear(m.refs)
	}
}

// mailByMessageID returns the outbox mail whose Message-ID is id, as
// tx.MailByMessageID does, remembering the answer.
func (h *handling) mailByMessageID(id string) (store.Mail, bool, error) {
	m := h.memo
	if m != nil {
		if hit, ok := m.mails[id]; ok {
			return hit.mail, hit.found, nil
		}
	}
	mail, err := h.tx.MailByMessageID(id)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return mail, false, err
	}
	if m != nil {
		m.mails[id] = mailLookup{mail: mail, found: found}
	}
	return mail, found, nil
}
