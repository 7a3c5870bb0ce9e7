package reply

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"mailflow/mailflow"
)

// Line is one line of reply text and what it was read as.
type Line struct {
	Command mailflow.Command
	// IsCommand is false for a line that is not a command; it is kept as a
	// note on the thing the reply is about, with the line in Command.Value.
	IsCommand bool
	// Problem is set for a line that starts like a command but is
	// incomplete, e.g. "due" with no date. The sender is told why.
	Problem string
}

var (
	// reBullet is a list marker or a checkbox in front of a line.
	reBullet = regexp.MustCompile(`^\s*(?:[-*•+]|\d{1,2}[.)]|\[[ xX]\])\s+`)
	// reRefsLead matches one ref or a list of refs at the start of a line:
	// "A-12", "[R-3]", "A-12, A-13 and A-14".
	reRefsLead = regexp.MustCompile(`(?i)^\[?[AR]-\d{1,9}\]?(?:(?:\s*(?:,|&|\+|\band\b)\s*|\s+)\[?[AR]-\d{1,9}\]?)*\b`)
	reRefAny   = regexp.MustCompile(`(?i)\b([AR]-\d{1,9})\b`)
	// rePercent is a progress value: "50%", "50 %", "50".
	rePercent = regexp.MustCompile(`^(\d{1,3})\s*%?$`)
	// rePercentLead is progress given without the verb: "A-12 50%",
	// "80% done".
	rePercentLead = regexp.MustCompile(`(?i)^(\d{1,3})\s*%(?:\s+(?:done|complete|completed|finished))?[\s.!]*$`)

	// reLeadPleasantry is a greeting or thanks in front of a command:
	// "Thanks, done", "Hi Bob, A-12 is done", "OK done".
	reLeadPleasantry = regexp.MustCompile(`(?i)^(?:(?:hi|hello|hey|dear|thanks|thank you|thx|ok|okay|sure|great|yes|yep|perfect|cool)(?:\s+\p{Lu}[\p{L}.'-]*)?\s*[,!.;:—–-]+\s*|(?:ok|okay|yes|yep|sure)\s+)`)
	// rePleasantry is a line that is only a greeting or thanks.
	rePleasantry = regexp.MustCompile(`(?i)^(?:hi|hello|hey|dear|thanks|thank you|thx|cheers|regards|best|best regards|kind regards|many thanks|br|ok|okay|sure|great|perfect|noted|hallo|bonjour|hola|ciao|merci|danke|gracias|grazie|bedankt|obrigado|obrigada|tack|takk|dziękuję)(?:[\s,.!]+[\p{L}\s']{0,20})?[\s,.!:)]*$`)
)

// ParseCommands reads each line of new reply text. Blank lines, greetings
// and thanks are skipped; a line that is not a command is kept as a note.
//
// A line is a command only when it starts with a verb or a ref (after
// "please", "mark" and the like) and the rest has the shape the verb needs.
// A sentence that merely contains a verb or a ref ("I'm done with the first
// half, A-12 needs another week") is a note: reading prose as a command
// would change the record behind the sender's back. A line that is clearly
// addressed to mailflow but incomplete ("due" with no date, "progress lots")
// gets a Problem, so the sender hears what to write instead.
//
// A line may yield several Lines when it names several refs: "close A-12,
// A-13" closes both.
func ParseCommands(text string) []Line {
	var out []Line
	read := 0
	for i, raw := range splitLines(text) {
		line := strings.TrimSpace(reBullet.ReplaceAllString(raw, ""))
		if line == "" {
			continue
		}
		if read++; read > MaxLines {
			out = append(out, Line{
				Command: mailflow.Command{Verb: mailflow.VerbNote, Line: i + 1, Text: clipText(line)},
				Problem: fmt.Sprintf("only the first %d lines of a reply are read; send the rest in another reply", MaxLines),
			})
			break
		}
		out = append(out, parseLine(line, i+1)...)
	}
	return out
}

// MaxLines is how many non-blank lines of a reply ParseCommands reads. A
// reply with more is not a list of commands, and each line read may become
// a note, so a hostile one is cut short and the sender told.
const MaxLines = 1000

// clipText shortens a line quoted back in a Problem.
func clipText(s string) string {
	if len(s) <= 200 {
		return s
	}
	for i := 200; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

// parseLine reads one trimmed line; n is its line number.
func parseLine(line string, n int) []Line {
	if s := reLeadPleasantry.ReplaceAllString(line, ""); s != line && s != "" {
		if ls := parseCommand(s, line, n); len(ls) > 0 && (ls[0].IsCommand || ls[0].Problem != "") {
			return ls
		}
	}
	if isPleasantry(line) {
		return nil
	}
	return parseCommand(line, line, n)
}

// isPleasantry reports whether a line is only a greeting, thanks or
// sign-off.
func isPleasantry(line string) bool {
	if reRefAny.MatchString(line) || isCommandWord(line) {
		return false
	}
	return rePleasantry.MatchString(line) || isValediction(line)
}

// parseCommand reads s, which is line with any greeting removed.
func parseCommand(s, line string, n int) []Line {
	s = skipDiscourse(s)
	s, _ = skipWords(s, subjects)
	refs, rest, _ := leadingRefs(s)
	rest, request := skipWords(rest, requestWords)
	rest, polite := skipWords(rest, politeWords)
	if len(refs) == 0 {
		refs, rest, _ = leadingRefs(rest)
	}
	if len(refs) > 0 || polite || request {
		rest, _ = skipWords(rest, copulas)
	}
	if isQuestion(line) && !request {
		// "A-12 done?", "is A-2 still needed?": a question, not a change.
		return []Line{{Command: noteOf(line, n, refs)}}
	}
	if unicode.IsDigit(firstRune(rest)) {
		// "A-12 50%", "80% done - waiting on the vendor"
		head, reason := splitReason(rest)
		if m := rePercentLead.FindStringSubmatch(head); m != nil {
			return commands(mailflow.Command{Verb: mailflow.VerbProgress, Value: m[1], Note: reason, Line: n, Text: line}, refs, "")
		}
	}
	word, after, colon, setOff := verbWord(rest)
	key := strings.ToLower(word)
	verb, ok := verbs[key]
	if !ok {
		if len(refs) > 0 && strings.Trim(rest, " .!:,;") == "" {
			return []Line{{Command: noteOf(line, n, refs), Problem: fmt.Sprintf(
				"%q alone does not say what to do; write e.g. \"%s done\" or \"%s due Dec 9\"", line, refs[0], refs[0])}}
		}
		return []Line{{Command: noteOf(line, n, refs)}}
	}
	if with, ok := cutWord(after, "with"); ok && verb == mailflow.VerbDone && len(refs) == 0 {
		// "Done with A-12" names the item; "done with the first half"
		// does not, and stays a sentence.
		if more, rest, _ := leadingRefs(with); len(more) > 0 && isQuiet(rest) {
			after = with
		}
	}
	if more, after2, marked := refsAfterVerb(after); len(more) > 0 {
		if len(refs) > 0 && !sameRefs(refs, more) {
			return []Line{{Command: mailflow.Command{Verb: verb, Ref: refs[0], Line: n, Text: line}, IsCommand: true,
				Problem: fmt.Sprintf("this line names both %s and %s; put each command on its own line", refs[0], more[0])}}
		}
		// "reopen A-5 - the vendor sent the wrong file": the mark after
		// the refs sets the reason off as it would after the verb.
		refs, after, setOff = more, after2, setOff || marked
	}
	sh := shapeOf(verb, key, after, colon, setOff, len(refs) > 0)
	if sh.prose {
		return []Line{{Command: noteOf(line, n, refs)}}
	}
	return commands(mailflow.Command{Verb: verb, Value: sh.value, Note: sh.note, Line: n, Text: line}, refs, sh.problem)
}

// skipDiscourse removes a word such as "also" or "FYI" from the front of
// s, with a comma or colon after it.
func skipDiscourse(s string) string {
	for _, w := range discourseWords {
		if len(s) > len(w) && strings.EqualFold(s[:len(w)], w) && strings.ContainsRune(" ,:", rune(s[len(w)])) {
			return strings.TrimLeft(s[len(w):], " ,:")
		}
	}
	return s
}

// isQuestion reports whether a line asks rather than tells: it ends in a
// question mark.
func isQuestion(line string) bool {
	return strings.HasSuffix(strings.TrimRight(line, " !)\"'”"), "?")
}

// refsAfterVerb takes the refs right after a verb: "close A-12", "done -
// A-12", and, when a mark follows them, "mitigation for R-3: weekly call"
// and "note on A-12 - vendor replied" ("progress on A-12 is slow" stays a
// sentence).
func refsAfterVerb(after string) (refs []string, rest string, marked bool) {
	if refs, rest, marked = leadingRefs(after); len(refs) > 0 {
		return refs, rest, marked
	}
	if s, ok := cutDash(after); ok {
		if refs, rest, marked = leadingRefs(s); len(refs) > 0 {
			return refs, rest, marked
		}
	}
	if _, s, ok := cutAnyWord(after, []string{"for", "on", "of"}); ok {
		if refs, rest, marked = leadingRefs(s); len(refs) > 0 && marked {
			return refs, rest, marked
		}
	}
	return nil, after, false
}

// commands makes one Line for each ref (or one without a ref, for the
// engine to fill in from the mail the reply answers).
func commands(cmd mailflow.Command, refs []string, problem string) []Line {
	if len(refs) == 0 {
		return []Line{{Command: cmd, IsCommand: true, Problem: problem}}
	}
	out := make([]Line, 0, len(refs))
	for _, r := range refs {
		c := cmd
		c.Ref = r
		out = append(out, Line{Command: c, IsCommand: true, Problem: problem})
	}
	return out
}

// noteOf keeps a line as a note: on the ref it starts with, else on the
// first ref it mentions, else on whatever the reply is about.
func noteOf(line string, n int, refs []string) mailflow.Command {
	c := mailflow.Command{Verb: mailflow.VerbNote, Value: line, Line: n, Text: line}
	if len(refs) > 0 {
		c.Ref = refs[0]
	} else if m := reRefAny.FindStringSubmatch(line); m != nil {
		c.Ref = strings.ToUpper(m[1])
	}
	return c
}

// leadingRefs takes the refs at the start of s and returns them upper-cased
// with the rest of s after any ":", "," or dash that follows them, and
// whether such a mark was there.
func leadingRefs(s string) (refs []string, rest string, marked bool) {
	s = strings.TrimSpace(s)
	m := reRefsLead.FindString(s)
	if m == "" {
		return nil, s, false
	}
	for _, r := range reRefAny.FindAllString(m, -1) {
		refs = append(refs, strings.ToUpper(r))
	}
	rest = strings.TrimLeft(s[len(m):], "] \t")
	after := strings.TrimLeft(rest, ":,.;-–— \t")
	return refs, after, len(after) < len(strings.TrimLeft(rest, " \t"))
}

func sameRefs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// skipWords removes any of words (whole words, any case) from the front of
// s, as often as they occur, and reports whether it removed any.
func skipWords(s string, words []string) (string, bool) {
	s = strings.TrimSpace(s)
	skipped := false
	for again := true; again; {
		again = false
		for _, w := range words {
			if rest, ok := cutWord(s, w); ok {
				s, skipped, again = rest, true, true
				break
			}
		}
	}
	return s, skipped
}

// cutWord removes word from the front of s if s starts with it as a whole
// word (followed by a space, a colon or the end), with the colon.
func cutWord(s, word string) (string, bool) {
	// The first byte, folded as ASCII, rules out most words before the
	// slower EqualFold: skipWords tries dozens of words on every line.
	if len(s) < len(word) || word == "" || s[0]|0x20 != word[0]|0x20 || !strings.EqualFold(s[:len(word)], word) {
		return s, false
	}
	rest := s[len(word):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ':' {
		return s, false
	}
	return strings.TrimSpace(strings.TrimPrefix(rest, ":")), true
}

// cutAnyWord removes the first of words that s starts with, as cutWord
// does, and says which it was.
func cutAnyWord(s string, words []string) (word, rest string, ok bool) {
	for _, w := range words {
		if rest, ok := cutWord(s, w); ok {
			return w, rest, true
		}
	}
	return "", s, false
}

// verbWord splits the first word off s and reports whether a ":" or "="
// follows it ("mitigation: weekly call", "impact = high") and whether any
// punctuation sets it off from the rest ("done, sent to legal").
func verbWord(s string) (word, rest string, colon, setOff bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		word = s
	} else {
		word, rest = s[:i], strings.TrimSpace(s[i+1:])
	}
	if t := strings.TrimRight(word, ":="); t != word {
		colon = true
		word = t
	} else if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "=") {
		colon = true
		rest = strings.TrimSpace(rest[1:])
	}
	t := strings.TrimRight(word, ".,!;")
	setOff = colon || t != word
	return t, rest, colon, setOff
}
