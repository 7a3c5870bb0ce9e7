package minutes

import (
	"slices"
	"strings"
	"unsafe"

	"mailflow/mailflow"
)

// prose reads the sentences of an entry outside any list of items: the
// assignments, promises and decisions they record.
func (p *parser) prose(e *entry) {
	if e.nick != "" || struckThrough(e.text) {
		return // a chat log's lines are talk; its bot lists the actions
	}
	p.proseRead = true
	text := plainText(e.text)
	if strings.Contains(text, ">") || strings.Contains(text, "→") || strings.Contains(text, "⇒") {
		if m := reNameArrow.FindStringSubmatch(text); m != nil && verbs[bareWord(firstField(m[2]))] && p.personNamed(m[1]) {
			p.addAction(action{n: e.n, raw: e.first, text: m[2], owner: m[1], fixed: true})
			return
		}
	}
	if speaker, remark, ok := p.speakerRemark(text); ok {
		if task, ok := promise(remark); ok {
			p.addAction(action{n: e.n, raw: e.first, text: task, owner: speaker, fixed: true, weak: true})
			return
		}
		text = remark
	}
	if !mayAssign(text) && !mayHaveAside(text) && strings.IndexByte(text, '?') < 0 {
		return // no word that assigns, promises, decides or asks: most discussion
	}
	words, bare := p.tokens(text)
	prev := -1
	for a, n := 0, 0; a < len(words) && n < maxSentences; n++ {
		b := sentenceEnd(words, a)
		if motion, ok := movedThat(words[a:b]); ok {
			p.proposal = proposal{text: motion, entry: p.entryIndex} // "It was moved and seconded that …"
			prev, a = a, b
			continue
		}
		if p.proposal.text != "" && p.proposal.entry >= p.entryIndex-3 && isCarried(words[a:b]) {
			p.addDecision(p.proposal.text, e.n) // "… The motion was carried."
			p.proposal = proposal{}
			prev, a = a, b
			continue
		}
		if owner, ok := actionTrailerWords(words[a:b]); ok {
			if prev >= 0 {
				task := reportedTask(strings.Join(words[prev:a], " "))
				p.addAction(action{n: e.n, raw: e.first, text: task, owner: owner, fixed: true})
			}
		} else {
			p.proseSentence(e, words[a:b], bare[a:b], a == 0)
			p.proseRisk(e, words[a:b], bare[a:b])
		}
		prev, a = a, b
	}
}

// tokens splits text into its words and their bare forms (see
// bareWord), in buffers the parser reuses. ASCII text is lowered once, so
// that a capitalised word costs no allocation of its own.
func (p *parser) tokens(text string) (words, bare []string) {
	p.wordBuf = appendFields(p.wordBuf[:0], text)
	p.bareBuf = p.bareBuf[:0]
	if !isPlainASCII(text) {
		for _, w := range p.wordBuf {
			p.bareBuf = append(p.bareBuf, bareWord(w))
		}
		return p.wordBuf, p.bareBuf
	}
	// The lowered text lives in a buffer the parser reuses: the bare words
	// are compared while this entry is read and never kept.
	p.lowerBuf = append(p.lowerBuf[:0], text...)
	for i, c := range p.lowerBuf {
		if c >= 'A' && c <= 'Z' {
			p.lowerBuf[i] = c + 'a' - 'A'
		}
	}
	lower := unsafe.String(unsafe.SliceData(p.lowerBuf), len(p.lowerBuf))
	base := unsafe.StringData(text)
	for _, w := range p.wordBuf {
		off := int(uintptr(unsafe.Pointer(unsafe.StringData(w))) - uintptr(unsafe.Pointer(base)))
		p.bareBuf = append(p.bareBuf, trimPunct(lower[off:off+len(w)]))
	}
	return p.wordBuf, p.bareBuf
}

// cueStarts are the beginnings of the words the prose readers look for,
// by first letter: "to", "will", "agreed", "decided", "can you" …
var cueStarts = func() (byLetter [26][]string) {
	for _, cue := range []string{
		"agree", "approv", "adopt", "accept", "ask", "action", "consensus", "carried", "commit", "can you",
		"could you", "decid", "endorse", "going to", "invite", "i'll", "i’ll", "i will", "i am going", "i'm going",
		"i’m going", "needs to", "offer", "please", "promise", "resolv", "reject", "ratif", "request", "shall",
		"to ", "task", "undert", "vote", "volunteer", "will", "would", "moved", "motion", "she'", "she’", "he'",
		"he’", "chose", "opted", "signed off",
	} {
		byLetter[cue[0]-'a'] = append(byLetter[cue[0]-'a'], cue)
	}
	return byLetter
}()

// mayAssign reports, in one pass over the text, whether it has a word
// the prose readers look for; most lines of discussion have none.
func mayAssign(s string) bool {
	for i := 0; i < len(s); {
		c := s[i] | 0x20
		if c >= 'a' && c <= 'z' && i+1 < len(s) {
			c2 := s[i+1] | 0x20
			for _, cue := range cueStarts[c-'a'] {
				if cue[1] == c2 && hasFoldAt(s, i, cue) {
					return true
				}
			}
		}
		// On to the next word.
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// sentenceEnd returns the index after the last word of the sentence that
// starts at words[a] (see sentences for where sentences end).
func sentenceEnd(words []string, a int) int {
	for i := a; i < len(words)-1; i++ {
		w := words[i]
		for len(w) > 0 && (w[len(w)-1] == ')' || w[len(w)-1] == '"') {
			w = w[:len(w)-1]
		}
		if len(w) > 3 && (strings.HasSuffix(w, "”") || strings.HasSuffix(w, "’")) {
			w = w[:len(w)-3]
		}
		if w == "" {
			continue
		}
		switch w[len(w)-1] {
		case '.':
			if endsSentence(w[:len(w)-1], words[i+1]) {
				return i + 1
			}
		case '!', '?':
			if startsSentence(words[i+1]) {
				return i + 1
			}
		}
	}
	return len(words)
}

// movedThat reads the motion of "It was moved and seconded that the
// charges be frozen", "Moved by Cllr Jones, seconded by Cllr Brown, that
// …", "MOVED: that …".
func movedThat(words []string) (string, bool) {
	if len(words) < 4 {
		return "", false
	}
	first := bareWord(words[0])
	if first != "it" && first != "moved" && !(first == "the" && bareWord(words[1]) == "motion") {
		return "", false
	}
	moved := false
	for i, w := range words {
		b := bareWord(w)
		if b == "moved" || b == "proposed" {
			moved = true
		}
		if b == "that" && moved && i+1 < len(words) && i < 14 {
			return tidyText(strings.Join(words[i+1:], " ")), true
		}
	}
	return "", false
}

// isCarried reports whether a sentence says the motion before it was
// carried: "The motion was CARRIED.", "Carried unanimously.", "Agreed".
func isCarried(words []string) bool {
	text := strings.Join(words, " ")
	if isOutcomeLine(text) {
		return true
	}
	lower := strings.ToLower(text)
	return strings.Contains(lower, "motion was carried") || strings.Contains(lower, "motion carried") ||
		strings.Contains(lower, "motion was approved") || strings.Contains(lower, "motion passed")
}

// actionTrailerWords is actionTrailer on the words of a sentence.
func actionTrailerWords(words []string) (string, bool) {
	if len(words) < 2 || len(words[0]) < 6 || !strings.EqualFold(words[0][:6], "action") {
		return "", false
	}
	return actionTrailer(strings.Join(words, " "))
}

// actionTrailer reads "Action: Acting Chief Executive" after a paragraph
// of board minutes: the paragraph is the action, and this its owner.
func actionTrailer(s string) (string, bool) {
	if len(s) < 8 || !strings.EqualFold(s[:6], "action") {
		return "", false
	}
	l, ok := readLabel(strings.TrimRight(s, ". "))
	if !ok || l.kind != labelAction || !ownerOnly(l.rest) {
		return "", false
	}
	return l.rest, true
}

// ownerOnly reports whether s is only a name or a role: "Acting Chief
// Executive", "Director of Finance", "Bob".
func ownerOnly(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 5 || !startsUpper(words[0]) || verbs[strings.ToLower(words[0])] {
		return false
	}
	for _, w := range words {
		switch bareWord(w) {
		case "of", "and", "&", "the", "for", "/":
			continue
		}
		if !startsUpper(w) || strings.ContainsAny(w, "0123456789") {
			return false
		}
	}
	return true
}

// reportedTask drops the "It was noted that" with which board minutes
// report what is to happen, and the agenda reference before it.
func reportedTask(s string) string {
	lower := strings.ToLower(s)
	for _, lead := range []string{"it was noted that ", "it was agreed that ", "it was resolved that ", "it was decided that "} {
		if i := strings.Index(lower, lead); i >= 0 {
			return s[i+len(lead):]
		}
	}
	return s
}

// proseSentence reads the words of one sentence.
func (p *parser) proseSentence(e *entry, words, bare []string, first bool) {
	decided := decisionWords(words, bare)
	moved := !decided && p.scheduleMove(words, bare)
	decided = decided || moved
	for start := 0; start < len(words); {
		end := clauseEnd(words, start)
		cw, cb := words[start:end], bare[start:end]
		start = end
		if task, ok := firstPersonWords(cw); ok {
			c := strings.Join(cw, " ")
			owner := p.speaker
			if owner == "" && !isBareWill(c) {
				owner = p.writer() // "I'll send the risk log by Monday" in the sender's own note
			}
			switch {
			case owner != "":
				p.addAction(action{n: e.n, raw: e.first, text: task, owner: owner, fixed: true, weak: true})
			case isBareWill(c) && first:
				p.unowned(e, c) // "Will look at automating rebuilds": whose promise?
			}
			continue
		}
		a, ok := p.assignmentWords(cw, cb)
		if !ok {
			a, ok = p.passiveAgent(cw, cb)
		}
		if !ok || conditional(a.task) {
			continue
		}
		c := strings.Join(cw, " ")
		switch a.kind {
		case subjectPerson, subjectGroup:
			if decided && isAgree(a.via) && a.kind == subjectPerson && !isAcronym(a.owner) {
				decided = false // "Marcin agreed to test …" is Marcin's action
			}
			if moved {
				decided, moved = false, false // "Alice will move the meeting from … to …" is Alice's task
			}
			for n := 0; n < 4; n++ {
				task, next, ok := p.nextAssignment(a.task)
				if !ok {
					break
				}
				p.addAction(action{n: e.n, raw: e.first, text: task, owner: a.owner, fixed: true, weak: true})
				a = next // "Tomasz to send the sheet and Lena to check it"
			}
			p.addAction(action{n: e.n, raw: e.first, text: a.task, owner: a.owner, fixed: true, weak: true})
		case subjectPronoun, subjectCollective:
			if !decided && (p.hasDue(a.task) || a.via == "going to") {
				p.unowned(e, c) // "we will send the survey by Friday", "we are going to migrate …"
			}
		}
	}
	if decided {
		text := decisionText(strings.Join(words, " "))
		p.addDecision(text, e.n)
		if moved {
			p.addChange(text, mailflow.ChangeSchedule, e.n)
		}
		return
	}
	if len(words) > 2 && startsUpper(words[0]) && verbs[bare[0]] {
		text := strings.Join(words, " ")
		if owner := p.ownerAside(text); owner != "" {
			// "Send the list to pharmacy (Assigned to Dan Weber)"
			p.addAction(action{n: e.n, raw: e.first, text: text, weak: true})
		} else if p.hasDue(strings.TrimRight(text, ".!")) {
			p.unowned(e, text) // "Try to get the recordings together by Wed 13th": for whom?
		}
	}
}

// mayHaveAside reports whether text ends as if with an owner: a bracket,
// or a dash near its end.
func mayHaveAside(text string) bool {
	t := strings.TrimRight(text, " .")
	return strings.HasSuffix(t, ")") || dashBefore(t[max(0, len(t)-40):], len(t)-max(0, len(t)-40))
}

// ownerAside returns the owner an imperative sentence names at its end:
// "(Assigned to Dan Weber)", "(owner: Bob)", "(Lena Kovacs)", "- Jordan
// Lee".
func (p *parser) ownerAside(text string) string {
	t := strings.TrimRight(text, " .")
	if !strings.HasSuffix(t, ")") && !dashBefore(t, len(t)) {
		return ""
	}
	var parts actionParts
	p.trailingMeta(t, &parts)
	if parts.owner == "" {
		p.trailingOwner(t, &parts)
	}
	if parts.owner != "" && p.knowsWhoCame() && !p.namesSomeone(parts.owner) {
		return "" // "(Phase Two)": the minutes say who is who, and this is nobody
	}
	return parts.owner
}

// personNamed reports whether s is written as a person: "Raj", "Kim
// Lee", "@kim" — not "ADT" or "Lab results".
func (p *parser) personNamed(s string) bool {
	_, kind := p.subject(strings.Fields(s))
	return kind == subjectPerson && !isAcronym(s)
}

// moveWords move a date: "the dry run will move from March 12 to March
// 14", "go-live is postponed from 1 Feb to 3 May".
var moveWords = newWordSet("move", "moves", "moved", "moving", "slip", "slips", "slipped", "postponed", "delayed",
	"deferred", "rescheduled", "pushed", "brought", "put", "changed", "changes", "shifted", "shifts")

// scheduleMove reports whether a sentence states that something moves
// from one date to another: a change of schedule the meeting settled,
// before and after. A person who will move something is given a task
// instead (the assignment readers), and a move to a date alone may be a
// proposal.
func (p *parser) scheduleMove(words, bare []string) bool {
	if strings.HasSuffix(words[len(words)-1], "?") {
		return false
	}
	for i, b := range bare {
		if !moveWords.has(b) || i == 0 {
			continue
		}
		from := -1
		for k := i + 1; k < len(bare) && k <= i+4; k++ {
			if bare[k] == "from" {
				from = k
				break
			}
		}
		if from < 0 {
			continue
		}
		for to := from + 2; to < len(bare) && to <= from+5; to++ {
			if bare[to] == "to" && p.isDate(strings.Join(words[from+1:to], " ")) && p.dateAt(words, to+1) {
				return true
			}
		}
	}
	return false
}

// dateAt reports whether a date of up to four words starts at words[i].
func (p *parser) dateAt(words []string, i int) bool {
	for n := min(4, len(words)-i); n >= 1; n-- {
		if p.isDate(strings.TrimRight(strings.Join(words[i:i+n], " "), ".,;:")) {
			return true
		}
	}
	return false
}

// writer returns who "I" is in the entry being read: the sender, in the
// note they wrote themselves — above any heading, and above any message
// they forward. Under a heading, in a forwarded message or in minutes
// pasted from elsewhere, "I" is someone mailflow cannot name.
func (p *parser) writer() string {
	if p.forwardAt < 0 {
		p.forwardAt = len(p.all)
		for i := range p.all {
			if p.all[i].heading || p.all[i].table != nil || isForwardHeader(p.all[i].text) {
				p.forwardAt = i
				break
			}
		}
	}
	if p.entryIndex >= p.forwardAt || p.msg == nil || p.all[p.entryIndex].nick != "" {
		return ""
	}
	if p.msg.From.Email != "" {
		return p.msg.From.Email
	}
	return p.msg.From.Name
}

// unowned reports a sentence that reads like an action but names nobody
// to do it: the sender is shown how to mark it.
func (p *parser) unowned(e *entry, clause string) {
	p.problem(e.n, clause, "this reads like an action but names no owner; to record it, write e.g. \"ACTION: Alice to … by Dec 9\"")
}

// hasDue reports whether a task ends with a due date mailflow can read.
func (p *parser) hasDue(task string) bool {
	_, phrase, _, ok := dueTail(task)
	if !ok {
		return false
	}
	_, err := p.parseDate(phrase)
	return err == nil
}

// appendFields appends the space-separated words of s to dst, as
// strings.Fields does, reusing dst's memory.
func appendFields(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\n' {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// isBareWill reports whether a clause is a promise without a subject:
// "Will look at automating rebuilds".
func isBareWill(c string) bool {
	return len(c) > 5 && strings.EqualFold(c[:5], "will ")
}

func isAgree(via string) bool {
	return via == "agreed" || via == "agrees" || via == "agree"
}

// struckThrough reports whether an entry is struck out in Markdown: done
// or dropped, not an item.
func struckThrough(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "~~") && strings.HasSuffix(strings.TrimRight(t, ". "), "~~")
}

// collectHandles learns the handles a document uses for people: "Thorsten
// Leemhuis (thl)" in a list of members, "@min" in a remark.
func (p *parser) collectHandles(entries []entry) {
	for i := range entries {
		e := &entries[i]
		if e.table != nil || len(e.text) > 80 {
			continue
		}
		t := strings.TrimSpace(e.text)
		if !strings.HasSuffix(t, ")") {
			continue
		}
		open := strings.LastIndexByte(t, '(')
		if open <= 0 {
			continue
		}
		nick := t[open+1 : len(t)-1]
		name := strings.TrimSpace(t[:open])
		if handleShaped(nick) && !strings.ContainsAny(nick, " ") && nameShaped(name) && wordCount(name) <= 3 {
			p.handles[strings.ToLower(nick)] = true
		}
	}
}

// finish drops the items read from prose that repeat an item the minutes
// list ("Jordan Lee will print 40 packs" under the outline of a recap
// whose action items say "Print 40 downtime packs … - Jordan Lee"), with
// their problems.
func (p *parser) finish() {
	items := p.out.ActionItems
	if !slices.Contains(p.weak, true) || len(items) > maxRepeatCheck {
		return
	}
	// Items by the words of their owner, so that a weak item is compared
	// only with items that could have the same owner.
	byOwner := map[string][]int{}
	for i := range items {
		for _, w := range ownerWords(items[i]) {
			byOwner[w] = append(byOwner[w], i)
		}
	}
	words := make([][]string, len(items))
	content := func(i int) []string {
		if words[i] == nil {
			words[i] = contentWords(items[i].Text)
		}
		return words[i]
	}
	drop := make([]bool, len(items))
	seen := make([]int, len(items)) // seen[j] == i+1: item j was compared with item i
	for i := range items {
		if !p.weak[i] {
			continue
		}
		for _, w := range ownerWords(items[i]) {
			for _, j := range byOwner[w] {
				if j == i || seen[j] == i+1 || drop[j] || (p.weak[j] && j > i) {
					continue
				}
				seen[j] = i + 1
				share := 6 // a listed item repeats it when it has most of its words
				if p.weak[j] {
					share = 9 // two sentences must say nearly the same
				}
				if covered(content(i), content(j), share) {
					drop[i] = true
					break
				}
			}
			if drop[i] {
				break
			}
		}
	}
	keep := items[:0]
	for i, it := range items {
		if !drop[i] {
			keep = append(keep, it)
		}
	}
	p.out.ActionItems = keep
	p.weak = nil // indexes no longer match
	problems := p.out.Problems[:0]
	for i, pr := range p.out.Problems {
		if k := p.problemItem[i]; k >= 0 && k < len(drop) && drop[k] {
			continue
		}
		problems = append(problems, pr)
	}
	p.out.Problems = problems
}

// maxRepeatCheck bounds the items finish compares: real minutes have tens
// of items, and the comparison is quadratic.
const maxRepeatCheck = 400

// ownerWords are the lower-case words of an item's owner, as written and
// as resolved ("" when it has none).
func ownerWords(it mailflow.ActionItem) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(it.OwnerText + " " + it.Owner)) {
		if len(w) > 2 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}

// covered reports whether share tenths of the content words of a are in b.
func covered(a, b []string, share int) bool {
	if len(a) == 0 {
		return true
	}
	in := 0
	for _, w := range a {
		for _, v := range b {
			if w == v {
				in++
				break
			}
		}
	}
	return in*10 >= len(a)*share
}

// stopWords carry no content.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "to": true, "of": true, "for": true, "and": true, "or": true, "in": true,
	"on": true, "at": true, "with": true, "by": true, "will": true, "be": true, "is": true, "are": true,
	"this": true, "that": true, "it": true, "as": true, "from": true, "their": true, "his": true, "her": true,
	"its": true, "our": true, "we": true, "they": true, "them": true, "all": true, "also": true,
}

// contentWords lowercases s into its words, without stop words.
func contentWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}
