package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"mailflow/internal/pgtest"
	"mailflow/store"
)

// BenchmarkCountRecentMail measures the answer rate-limit check for a busy
// recipient: many minutes mails and the limit's worth of answers in the
// last hour, on each database.
func BenchmarkCountRecentMail(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchCountRecentMail(b, filepath.Join(b.TempDir(), "bench.db")) })
	b.Run("postgres", func(b *testing.B) { benchCountRecentMail(b, pgtest.Shared(b).CreateDB(b, "")) })
}

func benchCountRecentMail(b *testing.B, target string) {
	ctx := context.Background()
	st, err := store.Open(ctx, target)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	pid, err := st.EnsureProject(ctx, "P", "p@example.org")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for i := range 3000 {
			kind, key := "minutes", fmt.Sprint("minutes:", i)
			if i%100 == 0 {
				kind, key = "ack", fmt.Sprint("ack:", i)
			}
			m := store.Mail{ProjectID: pid, IdemKey: key, Kind: kind, EnvelopeFrom: "p@example.org", MessageID: fmt.Sprint(i), Raw: []byte("x")}
			if _, err := tx.Enqueue(m, []string{"alice@example.org"}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for range b.N {
			n, err := tx.CountRecentMail(store.RecentMail{ProjectID: pid, Recipient: "alice@example.org", Kinds: []string{"ack", "error"}, KeyPrefixes: []string{"ack:", "error:"}, Since: now.Add(-time.Hour)}, 20)
			if err != nil {
				return err
			}
			if n != 20 {
				return fmt.Errorf("counted %d, want 20", n)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
