package store

import (
	"fmt"
	"testing"
	"time"
)

// The statements rewritten to run on both databases give the same answers
// on each: attendees in the order written, answers counted by exact key
// prefix (case and all), a message found in every project that has it.
func TestPortableStatements(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		ehr, _ := s.EnsureProject(ctx, "EHR", "ehr@clinic.example")
		lab, _ := s.EnsureProject(ctx, "Lab", "lab@clinic.example")

		names := []string{"Zoe", "Adam", "Mia", "Bob"}
		var meeting int64
		err := s.Tx(ctx, func(tx *Tx) error {
			var err error
			if meeting, err = tx.InsertMeeting(Meeting{ProjectID: ehr, Title: "Weekly", MeetingDate: "2026-12-01", CreatedAt: now}); err != nil {
				return err
			}
			var as []Attendee
			for i, n := range names {
				as = append(as, Attendee{Name: n, Email: n + "@clinic.example", Present: i != 2})
			}
			if err := tx.ReplaceAttendees(meeting, as); err != nil {
				return err
			}
			for i, key := range []string{"ack:1", "ack:2", "ACK:3", "error:1", "acknowledged:1", "confirm:1"} {
				kind := "ack"
				if i == 3 {
					kind = "error"
				}
				m := Mail{ProjectID: ehr, IdemKey: key, Kind: kind, EnvelopeFrom: "m@x", MessageID: key + "@x", Raw: []byte("x")}
				if _, err := tx.Enqueue(m, []string{"alice@clinic.example"}, now); err != nil {
					return err
				}
			}
			for _, pid := range []int64{ehr, lab} {
				if _, err := tx.InsertMessage(Message{ProjectID: pid, MessageID: "shared@x", ContentHash: "h", Kind: "other",
					Outcome: OutcomeProcessed, ReceivedAt: now, ProcessedAt: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		as, err := s.Attendees(ctx, meeting)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range as {
			got = append(got, fmt.Sprintf("%s %v", a.Name, a.Present))
		}
		if want := "[Zoe true Adam true Mia false Bob true]"; fmt.Sprint(got) != want {
			t.Errorf("Attendees = %v, want %s (as written)", got, want)
		}

		counts := []struct {
			prefixes []string
			max      int
			want     int
		}{
			{nil, 10, 6},                        // every ack and error
			{[]string{"ack:"}, 10, 2},           // not ACK:3, not acknowledged:1
			{[]string{"ACK:"}, 10, 1},           // case counts
			{[]string{"ack:", "error:"}, 10, 3}, // either prefix
			{[]string{"ack"}, 10, 3},            // ack:1, ack:2, acknowledged:1 (a confirm is no ack kind)
			{[]string{"ack:", "error:"}, 2, 2},  // stops at max
		}
		for _, c := range counts {
			err := s.Tx(ctx, func(tx *Tx) error {
				n, err := tx.CountRecentMail(RecentMail{ProjectID: ehr, Recipient: "alice@clinic.example", Kinds: []string{"ack", "error"},
					KeyPrefixes: c.prefixes, Since: now.Add(-time.Hour)}, c.max)
				if err == nil && n != c.want {
					t.Errorf("CountRecentMail(prefixes %q, max %d) = %d, want %d", c.prefixes, c.max, n, c.want)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}

		ms, err := s.MessagesByMessageID(ctx, "shared@x")
		if err != nil || len(ms) != 2 || ms[0].ProjectID != ehr || ms[1].ProjectID != lab {
			t.Errorf("MessagesByMessageID = %+v (%v), want the EHR and the Lab record, in that order", ms, err)
		}
		has, err := s.HasContent(ctx, ehr)
		if err != nil || !has {
			t.Errorf("HasContent(EHR) = %v, %v; want true (a meeting)", has, err)
		}
		if has, err := s.HasContent(ctx, lab); err != nil || has {
			t.Errorf("HasContent(Lab) = %v, %v; want false", has, err)
		}
	})
}
