package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/internal/historytest"
	"mailflow/store"
)

// The history benchmarks run each path the people of an office feel (a
// message handled, the daily reminders, the weekly status report, the
// backup) on an empty store and on one holding five years of a
// 300-project office, in the same run, and report both and their ratio:
// the issue "Fast where people feel it" wants the ratio within 1.5×.
//
// The full office takes minutes to build and is about 7 GB, so:
//
//	MAILFLOW_HISTORY_DB=/var/tmp/history.db go test ./mailflow/engine/ \
//	    -run '^$' -bench History -benchtime 20x -history.scale 1
//
// builds it once at that path (and again only when the scale, the schema
// or historytest's Version changes) and gives each benchmark a fresh copy of it. Without
// the variable, each benchmark builds its own at -history.scale (0.01 by
// default: three projects of the same depth, seconds to build).
var historyScale = flag.Float64("history.scale", 0.01, "how much of a 300-project office's five years the history benchmarks build (1: all of it)")

// historyDBEnv names the variable that keeps a built history database
// between runs.
const historyDBEnv = "MAILFLOW_HISTORY_DB"

// historyTrySQLEnv names a variable of SQL run on both stores before a
// benchmark starts: an index tried there before its migration is written.
const historyTrySQLEnv = "MAILFLOW_HISTORY_TRY_SQL"

// historyTarget is the bound on history/empty.
const historyTarget = 1.5

// historyOffice is the office whose history the benchmarks read: its
// EHR project is the harness's (same name, address, roster and
// leadership), and its history ends the morning of the harness clock's
// first day.
func historyOffice(loc *time.Location) historytest.Office {
	members := []historytest.Person{}
	for _, p := range []person{chair, alice, bob, carol} {
		members = append(members, historytest.Person{Name: p.name, Email: p.email})
	}
	focus := historytest.Project{Name: "EHR", Address: "ehr@" + domain, Members: members, Leadership: []string{"cmo@" + domain}}
	return historytest.FiveYears(*historyScale, focus, time.Date(2026, 11, 24, 12, 0, 0, 0, loc), loc)
}

// historyMeta is what is known of a kept history database, beside it in
// <path>.json.
type historyMeta struct {
	Scale   float64
	Schema  int
	Version int // historytest.Version
	Stats   historytest.Stats
}

// historyDB returns a history database of the configured scale for one
// benchmark run to change as it likes, and its size in bytes.
func historyDB(b *testing.B) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "history.db")
	kept := keptHistory(b)
	if kept == "" {
		buildHistory(b, path)
	} else {
		copyDB(b, kept, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, fi.Size()
}

// keptHistory returns the path of the history database kept between runs
// ($MAILFLOW_HISTORY_DB), building it first when it is missing or of
// another scale or schema; "" when no database is kept.
func keptHistory(b *testing.B) string {
	b.Helper()
	kept := os.Getenv(historyDBEnv)
	if kept == "" {
		return ""
	}
	schema := currentSchema(b)
	var meta historyMeta
	if data, err := os.ReadFile(kept + ".json"); err == nil && json.Unmarshal(data, &meta) == nil &&
		meta.Scale == *historyScale && meta.Schema == schema && meta.Version == historytest.Version {
		if _, err := os.Stat(kept); err == nil {
			return kept
		}
	}
	building := kept + ".building"
	os.Remove(building) //nolint:errcheck // a build that died before: start again
	stats := buildHistory(b, building)
	data, err := json.MarshalIndent(historyMeta{Scale: *historyScale, Schema: schema, Version: historytest.Version, Stats: stats}, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(building, kept); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(kept+".json", data, 0o600); err != nil {
		b.Fatal(err)
	}
	return kept
}

// currentSchema is the schema version store.Open gives a new database.
func currentSchema(b *testing.B) int {
	b.Helper()
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "schema.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// buildHistory creates the schema at path and loads the office's history.
func buildHistory(b *testing.B, path string) historytest.Stats {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	stats, err := historytest.Build(ctx, path, historyOffice(loc))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built the history (scale %g): %s", *historyScale, stats)
	return stats
}

// copyDB copies a database file and syncs the copy: otherwise the first
// checkpoint of the benchmark would pay for writing gigabytes.
func copyDB(b *testing.B, from, to string) {
	b.Helper()
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		b.Fatal(err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
}

// onDatabase points the harness at an existing database.
func onDatabase(path string) option { return func(c *config.Config) { c.Database.Path = path } }

// storePair is the same harness twice: on an empty store and on the
// history. Each benchmark does the same to both and times each.
type storePair struct {
	empty, history *harness
	size           int64 // of the history database at the start
}

func newStorePair(b *testing.B, opts ...option) storePair {
	b.Helper()
	path, size := historyDB(b)
	pair := storePair{empty: newHarness(b, opts...), history: newHarness(b, append(opts, onDatabase(path))...), size: size}
	var n int
	if err := pair.history.st.DB().Get(&n, `SELECT COUNT(*) FROM action_items WHERE project_id = ?`, pair.history.project().ID); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		b.Fatalf("project %s has no history: the office's focus project is not the harness's", pair.history.project().Name)
	}
	if try := os.Getenv(historyTrySQLEnv); try != "" {
		for _, h := range []*harness{pair.empty, pair.history} {
			if _, err := h.st.DB().Exec(try); err != nil {
				b.Fatalf("%s: %v", historyTrySQLEnv, err)
			}
		}
		b.Logf("both stores ran %s", try)
	}
	return pair
}

func (h *harness) project() *engine.Project { return h.eng.Projects()[0] }

// both runs f on each store, the empty one first on even rounds and the
// history first on odd ones (so neither always runs on a warmer
// machine), and adds the time each took to te and th.
func (sp storePair) both(round int, te, th *time.Duration, f func(*harness)) {
	order := []*harness{sp.empty, sp.history}
	spent := []*time.Duration{te, th}
	if round%2 == 1 {
		order[0], order[1], spent[0], spent[1] = order[1], order[0], spent[1], spent[0]
	}
	for i, h := range order {
		start := time.Now()
		f(h)
		*spent[i] += time.Since(start)
	}
}

// reportRatio reports each store's time per operation and their ratio,
// and logs how the ratio stands against the target.
func reportRatio(b *testing.B, te, th time.Duration, n int) {
	b.Helper()
	ratio := float64(th) / float64(te)
	b.ReportMetric(float64(te.Nanoseconds())/float64(n), "empty-ns/op")
	b.ReportMetric(float64(th.Nanoseconds())/float64(n), "history-ns/op")
	b.ReportMetric(ratio, "history/empty")
	verdict := "within"
	if ratio > historyTarget {
		verdict = "OVER"
	}
	b.Logf("n=%d: empty %v/op, history %v/op: %.2f× (%s the %.1f× target)", n, te/time.Duration(n), th/time.Duration(n), ratio, verdict, historyTarget)
}

// liveMinutes delivers the harness's sample minutes and returns the
// minutes mail queued to p: the present the benchmarks work on, the same
// in both stores. (The history's mail is all sent; only what the
// benchmark queues is queued.)
func (h *harness) liveMinutes(p person) store.Mail {
	h.t.Helper()
	h.minutes()
	ms, err := h.st.OutboxList(context.Background(), store.MailQueued, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return mailTo(h.t, ms, "minutes", p.email)
}

// openItemOf returns the ref of p's one open item.
func (h *harness) openItemOf(p person) string {
	h.t.Helper()
	items, err := h.st.Items(context.Background(), store.ItemFilter{ProjectID: h.project().ID, Status: "open", Owner: p.email})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(items) != 1 {
		h.t.Fatalf("%s has %d open items, want the one of the sample minutes", p.name, len(items))
	}
	return items[0].Ref()
}

// lastMessageRow is the newest message row: what the benchmark handles
// comes after it.
func (h *harness) lastMessageRow() int64 {
	h.t.Helper()
	var id int64
	if err := h.st.DB().Get(&id, `SELECT COALESCE(MAX(id), 0) FROM messages`); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// historyMix is BenchmarkHandle's mix (benchMix) on a harness whose
// present is the sample minutes: one minutes mail a day for every nine
// replies to the first minutes, each about Bob's item.
func historyMix(h *harness, n int) []benchMessage {
	minutes := h.liveMinutes(bob)
	ref := h.openItemOf(bob)
	stream := make([]benchMessage, 0, n)
	for i := range n {
		var raw []byte
		if i%10 == 0 {
			h.clock.set(h.clock.now().AddDate(0, 0, 1))
			raw = h.raw(msg{from: chair, subject: fmt.Sprintf("Minutes: bench %d", i), body: sampleMinutes, signed: true})
		} else {
			raw = h.raw(h.replyTo(minutes, bob, fmt.Sprintf("%s progress %d%%", ref, i%100)))
		}
		stream = append(stream, benchMessage{raw: raw, at: h.clock.now()})
	}
	h.cfg.Security.ReplyRateLimit = 100
	return stream
}

// BenchmarkHistoryHandle is BenchmarkHandle on both stores: one message
// per transaction.
func BenchmarkHistoryHandle(b *testing.B) {
	sp := newStorePair(b, func(c *configT) { c.Security.ReplyTokenDays = config.MaxReplyTokenDays })
	streams := map[*harness][]benchMessage{sp.empty: historyMix(sp.empty, b.N), sp.history: historyMix(sp.history, b.N)}
	after := map[*harness]int64{sp.empty: sp.empty.lastMessageRow(), sp.history: sp.history.lastMessageRow()}
	var te, th time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp.both(i, &te, &th, func(h *harness) {
			h.clock.set(streams[h][i].at)
			h.deliverRaw(streams[h][i].raw)
		})
	}
	b.StopTimer()
	for h, row := range after {
		var n int
		if err := h.st.DB().Get(&n, `SELECT COUNT(*) FROM messages WHERE id > ? AND outcome = 'processed'`, row); err != nil {
			b.Fatal(err)
		}
		if n != b.N {
			b.Fatalf("%d of %d messages processed: the benchmark would time the wrong path", n, b.N)
		}
	}
	reportRatio(b, te, th, b.N)
	b.ReportMetric(float64(sp.size)/1e6, "db-MB")
}

// BenchmarkHistoryRemind times a day's reminder run for the project: the
// sample minutes' items overdue, a digest to each owner every day.
func BenchmarkHistoryRemind(b *testing.B) {
	sp := newStorePair(b)
	for _, h := range []*harness{sp.empty, sp.history} {
		h.liveMinutes(bob)
		h.clock.set(time.Date(2026, 12, 7, 9, 0, 0, 0, h.loc)) // every item overdue
	}
	var te, th time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp.both(i, &te, &th, func(h *harness) {
			h.clock.set(h.clock.now().AddDate(0, 0, 1))
			if err := h.eng.Remind(context.Background(), h.project(), true); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.StopTimer()
	ne, nh := sp.empty.queued("reminder"), sp.history.queued("reminder")
	if ne != nh || ne < b.N {
		b.Fatalf("%d reminders queued on the empty store, %d on the history, over %d days: want the same, at least one a day", ne, nh, b.N)
	}
	reportRatio(b, te, th, b.N)
}

// BenchmarkHistoryReport times the weekly status report for the project.
func BenchmarkHistoryReport(b *testing.B) {
	sp := newStorePair(b)
	for _, h := range []*harness{sp.empty, sp.history} {
		h.liveMinutes(bob)
		// The first report sets the period's start for the next.
		if err := h.eng.Report(context.Background(), h.project(), true); err != nil {
			b.Fatal(err)
		}
	}
	var te, th time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sp.both(i, &te, &th, func(h *harness) {
			h.clock.set(h.clock.now().AddDate(0, 0, 7))
			if err := h.eng.Report(context.Background(), h.project(), true); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.StopTimer()
	ne, nh := sp.empty.queued("status"), sp.history.queued("status")
	if ne != nh || ne != b.N+1 {
		b.Fatalf("%d reports queued on the empty store, %d on the history, want %d each", ne, nh, b.N+1)
	}
	reportRatio(b, te, th, b.N)
}

// queued counts the mails of kind the benchmark queued.
func (h *harness) queued(kind string) int {
	h.t.Helper()
	var n int
	if err := h.st.DB().Get(&n, `SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND kind = ?`, kind); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// BenchmarkHistoryBackup times `mailflow backup` (Store.Backup, VACUUM
// INTO) of each store, and reports the history's size and its backup's.
func BenchmarkHistoryBackup(b *testing.B) {
	ctx := context.Background()
	path := keptHistory(b)
	if path == "" {
		path, _ = historyDB(b)
	}
	hist, err := store.Open(ctx, path) // only read: the kept database itself will do
	if err != nil {
		b.Fatal(err)
	}
	defer hist.Close()
	empty := newHarness(b)
	empty.minutes()
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var te, th time.Duration
	var backupSize int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		te += timeBackup(b, empty.st, filepath.Join(dir, fmt.Sprintf("empty-%d.db", i)), nil)
		th += timeBackup(b, hist, filepath.Join(dir, fmt.Sprintf("history-%d.db", i)), &backupSize)
	}
	b.StopTimer()
	// A backup copies the database: it grows with the history by its
	// nature, so the target does not apply; the time is what to know.
	b.ReportMetric(te.Seconds()/float64(b.N), "empty-s/op")
	b.ReportMetric(th.Seconds()/float64(b.N), "history-s/op")
	b.ReportMetric(float64(fi.Size())/1e6, "db-MB")
	b.ReportMetric(float64(backupSize)/1e6, "backup-MB")
	b.Logf("n=%d: backup of the empty store %v, of the history (%.0f MB) %v: %.0f MB/s", b.N, te/time.Duration(b.N),
		float64(fi.Size())/1e6, th/time.Duration(b.N), float64(backupSize)/1e6/(th.Seconds()/float64(b.N)))
}

// timeBackup times one backup to path, notes its size, and removes it.
func timeBackup(b *testing.B, st *store.Store, path string, size *int64) time.Duration {
	b.Helper()
	start := time.Now()
	if err := st.Backup(context.Background(), path); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	if size != nil {
		*size = fi.Size()
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		b.Fatal(err)
	}
	return took
}
