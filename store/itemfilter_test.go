package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// The status report asks for the open items and those changed in its
// weeks: an item closed or cancelled before then must stay out, whatever
// its age, and every open one must come, however old.
func TestItemsOpenOrChangedAfter(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, err := s.EnsureProject(ctx, "P", "p@x.example")
		if err != nil {
			t.Fatal(err)
		}
		since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		old, recent := since.AddDate(-3, 0, 0), since.AddDate(0, 0, 3)
		items := []struct {
			status           string
			created, changed time.Time
			want             bool
		}{
			{"open", old, old, true},         // open for years
			{"done", old, old, false},        // closed years ago
			{"cancelled", old, old, false},   // cancelled years ago
			{"done", old, recent, true},      // closed in the period
			{"cancelled", old, recent, true}, // cancelled in the period
			{"done", recent, recent, true},   // opened and closed in it
			{"done", old, since, false},      // changed at the instant, not after
			{"open", recent, recent, true},   // new
		}
		var want []int
		err = s.Tx(ctx, func(tx *Tx) error {
			for _, c := range items {
				it, err := tx.InsertItem(Item{ProjectID: pid, Text: "item", Status: c.status, CreatedAt: c.created, UpdatedAt: c.changed})
				if err != nil {
					return err
				}
				if c.want {
					want = append(want, it.Num)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Items(ctx, ItemFilter{ProjectID: pid, OpenOrChangedAfter: since})
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, it := range got {
			nums = append(nums, it.Num)
		}
		if !slices.Equal(nums, want) {
			t.Errorf("Items(open or changed after %s) = %v, want %v", since.Format(time.DateOnly), nums, want)
		}
		all, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil || len(all) != len(items) {
			t.Errorf("Items(no filter) = %d items (%v), want %d", len(all), err, len(items))
		}
	})
}
