package intake_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
	"mailflow/templates"
)

// BenchmarkOutboxRetention measures what the database holds per message
// handled, on BenchmarkIngest's corpus, before and after the bodies of its
// sent mail are dropped (smtp.keep_sent_body_days): the engine handles the
// corpus in batches as the poller would, every mail it queued is then
// taken as sent 31 days ago, and store.PruneSentMail runs, 100 mails a
// transaction as the daemon does, until nothing is left, and then
// store.DropUnusedBlobs drops the parts the mails shared. Bytes are the
// pages the database uses (page_count - freelist_count, after a WAL
// checkpoint): the pages a prune frees are reused by what comes next, so
// the file stops growing rather than shrinking. Run it with
//
//	go test -run '^$' -bench OutboxRetention -benchtime 1x ./mailflow/intake/
//
// MAILFLOW_BENCH_MESSAGES changes the corpus size (10,000 by default).
func BenchmarkOutboxRetention(b *testing.B) {
	n := benchMessages()
	msgs := corpus(n)
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		st, eng, now := retentionEnv(b)
		for i := 0; i < len(msgs); i += 100 {
			var ds []engine.Delivery
			for j := i; j < min(i+100, len(msgs)); j++ {
				ds = append(ds, engine.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(j + 1), Raw: msgs[j]})
			}
			if _, err := eng.HandleBatch(ctx, ds); err != nil {
				b.Fatal(err)
			}
		}
		before := measureStore(b, st)
		// As if every mail had been queued and sent a month ago.
		monthAgo := now.Add(-31 * 24 * time.Hour).UTC()
		if _, err := st.DB().Exec(`UPDATE outbox SET status = 'sent', created_at = ?, sent_at = ?, smtp_response = '250 2.0.0 Ok'`,
			monthAgo, monthAgo); err != nil {
			b.Fatal(err)
		}
		if _, err := st.DB().Exec(`UPDATE outbox_blobs SET created_at = ?`, monthAgo); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		pruned := 0
		for {
			k, err := st.PruneSentMail(ctx, now.Add(-30*24*time.Hour), now, 100)
			if err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				break
			}
			pruned += k
		}
		blobs, err := st.DropUnusedBlobs(ctx, now.Add(-30*24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.StopTimer()
		after := measureStore(b, st)
		if pruned != before.mails {
			b.Fatalf("pruned %d mails, want all %d", pruned, before.mails)
		}
		perMsg := func(bytes int64) float64 { return float64(bytes) / float64(n) }
		b.ReportMetric(perMsg(before.used), "bytes/msg-before")
		b.ReportMetric(perMsg(after.used), "bytes/msg-after")
		b.ReportMetric(float64(took.Microseconds())/float64(pruned), "µs/mail-pruned")
		b.Logf("%d messages handled, %d mails queued (%.2f per message), then all sent 31 days ago and pruned", n, before.mails, float64(before.mails)/float64(n))
		b.Logf("database pages in use: %6.1f MB before, %6.1f MB after: %6.0f -> %6.0f bytes per message handled (%.0f%% less)",
			mb(before.used), mb(after.used), perMsg(before.used), perMsg(after.used), 100*(1-float64(after.used)/float64(before.used)))
		b.Logf("outbox bytes:           %6.1f MB before (%.1f MB of it shared), %6.1f MB after: %6.0f -> %6.0f bytes per mail (whole: %.0f)",
			mb(before.outboxRaw+before.shared), mb(before.shared), mb(after.outboxRaw+after.shared),
			float64(before.outboxRaw+before.shared)/float64(before.mails), float64(after.outboxRaw+after.shared)/float64(before.mails),
			float64(before.whole)/float64(before.mails))
		b.Logf("pruning took %s: %.0f µs per mail, %d transactions of up to 100, and %d shared parts dropped", took.Round(time.Millisecond),
			float64(took.Microseconds())/float64(pruned), (pruned+99)/100, blobs)
		if after.shared != 0 {
			b.Errorf("%d bytes of shared parts left after every mail was pruned", after.shared)
		}
	}
}

// storeSize is what a database holds.
type storeSize struct {
	used      int64 // bytes of the pages in use
	outboxRaw int64 // bytes of the outbox's raw mail, each mail's own
	shared    int64 // bytes of the parts the mails share (outbox_blobs)
	whole     int64 // bytes of the mails whole, as the sender reads them
	mails     int
}

func measureStore(b *testing.B, st *store.Store) storeSize {
	b.Helper()
	db := st.DB()
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	var pages, free, pageSize int64
	var s storeSize
	for _, q := range []struct {
		sql string
		to  any
	}{
		{`PRAGMA page_count`, &pages}, {`PRAGMA freelist_count`, &free}, {`PRAGMA page_size`, &pageSize},
		{`SELECT COALESCE(SUM(length(raw) + COALESCE(length(splices), 0)), 0) FROM outbox`, &s.outboxRaw}, {`SELECT COUNT(*) FROM outbox`, &s.mails},
		{`SELECT COALESCE(SUM(length(data)), 0) FROM outbox_blobs`, &s.shared},
	} {
		if err := db.Get(q.to, q.sql); err != nil {
			b.Fatalf("%s: %v", q.sql, err)
		}
	}
	ms, err := st.OutboxList(context.Background(), "", 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range ms {
		s.whole += int64(len(m.Raw))
	}
	s.used = (pages - free) * pageSize
	return s
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// retentionEnv is the engine over a fresh store with BenchmarkIngest's
// project (newEnv's, which takes a *testing.T), on a fixed clock.
func retentionEnv(b *testing.B) (*store.Store, *engine.Engine, time.Time) {
	b.Helper()
	cfg := &config.Config{
		Database: config.Database{Path: filepath.Join(b.TempDir(), "mailflow.db")},
		IMAP:     config.IMAP{Endpoint: config.Endpoint{Address: "127.0.0.1:143", Security: "insecure", Username: "ehr", Password: "x"}},
		SMTP:     config.SMTP{Endpoint: config.Endpoint{Address: "127.0.0.1:25", Security: "insecure"}, From: "mailflow@" + domain},
		Security: config.Security{ReplyKey: []byte("0123456789abcdef0123456789abcdef"), TrustedAuthservID: authservID},
		Projects: []config.Project{{
			Name: "EHR Rollout", Address: "ehr@" + domain, Mailbox: "INBOX", Timezone: "America/New_York",
			Leadership: []string{"cmo@" + domain},
			Members: []config.Member{
				{Name: "Priya Shah", Email: "priya@" + domain, Role: "chair"},
				{Name: "Alice Moreau", Email: "alice@" + domain},
				{Name: "Bob Okafor", Email: "bob@" + domain},
				{Name: "Carol Nguyen", Email: "carol@" + domain},
			},
		}},
	}
	if err := cfg.Finish(func(string) string { return "" }); err != nil {
		b.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database.Path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, cfg.Projects[0].Location)
	eng, err := engine.New(ctx, engine.Options{Store: st, Config: cfg, Templates: templates.MustDefault(),
		Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return st, eng, now
}
