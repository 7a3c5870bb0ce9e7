package reply

import (
	"regexp"
	"strings"
)

// An attribution is the line a mail client writes above the text it quotes:
// "On Tue, 3 Mar 2026 at 10:00, Alice <a@x> wrote:". Clients word it in the
// sender's language, put the verb before or after the name, and wrap it over
// two or three lines when it is long, so it is recognised by its shape
// rather than by one phrase.

// wroteVerbs end an attribution, before its colon, in English, French,
// Spanish, Italian, Portuguese, Polish, Czech, Russian and other clients'
// languages ("… Alice wrote:", "… a écrit :", "… napisał(a):"). Matching
// them as suffixes is much cheaper than one big case-insensitive regexp.
var wroteVerbs = []string{
	"wrote", "writes", "has written", "schrieb", "schreef", "escribió", "escribio", "escrito",
	"ha scritto", "scrisse", "escreveu", "skrev", "skrivit", "kirjoitti", "napisał", "napisała",
	"napisal", "napsal", "napsala", "napísal", "написал", "написала", "написав", "пишет", "pisze",
	"yazdı", "írta", "a scris", "έγραψε", "a écrit", "a ecrit",
}

// wroteSuffixes end an attribution in Chinese, Korean and Japanese, with no
// space before them.
var wroteSuffixes = []string{"写道", "寫道", "작성", "より"}

var (
	// reWroteMid matches the German, Dutch and Scandinavian order, where the
	// name follows the verb: "Am 3. März 2026 um 10:00 schrieb Alice <a@x>:".
	reWroteMid = regexp.MustCompile(`(?i)(?:^|\s)(?:schrieb|schreef|skrev|wrote)\s.+[:：]\s*$`)

	// reAttributionStart is how the first line of a wrapped attribution
	// begins: a leading word ("On", "Am", "Le", "El", "Il", "Op", "Em", "Den",
	// "På", "W dniu", "Dnia", "Dne"), a digit (a date), or a short weekday
	// abbreviation followed by a number ("tir. 12. mar.").
	reAttributionStart = regexp.MustCompile(`(?i)^(?:(?:on|am|le|el|il|op|em|den|på|w dniu|dnia|dne|dňa|в|el día|il giorno)\s|\d|\p{L}{2,4}\.?,?\s+\d)`)

	// reAttributionColon matches a line that ends with a colon and names a
	// sender by address, or gives a time of day: Yandex, Mail.ru and Japanese
	// Gmail write no verb at all ("26.06.2014, 14:41, "Alex" <a@x>:").
	reAttributionColon = regexp.MustCompile(`(?:<[^<>\s]+@[^<>\s]+>|\S@\S|\d{1,2}:\d{2}).*[:：]\s*$`)
)

// maxAttributionLines is how many lines a wrapped attribution may span.
const maxAttributionLines = 3

// maxPatternLine bounds the length of a line that is matched against the
// attribution and header patterns. Real attributions and header lines are
// short; a longer line is text, and skipping it keeps hostile input linear.
const maxPatternLine = 1000

// attributionAt reports how many lines starting at lines[i] form an
// attribution (0 if none). An attribution with quoted lines under it may be
// loose; one without must be unmistakable (a verb, and a date or an
// address), because everything below it will be dropped.
func attributionAt(lines []string, i int) int {
	for k := 1; k <= maxAttributionLines && i+k <= len(lines); k++ {
		last := strings.TrimSpace(lines[i+k-1])
		if last == "" || isQuoted(last) || len(last) > maxPatternLine {
			return 0
		}
		if !endsWithColon(last) {
			continue // every attribution ends with a colon
		}
		quoteFollows := nextIsQuote(lines, i+k)
		if k > 1 && !wrappedAttribution(lines[i:i+k], quoteFollows) {
			return 0
		}
		if isAttribution(joinTrimmed(lines[i:i+k]), quoteFollows) {
			return k
		}
	}
	return 0
}

// wrappedAttribution reports whether lines may be one attribution wrapped
// over them: the first starts like an attribution, none before the last
// ends a sentence, and no later line starts an attribution of its own (then
// the lines above it are the sender's: "On second thought, fine.").
func wrappedAttribution(lines []string, quoteFollows bool) bool {
	if !reAttributionStart.MatchString(strings.TrimSpace(lines[0])) {
		return false
	}
	for _, l := range lines[:len(lines)-1] {
		if t := strings.TrimSpace(l); strings.ContainsAny(t[len(t)-1:], ":.!?") {
			return false
		}
	}
	for j := 1; j < len(lines); j++ {
		if reAttributionStart.MatchString(strings.TrimSpace(lines[j])) && isAttribution(joinTrimmed(lines[j:]), quoteFollows) {
			return false
		}
	}
	return true
}

// isAttribution reports whether s (one line, or a wrapped attribution
// joined into one) introduces quoted text.
func isAttribution(s string, quoteFollows bool) bool {
	if !endsWithColon(strings.TrimSpace(s)) {
		return false
	}
	wrote := endsWithWroteVerb(s) || (hasDigit(s) && reWroteMid.MatchString(s))
	if quoteFollows {
		return wrote || reAttributionColon.MatchString(s)
	}
	// Nothing quoted follows: the quote is not marked, so the attribution
	// alone decides that the rest is not the sender's. Ask for a date or an
	// address as well as the verb, and for it to start like an attribution.
	at := strings.Contains(s, "@")
	return wrote && (hasDigit(s) || at) && (reAttributionStart.MatchString(s) || (at && hasDigit(s)))
}

// nextIsQuote reports whether the first non-blank line at or after i is
// quoted.
func nextIsQuote(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		return isQuoted(t)
	}
	return false
}

// endsWithWroteVerb reports whether s, which ends with a colon, has one
// of the "wrote" verbs right before it, optionally followed by the "(a)"
// that Polish, Czech and Russian clients add for either gender.
func endsWithWroteVerb(s string) bool {
	s = strings.TrimRight(s, " \t:：")
	if len(s) > 64 {
		s = s[len(s)-64:] // the verb is at the end; a cut rune is harmless
	}
	s = strings.ToLower(s)
	if t := strings.TrimSuffix(s, "(a)"); t != s {
		s = strings.TrimRight(t, " ")
	}
	for _, w := range wroteSuffixes {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	for _, w := range wroteVerbs {
		if strings.HasSuffix(s, w) {
			before := s[:len(s)-len(w)]
			if before == "" || strings.ContainsAny(before[len(before)-1:], " \t,\"'>)]") {
				return true
			}
		}
	}
	return false
}

func endsWithColon(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：")
}

func joinTrimmed(lines []string) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, strings.TrimSpace(l))
	}
	return strings.Join(parts, " ")
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

// isQuoted reports whether a trimmed line is quoted with ">".
func isQuoted(trimmed string) bool {
	return strings.HasPrefix(trimmed, ">")
}
