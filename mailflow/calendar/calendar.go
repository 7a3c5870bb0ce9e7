// Package calendar writes action items as an iCalendar file (RFC 5545) so
// owners see their due dates in their calendar. Each item is an all-day
// VEVENT on its due date — the form Outlook, Gmail and Apple Calendar all
// import — with a UID stable per item, so a later mail updates the event
// instead of adding a second one.
package calendar

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"mailflow/mailflow"
)

// Item is one dated action item for the calendar.
type Item struct {
	Ref       string
	Text      string
	Due       mailflow.Date
	Status    mailflow.ItemStatus
	UpdatedAt time.Time
}

// sequenceEpoch is subtracted from an item's last change time (in seconds)
// to give its SEQUENCE. It must never change: calendars keep the highest
// SEQUENCE they saw and ignore an update with a lower one.
const sequenceEpoch = 1700000000

// maxLine is the longest content line RFC 5545 3.1 allows, in octets
// without the CRLF.
const maxLine = 75

// UID returns the stable calendar UID of an item of a project.
func UID(projectAddr, ref string) string {
	local, domain, _ := strings.Cut(projectAddr, "@")
	return strings.ToLower(ref) + "." + local + "@" + domain
}

// Sequence returns the SEQUENCE of an item last changed at updated: it grows
// with every change (RFC 5545 3.8.7.4), so a calendar that imported the item
// before takes the new due date, and it is never negative.
func Sequence(updated time.Time) int {
	if updated.IsZero() {
		return 0
	}
	s := updated.Unix() - sequenceEpoch
	switch {
	case s < 0:
		return 0
	case s > math.MaxInt32: // the value type is a 32-bit integer (3.3.8)
		return math.MaxInt32
	}
	return int(s)
}

// Encode returns a VCALENDAR with one event per item that has a due date,
// or nil when none has.
func Encode(project, projectAddr string, items []Item, now time.Time) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//mailflow//action items//EN")
	// PUBLISH (RFC 5546 3.2.1): a copy for the reader's calendar, no reply
	// expected. It requires ORGANIZER, DTSTAMP, DTSTART, SUMMARY and UID
	// in each event.
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	stamp := now.UTC().Truncate(time.Second)
	for _, it := range items {
		if it.Due.IsZero() {
			continue
		}
		ev := ical.NewComponent(ical.CompEvent)
		ev.Props.SetText(ical.PropUID, plainText(UID(projectAddr, it.Ref)))
		ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
		if !it.UpdatedAt.IsZero() {
			ev.Props.SetDateTime(ical.PropLastModified, it.UpdatedAt.UTC().Truncate(time.Second))
		}
		// An all-day event: DATE values, DTEND the day after (3.6.1).
		ev.Props.SetDate(ical.PropDateTimeStart, it.Due.Time(time.UTC))
		ev.Props.SetDate(ical.PropDateTimeEnd, it.Due.AddDays(1).Time(time.UTC))
		// Every text from people goes through plainText; the one line
		// break of DESCRIPTION is ours.
		ref, text := plainText(it.Ref), plainText(it.Text)
		ev.Props.SetText(ical.PropSummary, fmt.Sprintf("%s due: %s", ref, text))
		ev.Props.SetText(ical.PropDescription, fmt.Sprintf("%s action item %s: %s\nReply to the mailflow mail with \"%s done\" when it is done.",
			plainText(project), ref, text, ref))
		org := ical.NewProp(ical.PropOrganizer)
		org.Value = "mailto:" + projectAddr
		if name := paramSafe(project); name != "" {
			org.Params.Set(ical.ParamCommonName, name)
		}
		ev.Props.Set(org)
		seq := ical.NewProp(ical.PropSequence)
		seq.Value = fmt.Sprint(Sequence(it.UpdatedAt))
		ev.Props.Set(seq)
		status := "CONFIRMED"
		if it.Status == mailflow.ItemCancelled || it.Status == mailflow.ItemDone {
			status = "CANCELLED"
		}
		ev.Props.SetText(ical.PropStatus, status)
		// A due date is not a meeting: it does not make the owner busy.
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		cal.Children = append(cal.Children, ev)
	}
	if len(cal.Children) == 0 {
		return nil, nil
	}
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode calendar: %w", err)
	}
	return Fold(b.Bytes()), nil
}

// Fold splits content lines longer than 75 octets into a first line and
// continuation lines that start with a space (RFC 5545 3.1), never inside a
// UTF-8 sequence. go-ical's encoder does not fold.
func Fold(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/maxLine*3)
	for len(b) > 0 {
		line := b
		rest := []byte(nil)
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			line, rest = b[:i], b[i+2:]
		}
		limit := maxLine
		for len(line) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = maxLine - 1 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
		b = rest
	}
	return out.Bytes()
}

// plainText makes one line of text for the calendar: white space of any
// kind (line breaks too) becomes one space, and C0 and C1 control
// characters and the bidi controls go. A calendar shows SUMMARY in places
// mailflow's mail never reaches (a phone's lock screen, a shared team
// calendar), so an item's text must not be able to reorder what is shown
// around it (U+202E "right-to-left override" turning "exe.doc" around) or
// smuggle terminal escapes.
func plainText(s string) string {
	if mailflow.PlainWords(s) {
		return s // refs, addresses and most item texts
	}
	return oneLine(s)
}

// oneLine is plainText's definition: white space made single spaces,
// control and bidi characters dropped, the ends trimmed.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), isBidiControl(r):
			return -1
		}
		return r
	}, s)), " ")
}

// isBidiControl reports whether r is one of the explicit directional
// formatting characters of Unicode's bidi algorithm (UAX #9 2.1-2.6):
// embeddings and overrides, isolates, and the implicit marks LRM, RLM and
// ALM.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r == 0x200E || r == 0x200F || r == 0x061C
}

// paramSafe makes a parameter value: plainText without quotes (3.1: a
// param-value cannot hold DQUOTE).
func paramSafe(s string) string {
	return plainText(strings.ReplaceAll(s, `"`, ""))
}
