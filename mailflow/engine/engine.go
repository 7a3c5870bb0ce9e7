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
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/replyaddr"
	"mailflow/store"
	"mailflow/templates"
)

// Engine processes messages for every configured project.
type Engine struct {
	store     *store.Store
	cfg       *config.Config
	templates *templates.Set
	signer    *replyaddr.Signer
	now       func() time.Time
	log       *slog.Logger
	projects  []*Project
	own       map[string]bool // addresses mailflow sends from
}

// Project is a configured project with its database id.
type Project struct {
	*config.Project
	ID int64
}

// member returns the roster entry for email.
func (p *Project) member(email string) (config.Member, bool) {
	email = strings.ToLower(email)
	for _, m := range p.Members {
		if m.Email == email {
			return m, true
		}
	}
	return config.Member{}, false
}

// displayName returns a roster name for email, or email itself.
func (p *Project) displayName(email string) string {
	if m, ok := p.member(email); ok && m.Name != "" {
		return m.Name
	}
	return email
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
	return dates.Options{DayFirst: p.DateOrder == "dmy", CadenceDays: p.MeetingCadenceDays}
}

// Options configure an Engine.
type Options struct {
	Store     *store.Store
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
		signer:    replyaddr.NewSigner(o.Config.Security.ReplyKey),
		now:       o.Now,
		log:       o.Logger,
		own:       map[string]bool{},
	}
	if e.now == nil {
		e.now = time.Now
	}
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

// Delivery is one message fetched from a mailbox.
type Delivery struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Raw         []byte
	// TooLarge is set when the message exceeded max_message_bytes; Raw then
	// holds only its header.
	TooLarge int64
	// Rerun handles a message recorded as failed once more (reprocess).
	Rerun bool
}

// Result says what became of a message; intake moves it accordingly.
type Result struct {
	Project   string
	MessageID string
	Kind      mailflow.MessageKind
	Outcome   string // store.OutcomeProcessed | OutcomeIgnored | OutcomeFailed
	Reason    string
	Duplicate bool // seen before; nothing was done again
}

// Failed reports whether the message belongs in the failed folder.
func (r Result) Failed() bool { return r.Outcome == store.OutcomeFailed }

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
func (e *Engine) Handle(ctx context.Context, d Delivery) (res Result, err error) {
	sum := sha256.Sum256(d.Raw)
	hash := hex.EncodeToString(sum[:])
	proj := e.projects[0]
	var msg *mailtext.Message
	var parseErr error
	if d.TooLarge > 0 {
		parseErr = failf("message is %d bytes, over max_message_bytes (%d)", d.TooLarge, e.cfg.IMAP.MaxMessageBytes)
	} else {
		msg, parseErr = mailtext.Read(d.Raw)
		if parseErr == nil {
			if reason := quarantineReason(msg); reason != "" {
				parseErr = failf("%s", reason)
			}
		}
	}
	if msg == nil {
		msg = headerFacts(d.Raw) // route and name it by its header even when the body is broken
	}
	if msg != nil {
		proj = e.route(d.Mailbox, msg)
	}
	key := "hash:" + hash
	if msg != nil && msg.MessageID != "" {
		key = msg.MessageID
	}
	res = Result{Project: proj.Name, MessageID: key}
	log := e.log.With("project", proj.Name, "mailbox", d.Mailbox, "uid", d.UID, "message_id", key)

	if parseErr != nil {
		return e.recordFailure(ctx, proj, d, msg, key, hash, parseErr.Error(), log)
	}

	var handled Result
	err = e.store.Tx(ctx, func(tx *store.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = failf("internal error while handling the message (please report): %v\n%s", r, debug.Stack())
			}
		}()
		if prev, err := tx.FindMessage(proj.ID, key); err == nil && d.Rerun && prev.Outcome == store.OutcomeFailed {
			// A re-run replaces the failed record in this transaction: if
			// it fails again, the record (and its bytes) stays.
			if err := tx.DeleteMessage(prev.ID); err != nil {
				return err
			}
		} else if err == nil {
			handled = Result{Project: proj.Name, MessageID: key, Kind: mailflow.MessageKind(prev.Kind), Outcome: prev.Outcome, Reason: prev.Error, Duplicate: true}
			if prev.ContentHash != hash {
				log.Warn("message id seen before with different content; keeping the first", "first_row", prev.ID)
			}
			return e.checkpoint(tx, d)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		h := &handling{e: e, tx: tx, proj: proj, msg: msg, d: d, key: key, hash: hash, log: log}
		if err := h.run(); err != nil {
			return err
		}
		handled = h.result
		return e.checkpoint(tx, d)
	})
	var me *messageError
	if errors.As(err, &me) {
		return e.recordFailure(ctx, proj, d, msg, key, hash, me.reason, log)
	}
	if err != nil {
		return res, fmt.Errorf("handle %s: %w", key, err)
	}
	return handled, nil
}

// recordFailure stores a message that could not be handled, with its raw
// bytes and the reason, so it can be fixed and re-run.
func (e *Engine) recordFailure(ctx context.Context, proj *Project, d Delivery, msg *mailtext.Message, key, hash, reason string, log *slog.Logger) (Result, error) {
	log.Warn("message failed", "reason", firstLine(reason))
	now := e.now()
	res := Result{Project: proj.Name, MessageID: key, Kind: mailflow.KindOther, Outcome: store.OutcomeFailed, Reason: reason}
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		if prev, err := tx.FindMessage(proj.ID, key); err == nil {
			res.Duplicate = prev.Outcome == store.OutcomeFailed
			if err := tx.UpdateMessageOutcome(prev.ID, prev.Kind, store.OutcomeFailed, reason, d.Raw, now); err != nil {
				return err
			}
			return e.checkpoint(tx, d)
		}
		m := store.Message{ProjectID: proj.ID, MessageID: key, ContentHash: hash, Mailbox: d.Mailbox,
			UIDValidity: d.UIDValidity, UID: d.UID, Kind: string(mailflow.KindOther), Outcome: store.OutcomeFailed,
			Error: reason, Raw: d.Raw, ReceivedAt: now, ProcessedAt: now}
		if msg != nil {
			m.Sender, m.Subject = msg.From.Email, msg.Subject
			if !msg.Date.IsZero() {
				m.ReceivedAt = msg.Date
			}
		}
		if _, err := tx.InsertMessage(m); err != nil {
			return err
		}
		return e.checkpoint(tx, d)
	})
	if err != nil {
		return res, fmt.Errorf("record failed message %s: %w", key, err)
	}
	return res, nil
}

func (e *Engine) checkpoint(tx *store.Tx, d Delivery) error {
	if d.Mailbox == "" || d.UID == 0 {
		return nil // parse, reprocess and tests: not from a mailbox
	}
	return tx.SetCheckpoint(d.Mailbox, d.UIDValidity, d.UID, e.now())
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
