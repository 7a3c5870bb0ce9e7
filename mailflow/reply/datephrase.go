package reply

import (
	"errors"
	"strings"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/dates"
)

// maxDateWords bounds the words of a date phrase: "Monday, December 14th,
// 2026 at 5pm" has six.
const maxDateWords = 7

// scanDay is the day the parser reads date phrases against to learn
// whether they are dates at all; the engine reads the phrase it returns
// against the real day. A 1 January before a leap year lets every day of
// every month read ("the 31st", "Feb 29").
var scanDay = mailflow.NewDate(2027, time.January, 1)

// datePhrase finds the date phrase at the start of s and returns it as
// written, with the rest of s after it: "the 11th, vendor can't do
// earlier" is "the 11th" and ", vendor can't do earlier". The date reader
// (mailflow/dates) decides what a date is, so the parser never hands the
// engine a phrase it cannot read; the longest readable run of words wins
// ("Friday the 11th", not "Friday").
func datePhrase(s string) (phrase, rest string, ok bool) {
	var buf [maxDateWords]int
	ends := wordEnds(buf[:0], s)
	for k := len(ends) - 1; k >= 0; k-- {
		candidate := strings.TrimRight(s[:ends[k]], " \t,;:.!?")
		if candidate != "" && isDate(candidate) {
			return candidate, s[len(candidate):], true
		}
	}
	return "", s, false
}

// wordEnds appends to ends the byte offsets where the words of s end, up
// to cap(ends) words.
func wordEnds(ends []int, s string) []int {
	inWord := false
	for i, r := range s {
		space := r == ' ' || r == '\t'
		if inWord && space {
			ends = append(ends, i)
			if len(ends) == cap(ends) {
				return ends
			}
		}
		inWord = !space
	}
	if inWord {
		ends = append(ends, len(s))
	}
	return ends
}

// isDate reports whether the date reader can read phrase, month first or
// day first (the project's setting is the engine's to apply).
func isDate(phrase string) bool {
	if _, err := dates.Parse(phrase, scanDay, dates.Options{NoSpans: true}); err == nil {
		return true
	}
	if !strings.ContainsAny(phrase, "/.") {
		return false
	}
	_, err := dates.Parse(phrase, scanDay, dates.Options{DayFirst: true, NoSpans: true})
	return err == nil
}

// vague reports whether phrase is a span the date reader refuses as naming
// no day ("next week", "w/c 26 Oct"): the answer says so rather than that
// it could not be read.
func vague(phrase string) bool {
	_, err := dates.Parse(phrase, scanDay, dates.Options{NoSpans: true})
	return errors.Is(err, dates.ErrVague)
}
