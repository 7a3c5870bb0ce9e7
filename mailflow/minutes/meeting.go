package minutes

import (
	"net/mail"
	"regexp"
	"strings"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
)

var (
	reTitleNoise = regexp.MustCompile(`(?i)\b(minutes|mom|meeting notes?|mtg notes|notes (from|of)( the)?)\b\s*(of|from|for)?\s*[:\-–—]?`)
	reDateInText = regexp.MustCompile(`(?i)\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? \d{4})\b`)
	reDateLine   = regexp.MustCompile(`(?i)^\s*(?:date|meeting date|when)\s*:\s*(.+)$`)
	reTitleLine  = regexp.MustCompile(`(?i)^\s*(?:meeting|title|subject)\s*:\s*(.+)$`)
	reChairLine  = regexp.MustCompile(`(?i)^\s*(?:chair|chaired by|facilitator)\s*:\s*(.+)$`)
	reInlineList = regexp.MustCompile(`(?i)^\s*(?:[-*•]\s*)?(attendees|present|participants|attendance|in attendance|attending|regrets|apologies|absent)\s*:\s*(.+)$`)
	reW3CPresent = regexp.MustCompile(`(?i)^\s*(present|regrets)\+\s*(.+)$`)
)

// meeting fills the title, date, chair and attendees. The meeting day is
// needed before items are read, since relative due dates count from it.
func (p *parser) meeting(lines []string) {
	loc := p.opts.loc()
	subject := CleanSubject(p.msg.Subject)
	if !p.msg.Date.IsZero() {
		p.day = mailflow.DateOf(p.msg.Date.In(loc))
	}
	headerDay := p.day
	found := false
	if m := reDateInText.FindString(subject); m != "" {
		if d, err := dates.Parse(m, headerDay, p.opts.Dates); err == nil {
			p.day, found = d, true
		}
	}
	title := ""
	sec := secNone
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, ">") {
			continue
		}
		if i < 40 && !found {
			if m := reDateLine.FindStringSubmatch(line); m != nil {
				if d, err := dates.Parse(strings.TrimSpace(m[1]), headerDay, p.opts.Dates); err == nil {
					p.day, found = d, true
				} else if dm := reDateInText.FindString(m[1]); dm != "" {
					if d, err := dates.Parse(dm, headerDay, p.opts.Dates); err == nil {
						p.day, found = d, true
					}
				}
			}
		}
		if i < 40 && title == "" {
			if m := reTitleLine.FindStringSubmatch(line); m != nil {
				title = strings.TrimSpace(m[1])
			}
		}
		if m := reChairLine.FindStringSubmatch(line); m != nil && p.out.Meeting.Chair == "" {
			p.out.Meeting.Chair = strings.TrimSpace(m[1])
		}
		if m := reInlineList.FindStringSubmatch(line); m != nil {
			regrets := strings.Contains("regrets apologies absent", strings.ToLower(m[1]))
			p.people(m[2], regrets)
			sec = secNone
			continue
		}
		if m := reW3CPresent.FindStringSubmatch(line); m != nil {
			p.people(m[2], strings.EqualFold(m[1], "regrets"))
			continue
		}
		if s, ok := heading(line); ok {
			sec = s
			continue
		}
		if line == "" {
			continue
		}
		if sec == secAttendees || sec == secRegrets {
			p.people(reBullet.ReplaceAllString(line, ""), sec == secRegrets)
		}
	}
	if title == "" {
		title = strings.TrimSpace(reDateInText.ReplaceAllString(subject, ""))
		title = strings.TrimSpace(reTitleNoise.ReplaceAllString(title, ""))
		title = strings.Trim(title, " -–—:,()[]")
	}
	if title == "" {
		title = "Meeting"
	}
	p.out.Meeting.Title = title
	p.out.Meeting.Date = p.day
}

var rePeopleSplit = regexp.MustCompile(`\s*(?:[,;]|\band\b)\s*`)

// people adds a written list of attendees ("Alice Smith <alice@x>, Bob
// (vendor), carol@x") to the meeting.
func (p *parser) people(list string, regrets bool) {
	for _, part := range rePeopleSplit.Split(list, -1) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var person mailflow.Person
		if a, err := mail.ParseAddress(part); err == nil {
			person = mailflow.Person{Name: a.Name, Email: strings.ToLower(a.Address)}
		} else {
			if i := strings.Index(part, "("); i > 0 {
				part = strings.TrimSpace(part[:i]) // "Bob (vendor)"
			}
			person = mailflow.Person{Name: part}
		}
		if person.Email == "" {
			if m := p.rosterDir().Resolve(person.Name); len(m) == 1 {
				person.Email = m[0].Email
				if person.Name == "" {
					person.Name = m[0].Name
				}
			}
		}
		if regrets {
			p.out.Meeting.Regrets = append(p.out.Meeting.Regrets, person)
		} else if !containsPerson(p.out.Meeting.Attendees, person) {
			p.out.Meeting.Attendees = append(p.out.Meeting.Attendees, person)
		}
	}
}

func containsPerson(ps []mailflow.Person, q mailflow.Person) bool {
	for _, p := range ps {
		if (q.Email != "" && p.Email == q.Email) || (q.Email == "" && strings.EqualFold(p.Name, q.Name)) {
			return true
		}
	}
	return false
}

// rosterDir is the roster plus the mail's correspondents, used to find the
// emails of attendees written by name.
func (p *parser) rosterDir() *mailflow.Directory {
	d := mailflow.NewDirectory()
	for _, m := range p.opts.Roster {
		d.Add(m.Person)
	}
	d.Add(p.msg.From)
	for _, q := range p.msg.To {
		d.Add(q)
	}
	for _, q := range p.msg.Cc {
		d.Add(q)
	}
	return d
}

// directory builds the candidates owners resolve against: roster first,
// then attendees, then the mail's correspondents.
func (p *parser) directory() {
	d := mailflow.NewDirectory()
	for _, m := range p.opts.Roster {
		d.Add(m.Person)
	}
	for _, a := range p.out.Meeting.Attendees {
		d.Add(a)
	}
	d.Add(p.msg.From)
	for _, q := range p.msg.To {
		d.Add(q)
	}
	for _, q := range p.msg.Cc {
		d.Add(q)
	}
	p.dir = d
}
