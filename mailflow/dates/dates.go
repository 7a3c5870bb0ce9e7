// Package dates reads the due dates people write in minutes and replies
// ("by Friday", "Dec 3", "12/3", "end of month", "in 2 weeks") relative to
// the meeting day. A phrase it cannot read is an error, never a guess.
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
	// CadenceDays is how far away "next meeting" is (default 7).
	CadenceDays int
}

// ErrUnreadable is returned for a phrase that is not a date mailflow knows.
var ErrUnreadable = errors.New("unreadable date")

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdays = map[string]time.Weekday{
	"sun": 0, "sunday": 0, "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
	"thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6,
}

var numbers = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

var (
	reISO      = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	reSlash    = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$`)
	reMonthDay = regexp.MustCompile(`^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$`)
	reDayMonth = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)\.?(?:,? (\d{4}))?$`)
	reIn       = regexp.MustCompile(`^in ([a-z0-9]+) (day|days|week|weeks|month|months)$`)
	reWeekday  = regexp.MustCompile(`^(?:(next|this|on|coming) )?([a-z]+)$`)
)

// Parse reads phrase as a date relative to the meeting day ref.
func Parse(phrase string, ref mailflow.Date, opts Options) (mailflow.Date, error) {
	s := normalise(phrase)
	if s == "" {
		return mailflow.Date{}, fmt.Errorf("%w: empty", ErrUnreadable)
	}
	cadence := opts.CadenceDays
	if cadence <= 0 {
		cadence = 7
	}
	switch s {
	case "today", "tonight", "eod", "end of day", "cob", "close of business":
		return ref, nil
	case "tomorrow":
		return ref.AddDays(1), nil
	case "next week":
		return ref.AddDays(7), nil
	case "end of week", "eow", "end of the week", "this week":
		return nextWeekday(ref, time.Friday, true), nil
	case "end of next week":
		return nextWeekday(ref, time.Friday, true).AddDays(7), nil
	case "end of month", "eom", "end of the month", "this month":
		return mailflow.NewDate(ref.Year, ref.Month+1, 0), nil
	case "end of next month":
		return mailflow.NewDate(ref.Year, ref.Month+2, 0), nil
	case "next month":
		return mailflow.NewDate(ref.Year, ref.Month+1, ref.Day), nil
	case "next meeting", "the next meeting", "next call", "next time":
		return ref.AddDays(cadence), nil
	}
	if m := reISO.FindStringSubmatch(s); m != nil {
		return checked(atoi(m[1]), atoi(m[2]), atoi(m[3]), phrase)
	}
	if m := reSlash.FindStringSubmatch(s); m != nil {
		a, b := atoi(m[1]), atoi(m[2])
		mo, d := a, b
		if opts.DayFirst {
			mo, d = b, a
		}
		if m[3] != "" {
			y := atoi(m[3])
			if y < 100 {
				y += 2000
			}
			return checked(y, mo, d, phrase)
		}
		return upcoming(ref, mo, d, phrase)
	}
	if m := reMonthDay.FindStringSubmatch(s); m != nil {
		if mo, ok := months[m[1]]; ok {
			if m[3] != "" {
				return checked(atoi(m[3]), int(mo), atoi(m[2]), phrase)
			}
			return upcoming(ref, int(mo), atoi(m[2]), phrase)
		}
	}
	if m := reDayMonth.FindStringSubmatch(s); m != nil {
		if mo, ok := months[m[2]]; ok {
			if m[3] != "" {
				return checked(atoi(m[3]), int(mo), atoi(m[1]), phrase)
			}
			return upcoming(ref, int(mo), atoi(m[1]), phrase)
		}
	}
	if m := reIn.FindStringSubmatch(s); m != nil {
		n, ok := numbers[m[1]]
		if !ok {
			var err error
			if n, err = strconv.Atoi(m[1]); err != nil {
				return mailflow.Date{}, fmt.Errorf("%w: %q", ErrUnreadable, phrase)
			}
		}
		switch {
		case strings.HasPrefix(m[2], "day"):
			return ref.AddDays(n), nil
		case strings.HasPrefix(m[2], "week"):
			return ref.AddDays(7 * n), nil
		default:
			return mailflow.NewDate(ref.Year, ref.Month+time.Month(n), ref.Day), nil
		}
	}
	if m := reWeekday.FindStringSubmatch(s); m != nil {
		if wd, ok := weekdays[m[2]]; ok {
			// "Friday", "next Friday" and "this Friday" all mean the first
			// Friday after the meeting: that is what a reader of the minutes
			// the next morning takes them to mean.
			return nextWeekday(ref, wd, false), nil
		}
	}
	return mailflow.Date{}, fmt.Errorf("%w: %q", ErrUnreadable, phrase)
}

// normalise lowercases and strips leading "by", "due", "before", "on",
// trailing punctuation and a leading weekday on a full date ("Tue Dec 3").
func normalise(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, " .,;:!?()[]")
	s = strings.Join(strings.Fields(s), " ")
	for {
		trimmed := false
		for _, p := range []string{"by ", "due ", "before ", "until ", "till ", "no later than ", "on ", "date: ", "due: "} {
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
	// "tue dec 3", "tuesday, 3 december": drop the weekday when a date follows.
	if f := strings.SplitN(s, " ", 2); len(f) == 2 {
		if _, ok := weekdays[strings.TrimSuffix(f[0], ",")]; ok && strings.ContainsAny(f[1], "0123456789") {
			s = f[1]
		}
	}
	return s
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

// upcoming returns month/day in the meeting's year, or the next year when
// that date is more than 60 days before the meeting (minutes in December
// say "Jan 15" for next January; "Nov 30" a week late is still this year).
func upcoming(ref mailflow.Date, mo, d int, phrase string) (mailflow.Date, error) {
	date, err := checked(ref.Year, mo, d, phrase)
	if err != nil {
		return date, err
	}
	if date.DaysUntil(ref) > 60 {
		return checked(ref.Year+1, mo, d, phrase)
	}
	return date, nil
}

func checked(y, mo, d int, phrase string) (mailflow.Date, error) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
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
