package minutes

import (
	"strings"
)

// Prose: most minutes written by people record actions and decisions in
// sentences, not under headings: "Priya will write the runbook by
// December 11", "Carol is going to ping Nathaniel", "X to check.", "Jordan,
// can you also add …?", "The Steering Council decided Thomas would send
// …", "after some deliberation decided that …", "SC agrees on …". The
// readers here look at the shape of each sentence: who its subject is
// (subjects.go) and what follows it. Items found this way are "weak": a
// repeat of an item the minutes also list (a recap's outline repeating
// its action items) is dropped.

// maxSubjectWords bounds the words of a subject: "Silona, Leonard, and
// Christian".
const maxSubjectWords = 7

// assignment is an action a sentence gives someone.
type assignment struct {
	owner string // as written; "" when nobody is named
	kind  subjectKind
	task  string // from the verb on
	via   string // the word that made it an assignment: "to", "will", "agreed" …
}

// hedges after "will" make a sentence a guess, not a commitment: "Carol
// will probably want to see it".
var hedges = map[string]bool{
	"probably": true, "maybe": true, "possibly": true, "perhaps": true, "likely": true, "hopefully": true,
	"might": true, "not": true, "never": true, "need": true, "want": true,
}

// adverbs may stand between "will" and its verb.
var adverbs = map[string]bool{
	"also": true, "soon": true, "then": true, "now": true, "still": true, "first": true, "quickly": true,
	"personally": true, "jointly": true, "directly": true, "kindly": true, "immediately": true, "shortly": true,
	"again": true, "additionally": true, "separately": true, "together": true,
}

// notTasks are words that follow "to" or "will" without starting a task:
// "Bob to be fair", "Alice to herself", "back to the agenda".
var notTasks = map[string]bool{
	"the": true, "a": true, "an": true, "this": true, "that": true, "these": true, "those": true, "his": true,
	"her": true, "their": true, "our": true, "my": true, "its": true, "your": true, "herself": true,
	"himself": true, "themselves": true, "itself": true, "them": true, "us": true, "me": true, "you": true,
	"him": true, "it": true, "be": true, "been": true, "being": true, "date": true, "all": true, "any": true,
	"some": true, "each": true, "other": true, "which": true, "whom": true, "what": true, "who": true,
	"and": true, "or": true, "but": true, "if": true, "not": true, "no": true, "than": true, "as": true,
	"at": true, "in": true, "on": true, "of": true, "for": true, "with": true, "from": true, "by": true,
	"one": true, "two": true, "three": true, "more": true, "less": true, "much": true, "many": true,
	"have": false, "get": false,
	// States and wishes, not tasks.
	"want": true, "like": true, "love": true, "prefer": true, "think": true, "hope": true, "know": true,
	"feel": true, "seem": true, "wish": true, "mind": true, "matter": true, "happen": true, "depend": true,
	"remain": true, "stay": true, "become": true, "continue": true, "receive": true, "benefit": true,
	"step": true, "leave": false,
}

// verbLike reports whether w can be the verb that starts a task: a
// lower-case word that is not a determiner, pronoun or state.
func verbLike(w string) bool {
	if w == "" || !startsLower(w) || len(w) < 2 {
		return false
	}
	b := bareWord(w)
	if b != strings.ToLower(strings.TrimRight(w, ".,;:!?)")) || notTasks[b] || strings.HasSuffix(b, "ly") {
		return false
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

// predicate reads what follows a subject at words[j]: "to send", "will
// send", "will be meeting", "is going to send", "are requested to keep",
// "agreed to test", "agrees on circulate", "commits itself to push",
// "would be sending" (after "decided"). It returns where the task starts
// and the word that made it an assignment.
func predicate(words, bare []string, j int, afterDecision bool) (int, string, bool) {
	at := func(k int) string {
		if k < len(bare) {
			return bare[k]
		}
		return ""
	}
	verbAt := func(k int) (int, bool) {
		if k < len(words) && verbLike(words[k]) {
			return k, true
		}
		return 0, false
	}
	w := at(j)
	switch w {
	case "to":
		if at(j+1) == "be" {
			return 0, "", false // "Venue to be confirmed": nobody is asked
		}
		t, ok := verbAt(j + 1)
		return t, "to", ok
	case "will", "shall", "would":
		if w == "would" && !afterDecision {
			return 0, "", false
		}
		k := j + 1
		for adverbs[at(k)] {
			k++
		}
		if at(k) == "need" && at(k+1) == "to" && at(k+2) != "be" {
			k += 2 // "Marcus will need to book the cover"
		}
		if hedges[at(k)] {
			return 0, "", false
		}
		if at(k) == "be" {
			// "will be meeting" is a plan; "will be added" is not a task
			// anyone was given.
			next := at(k + 1)
			if strings.HasSuffix(next, "ing") && next != "being" && verbLike(words[k+1]) && k+2 < len(words) && taskVerbIng(next) {
				return k + 1, "will", true
			}
			if next == "responsible" && at(k+2) == "for" && k+3 < len(words) {
				return k, "will", true // "Raj will be responsible for the comms plan"
			}
			return 0, "", false
		}
		t, ok := verbAt(k)
		return t, "will", ok
	case "is", "are":
		switch at(j + 1) {
		case "going":
			if at(j+2) == "to" && at(j+3) != "be" && !hedges[at(j+3)] {
				t, ok := verbAt(j + 3)
				return t, "going to", ok
			}
		case "to":
			t, ok := verbAt(j + 2)
			return t, "to", ok
		case "requested", "asked", "expected", "invited", "tasked", "assigned":
			if at(j+2) == "to" {
				t, ok := verbAt(j + 3)
				return t, "asked", ok
			}
		}
	case "be":
		// "the Director of Finance be asked to report back" (a resolution)
		switch at(j + 1) {
		case "asked", "requested", "invited", "tasked", "instructed", "authorised", "authorized":
			if at(j+2) == "to" {
				t, ok := verbAt(j + 3)
				return t, "asked", ok
			}
		}
	case "has", "have", "took", "takes", "take", "owns":
		switch at(j + 1) {
		case "agreed", "volunteered", "offered", "committed", "promised":
			if at(j+2) == "to" && w != "took" && w != "takes" && w != "take" && w != "owns" {
				t, ok := verbAt(j + 3)
				return t, at(j + 1), ok
			}
		case "an", "the":
			// "took an action to check …", "has the action to chase …"
			k := j + 2
			switch at(k) {
			case "action", "ap", "ai":
				k++
				if at(k) == "item" || at(k) == "point" {
					k++
				}
				if at(k) == "to" {
					t, ok := verbAt(k + 1)
					return t, "action", ok
				}
			}
		}
	case "agreed", "agrees", "agree", "volunteered", "volunteers", "offered", "offers", "promised", "undertook", "undertakes":
		if at(j+1) == "to" || at(j+1) == "on" {
			t, ok := verbAt(j + 2)
			return t, w, ok
		}
		return reported(words, bare, j)
	case "commits", "committed", "commit":
		k := j + 1
		switch at(k) {
		case "itself", "himself", "herself", "themselves", "themself":
			k++
		}
		if at(k) == "to" {
			t, ok := verbAt(k + 1)
			return t, "commits", ok
		}
	case "needs":
		if at(j+1) == "to" && at(j+2) != "be" {
			t, ok := verbAt(j + 2)
			return t, "needs", ok
		}
	default:
		if reportingVerbs.has(w) {
			return reported(words, bare, j)
		}
	}
	return 0, "", false
}

// goingTo reads the task of "Hannah's going to look at it": "going" at
// j, after a subject whose last word carries "'s".
func goingTo(words, bare []string, j int) (int, bool) {
	if j == 0 || contraction(words[j-1]) == "" || at(bare, j+1) != "to" || at(bare, j+2) == "be" || hedges[at(bare, j+2)] {
		return 0, false
	}
	if j+2 < len(words) && verbLike(words[j+2]) {
		return j + 2, true
	}
	return 0, false
}

// contraction returns the "'s" or "’s" that ends w, or "".
func contraction(w string) string {
	for _, c := range []string{"'s", "’s"} {
		if strings.HasSuffix(w, c) && len(w) > len(c) {
			return c
		}
	}
	return ""
}

// reported reads a promise told in reported speech after the reporting
// verb at words[j]: "said she'd confirm …", "mentioned that he will send
// …", "confirmed she is going to raise it", "told the group he would
// …". Its pronoun must be he or she, standing for the subject: "said the
// vendor will …" reports someone else's promise, and "they" is as often
// the vendor as the speaker.
func reported(words, bare []string, j int) (int, string, bool) {
	k := j + 1
	if at(bare, k) == "the" && (at(bare, k+1) == "group" || at(bare, k+1) == "team" || at(bare, k+1) == "meeting") {
		k += 2 // "told the group he would …"
	}
	if at(bare, k) == "that" {
		k++
	}
	pronoun, modal, _ := strings.Cut(strings.ReplaceAll(at(bare, k), "’", "'"), "'")
	if pronoun != "he" && pronoun != "she" {
		return 0, "", false
	}
	k++
	switch {
	case modal == "d" || modal == "ll":
		n := k
		for at(bare, n) == "already" || at(bare, n) == "just" || at(bare, n) == "since" {
			n++
		}
		if modal == "d" && (n > k || pastParticiple(at(bare, n))) {
			return 0, "", false // "said he'd already sent it": done, not promised
		}
	case modal != "":
		return 0, "", false
	case at(bare, k) == "will" || at(bare, k) == "would" || at(bare, k) == "shall":
		k++
	case (at(bare, k) == "is" || at(bare, k) == "was") && at(bare, k+1) == "going" && at(bare, k+2) == "to":
		k += 3
	default:
		return 0, "", false
	}
	for adverbs[at(bare, k)] {
		k++
	}
	if hedges[at(bare, k)] || k >= len(words) {
		return 0, "", false
	}
	if at(bare, k) == "be" {
		next := at(bare, k+1)
		if strings.HasSuffix(next, "ing") && k+2 < len(words) && taskVerbIng(next) {
			return k + 1, "will", true // "said she would be sending …"
		}
		return 0, "", false
	}
	if !verbLike(words[k]) {
		return 0, "", false
	}
	return k, "will", true
}

// passiveAgent reads a passive future that names the person who will do
// it: "The runbook will be written by Priya", "The smoke test is to be
// run by Dan on Dec 5". The task is the clause without its agent. A date
// ("by Friday"), a group or an outside party ("by the vendor") after "by"
// names no owner, and a passive future without an agent ("Bob and Carol
// will be added as reviewers") is nobody's task.
func (p *parser) passiveAgent(words, bare []string) (assignment, bool) {
	for i := 1; i+3 < len(bare); i++ {
		k := 0
		switch {
		case (bare[i] == "will" || bare[i] == "shall") && bare[i+1] == "be":
			k = i + 2
		case (bare[i] == "is" || bare[i] == "are") && bare[i+1] == "to" && bare[i+2] == "be":
			k = i + 3
		default:
			continue
		}
		if k >= len(bare) || !pastParticiple(bare[k]) {
			return assignment{}, false
		}
		for b := k + 1; b+1 < len(bare) && b <= k+5; b++ {
			if strings.ContainsAny(words[b-1][len(words[b-1])-1:], ",;:") || b > k+1 && pastParticiple(bare[b]) {
				break // "will be held via teleconference, hosted by …": another clause's agent
			}
			if bare[b] != "by" {
				continue
			}
			n := agentLength(words, b+1)
			if n == 0 {
				continue
			}
			agent := words[b+1 : b+1+n]
			if strings.HasSuffix(agent[n-1], ":") {
				break
			}
			owner, kind := p.subject(agent)
			if kind != subjectPerson || p.hasDue("by "+strings.Join(agent, " ")) {
				continue
			}
			task := strings.Join(words[passiveStart(words, bare, i):b], " ")
			if rest := words[b+1+n:]; len(rest) > 0 {
				task += " " + strings.Join(rest, " ")
			} else if strings.HasSuffix(agent[n-1], ".") {
				task += "."
			}
			return assignment{owner: strings.TrimRight(owner, ".,;"), kind: kind, task: task, via: "by"}, true
		}
		return assignment{}, false
	}
	return assignment{}, false
}

// passiveStart returns where the clause of a passive future starts, its
// auxiliary being at words[aux]: after "that", a reporting verb or a comma
// ("Alice said the training will be run by Carol").
func passiveStart(words, bare []string, aux int) int {
	for k := aux - 1; k > 0; k-- {
		if bare[k-1] == "that" || reportingVerbs.has(bare[k-1]) || strings.ContainsAny(words[k-1][len(words[k-1])-1:], ",;:") {
			return k
		}
	}
	return 0
}

// reportingVerbs report what someone said.
var reportingVerbs = newWordSet("said", "says", "mentioned", "confirmed", "noted", "indicated", "stated",
	"explained", "added", "told", "replied", "advised", "reported", "suggested")

// agentLength counts the words of the name that starts at words[i]:
// capitalised words and the "and" between them, at most four, ending at a
// word that ends a clause.
func agentLength(words []string, i int) int {
	n := 0
	for j := i; j < len(words) && n < 4; j++ {
		w := words[j]
		if !startsUpper(w) && !(n > 0 && (w == "and" || w == "&")) {
			break
		}
		n++
		if strings.ContainsAny(w[len(w)-1:], ".,;:") {
			break
		}
	}
	if n > 0 && (words[i+n-1] == "and" || words[i+n-1] == "&") {
		n--
	}
	return n
}

// pastParticiple reports whether w is written like a past participle:
// "sent", "finished", "done".
func pastParticiple(w string) bool {
	return strings.HasSuffix(w, "ed") || irregularParticiples.has(w)
}

// irregularParticiples are the past participles of common irregular
// verbs, which "will be …" and "had …" take.
var irregularParticiples = newWordSet("sent", "done", "been", "gone", "written", "seen", "spoken", "made",
	"taken", "given", "met", "told", "got", "gotten", "found", "left", "put", "run", "held", "led", "built",
	"brought", "bought", "set", "drawn", "shown", "known", "kept", "paid", "sold", "won", "chosen", "begun",
	"undertaken", "overseen", "rewritten", "redone", "read", "shut", "cut",
	"understood", "thought", "caught", "taught", "fed", "hung", "struck", "dealt", "meant", "lent", "spent")

// taskVerbIng reports whether an -ing form is of a verb that does a task:
// "will be meeting", "will be sending", not "will be stepping down".
func taskVerbIng(w string) bool {
	stem := strings.TrimSuffix(w, "ing")
	if verbs[stem] || verbs[stem+"e"] {
		return true
	}
	if n := len(stem); n > 2 && stem[n-1] == stem[n-2] && verbs[stem[:n-1]] {
		return true // "planning", "setting"
	}
	return false
}

// clauseStart reports whether a clause can start at words[i]: the start of
// the sentence, after "that", "and" or "decided", inside an opening
// bracket, or after an introductory phrase ("For now, bpepple is going to
// …").
func clauseStart(words, bare []string, i int) bool {
	if i == 0 || strings.HasPrefix(words[i], "(") {
		return true
	}
	prev := words[i-1]
	if strings.HasSuffix(prev, ":") || (strings.HasSuffix(prev, ".") && len(prev) > 4) || isEnumerator(prev) {
		return true // after "Dims:", "(2)", or a full stop the sentence splitter kept ("… merge. thl will")
	}
	switch bare[i-1] {
	case "that", "and", "decided", "agreed":
		return !strings.HasSuffix(prev, ",") || bare[i-1] == "and"
	case "so", "but", "then":
		return true // "…; nobody owns it, so Dana is going to raise it"
	}
	return strings.HasSuffix(prev, ",") && (i <= 3 || strings.Contains(strings.Join(words[:i], " "), "("))
}

// isEnumerator reports whether w numbers a part of a sentence: "(2)",
// "b)", "(iii)".
func isEnumerator(w string) bool {
	if len(w) < 2 || len(w) > 5 || w[len(w)-1] != ')' {
		return false
	}
	inner := strings.TrimPrefix(w[:len(w)-1], "(")
	for _, r := range inner {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return inner != ""
}

// assignmentIn finds the first assignment in a clause.
func (p *parser) assignmentIn(clause string) (assignment, bool) {
	words := strings.Fields(clause)
	bare := make([]string, len(words))
	for i, w := range words {
		bare[i] = bareWord(w)
	}
	return p.assignmentWords(words, bare)
}

// predicateWords are the words a predicate starts with: a clause without
// any of them assigns nothing, and is not read further.
var predicateWords = newWordSet("to", "will", "shall", "would", "is", "are", "has", "have",
	"agreed", "agrees", "agree", "volunteered", "volunteers", "offered", "offers", "promised", "undertook",
	"undertakes", "commits", "committed", "commit", "needs", "asked", "requested", "invited", "tasked",
	"can", "could", "please", "be", "said", "says", "mentioned", "confirmed", "noted", "indicated", "stated",
	"explained", "added", "told", "replied", "advised", "reported", "suggested", "took", "takes", "take", "owns",
	"going")

// assignmentWords finds the first assignment in the words of a clause.
func (p *parser) assignmentWords(words, bare []string) (assignment, bool) {
	if len(words) < 3 || len(words) > 120 {
		return assignment{}, false
	}
	cue := false
	for _, b := range bare {
		if predicateWords.has(b) {
			cue = true
			break
		}
	}
	if !cue {
		return assignment{}, false
	}
	if a, ok := p.vocative(words); ok {
		return a, true
	}
	if a, ok := p.requestByName(words, bare); ok {
		return a, true
	}
	afterDecision := false
	var weakest assignment
	found := false
	for i := 0; i < len(words); i++ {
		switch bare[i] {
		case "decided", "agreed", "resolved":
			afterDecision = true
		case "asked", "requested", "invited", "tasked":
			if a, ok := p.askedTo(words, i); ok {
				return a, true
			}
		}
		if !clauseStart(words, bare, i) {
			continue
		}
		for k := 1; k <= maxSubjectWords && i+k < len(words); k++ {
			if !predicateWords.has(bare[i+k]) {
				continue
			}
			t, via, ok := predicate(words, bare, i+k, afterDecision)
			contracted := false
			if !ok && bare[i+k] == "going" {
				// "Hannah's going to look at it": the subject carries its verb.
				t, ok = goingTo(words, bare, i+k)
				via, contracted = "going to", true
			}
			if !ok {
				continue
			}
			subj := append([]string(nil), words[i:i+k]...)
			if contracted {
				subj[k-1] = subj[k-1][:len(subj[k-1])-len(contraction(subj[k-1]))]
			}
			if strings.HasSuffix(subj[k-1], ")") {
				continue // "(Łukasz Langa) to discuss": the bracket's name is not the subject
			}
			subj[0] = strings.TrimLeft(subj[0], "(")
			owner, kind := p.subject(subj)
			if kind == subjectPronoun && k == 1 {
				owner, kind = p.antecedent(words, i, bareWord(subj[0]))
			}
			if kind == subjectNone {
				continue
			}
			a := assignment{owner: owner, kind: kind, task: strings.Join(words[t:], " "), via: via}
			if i > 0 && bare[i-1] == "and" && (kind != subjectPerson || via == "to") {
				continue // "… and the group will …", "request from Jon and Thomas to make …"
			}
			if kind == subjectPerson || kind == subjectGroup {
				return a, true
			}
			if !found {
				weakest, found = a, true
			}
		}
	}
	return weakest, found
}

// nextAssignment finds a second assignment joined to a task by "and":
// "Tomasz to send the run sheet and Lena to check it". It returns the
// task before "and" and the assignment after it.
func (p *parser) nextAssignment(task string) (string, assignment, bool) {
	named := false
	for rest := task; !named; {
		i := strings.Index(rest, " and ")
		if i < 0 {
			return task, assignment{}, false
		}
		rest = rest[i+5:]
		named = startsUpper(rest) || strings.HasPrefix(rest, "@") // "… and Lena to check it"
	}
	words := strings.Fields(task)
	bare := make([]string, len(words))
	for i, w := range words {
		bare[i] = bareWord(w)
	}
	for i := 1; i+2 < len(words); i++ {
		if bare[i] != "and" {
			continue
		}
		for k := 1; k <= 3 && i+1+k < len(words); k++ {
			if !predicateWords.has(bare[i+1+k]) {
				continue
			}
			t, via, ok := predicate(words, bare, i+1+k, false)
			if !ok {
				continue
			}
			owner, kind := p.subject(words[i+1 : i+1+k])
			if kind != subjectPerson {
				break
			}
			return strings.Join(words[:i], " "), assignment{owner: owner, kind: kind, task: strings.Join(words[t:], " "), via: via}, true
		}
	}
	return task, assignment{}, false
}

// requestByName reads a request put as a question to someone named:
// "Can Marcus please book the security cover?", "Please can Omar confirm
// the printers", "Could Bob check the logs?".
func (p *parser) requestByName(words, bare []string) (assignment, bool) {
	i := 0
	if len(bare) > 0 && bare[0] == "please" {
		i++
	}
	if i+2 >= len(words) {
		return assignment{}, false
	}
	switch bare[i] {
	case "can", "could":
	default:
		return assignment{}, false
	}
	for k := 1; k <= 3 && i+1+k < len(words); k++ {
		j := i + 1 + k
		if bare[j] == "please" {
			j++
		}
		if j >= len(words) || !verbs[bare[j]] {
			continue
		}
		owner, kind := p.subject(words[i+1 : i+1+k])
		if kind != subjectPerson {
			return assignment{}, false
		}
		task := strings.TrimRight(strings.Join(words[j:], " "), "?.")
		return assignment{owner: owner, kind: kind, task: task, via: "asked"}, true
	}
	return assignment{}, false
}

// antecedent finds whom "he" or "she" stands for: the person the
// sentence starts with ("Thomas has several todos that he will …").
func (p *parser) antecedent(words []string, i int, pronoun string) (string, subjectKind) {
	if pronoun != "he" && pronoun != "she" || i == 0 {
		return "", subjectPronoun
	}
	for k := 1; k <= 3 && k < i; k++ {
		if !startsLower(words[k]) {
			continue
		}
		if owner, kind := p.subject(words[:k]); kind == subjectPerson {
			return owner, kind
		}
		break
	}
	return "", subjectPronoun
}

// vocative reads a request made to someone by name: "Jordan, can you also
// add the numbers by Thursday?", "Bob, please send the quote".
func (p *parser) vocative(words []string) (assignment, bool) {
	for k := 1; k <= 3 && k < len(words); k++ {
		if !strings.HasSuffix(words[k-1], ",") {
			continue
		}
		name := strings.TrimRight(strings.Join(words[:k], " "), ",")
		if _, kind := p.subject(strings.Fields(name)); kind != subjectPerson || strings.HasSuffix(strings.ToLower(name), "ly") {
			return assignment{}, false // "Additionally, please see …" asks nobody
		}
		j := k
		switch bareWord(words[j]) {
		case "can", "could", "would", "will":
			if j+1 >= len(words) || bareWord(words[j+1]) != "you" {
				return assignment{}, false
			}
			j += 2
		case "please":
		default:
			return assignment{}, false
		}
		for j < len(words) && (adverbs[bareWord(words[j])] || bareWord(words[j]) == "please") {
			j++
		}
		if j < len(words) && verbLike(words[j]) {
			task := strings.TrimRight(strings.Join(words[j:], " "), "?")
			return assignment{owner: name, kind: subjectPerson, task: task, via: "asked"}, true
		}
		return assignment{}, false
	}
	return assignment{}, false
}

// askedTo reads "asked all WPs leaders to add …", "requested Bob to
// send …": the one asked is the owner.
func (p *parser) askedTo(words []string, i int) (assignment, bool) {
	for k := 1; k <= 4 && i+1+k < len(words); k++ {
		if bareWord(words[i+1+k]) != "to" {
			continue
		}
		t := i + 2 + k
		if t >= len(words) || !verbLike(words[t]) {
			return assignment{}, false
		}
		owner, kind := p.subject(words[i+1 : i+1+k])
		if kind != subjectPerson && kind != subjectGroup {
			return assignment{}, false
		}
		return assignment{owner: owner, kind: kind, task: strings.Join(words[t:], " "), via: "asked"}, true
	}
	return assignment{}, false
}

// firstField returns the first word of s.
func firstField(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// conditional reports whether a task holds only under a condition: "will
// help … if they require any help".
func conditional(task string) bool {
	return strings.Contains(task, " if ") || strings.Contains(task, " unless ") || strings.HasPrefix(task, "if ")
}

// clauseEnd returns the index after the clause of a sentence that
// starts at words[start]: clauses end at semicolons.
func clauseEnd(words []string, start int) int {
	for i := start; i < len(words); i++ {
		if strings.HasSuffix(words[i], ";") {
			return i + 1
		}
	}
	return len(words)
}
