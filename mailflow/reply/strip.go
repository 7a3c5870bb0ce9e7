// Package reply finds what a person actually wrote in a reply — without the
// quoted mail, signature or forwarded text beneath it — and reads the
// commands in it ("done", "close A-12", "A-12 due Dec 9").
package reply

import (
	"regexp"
	"strings"
)

var (
	// Attribution lines that start the quoted part, in the common languages.
	reWrote = regexp.MustCompile(`(?i)^(on|am|le|el|il|op|em|den|på|w dniu|dne|el día)\b.*(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał|napsal)\s*:?\s*$`)
	// An attribution split over two lines: "On Tue, 24 Nov 2026, Alice" / "<a@x> wrote:".
	reWroteStart = regexp.MustCompile(`(?i)^(on|am|le|el|il|op|em)\s.+`)
	reWroteEnd   = regexp.MustCompile(`(?i)(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s*:\s*$`)
	reOriginal   = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}\s*$`)
	reForwarded  = regexp.MustCompile(`(?i)^\s*(begin forwarded message|-+ ?forwarded message ?-+)\s*:?\s*$`)
	reUnderscore = regexp.MustCompile(`^\s*_{10,}\s*$`)
	reHeaderFrom = regexp.MustCompile(`(?i)^\s*\*?(from|von|de|van|da)\s*:\*?\s+\S`)
	reHeaderNext = regexp.MustCompile(`(?i)^\s*\*?(sent|date|to|subject|gesendet|datum|an|betreff|envoyé|objet|à|enviado|asunto|para|cc)\s*:\*?\s`)
	reSigDash    = regexp.MustCompile(`^--\s?$`)
	reSentFrom   = regexp.MustCompile(`(?i)^\s*(sent from my|sent from|get outlook for|envoyé de mon|von meinem .* gesendet|enviado desde mi)\b`)
)

// Strip returns the new text of a reply: everything above the first quote
// attribution, original-message separator or signature, without ">" lines.
func Strip(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	cut := len(lines)
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if reWrote.MatchString(l) || reOriginal.MatchString(l) || reForwarded.MatchString(l) || reUnderscore.MatchString(l) {
			cut = i
			break
		}
		if reWroteStart.MatchString(l) && i+1 < len(lines) && reWroteEnd.MatchString(strings.TrimSpace(lines[i+1])) && !reWroteEnd.MatchString(l) {
			cut = i
			break
		}
		if reHeaderFrom.MatchString(l) && headerBlockFollows(lines[i+1:]) {
			cut = i
			break
		}
		if reSigDash.MatchString(lines[i]) || reSentFrom.MatchString(l) {
			cut = i
			break
		}
		if strings.HasPrefix(l, ">") && quoteRunToEnd(lines[i:]) {
			cut = i
			break
		}
	}
	var out []string
	for _, l := range lines[:cut] {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	return strings.TrimSpace(strings.Join(dropSignOff(out), "\n"))
}

var (
	reSignOff  = regexp.MustCompile(`(?i)^(thanks|thank you|many thanks|cheers|regards|best|best regards|kind regards|warm regards|all the best|br|thx|ty|sincerely|yours)\b[ ,.!]*$`)
	reNameLine = regexp.MustCompile(`^[A-Z][\p{L}'.-]*(?:\s+[A-Z][\p{L}'.-]*){0,2}$`)
)

// dropSignOff removes a closing "Thanks,\nBob" or a lone name after a blank
// line at the end of the text.
func dropSignOff(lines []string) []string {
	end := len(lines)
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	if end == 0 {
		return lines[:0]
	}
	last := strings.TrimSpace(lines[end-1])
	// A lone name, separated from the text by a blank line or a sign-off.
	if reNameLine.MatchString(last) && !isCommandWord(last) && end >= 2 {
		prev := strings.TrimSpace(lines[end-2])
		if prev == "" || reSignOff.MatchString(prev) {
			end--
			if prev != "" {
				end--
			}
		}
	} else if reSignOff.MatchString(last) {
		end--
	}
	return lines[:end]
}

func isCommandWord(s string) bool {
	_, ok := verbs[strings.ToLower(strings.Trim(s, ".!, "))]
	return ok
}

// headerBlockFollows reports whether the lines after a "From:" line look like
// the rest of a quoted header block (Outlook's "From: … Sent: … To: …").
func headerBlockFollows(lines []string) bool {
	n := 0
	for i := 0; i < len(lines) && i < 5; i++ {
		if reHeaderNext.MatchString(lines[i]) {
			n++
		}
	}
	return n >= 1
}

// quoteRunToEnd reports whether the rest of the text is only quoted lines
// and blank lines (the whole tail is the quote).
func quoteRunToEnd(lines []string) bool {
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}
