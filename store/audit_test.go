package store

import (
	"fmt"
	"testing"
	"time"
)

// Audit entries are written together before the commit: all of them, in
// the order they were appended, across the chunk sizes, except those
// appended after a savepoint that was rolled back to.
func TestAuditWrittenAtCommitInOrder(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		pid, err := s.EnsureProject(ctx, "EHR", "ehr@x.example")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		entry := func(i int) AuditEntry {
			return AuditEntry{ProjectID: pid, At: at.Add(time.Duration(i) * time.Second), Actor: "priya@x.example",
				Source: SourceCLI, Ref: fmt.Sprintf("A-%d", i), Action: "note", NewValue: fmt.Sprint(i)}
		}
		var want []string
		err = s.Tx(ctx, func(tx *Tx) error {
			n := 0
			add := func(k int, keep bool) error {
				for range k {
					n++
					if err := tx.Audit(entry(n)); err != nil {
						return err
					}
					if keep {
						want = append(want, fmt.Sprint(n))
					}
				}
				return nil
			}
			if err := add(40, true); err != nil {
				return err
			}
			if err := tx.Savepoint("message"); err != nil {
				return err
			}
			if err := add(5, false); err != nil {
				return err
			}
			if err := tx.RollbackTo("message"); err != nil {
				return err
			}
			if err := tx.Savepoint("message"); err != nil {
				return err
			}
			if err := add(35, true); err != nil {
				return err
			}
			return tx.Release("message")
		})
		if err != nil {
			t.Fatal(err)
		}
		es, err := s.AuditTrail(ctx, pid, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.NewValue)
			if e.NewValue == "46" {
				if !e.At.Equal(at.Add(46*time.Second)) || e.Ref != "A-46" || e.Actor != "priya@x.example" || e.MessageID != 0 {
					t.Errorf("entry 46 read back as %+v", e)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("audit log holds %v\nwant %v", got, want)
		}
		// A transaction that fails writes none of its entries.
		_ = s.Tx(ctx, func(tx *Tx) error {
			_ = tx.Audit(entry(99))
			return fmt.Errorf("fails")
		})
		if es2, _ := s.AuditTrail(ctx, pid, "A-99"); len(es2) != 0 {
			t.Errorf("a failed transaction's entry was written: %+v", es2)
		}
	})
}
