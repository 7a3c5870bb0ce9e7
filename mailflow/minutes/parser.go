package minutes

import (
	"fmt"
	"regexp"
	"strings"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

// lastRef points at the item or risk the previous entry created, so that
// "Owner: …" / "Due: …" / "Mitigation: …" lines after it can fill it in.
type lastRef struct {
	kind  lastKind
	index int
	entry int // for a risk read from prose: the line it was read on
}

type lastKind int

const (
	lastNone lastKind = iota
	lastItem
	lastRisk
)

type parser struct {
	msg              *mailtext.Message
	opts             Options
	rosterDir        *mailflow.Directory // roster and correspondents: who attendees are
	dir              *mailflow.Directory // plus attendees: who owners are
	day              mailflow.Date
	out              mailflow.Minutes
	last             lastRef
	line             string                // the line being read, quoted in problems
	groups           map[int]string        // "Action items, by person" groups: entry index → owner ("" for a topic)
	handles          map[string]bool       // lower-case handles the document uses for people ("thl")
	decisionGroups   map[int]bool          // "Resolved: (Niko)" entries: what is nested under them was resolved
	decisionTopics   map[int]string        // topics in a decisions section: what is nested under them was decided
	speaker          string                // the speaker whose remarks follow ("Priya:" on its own)
	listOwner        string                // the person whose items follow in an action list ("Kelly Smith" over "- Add …")
	words            map[string]int        // how often each word is written, counted when first needed
	wordBuf, bareBuf []string              // the words of the sentence being read, reused
	lowerBuf         []byte                // the lowered text of the entry being read, reused
	seenItems        map[string]bool       // items stored so far, by lower-case text and owner
	seenText         map[string]bool       // decisions and asks stored so far (see firstTime)
	milestoneAt      map[string]int        // milestones stored so far, by lower-case name and date: their index
	nextMeeting      [2]int                // the entries that say when the next meeting is, or -1
	docs             []doc                 // the texts read, for the notes
	proseRead        bool                  // the entry being read was read as prose
	proposal         proposal              // the motion waiting for its outcome
	readUpTo         int                   // entries up to this one were read with an earlier one
	labelled         bool                  // the entry being read is a labelled line ("ACTION: …")
	entryIndex       int                   // the index of the entry being read
	all              []entry               // the entries of the minutes
	dateCache        map[string]dateResult // due dates read so far: an item's date is looked at more than once
	forwardAt        int                   // where the sender's own note ends (see writer); -1 until needed

	// weak marks the items read from prose, which a listed item repeats;
	// problemItem gives the item each problem is about (-1 for none).
	weak        []bool
	problemItem []int
	curItem     int
}

func newParser(msg *mailtext.Message, opts Options) *parser {
	opts.Dates.NoSpans = true // minutes record due days: "next week" is a week
	p := &parser{msg: msg, opts: opts, groups: map[int]string{}, handles: map[string]bool{}, decisionGroups: map[int]bool{}, curItem: -1, readUpTo: -1, nextMeeting: [2]int{-1, -1}, forwardAt: -1}
	p.out.ActionItems = []mailflow.ActionItem{}
	p.out.Risks = []mailflow.Risk{}
	p.out.Decisions = []mailflow.Decision{}
	p.out.Changes = []mailflow.Change{}
	p.out.Milestones = []mailflow.Milestone{}
	p.out.Asks = []mailflow.Decision{}
	p.out.Problems = []mailflow.Problem{}
	p.out.Meeting.Attendees = []mailflow.Person{}
	return p
}

// texts are the texts the minutes may be in: the body, then text
// attachments. An HTML body with tables is read from the HTML: the
// text/plain alternative that mail clients generate flattens a table into
// loose lines.
func (p *parser) texts() []string {
	body := p.msg.Text
	if p.msg.HTML != "" && containsFold(p.msg.HTML, "<table") && !hasPipeRow(body) {
		body = mailtext.HTMLToText(p.msg.HTML)
	}
	out := []string{body}
	for _, a := range p.msg.Attachments {
		out = append(out, a.Text)
	}
	return out
}

// containsFold reports whether s contains the lowercase ASCII word sub,
// in any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func hasPipeRow(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 3 {
			return true
		}
	}
	return false
}

// entries reads every text into one run of entries; line numbers go on
// from one text to the next so that each problem points at one place.
func (p *parser) entries() []entry {
	var all []entry
	first := 1
	texts := p.texts()
	p.dateOrder(texts)
	for _, t := range texts {
		t = strings.ReplaceAll(t, "\r", "")
		if n := strings.Count(t, "\n"); n >= maxLines {
			p.problem(first+maxLines, "", fmt.Sprintf("the text has %d lines; only the first %d were read", n+1, maxLines))
		}
		es, lines := readLines(t, first)
		base := len(all)
		for i := range es {
			if es[i].parent >= 0 {
				es[i].parent += base
			}
		}
		if all == nil {
			all = es // the usual case: one text, no copy
		} else {
			all = append(all, es...)
		}
		p.docs = append(p.docs, doc{first: base, end: len(all), lines: lines})
		first += strings.Count(t, "\n") + 2
		if len(all) > maxLines {
			break
		}
	}
	return all
}

// dateResult is what dates.Parse made of a phrase.
type dateResult struct {
	date mailflow.Date
	err  error
}

// parseDate reads a due date relative to the meeting, as dates.Parse
// does, remembering the phrases it has read: the readers of an item look
// at its date several times. It is used once the meeting day and the next
// meeting are known.
func (p *parser) parseDate(phrase string) (mailflow.Date, error) {
	if r, ok := p.dateCache[phrase]; ok {
		return r.date, r.err
	}
	d, err := dates.Parse(phrase, p.day, p.opts.Dates)
	if p.dateCache == nil {
		p.dateCache = make(map[string]dateResult, 16)
	}
	if len(p.dateCache) < maxDateCache {
		p.dateCache[phrase] = dateResult{d, err}
	}
	return d, err
}

// maxDateCache bounds the phrases parseDate remembers.
const maxDateCache = 1000

// dateOrder reads ambiguous numeric dates ("06/11/2026") the way the
// minutes write their unambiguous ones ("23/10/2026"); minutes that give
// no evidence keep the project's order.
func (p *parser) dateOrder(texts []string) {
	if dayFirst, known := dates.OrderIn(append(texts, p.msg.Subject)...); known {
		p.opts.Dates.DayFirst = dayFirst
	}
}

func (p *parser) run() {
	entries := p.entries()
	p.all = entries
	p.rosterDir = p.rosterDirectory()
	p.meeting(entries)
	p.dir = p.directory()
	p.collectHandles(entries)
	drop := make([]bool, len(entries))
	for i := range entries {
		before := p.outputs()
		p.proseRead, p.labelled, p.entryIndex = false, false, i
		p.entry(entries, i)
		drop[i] = p.rendered(entries, i, p.outputs() > before && !p.proseRead)
	}
	p.finish()
	p.dropOverviewRepeats(entries)
	p.dropRestatedDecisions()
	p.out.Notes = p.notes(entries, drop)
	if len(p.out.ActionItems) == 0 && (subjectSaysMinutes(p.msg.Subject, p.opts) || structured(entries)) {
		p.problem(0, "", "no action items found in these minutes; to record one, write e.g. \"ACTION: Alice to send the plan by Dec 9\" on a line of its own")
	}
}

// outputs counts what the parse has found so far.
func (p *parser) outputs() int {
	return len(p.out.ActionItems) + len(p.out.Risks) + len(p.out.Decisions) + len(p.out.Changes) +
		len(p.out.Milestones) + len(p.out.Asks)
}

// entry reads one entry: a labelled line anywhere, a key/value line that
// continues the item before it, a checklist item, an "@name:" assignment,
// a table, or an entry of an action, risk, decision or change section.
func (p *parser) entry(entries []entry, i int) {
	e := &entries[i]
	p.line = e.first
	if i <= p.readUpTo {
		return
	}
	if p.proposal.text != "" && i <= p.proposal.entry+3 && isOutcomeLine(e.text) {
		p.addDecision(p.proposal.text, e.n) // "PROPOSED: …" then "SO RESOLVED"
		p.proposal = proposal{}
		return
	}
	if e.heading {
		p.last = lastRef{}
		p.speaker = p.speakerName(e)
		p.listOwner = ""
		return
	}
	if e.blankBefore {
		p.last = lastRef{}
	}
	if e.sec == secAttachments {
		return
	}
	if e.table != nil {
		p.addTable(e.table, e.sec)
		p.last = lastRef{}
		return
	}
	if e.parent >= 0 && p.decisionGroups[e.parent] {
		if p.resolvedPoint(e.text) {
			p.addDecision(e.text, e.n)
		}
		return
	}
	if topic, ok := p.decisionTopics[e.parent]; ok && e.parent >= 0 && e.depth == 1 {
		if p.resolvedPoint(e.text) {
			p.addDecision(topic+": "+e.text, e.n) // "Go-live" over "conditional on zero open hazards"
		}
		return
	}
	if l, ok := readLabel(e.text); ok {
		p.labelled = l.kind != labelIgnore
		p.addLabelled(entries, i, l)
		return
	}
	if p.speakerLabel(e) {
		return
	}
	if p.followUp(e) {
		return
	}
	if k, v, ok := keyValue(e.text); ok && k == "task" && i+1 < len(entries) && !entries[i+1].blankBefore {
		if k2, _, ok := keyValue(entries[i+1].text); ok && (k2 == "owner" || k2 == "due") {
			p.addAction(action{n: e.n, raw: e.first, text: v})
			return
		}
	}
	if isCheckbox(e.text) && (e.sec == secAttendees || e.sec == secRegrets || isPersonRow(e.text)) {
		return // "☒ Gordon Bradley, Autodesk": who came, read by meeting
	}
	if e.sec == secMilestones || e.sec == secAsks {
		p.listedOutcome(e) // "- [x] Hardware installed: 20 Nov" is a milestone met
		return
	}
	if isCheckbox(e.text) || (e.text[0] == '@' && reHandleColon.MatchString(e.text)) || p.assigned(e.text) {
		p.addAction(action{n: e.n, raw: e.first, text: e.text})
		return
	}
	if isMotion(e.text) {
		text, last := paragraphAt(entries, i)
		if d := resolution(text); d != "" {
			p.addDecision(d, e.n)
			p.readUpTo = last // the lines of the motion are read
			return
		}
	}
	switch e.sec {
	case secActions:
		p.sectionAction(entries, i)
		return
	case secRisks:
		if e.depth == 0 {
			p.addRisk(e.text, e.n, e.first)
			return
		}
	case secDecisions:
		if e.depth == 0 {
			p.sectionDecision(entries, i)
			return
		}
	case secOutcomes:
		if e.depth == 0 && p.readsAsAction(e.text) {
			p.sectionAction(entries, i)
			return
		}
		if e.depth == 0 {
			p.sectionDecision(entries, i)
			return
		}
	case secChanges:
		if e.depth == 0 {
			p.addChange(e.text, mailflow.ChangeOther, e.n)
			return
		}
	case secMotions:
		if e.depth == 0 && hasOutcome(e.text) {
			p.addDecision(e.text, e.n) // "Motion to … Second reading. Approved."
		}
		return
	case secNone, secOther:
		p.prose(e)
	}
	if e.depth == 0 {
		p.last = lastRef{}
	}
}

// reHandleColon matches the "@Brett: request a better report" lines with
// which board minutes assign actions in the middle of a report.
var reHandleColon = regexp.MustCompile(`^@[\pL][\pL\pN._-]{0,40}:\s+\S`)

// assigned reports whether a line starts by assigning itself to someone
// the directory knows: "[Carol] book the rooms", "@alice draft the
// checklist". Outside an action section that is still an item; a name in
// brackets that is nobody ("[Isis]", "[Draft]") is not.
func (p *parser) assigned(text string) bool {
	var who string
	switch text[0] {
	case '[':
		m := reOwnerBox.FindStringSubmatch(text)
		if m == nil {
			return false
		}
		who = m[1]
	case '@':
		m := reHandle.FindStringSubmatch(text)
		if m == nil {
			return false
		}
		who = m[1]
	default:
		return false
	}
	return !strings.HasSuffix(text, "?") && len(p.dir.Resolve(who)) == 1
}

func (p *parser) addLabelled(entries []entry, i int, l label) {
	e := &entries[i]
	switch l.kind {
	case labelAction:
		if i > 0 && l.owner == "" && ownerOnly(l.rest) && !entries[i-1].heading && entries[i-1].table == nil {
			// "Action: Acting Chief Executive" under the paragraph it assigns.
			prev := sentences(plainText(entries[i-1].text))
			if len(prev) > 0 {
				p.addAction(action{n: e.n, raw: e.first, text: reportedTask(prev[len(prev)-1]), owner: l.rest, fixed: true})
				return
			}
		}
		p.addAction(action{n: e.n, raw: e.first, text: l.rest, owner: l.owner, status: l.status})
	case labelRisk:
		p.addRisk(l.rest, e.n, e.first)
	case labelDecision:
		if l.conclusion && looksLikeEntry(plainText(l.rest)) {
			// "Conclusion: Mara to propose updates …" concludes with a task.
			p.addAction(action{n: e.n, raw: e.first, text: l.rest})
			return
		}
		if isAside(l.rest) && e.children {
			p.decisionGroups[i] = true // "Resolved: (Niko)" over what was resolved
			return
		}
		p.addDecision(l.rest, e.n)
		p.decisionAction(e, l.rest)
	case labelProposal:
		if text, ok := carried(l.rest); ok {
			p.addDecision(text, e.n) // "PROPOSED: that the board adopt … SO RESOLVED"
			return
		}
		p.proposal = proposal{text: l.rest, entry: i}
	case labelChange:
		p.addChange(l.rest, l.change, e.n)
	case labelMilestone, labelGoLive:
		if !p.labelledMilestone(l, e.n, e.first) {
			p.labelled = false
			p.prose(e)
		}
	case labelAsk:
		p.addAsk(l.rest, e.n)
	default:
		p.last = lastRef{}
	}
}

// sectionAction reads an entry of an action section. Top-level entries are
// items, except a person's name (or a topic) heading a group of items
// nested under it ("Action Items, by person"); deeper entries are notes on
// the item above, unless that is such a group.
func (p *parser) sectionAction(entries []entry, i int) {
	e := &entries[i]
	if e.depth > 0 {
		owner, ok := p.groups[e.parent]
		if !ok && !e.bullet && e.number == 0 && startsUpper(e.text) && looksLikeEntry(e.text) {
			// "Alice - book …" aligned under "- Bob - get …": the next item,
			// not a note on it.
			p.addAction(action{n: e.n, raw: e.first, text: e.text})
			return
		}
		if !ok {
			return // a note under an item
		}
		p.addAction(action{n: e.n, raw: e.first, text: e.text, owner: owner})
		return
	}
	if e.children {
		if owner, ok := p.group(entries, i); ok {
			p.groups[i] = owner
			return
		}
	}
	if name, ok := personLine(e.text); ok && !e.children {
		p.listOwner = name // "Kelly Smith" over the items that are hers
		return
	}
	if subPoint(entries, i) || isStatement(e.text) {
		return
	}
	a := action{n: e.n, raw: e.first, text: e.text, owner: p.listOwner}
	if owner, rest, ok := p.groupSubject(e.text); ok {
		a.owner, a.text, a.fixed = owner, rest, true
	}
	p.addAction(a)
}

// sectionDecision reads an entry of a decisions section: a decision — or
// several, when it is a paragraph of sentences — or the topic of the
// decisions nested under it ("Go-live" over "- conditional on zero open
// high hazards").
func (p *parser) sectionDecision(entries []entry, i int) {
	e := &entries[i]
	text := plainText(e.text)
	if e.children && isTopic(text) {
		if p.decisionTopics == nil {
			p.decisionTopics = map[int]string{}
		}
		p.decisionTopics[i] = tidyText(text)
		return
	}
	if e.bullet || e.number > 0 {
		p.addDecision(e.text, e.n)
		p.decisionAction(e, e.text)
		return
	}
	for _, s := range sentences(text) {
		p.addDecision(s, e.n)
		p.decisionAction(e, s)
	}
}

// isTopic reports whether the text of an entry with others nested under
// it only names what they are about: "Go-live", "Pharmacy interface:".
func isTopic(text string) bool {
	t := strings.TrimSpace(text)
	return wordCount(t) <= 4 && !strings.HasSuffix(t, ".") && !decisionIn(t) && !looksLikeEntry(t)
}

// readsAsAction reports whether an entry of a "Decisions and actions"
// section is an action: it names who does it ("Alice to send …", "… -
// Jordan Lee", "The board will review …") or is a task with a date. The
// subject must be someone: "Training will use the sandbox" is decided.
func (p *parser) readsAsAction(text string) bool {
	t := plainText(text)
	if endsWithOwner(t) || isCheckbox(t) {
		return true
	}
	if name, _, ok := splitNameColon(t); ok && p.namesSomeone(name) {
		return true // "Alice: book the trainers"
	}
	if m := reNameDash.FindStringSubmatch(t); m != nil && p.namesSomeone(m[1]) {
		return true // "Alice - book the trainers"
	}
	if a, ok := p.assignmentIn(t); ok && (a.kind == subjectPerson || a.kind == subjectGroup) {
		return true
	}
	if !verbs[strings.ToLower(firstField(t))] {
		return false
	}
	if p.ownerAside(t) != "" {
		return true
	}
	t = strings.TrimRight(t, ". ")
	if open := strings.LastIndexByte(t, '('); open > 0 && strings.HasSuffix(t, ")") {
		t = strings.TrimSpace(t[:open]) // "Review the log by Dec 3 (Bob)"
	}
	return p.hasDue(t)
}

// subPoint reports whether entry i details the item before it rather than
// being one: "FESCo to provide the following:" over "1. summary of their
// other ongoing work", a list of another kind or in lower case.
func subPoint(entries []entry, i int) bool {
	for j := i - 1; j >= 0 && j >= i-12; j-- {
		prev := &entries[j]
		if prev.depth > entries[i].depth {
			continue // a note under an item above: "Status:"
		}
		if prev.heading || entries[j+1].blankBefore && j+1 < i {
			return false // a heading or a blank line lies between
		}
		if prev.bullet == entries[i].bullet && prev.number == 0 == (entries[i].number == 0) {
			continue // a sibling of the same list: look further up
		}
		t := strings.TrimRight(strings.ToLower(plainText(prev.text)), " .")
		return strings.Contains(t, "the following") || strings.HasSuffix(t, ":") || startsLower(entries[i].text)
	}
	return false
}

// isStatement reports whether an entry of an action list states what has
// happened instead of what is to be done: "The board has not changed its
// stance …".
func isStatement(text string) bool {
	if !strings.Contains(text, " has ") && !strings.Contains(text, " have ") && !strings.Contains(text, " had ") {
		return false
	}
	words := strings.Fields(plainText(text))
	for k := 1; k < len(words) && k <= 5; k++ {
		switch bareWord(words[k]) {
		case "has", "have", "had":
		default:
			continue
		}
		j := k + 1
		for j < len(words) && (bareWord(words[j]) == "not" || bareWord(words[j]) == "already" || bareWord(words[j]) == "now") {
			j++
		}
		if j+1 >= len(words) || bareWord(words[j+1]) == "to" {
			return false // "has agreed to …" is a commitment
		}
		pp := bareWord(words[j])
		return strings.HasSuffix(pp, "ed") || strings.HasSuffix(pp, "en") || pp == "done" || pp == "made"
	}
	return false
}

// groupStarts are the words a group written as "the …" starts with.
var groupStarts = map[string]bool{"the": true, "each": true, "every": true, "all": true, "our": true}

// groupSubject returns the group an action item's sentence starts with,
// "The board will meet …", which the name rules leave to prose.
func (p *parser) groupSubject(text string) (owner, task string, ok bool) {
	first := firstField(text)
	if !startsWithin(groupStarts, text) && !isAcronym(first) && !startsUpper(first) {
		return "", "", false
	}
	name, rest, ok := splitNameTo(plainText(text))
	if !ok || !strings.Contains(name, " ") && !isAcronym(name) {
		return "", "", false // one word is a name, which the item's own rules read
	}
	if owner, kind := p.subject(strings.Fields(name)); kind == subjectGroup {
		return owner, rest, true
	}
	return "", "", false
}

// group reports whether entry i heads a group of items, and the owner it
// names ("" for "UNASSIGNED" or a topic).
func (p *parser) group(entries []entry, i int) (string, bool) {
	text := strings.TrimSpace(strings.TrimRight(plainText(entries[i].text), ": "))
	if text == "" || wordCount(text) > 5 || looksLikeEntry(text) {
		return "", false
	}
	lower := strings.ToLower(text)
	if lower == "unassigned" || lower == "(none)" {
		return "", true
	}
	if strings.HasPrefix(text, "@") || len(p.dir.Resolve(text)) > 0 {
		return text, true
	}
	for j := i + 1; j < len(entries) && j < i+50; j++ {
		if entries[j].parent == i && looksLikeEntry(entries[j].text) {
			return "", true // a topic over items that name their owners
		}
	}
	return "", false
}

// followUp applies a key/value line to the item or risk just read:
// "Owner: …", "Due: …", "Status: …" after an item; "Likelihood: …",
// "Mitigation: …" after a risk.
func (p *parser) followUp(e *entry) bool {
	if p.last.kind == lastNone {
		return false
	}
	k, v, ok := keyValue(e.text)
	if !ok || strings.Contains(v, " | ") {
		return false // "Owner: Sam | Due: 23/10 | Action: …" is an item of its own
	}
	if p.last.kind == lastRisk {
		r := &p.out.Risks[p.last.index]
		switch k {
		case "likelihood", "impact", "mitigation", "owner", "trigger", "status":
			p.setRiskField(r, k, v, e.n)
			switch k {
			case "likelihood":
				p.checkLevels(&mailflow.Risk{LikelihoodText: r.LikelihoodText, Likelihood: r.Likelihood}, e.n)
			case "impact":
				p.checkLevels(&mailflow.Risk{ImpactText: r.ImpactText, Impact: r.Impact}, e.n)
			}
			return true
		}
		return false
	}
	it := &p.out.ActionItems[p.last.index]
	switch k {
	case "owner":
		p.dropProblems(it.Line, "no owner")
		p.setOwners(it, v, e.n)
	case "due":
		p.setDue(it, v, e.n)
	case "status":
		it.Status = statusOf(v, it.Status)
	default:
		return false
	}
	return true
}

// statusOf reads a written status ("done, I'm happy with …", "Action item
// can be closed", "still not done").
func statusOf(v string, current mailflow.ItemStatus) mailflow.ItemStatus {
	if st, ok := statusTags[strings.ToLower(firstWord(v))]; ok {
		return st
	}
	lower := strings.ToLower(v)
	for _, s := range []string{"can be closed", "is done", "was done", "has been done", "completed", "resolved"} {
		if strings.Contains(lower, s) && !strings.Contains(lower, "not "+s) {
			return mailflow.ItemDone
		}
	}
	return current
}

// maxQuote bounds the text a problem quotes.
const maxQuote = 200

func (p *parser) dropProblems(line int, reasonPrefix string) {
	out := p.out.Problems[:0]
	items := p.problemItem[:0]
	for i, pr := range p.out.Problems {
		if !(pr.Line == line && strings.HasPrefix(pr.Reason, reasonPrefix)) {
			out = append(out, pr)
			items = append(items, p.problemItem[i])
		}
	}
	p.out.Problems, p.problemItem = out, items
}

func (p *parser) problem(n int, text, reason string) {
	text = strings.TrimSpace(text)
	if len(text) > maxQuote {
		text = cutUTF8(text, maxQuote) + " …" // a table row can be a page long
	}
	p.out.Problems = append(p.out.Problems, mailflow.Problem{Line: n, Text: text, Reason: reason})
	p.problemItem = append(p.problemItem, p.curItem)
}

// addDecision stores a decision unless it says nothing or repeats one.
func (p *parser) addDecision(text string, n int) {
	text = tidyText(dropDecisionID(cleanActionText(text)))
	if isNothing(text) || !startsLetter(text) || wordCount(text) < 2 || strings.HasSuffix(text, "?") {
		return // "Resolved: 177" in an issue tracker report is a count; a question is not decided
	}
	if !p.firstTime("decision", text) {
		return
	}
	p.out.Decisions = append(p.out.Decisions, mailflow.Decision{Text: text, Line: n})
	p.last = lastRef{}
}

// firstTime reports whether a decision or ask (kind) written
// as key is new to these minutes, ignoring case, and remembers it: a set,
// not a scan of what is stored, so that minutes of many thousand lines
// cost in proportion to their length.
func (p *parser) firstTime(kind, key string) bool {
	if p.seenText == nil {
		p.seenText = map[string]bool{}
	}
	k := kind + "\x00" + strings.ToLower(key)
	if p.seenText[k] {
		return false
	}
	p.seenText[k] = true
	return true
}

// dropDecisionID removes the number a decision log gives a decision:
// "D1 - …", "D-03: …", "DEC-12 …", "DN4. …".
func dropDecisionID(s string) string {
	i := 0
	for i < len(s) && i < 3 && s[i] >= 'A' && s[i] <= 'Z' {
		i++
	}
	switch s[:i] {
	case "D", "DEC", "DN", "DR":
	default:
		return s
	}
	if i < len(s) && (s[i] == '-' || s[i] == '#') {
		i++
	}
	digits := i
	for i < len(s) && i-digits < 4 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == digits {
		return s
	}
	rest := strings.TrimLeft(s[i:], " ")
	if t := strings.TrimLeft(rest, "-–—:.)"); t != rest {
		rest = t
	} else if len(rest) == len(s)-i {
		return s // "D1is" is a word, not a number
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return s
	}
	return rest
}

// proposal is a motion put to the meeting, waiting for its outcome.
type proposal struct {
	text  string
	entry int
}

// outcomeWords make up the lines that carry a motion: "SO RESOLVED",
// "Carried unanimously.", "Approved (5-0)".
var outcomeWords = map[string]bool{
	"so": true, "resolved": true, "carried": true, "approved": true, "adopted": true, "agreed": true,
	"passed": true, "unanimously": true, "unanimous": true, "motion": true, "the": true, "was": true,
	"is": true, "by": true, "vote": true, "consensus": true, "accepted": true, "without": true, "objection": true,
}

// isOutcomeLine reports whether a line only says a motion was carried.
func isOutcomeLine(text string) bool {
	words := strings.Fields(text)
	if len(words) == 0 || len(words) > 7 {
		return false
	}
	found := false
	for _, w := range words {
		b := bareWord(w)
		switch {
		case b == "" || strings.HasPrefix(w, "(") || b[0] >= '0' && b[0] <= '9':
		case !outcomeWords[b]:
			return false
		case b != "so" && b != "the" && b != "was" && b != "is" && b != "by":
			found = true
		}
	}
	return found
}

// carried reads a proposal that says in the same line that it was carried:
// "that the board adopt the plan. SO RESOLVED".
func carried(text string) (string, bool) {
	for _, end := range []string{"SO RESOLVED", "So resolved", "RESOLVED", "CARRIED", "Carried", "APPROVED", "ADOPTED"} {
		t := strings.TrimRight(text, ". ")
		if strings.HasSuffix(t, end) {
			head := strings.TrimRight(strings.TrimSpace(t[:len(t)-len(end)]), ".;,-– ")
			if head != "" {
				return head, true
			}
		}
	}
	return "", false
}

// outcomes end a motion.
var outcomes = map[string]bool{
	"approved": true, "adopted": true, "carried": true, "passed": true, "accepted": true, "rejected": true,
	"defeated": true, "ratified": true, "agreed": true, "resolved": true, "endorsed": true,
}

// hasOutcome reports whether a motion records its outcome.
func hasOutcome(text string) bool {
	for _, w := range strings.Fields(text) {
		if outcomes[bareWord(w)] {
			return true
		}
	}
	return false
}

// resolvedPoint reports whether a point under "Resolved: (Niko)" states
// what was resolved, rather than a wish ("Would like to see …"), a task
// ("Extend with this test …") or someone's promise ("Centril will make a
// PR").
func (p *parser) resolvedPoint(text string) bool {
	first := bareWord(firstField(plainText(text)))
	switch first {
	case "would", "should", "could", "maybe", "perhaps", "might":
		return false
	}
	if verbs[first] && startsUpper(text) {
		return false
	}
	a, ok := p.assignmentIn(plainText(text))
	return !(ok && (a.kind == subjectPerson) && !isAcronym(a.owner))
}

// isAside reports whether s is only a bracketed remark: "(Niko)",
// "(Centril to comment)".
func isAside(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && strings.Count(s, "(") == 1
}

// decisionAction records the work a resolution gives someone:
// "Resolution #2: gkellogg to merge #135 …" is a decision and gkellogg's
// action.
func (p *parser) decisionAction(e *entry, text string) {
	text = cleanActionText(text)
	name, rest, ok := splitNameTo(text)
	if !ok || !verbLike(firstField(rest)) {
		// "RESOLVED – That (1) the report be noted; (2) the Director of
		// Finance be asked to report back …"
		for _, c := range strings.Split(text, "; ") {
			if a, ok := p.assignmentIn(c); ok && (a.kind == subjectPerson || a.kind == subjectGroup) && a.via == "asked" {
				p.addAction(action{n: e.n, raw: e.first, text: a.task, owner: a.owner, fixed: true, weak: true})
			}
		}
		return
	}
	if _, kind := p.subject(strings.Fields(name)); kind != subjectPerson && !p.itemHandle(name, rest) {
		return
	}
	p.addAction(action{n: e.n, raw: e.first, text: rest, owner: name, fixed: true, weak: true})
}

// isMotion reports whether text starts the outcome of a motion.
func isMotion(text string) bool {
	for _, p := range []string{"special order", "resolution", "motion", "the motion"} {
		if len(text) >= len(p) && strings.EqualFold(text[:len(p)], p) {
			return true
		}
	}
	return false
}

var reResolution = regexp.MustCompile(`(?i)^(?:special order \w{1,4},\s*)?((?:resolution|motion|special order)\b.{3,200}?|.{3,200}?),?\s+(?:was|were)\s+((?:approved|adopted|passed|carried|rejected|defeated)\b.*)$`)

// resolution reads the outcome lines of board minutes: "Special Order 7A,
// Resolution to Change the Apache Geronimo Chair, was approved by
// Unanimous Vote of the directors present." A decision is the motion and
// its outcome.
func resolution(text string) string {
	if !isMotion(text) {
		return ""
	}
	m := reResolution.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(m[1]) + ": " + strings.TrimRight(m[2], ". ")
}

var (
	reSpeakerLabel = regexp.MustCompile(`^([\pL][\pL .'-]{0,30}):\s+(?i:\*{0,2})(?i:(action item|action|decision|conclusion))(?:\*{0,2})\s*([:,–—-])\s+(.+)$`)
	reFirstPerson  = regexp.MustCompile(`(?i)^(?:I'll|I will|I can|I'm going to|I am going to|I'd|I)\s+(.+)$`)
)

// speakerLabel reads a label said by someone in notes kept as "Name:
// remark" lines: "Jack: Action item, I'll update the doc …" is Jack's
// action; "Ryan: Decision - next 4 weeks, …" a decision.
func (p *parser) speakerLabel(e *entry) bool {
	i := strings.Index(e.text, ": ")
	if i < 0 || i > 32 || i+2 >= len(e.text) || !strings.ContainsRune("AaDdCc*", rune(e.text[i+2])) {
		return false
	}
	after := strings.TrimLeft(e.text[i+2:], "* ")
	if !hasFoldAt(after, 0, "action") && !hasFoldAt(after, 0, "decision") && !hasFoldAt(after, 0, "conclusion") {
		return false // "Alice: confirm the window": a remark, without the regular expression
	}
	m := reSpeakerLabel.FindStringSubmatch(e.text)
	if m == nil || !nameShaped(m[1]) {
		return false
	}
	rest := m[4]
	switch strings.ToLower(m[2]) {
	case "action item", "action":
		a := action{n: e.n, raw: e.first, text: rest}
		if f := reFirstPerson.FindStringSubmatch(rest); f != nil {
			a.owner, a.text = m[1], f[1]
		}
		p.addAction(a)
	default:
		if m[3] == "," {
			return false // "Decision, …" is how a remark starts, not a record
		}
		p.addDecision(rest, e.n)
	}
	return true
}

// paragraphAt returns the text of entry i joined with the lines of the
// same paragraph after it, for sentences the wrapping cut into entries.
func paragraphAt(entries []entry, i int) (string, int) {
	text := entries[i].text
	last := i
	for j := i + 1; j < len(entries) && j < i+6; j++ {
		e := &entries[j]
		if e.blankBefore || e.heading || e.table != nil || e.indent != entries[i].indent || e.bullet || e.number > 0 {
			break
		}
		text += " " + e.text
		last = j
	}
	return text, last
}

// addChange stores a schedule or scope change.
func (p *parser) addChange(text string, kind mailflow.ChangeKind, n int) {
	text = tidyText(plainText(text))
	if isNothing(text) {
		return
	}
	if kind == mailflow.ChangeOther || kind == "" {
		kind = mailflow.ChangeOther
		switch l := strings.ToLower(text); {
		case strings.Contains(l, "scope") || strings.Contains(l, "descope") || strings.Contains(l, "out of scope"):
			kind = mailflow.ChangeScope
		case strings.Contains(l, "schedule") || strings.Contains(l, "go-live") || strings.Contains(l, "moved") ||
			strings.Contains(l, "moves") || strings.Contains(l, "delay") || strings.Contains(l, "postpone") ||
			strings.Contains(l, "deadline") || strings.Contains(l, "slip"):
			kind = mailflow.ChangeSchedule
		}
	}
	p.out.Changes = append(p.out.Changes, mailflow.Change{Kind: kind, Text: text, Line: n})
	p.last = lastRef{}
}
