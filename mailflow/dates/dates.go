// Package dates reads the due dates people write in minutes and replies
// ("by Friday", "Dec 3", "12/3", "end of month", "in 2 weeks") relative to
// the meeting day. A phrase it cannot read is an error, never a guess; a
// span of time where a day belongs ("w/c 26 Oct", "in the coming weeks")
// is ErrVague.
package dates

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"mailflow/mailflow"
)

// Options says how to read ambiguous forms.
type Options struct {
	// DayFirst reads 12/3 as 12 March instead of December 3.
	DayFirst bool
	// NextMeeting is the day of the next meeting, when the minutes say it
	// ("Next meeting: Tuesday 1 December"); "by the next meeting" is then
	// that day.
	NextMeeting mailflow.Date
	// CadenceDays is how far away the next meeting is when no day was
	// given. Zero means nobody said: "next meeting" is then no date, since
	// a guess would be a due date nobody set.
	CadenceDays int
	// NoSpans refuses "next week" and "this week" with ErrVague, as every
	// other span of time ("in the coming weeks", "w/c 26 Oct") is refused:
	// a week is not a day, and its first or last day would be a due date
	// nobody set. Without it they read as a week after the meeting and
	// the Friday of its week, as replies have always read them.
	NoSpans bool
}

// ErrUnreadable is returned for a phrase that is not a date mailflow knows.
var ErrUnreadable = errors.New("unreadable date")

// ErrNoNextMeeting is returned for "by the next meeting" when nobody said
// when that is; it wraps ErrUnreadable.
var ErrNoNextMeeting = fmt.Errorf("%w: no date is set for the next meeting", ErrUnreadable)

// ErrVague is returned for a span of time that names no day: "next week",
// "this week", "in the coming weeks". Taking the first or last day of it
// would be a due date nobody set. It wraps ErrUnreadable.
var ErrVague = fmt.Errorf("%w: a span of time, not a day", ErrUnreadable)

// weekSpans are the spans that read as a day unless Options.NoSpans says
// otherwise.
var weekSpans = map[string]func(ref mailflow.Date, opts Options) mailflow.Date{
	"next week": func(ref mailflow.Date, _ Options) mailflow.Date { return ref.AddDays(7) },
	"this week": endOfWeek,
}

// vagueSpans are the spans people write where a deadline would go.
var vagueSpans = map[string]bool{
	"next week": true, "this week": true, "this coming week": true, "the coming week": true, "coming week": true,
	"the coming weeks": true, "coming weeks": true, "in the coming weeks": true, "over the coming weeks": true,
	"in the coming days": true, "over the coming days": true, "in the next few weeks": true,
	"over the next few weeks": true, "in the next few days": true, "the next few weeks": true,
	"early next week": true, "later this week": true, "later next week": true, "sometime next week": true,
	"some time next week": true, "during the week": true, "within the week": true,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdays = map[string]time.Weekday{
	"sun": 0, "sunday": 0, "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
	"thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6,
}

var numbers = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple of": 2, "a couple of": 2,
}

// fixed are phrases that name a day relative to the meeting.
var fixed = map[string]func(ref mailflow.Date, opts Options) mailflow.Date{
	"today":              func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"eod":                func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"end of day":         func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"end of the day":     func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"cob":                func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"close of business":  func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"tonight":            func(ref mailflow.Date, _ Options) mailflow.Date { return ref },
	"tomorrow":           func(ref mailflow.Date, _ Options) mailflow.Date { return ref.AddDays(1) },
	"day after tomorrow": func(ref mailflow.Date, _ Options) mailflow.Date { return ref.AddDays(2) },
	"end of week":        endOfWeek,
	"eow":                endOfWeek,
	"end of this week":   endOfWeek,
	"end of the week":    endOfWeek,
	"end of next week":   func(ref mailflow.Date, o Options) mailflow.Date { return endOfWeek(ref, o).AddDays(7) },
	"end of month":       endOfMonth,
	"eom":                endOfMonth,
	"this month":         endOfMonth,
	"end of this month":  endOfMonth,
	"end of the month":   endOfMonth,
	"end of next month":  func(ref mailflow.Date, _ Options) mailflow.Date { return mailflow.NewDate(ref.Year, ref.Month+2, 0) },
	"next month":         func(ref mailflow.Date, _ Options) mailflow.Date { return addMonths(ref, 1) },
	"end of quarter":     endOfQuarter,
	"end of the quarter": endOfQuarter,
	"eoq":                endOfQuarter,
	"end of year":        func(ref mailflow.Date, _ Options) mailflow.Date { return mailflow.NewDate(ref.Year, 12, 31) },
	"end of the year":    func(ref mailflow.Date, _ Options) mailflow.Date { return mailflow.NewDate(ref.Year, 12, 31) },
}

func endOfWeek(ref mailflow.Date, _ Options) mailflow.Date {
	return nextWeekday(ref, time.Friday, true)
}
func endOfMonth(ref mailflow.Date, _ Options) mailflow.Date {
	return mailflow.NewDate(ref.Year, ref.Month+1, 0)
}
func endOfQuarter(ref mailflow.Date, _ Options) mailflow.Date {
	q := (int(ref.Month)-1)/3*3 + 3
	return mailflow.NewDate(ref.Year, time.Month(q)+1, 0)
}
func nextMeeting(ref mailflow.Date, o Options) mailflow.Date {
	if !o.NextMeeting.IsZero() && o.NextMeeting.After(ref) {
		return o.NextMeeting
	}
	return ref.AddDays(o.CadenceDays)
}

// knowsNextMeeting reports whether opts say when the next meeting is.
func (o Options) knowsNextMeeting(ref mailflow.Date) bool {
	return !o.NextMeeting.IsZero() && o.NextMeeting.After(ref) || o.CadenceDays > 0
}

var (
	reISO      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reSlash    = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$`)
	reMonthDay = regexp.MustCompile(`^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$`)
	reDayMonth = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?(?: of)?[ -]([a-z]+)\.?(?:[ ,-]+(\d{4}|'?\d{2}))?$`)
	reOrdinal  = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)(?: of the month)?$`)
	reIn       = regexp.MustCompile(`^(?:in|within) ([a-z0-9]+(?: of)?) (day|days|week|weeks|month|months)(?:'? time)?$`)
	reWeekday  = regexp.MustCompile(`^(?:(next|this|on|coming|the) )?([a-z]+)( next week)?$`)
	reTimeTail = regexp.MustCompile(`(?:,? (?:at|@|by))? (?:\d{1,2}(?::\d{2})?\s?(?:am|pm)?|noon|midday|midnight|eod|cob|eob|end of (?:the )?(?:day|business))(?: [a-z]{2,5})?$`)
	// reClockTail is a time of day after a calendar date: "June 16, 12.00
	// CET", "16 June 2025 at 17:00", "Dec 3 5pm".
	reClockTail  = regexp.MustCompile(`(?:,|\s)\s*(?:at\s+|@\s*)?(?:\d{1,2}[:.]\d{2}(?:\s?(?:am|pm))?|\d{1,2}\s?(?:am|pm)|noon|midday|midnight)(?:\s*(?:[a-z]{2,5}|[+-]\d{2}:?\d{2}))?$`)
	reEndOfMonth = regexp.MustCompile(`^end(?: of|-| ) ?([a-z]+)\.?(?:,? (\d{4}))?$`)
	// reVagueWeek is a week or part of a month, not a day: "w/c 26 Oct",
	// "week commencing 26/10", "mid-November", "early Dec".
	reVagueWeek = regexp.MustCompile(`^(?:(?:w/c|wc|w/b|wb|week commencing|week beginning|(?:the )?week of) ?[a-z0-9]|(?:mid|early|late)[- ]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))`)
)

// dayParts are the words before a day that only say what time of it:
// "COB Friday", "end of day Monday", "noon Tuesday".
var dayParts = []string{"cob ", "eod ", "eob ", "close of business ", "close of business on ", "end of day ",
	"end of the day ", "end of business ", "noon ", "midday ", "morning of ", "evening of ", "the morning of ",
	"the evening of "}

// Parse reads phrase as a date relative to the meeting day ref. A date
// without a year is the next such day on or after the meeting (allowing
// for a date a little in the past, which is an overdue item rather than
// one due next year).
func Parse(phrase string, ref mailflow.Date, opts Options) (mailflow.Date, error) {
	return parse(phrase, ref, opts, upcoming)
}

// ParseNear reads phrase like Parse, but gives a date without a year the
// year that puts it nearest ref. It suits the date of a meeting, written
// in the minutes a few days before or after it was sent.
func ParseNear(phrase string, ref mailflow.Date, opts Options) (mailflow.Date, error) {
	return parse(phrase, ref, opts, nearest)
}

type yearRule func(ref mailflow.Date, mo, d int, phrase string) (mailflow.Date, error)

func parse(phrase string, ref mailflow.Date, opts Options, year yearRule) (mailflow.Date, error) {
	s := normalise(phrase)
	if s == "" {
		return mailflow.Date{}, fmt.Errorf("%w: empty", ErrUnreadable)
	}
	// A calendar date, possibly after a weekday ("Thu 3 Dec") or in
	// brackets after one ("Friday (Dec 4)"), possibly with a time of day
	// after it ("June 16, 12.00 CET"): the date decides.
	for _, c := range dateCandidates(s) {
		if d, ok := parseAbsolute(c, ref, opts, year, phrase); ok {
			return d.date, d.err
		}
		if !mayHaveClock(c) {
			continue
		}
		if t := reClockTail.ReplaceAllString(c, ""); t != c && t != "" {
			if d, ok := parseAbsolute(strings.TrimRight(t, " ,"), ref, opts, year, phrase); ok {
				return d.date, d.err
			}
		}
	}
	if !strings.HasPrefix(s, "end") {
		// Not "end of October": on to relative phrases.
	} else if m := reEndOfMonth.FindStringSubmatch(s); m != nil {
		if mo, ok := months[m[1]]; ok {
			// "end of October": its last day, in the year it comes next.
			first := withYear(ref, int(mo), 1, m[2], year, phrase)
			if first.err == nil {
				return mailflow.NewDate(first.date.Year, first.date.Month+1, 0), nil
			}
		}
	}
	if lenient, ok := weekSpans[s]; ok && !opts.NoSpans && !ref.IsZero() {
		return lenient(ref, opts), nil
	}
	if vagueSpans[s] || reVagueWeek.MatchString(s) {
		return mailflow.Date{}, fmt.Errorf("%q: %w", phrase, ErrVague)
	}
	if ref.IsZero() {
		return mailflow.Date{}, fmt.Errorf("%w: %q needs the meeting date to count from", ErrUnreadable, phrase)
	}
	if isNextMeeting(s) && !opts.knowsNextMeeting(ref) {
		return mailflow.Date{}, fmt.Errorf("%q: %w", phrase, ErrNoNextMeeting)
	}
	// Relative phrases, possibly with a time of day: "Friday 5pm", "tomorrow EOD".
	if d, ok := parseRelativeOrFixed(s, ref, opts); ok {
		return d.date, d.err
	}
	if t := reTimeTail.ReplaceAllString(s, ""); t != s && t != "" {
		if d, ok := parseRelativeOrFixed(t, ref, opts); ok {
			return d.date, d.err
		}
	}
	return mailflow.Date{}, fmt.Errorf("%w: %q", ErrUnreadable, phrase)
}

// mayHaveClock reports whether s could end with a time of day, before the
// regular expression that reads it is tried: "12.00", "5pm", "noon".
func mayHaveClock(s string) bool {
	return strings.ContainsAny(s, ":.") || strings.HasSuffix(s, "m") || strings.Contains(s, "noon") ||
		strings.Contains(s, "midday") || strings.Contains(s, "midnight") || strings.Count(s, " ") > 2
}

// nextMeetingWords name the next meeting.
var nextMeetingWords = map[string]bool{
	"next meeting": true, "the next meeting": true, "our next meeting": true, "next call": true,
	"next sync": true, "next session": true, "next time": true, "next weekly": true,
	"next week's meeting": true, "next weekly meeting": true, "next project meeting": true,
}

// isNextMeeting reports whether s names the next meeting.
func isNextMeeting(s string) bool { return nextMeetingWords[s] }

func parseRelativeOrFixed(s string, ref mailflow.Date, opts Options) (result, bool) {
	if nextMeetingWords[s] {
		return result{date: nextMeeting(ref, opts)}, true
	}
	if f, ok := fixed[s]; ok {
		return result{date: f(ref, opts)}, true
	}
	return parseRelative(s, ref)
}

// dateCandidates returns s, and the date part of "tue dec 3", "friday,
// 12/4" and "friday (dec 4)".
func dateCandidates(s string) []string {
	out := []string{s}
	first, rest, ok := strings.Cut(s, " ")
	if !ok {
		return out
	}
	if _, ok := weekdays[strings.TrimSuffix(first, ",")]; ok {
		rest = strings.Trim(rest, "() ,")
		out = append(out, strings.TrimPrefix(rest, "the "))
	}
	return out
}

type result struct {
	date mailflow.Date
	err  error
}

// parseAbsolute reads calendar dates: ISO, numeric and with month names.
func parseAbsolute(s string, ref mailflow.Date, opts Options, year yearRule, phrase string) (result, bool) {
	if m := reISO.FindStringSubmatch(s); m != nil {
		d, err := checked(atoi(m[1]), atoi(m[2]), atoi(m[3]), phrase)
		return result{d, err}, true
	}
	if m := reSlash.FindStringSubmatch(s); m != nil {
		mo, d := atoi(m[1]), atoi(m[2])
		if opts.DayFirst {
			mo, d = d, mo
		}
		if mo > 12 && d <= 12 {
			mo, d = d, mo // "23/10/2026" read month first: a day above 12 is no month
		}
		if m[3] != "" {
			y := atoi(m[3])
			if y < 100 {
				y += 2000
			}
			date, err := checked(y, mo, d, phrase)
			return result{date, err}, true
		}
		date, err := year(ref, mo, d, phrase)
		return result{date, err}, true
	}
	if m := reMonthDay.FindStringSubmatch(s); m != nil {
		if mo, ok := months[m[1]]; ok {
			return withYear(ref, int(mo), atoi(m[2]), m[3], year, phrase), true
		}
	}
	if m := reDayMonth.FindStringSubmatch(s); m != nil {
		if mo, ok := months[m[2]]; ok {
			return withYear(ref, int(mo), atoi(m[1]), m[3], year, phrase), true
		}
	}
	if m := reOrdinal.FindStringSubmatch(s); m != nil {
		// "by the 15th": the next 15th after the meeting.
		d := atoi(m[1])
		date, err := checked(ref.Year, int(ref.Month), d, phrase)
		if err == nil && !date.After(ref) {
			date, err = checked(ref.Year, int(ref.Month)+1, d, phrase)
			if int(ref.Month) == 12 {
				date, err = checked(ref.Year+1, 1, d, phrase)
			}
		}
		return result{date, err}, true
	}
	return result{}, false
}

func withYear(ref mailflow.Date, mo, d int, y string, year yearRule, phrase string) result {
	if y != "" {
		n := atoi(strings.TrimPrefix(y, "'"))
		if n < 100 {
			n += 2000 // "23-Oct-26"
		}
		date, err := checked(n, mo, d, phrase)
		return result{date, err}
	}
	date, err := year(ref, mo, d, phrase)
	return result{date, err}
}

// parseRelative reads "in 2 weeks" and weekday names.
func parseRelative(s string, ref mailflow.Date) (result, bool) {
	if m := reIn.FindStringSubmatch(s); m != nil {
		n, ok := numbers[m[1]]
		if !ok {
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil || n > 1000 {
				return result{err: fmt.Errorf("%w: %q", ErrUnreadable, s)}, true
			}
		}
		switch {
		case strings.HasPrefix(m[2], "day"):
			return result{date: ref.AddDays(n)}, true
		case strings.HasPrefix(m[2], "week"):
			return result{date: ref.AddDays(7 * n)}, true
		default:
			return result{date: addMonths(ref, n)}, true
		}
	}
	if m := reWeekday.FindStringSubmatch(s); m != nil {
		wd, ok := weekdays[m[2]]
		if !ok {
			return result{}, false
		}
		if m[3] != "" {
			// "Monday next week": that day in the week after the meeting's
			// (weeks start on Monday).
			monday := ref.AddDays(7 - (int(ref.Weekday())+6)%7)
			return result{date: monday.AddDays((int(wd) + 6) % 7)}, true
		}
		// "Friday", "next Friday" and "this Friday" all mean the first
		// Friday after the meeting: that is what a reader of the minutes
		// the next morning takes them to mean.
		return result{date: nextWeekday(ref, wd, false)}, true
	}
	return result{}, false
}

var quoteSpace = strings.NewReplacer("’", "'", "\u00a0", " ")

// normalise lowercases, folds white space and strips the words around a
// date: leading "by", "due", "before", "on", "the" and trailing punctuation.
func normalise(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = quoteSpace.Replace(s)
	s = strings.Trim(s, " .,;:!?()[]*_")
	s = strings.Join(strings.Fields(s), " ")
	for {
		trimmed := false
		for _, p := range []string{"by ", "due ", "before ", "until ", "till ", "no later than ", "on ", "date: ", "due: ", "deadline: ", "deadline ", "at ", "for "} {
			if strings.HasPrefix(s, p) {
				s = strings.TrimPrefix(s, p)
				trimmed = true
			}
		}
		if !trimmed {
			break
		}
	}
	s = strings.TrimPrefix(s, "the ")
	for _, part := range dayParts {
		if strings.HasPrefix(s, part) && len(s) > len(part) {
			s = strings.TrimPrefix(strings.TrimPrefix(s[len(part):], "on "), "the ")
			break
		}
	}
	if rest, ok := strings.CutPrefix(s, "in "); ok {
		if m, _, _ := strings.Cut(rest, " "); months[strings.TrimSuffix(m, ".")] > 0 {
			s = rest // "due in June 11"
		}
	}
	// "Wednesday of next week" is "Wednesday next week".
	if wd, ok := strings.CutSuffix(s, " of next week"); ok && isWeekday(wd) {
		s = wd + " next week"
	}
	if wd, ok := strings.CutSuffix(s, " of this week"); ok && isWeekday(wd) {
		s = "this " + wd
	}
	return strings.Trim(s, " .,;:")
}

func isWeekday(w string) bool {
	_, ok := weekdays[w]
	return ok
}

// nextWeekday returns the first wd strictly after ref (or on ref when
// inclusive).
func nextWeekday(ref mailflow.Date, wd time.Weekday, inclusive bool) mailflow.Date {
	delta := (int(wd) - int(ref.Weekday()) + 7) % 7
	if delta == 0 && !inclusive {
		delta = 7
	}
	return ref.AddDays(delta)
}

// addMonths moves ref by n months, keeping to the last day of a shorter
// month (Jan 31 + 1 month is Feb 28, not Mar 3).
func addMonths(ref mailflow.Date, n int) mailflow.Date {
	last := mailflow.NewDate(ref.Year, ref.Month+time.Month(n)+1, 0)
	if ref.Day > last.Day {
		return last
	}
	return mailflow.NewDate(ref.Year, ref.Month+time.Month(n), ref.Day)
}

// upcoming returns month/day in the meeting's year, or the next year when
// that date is more than 60 days before the meeting (minutes in December
// say "Jan 15" for next January; "Nov 30" a week late is still this year).
func upcoming(ref mailflow.Date, mo, d int, phrase string) (mailflow.Date, error) {
	date, err := checked(ref.Year, mo, d, phrase)
	if err != nil {
		if mo == 2 && d == 29 {
			return checked(ref.Year+1, mo, d, phrase)
		}
		return date, err
	}
	if date.DaysUntil(ref) > 60 {
		return checked(ref.Year+1, mo, d, phrase)
	}
	return date, nil
}

// nearest returns month/day in whichever of the years around ref's puts
// it closest to ref.
func nearest(ref mailflow.Date, mo, d int, phrase string) (mailflow.Date, error) {
	var best mailflow.Date
	var bestErr error = fmt.Errorf("%w: %q is not a valid date", ErrUnreadable, phrase)
	for _, y := range []int{ref.Year, ref.Year - 1, ref.Year + 1} {
		date, err := checked(y, mo, d, phrase)
		if err != nil {
			continue
		}
		if bestErr != nil || abs(date.DaysUntil(ref)) < abs(best.DaysUntil(ref)) {
			best, bestErr = date, nil
		}
	}
	return best, bestErr
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func checked(y, mo, d int, phrase string) (mailflow.Date, error) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 || y > 2999 {
		return mailflow.Date{}, fmt.Errorf("%w: %q is not a valid date", ErrUnreadable, phrase)
	}
	date := mailflow.NewDate(y, time.Month(mo), d)
	if date.Day != d {
		return mailflow.Date{}, fmt.Errorf("%w: %q is not a valid date", ErrUnreadable, phrase)
	}
	return date, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s) // callers pass regexp digit groups only
	return n
}

// OrderIn reads which way round a document writes its numeric dates. A
// date whose first number is above 12 ("23/10/2026") can only be day
// first, one whose second is ("10/23/2026") only month first; when the
// document holds such dates of one kind only, its other dates ("06/11/2026")
// are written the same way. known is false when the document gives no
// evidence, or contradicts itself: the project's date order then decides.
//
// Only dates with a year count as evidence: "24/7" and "13/20 trained"
// are not dates. Dots and dashes need a four-digit year ("23.10.2026"),
// so that version numbers ("10.15.20") and ranges say nothing.
func OrderIn(texts ...string) (dayFirst, known bool) {
	var dayEvidence, monthEvidence bool
	for _, text := range texts {
		day, month := orderEvidence(text)
		dayEvidence, monthEvidence = dayEvidence || day, monthEvidence || month
	}
	if dayEvidence == monthEvidence {
		return false, false
	}
	return dayEvidence, true
}

// orderEvidence reports whether text holds day-first and month-first
// numeric dates.
func orderEvidence(text string) (dayEvidence, monthEvidence bool) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || i > 0 && (isDigit(text[i-1]) || isDateSep(text[i-1]) || isLetter(text[i-1])) {
			continue
		}
		a, b, next, ok := numericDate(text, i)
		if !ok {
			a, b, next, ok = dueDayMonth(text, i)
		}
		if !ok {
			continue
		}
		switch {
		case a > 12 && a <= 31 && b >= 1 && b <= 12:
			dayEvidence = true
		case b > 12 && b <= 31 && a >= 1 && a <= 12:
			monthEvidence = true
		}
		i = next - 1
	}
	return dayEvidence, monthEvidence
}

// numericDate reads "23/10/2026", "6/11/26", "23.10.2026" or "23-10-2026"
// at text[i]: its first two numbers and where it ends.
func numericDate(text string, i int) (a, b, end int, ok bool) {
	a, j := digitRun(text, i, 2)
	if j == i || j >= len(text) || !isDateSep(text[j]) {
		return 0, 0, 0, false
	}
	sep := text[j]
	b, k := digitRun(text, j+1, 2)
	if k == j+1 || k >= len(text) || text[k] != sep {
		return 0, 0, 0, false
	}
	_, end = digitRun(text, k+1, 4)
	years := end - (k + 1)
	if years != 4 && (years != 2 || sep != '/') {
		return 0, 0, 0, false
	}
	if end < len(text) && (isDigit(text[end]) || isLetter(text[end]) ||
		isDateSep(text[end]) && end+1 < len(text) && isDigit(text[end+1])) {
		return 0, 0, 0, false // "1.2.2026.4", "12/10/20261": not a date
	}
	return a, b, end, true
}

// dueDayMonth reads a date without a year, "23/10", where only a date
// can stand: after "by", "due", "COB" or a weekday ("Fri 23/10"), or as
// the whole cell of a table. Elsewhere "24/7" and "13/20" are no dates.
func dueDayMonth(text string, i int) (a, b, end int, ok bool) {
	a, j := digitRun(text, i, 2)
	if j == i || j >= len(text) || text[j] != '/' {
		return 0, 0, 0, false
	}
	b, end = digitRun(text, j+1, 2)
	if end == j+1 || end < len(text) && (isDigit(text[end]) || isLetter(text[end]) || text[end] == '/') {
		return 0, 0, 0, false
	}
	before := strings.TrimRight(text[:i], " ")
	after := strings.TrimLeft(text[end:], " ")
	switch {
	case strings.HasSuffix(before, "|") || strings.HasSuffix(before, "\t"):
		ok = after == "" || after[0] == '|' || after[0] == '\t' || after[0] == '\n'
	default:
		w := strings.ToLower(before[strings.LastIndexAny(before, " \t\n(|")+1:])
		_, weekday := weekdays[strings.TrimRight(w, ",.")]
		ok = weekday || dueWords[w]
	}
	return a, b, end, ok
}

// dueWords come before a date.
var dueWords = map[string]bool{"by": true, "due": true, "due:": true, "before": true, "until": true, "till": true,
	"cob": true, "eod": true, "deadline": true, "deadline:": true, "on": true}

// digitRun reads up to max digits at text[i]: their value and the index
// after them.
func digitRun(text string, i, max int) (n, end int) {
	end = i
	for end < len(text) && end-i < max && isDigit(text[end]) {
		n = n*10 + int(text[end]-'0')
		end++
	}
	return n, end
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isDateSep(c byte) bool { return c == '/' || c == '.' || c == '-' }
func isLetter(c byte) bool  { return c|0x20 >= 'a' && c|0x20 <= 'z' }
