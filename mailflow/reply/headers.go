package reply

import (
	"regexp"
	"strings"
)

// Outlook and webmail clients quote without ">": they write a separator or a
// block of the original's header fields ("From: … Sent: … To: … Subject: …"),
// in the sender's language, and the original follows unmarked. Everything
// from there down is not the sender's.

// headerKind is the field a quoted header line names.
type headerKind int

const (
	headerNone headerKind = iota
	headerFrom
	headerDate // Sent: or Date:
	headerTo
	headerCc
	headerSubject
)

// headerNames maps a field name, lower-cased, to its kind, in the languages
// of the common clients.
var headerNames = map[string]headerKind{
	"from": headerFrom, "von": headerFrom, "de": headerFrom, "van": headerFrom, "da": headerFrom,
	"från": headerFrom, "fra": headerFrom, "od": headerFrom, "от": headerFrom, "від": headerFrom,
	"lähettäjä": headerFrom, "feladó": headerFrom, "差出人": headerFrom, "发件人": headerFrom,
	"寄件者": headerFrom, "보낸 사람": headerFrom, "expéditeur": headerFrom, "remitente": headerFrom,
	"mittente": headerFrom, "afzender": headerFrom, "avsändare": headerFrom, "nadawca": headerFrom,
	"odesílatel": headerFrom, "gönderen": headerFrom, "kimden": headerFrom,

	"sent": headerDate, "date": headerDate, "gesendet": headerDate, "datum": headerDate,
	"envoyé": headerDate, "envoye": headerDate, "enviado": headerDate, "enviada": headerDate,
	"fecha": headerDate, "inviato": headerDate, "data": headerDate, "verzonden": headerDate,
	"skickat": headerDate, "sendt": headerDate, "wysłano": headerDate, "odesláno": headerDate,
	"отправлено": headerDate, "дата": headerDate, "надіслано": headerDate, "送信日時": headerDate,
	"发送时间": headerDate, "寄件日期": headerDate, "날짜": headerDate, "lähetetty": headerDate,
	"päivämäärä": headerDate, "tarih": headerDate, "gönderildi": headerDate, "dátum": headerDate,

	"to": headerTo, "an": headerTo, "à": headerTo, "a": headerTo, "para": headerTo, "aan": headerTo,
	"till": headerTo, "til": headerTo, "do": headerTo, "komu": headerTo, "кому": headerTo,
	"宛先": headerTo, "收件人": headerTo, "받는 사람": headerTo, "vastaanottaja": headerTo,
	"címzett": headerTo, "kime": headerTo, "destinataire": headerTo,

	"cc": headerCc, "kopie": headerCc, "copie": headerCc, "kopia": headerCc, "копия": headerCc,

	"subject": headerSubject, "betreff": headerSubject, "objet": headerSubject, "asunto": headerSubject,
	"oggetto": headerSubject, "onderwerp": headerSubject, "assunto": headerSubject, "ämne": headerSubject,
	"emne": headerSubject, "temat": headerSubject, "předmět": headerSubject, "тема": headerSubject,
	"件名": headerSubject, "主题": headerSubject, "主旨": headerSubject, "제목": headerSubject,
	"aihe": headerSubject, "tárgy": headerSubject, "konu": headerSubject,
}

// reHeaderField splits "*From:* Bob", "**Sent:**", "De : Alice" or
// "件名：" into the field name and the rest. Outlook's plain text marks the
// names bold with asterisks; French puts a space before the colon.
var reHeaderField = regexp.MustCompile(`^\*{0,2}([\p{L} ]{1,20}?)\s*\*{0,2}\s*[:：]\s*\*{0,2}(.*)$`)

// headerField returns the kind of header a trimmed line starts with.
func headerField(trimmed string) headerKind {
	// Most lines have no colon at all; they need no regular expression.
	if len(trimmed) > maxPatternLine || !strings.ContainsAny(trimmed, ":：") {
		return headerNone
	}
	m := reHeaderField.FindStringSubmatch(trimmed)
	if m == nil {
		return headerNone
	}
	return headerNames[strings.ToLower(strings.TrimSpace(m[1]))]
}

// maxHeaderBlock is how many lines a quoted header block may span, with
// room for a wrapped To: list.
const maxHeaderBlock = 8

// headerBlockAt reports whether a quoted header block starts at lines[i]: a
// From: field and at least one of Sent:/Date:, To: or Subject:, or a Date:
// field with a From: among the lines that follow. A blank line ends the
// block.
func headerBlockAt(lines []string, i int) bool {
	first := headerField(strings.TrimSpace(lines[i]))
	if first != headerFrom && first != headerDate {
		return false
	}
	seen := map[headerKind]bool{first: true}
	misses := 0
	for j := i + 1; j < len(lines) && j < i+maxHeaderBlock; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" {
			break
		}
		if k := headerField(t); k != headerNone {
			seen[k] = true
			continue
		}
		// A wrapped value ("To: a@x, b@x,\n    c@x") or Outlook's
		// "On Behalf Of" line; two of them and it is not a header block.
		if misses++; misses > 1 {
			break
		}
	}
	return seen[headerFrom] && (seen[headerDate] || seen[headerTo] || seen[headerSubject])
}

var (
	// reOriginal matches the separator lines above a quoted or forwarded
	// message: "-----Original Message-----", "---------- Forwarded message
	// ---------", "-------- Message transféré --------" and their kin.
	reOriginal = regexp.MustCompile(`(?i)^[-=_*~ ]{2,}\s*(?:original message|forwarded message|forwarded by .+|ursprüngliche nachricht|originalnachricht|weitergeleitete nachricht|message d'origine|message transféré|message transfere|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|mensagem original|mensagem encaminhada|originalmeddelande|vidarebefordrat meddelande|opprinnelig melding|videresendt melding|oprindelig meddelelse|videresendt meddelelse|oryginalna wiadomość|wiadomość przekazana|przekazana wiadomość|původní zpráva|přeposlaná zpráva|исходное сообщение|пересылаемое сообщение|пересланное сообщение|alkuperäinen viesti|välitetty viesti|eredeti üzenet|továbbított üzenet|原始邮件|转发的邮件|原始郵件|元のメッセージ|転送されたメッセージ)\s*[-=_*~ ]*$`)

	// reForwardIntro matches Apple Mail's and others' forwarding line.
	reForwardIntro = regexp.MustCompile(`(?i)^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|début du message réenvoyé|inicio del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada)\s*[:：]?$`)

	// reRule matches a line drawn across: dashes, underscores, equals signs.
	reRule = regexp.MustCompile(`^[-_=*~—–]{3,}$`)

	// reDashTitle matches a short title between rules ("----- Mensaje -----"),
	// which is a separator in a language not listed above when a header
	// block follows it.
	reDashTitle = regexp.MustCompile(`^[-=_*~]{2,}\s*[\p{L}\p{N}'.\- ]{1,40}?\s*[-=_*~]{2,}$`)
)

// isSeparator reports whether a trimmed line opens a quoted or forwarded
// message on its own.
func isSeparator(trimmed string) bool {
	if len(trimmed) > maxPatternLine {
		return false
	}
	return reOriginal.MatchString(trimmed) || reForwardIntro.MatchString(trimmed)
}

// isRuleOrTitle reports whether a trimmed line is a rule or a short title
// between rules, which belongs to a header block right below it.
func isRuleOrTitle(trimmed string) bool {
	return len(trimmed) <= maxPatternLine && (reRule.MatchString(trimmed) || reDashTitle.MatchString(trimmed))
}
