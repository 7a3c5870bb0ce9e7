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
func TestItemsOpenOrChangedSince(t *testing.T) {
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
			{"open", old, old, true},                      // open for years
			{"done", old, old, false},                     // closed years ago
			{"cancelled", old, old, false},                // cancelled years ago
			{"done", old, recent, true},                   // closed in the period
			{"cancelled", old, recent, true},              // cancelled in the period
			{"done", recent, recent, true},                // opened and closed in it
			{"done", old, since, true},                    // changed at the instant
			{"open", recent, recent, true},                // new
			{"done", old, since.Add(-time.Second), false}, // just before
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
		got, err := s.Items(ctx, ItemFilter{ProjectID: pid, OpenOrChangedSince: since})
		if err != nil {
			t.Fatal(err)
		}
		var nums []int
		for _, it := range got {
			nums = append(nums, it.Num)
		}
		if !slices.Equal(nums, want) {
			t.Errorf("Items(open or changed since %s) = %v, want %v", since.Format(time.DateOnly), nums, want)
		}
		all, err := s.Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil || len(all) != len(items) {
			t.Errorf("Items(no filter) = %d items (%v), want %d", len(all), err, len(items))
		}
	})
}

// Items builds its statement from the filter, so TestQueriesUseIndexes,
// which reads statements from the source, cannot see the ones it runs:
// those of the filters the engine, reminders and the report use are
// planned here.
func TestItemFiltersUseIndexes(t *testing.T) {
	filters := map[string]ItemFilter{
		"a project's items (mailflow items, reprocess)":                    {ProjectID: 1},
		"a project's open items (reminders, mailflow items --status open)": {ProjectID: 1, Status: "open"},
		"the report's items": {ProjectID: 1, OpenOrChangedSince: time.Now()},
	}
	eachDB(t, func(t *testing.T, s *Store) {
		planner, err := s.planner(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer planner.close()
		for name, f := range filters {
			where, _ := f.where()
			q := `SELECT * FROM action_items` + where + ` ORDER BY project_id, num`
			plan, scans, err := planner.plan(q)
			if err != nil {
				t.Errorf("%s: %v\n  %s", name, err, q)
			} else if scans {
				t.Errorf("%s: query scans a table:\n  %s\n  plan: %s", name, q, plan)
			}
		}
	})
}

// The register shows each open risk's mitigation history: the entries of
// risks closed since, however many years of them, stay out.
func TestAuditOfOpenRisks(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, err := s.EnsureProject(ctx, "P", "p@x.example")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		var want []string
		err = s.Tx(ctx, func(tx *Tx) error {
			for _, status := range []string{"open", "closed", "open"} {
				r, err := tx.InsertRisk(Risk{ProjectID: pid, Description: "risk", Status: status, CreatedAt: now, UpdatedAt: now})
				if err != nil {
					return err
				}
				for _, action := range []string{"mitigation changed", "created"} {
					if err := tx.Audit(AuditEntry{ProjectID: pid, At: now, Actor: "a@x", Source: SourceCLI, Ref: r.Ref(), Action: action, NewValue: status}); err != nil {
						return err
					}
				}
				if status == "open" {
					want = append(want, r.Ref())
				}
			}
			// An item's entry with a risk's number must not pass as it.
			return tx.Audit(AuditEntry{ProjectID: pid, At: now, Actor: "a@x", Source: SourceCLI, Ref: "A-1", Action: "mitigation changed"})
		})
		if err != nil {
			t.Fatal(err)
		}
		es, err := s.AuditOfOpenRisks(ctx, pid, "mitigation changed")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Ref)
		}
		if !slices.Equal(got, want) {
			t.Errorf("AuditOfOpenRisks = %v, want %v", got, want)
		}
	})
}
