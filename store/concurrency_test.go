package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// errUndo makes a test transaction roll back.
var errUndo = errors.New("undone on purpose")

// twoHosts opens two stores on one new database of db, as two hosts
// would: each its own handle and connection pool.
func twoHosts(t *testing.T, db string) [2]*Store {
	t.Helper()
	target := filepath.Join(t.TempDir(), "m.db")
	if db == onPostgres {
		target = postgresDB(t)
	}
	return [2]*Store{openTarget(t, target), openTarget(t, target)}
}

// eachShared runs fn on two hosts sharing a database, on each database.
func eachShared(t *testing.T, fn func(t *testing.T, hosts [2]*Store)) {
	t.Helper()
	for _, db := range []string{onSQLite, onPostgres} {
		t.Run(db, func(t *testing.T) { fn(t, twoHosts(t, db)) })
	}
}

// Two hosts adding items and risks to one project at once get each
// number once and leave none out: the counter row is taken in the
// transaction, and a transaction that rolls back gives its number back.
func TestRefsUniqueAndGaplessAcrossHosts(t *testing.T) {
	eachShared(t, func(t *testing.T, hosts [2]*Store) {
		ctx := t.Context()
		pid, err := hosts[0].EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 4, 10 // per host
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers*each)
		for h, s := range hosts {
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						undo := i%5 == 4 // every fifth transaction rolls back
						now := time.Now()
						err := s.Tx(ctx, func(tx *Tx) error {
							text := fmt.Sprintf("host %d writer %d #%d", h, w, i)
							// Two items a transaction: the second number is
							// counted in the transaction, not read from the row.
							for range 2 {
								if _, err := tx.InsertItem(Item{ProjectID: pid, Text: text, Status: "open", CreatedAt: now, UpdatedAt: now}); err != nil {
									return err
								}
							}
							if _, err := tx.InsertRisk(Risk{ProjectID: pid, Description: text, Status: "open", CreatedAt: now, UpdatedAt: now}); err != nil {
								return err
							}
							if undo {
								return errUndo
							}
							return nil
						})
						if err != nil && !(undo && errors.Is(err, errUndo)) {
							errs <- err
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("insert: %v", err)
		}
		kept := 2 * writers * (each - each/5)
		items, err := hosts[1].Items(ctx, ItemFilter{ProjectID: pid})
		if err != nil {
			t.Fatal(err)
		}
		risks, err := hosts[1].Risks(ctx, pid, "all")
		if err != nil {
			t.Fatal(err)
		}
		var itemNums, riskNums []int
		for _, it := range items {
			itemNums = append(itemNums, it.Num)
		}
		for _, r := range risks {
			riskNums = append(riskNums, r.Num)
		}
		want := make([]int, kept)
		for i := range want {
			want[i] = i + 1
		}
		wantItems := make([]int, 2*kept)
		for i := range wantItems {
			wantItems[i] = i + 1
		}
		if !slices.Equal(itemNums, wantItems) {
			t.Errorf("item numbers %v, want 1 to %d once each", itemNums, 2*kept)
		}
		if !slices.Equal(riskNums, want) {
			t.Errorf("risk numbers %v, want 1 to %d once each", riskNums, kept)
		}
	})
}

// Two hosts recording the same message at once: exactly one records it,
// every other gets ErrDuplicate.
func TestSameMessageAcrossHostsRecordedOnce(t *testing.T) {
	eachShared(t, func(t *testing.T, hosts [2]*Store) {
		ctx := t.Context()
		pid, err := hosts[0].EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		const tries = 8 // per host
		for round := range 5 {
			m := Message{ProjectID: pid, MessageID: fmt.Sprintf("minutes-%d@clinic.example", round), ContentHash: "h",
				Kind: "minutes", Outcome: OutcomeProcessed, ReceivedAt: time.Now(), ProcessedAt: time.Now()}
			var wg sync.WaitGroup
			results := make(chan error, 2*tries)
			start := make(chan struct{})
			for _, s := range hosts {
				for range tries {
					wg.Go(func() {
						<-start
						results <- s.Tx(ctx, func(tx *Tx) error {
							_, err := tx.InsertMessage(m)
							return err
						})
					})
				}
			}
			close(start)
			wg.Wait()
			close(results)
			won, dup := 0, 0
			for err := range results {
				switch {
				case err == nil:
					won++
				case errors.Is(err, ErrDuplicate):
					dup++
				default:
					t.Errorf("round %d: InsertMessage = %v, want nil or ErrDuplicate", round, err)
				}
			}
			if won != 1 || dup != 2*tries-1 {
				t.Errorf("round %d: %d recorded it and %d got ErrDuplicate, want 1 and %d", round, won, dup, 2*tries-1)
			}
		}
	})
}

// Two hosts changing one item at once lose neither change: each reads
// the item in its transaction (ItemByRef, as a reply does) and writes
// back what it changed (UpdateItem). On PostgreSQL the read locks the row until the
// transaction ends; without it, writers that read the same version each
// wrote over the other's change.
func TestNoLostUpdateAcrossHosts(t *testing.T) {
	eachShared(t, func(t *testing.T, hosts [2]*Store) {
		ctx := t.Context()
		pid, err := hosts[0].EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		var ref string
		err = hosts[0].Tx(ctx, func(tx *Tx) error {
			it, err := tx.InsertItem(Item{ProjectID: pid, Text: "notes:", Status: "open", CreatedAt: now, UpdatedAt: now})
			ref = it.Ref()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 4, 10 // per host
		var wg sync.WaitGroup
		errs := make(chan error, 2*writers*each)
		for _, s := range hosts {
			for range writers {
				wg.Go(func() {
					for range each {
						errs <- s.Tx(ctx, func(tx *Tx) error {
							it, err := tx.ItemByRef(pid, ref)
							if err != nil {
								return err
							}
							was := it
							it.Text += "+"
							it.UpdatedAt = time.Now()
							return tx.UpdateItem(was, it)
						})
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var it Item
		err = hosts[1].Tx(ctx, func(tx *Tx) error {
			it, err = tx.ItemByRef(pid, ref)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Count(it.Text, "+"), 2*writers*each; got != want {
			t.Errorf("%s holds %d of the %d changes made to it: the others were written over", ref, got, want)
		}
	})
}
