package main

import (
	"bytes"
	"strings"
	"testing"

	"mailflow/mailflow/inproc"
	"mailflow/store"
)

// migrate-store copies a project office's history — the demo's: minutes,
// replies, items, risks, the audit trail, the outbox — into PostgreSQL,
// and the copy is verified and usable: ids go on where they stopped.
func TestMigrateStoreCopiesTheHistory(t *testing.T) {
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	_, dbPath := demoSetup(t, imapSrv.Addr, smtpSrv.Addr)
	target := postgresDB(t)
	var out, errOut bytes.Buffer
	if err := cmdMigrateStore(t.Context(), []string{"--from", "sqlite:" + dbPath, "--to", target}, &out, &errOut); err != nil {
		t.Fatalf("migrate-store: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "verified: items, risks and the audit trail export identically") {
		t.Errorf("migrate-store did not verify the copy:\n%s", out.String())
	}
	from, to := openTarget(t, dbPath), openTarget(t, target)
	for _, count := range []func(*store.Store) (int, error){
		func(s *store.Store) (int, error) {
			m, err := s.CountMessages(t.Context())
			return m[store.OutcomeProcessed], err
		},
		func(s *store.Store) (int, error) {
			m, err := s.OutboxCounts(t.Context())
			return m[store.MailSent], err
		},
		func(s *store.Store) (int, error) { ms, err := s.Meetings(t.Context(), 1); return len(ms), err },
	} {
		a, errA := count(from)
		b, errB := count(to)
		if errA != nil || errB != nil || a != b || a == 0 {
			t.Errorf("source %d (%v), copy %d (%v): want the same, not zero", a, errA, b, errB)
		}
	}
	// The copy goes on numbering where the source stopped.
	items, _ := to.Items(t.Context(), store.ItemFilter{})
	err = to.Tx(t.Context(), func(tx *store.Tx) error {
		it, err := tx.InsertItem(store.Item{ProjectID: 1, Text: "after the move", Status: "open"})
		if err == nil && it.Num != len(items)+1 {
			t.Errorf("the first item after the copy is A-%d, want A-%d", it.Num, len(items)+1)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second copy into a database that now holds data is refused.
	if err := cmdMigrateStore(t.Context(), []string{"--from", dbPath, "--to", target}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("a copy into a database with data: %v, want a refusal", err)
	}
}

func openTarget(t *testing.T, target string) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
