package engine

import (
	"fmt"
	"strings"
	"time"

	"mailflow/mailflow"
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
	calendar   []byte
	inline     []compose.Inline
}

// common fills the fields every template shares.
func (e *Engine) common(p *Project, to mailflow.Person, canReply bool, exampleRef string) templates.Common {
	name := to.Name
	if name == "" {
		if m, ok := p.member(to.Email); ok {
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
	if exists, err := tx.HasMail(o.idemKey); err != nil || exists {
		return false, err
	}
	r, err := e.templates.Render(string(o.kind), o.data)
	if err != nil {
		return false, fmt.Errorf("render %s mail: %w", o.kind, err)
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
		Calendar:   o.calendar,
		Inline:     o.inline,
	})
	if err != nil {
		return false, fmt.Errorf("build %s mail to %s: %w", o.kind, o.to.Email, err)
	}
	return tx.Enqueue(store.Mail{
		ProjectID:    p.ID,
		IdemKey:      o.idemKey,
		Kind:         string(o.kind),
		EnvelopeFrom: e.cfg.SMTP.From,
		Subject:      r.Subject,
		MessageID:    msgID,
		About:        strings.Join(o.about, " "),
		Raw:          raw,
	}, []string{o.to.Email}, now)
}
