package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestShareRandomSavepoints: random mails (minutes copies, LF-only ones,
// ones cut short anywhere, ones with a 100 KB line, so that a transaction
// fills more than one blob, and duplicates of an idempotency key), with
// savepoints rolled back or released at random: after the commit, exactly
// the mails kept are in the outbox, and each reads back byte for byte.
func TestShareRandomSavepoints(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		for round := range 12 {
			rnd := rand.New(rand.NewPCG(uint64(round), 7))
			want := map[string][]byte{}
			err := s.Tx(ctx, func(tx *Tx) error {
				var pending map[string][]byte
				open := false
				for i := range 60 {
					if rnd.IntN(4) == 0 {
						if open {
							if rnd.IntN(2) == 0 {
								if err := tx.RollbackTo("m"); err != nil {
									return err
								}
							} else {
								if err := tx.Release("m"); err != nil {
									return err
								}
								for k, v := range pending {
									want[k] = v
								}
							}
							open = false
						} else {
							if err := tx.Savepoint("m"); err != nil {
								return err
							}
							open, pending = true, map[string][]byte{}
						}
					}
					m := minutesCopy(pid, rnd.IntN(3), rnd.IntN(6))
					m.IdemKey = fmt.Sprintf("r%d:%d", round, i)
					if rnd.IntN(5) == 0 && i > 0 {
						m.IdemKey = fmt.Sprintf("r%d:%d", round, rnd.IntN(i)) // a duplicate: DO NOTHING
					}
					m.MessageID = m.IdemKey
					switch rnd.IntN(4) {
					case 0: // LF only
						m.Raw = []byte(strings.ReplaceAll(string(m.Raw), "\r\n", "\n"))
					case 1: // cut short anywhere
						m.Raw = m.Raw[:rnd.IntN(len(m.Raw))]
					case 2: // a long line (a run of its own, past blobSize together)
						big := make([]byte, 100<<10+rnd.IntN(3))
						for j := range big {
							big[j] = 'a' + byte(len(big)%3)
						}
						m.Raw = append(append(append([]byte{}, m.Raw...), big...), "\r\n"...)
					}
					ok, err := tx.Enqueue(m, []string{"a@x.example"}, at)
					if err != nil {
						return err
					}
					if ok {
						if open {
							pending[m.MessageID] = m.Raw
						} else {
							want[m.MessageID] = m.Raw
						}
					}
				}
				if open {
					if err := tx.RollbackTo("m"); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			all, err := s.OutboxList(ctx, "", 100000)
			if err != nil {
				t.Fatal(err)
			}
			var ms []Mail
			for _, m := range all {
				if strings.HasPrefix(m.MessageID, fmt.Sprintf("r%d:", round)) {
					ms = append(ms, m)
				}
			}
			readBackWhole(t, ms, want)
		}
	})
}
