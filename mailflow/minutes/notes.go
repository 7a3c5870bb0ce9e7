package minutes

import (
	"strings"

	"mailflow/mailflow"
)

// The notes are what the minutes say besides the lists mailflow renders
// itself: the summary and the discussion, as written, so that the minutes
// mailed to the participants keep the meeting and not only its lists.

// doc is one text of the message (the body or an attachment) as lines.
type doc struct {
	first, end int // the entries of this text: entries[first:end]
	lines      []line
}

// renderedSections are the sections whose entries mailflow renders as
// lists of its own.
var renderedSections = map[section]bool{
	secActions: true, secRisks: true, secDecisions: true, secAttendees: true, secRegrets: true,
	secChanges: true, secChair: true, secMotions: true, secAttachments: true, secOutcomes: true,
	secMilestones: true, secAsks: true,
}

// notesMarker ends notes that were cut at MaxNotes.
const notesMarker = "\n[… the rest of the notes is in the original minutes]\n"

// rendered reports whether entry i is in a list mailflow renders, or is a
// line it shows elsewhere (the date, the chair, who came, the next
// meeting), so that the notes leave it out. grew says whether reading the
// entry, other than as prose, added an item, risk, decision or change.
func (p *parser) rendered(entries []entry, i int, grew bool) bool {
	e := &entries[i]
	switch {
	case renderedSections[e.sec] || grew:
		return true
	case e.table != nil:
		kind, _ := layout(e.table.header, e.sec)
		return kind != tableNone
	case i == p.nextMeeting[0] || i == p.nextMeeting[1] || isForwardHeader(e.text):
		return true
	case e.heading:
		return false
	}
	if p.labelled {
		return true
	}
	colon := strings.IndexByte(e.text[:min(len(e.text), 26)], ':')
	if colon < 0 {
		return false
	}
	if k, _, ok := metaLine(e.text); ok && k != "" {
		return true
	}
	text := plainText(e.text)
	if i := strings.IndexByte(text, ':'); i > 0 && i < 24 && peopleKeys[strings.ToLower(strings.TrimSpace(text[:i]))] {
		return true
	}
	return false
}

// isForwardHeader reports whether a line is the header of a forwarded
// mail: "---------- Forwarded message ---------", "From: Zoom <…>",
// "Sent: Tuesday, March 11, 2025 4:32 PM".
func isForwardHeader(s string) bool {
	if strings.Contains(s, "Forwarded message") || strings.HasPrefix(s, "Begin forwarded message") ||
		strings.HasPrefix(s, "-----Original Message") {
		return true
	}
	for _, h := range []string{"From: ", "Sent: ", "To: ", "Cc: ", "Subject: ", "Date: "} {
		if strings.HasPrefix(s, h) && (strings.Contains(s, "@") || h == "Sent: " || h == "Subject: " || h == "Date: ") {
			return true
		}
	}
	return false
}

// notes writes the entries the minutes keep as discussion, line by line as
// written, with the blank lines between them.
func (p *parser) notes(entries []entry, drop []bool) string {
	var b strings.Builder
	size := 0
	for _, d := range p.docs {
		for _, l := range d.lines {
			size += len(l.raw) + 1
		}
	}
	b.Grow(min(size, mailflow.MaxNotes+1024))
	for _, d := range p.docs {
		at := 0 // index into d.lines
		for i := d.first; i < d.end && i < len(entries); i++ {
			e := &entries[i]
			for at < len(d.lines) && d.lines[at].n < e.n {
				at++
			}
			if drop[i] {
				continue
			}
			if e.blankBefore && b.Len() > 0 {
				b.WriteByte('\n')
			}
			for k := at; k < len(d.lines) && d.lines[k].n <= e.last; k++ {
				b.WriteString(d.lines[k].raw)
				b.WriteByte('\n')
				if b.Len() > mailflow.MaxNotes {
					return cutNotes(b.String())
				}
			}
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
	}
	return strings.TrimSpace(b.String())
}

// cutNotes cuts notes at MaxNotes, at the end of a line, and says so.
func cutNotes(s string) string {
	limit := mailflow.MaxNotes - len(notesMarker)
	if len(s) > limit {
		s = cutUTF8(s, limit)
		if i := strings.LastIndexByte(s, '\n'); i > limit/2 {
			s = s[:i]
		}
	}
	return strings.TrimRight(s, "\n") + notesMarker
}
