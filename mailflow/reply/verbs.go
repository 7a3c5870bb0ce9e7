package reply

import (
	"sort"
	"strings"

	"mailflow/mailflow"
)

// verbs maps the words people use to the command they mean, from the
// table of reply verbs (mailflow.Verbs). It is read-only after package
// initialisation.
var verbs = func() map[string]mailflow.Verb {
	m := map[string]mailflow.Verb{}
	for _, s := range mailflow.Verbs {
		for _, w := range s.Words {
			m[w] = s.Verb
		}
	}
	return m
}()

// movingVerbs are the due-date verbs that only make a command with "to
// <date>" (or "until <date>") after them: "push A-12 to Friday" but not
// "push the vendor".
var movingVerbs = map[string]bool{
	"move": true, "moved": true, "moving": true, "push": true, "pushed": true, "pushing": true,
	"postpone": true, "postponed": true, "postponing": true, "reschedule": true, "rescheduled": true,
	"rescheduling": true, "extend": true, "extended": true, "extending": true, "defer": true,
	"deferred": true, "deferring": true, "delay": true, "delayed": true, "slip": true, "slipped": true,
	"slips": true, "moves": true, "bump": true, "bumped": true,
}

// handingVerbs are the reassigning verbs of ordinary speech, which make a
// command only with a ref and "to <person>": "give A-7 to Carol", not
// "pass the salt".
var handingVerbs = map[string]bool{
	"give": true, "gave": true, "hand": true, "handed": true, "pass": true, "passed": true,
	"transfer": true, "transferred": true,
}

// subjects may open a line that reports a change: "I've finished A-4",
// "we dropped A-9", "I'm done". What follows must still be a command.
var subjects = []string{
	"i've", "i’ve", "ive", "i have", "we've", "we’ve", "we have", "i'm", "i’m", "i am", "we're", "we’re",
	"we are", "i", "we", "just", "already", "finally", "also", "now",
}

// discourseWords may open a line before a command, with or without a
// comma: "Also, A-12 is done", "FYI A-2 moved to Friday", "Update: A-3 done".
var discourseWords = []string{"also", "and", "so", "btw", "fyi", "ps", "p.s.", "update", "edit", "oh", "anyway"}

// requestWords ask for a command: "please close A-12", "can you move A-2
// to Dec 11?". Only a line that opens with one may end in a question mark
// and still be a command; "A-12 done?" asks, it does not tell.
var requestWords = []string{
	"please", "pls", "plz", "kindly", "would you mind", "do you mind", "can you", "could you", "would you",
	"will you", "can u", "could u", "let's", "let’s",
}

// politeWords may come before a command without changing it: "mark A-12
// as done", "set A-12 due Dec 9", "new owner: bob".
var politeWords = []string{"mark", "set", "change", "update", "new"}

// copulas may come between a ref and its verb: "A-12 is done", "mark A-12
// as complete", "A-12 and A-13 are done", "A-12 has been cancelled",
// "A-9 can be dropped", "A-12 at 50%".
var copulas = []string{
	"is now", "are now", "has been", "have been", "can now be", "can be", "could be", "should be",
	"needs to be", "need to be", "is", "are", "as", "now", "been", "was", "were", "has", "have", "had",
	"got", "gets", "at", "already", "finally", "all",
}

// quietTails may follow a verb that takes no value without turning the
// line into prose, alone or several together: "close A-12 please", "drop
// it", "done already", "A-4 completed yesterday", "closed it this morning",
// "closed as agreed". When a thing was done is not a reason, so it is not
// kept as a note. Longer phrases are tried first ("this morning" before
// "this").
var quietTails = longestFirst([]string{
	"please", "pls", "thanks", "thank you", "thx", "now", "already", "too", "as well", "it", "this one",
	"this", "that one", "that", "for me", "today", "earlier today", "then", "yesterday", "this morning",
	"this afternoon", "this evening", "last night", "last week", "earlier", "just now", "at last",
	"finally", "over the weekend", "on time", "as agreed", "as discussed", "as planned", "as promised",
	"as requested", "as expected", "as of today", "as of now",
})

// longestFirst sorts phrases so that skipWords tries the longest first.
func longestFirst(phrases []string) []string {
	sort.SliceStable(phrases, func(i, j int) bool { return len(phrases[i]) > len(phrases[j]) })
	return phrases
}

// proseStarts are words that, right after a verb that takes text, show the
// line is a sentence about the thing rather than a command: "Note that…",
// "Mitigation is hard", "Owner of the budget…".
var proseStarts = map[string]bool{
	"that": true, "is": true, "was": true, "will": true, "would": true, "should": true, "could": true,
	"may": true, "might": true, "has": true, "have": true, "of": true, "for": true, "on": true,
	"in": true, "with": true, "the": true, "this": true, "it": true, "needs": true, "seems": true,
	"to": true, "and": true, "but": true, "we": true, "i": true, "you": true, "they": true, "a": true, "an": true,
}

// isCommandWord reports whether s, alone, is a command verb ("Done.").
func isCommandWord(s string) bool {
	_, ok := verbs[strings.ToLower(strings.Trim(s, ".!,: "))]
	return ok
}
