package schedule

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

func mustParse(t *testing.T, spec string) Spec {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatalf("ParseSpec(%q): %v", spec, err)
	}
	return s
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// From Thursday 1 January 2026, 12:00 UTC, each way of writing a schedule
// names its next time.
func TestParseSpec(t *testing.T) {
	from := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) // a Thursday
	for _, c := range []struct {
		spec string
		want time.Time
	}{
		{"Mon 08:00", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)},
		{"monday 08:00", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)},
		{"FRI 17:45", time.Date(2026, 1, 2, 17, 45, 0, 0, time.UTC)},
		{"Thu 12:00", time.Date(2026, 1, 8, 12, 0, 0, 0, time.UTC)}, // strictly after: not today's
		{"Mon 8:00", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)},
		{"daily 07:30", time.Date(2026, 1, 2, 7, 30, 0, 0, time.UTC)},
		{"daily 13:00", time.Date(2026, 1, 1, 13, 0, 0, 0, time.UTC)},
		{"weekdays 09:15", time.Date(2026, 1, 2, 9, 15, 0, 0, time.UTC)},
		{"  sunday 06:00  ", time.Date(2026, 1, 4, 6, 0, 0, 0, time.UTC)},
		{"0 8 * * 1", time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)},
		{"30 6 1 * *", time.Date(2026, 2, 1, 6, 30, 0, 0, time.UTC)},
		{"@daily", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
	} {
		s := mustParse(t, c.spec)
		if got := s.Next(from); !got.Equal(c.want) {
			t.Errorf("ParseSpec(%q).Next(%s) = %s, want %s", c.spec, from, got, c.want)
		}
		if got := s.String(); got != strings.TrimSpace(c.spec) {
			t.Errorf("ParseSpec(%q).String() = %q, want it as written", c.spec, got)
		}
		if s.IsZero() {
			t.Errorf("ParseSpec(%q).IsZero() = true", c.spec)
		}
	}
}

func TestParseSpecRefusesBadSpecs(t *testing.T) {
	for _, c := range []struct{ spec, says string }{
		{"", "cron spec"},
		{"Funday 08:00", "not a weekday"},
		{"Mon 8", "HH:MM"},
		{"Mon 25:00", "HH:MM"},
		{"Mon 08:60", "HH:MM"},
		{"Mon 08:00am", "HH:MM"},
		{"daily", "cron spec"},
		{"Mon 08:00 weekly", "cron spec"},
		{"0 8 * *", "cron spec"},
		{"0 0 8 * * 1", "cron spec"}, // six fields: seconds are not taken
		{"0 25 * * *", "cron spec"},
		{"0 8 * * Funday", "cron spec"},
	} {
		_, err := ParseSpec(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "schedule \""+c.spec+"\"") {
			t.Errorf("ParseSpec(%q) = %v, want an error that quotes the spec and says %q", c.spec, err, c.says)
		}
	}
}

// The zero Spec (no schedule set) is never due.
func TestZeroSpec(t *testing.T) {
	var s Spec
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if !s.IsZero() || !s.Next(now).IsZero() || !s.Prev(now).IsZero() || s.String() != "" {
		t.Errorf("zero Spec: IsZero %v, Next %s, Prev %s, String %q; want true, zero, zero, \"\"", s.IsZero(), s.Next(now), s.Prev(now), s.String())
	}
}

// Next is strictly after t; Prev is at or before it, a year back at most.
func TestNextAndPrev(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	monday := time.Date(2026, 6, 1, 8, 0, 0, 0, ny) // Mon 08:00
	for _, c := range []struct {
		spec       string
		at         time.Time
		prev, next time.Time
	}{
		{"Mon 08:00", monday, monday, monday.AddDate(0, 0, 7)},
		{"Mon 08:00", monday.Add(-time.Nanosecond), monday.AddDate(0, 0, -7), monday},
		{"Mon 08:00", monday.Add(time.Nanosecond), monday, monday.AddDate(0, 0, 7)},
		{"Mon 08:00", monday.AddDate(0, 0, 3), monday, monday.AddDate(0, 0, 7)},
		// Prev searches a whole year back: New Year's report, asked on
		// New Year's Eve.
		{"0 8 1 1 *", time.Date(2026, 12, 31, 12, 0, 0, 0, ny), time.Date(2026, 1, 1, 8, 0, 0, 0, ny), time.Date(2027, 1, 1, 8, 0, 0, 0, ny)},
		// ...and no further: 29 February comes every four years.
		{"0 8 29 2 *", time.Date(2026, 12, 31, 12, 0, 0, 0, ny), time.Time{}, time.Date(2028, 2, 29, 8, 0, 0, 0, ny)},
	} {
		s := mustParse(t, c.spec)
		if got := s.Prev(c.at); !got.Equal(c.prev) {
			t.Errorf("%q.Prev(%s) = %s, want %s", c.spec, c.at, got, c.prev)
		}
		if got := s.Next(c.at); !got.Equal(c.next) {
			t.Errorf("%q.Next(%s) = %s, want %s", c.spec, c.at, got, c.next)
		}
		if got := s.Next(c.at); got.Location() != ny {
			t.Errorf("%q.Next(%s) is in %s, want the location it was asked in", c.spec, c.at, got.Location())
		}
	}
}

// Across daylight-saving changes a schedule keeps its wall-clock time and
// fires once a day: a time the clock skips fires when it jumps past it, a
// time it repeats fires at its first occurrence.
func TestDaylightSaving(t *testing.T) {
	ny := mustZone(t, "America/New_York")  // 2026: 8 March 02:00 → 03:00; 1 November 02:00 → 01:00
	london := mustZone(t, "Europe/London") // 2026: 29 March 01:00 → 02:00
	// Instants are written with fixed offsets, to say which 01:30 is meant;
	// the schedule is asked in the zone itself.
	edt, est := time.FixedZone("EDT", -4*3600), time.FixedZone("EST", -5*3600)
	for _, c := range []struct {
		name, spec string
		at         time.Time
		prev, next time.Time
	}{
		{"weekly, over spring forward", "Mon 08:00", time.Date(2026, 3, 7, 12, 0, 0, 0, ny),
			time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)},
		{"weekly, over fall back", "Mon 08:00", time.Date(2026, 10, 31, 12, 0, 0, 0, ny),
			time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC)},
		{"skipped 02:30 fires at the jump", "daily 02:30", time.Date(2026, 3, 7, 12, 0, 0, 0, ny),
			time.Date(2026, 3, 7, 2, 30, 0, 0, est), time.Date(2026, 3, 8, 3, 0, 0, 0, edt)},
		{"after the skipped 02:30", "daily 02:30", time.Date(2026, 3, 8, 3, 0, 0, 0, edt).In(ny),
			time.Date(2026, 3, 8, 3, 0, 0, 0, edt), time.Date(2026, 3, 9, 2, 30, 0, 0, edt)},
		{"skipped 02:30, asked later that day", "daily 02:30", time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			time.Date(2026, 3, 8, 3, 0, 0, 0, edt), time.Date(2026, 3, 9, 2, 30, 0, 0, edt)},
		{"repeated 01:30 fires at its first occurrence", "daily 01:30", time.Date(2026, 10, 31, 12, 0, 0, 0, ny),
			time.Date(2026, 10, 31, 1, 30, 0, 0, edt), time.Date(2026, 11, 1, 1, 30, 0, 0, edt)},
		{"repeated 01:30 does not fire again", "daily 01:30", time.Date(2026, 11, 1, 1, 30, 0, 0, edt).In(ny),
			time.Date(2026, 11, 1, 1, 30, 0, 0, edt), time.Date(2026, 11, 2, 1, 30, 0, 0, est)},
		{"in the repeated hour, after its first 01:30", "daily 01:30", time.Date(2026, 11, 1, 1, 15, 0, 0, est).In(ny),
			time.Date(2026, 11, 1, 1, 30, 0, 0, edt), time.Date(2026, 11, 2, 1, 30, 0, 0, est)},
		{"London's skipped 01:30", "daily 01:30", time.Date(2026, 3, 28, 12, 0, 0, 0, london),
			time.Date(2026, 3, 28, 1, 30, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
	} {
		s := mustParse(t, c.spec)
		if got := s.Prev(c.at); !got.Equal(c.prev) {
			t.Errorf("%s: %q.Prev(%s) = %s, want %s", c.name, c.spec, c.at, got, c.prev.In(c.at.Location()))
		}
		if got := s.Next(c.at); !got.Equal(c.next) {
			t.Errorf("%s: %q.Next(%s) = %s, want %s", c.name, c.spec, c.at, got, c.next.In(c.at.Location()))
		}
	}
}

// A daily schedule fires once on each day of a year that has both changes,
// and Next and Prev agree with each other at every step.
func TestOncePerDayThroughAYear(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"} {
		loc := mustZone(t, zone)
		for _, spec := range []string{"daily 00:30", "daily 01:30", "daily 02:15", "daily 02:45", "weekdays 08:00"} {
			s := mustParse(t, spec)
			days := map[string]int{}
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
			end := start.AddDate(1, 0, 0)
			for at := s.Next(start); at.Before(end); at = s.Next(at) {
				days[at.Format(time.DateOnly)]++
				if p := s.Prev(at); !p.Equal(at) {
					t.Fatalf("%s %q: Prev(%s) = %s, want the firing itself", zone, spec, at, p)
				}
				if p := s.Prev(at.Add(-time.Second)); !p.Before(at) || !s.Next(p).Equal(at) {
					t.Fatalf("%s %q: Prev just before %s = %s, whose Next is %s", zone, spec, at, p, s.Next(p))
				}
			}
			want := 365
			if strings.HasPrefix(spec, "weekdays") {
				want = 261 // 2026 has 261 weekdays
			}
			if len(days) != want {
				t.Errorf("%s %q: fired on %d days of 2026, want %d", zone, spec, len(days), want)
			}
			for day, n := range days {
				if n != 1 {
					t.Errorf("%s %q: fired %d times on %s", zone, spec, n, day)
				}
			}
		}
	}
}
