package reply

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"mailflow/mailflow"
)

// A signature is whatever the sender's client or habit puts under the
// message: a "-- " block (RFC 3676 section 4.3), "Sent from my iPhone", a
// sign-off and a name, a contact card, a mailing list's footer or a
// disclaimer. Except for the "-- " delimiter, which is explicit, each rule
// below is a guess, and each asks for a short tail with no line in it that
// reads as a command, so that a guess can never swallow "A-12 done".

var (
	// reDevice matches the line a phone or a webmail client adds.
	reDevice = regexp.MustCompile(`(?i)^(?:sent (?:from|with|via|using) |get outlook for |envoyé de |envoyé depuis |von meinem |gesendet von |enviado desde |enviado do |enviado de |inviato da |verzonden (?:met|vanaf) |skickat från |sendt fra |wysłane z |odesláno z |отправлено с |надіслано з )[^,;!?]+$`)
	// reTrailingLink is a link a client appends to its device line.
	reTrailingLink = regexp.MustCompile(`\s*(?:<[^<>]*>|\([^()]*\)|\[[^\[\]]*\])$`)

	// reNameLine matches a line that is only a name: "Bob", "Mary-Jane
	// O'Neil", "John E. Doe, Ph.D.".
	reNameLine = regexp.MustCompile(`^\p{Lu}[\p{L}'’.-]*(?:,?\s+\p{Lu}[\p{L}'’.-]*){0,3}$`)
	// reDashName is the "-Bob" or "— Bob" sign-off.
	reDashName = regexp.MustCompile(`^(?:-{1,2}|[–—])\s?\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}$`)

	// reContact matches what a contact card is made of: an address, a
	// link, a phone number.
	reContact = regexp.MustCompile(`(?i)[^\s@<>]+@[^\s@<>]+\.\p{L}{2,}|https?://|www\.|\+?\d[\d ().-]{6,}\d|^(?:t|tel|phone|mobile|mob|cell|fax|f|m|skype|office)\s*[.:]`)

	// reDisclaimer opens the legal paragraph some organisations append.
	reDisclaimer = regexp.MustCompile(`(?i)^(?:confidentiality notice|disclaimer|this (?:e-?mail|message)(?: and any (?:files|attachments?)(?: transmitted with it)?)? (?:is|are|may be|contains?) (?:confidential|intended|privileged)|the information (?:contained )?in this (?:e-?mail|message)|if you (?:are not the intended|have received this))`)
)

// valedictions are the sign-offs that stand alone on a line, lower-cased.
var valedictions = map[string]bool{
	"thanks": true, "thank you": true, "many thanks": true, "thanks again": true,
	"thanks a lot": true, "thanks so much": true, "thank you very much": true, "thx": true,
	"ty": true, "cheers": true, "regards": true, "best": true, "all best": true, "best regards": true,
	"best wishes": true, "kind regards": true, "kindest regards": true, "warm regards": true,
	"warmest regards": true, "all the best": true, "sincerely": true, "yours": true,
	"yours truly": true, "yours sincerely": true, "respectfully": true, "take care": true, "br": true,
	"kr": true, "rgds": true, "mfg": true, "lg": true, "vg": true, "viele grüße": true,
	"viele grüsse": true, "liebe grüße": true, "beste grüße": true, "freundliche grüße": true,
	"mit freundlichen grüßen": true, "mit freundlichen grüssen": true, "grüße": true, "gruß": true,
	"cordialement": true, "bien cordialement": true, "bien à vous": true, "amitiés": true,
	"salutations": true, "saludos": true, "un saludo": true, "atentamente": true, "saluti": true,
	"cordiali saluti": true, "distinti saluti": true, "groeten": true, "met vriendelijke groet": true,
	"met vriendelijke groeten": true, "vriendelijke groet": true, "atenciosamente": true,
	"abraços": true, "cumprimentos": true, "med vänliga hälsningar": true, "vänliga hälsningar": true,
	"hälsningar": true, "mvh": true, "vennlig hilsen": true, "med vennlig hilsen": true,
	"med venlig hilsen": true, "venlig hilsen": true, "hilsen": true, "pozdrawiam": true,
	"z poważaniem": true, "pozdrav": true, "s pozdravem": true, "с уважением": true, "спасибо": true,
	"всего доброго": true, "よろしくお願いします": true, "よろしくお願いいたします": true, "谢谢": true, "此致": true,
}

// isValediction reports whether a trimmed line is only a sign-off:
// "Thanks,", "Best regards", "Mit freundlichen Grüßen".
func isValediction(t string) bool {
	if len(t) > 60 {
		return false
	}
	t = strings.ToLower(strings.TrimRight(t, " \t,.!~-"))
	return valedictions[strings.Join(strings.Fields(t), " ")]
}

// Bounds on what a guessed signature may be. A longer tail is text.
const (
	maxSignatureLines = 8  // contact card, sign-off and the lines under it
	maxFooterLines    = 15 // under a drawn rule: a card or a list footer
	maxSignatureWidth = 80 // characters on one signature line
	// minRule is the shortest rule taken to open a signature: Markdown's
	// "---" and "***" are section breaks in the text.
	minRule = 6
)

// dropSignature removes the signature from the end of a reply's lines.
// from, when known, lets it recognise a signature that starts with the
// sender's name ("Stavros\nvia mobile").
func dropSignature(lines []string, from mailflow.Person) []string {
	lines = trimBlank(cutAtDelimiter(lines))
	// Each rule removes one layer ("Thanks,\nBob" above "Sent from my
	// iPhone"); a few passes reach the text.
	for pass := 0; pass < 4; pass++ {
		next := trimBlank(dropSignOff(lines, from))
		if len(next) == len(lines) {
			break
		}
		lines = next
	}
	return lines
}

// cutAtDelimiter cuts the reply at the first line that opens a signature or
// footer: "-- ", a drawn rule with a short tail, or a device line.
func cutAtDelimiter(lines []string) []string {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "--" || t == "—":
			return lines[:i]
		case len(t) >= minRule && len(t) <= maxPatternLine && reRule.MatchString(t):
			// A rule above a card or a mailing list's footer
			// ("____\nriak-users mailing list").
			if signatureTail(lines[i+1:], maxFooterLines) {
				return lines[:i]
			}
		case isDeviceLine(t):
			if signatureTail(lines[i+1:], 3) {
				return lines[:i]
			}
		}
	}
	return lines
}

// isDeviceLine reports whether a trimmed line is "Sent from my iPhone" or
// one of its kin, but not a sentence that starts the same way ("Sent from
// my desk, which is easier").
func isDeviceLine(t string) bool {
	if len(t) > 120 {
		return false
	}
	if strings.HasSuffix(t, ">") || strings.HasSuffix(t, ")") || strings.HasSuffix(t, "]") {
		t = reTrailingLink.ReplaceAllString(t, "")
	}
	if strings.HasSuffix(t, "から送信") { // Japanese: "iPhoneから送信"
		return utf8.RuneCountInString(t) <= 30
	}
	return reDevice.MatchString(t) && len(strings.Fields(t)) <= 9
}

// dropSignOff removes one trailing layer of signature, if there is one.
func dropSignOff(lines []string, from mailflow.Person) []string {
	end := len(lines)
	if end == 0 {
		return lines
	}
	last := strings.TrimSpace(lines[end-1])

	// "-Abhishek Kona"
	if reDashName.MatchString(last) && hasTextAbove(lines, end-1) && !looksLikeCommand(last) {
		return lines[:end-1]
	}
	// The sender's own name on the last line: "…thanks.\nBob".
	if from.Name != "" && isSenderName(strings.Trim(last, "-–—,. "), from) && hasTextAbove(lines, end-1) {
		return lines[:end-1]
	}
	// "Thanks,\nBob\nProject lead, Acme\n+1 555 0100"
	if v := valedictionAt(lines); v >= 0 {
		return lines[:v]
	}
	start := paragraphStart(lines, maxSignatureLines)
	if start < 0 || !hasTextAbove(lines, start) || !signatureTail(lines[start:], maxSignatureLines) {
		return disclaimerCut(lines)
	}
	para := lines[start:]
	first := strings.TrimSpace(para[0])
	switch {
	case mentionsSender(para, from):
		return lines[:start]
	case len(para) == 1 && reNameLine.MatchString(first) && !isCommandWord(first):
		// A lone name under the text, after a blank line.
		return lines[:start]
	case len(para) > 1 && reNameLine.MatchString(first) && !isCommandWord(first) && contactLines(para[1:]) > 0:
		// A card: a name, then an address, a link or a phone number.
		return lines[:start]
	}
	return disclaimerCut(lines)
}

// valedictionAt finds a sign-off among the last lines of the reply with only
// a short signature under it, and returns its index or -1.
func valedictionAt(lines []string) int {
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen <= maxSignatureLines; i-- {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		seen++
		if isValediction(t) {
			if signatureTail(lines[i+1:], maxSignatureLines-1) {
				return i
			}
			return -1
		}
	}
	return -1
}

// disclaimerCut removes a trailing legal notice.
func disclaimerCut(lines []string) []string {
	for i := len(lines) - 1; i >= 0 && len(lines)-i <= 3*maxFooterLines; i-- {
		t := strings.TrimSpace(lines[i])
		if t == "" || (i > 0 && strings.TrimSpace(lines[i-1]) != "") {
			continue
		}
		// A paragraph starts at i.
		if len(t) <= maxPatternLine && reDisclaimer.MatchString(t) && hasTextAbove(lines, i) && !anyCommand(lines[i:]) {
			return lines[:i]
		}
	}
	return lines
}

// paragraphStart returns the index of the first line of the last paragraph
// (the lines after the last blank line), or -1 if it is longer than max
// lines or the lines are all blank.
func paragraphStart(lines []string, max int) int {
	end := len(lines)
	for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	if end == 0 {
		return -1
	}
	for i := end - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) == "" {
			return i + 1
		}
		if end-i > max {
			return -1
		}
	}
	return 0
}

// signatureTail reports whether lines could be a signature: at most max
// non-blank lines, none wider than a card line, none a command.
func signatureTail(lines []string, max int) bool {
	n := 0
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if n++; n > max || utf8.RuneCountInString(t) > maxSignatureWidth || looksLikeCommand(t) {
			return false
		}
	}
	return true
}

func anyCommand(lines []string) bool {
	for i, l := range lines {
		if i > 10*maxFooterLines {
			return true // too long to be sure: keep it
		}
		if looksLikeCommand(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

// looksLikeCommand reports whether a line would be read as a command on a
// named item or risk; such a line is never taken for a signature.
func looksLikeCommand(t string) bool {
	if t == "" || len(t) > maxPatternLine || !reRefAny.MatchString(t) {
		return false
	}
	for _, l := range parseLine(t, 0) {
		if l.IsCommand && l.Command.Ref != "" {
			return true
		}
	}
	return false
}

func contactLines(lines []string) int {
	n := 0
	for _, l := range lines {
		if reContact.MatchString(strings.TrimSpace(l)) {
			n++
		}
	}
	return n
}

// mentionsSender reports whether a paragraph starts with the sender's name
// or carries the sender's address.
func mentionsSender(para []string, from mailflow.Person) bool {
	if from.Email != "" {
		for _, l := range para {
			if strings.Contains(strings.ToLower(l), strings.ToLower(from.Email)) {
				return true
			}
		}
	}
	if from.Name == "" {
		return false
	}
	first := strings.ToLower(strings.TrimSpace(para[0]))
	for _, name := range senderNames(from) {
		if first == name || strings.HasPrefix(first, name+" ") || strings.HasPrefix(first, name+",") {
			return true
		}
	}
	return false
}

// isSenderName reports whether s is the sender's full or first name.
func isSenderName(s string, from mailflow.Person) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, name := range senderNames(from) {
		if s == name {
			return true
		}
	}
	return false
}

// senderNames returns the sender's full name and first name, lower-cased.
func senderNames(from mailflow.Person) []string {
	full := strings.ToLower(strings.Join(strings.Fields(from.Name), " "))
	if full == "" {
		return nil
	}
	names := []string{full}
	if first, _, ok := strings.Cut(full, " "); ok && utf8.RuneCountInString(first) >= 2 {
		names = append(names, first)
	}
	return names
}

// hasTextAbove reports whether a non-blank line comes before line i: a
// reply that is only a name is not a signature.
func hasTextAbove(lines []string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return true
		}
	}
	return false
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
