package minutes

import (
	"strings"
	"unicode"
)

// Who a sentence is about: "Priya will write the runbook", "The board will
// meet", "Each partner will send", "WP leaders are requested to keep …",
// "thl will send an e-mail". A sentence assigns work only when its subject
// is someone who can do it; "we", "the group", "the dry run" and "the
// vendor" (whose promises are the project's dependencies, not its actions)
// are not.

// subjectKind says what a sentence's subject is.
type subjectKind int

const (
	subjectNone       subjectKind = iota // not a subject mailflow can read
	subjectPerson                        // a name or a handle: "Marcus Chen", "thl"
	subjectGroup                         // a body or a role: "The board", "Each partner", "SC"
	subjectCollective                    // everybody present: "we", "the group", "the team"
	subjectPronoun                       // "he", "they", "someone": who is not written
)

// roleNouns name people by what they do.
var roleNouns = map[string]bool{
	"board": true, "committee": true, "council": true, "chair": true, "chairman": true, "chairperson": true,
	"secretary": true, "secretariat": true, "treasurer": true, "president": true, "director": true,
	"manager": true, "lead": true, "leader": true, "officer": true, "coordinator": true, "contractor": true,
	"consultant": true, "administrator": true, "admin": true, "editor": true, "author": true, "maintainer": true,
	"owner": true, "representative": true, "rep": true, "delegate": true, "panel": true, "office": true,
	"staff": true, "desk": true, "pmo": true, "sponsor": true, "champion": true, "trainer": true, "nurse": true,
	"pharmacist": true, "clinician": true, "engineer": true, "developer": true, "analyst": true, "architect": true,
	"tester": true, "reviewer": true, "liaison": true, "member": true, "partner": true, "participant": true,
	"scribe": true, "clerk": true, "advisor": true, "adviser": true, "auditor": true, "executive": true,
	"head": true, "superuser": true, "super-user": true, "workgroup": true, "taskforce": true, "sc": true,
	"steering": true, "facilitator": true, "organiser": true, "organizer": true, "host": true, "wg": true,
	"wgs": true, "sig": true, "tsc": true, "cab": true, "pmc": true,
}

// externalNouns are parties outside the project: what they will do is a
// dependency to track, not an action item to assign.
var externalNouns = map[string]bool{
	"vendor": true, "vendors": true, "supplier": true, "suppliers": true, "customer": true, "customers": true,
	"client": true, "clients": true, "user": true, "users": true, "patient": true, "patients": true,
	"public": true, "press": true, "media": true, "manufacturer": true, "market": true, "government": true,
}

// collectiveNouns are everybody at the meeting.
var collectiveNouns = map[string]bool{
	"group": true, "team": true, "meeting": true, "people": true, "everyone": true, "everybody": true,
	"all": true, "attendees": true, "participants": true, "committee members": true, "room": true,
}

// pronouns stand for someone the sentence does not name.
var pronouns = map[string]subjectKind{
	"we": subjectCollective, "us": subjectCollective, "everyone": subjectCollective, "everybody": subjectCollective,
	"all": subjectCollective, "he": subjectPronoun, "she": subjectPronoun, "they": subjectPronoun,
	"someone": subjectPronoun, "somebody": subjectPronoun, "anyone": subjectPronoun, "it": subjectNone,
	"this": subjectNone, "that": subjectNone, "there": subjectNone, "i": subjectPronoun, "you": subjectPronoun,
	"one": subjectNone, "which": subjectNone, "who": subjectNone, "what": subjectNone, "these": subjectNone,
	"those": subjectNone, "nobody": subjectNone, "nothing": subjectNone, "everything": subjectNone,
}

// sentenceStarters are capitalised words that begin sentences without
// naming anyone.
var sentenceStarters = map[string]bool{
	"each": true, "every": true, "both": true, "most": true, "many": true, "few": true, "further": true,
	"last": true, "here": true, "today": true, "tomorrow": true, "yesterday": true, "however": true,
	"meanwhile": true, "otherwise": true, "therefore": true, "instead": true, "again": true, "now": true,
	"soon": true, "later": true, "later on": true, "everything": true, "anything": true, "someone": true,
	"welcome": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "january": true, "february": true, "march": true, "april": true,
	"may": true, "june": true, "july": true, "august": true, "september": true, "october": true,
	"november": true, "december": true, "training": true, "testing": true, "work": true, "progress": true,
	"support": true, "documentation": true, "everyone": true, "nobody": true, "back": true, "moving": true,
	"going": true, "lunch": true, "coffee": true, "dinner": true, "registration": true, "deadline": true,
	"feedback": true, "access": true, "this": true, "that": true, "it": true, "there": true, "they": true,
	// Imperatives and adjectives that start sentences: "Learn to build
	// bots", "Remember to send", "Happy to help".
	"learn": true, "remember": true, "hope": true, "aim": true, "expect": true, "forget": true,
	"choose": true, "prefer": true, "like": true, "love": true, "seem": true, "tend": true, "wish": true,
	"intend": true, "attempt": true, "encourage": true, "allow": true, "able": true, "happy": true,
	"glad": true, "nice": true, "good": true, "great": true, "easy": true, "hard": true, "difficult": true,
	"important": true, "worth": true, "ready": true, "best": true, "better": true, "thanks": true,
	"due": true, "up": true, "according": true, "similar": true, "subject": true, "link": true, "path": true,
	"way": true, "ability": true, "something": true, "okay": true, "ok": true, "yes": true, "no": true,
	"please": true, "hello": true, "hi": true, "dear": true, "reminder": true, "note": true, "fyi": true,
	"time": true, "also": true, "first": true, "second": true, "finally": true, "next": true,
	"reflect": true, "focus": true, "debate": true, "consider": true, "avoid": true, "use": true,
	"reuse": true, "include": true, "exclude": true, "wait": true, "return": true, "bias": true,
	"priority": true, "goal": true, "objective": true, "purpose": true, "question": true,
	"unable": true, "reluctant": true, "willing": true, "maybe": true, "probably": true, "possibly": true,
	"decided": true, "agreed": true, "resolved": true, "approved": true, "consent": true, "consensus": true,
	"hearing": true, "seeing": true, "given": true, "overall": true, "generally": true, "ideally": true,
}

// abstractEndings mark capitalised words that name things, not people:
// "Training will resume", "Documentation will follow".
var abstractEndings = []string{"ing", "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ship", "ism", "ure", "age"}

// subject reads words as the subject of a sentence and says
// what it is; owner is the subject as written, without a leading "The".
func (p *parser) subject(words []string) (string, subjectKind) {
	if len(words) == 0 || len(words) > 7 {
		return "", subjectNone
	}
	for i, w := range words[:len(words)-1] {
		if strings.ContainsAny(w, ".;:!?") && !isAbbrev(w) || (strings.HasSuffix(w, ",") && i == 0 && len(words) == 2) {
			return "", subjectNone // a subject does not run across a sentence or clause
		}
	}
	written := strings.Trim(strings.Join(words, " "), " ,*_")
	lower := strings.ToLower(written)
	first := bareWord(words[0])
	if len(words) == 1 {
		if k, ok := pronouns[first]; ok {
			return "", k
		}
	}
	switch first {
	case "the", "our", "each", "every", "all", "any":
		return p.roleSubject(words, written, lower)
	}
	if collectiveNouns[lower] {
		return "", subjectCollective
	}
	if len(words) == 1 {
		return p.oneWordSubject(words[0])
	}
	if !isAcronym(strings.Trim(words[0], ",")) && (strings.ContainsAny(words[0], "'’") || pronouns[first] != subjectNone || sentenceStarters[first]) {
		return "", subjectNone // "I'd prefer to …", "They will …"
	}
	if nameShaped(written) && !sentenceStarters[first] && !hasLowerJoin(words) {
		return written, subjectPerson
	}
	// "WP leaders", "CPC members", "IT Service Desk": capitalised words
	// then a role.
	if last := singular(bareWord(words[len(words)-1])); roleNouns[last] || agentNoun(last) {
		for _, w := range words[:len(words)-1] {
			if !startsUpper(w) {
				return "", subjectNone
			}
		}
		if externalNouns[last] || externalNouns[last+"s"] {
			return "", subjectNone
		}
		return written, subjectGroup
	}
	return "", subjectNone
}

// roleSubject reads "The board", "the contractor", "Each partner", "all
// WPs leaders".
func (p *parser) roleSubject(words []string, written, lower string) (string, subjectKind) {
	if len(words) < 2 || len(words) > 5 {
		return "", subjectNone
	}
	if roleOf(words[1:]) {
		return written, subjectGroup // "the Director of Finance", "the Head of Nursing"
	}
	for _, w := range words[1:] {
		if innerStops[bareWord(w)] {
			return "", subjectNone // "The goal is for admins", "The lower the barrier"
		}
	}
	rest := strings.Join(words[1:], " ")
	restLower := strings.ToLower(strings.Trim(rest, " ,"))
	if collectiveNouns[restLower] || strings.HasSuffix(restLower, " group") || strings.HasSuffix(restLower, " team") {
		return "", subjectCollective
	}
	last := bareWord(words[len(words)-1])
	if externalNouns[last] {
		return "", subjectNone
	}
	if bareWord(words[0]) == "the" && nameShaped(rest) && len(words) <= 4 && !sentenceStarters[bareWord(words[1])] {
		return written, subjectGroup // "The Steering Council", "The PMO"
	}
	if s := singular(last); roleNouns[s] || roleNouns[last] || agentNoun(s) {
		return written, subjectGroup
	}
	return "", subjectNone
}

// roleOf reports whether words name a role of a body: "Director of
// Finance", "Chair of the Board", "Head of IT".
func roleOf(words []string) bool {
	for i, w := range words {
		if bareWord(w) != "of" || i == 0 || i+1 >= len(words) {
			continue
		}
		if !roleNouns[singular(bareWord(words[i-1]))] || !startsUpper(words[i-1]) {
			return false
		}
		rest := words[i+1:]
		if bareWord(rest[0]) == "the" {
			rest = rest[1:]
		}
		for _, r := range rest {
			if !startsUpper(r) {
				return false
			}
		}
		return len(rest) > 0 && len(rest) <= 3
	}
	return false
}

// innerStops cannot stand inside a subject such as "the ward managers".
var innerStops = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "be": true, "for": true, "of": true, "to": true,
	"in": true, "on": true, "at": true, "with": true, "that": true, "the": true, "has": true, "have": true,
	"lower": true, "higher": true, "more": true, "less": true, "if": true, "when": true,
}

// oneWordSubject reads a subject of one word: a name, a handle the
// document uses for someone, an acronym standing for a body.
func (p *parser) oneWordSubject(w string) (string, subjectKind) {
	bare := strings.Trim(w, " ,*_")
	lower := strings.ToLower(bare)
	if notNames[lower] || verbs[lower] || sentenceStarters[lower] || bare == "" {
		return "", subjectNone
	}
	if p.knownHandle(bare) {
		return bare, subjectPerson
	}
	if !startsUpper(bare) && !strings.HasPrefix(bare, "@") {
		return "", subjectNone
	}
	if isAcronym(bare) {
		return bare, subjectGroup // "SC", "LP", "FESCo"
	}
	if !nameWord(bare, true) || strings.ContainsAny(bare, "/&,") || strings.HasSuffix(lower, "ly") && !known(p, bare) {
		return "", subjectNone // "Conservatively, …", "Additionally"
	}
	known := len(p.dir.Resolve(bare)) > 0
	for _, end := range abstractEndings {
		if strings.HasSuffix(lower, end) && len(lower) > len(end)+2 && !known {
			return "", subjectNone
		}
	}
	if !known && p.knowsWhoCame() && p.mentions(bare) < 2 {
		return "", subjectNone // the minutes say who was there, and this is none of them
	}
	return bare, subjectPerson
}

// known reports whether the directory knows a name.
func known(p *parser, name string) bool { return len(p.dir.Resolve(name)) > 0 }

// knowsWhoCame reports whether the parse knows the people of the meeting:
// a roster, or attendees in the minutes.
func (p *parser) knowsWhoCame() bool {
	return len(p.opts.Roster) > 0 || len(p.out.Meeting.Attendees) > 0
}

// mentions counts the places the document writes a word, whole.
func (p *parser) mentions(w string) int {
	if p.words == nil {
		p.words = map[string]int{}
		for _, t := range p.texts() {
			for _, f := range strings.FieldsFunc(t, func(r rune) bool {
				return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'')
			}) {
				p.words[f]++
			}
		}
	}
	return p.words[w]
}

// knownHandle reports whether a lower-case word is a handle the document
// or the directory knows: "thl" in "Thorsten Leemhuis (thl)".
func (p *parser) knownHandle(w string) bool {
	w = strings.TrimPrefix(w, "@")
	if w == "" {
		return false
	}
	if p.handles[strings.ToLower(w)] {
		return true
	}
	if startsUpper(w) {
		return false
	}
	return len(p.dir.Resolve(w)) == 1
}

// isAcronym reports whether w is written like the short name of a body:
// two to six letters, mostly capitals ("SC", "OSPO", "FESCo").
func isAcronym(w string) bool {
	if len(w) < 2 || len(w) > 6 {
		return false
	}
	upper := 0
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= 'a' && r <= 'z':
		default:
			return false
		}
	}
	return upper >= 2 && upper*2 >= len(w)
}

func isAbbrev(w string) bool {
	return abbreviations[strings.ToLower(strings.TrimRight(w, ".,"))] || (len(w) == 2 && w[1] == '.' && startsUpper(w))
}

// hasLowerJoin reports whether a name list is joined by a lower-case word
// other than "and": "Alice from IT" is not a name.
func hasLowerJoin(words []string) bool {
	for _, w := range words {
		b := bareWord(w)
		if !startsUpper(w) && b != "and" && b != "&" && !strings.HasPrefix(w, "@") && w != "," {
			return true
		}
	}
	return false
}

// singular drops a plural "s": "leaders" gives "leader".
func singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// agentNouns that are not agents: words ending like "contractor" or
// "manager" that name things.
var notAgents = map[string]bool{
	"number": true, "order": true, "letter": true, "paper": true, "folder": true, "server": true,
	"cluster": true, "chapter": true, "matter": true, "register": true, "quarter": true, "computer": true,
	"scanner": true, "printer": true, "router": true, "container": true, "browser": true, "filter": true,
	"parameter": true, "header": true, "footer": true, "layer": true, "winter": true, "summer": true,
	"water": true, "power": true, "answer": true, "other": true, "either": true, "neither": true,
	"later": true, "border": true, "corner": true, "offer": true, "error": true, "mirror": true,
	"sensor": true, "monitor": true, "factor": true, "sector": true, "vector": true, "floor": true,
	"door": true, "colour": true, "color": true, "major": true, "minor": true, "list": true, "cost": true,
	"post": true, "mist": true, "vendor": true, "calendar": true, "dry": true, "rehearsal": true,
	"poster": true, "roster": true, "after": true, "under": true, "over": true, "ever": true, "never": true,
	"however": true, "together": true, "whether": true, "rather": true, "further": true, "another": true,
	"pointer": true, "driver": true, "trigger": true, "timer": true, "buffer": true, "cover": true,
	"super": true, "character": true, "member": false, "user": true, "customer": true, "supplier": true,
	// Verbs that end like agents.
	"prefer": true, "consider": true, "remember": true, "deliver": true, "enter": true, "gather": true,
	"discover": true, "recover": true, "transfer": true, "render": true, "suffer": true, "wonder": true,
	"differ": true, "alter": true, "mentor": false, "barrier": true, "whatever": true,
}

// agentNoun reports whether w names someone by what they do:
// "contractor", "pharmacist", "coordinator", "librarian".
func agentNoun(w string) bool {
	if len(w) < 5 || notAgents[w] {
		return false
	}
	for _, end := range []string{"or", "er", "ist", "ian"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}
