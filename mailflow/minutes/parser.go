package minutes

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
	"mailflow/mailflow/mailtext"
)

type section int

const (
	secNone section = iota
	secActions
	secRisks
	secDecisions
	secAttendees
	secRegrets
	secChanges
	secOther
)

var sectionNames = map[string]section{
	"action items": secActions, "action item": secActions, "actions": secActions, "action points": secActions,
	"next steps": secActions, "follow-ups": secActions, "follow ups": secActions, "followups": secActions,
	"follow-up": secActions, "todo": secActions, "to do": secActions, "to-do": secActions, "todos": secActions,
	"tasks": secActions, "action items, by person": secActions, "new action items": secActions,
	"open action items": secActions, "actions arising": secActions, "assignments": secActions,
	"risks": secRisks, "risk": secRisks, "risk register": secRisks, "risks and issues": secRisks,
	"new risks": secRisks, "key risks": secRisks, "risks & issues": secRisks,
	"decisions": secDecisions, "decision": secDecisions, "decisions made": secDecisions, "agreed": secDecisions,
	"resolutions": secDecisions, "agreements": secDecisions, "key decisions": secDecisions,
	"attendees": secAttendees, "present": secAttendees, "participants": secAttendees, "attendance": secAttendees,
	"in attendance": secAttendees, "attending": secAttendees, "people present": secAttendees,
	"regrets": secRegrets, "apologies": secRegrets, "absent": secRegrets, "not present": secRegrets,
	"changes": secChanges, "schedule changes": secChanges, "scope changes": secChanges,
	"schedule and scope changes": secChanges, "schedule/scope changes": secChanges, "change requests": secChanges,
}

var reHeadingDecor = regexp.MustCompile(`^[#*_=\s]+|[#*_=:\s]+$`)

// heading reports whether line is a section heading ("## Action items",
// "ACTION ITEMS:", "**Risks**").
func heading(line string) (section, bool) {
	l := strings.TrimSpace(line)
	if l == "" || len(l) > 60 {
		return secNone, false
	}
	isMarked := strings.HasPrefix(l, "#") || strings.HasSuffix(l, ":") || strings.HasPrefix(l, "**")
	name := strings.ToLower(reHeadingDecor.ReplaceAllString(l, ""))
	name = strings.TrimSpace(strings.TrimRight(name, ":"))
	if sec, ok := sectionNames[name]; ok {
		return sec, true
	}
	if isMarked && strings.HasPrefix(l, "#") {
		return secOther, true
	}
	return secNone, false
}

type labelKind int

const (
	labelAction labelKind = iota + 1
	labelRisk
	labelDecision
	labelChange
)

var reLabel = regexp.MustCompile(`(?i)^(?:[-*•]\s+)?(action items?|action|ai|todo|to-do|risk|decision|resolved|resolution|agreed|change|schedule|scope)\b\s*([^:]{0,40}?)\s*:\s*(.+)$`)

// labelled recognises "ACTION: …", "TODO: …", "ACTION Alice: …", "RISK: …",
// "DECISION: …", "CHANGE: …".
func labelled(line string) (labelKind, string, bool) {
	m := reLabel.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return 0, "", false
	}
	word := strings.ToLower(m[1])
	who := strings.TrimSpace(m[2])
	rest := strings.TrimSpace(m[3])
	switch word {
	case "action", "action item", "action items", "ai", "todo", "to-do":
		if who != "" {
			// W3C "ACTION alice: send the plan" names the owner before the colon.
			rest = "[" + who + "] " + rest
		}
		return labelAction, rest, true
	}
	if who != "" {
		return 0, "", false
	}
	switch word {
	case "risk":
		return labelRisk, rest, true
	case "decision", "resolved", "resolution", "agreed":
		return labelDecision, rest, true
	case "change":
		return labelChange, "change:" + rest, true
	case "schedule":
		return labelChange, "schedule:" + rest, true
	case "scope":
		return labelChange, "scope:" + rest, true
	}
	return 0, "", false
}

var reBullet = regexp.MustCompile(`^\s*(?:[-*•+]|\d{1,3}[.)]|[a-z][.)])\s+`)

type parser struct {
	msg  *mailtext.Message
	opts Options
	dir  *mailflow.Directory
	day  mailflow.Date
	out  mailflow.Minutes

	lastItem int // index of the item the previous line created, for Owner:/Due: follow-ups; -1 if none
}

func newParser(msg *mailtext.Message, opts Options) *parser {
	p := &parser{msg: msg, opts: opts, lastItem: -1}
	p.out.ActionItems = []mailflow.ActionItem{}
	p.out.Risks = []mailflow.Risk{}
	p.out.Decisions = []mailflow.Decision{}
	p.out.Changes = []mailflow.Change{}
	p.out.Problems = []mailflow.Problem{}
	p.out.Meeting.Attendees = []mailflow.Person{}
	return p
}

// body is the text the minutes are in: the message body, plus minutes sent
// as a text attachment.
func (p *parser) body() string {
	text := p.msg.Text
	for _, a := range p.msg.Attachments {
		text += "\n\n" + a.Text
	}
	return strings.ReplaceAll(text, "\r", "")
}

func (p *parser) run() {
	lines := strings.Split(p.body(), "\n")
	p.meeting(lines)
	p.directory()
	sec := secNone
	afterBlank, entries := false, 0
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" {
			p.lastItem = -1
			afterBlank = true
			continue
		}
		// A paragraph after a blank line ends a section that already has
		// entries: "Next meeting: …" or a sign-off is not one more risk.
		if afterBlank && sec != secNone && entries > 0 && !reBullet.MatchString(raw) {
			sec = secNone
		}
		afterBlank = false
		if strings.HasPrefix(line, ">") {
			continue // quoted older mail
		}
		if s, ok := heading(line); ok {
			sec = s
			entries = 0
			p.lastItem = -1
			continue
		}
		if kind, rest, ok := labelled(line); ok {
			p.labelled(kind, rest, n, line)
			continue
		}
		if p.followUp(line) {
			continue
		}
		if reBullet.MatchString(raw) || sec == secActions || sec == secRisks || sec == secDecisions || sec == secChanges {
			text := strings.TrimSpace(reBullet.ReplaceAllString(raw, ""))
			if sec != secNone {
				entries++
			}
			switch sec {
			case secActions:
				p.addAction(text, n, line)
			case secRisks:
				p.addRisk(text, n)
			case secDecisions:
				p.out.Decisions = append(p.out.Decisions, mailflow.Decision{Text: text, Line: n})
			case secChanges:
				p.addChange(text, n)
			}
			continue
		}
		p.lastItem = -1
	}
}

func (p *parser) labelled(kind labelKind, rest string, n int, line string) {
	switch kind {
	case labelAction:
		p.addAction(rest, n, line)
	case labelRisk:
		p.addRisk(rest, n)
	case labelDecision:
		p.out.Decisions = append(p.out.Decisions, mailflow.Decision{Text: rest, Line: n})
	case labelChange:
		p.addChange(rest, n)
	}
}

var reFollowUp = regexp.MustCompile(`(?i)^(owner|who|assigned to|assignee|responsible|due|due date|deadline|when|by)\s*:\s*(.+)$`)

// followUp applies "Owner: …" / "Due: …" lines that continue the item on
// the line before (key/value blocks).
func (p *parser) followUp(line string) bool {
	if p.lastItem < 0 {
		return false
	}
	m := reFollowUp.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	it := &p.out.ActionItems[p.lastItem]
	switch strings.ToLower(m[1]) {
	case "owner", "who", "assigned to", "assignee", "responsible":
		p.dropProblem(it.Line, "no owner")
		p.setOwners(it, m[2], it.Line)
	default:
		p.setDue(it, m[2], it.Line, true)
	}
	return true
}

func (p *parser) dropProblem(line int, reason string) {
	out := p.out.Problems[:0]
	for _, pr := range p.out.Problems {
		if !(pr.Line == line && pr.Reason == reason) {
			out = append(out, pr)
		}
	}
	p.out.Problems = out
}

var (
	reStatusTag = regexp.MustCompile(`(?i)^\[(done|closed|complete|completed|x|pending|open|in progress|wip|todo|new| )\]\s*`)
	reParenMeta = regexp.MustCompile(`(?i)\s*[(\[]\s*((?:owner|who|assigned to|assignee|due|by|deadline)\s*[:=]?[^()\[\]]*)[)\]]\s*$`)
	reOwnerBox  = regexp.MustCompile(`^\[([^\]]{1,60})\]\s*(.+)$`)
	reHandle    = regexp.MustCompile(`^@([\w.+-]+(?:@[\w.-]+)?)\s*[:,-]?\s+(.+)$`)
	reNameColon = regexp.MustCompile(`^([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}(?:\s*(?:and|&|/|,)\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)*)\s*:\s+(.+)$`)
	reNameTo    = regexp.MustCompile(`^(.{1,60}?)\s+(?:to|will|shall|should|must)\s+(.+)$`)
	reDueTail   = regexp.MustCompile(`(?i)[\s,;–—-]+(by|due(?:\s+(?:by|on|date))?|before|deadline|no later than)\s*:?\s+([^,;]+?)\.?\s*$`)
	reDashOwner = regexp.MustCompile(`(?i)\s+[–—-]+\s+(?:owner\s*:?\s*)?(@?[\w.+-]+(?:@[\w.-]+)?(?:\s+[A-Z][\w'-]*)?)\s*$`)
)

// addAction reads one action item from its text (label already removed).
func (p *parser) addAction(text string, n int, line string) {
	it := mailflow.ActionItem{Status: mailflow.ItemOpen, Line: n}
	text = strings.TrimSpace(text)
	if m := reStatusTag.FindStringSubmatch(text); m != nil {
		switch strings.ToLower(m[1]) {
		case "done", "closed", "complete", "completed", "x":
			it.Status = mailflow.ItemDone
		}
		text = text[len(m[0]):]
	}
	var ownerText, dueText string
	// Trailing "(owner: Alice, due: 12/3)".
	if m := reParenMeta.FindStringSubmatch(text); m != nil {
		for _, kv := range regexp.MustCompile(`[,;]\s*`).Split(m[1], -1) {
			k, v, ok := cutKey(kv)
			if !ok {
				continue
			}
			switch k {
			case "owner", "who", "assigned to", "assignee":
				ownerText = v
			case "due", "by", "deadline":
				dueText = v
			}
		}
		text = strings.TrimSpace(text[:len(text)-len(m[0])])
	}
	if dueText == "" {
		if m := reDueTail.FindStringSubmatchIndex(text); m != nil {
			phrase := text[m[4]:m[5]]
			keyword := strings.ToLower(text[m[2]:m[3]])
			if _, err := dates.Parse(phrase, p.day, p.opts.Dates); err == nil || strings.HasPrefix(keyword, "due") || keyword == "deadline" {
				dueText = phrase
				text = strings.TrimSpace(text[:m[0]])
			}
		}
	}
	if ownerText == "" {
		switch {
		case reOwnerBox.MatchString(text):
			m := reOwnerBox.FindStringSubmatch(text)
			ownerText, text = m[1], m[2]
		case reHandle.MatchString(text):
			m := reHandle.FindStringSubmatch(text)
			ownerText, text = "@"+m[1], m[2]
		case reNameColon.MatchString(text):
			m := reNameColon.FindStringSubmatch(text)
			ownerText, text = m[1], m[2]
		case reNameTo.MatchString(text):
			m := reNameTo.FindStringSubmatch(text)
			if p.looksLikeOwner(m[1]) {
				ownerText, text = m[1], m[2]
			}
		}
	}
	if ownerText == "" {
		if m := reDashOwner.FindStringSubmatch(text); m != nil && p.resolvesUniquely(m[1]) {
			ownerText = m[1]
			text = strings.TrimSpace(text[:len(text)-len(m[0])])
		}
	}
	it.Text = tidyText(text)
	if it.Text == "" {
		p.problem(n, line, "action item has no text")
		return
	}
	if ownerText != "" {
		p.setOwners(&it, ownerText, n)
	} else {
		p.problem(n, line, "no owner")
	}
	if dueText != "" {
		p.setDue(&it, dueText, n, false)
	}
	for _, prev := range p.out.ActionItems {
		if strings.EqualFold(prev.Text, it.Text) && prev.Owner == it.Owner {
			return // the same action listed twice (summary and log)
		}
	}
	p.out.ActionItems = append(p.out.ActionItems, it)
	p.lastItem = len(p.out.ActionItems) - 1
}

func cutKey(kv string) (string, string, bool) {
	kv = strings.TrimSpace(kv)
	for _, k := range []string{"assigned to", "assignee", "owner", "who", "deadline", "due", "by"} {
		if len(kv) > len(k) && strings.EqualFold(kv[:len(k)], k) {
			v := strings.TrimSpace(strings.TrimLeft(kv[len(k):], ":= "))
			if v != "" {
				return k, v, true
			}
		}
	}
	return "", "", false
}

// looksLikeOwner accepts the subject of "X to do Y" as an owner when it is
// a known person, an email, an @handle or one to three capitalised words
// (W3C style), and not a phrase such as "We need".
func (p *parser) looksLikeOwner(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "@") || strings.Contains(s, "@") {
		return true
	}
	if len(p.dir.Resolve(s)) > 0 {
		return true
	}
	for _, part := range splitOwners(s) {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 3 {
			return false
		}
		for _, w := range f {
			if w[0] < 'A' || w[0] > 'Z' {
				return false
			}
		}
		switch strings.ToLower(f[0]) {
		case "we", "they", "team", "someone", "everyone", "all", "it", "this", "need", "the", "i", "you":
			return false
		}
	}
	return true
}

func (p *parser) resolvesUniquely(s string) bool { return len(p.dir.Resolve(s)) == 1 }

var reOwnerSplit = regexp.MustCompile(`\s*(?:\band\b|&|/|,|\+)\s*`)

func splitOwners(s string) []string {
	var out []string
	for _, part := range reOwnerSplit.Split(strings.TrimSpace(s), -1) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// setOwners resolves the written owner(s) and records problems for names
// that match nobody or several people.
func (p *parser) setOwners(it *mailflow.ActionItem, written string, n int) {
	written = strings.TrimSpace(written)
	it.OwnerText = written
	it.Owners = nil
	for _, name := range splitOwners(written) {
		email, ok := p.resolve(name, n)
		if !ok {
			email = strings.TrimPrefix(name, "@")
		}
		it.Owners = append(it.Owners, email)
	}
	if len(it.Owners) > 0 {
		it.Owner = it.Owners[0]
	}
	if len(it.Owners) < 2 {
		it.Owners = nil
	}
}

// resolve maps a name to an email, reporting a problem when it cannot.
func (p *parser) resolve(name string, n int) (string, bool) {
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
			p.problem(n, name, fmt.Sprintf("owner %q has no email address (add them to the roster or write their address)", name))
			return matches[0].Name, false
		}
		return matches[0].Email, true
	case 0:
		p.problem(n, name, fmt.Sprintf("owner %q matches nobody on the roster, in the attendees or in To/Cc", name))
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = m.String()
		}
		p.problem(n, name, fmt.Sprintf("owner %q is ambiguous: could be %s", name, strings.Join(names, " or ")))
	}
	return "", false
}

func (p *parser) setDue(it *mailflow.ActionItem, phrase string, n int, explicit bool) {
	it.DueText = strings.TrimSpace(phrase)
	d, err := dates.Parse(phrase, p.day, p.opts.Dates)
	if err != nil {
		p.problem(n, phrase, fmt.Sprintf("cannot read due date %q (write e.g. 2026-12-03, Dec 3 or Friday)", strings.TrimSpace(phrase)))
		return
	}
	it.Due = d
}

func (p *parser) problem(n int, text, reason string) {
	p.out.Problems = append(p.out.Problems, mailflow.Problem{Line: n, Text: strings.TrimSpace(text), Reason: reason})
}

func (p *parser) addChange(text string, n int) {
	kind := mailflow.ChangeOther
	lower := strings.ToLower(text)
	switch {
	case strings.HasPrefix(lower, "schedule:"):
		kind, text = mailflow.ChangeSchedule, text[len("schedule:"):]
	case strings.HasPrefix(lower, "scope:"):
		kind, text = mailflow.ChangeScope, text[len("scope:"):]
	case strings.HasPrefix(lower, "change:"):
		text = text[len("change:"):]
		switch l := strings.ToLower(text); {
		case strings.Contains(l, "scope"):
			kind = mailflow.ChangeScope
		case strings.Contains(l, "schedule") || strings.Contains(l, "go-live") || strings.Contains(l, "moved") || strings.Contains(l, "delay"):
			kind = mailflow.ChangeSchedule
		}
	}
	text = tidyText(text)
	if text != "" {
		p.out.Changes = append(p.out.Changes, mailflow.Change{Kind: kind, Text: text, Line: n})
	}
}

func tidyText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(strings.TrimSpace(s), ".;,")
}
