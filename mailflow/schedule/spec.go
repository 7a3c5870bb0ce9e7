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
func (s Spec) Next(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(t)
}

// Prev returns the latest scheduled time at or before t, searching back at
// most a year (enough for any weekly or monthly spec).
func (s Spec) Prev(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	// cron has no Prev: step back in growing windows and walk forward.
	for back := 24 * time.Hour; back <= 366*24*time.Hour; back *= 2 {
		var last time.Time
		for n := s.sched.Next(t.Add(-back)); !n.After(t); n = s.sched.Next(n) {
			last = n
		}
		if !last.IsZero() {
			return last
		}
	}
	return time.Time{}
}
