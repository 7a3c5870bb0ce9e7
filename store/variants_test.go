package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// MessageVariants finds a message recorded under its Message-ID and the
// variants recorded under that id and "#" (a second mail that took the
// same id), and nothing that merely sorts nearby.
func TestMessageVariants(t *testing.T) {
	const id = "<m1@x.example>"
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, err := s.EnsureProject(ctx, "P", "p@x.example")
		if err != nil {
			t.Fatal(err)
		}
		stored := []struct {
			key  string
			want bool
		}{
			{id, true},
			{id + "#2", true},
			{id + "#sha256:ab", true},
			{id + "!", false}, // sorts before "#"
			{id + "$", false}, // just past the range
			{id + " ", false}, // space sorts before "#"
			{id + "x", false}, // a longer id
			{"<m1@x.example", false},
			{"<m0@x.example>#2", false},
		}
		var want []string
		err = s.Tx(ctx, func(tx *Tx) error {
			for i, m := range stored {
				if _, err := tx.InsertMessage(Message{ProjectID: pid, MessageID: m.key, ContentHash: m.key, Mailbox: "INBOX",
					UID: uint32(i + 1), Kind: "reply", Outcome: "processed", ReceivedAt: time.Now(), ProcessedAt: time.Now()}); err != nil {
					return err
				}
				if m.want {
					want = append(want, m.key)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			ms, err := tx.MessageVariants(pid, id)
			if err != nil {
				return err
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.MessageID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("MessageVariants(%q) = %q, want %q", id, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
