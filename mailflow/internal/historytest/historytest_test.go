package historytest_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"mailflow/mailflow/internal/historytest"
	"mailflow/store"
)

var focus = historytest.Project{
	Name: "EHR", Address: "ehr@clinic.example", Leadership: []string{"cmo@clinic.example"},
	Members: []historytest.Person{{Name: "Priya Shah", Email: "priya@clinic.example"}, {Name: "Alice Moreau", Email: "alice@clinic.example"}},
}

// built is a two-project office's five years, built once for the tests.
type built struct {
	path  string
	o     historytest.Office
	stats historytest.Stats
}

func build(t *testing.T) built {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "history.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	o := historytest.FiveYears(2.0/300, focus, time.Date(2026, 11, 24, 12, 0, 0, 0, loc), loc)
	stats, err := historytest.Build(ctx, path, o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Logf("built %s", stats)
	return built{path, o, stats}
}

func TestBuild(t *testing.T) {
	b := build(t)
	ctx := context.Background()
	st, err := store.Open(ctx, b.path)
	if err != nil {
		t.Fatalf("store.Open on the history: %v", err)
	}
	defer st.Close()
	db := st.DB()

	t.Run("totals", func(t *testing.T) {
		for _, c := range []struct {
			table string
			want  int
		}{
			{"action_items", b.o.Items}, {"risks", b.o.Risks}, {"audit_log", b.o.Audit},
			{"messages", b.o.Messages}, {"outbox", b.o.Outbox},
		} {
			var got int
			if err := db.Get(&got, `SELECT COUNT(*) FROM `+c.table); err != nil {
				t.Fatal(err)
			}
			if got != b.stats.Rows[c.table] {
				t.Errorf("%s: Stats says %d rows, the table has %d", c.table, b.stats.Rows[c.table], got)
			}
			if float64(got) < 0.9*float64(c.want) || float64(got) > 1.1*float64(c.want) {
				t.Errorf("%s: %d rows, want %d ±10%%", c.table, got, c.want)
			}
		}
	})

	t.Run("focus project has history and no open work", func(t *testing.T) {
		id, err := st.ProjectID(ctx, focus.Name)
		if err != nil {
			t.Fatal(err)
		}
		all, err := st.Items(ctx, store.ItemFilter{ProjectID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < b.o.Items/b.o.Projects/2 {
			t.Errorf("focus project has %d items, want about %d", len(all), b.o.Items/b.o.Projects)
		}
		owners := map[string]bool{}
		for _, it := range all {
			owners[it.Owner] = true
			if it.Status == "open" {
				t.Fatalf("focus item %s is open: %+v", it.Ref(), it)
			}
			if it.ClosedAt.IsZero() || !it.ClosedAt.Before(b.o.End) {
				t.Fatalf("focus item %s closed at %v, want before %v", it.Ref(), it.ClosedAt, b.o.End)
			}
		}
		for _, m := range focus.Members {
			if !owners[m.Email] {
				t.Errorf("no focus item owned by member %s", m.Email)
			}
		}
		open, err := st.Risks(ctx, id, "open")
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 0 {
			t.Errorf("focus project has %d open risks", len(open))
		}
		var counter int
		if err := db.Get(&counter, `SELECT last FROM ref_counters WHERE project_id = ? AND kind = 'A'`, id); err != nil {
			t.Fatal(err)
		}
		if counter != all[len(all)-1].Num {
			t.Errorf("ref counter A = %d, want the last item's number %d", counter, all[len(all)-1].Num)
		}
	})

	t.Run("other projects have open work", func(t *testing.T) {
		var n int
		if err := db.Get(&n, `SELECT COUNT(*) FROM action_items i JOIN projects p ON p.id = i.project_id WHERE p.name != ? AND i.status = 'open'`, focus.Name); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Error("no open items outside the focus project")
		}
	})

	t.Run("sent mail past retention keeps its header only", func(t *testing.T) {
		cutoff := b.o.End.AddDate(0, 0, -b.o.KeepSentBodyDays-1)
		var rows []struct {
			Raw      []byte     `db:"raw"`
			SentAt   time.Time  `db:"sent_at"`
			PrunedAt *time.Time `db:"pruned_at"`
		}
		if err := db.Select(&rows, `SELECT raw, sent_at, pruned_at FROM outbox WHERE status = 'sent'`); err != nil {
			t.Fatal(err)
		}
		pruned, whole := 0, 0
		for _, r := range rows {
			header := store.HeaderBlock(r.Raw)
			switch {
			case r.SentAt.Before(cutoff):
				if r.PrunedAt == nil || !bytes.Equal(header, r.Raw) || !bytes.HasSuffix(r.Raw, []byte("\r\n\r\n")) {
					t.Fatalf("mail sent %v (before %v) not pruned: pruned_at %v, %d of %d bytes header", r.SentAt, cutoff, r.PrunedAt, len(header), len(r.Raw))
				}
				pruned++
			case r.SentAt.After(b.o.End.AddDate(0, 0, -b.o.KeepSentBodyDays+1)):
				if r.PrunedAt != nil || len(r.Raw) <= len(header) {
					t.Fatalf("mail sent %v pruned: pruned_at %v, %d bytes", r.SentAt, r.PrunedAt, len(r.Raw))
				}
				whole++
			}
		}
		if pruned == 0 || whole == 0 {
			t.Errorf("%d pruned and %d whole sent mails, want some of each", pruned, whole)
		}
	})

	t.Run("times compare as the store's own", func(t *testing.T) {
		id, _ := st.ProjectID(ctx, focus.Name)
		since := b.o.End.AddDate(0, 0, -14)
		es, err := st.AuditSince(ctx, id, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			t.Fatal("no audit entries in the last two weeks")
		}
		for _, e := range es {
			if e.At.Before(since) || !e.At.Before(b.o.End) {
				t.Fatalf("AuditSince(%v) returned an entry at %v", since, e.At)
			}
		}
	})

	t.Run("integrity", func(t *testing.T) {
		var problems []string
		if err := db.Select(&problems, `PRAGMA integrity_check`); err != nil {
			t.Fatal(err)
		}
		if len(problems) != 1 || problems[0] != "ok" {
			t.Errorf("integrity_check: %v", problems)
		}
		var fk []struct {
			Table  string `db:"table"`
			RowID  int64  `db:"rowid"`
			Parent string `db:"parent"`
			FKID   int    `db:"fkid"`
		}
		if err := db.Select(&fk, `PRAGMA foreign_key_check`); err != nil {
			t.Fatal(err)
		}
		if len(fk) > 0 {
			t.Errorf("%d rows refer to rows that do not exist, first %+v", len(fk), fk[0])
		}
	})

	t.Run("same indexes as a new store", func(t *testing.T) {
		fresh, err := store.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		q := `SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name`
		var want, got []string
		if err := fresh.DB().Select(&want, q); err != nil {
			t.Fatal(err)
		}
		if err := db.Select(&got, q); err != nil {
			t.Fatal(err)
		}
		sort.Strings(want)
		sort.Strings(got)
		if len(got) != len(want) {
			t.Fatalf("indexes %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("index %q, want %q", got[i], want[i])
			}
		}
	})
}

func TestBuildRefusesADatabaseWithRows(t *testing.T) {
	b := build(t)
	if _, err := historytest.Build(context.Background(), b.path, b.o); err == nil {
		t.Fatal("Build into a database with history succeeded, want an error")
	}
}

func TestBuildRefusesADatabaseWithoutSchema(t *testing.T) {
	loc := time.UTC
	path := filepath.Join(t.TempDir(), "empty.db")
	o := historytest.FiveYears(1.0/300, focus, time.Date(2026, 11, 24, 12, 0, 0, 0, loc), loc)
	if _, err := historytest.Build(context.Background(), path, o); err == nil {
		t.Fatal("Build into a database without the schema succeeded, want an error")
	}
}
