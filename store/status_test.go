package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// TestLastRun: a run replaces the one before; a failure keeps the time of
// the last success.
func TestLastRun(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		if _, err := s.LastRunOutcome(context.Background()); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LastRunOutcome on a new database = %v, want ErrNotFound", err)
		}
		t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
		ok := Run{Mode: ModeOnce, PID: 10, StartedAt: t0, UpdatedAt: t0.Add(time.Second), State: RunOK, LastOK: sql.NullTime{Time: t0.Add(time.Second), Valid: true}}
		failed := Run{Mode: ModeOnce, PID: 11, StartedAt: t0.Add(time.Hour), UpdatedAt: t0.Add(time.Hour + time.Second), State: RunFailed,
			Step: "reading mailbox INBOX", Error: "dial tcp: connection refused"}
		for _, r := range []Run{ok, failed} {
			if err := s.SaveRun(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LastRunOutcome(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := failed
		want.LastOK = ok.LastOK
		if got.Mode != want.Mode || got.PID != want.PID || !got.StartedAt.Equal(want.StartedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
			got.State != want.State || got.Step != want.Step || got.Error != want.Error || !got.LastOK.Valid || !got.LastOK.Time.Equal(want.LastOK.Time) {
			t.Errorf("LastRunOutcome = %+v, want %+v", got, want)
		}
	})
}
