package engine

import (
	"context"
	"errors"
	"fmt"

	"mailflow/mailflow"
	"mailflow/store"
	"mailflow/templates"
)

// ErrNothingToPreview is returned when there is no data for a mail kind
// yet (no meeting recorded, nobody with anything due).
var ErrNothingToPreview = errors.New("no data for this mail yet")

// errDryRun rolls back a preview's transaction.
var errDryRun = errors.New("preview: roll back")

// tx runs fn in a transaction; on an engine made by dryRun the transaction
// is always rolled back.
func (e *Engine) tx(ctx context.Context, fn func(*store.Tx) error) error {
	if e.preview == nil {
		return e.store.Tx(ctx, fn)
	}
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// dryRun runs fn on a copy of the engine whose transactions roll back and
// whose queued mail is collected instead of written: the mail the engine
// would send, built by its own code from the real data.
func (e *Engine) dryRun(fn func(d *Engine) error) ([]outgoing, error) {
	var mails []outgoing
	d := *e
	d.preview = &mails
	if err := fn(&d); err != nil {
		return nil, err
	}
	return mails, nil
}

// Preview renders a mail of kind as it would be sent now: reminders and
// the status report by the engine's own code and rules, run without
// queueing or recording anything; minutes from the latest meeting as
// stored. Ack, error and confirm mails, which only exist in answer to a
// message, are rendered from sample data. to picks the recipient ("" for
// the first there is).
func (e *Engine) Preview(ctx context.Context, p *Project, kind mailflow.MailKind, to string) (templates.Rendered, error) {
	var mails []outgoing
	var err error
	switch kind {
	case mailflow.MailMinutes:
		mails, err = e.previewMinutes(ctx, p)
	case mailflow.MailReminder:
		mails, err = e.dryRun(func(d *Engine) error { return d.Remind(ctx, p, true) })
		if err == nil && len(mails) == 0 {
			err = fmt.Errorf("reminder: %w (nobody has an item due within %d days or overdue)", ErrNothingToPreview, p.ReminderDaysBefore)
		}
	case mailflow.MailStatus:
		mails, err = e.dryRun(func(d *Engine) error { return d.Report(ctx, p, true) })
		if errors.Is(err, ErrNothingToReport) {
			err = fmt.Errorf("status: %w (%v)", ErrNothingToPreview, err)
		}
		if err == nil && len(mails) == 0 {
			err = fmt.Errorf("status: %w (no leadership to send it to)", ErrNothingToPreview)
		}
	case mailflow.MailAck, mailflow.MailError, mailflow.MailConfirm:
		data := templates.Sample(string(kind))
		return e.templates.Render(string(kind), withCommon(data, e.common(p, mailflow.Person{Email: to}, kind != mailflow.MailConfirm, "A-1")))
	default:
		return templates.Rendered{}, fmt.Errorf("unknown mail kind %q: want minutes, reminder, status, ack, error or confirm", kind)
	}
	if err != nil {
		return templates.Rendered{}, err
	}
	o := mails[0]
	for _, m := range mails {
		if m.to.Email == to {
			o = m
		}
	}
	return e.templates.Render(string(o.kind), o.data)
}

// withCommon sets the Common part of sample data to the project's.
func withCommon(data any, c templates.Common) any {
	switch d := data.(type) {
	case templates.Ack:
		d.Common = c
		return d
	case templates.Error:
		d.Common = c
		return d
	case templates.Confirm:
		d.Common = c
		return d
	}
	return data
}

// previewMinutes is the latest meeting's minutes mail to every roster
// member, built by minutesMail from what the store holds.
func (e *Engine) previewMinutes(ctx context.Context, p *Project) ([]outgoing, error) {
	meetings, err := e.store.Meetings(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(meetings) == 0 {
		return nil, fmt.Errorf("minutes: %w (no meeting recorded)", ErrNothingToPreview)
	}
	today := mailflow.DateOf(e.now().In(p.Location))
	var mails []outgoing
	err = e.store.Tx(ctx, func(tx *store.Tx) error {
		v, err := storedMinutes(tx, meetings[0])
		if err != nil {
			return err
		}
		people := []mailflow.Person{{}} // without a roster (preview --db), the copy of no one in particular
		if len(p.Members) > 0 {
			people = people[:0]
			for _, m := range p.Members {
				people = append(people, mailflow.Person{Name: m.Name, Email: m.Email})
			}
		}
		for _, to := range people {
			data, _ := e.minutesMail(p, v, to, nil, today)
			mails = append(mails, outgoing{kind: mailflow.MailMinutes, to: to, data: data})
		}
		return errDryRun
	})
	if !errors.Is(err, errDryRun) {
		return nil, err
	}
	return mails, nil
}
