package engine

import (
	"fmt"

	"mailflow/mailflow/replyaddr"
)

// scope is what an authenticated reply may change. A sender whose own mail
// system vouches for them (DKIM/SPF/DMARC), or any member when require_auth
// is off, may change anything a member may. A signed reply address alone
// vouches for less: it travels with the mail it came in (forwarded, quoted,
// read on a shared mailbox), so it authorises only what that mail was
// about — its item, its meeting's items and risks, the member's own items
// for a digest or report, the held minutes a confirmation request showed.
type scope struct {
	all     bool
	ref     string // a mail about one item or risk
	meeting int64  // minutes: that meeting's items and risks
	owned   bool   // a digest or status report: the member's own items and risks
	status  bool   // a status report: a chair's word on health too
	held    int64  // a confirmation request: those minutes
}

var everything = scope{all: true}

// scopeOfThing is the scope of a reply to a signed reply address naming
// thing ("a12", "m3", "digest", "status", "h9").
func scopeOfThing(thing string) scope {
	if ref := replyaddr.RefOfThing(thing); ref != "" {
		return scope{ref: ref}
	}
	if id, ok := thingID(thing, "m"); ok {
		return scope{meeting: id}
	}
	if id, ok := thingID(thing, "h"); ok {
		return scope{held: id}
	}
	switch thing {
	case replyaddr.ThingDigest:
		return scope{owned: true}
	case replyaddr.ThingStatus:
		return scope{owned: true, status: true}
	}
	return scope{}
}

// allows reports whether a reply in this scope from member may act on the
// item or risk ref, of meeting and owned by owner.
func (s scope) allows(ref string, meeting int64, owner, member string) bool {
	switch {
	case s.all:
		return true
	case s.ref != "":
		return s.ref == ref
	case s.meeting != 0:
		return meeting == s.meeting
	case s.owned:
		return owner != "" && owner == member
	}
	return false
}

// allowsHealth reports whether a chair's "status amber: …" may be taken
// from a reply in this scope: one to the minutes or to a status report.
func (s scope) allowsHealth() bool { return s.all || s.meeting != 0 || s.status }

// allowsConfirm reports whether a reply in this scope may confirm held
// minutes id sent by sender: from a confirmation request, its own minutes
// or others held in the same member's name; from the minutes of a
// meeting, any the member may confirm (a chair's "confirm H-12"). A
// digest or a single item's mail is not about minutes at all.
func (s scope) allowsConfirm(id int64, sender, member string) bool {
	return s.all || s.meeting != 0 || (s.held != 0 && (s.held == id || sender == member))
}

// outOfScope says why a reply to a signed reply address may not act on ref.
func outOfScope(ref string) string {
	return fmt.Sprintf("%s was not in the mail you replied to, and that mail's reply address can change only what it was about: "+
		"reply to a mail from mailflow about %s, or send from an address your mail server signs (DKIM)", ref, ref)
}
