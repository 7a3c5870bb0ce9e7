// Package engine is mailflow's core: it turns one incoming message into
// stored state and outgoing mail, in one transaction, and queues the
// periodic reminder digests and status reports.
//
// The engine does no network I/O. Intake hands it raw messages; it writes
// the outbox, which the sender drains.
package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/mail"
	"runtime/debug"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/delivery"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/reply"
	"mailflow/mailflow/replyaddr"
	"mailflow/mailflow/report"
	"mailflow/mailflow/screen"
	"mailflow/store"
	"mailflow/templates"
)

// Delivery and Result are what pass between the mailbox and the engine.
type (
	Delivery = delivery.Delivery
	Result   = delivery.Result
)

// Engine processes messages for every configured project.
type Engine struct {
	store     Store
	cfg       *config.Config
	templates *templates.Set
	signer    *replyaddr.Signer
	now       func() time.Time
	log       *slog.Logger
	projects  []*Project
	own       map[string]bool // addresses mailflow sends from
	// Set by tests: afterRead runs inside the reading of each message,
	// afterApply after each message is applied, inside its savepoint.
	afterRead, afterApply func(Delivery)
	// preview, on a copy of the engine made by dryRun, collects the mail
	// the engine's own code queues instead of writing it, and makes every
	// transaction roll back.
	preview *[]outgoing
}

// Project is a configured project with its database id.
type Project struct {
	*config.Project
	ID int64
}

// directory returns the roster as a name resolver.
func (p *Project) directory() *mailflow.Directory {
	d := mailflow.NewDirectory()
	for _, m := range p.Members {
		d.Add(mailflow.Person{Name: m.Name, Email: m.Email})
	}
	return d
}

func (p *Project) parseOptions() minutes.Options {
	return minutes.Options{
		Location: p.Location,
		Roster:   p.Roster(),
		Dates:    p.dateOptions(),
		Subjects: p.Subjects,
	}
}

func (p *Project) dateOptions() dates.Options {
	return dates.Options{DayFirst: p.DateOrder == "dmy", CadenceDays: p.MeetingCadenceDays, NoSpans: true}
}

// Store is what the engine asks of the store (a *store.Store): the
// projects it keeps, the reads of the periodic jobs, the dry run and
// reprocessing, what a status report reads, and transactions. Every
// change goes through Tx, whose *store.Tx stays the concrete type: the
// engine uses some forty of its methods, each a statement of the one
// transaction a message is handled in, and an interface of them all
// would only mirror it.
type Store interface {
	Tx(ctx context.Context, fn func(*store.Tx) error) error
	EnsureProject(ctx context.Context, name, address string) (int64, error)
	LastRun(ctx context.Context, projectID int64, job string) (time.Time, error)
	Meetings(ctx context.Context, projectID int64) ([]store.Meeting, error)
	MessagesByMessageID(ctx context.Context, messageID string) ([]store.Message, error)
	report.Store // Items, Risks and the rest a status report reads
}

// Options configure an Engine.
type Options struct {
	Store     Store
	Config    *config.Config
	Templates *templates.Set
	// Now is the clock; time.Now when nil. The demo and tests move it.
	Now    func() time.Time
	Logger *slog.Logger
}

// New returns an engine, creating the configured projects in the store.
func New(ctx context.Context, o Options) (*Engine, error) {
	e := &Engine{
		store:     o.Store,
		cfg:       o.Config,
		templates: o.Templates,
		now:       o.Now,
		log:       o.Logger,
		own:       map[string]bool{},
	}
	if e.now == nil {
		e.now = time.Now
	}
	e.signer = replyaddr.NewSigner(o.Config.Security.ReplyKey,
		replyaddr.WithLifetime(o.Config.Security.ReplyTokenLifetime()), replyaddr.WithClock(e.now))
	if e.log == nil {
		e.log = slog.Default()
	}
	if a, err := mail.ParseAddress(o.Config.SMTP.From); err == nil {
		e.own[strings.ToLower(a.Address)] = true
	}
	for i := range o.Config.Projects {
		pc := &o.Config.Projects[i]
		id, err := o.Store.EnsureProject(ctx, pc.Name, pc.Address)
		if err != nil {
			return nil, err
		}
		e.projects = append(e.projects, &Project{Project: pc, ID: id})
		e.own[pc.Address] = true
	}
	return e, nil
}

// Projects returns the configured projects.
func (e *Engine) Projects() []*Project { return e.projects }

// SetTemplates swaps the template set (on SIGHUP).
func (e *Engine) SetTemplates(t *templates.Set) { e.templates = t }

// messageError is a problem with the message itself (as opposed to the
// database): the message is recorded as failed and kept for a re-run.
type messageError struct{ reason string }

func (e *messageError) Error() string { return e.reason }

func failf(format string, args ...any) error {
	return &messageError{reason: fmt.Sprintf(format, args...)}
}

// Handle processes one message: records it, applies what it says, queues
// the mail it causes and advances the mailbox checkpoint, all in one
// transaction. An error return means the database failed and nothing was
// committed: the message stays where it is and is tried again.
func (e *Engine) Handle(ctx context.Context, d Delivery) (Result, error) {
	rs, err := e.HandleBatch(ctx, []Delivery{d})
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// HandleBatch processes messages in order, as Handle does, in a single
// transaction: one commit for the batch instead of one per message, which
// is most of what a busy mailbox costs the database. Each message runs
// inside its own savepoint, so a message that fails is rolled back alone
// and recorded as failed while the others keep their effects. The messages
// are read and parsed in parallel before the transaction starts. An error
// return means the database failed and nothing of the batch was committed.
func (e *Engine) HandleBatch(ctx context.Context, ds []Delivery) ([]Result, error) {
	return e.HandleRead(ctx, e.ReadBatch(ds))
}

// Batch is a batch of deliveries, and once read (ReadBatch) what the
// engine read from them: parsed, routed, named; not yet handled.
type Batch struct {
	ds []Delivery
	ms []incoming // nil until read
}

// Deliveries returns the batch's deliveries.
func (b *Batch) Deliveries() []Delivery { return b.ds }

// ReadBatch reads ds, in parallel, without the database: it may run while
// another batch is handled, so the next batch is read while the one before
// it is in the transaction. Handling it (HandleRead) is what records it.
func (e *Engine) ReadBatch(ds []Delivery) delivery.Batch {
	return &Batch{ds: ds, ms: e.readAll(ds)}
}

// HandleRead handles a batch as HandleBatch does; a batch ReadBatch did
// not read is read first.
func (e *Engine) HandleRead(ctx context.Context, b delivery.Batch) ([]Result, error) {
	var ms []incoming
	if read, ok := b.(*Batch); ok {
		ms = read.ms
	}
	if ms == nil {
		ms = e.readAll(b.Deliveries())
	}
	results, err := e.handleAll(ctx, ms, e.newMailQueue(), false)
	if errors.Is(err, errUnguarded) {
		// A message failed, and without a savepoint of its own its
		// writes could not be undone alone: the batch is rolled back and
		// handled again, each message inside a savepoint.
		e.log.Info("a message of the batch failed; handling the batch again, each message on its own", "err", firstLine(err.Error()))
		results, err = e.handleAll(ctx, ms, e.newMailQueue(), true)
	}
	var re errRender
	if errors.As(err, &re) {
		// A mail could not be rendered. Handled again with each mail
		// rendered in its message's turn, the failure belongs to the
		// message that caused the mail, which fails alone: its content
		// (an address, a template's view of it) is what broke the mail,
		// so the rest of the batch must not wait on it.
		e.log.Warn("a mail of the batch could not be rendered; handling the batch again, rendering as it goes", "err", firstLine(re.Error()))
		results, err = e.handleAll(ctx, ms, nil, true)
	}
	return results, err
}

// errUnguarded is a message that failed in a batch handled without a
// savepoint per message.
var errUnguarded = errors.New("a message failed outside a savepoint")

// handleAll handles ms in one transaction. With a queue, their mail is
// rendered in the background and written before the commit; without one,
// each mail is rendered and written as it is queued. Guarded, each message
// runs inside a savepoint of its own, so that one that fails is undone
// alone; unguarded, a message that fails fails the batch (errUnguarded).
// A batch is first handled unguarded: messages rarely fail, and the two
// statements a message the savepoint costs are two round trips each on
// PostgreSQL.
func (e *Engine) handleAll(ctx context.Context, ms []incoming, q *mailQueue, guarded bool) ([]Result, error) {
	results := make([]Result, len(ms))
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		memo := newBatchMemo()
		for i, m := range ms {
			if q != nil && len(q.mails) >= maxPendingMails {
				// Write what is rendered so far, so a batch of minutes to
				// large rosters does not hold all its mail in memory.
				if err := q.drain(tx); err != nil {
					return err
				}
			}
			res, err := e.handleOne(tx, m, q, memo, guarded)
			if err != nil {
				return fmt.Errorf("handle %s: %w", m.key, err)
			}
			results[i] = res
		}
		// The mailbox position moves past every message of the batch in
		// the transaction that holds what became of them.
		if err := e.checkpoints(tx, ms); err != nil {
			return err
		}
		if q != nil {
			return q.flush(tx)
		}
		return nil
	})
	if q != nil {
		q.wait() // after an error, no render outlives the batch
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}

// incoming is a delivered message read, routed and named, ready for its
// turn in the transaction.
type incoming struct {
	d       Delivery
	hash    string
	key     string // Message-ID, or "hash:" and the content hash
	proj    *Project
	msg     *mailtext.Message // nil only when even the header is unreadable
	problem error             // why the message cannot be handled, if it cannot
	log     *slog.Logger
	text    textFacts
}

// textFacts is what the engine reads from a message's text: functions of
// the message alone, worked out with the reading, off the transaction.
type textFacts struct {
	reply      string       // the new text of a reply: quotes and signature gone
	lines      []reply.Line // reply's lines, as commands and notes
	structured bool         // reply is laid out as minutes
	minutes    bool         // subject and text look like minutes, by the project's options
	// parsed is the message read as minutes, when it may be minutes.
	parsed *mailflow.Minutes
}

// readAll reads every delivery, on as many goroutines as there are CPUs:
// parsing MIME is the part of a message's handling that needs no database.
func (e *Engine) readAll(ds []Delivery) []incoming {
	out := make([]incoming, len(ds))
	parallel(len(ds), func(i int) { out[i] = e.read(ds[i]) })
	return out
}

// read parses one delivery and works out its project and key.
func (e *Engine) read(d Delivery) (in incoming) {
	in.d = d
	sum := sha256.Sum256(d.Raw)
	in.hash = hex.EncodeToString(sum[:])
	in.proj = e.projects[0]
	// Named by its content until its header is read, so even a message
	// that panics the reader is recorded, under a key of its own.
	in.key = "hash:" + in.hash
	in.log = e.log.With("project", in.proj.Name, "mailbox", d.Mailbox, "uid", d.UID, "message_id", in.key)
	defer func() {
		if r := recover(); r != nil {
			in.problem = failf("internal error while reading the message (please report): %v\n%s", r, debug.Stack())
		}
	}()
	if e.afterRead != nil {
		e.afterRead(d)
	}
	if d.TooLarge > 0 {
		in.problem = failf("message is %d bytes, over max_message_bytes (%d)", d.TooLarge, e.cfg.IMAP.MaxMessageBytes)
	} else {
		in.msg, in.problem = mailtext.Read(d.Raw)
		if in.problem == nil {
			if reason := screen.Quarantine(in.msg); reason != "" {
				in.problem = failf("%s", reason)
			}
		}
	}
	if in.msg == nil {
		in.msg = headerFacts(d.Raw) // route and name it by its header even when the body is broken
	}
	if in.msg != nil {
		in.proj = e.route(d.Mailbox, in.msg)
	}
	if in.msg != nil && in.msg.MessageID != "" {
		in.key = in.msg.MessageID
	}
	if in.problem == nil {
		in.text = readText(in.msg, in.proj)
	}
	in.log = e.log.With("project", in.proj.Name, "mailbox", d.Mailbox, "uid", d.UID, "message_id", in.key)
	return in
}

// fromRoster reports whether msg's From is a member of p, or p has no
// roster ("mailflow parse" without a config reads everything).
func fromRoster(msg *mailtext.Message, p *Project) bool {
	if len(p.Members) == 0 {
		return true
	}
	_, ok := p.Member(msg.From.Email)
	return ok
}

// readText reads what the engine needs from a message's text: the new
// text of a reply and its commands, whether it is laid out as minutes, and
// the minutes in it when it may be minutes. It is a function of the message
// and the project alone; "mailflow parse" reads a message with it too.
func readText(msg *mailtext.Message, p *Project) textFacts {
	var t textFacts
	t.reply = reply.Text(msg)
	t.lines = reply.ParseCommands(t.reply)
	t.structured = minutes.HasStructure(t.reply)
	t.minutes = minutes.IsMinutes(msg.Subject, msg.Text, p.parseOptions())
	// Minutes in a Word file or a forwarded mail, under a subject that
	// does not say so ("Fwd: notes"), are minutes by their layout.
	for i := 0; !t.minutes && i < len(msg.Attachments); i++ {
		t.minutes = minutes.HasStructure(msg.Attachments[i].Text)
	}
	// Only what kindOf can take for minutes is parsed as minutes: not the
	// replies ("Re: Minutes: …") that quote them, and not mail from outside
	// a project's roster, which is ignored unread (parsing is the costly
	// part, and anyone can send it).
	if (t.structured || t.minutes && !reReplySubject.MatchString(msg.Subject)) && fromRoster(msg, p) {
		parsed := readMinutes(msg, p)
		t.parsed = &parsed
	}
	return t
}

// savepoint names the mark set before each message of a batch.
const savepoint = "message"

// handleOne handles one message of a batch in tx. A problem with the
// message rolls back what it did and records it as failed; only a database
// error is returned.
func (e *Engine) handleOne(tx *store.Tx, in incoming, q *mailQueue, memo *batchMemo, guarded bool) (Result, error) {
	// What was recorded under the message's key before is looked up once,
	// and told to each step that asks.
	prev, err := priorRecord(tx, in)
	if err != nil {
		return Result{}, err
	}
	if first := distinctVariant(in, prev); first != "" {
		in.key += "#" + in.hash[:16]
		in.log = in.log.With("message_id", in.key)
		in.log.Warn("message id seen before on a different message; handled under a key of its own", "first_sender", first)
		if prev, err = priorRecord(tx, in); err != nil {
			return Result{}, err
		}
	}
	if in.problem != nil {
		return e.recordFailure(tx, in, prev, in.problem.Error())
	}
	if guarded {
		if err := tx.Savepoint(savepoint); err != nil {
			return Result{}, err
		}
	}
	var mark queueMark
	if q != nil {
		mark = q.mark()
	}
	res, err := e.apply(tx, in, prev, q, memo)
	if reason, ok := messageFailure(err); ok {
		if !guarded {
			return Result{}, fmt.Errorf("%w: %s", errUnguarded, firstLine(reason))
		}
		if err := tx.RollbackTo(savepoint); err != nil {
			return Result{}, err
		}
		if q != nil {
			q.rollback(mark)
		}
		// What the batch remembered may have come from what was just
		// undone.
		memo.forget()
		// Read again: another host sharing the database may have recorded
		// the key meanwhile, and the failure then updates its record.
		if prev, err = priorRecord(tx, in); err != nil {
			return Result{}, err
		}
		return e.recordFailure(tx, in, prev, reason)
	}
	if err != nil || !guarded {
		return res, err
	}
	return res, tx.Release(savepoint)
}

// prior is what the messages table held under a message's key before the
// message was handled.
type prior struct {
	store.Message
	found bool
}

// priorRecord looks up the record of in's key.
func priorRecord(tx *store.Tx, in incoming) (prior, error) {
	m, err := tx.FindMessage(in.proj.ID, in.key)
	if errors.Is(err, store.ErrNotFound) {
		return prior{}, nil
	} else if err != nil {
		return prior{}, err
	}
	return prior{Message: m, found: true}, nil
}

// messageFailure reports whether err is the message's own fault — its
// content could not be handled, or a mail it causes could not be built —
// and why. Any other error is the database's, and fails the batch.
func messageFailure(err error) (string, bool) {
	var me *messageError
	if errors.As(err, &me) {
		return me.reason, true
	}
	var re errRender
	if errors.As(err, &re) {
		return "a mail it causes could not be built: " + re.Error(), true
	}
	return "", false
}

// apply records the message and does what it says, unless it was handled
// before.
func (e *Engine) apply(tx *store.Tx, in incoming, prev prior, q *mailQueue, memo *batchMemo) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = failf("internal error while handling the message (please report): %v\n%s", r, debug.Stack())
		}
	}()
	proj, d := in.proj, in.d
	if prev.found && d.Rerun && prev.Outcome == store.OutcomeFailed {
		// A re-run replaces the failed record in this transaction: if
		// it fails again, the record (and its bytes) stays.
		if err := tx.DeleteMessage(prev.ID); err != nil {
			return res, err
		}
	} else if prev.found {
		if prev.ContentHash != in.hash {
			in.log.Info("message id seen before with different content from the same sender; a copy, handled once", "first_row", prev.ID)
		}
		res = Result{Project: proj.Name, MessageID: in.key, Kind: mailflow.MessageKind(prev.Kind), Outcome: prev.Outcome, Reason: prev.Error, Duplicate: true}
		return res, nil
	}
	h := &handling{e: e, tx: tx, proj: proj, msg: in.msg, text: in.text, d: d, key: in.key, hash: in.hash, log: in.log, mails: q, memo: memo}
	if err := h.run(); err != nil {
		return res, err
	}
	if e.afterApply != nil {
		e.afterApply(d)
	}
	return h.result, nil
}

// distinctVariant decides whether a message that carries a Message-ID
// already recorded, with other bytes, is a different message rather than
// a copy of the first: it is when it comes from another sender, or when
// the first was never acted on (held, ignored or failed). Then it returns
// the first one's sender, and the message is handled under a key of its
// own, so that a mail that takes a real message's Message-ID first (a
// forgery held unconfirmed, say) cannot make the real one be dropped. A
// copy of a message that was acted on (the same mail delivered twice with
// other trace headers) stays a duplicate.
func distinctVariant(in incoming, prev prior) string {
	if in.msg == nil || in.msg.MessageID == "" || in.d.Rerun || !prev.found {
		return ""
	}
	if prev.ContentHash == in.hash {
		return ""
	}
	if prev.Sender == in.msg.From.Email && prev.Outcome == store.OutcomeProcessed {
		return ""
	}
	if prev.Sender == "" {
		return "(unknown)"
	}
	return prev.Sender
}

// recordFailure stores a message that could not be handled, with its raw
// bytes and the reason, so it can be fixed and re-run.
func (e *Engine) recordFailure(tx *store.Tx, in incoming, prev prior, reason string) (Result, error) {
	in.log.Warn("message failed", "reason", firstLine(reason))
	now := e.now()
	proj, d, msg := in.proj, in.d, in.msg
	res := Result{Project: proj.Name, MessageID: in.key, Kind: mailflow.KindOther, Outcome: store.OutcomeFailed, Reason: reason}
	if prev.found {
		res.Duplicate = prev.Outcome == store.OutcomeFailed
		if err := tx.UpdateMessageOutcome(prev.ID, prev.Kind, store.OutcomeFailed, reason, d.Raw, now); err != nil {
			return res, fmt.Errorf("record failed message: %w", err)
		}
		return res, nil
	}
	m := store.Message{ProjectID: proj.ID, MessageID: in.key, ContentHash: in.hash, Mailbox: d.Mailbox,
		UIDValidity: d.UIDValidity, UID: d.UID, Kind: string(mailflow.KindOther), Outcome: store.OutcomeFailed,
		Error: reason, Raw: d.Raw, ReceivedAt: now, ProcessedAt: now}
	if msg != nil {
		m.Sender, m.Subject = msg.From.Email, msg.Subject
		if !msg.Date.IsZero() {
			m.ReceivedAt = msg.Date
		}
	}
	if _, err := tx.InsertMessage(m); err != nil {
		return res, fmt.Errorf("record failed message: %w", err)
	}
	return res, nil
}

// checkpoints records, for each mailbox of the batch, the highest UID
// handled. Deliveries not from a mailbox (parse, reprocess) have none.
func (e *Engine) checkpoints(tx *store.Tx, ms []incoming) error {
	type box struct {
		name string
		uv   uint32
	}
	last := map[box]uint32{}
	var order []box
	for _, m := range ms {
		if m.d.Mailbox == "" || m.d.UID == 0 {
			continue
		}
		b := box{m.d.Mailbox, m.d.UIDValidity}
		if _, ok := last[b]; !ok {
			order = append(order, b)
		}
		last[b] = max(last[b], m.d.UID)
	}
	for _, b := range order {
		if err := tx.SetCheckpoint(b.name, b.uv, last[b], e.now()); err != nil {
			return err
		}
	}
	return nil
}

// route picks the project a message belongs to: among the projects reading
// this mailbox, the one whose address (or a plus-address of it) is in To,
// Cc, Delivered-To or X-Original-To; else the first project of the mailbox.
func (e *Engine) route(mailbox string, msg *mailtext.Message) *Project {
	var candidates []*Project
	for _, p := range e.projects {
		if p.Mailbox == mailbox || mailbox == "" {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		candidates = e.projects
	}
	if len(candidates) == 1 {
		return candidates[0]
	}
	addrs := recipientAddrs(msg)
	for _, p := range candidates {
		local, domain, _ := strings.Cut(p.Address, "@")
		for _, a := range addrs {
			l, d, _ := strings.Cut(a, "@")
			base, _, _ := strings.Cut(l, "+")
			if d == domain && base == local {
				return p
			}
		}
	}
	return candidates[0]
}

// recipientAddrs lists the addresses a message was delivered to, lowercased.
func recipientAddrs(msg *mailtext.Message) []string {
	var out []string
	for _, p := range msg.To {
		out = append(out, p.Email)
	}
	for _, p := range msg.Cc {
		out = append(out, p.Email)
	}
	for _, key := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To"} {
		for _, v := range msg.Header.Values(key) {
			for _, part := range strings.Split(v, ",") {
				if a, err := mail.ParseAddress(strings.TrimSpace(part)); err == nil {
					out = append(out, strings.ToLower(a.Address))
				} else if s := strings.Trim(strings.TrimSpace(part), "<>"); strings.Contains(s, "@") {
					out = append(out, strings.ToLower(s))
				}
			}
		}
	}
	return out
}

// headerFacts reads what routing and recording need — Message-ID, From,
// To, Cc, Subject, Date — from a message whose body could not be read. It
// returns nil when even the header is unreadable.
func headerFacts(raw []byte) *mailtext.Message {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	out := &mailtext.Message{MessageID: strings.Trim(strings.TrimSpace(m.Header.Get("Message-Id")), "<>")}
	dec := new(mime.WordDecoder)
	out.Subject = m.Header.Get("Subject")
	if s, err := dec.DecodeHeader(out.Subject); err == nil {
		out.Subject = s
	}
	if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
		out.From = mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)}
	}
	for _, key := range []string{"To", "Cc"} {
		as, _ := m.Header.AddressList(key)
		for _, a := range as {
			p := mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)}
			if key == "To" {
				out.To = append(out.To, p)
			} else {
				out.Cc = append(out.Cc, p)
			}
		}
	}
	if d, err := m.Header.Date(); err == nil {
		out.Date = d
	}
	for k, vs := range m.Header {
		for _, v := range vs {
			out.Header.Add(k, v)
		}
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
