package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkEnqueueMinutes queues the copies of minutes as the engine does
// for a busy project: sixteen readers a meeting, 50 meetings a
// transaction, each committed to an SQLite file (WAL, as mailflow opens
// it). "whole" keeps every mail whole as before the outbox shared runs,
// "shared" keeps the runs a transaction's mails share once. It reports the
// time per mail (share, insert and commit) and the bytes the database
// uses per mail, pages in use after a checkpoint. Run it with
//
//	go test -run '^$' -bench EnqueueMinutes ./store/
func BenchmarkEnqueueMinutes(b *testing.B) {
	const meetings, readers = 50, 16
	for _, shared := range []bool{false, true} {
		name := "whole"
		if shared {
			name = "shared"
		}
		b.Run(name, func(b *testing.B) {
			defer func(was bool) { shareRuns = was }(shareRuns)
			shareRuns = shared
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			pid, err := s.EnsureProject(ctx, "P", "p@x.example")
			if err != nil {
				b.Fatal(err)
			}
			var mails []Mail
			for m := range meetings {
				for r := range readers {
					mails = append(mails, minutesCopy(pid, m, r))
				}
			}
			at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := range b.N {
				err := s.Tx(ctx, func(tx *Tx) error {
					for _, m := range mails {
						m.IdemKey = fmt.Sprint(m.IdemKey, ":", i)
						if _, err := tx.Enqueue(m, []string{"a@x.example"}, at); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				b.Fatal(err)
			}
			var pages, free, size int64
			for _, q := range []struct {
				pragma string
				to     *int64
			}{{`PRAGMA page_count`, &pages}, {`PRAGMA freelist_count`, &free}, {`PRAGMA page_size`, &size}} {
				if err := s.db.QueryRowContext(ctx, q.pragma).Scan(q.to); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N * len(mails))
			b.ReportMetric(float64(b.Elapsed().Microseconds())/n, "µs/mail")
			b.ReportMetric(float64((pages-free)*size)/n, "bytes/mail")
			b.ReportMetric(0, "ns/op")
		})
	}
}
