package daemon

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"mailflow/store"
)

// TestNextFlush: unkicked, the sender sleeps until the earliest queued mail
// is due, never less than flushGap nor more than flushEvery, and a full
// flushEvery after a failed flush (the mail it could not send is due now).
func TestNextFlush(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		due    []time.Duration // queued mails, due this long after now
		failed error
		want   time.Duration
	}{
		{name: "nothing queued", want: flushEvery},
		{name: "a retry in 10 s", due: []time.Duration{10 * time.Second, 20 * time.Minute}, want: 10 * time.Second},
		{name: "a retry in an hour", due: []time.Duration{time.Hour}, want: flushEvery},
		{name: "mail due already", due: []time.Duration{-time.Minute}, want: flushGap},
		{name: "mail due in 1 ms", due: []time.Duration{time.Millisecond}, want: flushGap},
		{name: "after a failed flush", due: []time.Duration{-time.Minute}, failed: errors.New("connection refused"), want: flushEvery},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			for i, after := range tc.due {
				queueMail(t, st, fmt.Sprintf("test:%d", i), now.Add(after))
			}
			d := &Daemon{st: st, now: func() time.Time { return now }}
			if got := d.nextFlush(t.Context(), tc.failed); got != tc.want {
				t.Errorf("nextFlush(%v) with mail due %v = %s, want %s", tc.failed, tc.due, got, tc.want)
			}
		})
	}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "mailflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// queueMail queues a mail due at due.
func queueMail(t *testing.T, st *store.Store, key string, due time.Time) {
	t.Helper()
	pid, err := st.EnsureProject(t.Context(), "P", "p@example.org")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Enqueue(store.Mail{ProjectID: pid, IdemKey: key, Kind: "reminder", EnvelopeFrom: "m@example.org",
			MessageID: key + "@example.org", Raw: []byte("Subject: x\r\n\r\nx\r\n")}, []string{"a@example.org"}, due)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
