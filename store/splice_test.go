package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// minutesCopy is one reader's copy of a minutes mail as the engine queues
// it: a header of its own, MIME boundaries random in each copy, the
// meeting's items in text and HTML (the same for every reader), and the
// reader's own items and reply commands in between.
func minutesCopy(pid int64, meeting, reader int) Mail {
	key := fmt.Sprintf("minutes:%d:%d", meeting, reader)
	rnd := rand.New(rand.NewPCG(uint64(meeting), uint64(reader)))
	outer, inner := fmt.Sprintf("%016x", rnd.Uint64()), fmt.Sprintf("%016x", rnd.Uint64())
	var b strings.Builder
	fmt.Fprintf(&b, "From: EHR Rollout <mailflow@x.example>\r\nTo: reader%d@x.example\r\nSubject: Minutes %d\r\n"+
		"Message-ID: <%s@x.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=%s\r\n\r\n", reader, meeting, key, outer)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: multipart/alternative;\r\n boundary=%s\r\n\r\n", outer, inner)
	for _, part := range []string{"text/plain", "text/html"} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", inner, part)
		fmt.Fprintf(&b, "Weekly rollout meeting %d =E2=80=94 2 Dec 2026\r\nChair: Priya Shah\r\n", meeting)
		if reader%3 == 0 {
			fmt.Fprintf(&b, "YOUR ACTION ITEMS (1)\r\n  A-%d   item of reader %d, due Fri 4 Dec\r\n", reader, reader)
		}
		for i := range 60 {
			fmt.Fprintf(&b, "  A-%d   confirm the interface test window %d of meeting %d with the vendor (%s)\r\n", i, i*7, meeting, part)
		}
		fmt.Fprintf(&b, "Reply with: done   closes A-%d\r\n", reader)
	}
	fmt.Fprintf(&b, "--%s--\r\n--%s--\r\n", inner, outer)
	return Mail{ProjectID: pid, IdemKey: key, Kind: "minutes", EnvelopeFrom: "mailflow@x.example",
		Subject: fmt.Sprintf("Minutes %d", meeting), MessageID: key + "@x.example", Raw: []byte(b.String())}
}

// TestSharedRunsReadBackWhole: the copies of one minutes, queued in one
// transaction, keep the runs they share once, and each reads back (as the
// sender and "mailflow outbox" read it) byte for byte as it was queued.
func TestSharedRunsReadBackWhole(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		want := map[string][]byte{}
		err := s.Tx(ctx, func(tx *Tx) error {
			for meeting := range 2 {
				for reader := range 16 {
					m := minutesCopy(pid, meeting, reader)
					want[m.MessageID] = m.Raw
					if _, err := tx.Enqueue(m, []string{fmt.Sprintf("reader%d@x.example", reader)}, at); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// From a meeting's third copy on, each row keeps under a third of
		// its mail: the first copy keeps all of its own (nothing shares
		// it yet), and the second what the first has and it does not.
		var rows []struct {
			Key  string `db:"idem_key"`
			Kept int    `db:"kept"`
		}
		if err := s.sel(ctx, &rows, `SELECT idem_key, LENGTH(raw) + COALESCE(LENGTH(splices), 0) AS kept FROM outbox`); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			var meeting, reader int
			if _, err := fmt.Sscanf(r.Key, "minutes:%d:%d", &meeting, &reader); err != nil {
				t.Fatal(err)
			}
			if whole := len(want[r.Key+"@x.example"]); reader >= 2 && r.Kept*3 > whole {
				t.Errorf("%s: the row keeps %d bytes of a %d-byte mail, want under a third", r.Key, r.Kept, whole)
			}
		}
		due, err := s.DueMail(ctx, at, 100)
		if err != nil {
			t.Fatal(err)
		}
		listed, err := s.OutboxList(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		readBackWhole(t, due, want)
		readBackWhole(t, listed, want)
	})
}

// readBackWhole fails t unless ms are the mails of want, each read back
// with the bytes want has for its Message-ID.
func readBackWhole(t *testing.T, ms []Mail, want map[string][]byte) {
	t.Helper()
	if len(ms) != len(want) {
		t.Fatalf("%d mails read back, want %d", len(ms), len(want))
	}
	for _, m := range ms {
		if m.RawErr != nil || !bytes.Equal(m.Raw, want[m.MessageID]) {
			t.Errorf("mail %s reads back %d bytes (%v), want the %d queued", m.MessageID, len(m.Raw), m.RawErr, len(want[m.MessageID]))
		}
	}
}

// TestSharedRunsAfterRollbackTo: runs stored for mails rolled back to a
// savepoint are not stored, and a mail queued after the rollback with the
// same runs still reads back whole.
func TestSharedRunsAfterRollbackTo(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		var kept []Mail
		err := s.Tx(ctx, func(tx *Tx) error {
			first := minutesCopy(pid, 1, 0)
			if _, err := tx.Enqueue(first, []string{"a@x.example"}, at); err != nil {
				return err
			}
			kept = append(kept, first)
			if err := tx.Savepoint("m"); err != nil {
				return err
			}
			for reader := 1; reader < 4; reader++ {
				if _, err := tx.Enqueue(minutesCopy(pid, 1, reader), []string{"a@x.example"}, at); err != nil {
					return err
				}
			}
			if err := tx.RollbackTo("m"); err != nil {
				return err
			}
			for reader := 4; reader < 7; reader++ {
				m := minutesCopy(pid, 1, reader)
				if _, err := tx.Enqueue(m, []string{"a@x.example"}, at); err != nil {
					return err
				}
				kept = append(kept, m)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		due, err := s.DueMail(ctx, at, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{}
		for _, m := range kept {
			want[m.MessageID] = m.Raw
		}
		readBackWhole(t, due, want)
		var spliced int
		if err := s.get(ctx, &spliced, `SELECT COUNT(*) FROM outbox WHERE splices IS NOT NULL`); err != nil {
			t.Fatal(err)
		}
		if spliced < 2 {
			t.Errorf("%d mails refer to shared runs, want at least 2 of the 3 queued after the rollback", spliced)
		}
	})
}

// TestDropUnusedBlobs: once the mails that shared runs are pruned, their
// blob goes; the blob of mails from before the cutoff not yet sent stays,
// and so does that of mails queued since, and those mails still read back
// whole.
func TestDropUnusedBlobs(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		old, cutoff := now.Add(-40*24*time.Hour), now.Add(-30*24*time.Hour)
		queueAll := func(meeting, readers int, at time.Time) []Mail {
			var ms []Mail
			err := s.Tx(ctx, func(tx *Tx) error {
				for reader := range readers {
					m := minutesCopy(pid, meeting, reader)
					if at.Equal(now) {
						m.IdemKey += ":again"
						m.MessageID = "again." + m.MessageID
					}
					if _, err := tx.Enqueue(m, []string{"a@x.example"}, at); err != nil {
						return err
					}
					ms = append(ms, m)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		blobsOf := func(meeting int) int {
			var n int
			// The runs of a meeting hold its number in their lines.
			if err := s.get(ctx, &n, `SELECT COUNT(*) FROM outbox_blobs WHERE data LIKE ?`,
				[]byte(fmt.Sprintf("%%of meeting %d with%%", meeting))); err != nil {
				t.Fatal(err)
			}
			return n
		}
		queueAll(1, 4, old) // sent, then pruned: its blob goes
		unsent := queueAll(2, 4, old)
		queueAll(3, 4, old)
		since := queueAll(3, 4, now) // the same minutes queued again since: a blob of their own
		for _, meeting := range []int{1, 2, 3} {
			if blobsOf(meeting) == 0 {
				t.Fatalf("meeting %d's mails share no run", meeting)
			}
		}
		if _, err := s.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ? WHERE created_at = ? AND idem_key NOT LIKE 'minutes:2:%'`, utc(old), utc(old)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PruneSentMail(ctx, cutoff, now, 100); err != nil {
			t.Fatal(err)
		}
		dropped, err := s.DropUnusedBlobs(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		var before, after int
		if err := s.get(ctx, &before, `SELECT COUNT(*) FROM outbox_blobs WHERE created_at < ?`, utc(cutoff)); err != nil {
			t.Fatal(err)
		}
		if err := s.get(ctx, &after, `SELECT COUNT(*) FROM outbox_blobs WHERE created_at >= ?`, utc(cutoff)); err != nil {
			t.Fatal(err)
		}
		if dropped != 2 || blobsOf(1) != 0 || before != 1 || blobsOf(2) == 0 || after != 1 {
			t.Errorf("DropUnusedBlobs dropped %d blobs, left %d of the pruned meeting's, %d from before the cutoff (%d of the unsent meeting's) and %d since; "+
				"want the 2 of the pruned meetings gone, and the unsent meeting's and the one since kept", dropped, blobsOf(1), before, blobsOf(2), after)
		}
		if again, err := s.DropUnusedBlobs(ctx, cutoff); err != nil || again != 0 {
			t.Errorf("a second DropUnusedBlobs dropped %d (%v), want 0", again, err)
		}
		due, err := s.DueMail(ctx, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{}
		for _, m := range append(unsent, since...) {
			want[m.MessageID] = m.Raw
		}
		readBackWhole(t, due, want)
	})
}

// queueWithRunsGone queues three readers' copies of one minutes, which
// share runs, and a mail that shares nothing, then deletes the shared
// runs, as a bug or a hand-edited database might; it returns when the
// mails were queued.
func queueWithRunsGone(t *testing.T, s *Store) time.Time {
	t.Helper()
	ctx := context.Background()
	pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	err := s.Tx(ctx, func(tx *Tx) error {
		for reader := range 3 {
			if _, err := tx.Enqueue(minutesCopy(pid, 1, reader), []string{"a@x.example"}, at); err != nil {
				return err
			}
		}
		_, err := tx.Enqueue(outboxMail(pid, "plain"), []string{"a@x.example"}, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.exec(ctx, `DELETE FROM outbox_blobs`); err != nil {
		t.Fatal(err)
	}
	return at
}

// TestMissingRunFailsOnlyItsMail: a mail whose shared run is gone from
// the database (damage, a hand-made restore) comes back with RawErr and
// no bytes, which the sender parks; the other mails read as they were.
func TestMissingRunFailsOnlyItsMail(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		at := queueWithRunsGone(t, s)
		due, err := s.DueMail(ctx, at, 100)
		if err != nil {
			t.Fatal(err)
		}
		broken := 0
		for _, m := range due {
			switch {
			case m.RawErr != nil && m.Raw == nil:
				broken++
			case m.RawErr == nil && len(m.Raw) > 0:
			default:
				t.Errorf("mail %s: %d bytes and error %v", m.MessageID, len(m.Raw), m.RawErr)
			}
		}
		if broken != 2 || len(due) != 4 {
			t.Errorf("%d of %d mails cannot be read back, want the 2 that referred to shared runs of 4", broken, len(due))
		}
	})
}

// TestOutboxSummariesReadNoBytes: the listing "mailflow outbox" prints
// has every fact of each mail OutboxList has, without the bytes; so it
// reads no shared runs, and lists a mail whose runs are gone like any
// other instead of with an error.
func TestOutboxSummariesReadNoBytes(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		queueWithRunsGone(t, s)
		whole, err := s.OutboxList(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		summaries, err := s.OutboxSummaries(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) != 4 || len(summaries) != len(whole) {
			t.Fatalf("listed %d mails, and %d with their bytes; want 4 of each", len(summaries), len(whole))
		}
		for i, m := range summaries {
			if m.Raw != nil || m.RawErr != nil {
				t.Errorf("summary of mail %d has %d bytes and error %v, want neither", m.ID, len(m.Raw), m.RawErr)
			}
			facts := whole[i]
			facts.Raw, facts.RawErr = nil, nil
			m.Raw, m.RawErr = nil, nil
			if !reflect.DeepEqual(m, facts) {
				t.Errorf("summary %+v\nwant the facts OutboxList has: %+v", m, facts)
			}
		}
		queued, err := s.OutboxSummaries(ctx, MailQueued, 100)
		if err != nil || len(queued) != 4 {
			t.Fatalf("queued mails listed: %d, %v; want 4", len(queued), err)
		}
		for i, m := range queued {
			if m.Raw != nil || m.RawErr != nil || m.ID != summaries[i].ID {
				t.Errorf("queued mail %d listed as mail %d with %d bytes and error %v; want %d, no bytes", i, m.ID, len(m.Raw), m.RawErr, summaries[i].ID)
			}
		}
		failed, err := s.OutboxSummaries(ctx, MailFailed, 100)
		if err != nil || len(failed) != 0 {
			t.Errorf("failed mails listed: %d, %v; want none", len(failed), err)
		}
	})
}

// FuzzShareRoundTrip: whatever mails a transaction queues, each is put
// back together from its own bytes and the transaction's blobs to exactly
// what was queued.
func FuzzShareRoundTrip(f *testing.F) {
	f.Add([]byte(minutesCopy(1, 1, 0).Raw), []byte(minutesCopy(1, 1, 3).Raw), uint8(3))
	f.Add([]byte("Subject: x\r\n\r\n--b\r\n"), []byte("no header at all"), uint8(0))
	s, err := Open(context.Background(), f.TempDir()+"/fuzz.db")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	errDone := errors.New("rolled back")
	f.Fuzz(func(t *testing.T, a, b []byte, n uint8) {
		at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		mails := [][]byte{a, b, a, append(bytes.Clone(a), b...), b, a}
		err := s.Tx(context.Background(), func(tx *Tx) error {
			type row struct{ own, splices []byte }
			rows := make([]row, 0, len(mails)+int(n%8))
			for i := range cap(rows) {
				own, splices, err := tx.share(mails[i%len(mails)], at)
				if err != nil {
					return err
				}
				rows = append(rows, row{bytes.Clone(own), bytes.Clone(splices)})
			}
			for i, r := range rows {
				got, err := assemble(r.own, r.splices, func(id int64) ([]byte, error) {
					for _, st := range tx.blobs.stored {
						if st.id == id {
							return st.data, nil
						}
					}
					return nil, fmt.Errorf("mail %d refers to blob %d, which the transaction did not store", i, id)
				})
				if err != nil || !bytes.Equal(got, mails[i%len(mails)]) {
					t.Fatalf("mail %d reads back %q (%v), want %q", i, got, err, mails[i%len(mails)])
				}
			}
			return errDone
		})
		if !errors.Is(err, errDone) {
			t.Fatal(err)
		}
	})
}

// steppedBack returns a reading of time.Now() taken after t by the
// monotonic clock but back by the wall clock: what the engine's e.now()
// returns for the next message of a batch after NTP (or a VM resume, an
// operator) steps the system clock back by step.
func steppedBack(t time.Time, step time.Duration) time.Time {
	type timeLayout struct {
		wall uint64
		ext  int64
		loc  *time.Location
	}
	back := t.Add(-step) // wall and monotonic both back
	l := (*timeLayout)(unsafe.Pointer(&back))
	l.ext = (*timeLayout)(unsafe.Pointer(&t)).ext + int64(time.Second) // monotonic: a second later
	return back
}

// TestBlobCreatedAtIsNewestByWallClock: a blob's created_at must be no
// older than any mail that uses it, or DropUnusedBlobs deletes it while
// that mail is still whole.
func TestBlobCreatedAtIsNewestByWallClock(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		t0 := time.Now()
		later := steppedBack(t0, 2*time.Hour)
		if !later.After(t0) || !later.Round(0).Before(t0.Round(0)) {
			t.Fatalf("steppedBack: %v after %v by the monotonic clock, before it by the wall clock: want both", later, t0)
		}
		ms := []Mail{minutesCopy(pid, 1, 0), minutesCopy(pid, 1, 1), minutesCopy(pid, 1, 2)}
		ats := []time.Time{t0, t0, later}
		err := s.Tx(ctx, func(tx *Tx) error {
			for i, m := range ms {
				if _, err := tx.Enqueue(m, []string{"a@x.example"}, ats[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The mail queued after the step is sent and, later, pruned; the
		// one before it failed (a 550) and stays, to be retried.
		if _, err := s.exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = ? WHERE idem_key = ?`, utc(later), ms[2].IdemKey); err != nil {
			t.Fatal(err)
		}
		if _, err := s.exec(ctx, `UPDATE outbox SET status = 'failed' WHERE idem_key = ?`, ms[1].IdemKey); err != nil {
			t.Fatal(err)
		}
		cutoff := t0.Round(0).Add(-time.Hour)
		if _, err := s.PruneSentMail(ctx, cutoff, t0, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DropUnusedBlobs(ctx, cutoff); err != nil {
			t.Fatal(err)
		}
		failed, err := s.OutboxList(ctx, MailFailed, 10)
		if err != nil {
			t.Fatal(err)
		}
		readBackWhole(t, failed, map[string][]byte{ms[1].MessageID: ms[1].Raw})
	})
}

// TestDropUnusedBlobsWhileATransactionCommits: a transaction that commits
// while DropUnusedBlobs runs, its mails queued at a time before the cutoff
// (a host whose clock is behind), keeps its blob: DropUnusedBlobs reads
// the blobs before the mails that use them. (Reading the mails first, it
// took the blob of a transaction that committed in between.)
func TestDropUnusedBlobsWhileATransactionCommits(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	cutoff := now.Add(-24 * time.Hour)
	behind := cutoff.Add(-time.Minute) // the other host's clock
	var want = map[string][]byte{}
	enqueued, done := make(chan struct{}), make(chan error)
	go func() {
		done <- s.Tx(ctx, func(tx *Tx) error {
			for reader := range 3 {
				m := minutesCopy(pid, 1, reader)
				want[m.MessageID] = m.Raw
				if _, err := tx.Enqueue(m, []string{"a@x.example"}, behind); err != nil {
					return err
				}
			}
			close(enqueued)
			time.Sleep(300 * time.Millisecond)
			return nil
		})
	}()
	<-enqueued
	_, err := s.DropUnusedBlobs(ctx, cutoff)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	due, err := s.DueMail(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	readBackWhole(t, due, want)
}
