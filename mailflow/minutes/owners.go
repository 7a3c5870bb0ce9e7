package minutes

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"mailflow/mailflow"
)

// directory builds the candidates owners resolve against: the roster
// first, then attendees, then the mail's correspondents.
func (p *parser) directory() *mailflow.Directory {
	d := p.rosterDir // it is not needed on its own any more
	for _, a := range p.out.Meeting.Attendees {
		d.Add(a)
	}
	for _, a := range p.out.Meeting.Regrets {
		d.Add(a)
	}
	return d
}

// rosterDirectory is the roster plus the mail's correspondents: whom an
// attendee written by name may be.
func (p *parser) rosterDirectory() *mailflow.Directory {
	d := mailflow.NewDirectory()
	for _, m := range p.opts.Roster {
		d.Add(m.Person)
	}
	d.Add(p.msg.From)
	for _, q := range p.msg.To {
		d.Add(q)
	}
	for _, q := range p.msg.Cc {
		d.Add(q)
	}
	return d
}

// splitOwners splits "Alice and Bob", "Alice/Bob", "Alice, Bob".
func splitOwners(s string) []string {
	parts := splitList(s, true)
	out := parts[:0]
	for _, part := range parts {
		if part = strings.Trim(part, "*_[]() "); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// splitList splits a written list at commas, semicolons and "and" — and,
// for owners, at "/", "&" and "+".
func splitList(s string, owners bool) []string {
	var out []string
	add := func(part string) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', ';':
			add(s[start:i])
			start = i + 1
		case '/', '&', '+':
			if owners || (s[i] == '&' && i > 0 && s[i-1] == ' ') {
				add(s[start:i])
				start = i + 1
			}
		case ' ':
			if strings.HasPrefix(s[i:], " and ") {
				add(s[start:i])
				start = i + 5
				i += 4
			}
		}
	}
	add(s[start:])
	return out
}

// nobody are the owners that name no one person: the item is stored
// without an owner and the sender is asked to name one.
var nobody = map[string]bool{
	"everyone": true, "everybody": true, "all": true, "team": true, "the team": true, "someone": true,
	"somebody": true, "anyone": true, "tbd": true, "tba": true, "tbc": true, "unassigned": true, "nobody": true,
	"all members": true, "all council members": true, "we": true, "us": true, "whoever": true, "group": true,
	"each team": true, "each member": true, "volunteer": true, "volunteers": true,
}

// notNames are words that start "X: …" and "X to …" lines without being
// anyone: "Note: …", "Next steps to …".
var notNames = map[string]bool{
	"note": true, "notes": true, "nb": true, "ps": true, "update": true, "updates": true, "status": true,
	"goal": true, "goals": true, "question": true, "questions": true, "q": true, "a": true, "answer": true,
	"proposal": true, "decision": true, "discussion": true, "summary": true, "background": true,
	"context": true, "conclusion": true, "outcome": true, "result": true, "results": true, "agenda": true,
	"topic": true, "next": true, "todo": true, "action": true, "actions": true, "risk": true, "info": true,
	"fyi": true, "re": true, "fw": true, "fwd": true, "link": true, "links": true, "see": true, "date": true,
	"time": true, "when": true, "where": true, "location": true, "reminder": true, "need": true, "needs": true,
	"we": true, "they": true, "it": true, "this": true, "that": true, "these": true, "those": true, "there": true,
	"the": true, "i": true, "you": true, "he": true, "she": true, "our": true, "my": true, "their": true,
	"plan": true, "idea": true, "issue": true, "problem": true, "comment": true, "comments": true,
	"request": true, "ask": true, "previous": true, "prior": true, "current": true, "new": true, "old": true,
	"time check": true, "check-in": true, "check-out": true, "checkin": true, "agreed": true, "resolved": true,
	"minutes": true, "meeting": true, "call": true, "item": true, "items": true, "step": true, "steps": true,
	"option": true, "options": true, "pros": true, "cons": true, "pro": true, "con": true, "tl;dr": true,
	"if": true, "when:": true, "also": true, "then": true, "so": true, "but": true, "and": true, "or": true,
	"what": true, "who": true, "how": true, "why": true, "which": true, "is": true, "are": true, "was": true,
	"in": true, "on": true, "at": true, "for": true, "with": true, "from": true, "by": true, "of": true,
	"to": true, "not": true, "no": true, "yes": true, "ok": true, "okay": true, "thanks": true, "hi": true,
	"hello": true, "dear": true, "regards": true, "cheers": true, "best": true, "please": true, "first": true,
	"second": true, "third": true, "finally": true, "one": true, "two": true, "some": true, "any": true,
	"other": true, "others": true, "more": true, "less": true, "nothing": true, "none": true, "something": true,
	"budget": true, "schedule": true, "scope": true, "timeline": true, "deadline": true, "priority": true,
	"owner": true, "owners": true, "due": true, "done": true, "open": true, "closed": true, "pending": true,
}

// verbs are imperatives that start an action ("Send to Bob …", "Update
// docs to …") and so are not the owner before "to".
var verbs = map[string]bool{
	"send": true, "update": true, "review": true, "check": true, "follow": true, "create": true, "draft": true,
	"prepare": true, "confirm": true, "schedule": true, "book": true, "order": true, "ask": true, "email": true,
	"share": true, "write": true, "fix": true, "set": true, "add": true, "move": true, "find": true,
	"contact": true, "reach": true, "circulate": true, "organise": true, "organize": true, "arrange": true,
	"investigate": true, "look": true, "talk": true, "discuss": true, "get": true, "make": true, "provide": true,
	"submit": true, "finalize": true, "finalise": true, "complete": true, "reply": true, "respond": true,
	"post": true, "publish": true, "call": true, "invite": true, "plan": true, "test": true, "deploy": true,
	"remind": true, "request": true, "pursue": true, "clarify": true, "document": true, "coordinate": true,
	"go": true, "come": true, "bring": true, "take": true, "start": true, "stop": true, "begin": true,
	"continue": true, "keep": true, "try": true, "work": true, "help": true, "propose": true, "decide": true,
	"agree": true, "approve": true, "reconsider": true, "revisit": true, "figure": true, "turn": true,
	"file": true, "open": true, "close": true, "merge": true, "push": true, "run": true, "write up": true,
	"put": true, "give": true, "read": true, "sign": true, "reserve": true, "notify": true, "inform": true,
	"let": true, "need": true, "want": true, "forward": true, "collect": true, "gather": true, "compile": true,
	"present": true, "break": true, "integrate": true, "utilize": true, "utilise": true, "ensure": true,
	"initiate": true, "resolve": true, "distribute": true, "print": true, "draw": true, "replace": true,
	"swap": true, "retest": true, "deliver": true, "ping": true, "escalate": true, "raise": true, "track": true,
	"finish": true, "build": true, "install": true, "configure": true, "migrate": true, "train": true,
	"recruit": true, "hire": true, "announce": true, "communicate": true, "consult": true, "engage": true,
	"explore": true, "evaluate": true, "assess": true, "analyse": true, "analyze": true, "estimate": true,
	"identify": true, "define": true, "design": true, "implement": true, "develop": true, "research": true,
	"summarise": true, "summarize": true, "record": true, "report": true, "verify": true, "validate": true,
	"revise": true, "edit": true, "rewrite": true, "rename": true, "remove": true, "delete": true,
	"archive": true, "upload": true, "attach": true, "connect": true, "visit": true, "assist": true,
	"fill": true, "refine": true, "clean": true, "align": true, "map": true, "outline": true,
	"meet": true, "attend": true, "host": true, "lead": true, "own": true, "support": true,
	"chase": true, "liaise": true, "refresh": true, "procure": true, "purchase": true, "buy": true, "brief": true,
	"audit": true, "nominate": true, "appoint": true, "allocate": true, "assign": true, "amend": true,
	"obtain": true, "secure": true, "establish": true, "recheck": true, "rerun": true, "reschedule": true,
	"cancel": true, "postpone": true, "expedite": true, "prioritise": true, "prioritize": true, "double-check": true,
}

var (
	reOwnerBox = regexp.MustCompile(`^\[([^\[\]]{1,60})\]\s*[:,-]?\s*(.+)$`)
	reHandle   = regexp.MustCompile(`^@([\w.+-]+(?:@[\w.-]+)?)\s*[:,-]?\s+(.+)$`)
	reNameDash = regexp.MustCompile(`^([\pL@][\pL\pN.'@_+-]*(?:\s+[\pL][\pL.'-]*)?)\s+(?:[-–—]+|->|=>|→|⇒)\s+(.+)$`)
	// reNameArrow is "Raj -> update the spec", "Kim → order scanners": an
	// arrow from a person to a task assigns it wherever it is written.
	reNameArrow = regexp.MustCompile(`^([\pL@][\pL\pN.'@_+-]*(?:\s+[\pL][\pL.'-]*)?)\s+(?:->|=>|→|⇒)\s+(.+)$`)
)

// nameShaped reports whether s could be one or more people's names written
// before "to"/"will"/":" — "Alice", "Eric Huss", "Alice and Bob", "@bob",
// "bob@x.org" — judged by shape alone: capitalised words that are not
// common sentence openers.
func nameShaped(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 80 {
		return false
	}
	if c := s[0]; c >= 'a' && c <= 'z' && !strings.Contains(s, "@") && !nobody[strings.ToLower(s)] {
		return false // a name starts with a capital
	}
	if !strings.ContainsAny(s, " ,/&+@") {
		// One word: the common case, without splitting a list.
		return lowerIn(nobody, s) || startsUpper(s) && !lowerIn(notNames, s) && !lowerIn(verbs, s)
	}
	for _, part := range splitOwners(s) {
		if strings.HasPrefix(part, "@") || (strings.Contains(part, "@") && !strings.ContainsAny(part, " ")) {
			continue
		}
		lower := strings.ToLower(part)
		if nobody[lower] {
			continue
		}
		words := strings.Fields(part)
		if len(words) == 0 || len(words) > 3 {
			return false
		}
		first := strings.ToLower(words[0])
		if notNames[first] || verbs[first] || notNames[lower] {
			return false
		}
		for _, w := range words {
			if !startsUpper(w) {
				return false
			}
		}
	}
	return true
}

// lowerIn reports whether the lower-case form of s is a key of m, without
// allocating for short words.
func lowerIn(m map[string]bool, s string) bool {
	var buf [32]byte
	if len(s) > len(buf) {
		return m[strings.ToLower(s)]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return m[strings.ToLower(s)]
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return m[string(buf[:len(s)])]
}

// ownerish reports whether s names an owner: shaped like a name, or a
// single lower-case handle ("dgilmore") that the directory knows.
func (p *parser) ownerish(s string) bool {
	if nameShaped(s) {
		return true
	}
	parts := splitOwners(s)
	if len(parts) == 0 {
		return false
	}
	for _, part := range parts {
		lower := strings.ToLower(part)
		if nobody[lower] {
			continue
		}
		if strings.Contains(part, " ") || notNames[lower] || verbs[lower] || len(p.dir.Resolve(part)) == 0 {
			return false
		}
	}
	return true
}

// setOwners resolves the written owner(s) and records problems for names
// that match nobody or several people.
func (p *parser) setOwners(it *mailflow.ActionItem, written string, n int) {
	written = strings.TrimSpace(strings.Trim(written, "*_ "))
	it.OwnerText = written
	it.Owner, it.Owners = "", nil
	var owners []string
	for _, name := range splitOwners(written) {
		if nobody[strings.ToLower(name)] {
			p.problem(n, p.line, fmt.Sprintf("no owner: %q is not one person (name who will do it)", name))
			continue
		}
		email, ok := p.resolve(name, n)
		if !ok {
			email = strings.TrimPrefix(name, "@")
		}
		owners = append(owners, email)
	}
	if len(owners) > 0 {
		it.Owner = owners[0]
	}
	if len(owners) > 1 {
		it.Owners = owners
	}
}

// resolve maps a name to an email, reporting a problem when it cannot.
func (p *parser) resolve(name string, n int) (string, bool) {
	name = strings.TrimSpace(name)
	if a, err := mail.ParseAddress(strings.TrimPrefix(name, "@")); err == nil && strings.Contains(a.Address, "@") {
		if person, ok := p.dir.Lookup(a.Address); ok {
			return person.Email, true
		}
		return strings.ToLower(a.Address), true
	}
	matches := p.dir.Resolve(name)
	switch len(matches) {
	case 1:
		if matches[0].Email == "" {
			p.problem(n, p.line, fmt.Sprintf("owner %q has no email address (add them to the roster or write their address)", name))
			return matches[0].Name, false
		}
		return matches[0].Email, true
	case 0:
		p.problem(n, p.line, fmt.Sprintf("owner %q matches nobody on the roster, in the attendees or in To/Cc", name))
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = m.String()
		}
		p.problem(n, p.line, fmt.Sprintf("owner %q is ambiguous: could be %s", name, strings.Join(names, " or ")))
	}
	return "", false
}
