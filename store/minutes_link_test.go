package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// Every version of a meeting's minutes leads to the meeting once linked,
// and migration 0018 links the minutes each meeting held before it.
func TestMeetingByAnyVersionOfItsMinutes(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		s := openTarget(t, target)
		ctx := t.Context()
		pid, err := s.EnsureProject(ctx, "EHR", "ehr@clinic.example")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
		var first, second, meeting int64
		err = s.Tx(ctx, func(tx *Tx) error {
			msg := func(id string) (int64, error) {
				return tx.InsertMessage(Message{ProjectID: pid, MessageID: id, ContentHash: id, Kind: "minutes", Outcome: OutcomeProcessed, ReceivedAt: now, ProcessedAt: now})
			}
			if first, err = msg("minutes-1@x"); err != nil {
				return err
			}
			if second, err = msg("minutes-2@x"); err != nil {
				return err
			}
			// Recorded as a build before migration 0018 did: the
			// meeting names its latest minutes, nothing links the first.
			meeting, err = tx.InsertMeeting(Meeting{ProjectID: pid, Title: "EHR weekly", MeetingDate: "2026-11-24", MessageID: first, CreatedAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.exec(ctx, `DELETE FROM meeting_minutes`); err != nil {
			t.Fatal(err)
		}
		for _, q := range append(undoMigrationsAfter(t, s, 17), "DELETE FROM schema_version WHERE version >= 18") {
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		s.Close()
		s = openTarget(t, target)
		var found Meeting
		err = s.Tx(ctx, func(tx *Tx) error {
			if found, err = tx.MeetingByMessage(first); err != nil {
				return err
			}
			if _, err := tx.MeetingByMessage(second); !errors.Is(err, ErrNotFound) {
				t.Errorf("MeetingByMessage(second version) before it is linked = %v, want ErrNotFound", err)
			}
			// The correction is linked, and the meeting moves on to it.
			if err := tx.LinkMinutes(second, meeting); err != nil {
				return err
			}
			if err := tx.LinkMinutes(second, meeting); err != nil {
				return err
			}
			mt, err := tx.MeetingByID(pid, meeting)
			if err != nil {
				return err
			}
			mt.MessageID = second
			return tx.UpdateMeeting(mt)
		})
		if err != nil {
			t.Fatal(err)
		}
		if found.ID != meeting {
			t.Errorf("after migration 0018 the first minutes lead to meeting %d, want %d", found.ID, meeting)
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			for _, row := range []int64{first, second} {
				mt, err := tx.MeetingByMessage(row)
				if err != nil || mt.ID != meeting {
					t.Errorf("MeetingByMessage(%d) = %d (%v), want meeting %d: every version leads to it", row, mt.ID, err, meeting)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// RefsOfMeeting lists a meeting's items, then its risks, each in number
// order, and nothing of another meeting.
func TestRefsOfMeeting(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		var refs, none []string
		err := s.Tx(ctx, func(tx *Tx) error {
			var ms [2]int64
			for i := range ms {
				var err error
				if ms[i], err = tx.InsertMeeting(Meeting{ProjectID: pid, Title: "Weekly", MeetingDate: "2026-12-01", CreatedAt: now}); err != nil {
					return err
				}
			}
			// Numbers taken in turn by the two meetings, so each meeting's
			// are not consecutive.
			for range 2 {
				for _, m := range ms {
					if _, err := tx.InsertItem(Item{ProjectID: pid, MeetingID: m, Text: "x", Status: "open", CreatedAt: now}); err != nil {
						return err
					}
				}
			}
			if _, err := tx.InsertRisk(Risk{ProjectID: pid, MeetingID: ms[1], Description: "x", Status: "open", CreatedAt: now}); err != nil {
				return err
			}
			var err error
			if refs, err = tx.RefsOfMeeting(ms[1]); err != nil {
				return err
			}
			none, err = tx.RefsOfMeeting(ms[1] + 1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"A-2", "A-4", "R-1"}; !slices.Equal(refs, want) {
			t.Errorf("RefsOfMeeting = %v, want %v", refs, want)
		}
		if len(none) != 0 {
			t.Errorf("RefsOfMeeting of a meeting with nothing = %v, want none", none)
		}
	})
}
