package historytest

import (
	"fmt"
	"strings"
	"time"
)

// What a hospital IT office writes, to draw the rows' text from.
var (
	projectNames = []string{"PACS upgrade", "Lab interface", "Pharmacy ERP", "Patient portal", "Bed management",
		"Theatre scheduling", "Radiology RIS", "Maternity system", "ED tracking board", "Wi-Fi refresh",
		"Badge access", "Nurse call", "Telehealth", "Data warehouse", "Cardiology PACS", "Oncology e-prescribing",
		"Blood bank", "Endoscopy reporting", "Diet ordering", "Infusion pumps", "Single sign-on", "Printing refresh",
		"Clinical photography", "Dictation", "Pathology LIMS", "Asset tracking", "Windows 11 rollout", "Network core",
		"Backup replacement", "Identity governance"}
	firstNames = []string{"Amara", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
		"Liam", "Maya", "Nikhil", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tara", "Umar", "Vera", "Wen", "Xavier",
		"Yara", "Zoltan"}
	lastNames = []string{"Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova",
		"Jensen", "Kowalski", "Lindqvist", "Moreno", "Nakamura", "O'Brien", "Petrov", "Quaresma", "Rossi", "Schmidt",
		"Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zimmer"}
	unrosteredNames = []string{"Zed", "the vendor", "Dr Patel", "facilities", "IT security", "the trainer", "Mo"}
	verbs           = []string{"draft", "confirm", "order", "review", "test", "sign off", "book", "update", "validate",
		"schedule", "configure", "chase", "document", "migrate", "decommission", "train staff on", "raise a change for"}
	objects = []string{"the training plan", "the interface test window", "badge readers", "the downtime procedure",
		"the super-user sessions", "the HL7 ADT feed", "the order set build", "the data migration", "the label printers",
		"the go-live command centre", "the cutover runbook", "the firewall rules", "the vendor SOW", "the test scripts",
		"the user access list", "the DR test", "the print queues", "the barcode scanners", "the results routing",
		"the allergy mapping"}
	places = []string{"", "", "", " for ward 4B", " for the ED", " for theatres", " for outpatients", " for pharmacy",
		" for radiology", " for the lab", " before go-live", " with the vendor"}
	riskTexts = []string{"interface vendor late", "super-users unavailable", "data migration errors", "network outage at cutover",
		"training not finished", "scanner firmware incompatible", "budget overrun", "key analyst leaving",
		"clinical sign-off delayed", "downtime longer than planned", "test environment unstable", "licence count short"}
	mitigations = []string{"weekly vendor call", "backfill rota", "dry-run migration twice", "second circuit", "extra sessions",
		"firmware pinned", "change control", "handover notes", "escalate to CMO", "rollback plan", "refresh weekly", "true-up in Q3"}
	decisionTexts = []string{"Go-live stays on the agreed date", "Training moves to e-learning first", "Vendor B is preferred",
		"Cutover runs over the weekend", "Scope excludes the legacy archive", "Super-users get protected time",
		"Test sign-off needs the lab lead", "Phase 2 waits for the audit"}
	askTexts    = []string{"Decision needed: extra budget for weekend cover", "Ask: release two analysts for testing", "Escalate: vendor contract terms"}
	changeTexts = []string{"go-live moved two weeks", "pharmacy module added to scope", "training window shortened",
		"interface testing moved to Q2", "archive migration dropped"}
	milestoneNames = []string{"Design sign-off", "Build complete", "Integrated testing", "End-user training", "Go-live", "Stabilisation"}
	healthReasons  = []string{"", "vendor late", "testing behind", "on track", "staffing short", "budget pressure"}
	levels         = []string{"low", "medium", "high"}
)

// pick returns an element of xs.
func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func slug(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), "-")
}

// nameKey folds a milestone's name as the engine does (milestoneKey).
func nameKey(name string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), " ")
}

func firstName(full string) string {
	f, _, _ := strings.Cut(full, " ")
	return f
}

// humanDay is how the engine's subjects name a meeting's day.
func humanDay(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// encodedSubject is a subject as compose writes it in the header: a
// Q-encoded word when it holds more than ASCII (the em dash of minutes
// subjects), plain otherwise.
func encodedSubject(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return "Subject: " + s + "\r\n"
	}
	var b strings.Builder
	b.WriteString("Subject:\r\n =?UTF-8?q?")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteByte('_')
		case c >= 0x80 || c == '=' || c == '?' || c == '_':
			fmt.Fprintf(&b, "=%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("?=\r\n")
	return b.String()
}

// mailHeader is the header block compose gives mailflow's mail (a sent
// mail's header is all a pruned row keeps of it).
type mailHeader struct {
	kind, project, projectAddress, from string
	to, replyTo, subject, messageID     string
	inReplyTo                           string // the message answered, for acks and errors
	references                          []string
	date                                time.Time
	boundary                            string
}

func (h mailHeader) bytes() []byte {
	var b strings.Builder
	b.Grow(800)
	b.WriteString("Auto-Submitted: auto-generated\r\n")
	b.WriteString("Date: " + h.date.Format(time.RFC1123Z) + "\r\n")
	if h.inReplyTo != "" {
		b.WriteString("In-Reply-To: <" + h.inReplyTo + ">\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Message-ID:\r\n <" + h.messageID + ">\r\n")
	if len(h.references) > 0 {
		b.WriteString("References:\r\n")
		for _, r := range h.references {
			b.WriteString(" <" + r + ">\r\n")
		}
	}
	b.WriteString(encodedSubject(h.subject))
	b.WriteString("X-Auto-Response-Suppress: All\r\n")
	b.WriteString("X-Mailflow-Kind: " + h.kind + "\r\n")
	b.WriteString("X-Mailflow-Loop: " + h.projectAddress + "\r\n")
	b.WriteString(`From: "` + h.project + `" <` + h.from + ">\r\n")
	b.WriteString("To: <" + h.to + ">\r\n")
	b.WriteString("Reply-To: <" + h.replyTo + ">\r\n")
	ct := "multipart/alternative"
	if h.kind == "status" {
		ct = "multipart/mixed"
	}
	b.WriteString("Content-Type: " + ct + ";\r\n boundary=" + h.boundary + "\r\n\r\n")
	return []byte(b.String())
}

// mailSize is how large each kind of mailflow's mail is, whole (measured
// on the engine's own templates: a status report carries its chart and
// workbook).
var mailSize = map[string]int{
	"minutes": 10_000, "ack": 3_400, "error": 4_100, "reminder": 4_800, "status": 52_000, "confirm": 4_000,
}

// filler is body text to cut mail bodies from: what is in them does not
// matter to the database, only how long they are.
var filler = func() []byte {
	line := "Thank you for the update. A-12 is now 60% done; the interface test window is confirmed for Tuesday.\r\n"
	return []byte(strings.Repeat(line, 60_000/len(line)+1))
}()

func body(size int) []byte {
	if size > len(filler) {
		size = len(filler)
	}
	return filler[:size]
}
