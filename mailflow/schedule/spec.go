// Package schedule decides when periodic mail is due: the leadership status
// report on its schedule, and reminder digests by the reminder policy.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is a parsed status_schedule: the times at which a report is due.
type Spec struct {
	text  string
	sched cron.Schedule
}

var weekdays = map[string]string{
	"sun": "0", "mon": "1", "tue": "2", "wed": "3", "thu": "4", "fri": "5", "sat": "6",
	"sunday": "0", "monday": "1", "tuesday": "2", "wednesday": "3", "thursday": "4", "friday": "5", "saturday": "6",
}

// ParseSpec reads a schedule written either as a five-field cron spec
// ("0 8 * * 1") or as a weekday and time ("Mon 08:00"), or "daily 07:30".
// Times are in the location the caller evaluates them in.
func ParseSpec(s string) (Spec, error) {
	text := strings.TrimSpace(s)
	cronText := text
	if f := strings.Fields(strings.ToLower(text)); len(f) == 2 {
		day, ok := weekdays[f[0]]
		if f[0] == "daily" || f[0] == "weekdays" {
			ok = true
			day = map[string]string{"daily": "*", "weekdays": "1-5"}[f[0]]
		}
		if !ok {
			return Spec{}, fmt.Errorf("schedule %q: %q is not a weekday, \"daily\" or \"weekdays\"", s, f[0])
		}
		t, err := time.Parse("15:04", f[1])
		if err != nil {
			return Spec{}, fmt.Errorf("schedule %q: time must be HH:MM", s)
		}
		cronText = fmt.Sprintf("%d %d * * %s", t.Minute(), t.Hour(), day)
	}
	sched, err := cron.ParseStandard(cronText)
	if err != nil {
		return Spec{}, fmt.Errorf("schedule %q: want a cron spec like \"0 8 * * 1\" or \"Mon 08:00\": %w", s, err)
	}
	return Spec{text: text, sched: sched}, nil
}

// String returns the schedule as written.
func (s Spec) String() string { return s.text }

// IsZero reports whether no schedule was set.
func (s Spec) IsZero() bool { return s.sched == nil }

// Next returns the first scheduled time strictly after t, in t's location.
//
// A schedule names wall-clock times, and each fires once on each day it
// names, whatever daylight saving does, as cron(8) runs its fixed-time
// jobs: a time the clock skips (02:30 on a spring-forward night in New
// York) fires when the clock jumps past it (03:00), and a time the clock
// repeats (01:30 on a fall-back night) fires at its first occurrence only.
// The cron library alone, reading instants, skips the first day's run and
// makes the second twice: a daily report lost, or sent twice.
func (s Spec) Next(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	for w := wallClock(t); ; {
		if w = s.sched.Next(w); w.IsZero() {
			return time.Time{}
		}
		if at := instant(w, t.Location()); at.After(t) {
			return at
		}
	}
}

// prevSearch is how far back Prev looks: a year, enough for any weekly,
// monthly or yearly spec (not for "29 Feb").
const prevSearch = 366 * 24 * time.Hour

// Prev returns the latest scheduled time at or before t, in t's location,
// searching back at most a year; zero if there is none.
func (s Spec) Prev(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	now := wallClock(t)
	// A wall time a little later than t's own may already have fired by t,
	// at its first occurrence, when the clock was set back since.
	end := now.Add(maxOffsetChange)
	// cron has no Prev: step back in growing windows and walk forward.
	for back := 24 * time.Hour; ; back *= 2 {
		back = min(back, prevSearch)
		var last time.Time
		for w := s.sched.Next(now.Add(-back)); !w.IsZero() && !w.After(end); w = s.sched.Next(w) {
			// Instants grow with wall times (see instant), so the last
			// one at or before t is the latest.
			if at := instant(w, t.Location()); !at.After(t) {
				last = at
			}
		}
		if !last.IsZero() || back == prevSearch {
			return last
		}
	}
}

// maxOffsetChange bounds how far a daylight-saving change moves the clock
// (two hours at most, in Antarctica/Troll).
const maxOffsetChange = 3 * time.Hour

// wallClock returns t's wall-clock reading in its location as a UTC time,
// a clock without daylight saving on which the cron spec is evaluated.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instant returns the first instant at which loc's clock reads wall (a
// UTC time, see wallClock) or later: the wall time itself when it occurs,
// its first occurrence when the clock repeats it, and the moment the clock
// jumps past it when the clock skips it. It never decreases as wall grows.
func instant(wall time.Time, loc *time.Location) time.Time {
	// The wall time read with the offsets in force a little before and a
	// little after it: one of them is right unless the clock skips it.
	var first, latest time.Time
	for _, near := range []time.Duration{-48 * time.Hour, 48 * time.Hour} {
		_, offset := wall.Add(near).In(loc).Zone()
		at := wall.Add(-time.Duration(offset) * time.Second).In(loc)
		if wallClock(at).Equal(wall) && (first.IsZero() || at.Before(first)) {
			first = at
		}
		if at.After(latest) {
			latest = at
		}
	}
	if !first.IsZero() {
		return first
	}
	// Skipped: read with the earlier offset it falls after the jump; the
	// jump is where that zone period starts.
	start, _ := latest.ZoneBounds()
	return start.In(loc)
}
