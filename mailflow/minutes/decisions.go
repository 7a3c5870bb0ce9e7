package minutes

import (
	"slices"
	"strings"
)

// decisionCues are the words that record a decision in a sentence:
// "… discussed PEP 690 and decided to reject it", "The group agreed
// that …", "FAB accepted thl's proposal", "The minutes … were adopted",
// "Voted to accept …", "General consensus …".
var decisionCues = newWordSet("decided", "agreed", "agrees", "approved", "adopted", "accepted",
	"resolved", "consensus", "voted", "carried", "rejected", "ratified", "endorsed", "chose", "chosen", "opted",
	"signed")

// pendingWords before a cue mean nothing was decided yet: "to be agreed",
// "not approved", "if accepted", "awaiting approval".
var pendingWords = map[string]bool{
	"not": true, "no": true, "never": true, "yet": true, "if": true, "once": true, "until": true,
	"unless": true, "whether": true, "awaiting": true, "pending": true, "needs": true, "need": true,
	"to": true, "be": true, "without": true, "nothing": true, "lack": true,
	"when": true, "hasn't": true, "haven't": true, "didn't": true, "wasn't": true, "weren't": true,
	"isn't": true, "aren't": true, "cannot": true, "can't": true, "could": true, "should": true, "may": true,
	"might": true, "would": true, "will": true,
	"being": true,
	// "as agreed", "previously agreed": an earlier decision, quoted.
	"as": true, "previously": true, "already": true, "earlier": true,
}

// decisionIn reports whether a sentence records a decision.
func decisionIn(s string) bool {
	words := strings.Fields(s)
	bare := make([]string, len(words))
	for i, w := range words {
		bare[i] = bareWord(w)
	}
	return decisionWords(words, bare)
}

// decisionWords reports whether the words of a sentence record a
// decision.
func decisionWords(words, bare []string) bool {
	if len(words) < 4 || strings.HasSuffix(strings.TrimRight(words[len(words)-1], " )"), "?") || bare[0] == "whereas" {
		return false // a question, or the preamble of a resolution
	}
	for i, w := range words {
		b := bare[i]
		if !decisionCues.has(b) || i > 0 && startsUpper(strings.TrimLeft(w, "*_(\"'")) && !isUpperWords(w) {
			continue // "at Consensus" is a place, not an agreement
		}
		if pendingBefore(bare, i) {
			return false
		}
		next := ""
		if i+1 < len(words) {
			next = bare[i+1]
		}
		if yetAfter(bare, i) || next == "upon" && i+2 < len(words) && bare[i+2] == "while" {
			return false // "has adopted this process yet", "which was agreed upon while setting up …"
		}
		switch {
		case (b == "agreed" || b == "agrees") && next == "with":
			continue // an opinion: "Ben agreed with Dave"
		case b == "resolved" && !resolvedMotion(w, bare, i):
			continue // "Resolved 25 JIRA tickets"
		case b == "voted" && !votedOn(bare, i):
			continue // "voted in as a committer" elects someone
		case b == "signed" && next != "off":
			continue // "signed the contract" is done, "signed off the plan" approves it
		case (b == "chose" || b == "chosen" || b == "opted") && (at(bare, i-1) == "has" || at(bare, i-1) == "have" || at(bare, i-1) == "had"):
			continue // "the PMC has chosen to recommend …" reports another body's choice
		case b == "accepted" && !acceptedProposal(bare, i):
			continue // "Falcon was accepted as a TLP"
		case b == "consensus" && !consensusReached(bare, i):
			continue // "how we arrive at consensus", "a consensus decision"
		case hedgedBefore(words, bare, i):
			return false // "perhaps we could set a policy that the minutes are approved"
		case b == "resolved" && (next == "issue" || next == "issues" || next == "bug" || next == "bugs"):
			continue
		case i == len(words)-1 && meaningfulWords(words[:i]) < 4:
			return false // "The group agreed." says nothing on its own
		case i == 0 && strings.HasSuffix(w, ","):
			return false // "Agreed, but we need a date first": a reply in the discussion
		}
		return true
	}
	return false
}

// issueWords make "resolved" a fix, not a resolution.
var issueWords = map[string]bool{
	"issue": true, "issues": true, "ticket": true, "tickets": true, "bug": true, "bugs": true, "jira": true,
	"jiras": true, "problem": true, "problems": true, "defect": true, "defects": true, "incident": true,
	"incidents": true, "conflict": true, "conflicts": true, "error": true, "errors": true,
}

// resolvedMotion reports whether "resolved" at i records a resolution:
// "RESOLVED that …", "it was resolved to …", "so resolved".
func resolvedMotion(w string, bare []string, i int) bool {
	for _, b := range bare {
		if issueWords[b] {
			return false
		}
	}
	if isUpperWords(strings.Trim(w, ".,:;–- ")) {
		return true
	}
	next, prev := at(bare, i+1), at(bare, i-1)
	return next == "that" || next == "to" || next == "unanimously" || next == "" || prev == "so" || prev == "was" || prev == "were" || prev == "it"
}

// votedOn reports whether "voted" at i records a vote on a motion:
// "voted to accept", "voted unanimously", "voted in favour".
func votedOn(bare []string, i int) bool {
	switch next := at(bare, i+1); next {
	case "to", "unanimously", "for", "against":
		return true
	case "in":
		return at(bare, i+2) == "favour" || at(bare, i+2) == "favor"
	}
	return false
}

// proposalWords name what a meeting accepts.
var proposalWords = map[string]bool{
	"proposal": true, "proposals": true, "motion": true, "recommendation": true, "recommendations": true,
	"plan": true, "offer": true, "minutes": true, "report": true, "request": true, "change": true,
	"changes": true, "budget": true, "resolution": true, "amendment": true, "amendments": true, "terms": true,
	"quote": true, "design": true, "approach": true, "option": true, "draft": true, "policy": true,
}

// acceptedProposal reports whether "accepted" at i accepts a proposal,
// written within a few words of it: "FAB accepted thl's proposal", "the
// recommendation was accepted".
func acceptedProposal(bare []string, i int) bool {
	for k := max(0, i-4); k < len(bare) && k <= i+4; k++ {
		if proposalWords[strings.TrimSuffix(bare[k], "'s")] {
			return true
		}
	}
	return false
}

func at(bare []string, i int) string {
	if i < 0 || i >= len(bare) {
		return ""
	}
	return bare[i]
}

// consensusReached reports whether "consensus" at i says one was
// reached: "Consensus that …", "our consensus is to defer", "by consensus".
func consensusReached(bare []string, i int) bool {
	prev, next := at(bare, i-1), at(bare, i+1)
	switch prev {
	case "toward", "towards", "at", "seek", "seeking", "build", "building", "no", "for", "without", "a", "reach":
		return false
	case "general", "rough", "our", "by", "reached", "broad", "clear", "with", "the":
		return true
	}
	switch next {
	case "that", "to", "is", "was", "on", "of", "among", "reached", "":
		return true
	}
	return i == 0
}

// hedgedBefore reports whether the sentence before a cue is a maybe:
// "perhaps we could set a policy that …", "how these were decided".
func hedgedBefore(words, bare []string, i int) bool {
	for k := i - 1; k >= 0; k-- {
		if strings.HasSuffix(words[k], ";") {
			return false // another clause: "…if the EHR is down; the group agreed that …"
		}
		switch bare[k] {
		case "perhaps", "maybe", "could", "might", "if", "whether", "how", "why", "hopefully", "possibly":
			return true
		}
	}
	return false
}

// yetAfter reports whether "yet" follows a cue closely: "has adopted
// this process yet".
func yetAfter(bare []string, i int) bool {
	for k := i + 1; k < len(bare) && k <= i+3; k++ {
		if bare[k] == "yet" {
			return true
		}
	}
	return false
}

// pendingBefore reports whether the four words before words[i] make it
// undecided.
func pendingBefore(bare []string, i int) bool {
	for k := max(0, i-4); k < i; k++ {
		b := bare[k]
		if pendingWords[b] && (b != "to" || k == i-1) || strings.HasSuffix(b, "n't") || b == "which" && k == i-2 {
			return true
		}
	}
	return false
}

// meaningfulWords counts the words of a clause that are not timestamps or
// brackets.
func meaningfulWords(words []string) int {
	n := 0
	for _, w := range words {
		if b := bareWord(w); b != "" && !strings.ContainsAny(b[:1], "0123456789") {
			n++
		}
	}
	return n
}

// decisionText tidies a sentence kept as a decision: no timestamps
// ("(00:15:31)"), no list marker.
func decisionText(s string) string {
	s = dropTimestamps(s)
	if rest, _, ok := listMarker(s); ok {
		s = rest
	}
	return tidyText(s)
}

// dropTimestamps removes the "(00:12:05)" marks of recording transcripts.
func dropTimestamps(s string) string {
	for {
		i := strings.Index(s, "(0")
		if i < 0 {
			i = strings.Index(s, "(1")
		}
		if i < 0 {
			i = strings.LastIndexByte(s, '(') // "(25:40)"
		}
		if i < 0 || i+7 > len(s) {
			return s
		}
		end := strings.IndexByte(s[i:], ')')
		if end < 6 || end > 10 || !isClock(s[i+1:i+end]) {
			return s
		}
		s = strings.TrimSpace(s[:i]) + s[i+end+1:]
	}
}

func isClock(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] == ':') {
			return false
		}
	}
	return strings.Count(s, ":") >= 1
}

// maxRepeatDecisions bounds the decisions dropRestatedDecisions compares:
// the comparison is quadratic.
const maxRepeatDecisions = 200

// dropRestatedDecisions keeps one of two decisions of the same minutes
// that say the same thing in other words — a recap's summary ("The team
// reviewed attendance and agreed to add two extra evening sessions") and
// its details ("The team agreed that evening sessions should be added").
// The fuller one stays. A decision is restated when every word it says,
// beyond who decided and how, is in the other (nearly every word, for a
// long one), numbers included: "Pharmacy moves to phase 2" and "Radiology
// moves to phase 2" are two decisions.
func (p *parser) dropRestatedDecisions() {
	ds := p.out.Decisions
	if len(ds) < 2 || len(ds) > maxRepeatDecisions {
		return
	}
	words := make([][]string, len(ds))
	for i, d := range ds {
		words[i] = decisionWordsOf(d.Text)
	}
	drop := make([]bool, len(ds))
	for i := range ds {
		for j := range ds {
			if i == j || drop[j] || len(words[i]) < minRestated || len(words[i]) > len(words[j]) ||
				len(words[i]) == len(words[j]) && i < j {
				continue // the shorter goes; of two as long, the later
			}
			if restates(words[i], words[j]) {
				drop[i] = true
				break
			}
		}
	}
	kept := ds[:0]
	for i, d := range ds {
		if !drop[i] {
			kept = append(kept, d)
		}
	}
	p.out.Decisions = kept
}

// minRestated is the fewest words a decision says for another to restate
// it: "Approved by General Consent" in board minutes is said of several
// reports, each its own decision.
const minRestated = 3

// restates reports whether the words a of a decision are all in b (at
// least nine in ten when a has more than six), with every number of a.
func restates(a, b []string) bool {
	in := 0
	for _, w := range a {
		found := slices.Contains(b, w)
		if !found && w[0] >= '0' && w[0] <= '9' {
			return false
		}
		if found {
			in++
		}
	}
	if len(a) <= 6 {
		return in == len(a)
	}
	return in*10 >= len(a)*9
}

// frameWords say who decided and how, not what: "The team agreed that …
// should …".
var frameWords = newWordSet("agreed", "agree", "agrees", "decided", "decide", "decides", "approved", "approve",
	"adopted", "resolved", "accepted", "endorsed", "confirmed", "consensus", "should", "would", "shall", "must",
	"can", "could", "may", "team", "group", "everyone", "that",
	"was", "were", "has", "have", "had", "been", "going", "so", "then", "there", "not", "no")

// decisionWordsOf returns the content words of a decision, stemmed
// ("added" and "add", "sessions" and "session" are one word), without
// the words of its frame.
func decisionWordsOf(text string) []string {
	if !isPlainASCII(text) {
		var out []string
		for _, w := range contentWords(text) {
			if !frameWords.has(w) {
				out = append(out, stem(w))
			}
		}
		return out
	}
	// The common case in one pass: lower the text once and cut it into
	// words where it is not a letter or digit.
	lower := strings.ToLower(text)
	out := make([]string, 0, wordCount(text))
	start := -1
	for i := 0; i <= len(lower); i++ {
		if i < len(lower) && (lower[i] >= 'a' && lower[i] <= 'z' || lower[i] >= '0' && lower[i] <= '9') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if w := lower[start:i]; !stopWords[w] && !frameWords.has(w) {
				out = append(out, stem(w))
			}
			start = -1
		}
	}
	return out
}

// stem strips the endings that make one English word several: "-ing",
// "-ed", "-s", and a final "e" ("moved", "moves" and "move" are "mov").
func stem(w string) string {
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		w = w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		w = w[:len(w)-1]
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}
