package report_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/report"
	"mailflow/store"
)

// The report reads the open items and those changed in its weeks, not
// every item a long project ever had: what happened in the period is all
// there, and years-old closed and cancelled items stay out of it.
func TestReportOfALongProject(t *testing.T) {
	ctx := context.Background()
	cfg := &config.Config{
		Database: config.Database{Path: t.TempDir() + "/mailflow.db"},
		IMAP:     config.IMAP{Endpoint: config.Endpoint{Address: "127.0.0.1:143", Security: "insecure", Username: "u", Password: "p"}},
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: "mailflow@clinic.example"},
		Security: config.Security{ReplyKey: []byte("0123456789abcdef0123456789abcdef")},
		Projects: []config.Project{{Name: "EHR", Address: "ehr@clinic.example", Timezone: "UTC",
			Leadership: []string{"cmo@clinic.example"}, StatusSchedule: "Mon 08:00",
			Members: []config.Member{{Name: "Ana Chair", Email: "ana@clinic.example", Role: "chair"}}}},
	}
	if err := cfg.Finish(func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pid, err := st.EnsureProject(ctx, "EHR", "ehr@clinic.example")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	from := now.AddDate(0, 0, -7)
	inPeriod, yearsAgo := now.AddDate(0, 0, -2), now.AddDate(-3, 0, 0)
	items := []struct {
		text             string
		status           string
		created, changed time.Time
		closedInPeriod   bool
	}{
		{"open for years", "open", yearsAgo, yearsAgo, false},
		{"done long ago", "done", yearsAgo, yearsAgo.AddDate(0, 1, 0), false},
		{"cancelled long ago", "cancelled", yearsAgo, yearsAgo.AddDate(1, 0, 0), false},
		{"old, done this week", "done", yearsAgo, inPeriod, true},
		{"new, cancelled this week", "cancelled", inPeriod, inPeriod, false},
	}
	refs := map[string]string{}
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for _, c := range items {
			it := store.Item{ProjectID: pid, Text: c.text, Status: c.status, CreatedAt: c.created, UpdatedAt: c.changed}
			if c.status != "open" {
				it.ClosedAt = c.changed
			}
			it, err := tx.InsertItem(it)
			if err != nil {
				return err
			}
			refs[c.text] = it.Ref()
			if c.status == "done" {
				if err := tx.Audit(store.AuditEntry{ProjectID: pid, At: c.changed, Actor: "ana@clinic.example", Source: store.SourceCLI,
					Ref: it.Ref(), Action: "closed", NewValue: "done"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Build(ctx, st, pid, &cfg.Projects[0], from, now, now)
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Data
	if d.Open != 1 || d.ClosedSince != 1 || d.OpenedSince != 1 {
		t.Errorf("open %d, closed this period %d, opened this period %d; want 1, 1, 1", d.Open, d.ClosedSince, d.OpenedSince)
	}
	var closed []string
	for _, it := range d.Closed {
		closed = append(closed, it.Ref)
	}
	if want := []string{refs["old, done this week"]}; !slices.Equal(closed, want) {
		t.Errorf("closed this period: %v, want %v", closed, want)
	}
}
