package engine

import (
	"fmt"
	"strings"
)

// rosterOwner returns the owner and owner name an item or risk named in
// minutes is stored with. Its owner gets reminders, and mailflow mails
// nobody off the roster on its own schedule, so an address that is not a
// member's is kept as the owner's name only; stranger is that address,
// for the problem the sender is told of (ownerNotOnRoster).
func (h *handling) rosterOwner(owner, ownerName string) (addr, name, stranger string) {
	if !strings.Contains(owner, "@") {
		return "", ownerName, ""
	}
	if _, ok := h.proj.Member(owner); ok {
		return owner, ownerName, ""
	}
	if ownerName == "" {
		ownerName = owner
	}
	return "", ownerName, owner
}

// ownerNotOnRoster notes, for the sender's copy of the minutes, that the
// open item or risk ref was given to stranger, who is not on the roster,
// and so has no owner who gets reminders.
func (h *handling) ownerNotOnRoster(ref, stranger string) {
	h.problems = append(h.problems, fmt.Sprintf("%s: %s is not on the project roster, so %s has no owner who gets reminders; add them to the roster or reassign it (\"reassign %s to …\")",
		ref, stranger, ref, ref))
}
