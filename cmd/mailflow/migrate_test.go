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
	// Every mail reads back from the copy byte for byte, those whose
	// copies share runs with other mails (outbox_blobs) too.
	var spliced int
	if err := from.DB().Get(&spliced, `SELECT COUNT(*) FROM outbox WHERE splices IS NOT NULL`); err != nil || spliced == 0 {
		t.Errorf("%d of the demo's mails share runs (%v), want some: the copy of shared runs is not tested", spliced, err)
	}
	mailsFrom, errA := from.OutboxList(t.Context(), "", 1000)
	mailsTo, errB := to.OutboxList(t.Context(), "", 1000)
	if errA != nil || errB != nil || len(mailsFrom) != len(mailsTo) {
		t.Fatalf("the source lists %d mails (%v), the copy %d (%v)", len(mailsFrom), errA, len(mailsTo), errB)
	}
	for i, m := range mailsFrom {
		if c := mailsTo[i]; c.ID != m.ID || c.RawErr != nil || !bytes.Equal(c.Raw, m.Raw) {
			t.Errorf("outbox %d: the copy reads back %d bytes (%v), want the source's %d", m.ID, len(c.Raw), c.RawErr, len(m.Raw))
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
