package daemon

import (
	"fmt"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/store"
)

// TestPruneSentMailIsBounded: one pass prunes batch after batch, and stops
// at pruneBatches of them; the next pass takes the rest.
func TestPruneSentMailIsBounded(t *testing.T) {
	st := openStore(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	pid, err := st.EnsureProject(t.Context(), "P", "p@example.org")
	if err != nil {
		t.Fatal(err)
	}
	const total = pruneBatch*pruneBatches + pruneBatch/2
	err = st.Tx(t.Context(), func(tx *store.Tx) error {
		for i := range total {
			key := fmt.Sprintf("m%d", i)
			if _, err := tx.Enqueue(store.Mail{ProjectID: pid, IdemKey: key, Kind: "reminder", EnvelopeFrom: "m@example.org",
				MessageID: key + "@example.org", Raw: []byte("Subject: x\r\n\r\nthe body\r\n")}, []string{"a@example.org"}, now.Add(-40*24*time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// As if the sender had sent them all 40 days ago.
	if _, err := st.DB().Exec(`UPDATE outbox SET status = 'sent', sent_at = ?, smtp_response = '250'`, now.Add(-40*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	d := &Daemon{st: st, Config: &config.Config{}, now: func() time.Time { return now }}
	for i, want := range []int{pruneBatch * pruneBatches, pruneBatch / 2, 0} {
		if n, err := d.PruneSentMail(t.Context()); err != nil || n != want {
			t.Errorf("pass %d: PruneSentMail = %d, %v; want %d", i+1, n, err, want)
		}
	}
}
