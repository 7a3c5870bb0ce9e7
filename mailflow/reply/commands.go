package reply

import (
	"regexp"
	"strings"

	"mailflow/mailflow"
)

var (
	reBullet  = regexp.MustCompile(`^\s*(?:[-*•+]|\d{1,2}[.)])\s+`)
	reRefLead = regexp.MustCompile(`(?i)^\[?([AR]-\d+)\]?\s*[:,.-]?\s*(.*)$`)
	reRefAny  = regexp.MustCompile(`(?i)\b([AR]-\d+)\b`)
	rePercent = regexp.MustCompile(`^(\d{1,3})\s*%?$`)
)

// verbs maps the words people use to the command they mean.
var verbs = map[string]mailflow.Verb{
	"done": mailflow.VerbDone, "close": mailflow.VerbDone, "closed": mailflow.VerbDone, "complete": mailflow.VerbDone,
	"completed": mailflow.VerbDone, "finished": mailflow.VerbDone, "fixed": mailflow.VerbDone, "resolved": mailflow.VerbDone,
	"retire": mailflow.VerbDone, "retired": mailflow.VerbDone,
	"reopen": mailflow.VerbReopen, "re-open": mailflow.VerbReopen, "reopened": mailflow.VerbReopen,
	"cancel": mailflow.VerbCancel, "cancelled": mailflow.VerbCancel, "canceled": mailflow.VerbCancel, "drop": mailflow.VerbCancel,
	"dropped": mailflow.VerbCancel, "withdraw": mailflow.VerbCancel,
	"due": mailflow.VerbDue, "deadline": mailflow.VerbDue,
	"reassign": mailflow.VerbReassign, "assign": mailflow.VerbReassign, "owner": mailflow.VerbReassign,
	"note": mailflow.VerbNote, "comment": mailflow.VerbNote,
	"progress":   mailflow.VerbProgress,
	"mitigation": mailflow.VerbMitigation, "mitigate": mailflow.VerbMitigation,
	"likelihood": mailflow.VerbLikelihood, "probability": mailflow.VerbLikelihood,
	"impact": mailflow.VerbImpact, "severity": mailflow.VerbImpact,
	"escalate": mailflow.VerbEscalate, "escalated": mailflow.VerbEscalate,
}

// valueVerbs need a value after them.
var valueVerbs = map[mailflow.Verb]bool{
	mailflow.VerbDue: true, mailflow.VerbReassign: true, mailflow.VerbNote: true, mailflow.VerbProgress: true,
	mailflow.VerbMitigation: true, mailflow.VerbLikelihood: true, mailflow.VerbImpact: true,
}

// Line is one line of reply text and what it was read as.
type Line struct {
	Command mailflow.Command
	// IsCommand is false for a line that is not a command; it is kept as a
	// note on the thing the reply is about.
	IsCommand bool
	// Problem is set for a line that starts like a command but is
	// incomplete, e.g. "due" with no date.
	Problem string
}

// ParseCommands reads each line of new reply text. Blank lines, greetings
// and thanks are skipped.
func ParseCommands(text string) []Line {
	var out []Line
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(reBullet.ReplaceAllString(raw, ""))
		if line == "" || isPleasantry(line) {
			continue
		}
		out = append(out, parseLine(line, i+1))
	}
	return out
}

func parseLine(line string, n int) Line {
	cmd := mailflow.Command{Line: n, Text: line}
	rest := line
	if m := reRefLead.FindStringSubmatch(rest); m != nil {
		cmd.Ref = strings.ToUpper(m[1])
		rest = strings.TrimSpace(m[2])
		if rest == "" {
			return Line{Command: cmd, Problem: "a ref alone is not a command; say what to do, e.g. \"" + cmd.Ref + " done\""}
		}
	}
	word, after := firstWord(rest)
	key := strings.ToLower(strings.TrimRight(word, ":.,!"))
	// "mark A-12 done", "please close A-12": skip one politeness word.
	if key == "please" || key == "mark" || key == "set" {
		word, after = firstWord(after)
		key = strings.ToLower(strings.TrimRight(word, ":.,!"))
	}
	verb, ok := verbs[key]
	if !ok {
		cmd.Verb = mailflow.VerbNote
		cmd.Value = line
		if cmd.Ref == "" {
			if m := reRefAny.FindStringSubmatch(line); m != nil {
				cmd.Ref = strings.ToUpper(m[1])
			}
		}
		return Line{Command: cmd}
	}
	cmd.Verb = verb
	if cmd.Ref == "" {
		if m := reRefLead.FindStringSubmatch(after); m != nil {
			cmd.Ref = strings.ToUpper(m[1])
			after = strings.TrimSpace(m[2])
		}
	}
	after = strings.TrimSpace(strings.TrimLeft(after, ":= "))
	switch verb {
	case mailflow.VerbReassign:
		after = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(after, "to "), "To "))
	case mailflow.VerbDue:
		// "due date: Dec 9", "due on Dec 9", "due by Dec 9"
		for _, p := range []string{"date ", "date:", "on ", "by "} {
			after = strings.TrimSpace(strings.TrimPrefix(after, p))
		}
	case mailflow.VerbDone:
		// "done, thanks!" — trailing words after a bare verb are not a value.
		if after != "" && cmd.Ref == "" {
			if m := reRefAny.FindStringSubmatch(after); m != nil {
				cmd.Ref = strings.ToUpper(m[1])
			}
		}
		after = ""
	case mailflow.VerbProgress:
		if m := rePercent.FindStringSubmatch(strings.TrimSpace(strings.TrimPrefix(after, "to "))); m != nil {
			after = m[1]
		} else if after != "" {
			return Line{Command: cmd, IsCommand: true, Problem: "progress must be a percentage, e.g. \"progress 50%\""}
		}
	case mailflow.VerbReopen, mailflow.VerbCancel, mailflow.VerbEscalate:
		after = ""
	}
	cmd.Value = strings.TrimSpace(after)
	if valueVerbs[verb] && cmd.Value == "" {
		return Line{Command: cmd, IsCommand: true, Problem: "\"" + word + "\" needs a value"}
	}
	return Line{Command: cmd, IsCommand: true}
}

func firstWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}

var rePleasantry = regexp.MustCompile(`(?i)^(hi|hello|hey|dear|thanks|thank you|thx|cheers|regards|best|best regards|kind regards|many thanks|br|ok|okay|sure)\b[\w\s]{0,20}[,.!]*$`)

func isPleasantry(line string) bool {
	if reRefAny.MatchString(line) {
		return false
	}
	if _, ok := verbs[strings.ToLower(strings.Trim(line, ".!, "))]; ok {
		return false
	}
	return rePleasantry.MatchString(line)
}
