// Package delivery holds what passes between the mailbox and the engine:
// a message as fetched (Delivery), a batch of them as read for handling
// (Batch), and what became of each (Result). It sits between intake, which
// fetches and moves mail, and the engine, which handles it, so that neither
// imports the other.
package delivery

import (
	"mailflow/mailflow"
	"mailflow/store"
)

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

// Batch is a batch of deliveries as a handler read it, ready to be
// handled: reading (MIME, text, parsing) runs while the batch before is
// still being handled.
type Batch interface {
	Deliveries() []Delivery
}

// Result says what became of a message; intake moves it accordingly.
type Result struct {
	Project   string
	MessageID string
	Kind      mailflow.MessageKind
	Outcome   string // store.OutcomeProcessed, OutcomeIgnored, OutcomeFailed or OutcomeHeld
	Reason    string
	Duplicate bool // seen before; nothing was done again
}

// Failed reports whether the message belongs in the failed folder.
func (r Result) Failed() bool { return r.Outcome == store.OutcomeFailed }
