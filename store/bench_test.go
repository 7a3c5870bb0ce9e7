package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"mailflow/store"
)

// BenchmarkCountRecentMail measures the answer rate-limit check for a busy
// recipient: many minutes mails and the limit's worth of answers in the
// last hour.
func BenchmarkCountRecentMail(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
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
			kind := "minutes"
			if i%100 == 0 {
				kind = "ack"
			}
			m := store.Mail{ProjectID: pid, IdemKey: fmt.Sprint(i), Kind: kind, EnvelopeFrom: "p@example.org", MessageID: fmt.Sprint(i), Raw: []byte("x")}
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
