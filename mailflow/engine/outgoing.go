package engine

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	"mailflow/mailflow/compose"
	"mailflow/store"
	"mailflow/templates"
)

// outgoing is one mail to queue.
type outgoing struct {
	kind       mailflow.MailKind
	idemKey    string
	to         mailflow.Person
	data       any    // a templates.* value with Common filled
	thing      string // what a reply acts on; "" gives a plain Reply-To
	about      []string
	inReplyTo  string
	references []string
	calendar   []calendar.Item // events of the attached .ics, if any
	inline     []compose.Inline
	attach     []compose.File
}

// common fills the fields every template shares.
func (e *Engine) common(p *Project, to mailflow.Person, canReply bool, exampleRef string) templates.Common {
	name := to.Name
	if name == "" {
		if m, ok := p.Member(to.Email); ok {
			name = m.Name
		}
	}
	if f := strings.Fields(name); len(f) > 0 {
		name = f[0] // "Hello Alice", not "Hello Alice Moreau"
	}
	return templates.Common{
		Project:        compose.TextSafe(p.Name),
		ProjectAddress: p.Address,
		RecipientName:  compose.TextSafe(name),
		RecipientEmail: to.Email,
		CanReply:       canReply && e.signer.Enabled(),
		ExampleRef:     exampleRef,
	}
}

// enqueue renders and queues a mail in tx. It reports false when a mail
// with the same idempotency key was queued before.
func (e *Engine) enqueue(tx *store.Tx, p *Project, o outgoing, now time.Time) (bool, error) {
	n, err := e.enqueueAll(tx, p, []outgoing{o}, now)
	return n == 1, err
}

// enqueueAll queues mails in tx, in order, skipping those whose idempotency
// key was queued before, and returns how many it queued. Rendering is the
// costly part and needs no database, so the mails are rendered on as many
// goroutines as there are CPUs; minutes go to every participant, each
// with their own items, reply address and calendar.
func (e *Engine) enqueueAll(tx *store.Tx, p *Project, os []outgoing, now time.Time) (int, error) {
	if e.preview != nil {
		*e.preview = append(*e.preview, os...)
		return len(os), nil
	}
	var todo []outgoing
	for _, o := range os {
		exists, err := tx.HasMail(o.idemKey)
		if err != nil {
			return 0, err
		}
		if !exists {
			todo = append(todo, o)
		}
	}
	shareSections(todo)
	mails := make([]store.Mail, len(todo))
	errs := make([]error, len(todo))
	parallel(len(todo), func(i int) { mails[i], errs[i] = e.compose(p, todo[i], now) })
	n := 0
	for i, m := range mails {
		if errs[i] != nil {
			return n, errRender{errs[i]}
		}
		queued, err := tx.Enqueue(m, []string{todo[i].to.Email}, now)
		if err != nil {
			return n, err
		}
		if queued {
			n++
		}
	}
	return n, nil
}

// shareSections lets the minutes mails among os that show their readers
// the same meeting — one minutes, queued to each participant at once —
// render what they have in common once between them (templates.Memo):
// each reader's mail then costs only their own part. The mails are the
// same bytes as rendered one by one.
func shareSections(os []outgoing) {
	var first templates.Minutes
	var memo *templates.Memo
	for i := range os {
		m, ok := os[i].data.(templates.Minutes)
		if !ok {
			continue
		}
		if memo == nil || !m.SameShared(first) {
			first, memo = m, templates.NewMemo()
		}
		os[i].data = m.WithMemo(memo)
	}
}

// compose renders o into the outbox row that carries it. A panic while
// rendering (a bug in a template function, say) fails the message that
// caused the mail, as a panic while handling it would.
func (e *Engine) compose(p *Project, o outgoing, now time.Time) (_ store.Mail, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = failf("internal error while rendering the %s mail (please report): %v\n%s", o.kind, r, debug.Stack())
		}
	}()
	r, err := e.templates.Render(string(o.kind), o.data)
	if err != nil {
		return store.Mail{}, fmt.Errorf("render %s mail: %w", o.kind, err)
	}
	var ics []byte
	if len(o.calendar) > 0 {
		if ics, err = calendar.Encode(p.Name, p.Address, o.calendar, now); err != nil {
			return store.Mail{}, fmt.Errorf("calendar for the %s mail to %s: %w", o.kind, o.to.Email, err)
		}
	}
	domain := p.Domain()
	msgID := compose.NewMessageID(domain, now)
	replyTo := p.Address
	if o.thing != "" && e.signer.Enabled() {
		replyTo = e.signer.Address(p.Address, p.Name, o.thing, o.to.Email)
	}
	raw, err := compose.Build(compose.Mail{
		Kind:       o.kind,
		FromName:   p.Name,
		From:       e.cfg.SMTP.From,
		To:         []string{o.to.Email},
		ReplyTo:    replyTo,
		Subject:    r.Subject,
		Text:       r.Text,
		HTML:       r.HTML,
		MessageID:  msgID,
		InReplyTo:  o.inReplyTo,
		References: o.references,
		Date:       now,
		LoopID:     p.Address,
		Calendar:   ics,
		Inline:     o.inline,
		Attach:     o.attach,
	})
	if err != nil {
		return store.Mail{}, fmt.Errorf("build %s mail to %s: %w", o.kind, o.to.Email, err)
	}
	return store.Mail{
		ProjectID:    p.ID,
		IdemKey:      o.idemKey,
		Kind:         string(o.kind),
		EnvelopeFrom: e.cfg.SMTP.From,
		Subject:      r.Subject,
		MessageID:    msgID,
		About:        strings.Join(o.about, " "),
		Raw:          raw,
	}, nil
}

// maxPendingMails bounds the mails queued and not yet in the outbox: past
// it the batch writes out what is rendered (drain) before its next
// message.
var maxPendingMails = 500

// mailQueue holds the mail a batch of messages causes. Each mail starts
// rendering in the background when it is queued, while the batch goes on
// with its next message; drain writes the mails rendered so far to the
// outbox, and before the batch commits flush writes the rest, always in
// the order they were queued. So rendering, the costliest part of
// handling minutes, runs beside the database work instead of holding it
// up, and the mail still commits with its cause.
type mailQueue struct {
	e     *Engine
	sem   chan struct{} // bounds the renders running at once
	wg    sync.WaitGroup
	mails []*pendingMail
	keys  map[string]bool // idempotency keys queued in this batch
	// queued is every mail queued in this batch, written out or not, and
	// budgets what each answer budget asked counted when it was first
	// asked (see counted).
	queued  []queuedMail
	budgets map[budgetKey]budgetCount
}

// queuedMail is what an answer budget reads of a mail queued.
type queuedMail struct {
	proj    int64
	to      string
	kind    mailflow.MailKind
	idemKey string
}

// budgetKey names one budget of one recipient.
type budgetKey struct {
	proj int64
	to   string
	what string
}

// budgetCount is what a budget counted when first asked in the batch:
// n mails, with queued[:at] already among them.
type budgetCount struct {
	n, at int
}

// pendingMail is a queued mail and, once rendered, its outbox row.
type pendingMail struct {
	o        outgoing
	proj     *Project
	now      time.Time
	optional bool          // a render failure is logged and the mail dropped
	done     chan struct{} // closed once mail and err are set
	mail     store.Mail
	err      error
}

func (e *Engine) newMailQueue() *mailQueue {
	return &mailQueue{e: e, sem: make(chan struct{}, runtime.GOMAXPROCS(0)), keys: map[string]bool{}}
}

// add queues mails unless their idempotency key was queued before in this
// batch. The keys of the mail a message causes name the message's own
// record, so the outbox cannot hold them yet; should one be there all the
// same, writing it changes nothing (Enqueue keeps the first).
func (q *mailQueue) add(p *Project, os []outgoing, now time.Time, optional bool) {
	os = slices.Clone(os) // shareSections changes the data, not the caller's
	shareSections(os)
	for _, o := range os {
		if q.keys[o.idemKey] {
			continue
		}
		q.keys[o.idemKey] = true
		q.queued = append(q.queued, queuedMail{proj: p.ID, to: o.to.Email, kind: o.kind, idemKey: o.idemKey})
		pm := &pendingMail{o: o, proj: p, now: now, optional: optional, done: make(chan struct{})}
		q.mails = append(q.mails, pm)
		q.wg.Go(func() {
			q.sem <- struct{}{}
			defer func() { <-q.sem }()
			pm.mail, pm.err = q.e.compose(p, o, now)
			close(pm.done)
		})
	}
}

// queueMark is how far the queue was when a message's handling began.
type queueMark struct{ mails, queued int }

// mark and rollback undo what one message queued when its savepoint is
// rolled back. A render still running for a dropped mail finishes unseen.
func (q *mailQueue) mark() queueMark { return queueMark{len(q.mails), len(q.queued)} }

func (q *mailQueue) rollback(mark queueMark) {
	for _, pm := range q.mails[mark.mails:] {
		delete(q.keys, pm.o.idemKey)
	}
	q.mails = q.mails[:mark.mails]
	q.queued = q.queued[:mark.queued]
	// A count taken during the message may hold the mails just dropped.
	clear(q.budgets)
}

// recent counts the mails to rcpt queued and not yet written out that a
// budget counts: the budget adds them to what the outbox holds.
func (q *mailQueue) recent(projectID int64, rcpt string, b budget) int {
	n := 0
	for _, pm := range q.mails {
		if pm.proj.ID == projectID && pm.o.to.Email == rcpt && b.counts(pm.o) {
			n++
		}
	}
	return n
}

// counted returns what budget b counts for rcpt, when it was asked before
// in this batch: that count and the mails queued since. The outbox is not
// read again: nothing but this batch writes the mail it counts meanwhile
// (another host's batch, on a shared database, is not seen either way
// before it commits). The count is as of the first ask; a mail that has
// left the budget's window since is still counted, which errs on the side
// of answering less.
func (q *mailQueue) counted(projectID int64, rcpt string, b budget) (int, bool) {
	c, ok := q.budgets[budgetKey{projectID, rcpt, b.what}]
	if !ok {
		return 0, false
	}
	n := c.n
	for _, m := range q.queued[c.at:] {
		if m.proj == projectID && m.to == rcpt && b.countsKind(m.kind, m.idemKey) {
			n++
		}
	}
	return n, true
}

// remember keeps n, the count budget b took for rcpt, for counted.
func (q *mailQueue) remember(projectID int64, rcpt string, b budget, n int) {
	if q.budgets == nil {
		q.budgets = map[budgetKey]budgetCount{}
	}
	q.budgets[budgetKey{projectID, rcpt, b.what}] = budgetCount{n: n, at: len(q.queued)}
}

// wait lets every render finish.
func (q *mailQueue) wait() { q.wg.Wait() }

// drain writes to the outbox, in order, the mails at the head of the
// queue that are rendered, and waits for a render only while more than
// half of maxPendingMails would stay queued. The renders behind go on
// meanwhile: the batch's database work and its rendering overlap, instead
// of taking turns, and the mail held in memory stays bounded.
func (q *mailQueue) drain(tx *store.Tx) error {
	return q.writeOut(tx, maxPendingMails/2)
}

// flush waits for every render and writes the mails to the outbox. A
// render that failed is an error (the batch is rolled back), except for
// optional mail, which is logged and dropped.
func (q *mailQueue) flush(tx *store.Tx) error {
	if err := q.writeOut(tx, 0); err != nil {
		return err
	}
	q.wait()
	return nil
}

// writeOut writes the queued mails to the outbox in order, waiting for
// their renders until no more than keep are left; past that it writes only
// those already rendered.
func (q *mailQueue) writeOut(tx *store.Tx, keep int) error {
	n := 0
	defer func() { q.mails = slices.Delete(q.mails, 0, n) }()
	for ; n < len(q.mails); n++ {
		pm := q.mails[n]
		if len(q.mails)-n > keep {
			<-pm.done
		} else {
			select {
			case <-pm.done:
			default:
				return nil
			}
		}
		if pm.err != nil {
			if pm.optional {
				q.e.log.Error("dropping a mail that could not be rendered", "kind", pm.o.kind, "to", pm.o.to.Email, "err", pm.err)
				continue
			}
			return errRender{pm.err}
		}
		if _, err := tx.Enqueue(pm.mail, []string{pm.o.to.Email}, pm.now); err != nil {
			return err
		}
	}
	return nil
}

// errRender is a mail of the batch that could not be rendered.
type errRender struct{ err error }

func (e errRender) Error() string { return e.err.Error() }
func (e errRender) Unwrap() error { return e.err }
