package minutes

import (
	"fmt"
	"strings"

	"mailflow/mailflow"
)

// Milestones and asks are what a status report tells leadership besides
// the items: the dates the project is held to ("Milestone: Go-live
// (outpatient) — 1 Feb 2027", "Go-live: 2 March 2027", a "Milestones"
// list or table) and what the meeting needs from leadership ("Decision
// needed: …", "Escalate: …"). A milestone without a date mailflow can read
// is kept, and the sender hears about it.

// milestoneLine reads one line of a milestones list, or what follows
// "Milestone:": its name, the date as written and whether it is done —
// "Super-user training complete – 27 Nov (done)", "27 Nov – Super-user
// training", "pharmacy go-live moved to 1 March 2027", "Go-live (1 Feb
// 2027)", "Data migration: 12 Jan".
func (p *parser) milestoneLine(text string) (name, dateText string, done bool) {
	t := tidyText(plainText(text))
	t, done = milestoneStatus(t)
	if head, tail, ok := dashTail(t); ok && (p.isDate(tail) || dateLike(tail)) {
		return tidyText(head), tail, done // a date, or one mailflow cannot read: "— TBC", "– Q1 2027"
	}
	if head, tail, ok := dashHead(t); ok && p.isDate(head) {
		return tidyText(tail), head, done // "27 Nov – Super-user training"
	}
	if i := strings.LastIndex(t, ": "); i > 0 && (p.isDate(t[i+2:]) || dateLike(t[i+2:])) {
		return tidyText(t[:i]), strings.TrimSpace(t[i+2:]), done
	}
	if open := strings.LastIndexByte(t, '('); open > 0 && strings.HasSuffix(t, ")") && p.isDate(t[open+1:len(t)-1]) {
		return tidyText(t[:open]), t[open+1 : len(t)-1], done
	}
	if head, tail, ok := p.dateAfterWord(t); ok {
		return head, tail, done
	}
	if head, tail, ok := p.trailingDate(t); ok {
		return head, tail, done
	}
	return t, "", done
}

// milestoneStatusWords say where a milestone stands; the done ones mark it
// met.
var milestoneStatusWords = map[string]bool{
	"done": true, "complete": true, "completed": true, "achieved": true, "met": true, "delivered": true,
	"closed": true, "live": true, "✓": true, "✔": true, "✅": true, "☑": true,
	"on track": false, "at risk": false, "delayed": false, "late": false, "slipped": false, "green": false,
	"amber": false, "red": false, "planned": false, "not started": false, "in progress": false,
}

// dateLike reports whether s is written where a date goes and tries to be
// one: "TBC", "Q1 2027", "w/c 14th", "early Feb".
func dateLike(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || wordCount(s) > 3 {
		return false
	}
	switch s {
	case "tbc", "tbd", "tba", "tbc.", "to be confirmed", "to be decided", "unknown", "?":
		return true
	}
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, ".,")
		if strings.ContainsAny(w, "0123456789") || len(w) >= 3 && monthWords[w[:3]] {
			return true
		}
	}
	return false
}

// monthWords are the first three letters of the months.
var monthWords = map[string]bool{"jan": true, "feb": true, "mar": true, "apr": true, "may": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "oct": true, "nov": true, "dec": true}

// milestoneStatus removes a status from the ends of a milestone line —
// "[x] …", "✅ …", "… (done)", "… - completed", "… [at risk]" — and says
// whether it marks the milestone done.
func milestoneStatus(t string) (string, bool) {
	done := false
	if st, rest, ok := checkbox(t); ok {
		t, done = rest, st == mailflow.ItemDone
	}
	if st, rest, ok := statusTag(t); ok {
		t, done = rest, done || st == mailflow.ItemDone
	}
	for range 2 {
		s := strings.TrimRight(t, " .")
		var status string
		switch {
		case strings.HasSuffix(s, ")") && strings.LastIndexByte(s, '(') > 0:
			open := strings.LastIndexByte(s, '(')
			status, s = s[open+1:len(s)-1], s[:open]
		case strings.HasSuffix(s, "]") && strings.LastIndexByte(s, '[') > 0:
			open := strings.LastIndexByte(s, '[')
			status, s = s[open+1:len(s)-1], s[:open]
		default:
			if head, tail, ok := dashTail(s); ok {
				status, s = tail, head
			} else if i := strings.LastIndexByte(s, ' '); i > 0 {
				status, s = s[i+1:], s[:i]
			}
		}
		isDone, known := milestoneStatusWords[strings.ToLower(strings.TrimSpace(status))]
		if !known {
			return t, done
		}
		t, done = strings.TrimRight(strings.TrimSpace(s), " ,;–—-"), done || isDone
	}
	return t, done
}

// dashHead splits "27 Nov – Super-user training" at its first spaced dash.
func dashHead(s string) (head, tail string, ok bool) {
	best, size := -1, 0
	for _, d := range []string{" - ", " – ", " — "} {
		if i := strings.Index(s, d); i > 0 && (best < 0 || i < best) {
			best, size = i, len(d)
		}
	}
	if best <= 0 || best > 40 {
		return "", "", false
	}
	return strings.TrimSpace(s[:best]), strings.TrimSpace(s[best+size:]), true
}

// dateWords come before a milestone's date in a sentence: "pharmacy
// go-live moved to 1 March 2027", "UAT sign-off due 12 Jan", "cutover on
// 5 Dec".
var dateWords = []string{" moved to ", " moves to ", " slipped to ", " slips to ", " pushed to ", " brought forward to ",
	" rescheduled to ", " rescheduled for ", " planned for ", " scheduled for ", " set for ", " targeted for ",
	" now ", " due ", " on ", " by ", " is ", " was ", " for ", " in ", " at "}

// dateAfterWord reads "NAME moved to DATE", "NAME on DATE": the last such
// word with a date after it.
func (p *parser) dateAfterWord(t string) (name, date string, ok bool) {
	lower := strings.ToLower(t)
	best := -1
	var bestWord string
	for _, w := range dateWords {
		i := strings.LastIndex(lower, w)
		if i > 0 && i > best && p.isDate(t[i+len(w):]) {
			best, bestWord = i, w
		}
	}
	if best < 0 {
		return "", "", false
	}
	return tidyText(t[:best]), strings.TrimSpace(t[best+len(bestWord):]), true
}

// trailingDate reads a date at the end of a line without a word before
// it: "Go-live 1 Feb 2027", "UAT sign-off 12/01/2027".
func (p *parser) trailingDate(t string) (name, date string, ok bool) {
	end := len(t)
	for k := 1; k <= 4; k++ {
		i := strings.LastIndexByte(t[:end], ' ')
		if i <= 0 {
			return "", "", false
		}
		end = i
		if cand := t[i+1:]; p.isDate(cand) && dateStart(cand) {
			return tidyText(t[:i]), cand, true
		}
	}
	return "", "", false
}

// isDate reports whether s is a date mailflow reads.
func (p *parser) isDate(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return false
	}
	_, err := p.parseDate(s)
	return err == nil
}

// addMilestone stores a milestone, or reports why its date cannot be
// read. Written twice (a list and a table), it is stored once.
func (p *parser) addMilestone(name, dateText string, done bool, n int, raw string) {
	name = tidyText(strings.Trim(name, " *_:–—-"))
	dateText = strings.TrimSpace(strings.Trim(dateText, "*_ "))
	if isNothing(name) || !hasLetter(name) {
		return
	}
	m := mailflow.Milestone{Name: name, DateText: dateText, Done: done, Line: n}
	switch d, err := p.parseDate(dateText); {
	case dateText == "":
		p.problem(n, raw, fmt.Sprintf("milestone %q has no date (write e.g. \"Milestone: %s — 1 Feb 2027\")", name, name))
	case err != nil:
		p.problem(n, raw, fmt.Sprintf("cannot read the date %q of milestone %q (write e.g. 2027-02-01 or 1 Feb 2027)", dateText, name))
	default:
		m.Date = d
	}
	key := m.Name + "\x00" + m.Date.String()
	if i, ok := p.milestoneAt[strings.ToLower(key)]; ok {
		p.out.Milestones[i].Done = p.out.Milestones[i].Done || m.Done
		return
	}
	if p.milestoneAt == nil {
		p.milestoneAt = map[string]int{}
	}
	p.milestoneAt[strings.ToLower(key)] = len(p.out.Milestones)
	p.out.Milestones = append(p.out.Milestones, m)
	p.last = lastRef{}
}

// labelledMilestone reads "Milestone: …" and "Go-live: …" lines. A
// go-live label names the milestone itself; what follows it is its date,
// with perhaps what goes live ("Go-live: pharmacy — 1 March 2027"). It
// reports false for a remark on how the go-live goes, which is prose.
func (p *parser) labelledMilestone(l label, n int, raw string) bool {
	name, date, done := p.milestoneLine(l.rest)
	if l.kind == labelGoLive && date == "" && wordCount(name) > 4 {
		return false // "Go-live: we are on track, pending the interface fix" says how it goes
	}
	if l.kind == labelGoLive {
		if date == "" && wordCount(name) <= 4 {
			name, date = "", name // "Go-live: Q1 2027": a date mailflow cannot read
		}
		rest := strings.TrimSpace(l.aside + " " + name)
		switch lower := strings.ToLower(rest); {
		case rest == "":
			name = "Go-live"
		case strings.Contains(lower, "go-live") || strings.Contains(lower, "go live"):
			name = rest
		default:
			name = "Go-live " + rest
		}
	} else if l.aside != "" {
		name += " " + l.aside
	}
	p.addMilestone(name, date, done, n, raw)
	return true
}

// listedOutcome reads an entry of a "Milestones" or "Decisions needed"
// section; what is nested under an entry is a note on it.
func (p *parser) listedOutcome(e *entry) {
	if e.depth > 0 {
		return
	}
	if e.sec == secAsks {
		p.addAsk(e.text, e.n)
		return
	}
	name, date, done := p.milestoneLine(e.text)
	p.addMilestone(name, date, done, e.n, e.first)
}

// addAsk stores what the minutes ask of leadership, once.
func (p *parser) addAsk(text string, n int) {
	text = tidyText(cleanActionText(text))
	if isNothing(text) || !hasLetter(text) {
		return
	}
	if !p.firstTime("ask", text) {
		return
	}
	p.out.Asks = append(p.out.Asks, mailflow.Decision{Text: text, Line: n})
	p.last = lastRef{}
}

// tableMilestone stores a row of a milestone table. Of the dates a row
// gives, the forecast is the one the project now works to; a date
// achieved marks the milestone done.
func (p *parser) tableMilestone(n int, raw string, get func(column) string) {
	name := get(colMilestone)
	if name == "" {
		return
	}
	status := strings.ToLower(get(colStatus))
	done := isDoneMark(status) || milestoneStatusWords[status]
	date := get(colActual)
	if date != "" && !isNothing(date) {
		done = true
	} else {
		date = ""
		for _, c := range []column{colForecast, colDue, colBaseline} {
			if v := get(c); v != "" && !isNothing(v) {
				date = v
				break
			}
		}
	}
	p.addMilestone(name, date, done, n, raw)
}
