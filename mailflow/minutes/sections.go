package minutes

import (
	"strings"
)

// section is the kind of content a heading announces.
type section int

const (
	secNone section = iota
	secActions
	secRisks
	secDecisions
	secAttendees
	secRegrets
	secChanges
	secChair
	secAttachments // attached reports: not this meeting's record
	secMotions     // "Summary of actions" in board minutes: motions and their outcome
	secAgenda      // the agenda: topics, not assignments, however they are worded
	secOther       // a heading mailflow has no use for ("Notes", "Budget")
	secOutcomes    // "Decisions and actions": each entry is one or the other
	secMilestones  // "Milestones", "Key dates": a milestone and its date on each line
	secAsks        // "Decisions needed", "Escalations": what the meeting asks of leadership
	secCount       // the number of sections
)

// sectionNames are headings as people write them, normalised by
// normHeading.
var sectionNames = map[string]section{
	"action items": secActions, "action item": secActions, "actions": secActions, "action points": secActions,
	"action point": secActions, "action list": secActions, "action log": secActions, "ais": secActions,
	"next steps": secActions, "next step": secActions, "follow-ups": secActions, "follow ups": secActions,
	"followups": secActions, "follow-up": secActions, "follow up": secActions, "follow-up actions": secActions,
	"todo": secActions, "to do": secActions, "to-do": secActions, "todos": secActions, "to-dos": secActions,
	"tasks": secActions, "action items by person": secActions, "actions arising": secActions,
	"assignments": secActions, "actions required": secActions, "action required": secActions,
	"actions and owners": secActions, "action items and owners": secActions, "who does what": secActions,
	"follow-up tasks": secActions, "follow up tasks": secActions, "followup tasks": secActions,
	"suggested next steps": secActions, "next actions": secActions, "agreed actions": secActions,
	"actions agreed": secActions, "action items from this meeting": secActions, "new actions": secActions,
	"task list": secActions, "tasks and owners": secActions,

	"summary of actions": secMotions, "actions taken": secMotions, "summary of actions taken": secMotions,
	"motions": secMotions, "summary of motions": secMotions, "motions and resolutions": secMotions,

	"risks": secRisks, "risk": secRisks, "risk register": secRisks, "risks and issues": secRisks,
	"issues and risks": secRisks, "risks/issues": secRisks, "risk log": secRisks, "risk review": secRisks,
	"risks and mitigations": secRisks,

	"decisions": secDecisions, "decision": secDecisions, "decisions made": secDecisions, "decisions taken": secDecisions,
	"agreed": secDecisions, "resolutions": secDecisions, "agreements": secDecisions, "decision log": secDecisions,
	"decisions and agreements": secDecisions, "resolved": secDecisions, "outcomes": secDecisions,
	"outcome": secDecisions, "conclusions": secDecisions, "what was decided": secDecisions,
	"what we decided": secDecisions, "what was agreed": secDecisions, "what we agreed": secDecisions,
	"decision summary": secDecisions, "decisions summary": secDecisions, "decision record": secDecisions,
	"decision register": secDecisions, "decisions register": secDecisions, "decisions log": secDecisions,
	"agreed points": secDecisions, "points agreed": secDecisions, "decisions reached": secDecisions,

	"milestones": secMilestones, "milestone": secMilestones, "milestone updates": secMilestones,
	"milestone update": secMilestones, "milestone status": secMilestones, "milestone review": secMilestones,
	"milestone tracker": secMilestones, "milestone plan": secMilestones, "upcoming milestones": secMilestones,
	"key dates": secMilestones, "go-live dates": secMilestones, "milestones and dates": secMilestones,

	"decisions needed": secAsks, "decisions required": secAsks, "decision needed": secAsks,
	"decision required": secAsks, "decisions requested": secAsks, "decisions sought": secAsks, "asks": secAsks,
	"asks of leadership": secAsks, "leadership asks": secAsks, "escalations": secAsks, "escalation": secAsks,
	"for escalation": secAsks, "items for escalation": secAsks, "issues for escalation": secAsks,
	"for the steering committee": secAsks, "for steering committee": secAsks, "for leadership": secAsks,
	"for decision": secAsks, "items for decision": secAsks,

	"attendees": secAttendees, "present": secAttendees, "participants": secAttendees, "attendance": secAttendees,
	"in attendance": secAttendees, "attending": secAttendees, "people present": secAttendees, "guests": secAttendees,
	"members present": secAttendees, "roll call": secAttendees, "people present lines said": secAttendees,
	"attendees and apologies": secAttendees,

	"regrets": secRegrets, "apologies": secRegrets, "absent": secRegrets, "not present": secRegrets,
	"absentees": secRegrets, "unable to attend": secRegrets, "apologies for absence": secRegrets,
	"missing": secRegrets, "members absent": secRegrets,

	"changes": secChanges, "schedule changes": secChanges, "scope changes": secChanges,
	"schedule and scope changes": secChanges, "schedule/scope changes": secChanges, "change requests": secChanges,
	"schedule and scope": secChanges, "scope and schedule changes": secChanges, "change log": secChanges,

	"chair": secChair, "chairs": secChair, "chaired by": secChair, "facilitator": secChair,

	"agenda": secAgenda, "agenda items": secAgenda, "proposed agenda": secAgenda, "agenda topics": secAgenda,
	"topics for discussion": secAgenda, "items for discussion": secAgenda, "discussion topics": secAgenda,
	"contents": secOther, "summary": secOther, "notes": secOther, "minutes": secOther,
	"discussion": secOther, "scribe": secOther, "scribes": secOther, "topics": secOther, "background": secOther,
	"any other business": secOther, "aob": secOther, "next meeting": secOther, "updates": secOther,
	"status updates": secOther, "announcements": secOther, "other business": secOther,
	"quick recap": secOther, "recap": secOther, "meeting recap": secOther, "meeting summary": secOther,
	"overview": secOther, "outline": secOther, "details": secOther, "keywords": secOther,
	"meeting notes": secOther, "ai notes": secOther, "mentions": secOther, "transcript": secOther,

	"attachments": secAttachments, "appendix": secAttachments, "appendices": secAttachments, "annex": secAttachments,
	"annexes": secAttachments, "attached reports": secAttachments,
}

// headingModifiers are words people put before a section name without
// changing what it holds: "Review of outstanding action items", "Summary
// of resolutions", "New risks", "Consented decisions".
var headingModifiers = []string{
	"review of ", "review ", "summary of ", "list of ", "outstanding ", "open ", "new ", "previous ",
	"pending ", "recorded ", "agreed ", "key ", "current ", "carried over ", "carry-over ", "ongoing ",
	"all ", "the ", "meeting ", "consented ", "major ", "main ", "top ", "project ", "status of ",
}

var headingChars = strings.NewReplacer("&", "and", ",", "", "’", "'", "*", "", "_", " ")

// normHeading reduces a heading to the words that name it: lowercase, no
// numbering, decoration, trailing colon or bracketed remark.
func normHeading(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, "#*_=:~ \t")
	if rest, _, ok := listMarker(s); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i] // "Action items (by owner)", "People Present (lines said)"
	}
	s = headingChars.Replace(s)
	return strings.Trim(strings.Join(strings.Fields(s), " "), ".:- ")
}

// headingStarts are the first words of every section name and modifier:
// a line starting with anything else names no section.
var headingStarts = func() map[string]bool {
	m := map[string]bool{}
	for name := range sectionNames {
		m[firstLetters(name)] = true
	}
	for _, mod := range headingModifiers {
		m[firstLetters(mod)] = true
	}
	return m
}()

// startsWithin reports whether the first letters of s (see firstLetters)
// are a key of m, without allocating: it runs on every line.
func startsWithin(m map[string]bool, s string) bool {
	var buf [24]byte
	i := 0
	for i < len(s) && (s[i] == '#' || s[i] == '*' || s[i] == '_' || s[i] == ' ' || s[i] == '=' || s[i] == '-' ||
		s[i] == '.' || s[i] == ')' || s[i] == '(' || (s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	n := 0
	for j := i; j < len(s) && n < len(buf) && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z'); j++ {
		buf[n] = s[j] | 0x20
		n++
	}
	return m[string(buf[:n])]
}

// firstLetters returns the lowercased leading letters of s, after any
// decoration and list marker: "## 9. Review outstanding" gives "review".
func firstLetters(s string) string {
	i := 0
	for i < len(s) && (s[i] == '#' || s[i] == '*' || s[i] == '_' || s[i] == ' ' || s[i] == '=' || s[i] == '-' ||
		s[i] == '.' || s[i] == ')' || s[i] == '(' || (s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	j := i
	for j < len(s) && j-i < 24 && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
		j++
	}
	return strings.ToLower(s[i:j])
}

// mayBeHeading is a quick test that rules out most lines before
// normHeading does the full work.
func mayBeHeading(s string) bool {
	if startsWithin(headingStarts, s) {
		return true
	}
	// "a) Action items" and board minutes' "Directors Present".
	if rest, _, ok := listMarker(strings.TrimLeft(s, "#*_ ")); ok && startsWithin(headingStarts, rest) {
		return true
	}
	return containsFold(s, "present") || containsFold(s, "absent") || containsFold(s, "apolog") ||
		endsWithin(suffixWords, s)
}

// endsWithin reports whether the lowercased trailing letters of s, after
// any decoration ("### FESCo Actions:" gives "actions"), are a key of m,
// without allocating.
func endsWithin(m map[string]bool, s string) bool {
	var buf [12]byte
	j := len(s)
	for j > 0 && strings.IndexByte(" :*_#=.", s[j-1]) >= 0 {
		j--
	}
	i := j
	for i > 0 && j-i < len(buf) && (s[i-1]|0x20 >= 'a' && s[i-1]|0x20 <= 'z') {
		i--
	}
	for k := i; k < j; k++ {
		buf[k-i] = s[k] | 0x20
	}
	return m[string(buf[:j-i])]
}

// suffixWords are the last words of the headings namedBySuffix reads.
var suffixWords = map[string]bool{"actions": true, "items": true, "steps": true, "tasks": true, "decisions": true, "risks": true}

// sectionOf returns the section a heading names.
func sectionOf(heading string) (section, bool) {
	return sectionNamed(heading, true)
}

// sectionNamed returns the section a heading names; bySuffix allows names
// such as "Technical Actions" that end in a section's name.
func sectionNamed(heading string, bySuffix bool) (section, bool) {
	if len(heading) > 80 || strings.Count(heading, " ") > 8 || !mayBeHeading(heading) {
		return secNone, false // headings are short; most lines are not
	}
	name := normHeading(heading)
	if name == "" || len(name) > 60 {
		return secNone, false
	}
	if sec, ok := sectionNames[name]; ok {
		return sec, true
	}
	if sec, ok := compoundSection(name); ok {
		return sec, true
	}
	if sec, ok := namedBySuffix(name); ok && bySuffix {
		return sec, true
	}
	if t, ok := cutWhen(name); ok {
		name = t // "Decisions this week", "Actions from today's meeting"
		if sec, ok := sectionNames[name]; ok {
			return sec, true
		}
	}
	if sec, ok := modifiedSection(name); ok {
		return sec, true
	}
	// "Directors Present", "Executive Officers Absent" (board minutes).
	if wordCount(name) <= 4 {
		switch {
		case strings.HasSuffix(name, " present"):
			return secAttendees, true
		case strings.HasSuffix(name, " absent"), strings.HasSuffix(name, " apologies"):
			return secRegrets, true
		}
	}
	return secNone, false
}

// modifiedSection reads a section name after the words people put before
// it: "Review of outstanding action items", "Key decisions".
func modifiedSection(name string) (section, bool) {
	for changed := true; changed; {
		changed = false
		for _, m := range headingModifiers {
			if strings.HasPrefix(name, m) && len(name) > len(m) {
				name, changed = name[len(m):], true
			}
		}
		if sec, ok := sectionNames[name]; ok {
			return sec, true
		}
	}
	return secNone, false
}

// whenSuffixes are the words after a section's name that only say when:
// "Decisions this week", "Actions from today's meeting".
var whenSuffixes = []string{" this week", " today", " from today", " from today's meeting", " from this meeting",
	" from the meeting", " this meeting", " of this meeting", " of the meeting", " taken today", " made today"}

// cutWhen removes a when-suffix from a heading's name.
func cutWhen(name string) (string, bool) {
	for _, w := range whenSuffixes {
		if t, ok := strings.CutSuffix(name, w); ok && t != "" {
			return t, true
		}
	}
	return name, false
}

// compoundSection reads a heading that joins section names, "Decisions /
// agreements", "Decisions and actions", "Actions & decisions": one
// section when they all name it, the mixed outcomes section when they
// name decisions and actions.
func compoundSection(name string) (section, bool) {
	if !strings.Contains(name, " and ") && !strings.Contains(name, "/") && !strings.Contains(name, "+") {
		return secNone, false
	}
	parts := strings.FieldsFunc(strings.ReplaceAll(name, " and ", "/"), func(r rune) bool { return r == '/' || r == '+' })
	if len(parts) < 2 || len(parts) > 3 {
		return secNone, false
	}
	var got [secCount]bool
	for _, part := range parts {
		part = strings.TrimSpace(part)
		sec, ok := sectionNames[part]
		if !ok {
			sec, ok = modifiedSection(part)
		}
		if !ok {
			return secNone, false
		}
		got[sec] = true
	}
	switch n := countTrue(got[:]); {
	case n == 1:
		for sec, ok := range got {
			if ok {
				return section(sec), true
			}
		}
	case n == 2 && got[secDecisions] && got[secActions]:
		return secOutcomes, true
	}
	return secNone, false
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// suffixSections are the sections a heading names by its last words
// whatever comes before: "Technical Actions", "Fedora Board Actions",
// "Board action items", "Governance decisions", "Project risks".
var suffixSections = []struct {
	suffix string
	sec    section
}{
	{" action items", secActions}, {" actions", secActions}, {" next steps", secActions},
	{" follow-up tasks", secActions}, {" decisions", secDecisions}, {" risks", secRisks},
}

// namedBySuffix reads a heading of up to three words before a section
// name. "Summary of actions" and the like are not: they list motions.
func namedBySuffix(name string) (section, bool) {
	for _, s := range suffixSections {
		if !strings.HasSuffix(name, s.suffix) {
			continue
		}
		head := name[:len(name)-len(s.suffix)]
		if wordCount(head) > 3 || strings.Contains(head, " of") || strings.HasPrefix(head, "summary") ||
			strings.HasSuffix(head, " no") || head == "no" || strings.Contains(head, "previous") {
			return secNone, false
		}
		return s.sec, true
	}
	return secNone, false
}

// recapHeadings are the headings of the meeting recaps that Zoom, Teams,
// Google Meet and Otter write; two of them make a message minutes even
// under the vendor's subject.
var recapHeadings = map[string]bool{
	"quick recap": true, "meeting recap": true, "meeting summary": true, "meeting notes": true,
	"ai notes": true, "suggested next steps": true, "follow-up tasks": true, "next steps": true,
	"action items": true, "overview": true, "outline": true, "summary": true, "details": true,
}

// headingOf reports whether an entry is a heading, and what section it
// opens. Tables, labelled lines ("Decision: …") and "Name: text" lines are
// not headings; a heading stands alone.
func headingOf(e *entry) (section, bool) {
	t := e.text
	if e.table != nil || len(t) > 90 || t == "" {
		return secNone, false
	}
	if !e.bullet && t[0] == '#' {
		n := 0
		for n < len(t) && t[n] == '#' {
			n++
		}
		if n <= 6 && n < len(t) && t[n] == ' ' {
			if sec, ok := sectionOf(t[n:]); ok {
				return sec, true
			}
			return secOther, true
		}
		return secNone, false
	}
	if isAttachmentTitle(t) {
		return secAttachments, true // "Attachment 1: Report from the VP of Brand Management"
	}
	plain := stripEmphasis(t)
	bold := plain != t && strings.Trim(plain, ": ") != "" && !strings.Contains(strings.TrimRight(plain, ": "), ":")
	name := strings.TrimSpace(plain)
	colon := strings.HasSuffix(name, ":")
	name = strings.TrimSpace(strings.TrimSuffix(name, ":"))
	if strings.Contains(name, ":") {
		return secNone, false // "Ryan: Proposal:" is a remark, "Decision: x" a label
	}
	// A known name is a heading when it is marked as one or written as a
	// title ("Action items"), not when a sentence ends on it ("… of the
	// directors\npresent.").
	marked := bold || colon || e.number > 0 || e.bullet
	if sec, ok := sectionOf(name); ok && !strings.HasSuffix(name, ".") && (marked || startsUpper(name)) {
		return sec, true
	}
	if e.bullet || e.indent > 0 {
		return secNone, false
	}
	words := wordCount(name)
	switch {
	case bold && words <= 8 && (colon || !strings.ContainsAny(name, ".?!")):
		return secOther, true // "**Budget**"
	case colon && words <= 5:
		return secOther, true // "Notes:", "Other business:"
	case words <= 6 && len(name) >= 3 && isUpperWords(name):
		return secOther, true // "DISCUSSION"
	}
	return secNone, false
}

// isAttachmentTitle reports whether a line titles an attached report:
// "Attachment 1: Report from …", "Appendix B - Risk register", "Annex 2.".
func isAttachmentTitle(t string) bool {
	if t == "" || !strings.ContainsRune("aAeE", rune(t[0])) {
		return false
	}
	word, rest, ok := strings.Cut(t, " ")
	if !ok {
		return false
	}
	known := false
	for _, w := range []string{"attachment", "appendix", "annex", "exhibit", "enclosure", "anlage"} {
		known = known || strings.EqualFold(word, w)
	}
	if !known {
		return false
	}
	id, _, _ := strings.Cut(rest, " ")
	id = strings.TrimRight(id, ":.-–")
	if id == "" || len(id) > 4 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '.') {
			return false
		}
	}
	return true
}

// isUpperWords reports whether s has letters and none of them lowercase.
func isUpperWords(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			return false
		case r >= 'A' && r <= 'Z':
			letters++
		case r > 127:
			return false
		}
	}
	return letters >= 3
}
