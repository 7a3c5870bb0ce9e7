package minutes

import (
	"strings"

	"mailflow/mailflow"
)

type labelKind int

const (
	labelAction labelKind = iota + 1
	labelRisk
	labelDecision
	labelChange
	labelProposal // "PROPOSED: …", "Motion: …": a decision once the meeting carries it
	labelIgnore   // "#info", "LINK:": meeting-bot lines that hold no item
	labelMilestone
	labelGoLive // "Go-live: 2 March 2027": a milestone named by its label
	labelAsk    // "Decision needed:", "Escalate:": asked of leadership
)

// label is what a labelled line says: "ACTION: …", "RISK: …", "#agreed …".
type label struct {
	kind   labelKind
	rest   string              // the text after the label
	owner  string              // an owner written in the label: "ACTION alice: …"
	status mailflow.ItemStatus // from a status tag before the label: "[DONE] ACTION: …"
	change mailflow.ChangeKind
	// conclusion marks "Conclusion:", which may conclude with a task
	// rather than a decision.
	conclusion bool
	// aside is the bracketed remark of a label: "(outpatient)" in
	// "Go-live (outpatient): 1 Feb 2027".
	aside string
}

// labelWords maps the words before the colon of a labelled line to what
// the line holds.
var labelWords = map[string]labelKind{
	"action": labelAction, "actions": labelAction, "action item": labelAction, "action items": labelAction,
	"action point": labelAction, "action points": labelAction, "todo": labelAction, "to do": labelAction,
	"to-do": labelAction, "action required": labelAction, "new action": labelAction, "new action item": labelAction,
	"action items from this meeting": labelAction, "follow-up": labelAction, "follow up": labelAction,

	"risk": labelRisk, "new risk": labelRisk, "risks": labelRisk,

	"decision": labelDecision, "decisions": labelDecision, "decided": labelDecision, "resolved": labelDecision,
	"resolution": labelDecision, "agreed": labelDecision, "agreement": labelDecision, "conclusion": labelDecision,
	"consensus": labelDecision, "decision made": labelDecision, "general consensus": labelDecision,
	"decisions made": labelDecision, "agreed decision": labelDecision, "outcome": labelDecision,
	"agreement reached": labelDecision, "decision reached": labelDecision, "decision taken": labelDecision,
	"agreed outcome": labelDecision, "decision made today": labelDecision, "final decision": labelDecision,

	"proposed": labelProposal, "proposal": labelProposal, "proposed resolution": labelProposal,
	"motion": labelProposal, "proposed motion": labelProposal,

	"change": labelChange, "changes": labelChange, "schedule change": labelChange, "scope change": labelChange,
	"schedule": labelChange, "scope": labelChange, "change request": labelChange,

	"info": labelIgnore, "link": labelIgnore, "idea": labelIgnore, "help": labelIgnore, "topic": labelIgnore,

	"milestone": labelMilestone, "key milestone": labelMilestone, "new milestone": labelMilestone,
	"milestone update": labelMilestone, "milestone date": labelMilestone,
	"go-live": labelGoLive, "go live": labelGoLive, "golive": labelGoLive, "go-live date": labelGoLive,
	"go live date": labelGoLive, "target go-live": labelGoLive, "target go live": labelGoLive,
	"target go-live date": labelGoLive, "planned go-live": labelGoLive, "go-live target": labelGoLive,
	"new go-live date": labelGoLive, "revised go-live": labelGoLive, "revised go-live date": labelGoLive,

	"decision needed": labelAsk, "decision required": labelAsk, "decisions needed": labelAsk,
	"decisions required": labelAsk, "decision requested": labelAsk, "decision sought": labelAsk,
	"ask": labelAsk, "asks": labelAsk, "ask of leadership": labelAsk, "ask for leadership": labelAsk,
	"leadership ask": labelAsk, "escalate": labelAsk, "escalation": labelAsk, "escalated": labelAsk,
	"for the steering committee": labelAsk, "for steering committee": labelAsk, "for leadership": labelAsk,
	"for decision": labelAsk,
}

// labelStarts are the first words of the label words.
var labelStarts = func() map[string]bool {
	m := map[string]bool{}
	for w := range labelWords {
		m[firstLetters(w)] = true
	}
	return m
}()

// hashLabels are MeetBot commands ("#action bob to …", "#agreed …").
var hashLabels = map[string]labelKind{
	"action": labelAction, "agreed": labelDecision, "agree": labelDecision, "accepted": labelDecision,
	"decision": labelDecision, "resolved": labelDecision, "risk": labelRisk,
	"info": labelIgnore, "link": labelIgnore, "idea": labelIgnore, "help": labelIgnore, "topic": labelIgnore,
	"rejected": labelIgnore, "undo": labelIgnore, "chair": labelIgnore, "unchair": labelIgnore,
	"startmeeting": labelIgnore, "endmeeting": labelIgnore, "meetingname": labelIgnore, "here": labelIgnore,
	"nick": labelIgnore, "commands": labelIgnore, "save": labelIgnore, "vote": labelIgnore, "endvote": labelIgnore,
	"motion": labelIgnore, "restrictlogs": labelIgnore, "lurk": labelIgnore, "unlurk": labelIgnore,
}

// statusTags are the tags W3C and hand-written minutes put before an item.
var statusTags = map[string]mailflow.ItemStatus{
	"new": mailflow.ItemOpen, "pending": mailflow.ItemOpen, "open": mailflow.ItemOpen, "continues": mailflow.ItemOpen,
	"continued": mailflow.ItemOpen, "in progress": mailflow.ItemOpen, "wip": mailflow.ItemOpen, "todo": mailflow.ItemOpen,
	"ongoing": mailflow.ItemOpen, "carried over": mailflow.ItemOpen,
	"done": mailflow.ItemDone, "closed": mailflow.ItemDone, "complete": mailflow.ItemDone, "completed": mailflow.ItemDone,
	"finished": mailflow.ItemDone, "x": mailflow.ItemDone,
	"cancelled": mailflow.ItemCancelled, "canceled": mailflow.ItemCancelled, "dropped": mailflow.ItemCancelled,
	"withdrawn": mailflow.ItemCancelled, "obsolete": mailflow.ItemCancelled,
}

// statusTag reads a leading "[DONE]" style tag.
func statusTag(s string) (mailflow.ItemStatus, string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", s, false
	}
	end := strings.IndexByte(s, ']')
	if end < 2 || end > 16 {
		return "", s, false
	}
	st, ok := statusTags[strings.ToLower(strings.TrimSpace(s[1:end]))]
	if !ok {
		return "", s, false
	}
	return st, strings.TrimSpace(s[end+1:]), true
}

// readLabel recognises "ACTION: …", "Action item: …", "AI: …", "TODO: …",
// "ACTION alice: …" (W3C), "#action …" and "#agreed …" (MeetBot), "RISK:",
// "DECISION:", "RESOLVED:", "RESOLUTION:", "Agreed:", "CHANGE:",
// "Schedule:" and "Scope:", with Markdown emphasis and a status tag allowed
// before them.
func readLabel(text string) (label, bool) {
	var l label
	s := text
	if st, rest, ok := statusTag(s); ok {
		l.status, s = st, rest
	}
	if s == "" {
		return l, false
	}
	if s[0] == '#' {
		end := 1
		for end < len(s) && (s[end] >= 'a' && s[end] <= 'z' || s[end] >= 'A' && s[end] <= 'Z') {
			end++
		}
		kind, ok := hashLabels[strings.ToLower(s[1:end])]
		if !ok || end == 1 || (end < len(s) && s[end] != ' ' && s[end] != ':') {
			return l, false
		}
		l.kind = kind
		l.rest = strings.TrimSpace(strings.TrimLeft(s[end:], ": "))
		return l, l.rest != "" || kind == labelIgnore
	}
	if m, ok := readMarker(s); ok {
		if l.status != "" {
			m.status = l.status
		}
		return m, true
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*' || c == '_') {
		return l, false
	}
	if c == '*' || c == '_' {
		s = stripEmphasis(s)
		if m, ok := readMarker(s); ok {
			return m, true // "**AI(@alice)**: review PR #123"
		}
	}
	head, rest, ok := labelHead(s)
	if !ok {
		return actionOn(s)
	}
	if rest == "" {
		return l, false // a heading, not a label
	}
	if head == "AI" || head == "AP" {
		l.kind, l.rest = labelAction, rest // "AI:", "AP:" (action point) only in capitals: "ai:" is prose
		return l, true
	}
	if len(head) > 3 && (head[:3] == "AI " || head[:3] == "AP ") {
		// "AI - Sofia: send …", "AP Raj: check …"
		if who := strings.Trim(strings.TrimSpace(head[3:]), "()[]-–—: "); who != "" && wordCount(who) <= 3 && nameShaped(who) {
			l.kind, l.rest, l.owner = labelAction, rest, who
			return l, true
		}
	}
	lower := strings.ToLower(head)
	if base, ok := numbered(lower); ok {
		lower, head = base, head[:len(base)] // "Action #1:", "Resolution 2:": a number, not an owner
	}
	if open := strings.IndexByte(lower, '('); open > 0 && strings.HasSuffix(lower, ")") {
		// "Go-live (outpatient): …", "Decision needed (steering committee): …"
		if kind := labelWords[strings.TrimSpace(lower[:open])]; kind == labelGoLive || kind == labelMilestone || kind == labelAsk {
			l.kind, l.rest, l.aside = kind, rest, head[open:]
			return l, true
		}
	}
	if kind, ok := labelWords[lower]; ok {
		l.kind, l.rest, l.conclusion = kind, rest, lower == "conclusion" || lower == "outcome"
		switch {
		case strings.HasPrefix(lower, "schedule"):
			l.change = mailflow.ChangeSchedule
		case strings.HasPrefix(lower, "scope"):
			l.change = mailflow.ChangeScope
		default:
			l.change = mailflow.ChangeOther
		}
		return l, true
	}
	// "Sam's action: …", "Sam's actions: …".
	if strings.Contains(lower, "s action") {
		for _, w := range []string{"'s action", "'s actions", "’s action", "’s actions", "'s action items", "’s action items"} {
			if who, ok := strings.CutSuffix(lower, w); ok && nameShaped(head[:len(who)]) {
				l.kind, l.rest, l.owner = labelAction, rest, head[:len(who)]
				return l, true
			}
		}
	}
	if !strings.HasPrefix(lower, "action") {
		return l, false
	}
	// W3C "ACTION alice: …", "Action item (Alice): …", "Action – Bob: …",
	// "Action for Sam: …", "Actions on Omar: …".
	for _, w := range []string{"action items ", "action item ", "action points ", "action point ", "actions ", "action "} {
		if !strings.HasPrefix(lower, w) {
			continue
		}
		w = w[:len(w)-1]
		who := strings.Trim(strings.TrimSpace(head[len(w):]), "()[]-–—: ")
		for _, prep := range []string{"for ", "on ", "to "} {
			if len(who) > len(prep) && strings.EqualFold(who[:len(prep)], prep) {
				who = strings.TrimSpace(who[len(prep):])
				break
			}
		}
		who, due := ownerAndDate(who)
		if who == "" || wordCount(who) > 3 || !ownerWordsOK(who) {
			return l, false
		}
		l.kind, l.rest, l.owner = labelAction, rest, who
		if due != "" {
			l.rest += " (due " + due + ")" // "Action (Sofia, 20/10): …"
		}
		return l, true
	}
	return l, false
}

// ownerAndDate splits "Sofia, 20/10" in a label into the owner and the
// date after it: a part with a digit is the date.
func ownerAndDate(who string) (owner, due string) {
	name, rest, ok := strings.Cut(who, ",")
	rest = strings.TrimSpace(rest)
	if !ok || rest == "" || !strings.ContainsAny(rest, "0123456789") {
		return who, ""
	}
	return strings.TrimSpace(name), rest
}

// actionOn reads an action written "ACTION on Omar to confirm …",
// "Action for Sam to update …": no colon, the owner after "on" or "for".
func actionOn(s string) (label, bool) {
	var l label
	if len(s) < 12 || !strings.EqualFold(s[:7], "action ") {
		return l, false
	}
	rest := s[7:]
	switch {
	case len(rest) > 3 && strings.EqualFold(rest[:3], "on "):
		rest = rest[3:]
	case len(rest) > 4 && strings.EqualFold(rest[:4], "for "):
		rest = rest[4:]
	default:
		return l, false
	}
	name, task, ok := splitNameTo(rest)
	if !ok || !nameShaped(name) || !verbLike(firstField(task)) {
		return l, false
	}
	l.kind, l.owner, l.rest = labelAction, name, task
	return l, true
}

// labelHead splits a labelled line at its colon ("Decision: …") or, after
// a word that labels lines, at a spaced dash ("RESOLVED – that …",
// "Action - Bob to …").
func labelHead(s string) (head, rest string, ok bool) {
	colon := strings.IndexByte(s, ':')
	dash := colon < 0 || colon > 24
	if !dash && dashBefore(s, colon) {
		_, _, dash = dashLabel(s[:colon]) // "Action – Bob: …" is read at the colon
		dash = !dash
	}
	if dash {
		if h, r, ok := dashLabel(s); ok {
			return h, r, true
		}
	}
	if colon <= 0 || colon > 48 {
		return "", "", false
	}
	head = strings.TrimSpace(strings.Trim(s[:colon], "*_ "))
	rest = strings.TrimSpace(strings.TrimLeft(s[colon+1:], "*_"))
	return head, rest, true
}

// dashBefore reports whether a spaced dash comes before position end.
func dashBefore(s string, end int) bool {
	t := s[:end]
	return strings.Contains(t, " - ") || strings.Contains(t, " – ") || strings.Contains(t, " — ")
}

// dashLabel reads "RESOLVED – that …": a label word, a spaced dash and
// the text.
func dashLabel(s string) (head, rest string, ok bool) {
	if !startsWithin(labelStarts, s) {
		return "", "", false
	}
	window := s[:min(len(s), 32)]
	for _, d := range []string{" – ", " - ", " — "} {
		i := strings.Index(window, d)
		if i <= 0 || i > 24 {
			continue
		}
		head = strings.TrimSpace(strings.Trim(s[:i], "*_ "))
		kind, known := labelWords[strings.ToLower(head)]
		if !known || kind == labelIgnore || kind == labelChange {
			return "", "", false
		}
		return head, strings.TrimSpace(s[i+len(d):]), true
	}
	return "", "", false
}

// numbered strips the number of a numbered label: "action #1" gives
// "action", "resolution 2" gives "resolution".
func numbered(lower string) (string, bool) {
	i := strings.LastIndexByte(lower, ' ')
	if i <= 0 {
		return lower, false
	}
	n := strings.TrimPrefix(lower[i+1:], "#")
	if n == "" || len(n) > 4 {
		return lower, false
	}
	for j := 0; j < len(n); j++ {
		if n[j] < '0' || n[j] > '9' {
			return lower, false
		}
	}
	if _, ok := labelWords[lower[:i]]; !ok {
		return lower, false
	}
	return lower[:i], true
}

// ownerWordsOK rejects the words that follow "Action" in a heading-like
// phrase ("Action items for next week:") rather than a name.
func ownerWordsOK(s string) bool {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		switch w {
		case "for", "from", "to", "on", "in", "the", "of", "by", "items", "item", "points", "point",
			"list", "required", "needed", "plan", "log", "taken", "agreed", "arising", "and", "owner", "owners",
			"scribe", "taker", "minutes", "notes", "summary", "review", "tracker", "status", "update", "updates", "register":
			return false
		}
	}
	return true
}

// keyValue splits a "Key: value" line whose key is one mailflow reads in
// key/value blocks (Owner:, Due:, Status:, Likelihood:, Mitigation: …).
func keyValue(s string) (key, value string, ok bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon > 24 {
		return dashKeyValue(s)
	}
	k := strings.ToLower(strings.TrimSpace(strings.Trim(s[:colon], "*_ ")))
	if _, known := blockKeys[k]; !known {
		return "", "", false
	}
	return blockKeys[k], strings.TrimSpace(strings.Trim(s[colon+1:], "*_ ")), true
}

// blockKeys are the keys of key/value lines, mapped to the field they set.
var blockKeys = map[string]string{
	"owner": "owner", "owners": "owner", "who": "owner", "assigned to": "owner", "assignee": "owner",
	"responsible": "owner", "action owner": "owner", "lead": "owner", "risk owner": "owner",
	"due": "due", "due date": "due", "deadline": "due", "when": "due", "by when": "due", "target date": "due",
	"target": "due", "due by": "due",
	"status": "status", "state": "status",
	"likelihood": "likelihood", "probability": "likelihood",
	"impact": "impact", "severity": "impact",
	"mitigation": "mitigation", "response": "mitigation", "mitigation plan": "mitigation", "contingency": "mitigation",
	"trigger": "trigger",
	"task":    "task", "item": "task",
}

// dashKeyValue reads a key/value line written with a spaced dash:
// "Mitigation - Bob escalates", "Owner – Carol".
func dashKeyValue(s string) (key, value string, ok bool) {
	if !dashBefore(s, min(len(s), 28)) {
		return "", "", false
	}
	i := strings.IndexByte(s[:min(len(s), 26)], ' ')
	for i > 0 && i < 24 {
		if d := spacedDash(s[i+1:]); d > 0 {
			k := strings.ToLower(strings.Trim(s[:i], "*_ "))
			if key, known := blockKeys[k]; known && key != "task" {
				return key, strings.TrimSpace(s[i+1+d:]), true
			}
			return "", "", false
		}
		next := strings.IndexByte(s[i+1:min(len(s), 26)], ' ')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return "", "", false
}

// isCheckbox reports whether s starts with a Markdown task-list box.
func isCheckbox(s string) bool {
	_, _, ok := checkbox(s)
	return ok
}

// checkbox reads "[ ] …", "[x] …" and the ballot-box characters mail
// clients paste ("☐ …", "☑ …").
func checkbox(s string) (mailflow.ItemStatus, string, bool) {
	switch {
	case strings.HasPrefix(s, "[ ] "):
		return mailflow.ItemOpen, strings.TrimSpace(s[4:]), true
	case strings.HasPrefix(s, "[x] "), strings.HasPrefix(s, "[X] "):
		return mailflow.ItemDone, strings.TrimSpace(s[4:]), true
	}
	for _, b := range []struct {
		box    string
		status mailflow.ItemStatus
	}{{"☐", mailflow.ItemOpen}, {"☑", mailflow.ItemDone}, {"☒", mailflow.ItemDone}, {"✅", mailflow.ItemDone}} {
		if strings.HasPrefix(s, b.box) {
			return b.status, strings.TrimSpace(s[len(b.box):]), true
		}
	}
	return "", s, false
}
