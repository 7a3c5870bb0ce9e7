package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/store"
)

// A budget bounds one sort of mail the project's address sends a member in
// answer to mail in their name. Each sort has its own, so that mail forged
// in a member's name — which anyone can send — can neither make the
// address flood them nor use up what their own replies are answered from.
type budget struct {
	what     string // for the log: "answers", "confirmation requests", …
	kinds    []mailflow.MailKind
	prefixes []string // idempotency-key prefixes of the mails it counts
	per      time.Duration
	limit    int
}

// Idempotency-key prefixes of the answers, naming what caused them.
const (
	keyAck     = "ack:"     // changes made
	keyError   = "error:"   // commands that failed
	keyRefusal = "refusal:" // an authenticated request that cannot be carried out
	keyConfirm = "confirm:" // minutes held for their sender's confirmation
	keyUnauth  = "unauth:"  // a reply in a member's name that was not authenticated
)

// Budgets for answers to mail that could be forged. Minutes are held
// however many arrive (nothing is lost); the requests to confirm them, and
// the refusals of unauthenticated replies, are what is bounded: a member
// whose address is being forged in bulk gets a few mails a day, each
// listing what else is waiting.
const (
	confirmRequestsPerDay = 5
	unauthRefusalsPerDay  = 3
)

// answerBudget bounds the acks and errors of authenticated replies:
// security.reply_rate_limit an hour.
func (e *Engine) answerBudget() budget {
	return budget{what: "answers", kinds: []mailflow.MailKind{mailflow.MailAck, mailflow.MailError},
		prefixes: []string{keyAck, keyError, keyRefusal}, per: time.Hour, limit: e.cfg.Security.ReplyRateLimit}
}

var confirmBudget = budget{what: "confirmation requests", kinds: []mailflow.MailKind{mailflow.MailConfirm},
	prefixes: []string{keyConfirm}, per: 24 * time.Hour, limit: confirmRequestsPerDay}

var unauthBudget = budget{what: "refusals of unauthenticated mail", kinds: []mailflow.MailKind{mailflow.MailError},
	prefixes: []string{keyUnauth}, per: 24 * time.Hour, limit: unauthRefusalsPerDay}

// counts reports whether an outgoing mail is one the budget counts.
func (b budget) counts(o outgoing) bool { return b.countsKind(o.kind, o.idemKey) }

// countsKind reports whether a mail of kind with idempotency key idemKey
// is one the budget counts.
func (b budget) countsKind(kind mailflow.MailKind, idemKey string) bool {
	if !slices.Contains(b.kinds, kind) {
		return false
	}
	for _, p := range b.prefixes {
		if strings.HasPrefix(idemKey, p) {
			return true
		}
	}
	return false
}

// within reports whether the budget allows one more mail to rcpt now,
// counting what the outbox holds and what this batch has queued. When it
// does not, it logs so: the administrator sees why a member got no answer.
func (h *handling) within(b budget, rcpt string) (bool, error) {
	n, err := h.spent(b, rcpt)
	if err != nil {
		return false, err
	}
	if n >= b.limit {
		h.log.Warn("answer budget spent; not answering", "budget", b.what, "limit", b.limit, "per", b.per, "recipient", rcpt)
		return false, nil
	}
	return true, nil
}

// spent counts the mails to rcpt that budget b counts: those the outbox
// holds and those this batch has queued, up to the limit. Within a batch
// the outbox is read for the first ask only (mailQueue.counted): every
// reply asks, and a busy sender's replies come together.
func (h *handling) spent(b budget, rcpt string) (int, error) {
	if h.mails != nil {
		if n, ok := h.mails.counted(h.proj.ID, rcpt, b); ok {
			return n, nil
		}
	}
	q := store.RecentMail{ProjectID: h.proj.ID, Recipient: rcpt, KeyPrefixes: b.prefixes, Since: h.now.Add(-b.per)}
	for _, k := range b.kinds {
		q.Kinds = append(q.Kinds, string(k))
	}
	n, err := h.tx.CountRecentMail(q, b.limit)
	if err != nil {
		return 0, fmt.Errorf("count recent %s to %s: %w", b.what, rcpt, err)
	}
	if h.mails != nil {
		n += h.mails.recent(h.proj.ID, rcpt, b)
		h.mails.remember(h.proj.ID, rcpt, b, n)
	}
	return n, nil
}
