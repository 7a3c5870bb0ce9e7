package minutes

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
)

var (
	reInlineKV = regexp.MustCompile(`(?i)(?:^|[\s,;.(])(owners?|who|assigned to|assignee|responsible|due date|due by|due|deadline|target date|status)\s*[:=]\s*`)
	reBotTail  = regexp.MustCompile(`\s*\(\s*[\w.\-\[\]|^{}` + "`" + `]{1,32},\s*\d{1,2}:\d{2}(?::\d{2})?\s*\)\s*$`)
	reRecorded = regexp.MustCompile(`(?i)\s*\[\s*recorded in\b.*$|\s*--\s*(?:continues|dropped|done)\s*$`)
	reLinkRef  = regexp.MustCompile(`\[\d{1,3}\]`)
)

// action is an action item as written, before it is stored.
type action struct {
	n      int
	raw    string // the line as written, for problems
	text   string
	owner  string              // owner written in a label or group ("ACTION alice:", "* alice" in by-person lists)
	column bool                // owner and due come from table columns and win over the text
	fixed  bool                // the owner was read from the sentence's subject and wins over the text
	weak   bool                // read from prose: a listed item that repeats it wins
	due    string              // due date from a table column
	status mailflow.ItemStatus // set by a status tag or checkbox; "" when none
}

// addAction reads one action item and stores it, unless it repeats one
// already read (MeetBot lists every action up to three times).
func (p *parser) addAction(a action) {
	text := cleanActionText(a.text)
	if st, rest, ok := checkbox(text); ok {
		a.status, text = st, rest
	}
	if st, rest, ok := statusTag(text); ok {
		a.status, text = st, rest
	}
	if isNothing(text) || struckThrough(a.text) {
		return // struck through: done or dropped
	}
	mark := len(p.out.Problems)
	p.curItem = len(p.out.ActionItems)
	defer func() { p.curItem = -1 }()
	it := mailflow.ActionItem{Status: mailflow.ItemOpen, Line: a.n}
	if a.status != "" {
		it.Status = a.status
	}
	parts := p.splitAction(text)
	if parts.status != "" {
		it.Status = parts.status
	}
	it.Text = tidyText(parts.text)
	if !hasLetter(it.Text) {
		p.curItem = -1
		p.problem(a.n, a.raw, "cannot read this action item (write e.g. \"ACTION: Alice to send the plan by Friday\")")
		return
	}
	owner := parts.owner
	if owner == "" || ((a.column || a.fixed) && a.owner != "") {
		owner = a.owner
	}
	if a.column && a.due != "" {
		parts.due = a.due
	}
	if owner == "" {
		owner = mentioned(it.Text) // "open a thread, @min - can you do this"
	}
	if owner != "" {
		p.setOwners(&it, owner, a.n)
	} else {
		p.problem(a.n, a.raw, "no owner (write e.g. \"ACTION: Alice to …\" or \"… (owner: Alice)\")")
	}
	switch {
	case parts.due == "":
	case p.hedged(text, parts.due):
		it.DueText = parts.due
		p.problem(a.n, a.raw, fmt.Sprintf("due %q is only hoped for, so no due date is set (write the day it is due, e.g. \"by Dec 9\")", parts.due))
	case a.weak && otherTime(parts.text):
		it.DueText = parts.due
		p.problem(a.n, a.raw, fmt.Sprintf("this sentence has more than one date, so %q is not taken as the due date (write e.g. \"ACTION: Alice to … by Dec 9\")", parts.due))
	default:
		p.setDue(&it, parts.due, a.n)
	}
	key := strings.ToLower(it.Text) + "\x00" + it.Owner
	if p.seenItems[key] {
		p.out.Problems = p.out.Problems[:mark]
		p.problemItem = p.problemItem[:mark]
		return // the same action listed again (summary and log)
	}
	if p.seenItems == nil {
		p.seenItems = map[string]bool{}
	}
	p.seenItems[key] = true
	p.out.ActionItems = append(p.out.ActionItems, it)
	p.weak = append(p.weak, a.weak)
	p.last = lastRef{kind: lastItem, index: len(p.out.ActionItems) - 1}
}

// dateStart reports whether a word can start a date phrase: a digit, a
// capital (a month or a weekday) or a word such as "the", "end", "next".
func dateStart(w string) bool {
	if w == "" {
		return false
	}
	if c := w[0]; c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
		return true
	}
	switch bareWord(w) {
	case "the", "end", "next", "this", "tomorrow", "today", "tonight", "eod", "cob", "close", "noon", "mid", "early", "late":
		return true
	}
	return false
}

// dueHedges make a date a hope rather than a deadline: "hopefully next
// week", "probably by Friday".
var dueHedges = map[string]bool{
	"hopefully": true, "probably": true, "maybe": true, "possibly": true, "perhaps": true, "ideally": true,
	"tentatively": true, "approximately": true, "roughly": true, "around": true, "sometime": true,
	"likely": true, "optimistically": true,
}

// hedged reports whether the due phrase of an item is hedged: a hedge
// word just before it, or "if possible" after it.
func (p *parser) hedged(text, due string) bool {
	if !containsFold(text, "ly") && !containsFold(text, "maybe") && !containsFold(text, "perhaps") &&
		!containsFold(text, "around") && !containsFold(text, "sometime") && !containsFold(text, "if possible") {
		return false // every hedge has one of these
	}
	i := strings.LastIndex(text, due)
	if i < 0 {
		return false
	}
	before := strings.TrimRight(text[:i], " ")
	for k := 0; k < 3 && before != ""; k++ {
		w := lastField(before)
		if dueHedges[bareWord(w)] {
			return true
		}
		before = strings.TrimRight(before[:len(before)-len(w)], " ")
	}
	for _, w := range strings.Fields(due) {
		if dueHedges[bareWord(w)] {
			return true
		}
	}
	after := strings.ToLower(text[i+len(due):])
	return strings.HasPrefix(strings.TrimLeft(after, " ,("), "if possible")
}

// timeWords name a day on their own.
var timeWords = map[string]bool{
	"tomorrow": true, "today": true, "tonight": true, "monday": true, "tuesday": true, "wednesday": true,
	"thursday": true, "friday": true, "saturday": true, "sunday": true,
}

// otherTime reports whether the rest of a sentence names a time of its
// own ("… meeting with the SC next week to … by end of October"), which
// makes the due date of a sentence a guess.
func otherTime(text string) bool {
	words := strings.Fields(strings.ToLower(text))
	for i, w := range words {
		b := bareWord(w)
		if timeWords[b] {
			return true
		}
		if (b == "week" || b == "month") && i > 0 && (words[i-1] == "next" || words[i-1] == "this") {
			return true
		}
	}
	return false
}

// mentioned returns the one @handle an item's text mentions, if it
// mentions exactly one: on GitHub and chat, the person asked.
func mentioned(text string) string {
	found := ""
	for _, w := range strings.Fields(text) {
		if !strings.HasPrefix(w, "@") || strings.Count(w, "@") > 1 {
			continue
		}
		h := strings.TrimRight(w, ".,;:!?)")
		if !handleShaped(h) || len(h) < 3 {
			continue
		}
		if found != "" && found != h {
			return ""
		}
		found = h
	}
	return found
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// cleanActionText removes what meeting bots and Markdown add around an
// item's text: "(alice, 16:58:51)", "[recorded in http://…]", "**".
func cleanActionText(s string) string {
	s = plainText(s)
	if strings.HasSuffix(s, ")") {
		s = reBotTail.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "recorded in") || strings.Contains(s, "--") {
		s = reRecorded.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "]") {
		s = reLinkRef.ReplaceAllString(s, "") // footnote marks of HTML minutes rendered as text
	}
	if strings.HasSuffix(s, ")") && strings.Contains(s, ":") {
		s = dropTimestamps(s) // "(12:34)": where in the recording a recap found it
	}
	return strings.TrimSpace(s)
}

// isNothing reports whether an entry says there is nothing: "none",
// "(none)", "n/a", "nothing new".
func isNothing(s string) bool {
	if len(s) > 40 {
		return false
	}
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "().-*_ "))
	switch s {
	case "", "none", "n/a", "na", "nil", "nothing", "nothing new", "none this week", "none identified",
		"no new actions", "no actions", "no new action items", "no action items", "no new risks", "no risks",
		"no decisions", "none new", "no change", "no changes", "-", "—", "tbd":
		return true
	}
	return strings.HasPrefix(s, "none ") && wordCount(s) <= 4
}

// actionParts is an action item's text taken apart.
type actionParts struct {
	text, owner, due string
	status           mailflow.ItemStatus
}

// splitAction takes an item's owner, due date and status out of its text.
// The forms are those of the issue: "Alice to send the plan by Friday",
// "Alice: …", "[Alice] …", "@alice …", "… (owner: Alice, due: 12/3)",
// "… — Alice", "Owner: Alice; Due: Friday" inline.
func (p *parser) splitAction(text string) actionParts {
	var out actionParts
	text = p.trailingMeta(text, &out)
	if strings.ContainsAny(text, ":=") {
		text = p.inlineKeys(text, &out)
	}
	if out.due == "" {
		text = p.trailingDue(text, &out)
	}
	if out.owner == "" {
		text = p.leadingOwner(text, &out)
	}
	if out.owner == "" {
		text = p.trailingOwner(text, &out)
		if out.owner != "" && out.due == "" {
			text = p.trailingDue(text, &out) // "… before December 4. - Dan Weber"
		}
	}
	if out.due == "" {
		// "Carol to circulate the slides tomorrow", "… in 2 weeks".
		if phrase, at, ok := bareDueTail(text); ok {
			out.due, text = phrase, text[:at]
		}
	}
	if out.due == "" {
		// "Alice to send the plan - Dec 3": a dash before a date.
		if head, tail, ok := dashTail(text); ok {
			if _, err := p.parseDate(tail); err == nil {
				out.due, text = tail, head
			}
		}
	}
	out.text = strings.TrimSpace(text)
	return out
}

// trailingOwner reads an owner written after the task: "… @alice",
// "… - Alice", "… — owner: Bob".
func (p *parser) trailingOwner(text string, out *actionParts) string {
	if i := strings.LastIndexByte(text, ' '); i > 0 && strings.HasPrefix(text[i+1:], "@") && nameWord(text[i+1:], true) {
		out.owner = strings.TrimRight(text[i+1:], ".")
		return strings.TrimSpace(text[:i])
	}
	head, tail, ok := dashTail(text)
	if !ok {
		return text
	}
	tail = strings.TrimRight(tail, ".")
	lower := strings.ToLower(tail)
	for _, k := range []string{"owner:", "owner"} {
		if strings.HasPrefix(lower, k) {
			tail = strings.TrimSpace(tail[len(k):])
			break
		}
	}
	if wordCount(tail) <= 3 && (p.namesSomeone(tail) || fullName(tail) || p.namedElsewhere(tail)) {
		out.owner = tail
		return head
	}
	return text
}

// namedElsewhere reports whether a first name after an item, "… by Friday
// - Marcus", is someone the minutes name in other places too; a word
// written once there is as likely the end of the sentence.
func (p *parser) namedElsewhere(s string) bool {
	if strings.ContainsAny(s, " ,") || !nameShaped(s) || sentenceStarters[strings.ToLower(s)] || isAcronym(s) {
		return false
	}
	return p.mentions(s) >= 2
}

// fullName reports whether s is written as one or more people's full
// names, "Jordan Lee" or "Adam Dean, Christian Taylor": capitalised
// words, two or three to a name. An item's text seldom ends so.
func fullName(s string) bool {
	parts := splitOwners(s)
	if len(parts) == 0 {
		return false
	}
	for _, part := range parts {
		words := strings.Fields(part)
		if len(words) < 2 || len(words) > 3 || !nameShaped(part) || isAcronym(words[0]) {
			return false
		}
	}
	return true
}

// namesSomeone reports whether s is a person the directory knows (once),
// an @handle or an address: the test for owners written after the text,
// where a capitalised word is as likely the end of the sentence.
func (p *parser) namesSomeone(s string) bool {
	if strings.HasPrefix(s, "@") || strings.Contains(s, "@") {
		return true
	}
	for _, part := range splitOwners(s) {
		if len(p.dir.Resolve(part)) != 1 {
			return false
		}
	}
	return true
}

// trailingMeta reads a bracketed group at the end of the text: "(owner:
// Alice, due: 12/3)", "(due 2026-12-01)", "(Alice, Dec 3)", "[@bob]",
// "(done)". The group is removed only when every part of it was read.
func (p *parser) trailingMeta(text string, out *actionParts) string {
	for range 2 {
		t := strings.TrimRight(text, " .")
		if t == "" {
			return text
		}
		closeCh := t[len(t)-1]
		if closeCh != ')' && closeCh != ']' {
			return text
		}
		openCh := byte('(')
		if closeCh == ']' {
			openCh = '['
		}
		open := strings.LastIndexByte(t, openCh)
		if open < 0 || open == 0 {
			return text
		}
		inner := t[open+1 : len(t)-1]
		var got actionParts
		for _, part := range strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' }) {
			if !p.metaPart(strings.TrimSpace(part), &got) {
				return text
			}
		}
		if got.owner == "" && got.due == "" && got.status == "" {
			return text
		}
		if got.owner != "" {
			out.owner = got.owner
		}
		if got.due != "" {
			out.due = got.due
		}
		if got.status != "" {
			out.status = got.status
		}
		text = strings.TrimSpace(t[:open])
	}
	return text
}

// metaPart reads one part of a bracketed group.
func (p *parser) metaPart(part string, got *actionParts) bool {
	if part == "" {
		return true
	}
	if k, v, ok := keyValue(part); ok {
		return setPart(got, k, v)
	}
	lower := strings.ToLower(part)
	for _, k := range []string{"owner", "owners", "who", "assigned to", "assignee", "due", "due by", "by", "deadline", "status"} {
		if strings.HasPrefix(lower, k+" ") {
			key := map[string]string{"by": "due", "due by": "due", "owners": "owner", "who": "owner",
				"assigned to": "owner", "assignee": "owner", "deadline": "due"}[k]
			if key == "" {
				key = k
			}
			return setPart(got, key, strings.TrimSpace(part[len(k):]))
		}
	}
	if st, ok := statusTags[lower]; ok && lower != "x" && lower != "new" && lower != "todo" {
		got.status = st
		return true
	}
	if _, err := p.parseDate(part); err == nil && got.due == "" {
		got.due = part
		return true
	}
	if strings.HasPrefix(part, "@") || p.namesSomeone(part) || fullName(part) {
		if got.owner != "" {
			part = got.owner + ", " + part // "(Adam Dean, Christian Taylor)"
		}
		got.owner = part
		return true
	}
	return false
}

func setPart(got *actionParts, key, val string) bool {
	switch key {
	case "owner":
		got.owner = val
	case "due":
		got.due = val
	case "status":
		if st, ok := statusTags[strings.ToLower(firstWord(val))]; ok {
			got.status = st
		}
	default:
		return false
	}
	return val != ""
}

// inlineKeys reads "send the plan; owner: Alice; due: Friday".
func (p *parser) inlineKeys(text string, out *actionParts) string {
	idx := reInlineKV.FindAllStringSubmatchIndex(text, -1)
	if len(idx) == 0 || idx[0][0] == 0 {
		return text
	}
	for i, m := range idx {
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		key := strings.ToLower(text[m[2]:m[3]])
		val := strings.Trim(strings.TrimSpace(text[m[1]:end]), " ,;.()")
		switch key {
		case "owner", "owners", "who", "assigned to", "assignee", "responsible":
			out.owner = val
		case "status":
			if st, ok := statusTags[strings.ToLower(firstWord(val))]; ok {
				out.status = st
			}
		default:
			out.due = val
		}
	}
	return strings.TrimSpace(text[:idx[0][0]])
}

// trailingDue reads "… by Friday", "… due 12/3", "… before Dec 3". A
// phrase after "by" that is not a date ("by the PMC") stays in the text;
// after "due" or "deadline" it is a date that could not be read.
func (p *parser) trailingDue(text string, out *actionParts) string {
	keyword, phrase, at, ok := dueTail(text)
	if !ok {
		return text
	}
	keyword = strings.ToLower(keyword)
	_, err := p.parseDate(phrase)
	stated := (strings.HasPrefix(keyword, "due") || keyword == "deadline") && !strings.Contains(phrase, ",") &&
		!strings.HasPrefix(strings.ToLower(phrase), "to ") // "due to the vendor" is a cause
	if err != nil && !stated && !errors.Is(err, dates.ErrNoNextMeeting) && !errors.Is(err, dates.ErrVague) {
		return text
	}
	head := strings.TrimSpace(text[:at])
	if first, ok := p.innerDue(head); ok {
		out.due = first // "by June 21 and publish results by June 30": the first deadline
		return text
	}
	out.due = phrase
	return head
}

// innerDue finds a deadline inside an item's text, before the one that
// ends it: "Complete the pilot by June 21 and publish results".
func (p *parser) innerDue(text string) (string, bool) {
	if !strings.Contains(text, " by ") && !strings.Contains(text, " before ") {
		return "", false
	}
	words := strings.Fields(text)
	for i, w := range words {
		switch strings.ToLower(w) {
		case "by", "before":
		default:
			continue
		}
		if i+1 >= len(words) || !dateStart(words[i+1]) {
			continue // "by the vendor", "before go-live"
		}
		for n := min(4, len(words)-i-1); n >= 1; n-- {
			phrase := strings.TrimRight(strings.Join(words[i+1:i+1+n], " "), ",;")
			if _, err := p.parseDate(phrase); err == nil && i+1+n < len(words) {
				return phrase, true
			}
		}
	}
	return "", false
}

// leadingOwner reads the owner written before the task: "[Alice] …",
// "@alice …", "Alice: …", "Alice and Bob to …", "Alice will …",
// "Alice – …".
func (p *parser) leadingOwner(text string, out *actionParts) string {
	if m := reOwnerBox.FindStringSubmatch(text); m != nil && p.ownerish(m[1]) {
		out.owner = m[1]
		return m[2]
	}
	if m := reHandle.FindStringSubmatch(text); m != nil {
		out.owner = "@" + m[1]
		return trimTo(m[2])
	}
	if name, rest, ok := splitNameColon(text); ok && p.ownerish(name) {
		out.owner = name
		return trimTo(rest)
	}
	if name, rest, ok := splitNameTo(text); ok && (p.ownerish(name) || p.itemHandle(name, rest)) {
		out.owner = name
		return rest
	}
	if name, rest, ok := splitNameTo(dropAside(text)); ok && p.ownerish(name) {
		out.owner = name // "Silona, Leonard, & Christian (OS WG) to champion …"
		return rest
	}
	if m := reNameDash.FindStringSubmatch(text); m != nil && (p.namesSomeone(m[1]) || nameShaped(m[1]) && verbLike(firstField(m[2]))) {
		out.owner = m[1]
		return m[2]
	}
	return text
}

// itemHandle reports whether name, written before "to" at the start of an
// action item, is a handle: "centril to comment on …", "gkellogg to merge
// …". The shape of an item is evidence enough that a lower-case word
// there names someone.
func (p *parser) itemHandle(name, task string) bool {
	if strings.Contains(name, " ") || !handleShaped(name) || !startsLower(name) || !verbLike(firstField(task)) {
		return false
	}
	lower := strings.ToLower(name)
	if notNames[lower] || verbs[lower] || notTasks[lower] || sentenceStarters[lower] || nobody[lower] {
		return false
	}
	return !strings.HasSuffix(lower, "ed") && !strings.HasSuffix(lower, "ing")
}

// dropAside removes a bracketed aside from the names before "to": "Silona
// (OS WG) to …" reads as "Silona to …".
func dropAside(text string) string {
	open := strings.IndexByte(text, '(')
	if open <= 0 || open > 60 {
		return text
	}
	end := strings.IndexByte(text[open:], ')')
	if end < 0 || end > 24 {
		return text
	}
	return strings.TrimSpace(text[:open]) + " " + strings.TrimSpace(text[open+end+1:])
}

// trimTo drops the "to" of "Doug: to pursue a report" and the "will" of
// "@bob will update the docs".
func trimTo(s string) string {
	for _, w := range []string{"to ", "will ", "shall "} {
		if strings.HasPrefix(s, w) && len(s) > len(w) && verbLike(firstField(s[len(w):])) {
			return s[len(w):]
		}
	}
	return s
}

// setDue reads the due date, or reports why it cannot.
func (p *parser) setDue(it *mailflow.ActionItem, phrase string, n int) {
	phrase = strings.TrimSpace(strings.Trim(phrase, "*_ "))
	it.DueText = phrase
	switch strings.ToLower(strings.Trim(phrase, ". ")) {
	case "", "tbd", "tbc", "tba", "n/a", "na", "-", "—", "?", "ongoing", "none":
		return // no date given, which is not a mistake
	}
	d, err := p.parseDate(phrase)
	switch {
	case errors.Is(err, dates.ErrNoNextMeeting):
		p.problem(n, p.line, fmt.Sprintf("due %q, but the minutes do not say when the next meeting is (add \"Next meeting: Dec 9\" or write the date)", phrase))
		return
	case errors.Is(err, dates.ErrVague):
		p.problem(n, p.line, fmt.Sprintf("due %q is not a day, so no due date is set (write a day, e.g. Friday or Dec 11)", phrase))
		return
	case err != nil:
		p.problem(n, p.line, fmt.Sprintf("cannot read due date %q (write e.g. 2026-12-03, Dec 3 or Friday)", phrase))
		return
	}
	it.Due = d
}
