package chart

import "time"

// Span is the life of one action item: when it was opened and, once it
// ended, when and whether it was done (a cancelled item ends without
// counting as closed).
type Span struct {
	Opened time.Time
	Ended  time.Time // zero while the item is open
	Done   bool      // it ended by being done
}

// Tally counts spans into n weeks, oldest first, the last one being the
// week that holds now. Weeks start on Monday in loc. A week's Open is the
// items open at its end (at now for the current week); its Closed is the
// items done during it.
func Tally(spans []Span, now time.Time, n int, loc *time.Location) []Week {
	if n <= 0 {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	monday := time.Date(local.Year(), local.Month(), local.Day()-(int(local.Weekday())+6)%7, 0, 0, 0, 0, loc)
	weeks := make([]Week, n)
	for i := range weeks {
		start := monday.AddDate(0, 0, -7*(n-1-i))
		end := start.AddDate(0, 0, 7)
		at := end
		if now.Before(at) {
			at = now
		}
		w := Week{Start: start}
		for _, s := range spans {
			if s.Opened.Before(at) && (s.Ended.IsZero() || !s.Ended.Before(at)) {
				w.Open++
			}
			if s.Done && !s.Ended.IsZero() && !s.Ended.Before(start) && s.Ended.Before(end) {
				w.Closed++
			}
		}
		weeks[i] = w
	}
	return weeks
}
