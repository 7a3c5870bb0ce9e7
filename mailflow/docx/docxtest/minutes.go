package docxtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Word's run and paragraph markup: revision ids, fonts and language on
// every run, as a document edited over a few sessions has them.
const (
	runProps  = `<w:rPr><w:rFonts w:ascii="Calibri" w:eastAsia="Times New Roman" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB"/></w:rPr>`
	paraProps = `<w:spacing w:after="120" w:line="259" w:lineRule="auto"/><w:jc w:val="both"/>`
)

// wordMinutes writes minutes the way Word stores them: text split into
// runs at revision and spell-check boundaries, properties repeated on
// every run, paragraph ids on every paragraph.
type wordMinutes struct {
	b   strings.Builder
	rnd *rand.Rand
	ids int
}

// rsid returns a revision session id; a document edited in a few dozen
// sessions has a few dozen.
func (m *wordMinutes) rsid() string { return fmt.Sprintf("00%06X", 0x1A2B00+m.rnd.IntN(40)*0x1F1) }

// remark returns a sentence of discussion, varied as prose is.
func (m *wordMinutes) remark() string {
	pick := func(words []string) string { return words[m.rnd.IntN(len(words))] }
	var parts []string
	for range 2 + m.rnd.IntN(3) {
		parts = append(parts, pick(subjects)+" "+pick(reports)+" "+pick(objects)+" "+pick(clauses))
	}
	return strings.Join(parts, "; ") + "."
}

func (m *wordMinutes) runs(text string) {
	words := strings.Fields(text)
	for len(words) > 0 {
		n := min(len(words), 2+m.rnd.IntN(9))
		chunk := strings.Join(words[:n], " ")
		words = words[n:]
		if len(words) > 0 {
			chunk += " "
		}
		if m.rnd.IntN(5) == 0 {
			m.b.WriteString(`<w:proofErr w:type="spellStart"/>`)
		}
		fmt.Fprintf(&m.b, `<w:r w:rsidRPr="%s">%s<w:t xml:space="preserve">%s</w:t></w:r>`, m.rsid(), runProps, Escape(chunk))
	}
}

func (m *wordMinutes) para(pPr, text string) {
	m.ids++
	fmt.Fprintf(&m.b, `<w:p w14:paraId="%08X" w14:textId="77777777" w:rsidR="%s" w:rsidRDefault="%s" w:rsidP="%s"><w:pPr>%s%s%s</w:pPr>`,
		m.ids, m.rsid(), m.rsid(), m.rsid(), pPr, paraProps, runProps)
	m.runs(text)
	m.b.WriteString(`</w:p>`)
}

func (m *wordMinutes) heading(level int, text string) {
	m.para(fmt.Sprintf(`<w:pStyle w:val="Heading%d"/>`, level), text)
}

func (m *wordMinutes) item(numID int, text string) {
	m.para(fmt.Sprintf(`<w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="%d"/></w:numPr>`, numID), text)
}

func (m *wordMinutes) table(rows [][]string) {
	m.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	for range rows[0] {
		m.b.WriteString(`<w:gridCol w:w="2254"/>`)
	}
	m.b.WriteString(`</w:tblGrid>`)
	for i, r := range rows {
		fmt.Fprintf(&m.b, `<w:tr w:rsidR="%s" w14:paraId="%08X" w14:textId="77777777">`, m.rsid(), m.ids)
		if i == 0 {
			m.b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for _, c := range r {
			m.b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="2254" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="auto"/></w:tcPr>`)
			m.para("", c)
			m.b.WriteString(`</w:tc>`)
		}
		m.b.WriteString(`</w:tr>`)
	}
	m.b.WriteString(`</w:tbl>`)
}

var (
	people   = []string{"Alice Moreau", "Bob Okafor", "Carol Nguyen", "Dan Weiss", "Erin Walsh", "Farid Haddad", "Grace Lindqvist", "Hugo Brandt"}
	verbs    = []string{"send", "review", "update", "confirm", "book", "draft", "test", "escalate", "schedule", "circulate"}
	objects  = []string{"the super-user roster", "the cut-over runbook", "the interface specification", "the training rooms for ward 3", "the downtime procedure", "the pharmacy order sets", "the data migration report", "the go-live communication plan", "the label printer drivers", "the access request forms"}
	dues     = []string{"Fri 12 Dec", "15/12/2026", "next Tuesday", "2026-12-18", "end of January", "9 Jan", "before go-live", "Monday"}
	statuses = []string{"Open", "In progress", "Done", "Open", "Blocked"}
	subjects = []string{"The interface team", "Pharmacy", "The ward managers", "The vendor", "Finance", "The training lead", "Nursing informatics",
		"The clinical safety officer", "IT operations", "The data migration team", "Radiology", "The service desk", "Theatres", "Outpatients"}
	reports = []string{"reported progress on", "raised concerns about", "asked for more time for", "confirmed the scope of", "has not yet signed off",
		"proposed changes to", "tested", "will present", "flagged a dependency between the cut-over and", "completed the review of"}
	clauses = []string{"with three minor defects still open", "because of the vendor's resourcing", "ahead of the dress rehearsal",
		"which is two weeks behind plan", "subject to the board's approval", "after the overnight dry run", "as agreed at the last meeting",
		"pending the results of the reconciliation", "following feedback from the night staff", "within the current budget",
		"and the chair asked for it to be tabled again next week", "once the test environment is refreshed"}
)

// Minutes returns a .docx of realistic meeting minutes of about size
// bytes: a title, a meeting details table, attendees, agenda items with
// discussion, decisions, an action log table (Action | Owner | Due |
// Status) and a risk table, in Word's verbose markup.
func Minutes(size int) []byte {
	m := &wordMinutes{rnd: rand.New(rand.NewPCG(1, 2))}
	m.para(`<w:pStyle w:val="Title"/>`, "EHR Go-Live Steering Group – Minutes")
	m.table([][]string{{"Date", "Tuesday 24 November 2026"}, {"Time", "14:00–15:30"}, {"Location", "Boardroom 2 / Teams"}, {"Chair", "Alice Moreau"}})
	m.heading(1, "Attendees")
	m.para("", strings.Join(people, ", "))
	m.heading(1, "Apologies")
	m.para("", "Ivan Petrov, Julia Santos")
	for topic := 1; ; topic++ {
		m.heading(1, fmt.Sprintf("%d. Workstream update %d", topic, topic))
		for range 3 {
			m.para("", m.remark())
		}
		m.heading(2, "Decisions")
		m.item(2, "The go-live date of 2 March 2027 was confirmed.")
		m.item(2, "Training for night staff will run on the ward.")
		m.heading(2, "Action log")
		rows := [][]string{{"Action", "Owner", "Due", "Status"}}
		for range 8 {
			rows = append(rows, []string{
				verbs[m.rnd.IntN(len(verbs))] + " " + objects[m.rnd.IntN(len(objects))],
				people[m.rnd.IntN(len(people))], dues[m.rnd.IntN(len(dues))], statuses[m.rnd.IntN(len(statuses))],
			})
		}
		m.table(rows)
		m.heading(2, "Risks")
		m.table([][]string{{"Risk", "Likelihood", "Impact", "Mitigation", "Owner"},
			{"Order sets not ready for go-live", "High", "High", "Vendor to add two builders", people[m.rnd.IntN(len(people))]}})
		if doc := Build(m.b.String()); len(doc) >= size {
			return doc
		}
	}
}
