package minutes

import (
	"errors"
	"net/mail"
	"regexp"
	"strings"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
)

// maxAttendees bounds the attendee list of one meeting.
const maxAttendees = 500

var (
	reTitleNoise = regexp.MustCompile(`(?i)\b(minutes|mom|meeting notes?|mtg notes|notes (from|of)( the)?|notes|recap)\b\s*(of|from|for)?\s*[:\-–—]?`)
	// reVendorTitle reads the meeting's name out of the subjects meeting
	// assistants give their recaps: "Meeting assets for X are ready!",
	// "Meeting recap: X", "Notes: “X” Nov 24, 2026", "X - Meeting Summary".
	reVendorTitle = regexp.MustCompile(`(?i)^(?:meeting assets for (.+?) are ready!?|meeting recap:\s*(.+)|notes:\s*["“](.+?)["”].*|(.+?)\s*[-–—]\s*meeting summary)$`)
	reDateInText  = regexp.MustCompile(`(?i)\b(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4} \d{2} \d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? \d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\b`)
	reSpacedISO   = regexp.MustCompile(`^\d{4} \d{2} \d{2}$`)
	reYear        = regexp.MustCompile(`\d{4}`)
	reW3CPresent  = regexp.MustCompile(`(?i)^(present|regrets)\+\s*(.*)$`)
	rePersonTail  = regexp.MustCompile(`(?i)\s+(?:joined|left|arrived|dropped|from)\b.*$|\s*[(\[][^)\]]*[)\]]\s*$|\s+[-–—]\s+.*$`)
)

// meeting fills the title, date, chair and attendees. The meeting day is
// needed before items are read, since relative due dates count from it.
func (p *parser) meeting(entries []entry) {
	loc := p.opts.loc()
	subject := CleanSubject(p.msg.Subject)
	var headerDay mailflow.Date
	if !p.msg.Date.IsZero() {
		headerDay = mailflow.DateOf(p.msg.Date.In(loc))
	}
	p.day = headerDay
	found := false
	if d, ok := p.dateIn(subject, headerDay); ok {
		p.day, found = d, true
	}
	title := ""
	for i := range entries {
		e := &entries[i]
		if e.sec == secAttachments || e.table != nil {
			continue
		}
		early := i < 40
		if k, v, ok := metaLine(e.text); ok {
			switch k {
			case "date":
				if early && !found {
					if d, ok := p.dateIn(v, headerDay); ok {
						p.day, found = d, true
					}
				}
			case "title":
				if early && title == "" {
					title = vendorTitle(v)
				}
			case "chair":
				if p.out.Meeting.Chair == "" {
					// "Facilitator: Ryan, Notes: Carol", "Eric Holk (nominated)".
					v, _, _ = strings.Cut(v, ",")
					v, _, _ = strings.Cut(v, ";")
					p.out.Meeting.Chair = tidyText(rePersonTail.ReplaceAllString(v, ""))
				}
			}
		}
		if p.out.NextMeeting == "" {
			p.readNextMeeting(entries, i)
		}
		next := i == p.nextMeeting[0] || i == p.nextMeeting[1]
		if early && !found && !next && (e.heading || (i < 3 && !e.bullet && e.number == 0)) && wordCount(e.text) <= 10 && !isLabelled(e.text) {
			if d, ok := p.dateIn(e.text, headerDay); ok {
				p.day, found = d, true
			}
		}
		if strings.HasPrefix(e.text, "#") {
			p.botCommand(e.text, &title)
		}
		p.attendees(e)
	}
	if title == "" {
		title = cleanTitle(subject)
	}
	if title == "" {
		title = p.firstHeading(entries)
	}
	if title == "" {
		title = "Meeting"
	}
	p.out.Meeting.Title = title
	p.out.Meeting.Date = p.day
}

// nextMeeting reads "Next meeting: Tuesday 1 December, 16:00, room 2.14",
// "The next meeting will be held on 12 December", "Next meeting in two
// weeks" or a "Next meeting" heading over its line: the text goes with
// the minutes, and the day is what "by the next meeting" means.
func (p *parser) readNextMeeting(entries []entry, i int) {
	e := &entries[i]
	if e.table != nil || len(e.text) > 200 || !startsWithin(nextMeetingStarts, e.text) ||
		!containsFold(e.text[:min(len(e.text), 40)], "next meeting") {
		return
	}
	text := strings.TrimSpace(stripEmphasis(e.text))
	lower := strings.ToLower(text)
	lower = strings.TrimPrefix(lower, "the ")
	skip := len(text) - len(lower)
	var value string
	switch {
	case strings.HasPrefix(lower, "next meeting"):
		value = text[skip+len("next meeting"):]
	case strings.HasPrefix(lower, "date of next meeting"), strings.HasPrefix(lower, "date of the next meeting"):
		_, value, _ = strings.Cut(text, "meeting")
	default:
		return
	}
	value = strings.TrimSpace(value)
	p.nextMeeting = [2]int{i, -1}
	if e.heading || value == "" || value == ":" {
		if i+1 >= len(entries) || entries[i+1].heading || entries[i+1].table != nil {
			p.nextMeeting = [2]int{-1, -1}
			return
		}
		value = entries[i+1].text // a "Next meeting" heading over its line
		p.nextMeeting[1] = i + 1
	}
	value = strings.TrimLeft(value, ":*_ ")
	for _, lead := range []string{"date ", "will be held on ", "will be held ", "will be on ", "will be ", "is on ", "is ", "on "} {
		if strings.HasPrefix(strings.ToLower(value), lead) {
			value = value[len(lead):]
			break
		}
	}
	value = strings.TrimSpace(value)
	if value == "" || wordCount(value) > 25 {
		p.nextMeeting = [2]int{-1, -1}
		return
	}
	p.out.NextMeeting = value
	if d, ok := p.meetingDay(value); ok && d.After(p.day) {
		p.opts.Dates.NextMeeting = d
	}
}

// nextMeetingStarts are the first words of a "Next meeting" line.
var nextMeetingStarts = map[string]bool{"next": true, "the": true, "date": true}

// meetingDay reads the day a "Next meeting" line gives: "in two weeks",
// "Tuesday", "Tuesday 1 December, 16:00, room 2.14".
func (p *parser) meetingDay(value string) (mailflow.Date, bool) {
	first, _, _ := strings.Cut(value, ",")
	opts := p.opts.Dates
	opts.NextMeeting = mailflow.Date{}
	if d, err := dates.Parse(first, p.day, opts); err == nil {
		return d, true
	}
	return p.dateIn(value, p.day)
}

func isLabelled(s string) bool {
	_, ok := readLabel(s)
	return ok
}

// metaLine reads the "Date:", "Meeting:"/"Title:" and "Chair:" lines at
// the top of minutes.
func metaLine(s string) (key, value string, ok bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon > 20 {
		return "", "", false
	}
	k := strings.ToLower(strings.Trim(s[:colon], "*_ "))
	v := strings.TrimSpace(strings.Trim(s[colon+1:], "*_ "))
	if v == "" {
		return "", "", false
	}
	switch k {
	case "date", "meeting date", "date of meeting", "when", "held on":
		return "date", v, true
	case "meeting", "title", "subject", "meeting title":
		return "title", v, true
	case "chair", "chaired by", "chairperson", "facilitator", "chair person":
		return "chair", v, true
	}
	return "", "", false
}

// dateIn finds a meeting date in s, reading a date without a year as the
// one nearest the day the mail was sent.
func (p *parser) dateIn(s string, near mailflow.Date) (mailflow.Date, bool) {
	for _, m := range reDateInText.FindAllString(s, 3) {
		if reSpacedISO.MatchString(m) {
			m = strings.ReplaceAll(m, " ", "-")
		}
		if near.IsZero() && !reYear.MatchString(m) {
			continue
		}
		ref := near
		if ref.IsZero() {
			ref = mailflow.NewDate(2000, 1, 1) // only dates with a year get here
		}
		if d, err := dates.ParseNear(m, ref, p.opts.Dates); err == nil {
			return d, true
		}
	}
	return mailflow.Date{}, false
}

// botCommand reads the MeetBot commands that describe the meeting:
// "#startmeeting Weekly sync", "#meetingname …", "#chair alice".
func (p *parser) botCommand(text string, title *string) {
	cmd, arg, _ := strings.Cut(text, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(cmd) {
	case "#startmeeting", "#meetingname":
		if arg != "" {
			*title = arg
		}
	case "#chair":
		if f := strings.Fields(arg); len(f) > 0 && p.out.Meeting.Chair == "" {
			p.out.Meeting.Chair = f[0]
		}
	case "#here", "#present":
		p.people(arg, false)
	}
}

// attendees reads the people an entry lists.
func (p *parser) attendees(e *entry) {
	if e.heading {
		return
	}
	text := plainText(e.text)
	if text == "" {
		return
	}
	if c := text[0] | 0x20; (c == 'p' || c == 'r') && strings.IndexByte(text[:min(len(text), 9)], '+') > 0 {
		if m := reW3CPresent.FindStringSubmatch(text); m != nil {
			list := m[2]
			if strings.TrimSpace(list) == "" {
				list = e.nick // "present+" alone: the speaker
			}
			p.people(list, strings.EqualFold(m[1], "regrets"))
			return
		}
	}
	if i := strings.IndexAny(text, ":="); i > 0 && i < 24 && peopleKeys[strings.ToLower(strings.TrimSpace(text[:i]))] {
		p.people(text[i+1:], isRegretsWord(text[:i]))
		return
	}
	if e.sec == secChair {
		if p.out.Meeting.Chair == "" {
			p.out.Meeting.Chair = tidyText(rePersonTail.ReplaceAllString(strings.SplitN(text, ",", 2)[0], ""))
		}
		return
	}
	if e.sec != secAttendees && e.sec != secRegrets && !(isCheckbox(text) && isPersonRow(text)) {
		return
	}
	regrets := e.sec == secRegrets
	if st, rest, ok := checkbox(text); ok {
		// An attendance checklist: ticked came, not ticked did not.
		regrets, text = regrets || st == mailflow.ItemOpen, rest
	}
	// "Council: Carol, JP, Mark", "Missing attendees: Jonathan".
	if i := strings.IndexByte(text, ':'); i > 0 && i < 30 && wordCount(text[:i]) <= 3 {
		if isRegretsWord(text[:i]) {
			regrets = true
		}
		text = text[i+1:]
	}
	p.people(text, regrets)
}

// peopleKeys start the lines that list who came: "Attendees: …",
// "Regrets: …".
var peopleKeys = map[string]bool{
	"attendees": true, "present": true, "participants": true, "attendance": true, "in attendance": true,
	"attending": true, "people present": true, "regrets": true, "apologies": true, "absent": true,
	"missing": true, "unavailable": true, "not present": true, "not attending": true, "guests": true,
}

func isRegretsWord(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"regret", "apolog", "absent", "missing", "unavailable", "not present", "not attending"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// people adds a written list of attendees ("Alice Smith <alice@x>, Bob
// (vendor), carol@x") to the meeting.
func (p *parser) people(list string, regrets bool) {
	// "Alice, Bob, Carol, Dan. Erin out sick": the list ends at its full
	// stop; what follows says who is away.
	if ss := sentences(list); len(ss) > 1 {
		list = ss[0]
		for _, s := range ss[1:] {
			if name, ok := awayName(s); ok {
				p.people(name, true)
			}
		}
	}
	for i, part := range splitList(list, false) {
		if i >= 200 {
			break
		}
		if part == "" || isNothing(part) {
			continue
		}
		lower := strings.ToLower(part)
		isChair := strings.Contains(lower, "(chair") || strings.HasSuffix(lower, " chair")
		for _, w := range []string{" not attending", " absent", " (absent)", " sends regrets"} {
			if strings.HasSuffix(lower, w) {
				regrets, part = true, strings.TrimSpace(part[:len(part)-len(w)])
			}
		}
		var person mailflow.Person
		if a, err := parseAddress(part); err == nil {
			person = mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)}
		} else {
			name := part
			if strings.ContainsAny(name, "([-–—") || containsFold(name, " joined") || containsFold(name, " left") ||
				containsFold(name, " arrived") || containsFold(name, " dropped") || containsFold(name, " from") {
				name = strings.TrimSpace(rePersonTail.ReplaceAllString(name, ""))
			}
			name = strings.Trim(name, "*_.:")
			if name == "" || wordCount(name) > 4 || nobody[strings.ToLower(name)] || !startsLetter(name) ||
				(strings.HasSuffix(strings.ToLower(name), "bot") && !strings.Contains(name, " ")) {
				continue
			}
			person = mailflow.Person{Name: name}
		}
		if person.Email == "" {
			if m := p.rosterDir.Resolve(person.Name); len(m) == 1 && m[0].Email != "" {
				person.Email = m[0].Email
			}
		}
		if isChair && p.out.Meeting.Chair == "" {
			p.out.Meeting.Chair = person.Name
		}
		mt := &p.out.Meeting
		if containsPerson(mt.Attendees, person) || containsPerson(mt.Regrets, person) ||
			len(mt.Attendees)+len(mt.Regrets) >= maxAttendees {
			continue
		}
		if regrets {
			mt.Regrets = append(mt.Regrets, person)
		} else {
			mt.Attendees = append(mt.Attendees, person)
		}
	}
}

// isPersonRow reports whether a checklist row names a person rather
// than a task: "☒ Gordon Bradley, Autodesk", "[x] Jane Roe (Acme)".
func isPersonRow(text string) bool {
	_, rest, ok := checkbox(text)
	if !ok {
		return false
	}
	name := rest
	if i := strings.IndexAny(rest, ",(–-"); i > 0 {
		name = strings.TrimSpace(rest[:i])
		if org := rest[i+1:]; wordCount(org) > 5 {
			return false
		}
	}
	words := strings.Fields(name)
	if len(words) < 2 || len(words) > 3 || !nameShaped(name) {
		return false
	}
	for _, w := range words {
		if !startsUpper(w) {
			return false
		}
	}
	return true
}

// awayWords say someone is not at the meeting: "Erin out sick", "Bob is
// on leave", "Dan sends apologies".
var awayWords = []string{"out sick", "is out", "out", "off sick", "is off", "away", "is away", "on leave",
	"is on leave", "absent", "is absent", "excused", "sends apologies", "sent apologies", "sends regrets",
	"unable to attend", "could not attend", "not present", "on holiday", "on vacation", "ill", "is ill"}

// awayName reads a sentence that says who is away.
func awayName(s string) (string, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), ".;")
	lower := strings.ToLower(s)
	for _, w := range awayWords {
		if i := strings.Index(lower, " "+w); i > 0 {
			rest := strings.TrimSpace(lower[i+1+len(w):])
			name := strings.TrimSpace(s[:i])
			if (rest == "" || strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "today") || strings.HasPrefix(rest, "this")) &&
				nameShaped(name) && wordCount(name) <= 6 {
				return name, true
			}
		}
	}
	return "", false
}

// parseAddress reads "Name <addr>" or a bare address; text without "@"
// is not tried, since mail.ParseAddress is slow to fail.
func parseAddress(s string) (*mail.Address, error) {
	if !strings.Contains(s, "@") {
		return nil, errNoAddress
	}
	return mail.ParseAddress(s)
}

var errNoAddress = errors.New("no address")

func startsLetter(s string) bool {
	for _, r := range s {
		return r == '@' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || r > 127
	}
	return false
}

func containsPerson(ps []mailflow.Person, q mailflow.Person) bool {
	for _, p := range ps {
		if (q.Email != "" && p.Email == q.Email) || (q.Email == "" && strings.EqualFold(p.Name, q.Name)) {
			return true
		}
	}
	return false
}

// cleanTitle turns a subject or heading into a meeting title: "Minutes:
// EHR rollout weekly 2026-11-24" becomes "EHR rollout weekly".
func cleanTitle(s string) string {
	t := vendorTitle(s)
	if strings.ContainsAny(t, "0123456789") {
		t = strings.TrimSpace(reDateInText.ReplaceAllString(t, ""))
	}
	t = strings.TrimSpace(reTitleNoise.ReplaceAllString(t, ""))
	t = strings.Trim(t, " -–—:,()[]#*_")
	t = strings.Join(strings.Fields(t), " ")
	if len(t) > 4 && strings.EqualFold(t[:4], "the ") {
		t = t[4:]
	}
	return t
}

// vendorTitle returns the meeting's name in a recap's subject, or s.
func vendorTitle(s string) string {
	if m := reVendorTitle.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		for _, g := range m[1:] {
			if g != "" {
				return strings.TrimSpace(g)
			}
		}
	}
	return s
}

// firstHeading returns a title from the top of the body: its first line
// or first top-level heading, unless that is only a date or a word such
// as "Agenda".
func (p *parser) firstHeading(entries []entry) string {
	for i, e := range entries {
		if i >= 3 {
			break
		}
		if i > 0 && !strings.HasPrefix(e.text, "# ") {
			continue
		}
		if e.table != nil || e.bullet || wordCount(e.text) > 10 {
			continue
		}
		if _, _, ok := metaLine(e.text); ok {
			continue
		}
		t := cleanTitle(strings.TrimLeft(e.text, "# "))
		switch strings.ToLower(t) {
		case "", "agenda", "notes", "minutes", "attendance", "meeting":
			continue
		}
		return t
	}
	return ""
}
