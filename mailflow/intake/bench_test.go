package intake_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"

	"mailflow/mailflow/config"
	"mailflow/mailflow/daemon"
	"mailflow/mailflow/delivery"
	"mailflow/mailflow/engine"
	"mailflow/mailflow/intake"
	"mailflow/mailflow/internal/dovecottest"
	"mailflow/mailflow/mailtext"
	"mailflow/store"
)

// BenchmarkIngest compares, in one run against one private Dovecot, the
// cost of ingesting a 10,000-message mailbox of minutes and replies:
//
//   - bare: a go-imap client fetching every message with BODY.PEEK[] and
//     parsing it with go-message, the floor cost of reading the mail at all;
//   - bare+move: the same, then one UID MOVE of the whole mailbox to
//     another folder, the floor cost of reading the mail and moving it out
//     of the inbox as the issue asks (mailflow must move in batches, since
//     a message moves only after its effects commit);
//   - mbsync: isync pulling the same mailbox into a local Maildir, with its
//     default FSync and with FSync off (skipped when mbsync is missing);
//   - intake: mailflow's poller fetching, parsing (mailtext) and moving
//     every message, with a handler that stores nothing;
//   - mailflow: the whole thing, the poller through the real engine and
//     store: fetch, parse, store, move;
//   - mailflow on PostgreSQL: the same on a new database of a private
//     PostgreSQL started for the benchmark with PostgreSQL's durable
//     defaults (fsync on, synchronous_commit on), its own copy of the
//     mailbox. The server is a process of its own: its CPU time is logged
//     apart, and its memory is not in the reader's peak RSS. Without
//     PostgreSQL installed this reader is left out (logged), unless
//     MAILFLOW_REQUIRE_POSTGRES=1, when the benchmark fails.
//
// Each reader runs in its own process (the test binary again), so its peak
// RSS is its own. Run it with
//
//	go test -run '^$' -bench Ingest -benchtime 1x ./mailflow/intake/
//
// MAILFLOW_BENCH_MESSAGES changes the mailbox size;
// MAILFLOW_BENCH_CPUPROFILE=FILE keeps mailflow's CPU profile in FILE, and
// the PostgreSQL reader's in FILE with "-pg" before its extension.
func BenchmarkIngest(b *testing.B) {
	n := benchMessages()
	msgs := corpus(n)
	size := totalSize(msgs)
	pg := startBenchPostgres(b)
	for range b.N {
		b.StopTimer()
		srv := dovecottest.Start(b)
		boxes := []string{"BenchBare", "BenchBareMove", "BenchIntake", "BenchMailflow"}
		if pg != nil {
			boxes = append(boxes, "BenchMailflowPG")
		}
		for _, box := range boxes {
			if err := srv.Deliver(box, msgs...); err != nil {
				b.Fatal(err)
			}
		}
		// Dovecot indexes a Maildir when it is first opened; nobody's
		// timing should pay for that, nor for a cold page cache.
		for _, box := range boxes {
			runChild(b, childJob{Mode: "bare", Mailbox: box}, srv)
		}
		syscall.Sync() // nor for the write-back of the delivery
		b.StartTimer()

		bare := runChild(b, childJob{Mode: "bare", Mailbox: "BenchBare"}, srv)
		bareMove := runChild(b, childJob{Mode: "bare+move", Mailbox: "BenchBareMove"}, srv)
		var mbsync, mbsyncNoFsync float64
		if _, err := exec.LookPath("mbsync"); err == nil {
			mbsync = runMbsync(b, srv, "BenchBare", n, true)
			mbsyncNoFsync = runMbsync(b, srv, "BenchBare", n, false)
		} else {
			b.Log("mbsync is not installed (Debian: apt-get install isync): no comparison with it")
		}
		in := runChild(b, childJob{Mode: "intake", Mailbox: "BenchIntake"}, srv)
		full := runChild(b, childJob{Mode: "mailflow", Mailbox: "BenchMailflow"}, srv)
		var onPG pgRun
		if pg != nil {
			onPG = runOnPostgres(b, pg, childJob{Mode: "mailflow", Mailbox: "BenchMailflowPG"}, srv)
		}
		b.StopTimer()

		for _, r := range []childResult{bare, bareMove, in, full} {
			if r.Messages != n {
				b.Fatalf("%s read %d messages, want %d", r.Mode, r.Messages, n)
			}
		}
		if left := srv.Count("BenchMailflow"); left != 0 {
			b.Errorf("%d messages left in the mailbox after mailflow's ingest", left)
		}
		b.ReportMetric(full.rate(), "mailflow-msgs/s")
		b.ReportMetric(in.rate(), "intake-msgs/s")
		b.ReportMetric(bare.rate(), "bare-msgs/s")
		b.ReportMetric(bareMove.rate(), "bare+move-msgs/s")
		b.ReportMetric(float64(full.PeakRSSKB)/1024, "mailflow-peak-RSS-MB")
		b.Logf("%d messages, %.1f MB, average %d bytes", n, float64(size)/(1<<20), size/n)
		b.Logf("bare go-imap + go-message: %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", bare.rate(), bare.Seconds, float64(bare.PeakRSSKB)/1024, bare.cpu())
		b.Logf("bare, then one MOVE:       %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", bareMove.rate(), bareMove.Seconds, float64(bareMove.PeakRSSKB)/1024, bareMove.cpu())
		b.Logf("mailflow intake only:      %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", in.rate(), in.Seconds, float64(in.PeakRSSKB)/1024, in.cpu())
		b.Logf("mailflow (engine+store):   %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", full.rate(), full.Seconds, float64(full.PeakRSSKB)/1024, full.cpu())
		if pg != nil {
			logPostgres(b, onPG, full, srv, "BenchMailflowPG", n)
		}
		targets := []string{
			fmt.Sprintf("mailflow >= bare/2 (%.0f) %s (intake alone %s, bare+move %s)", bare.rate()/2,
				verdict(full.rate() >= bare.rate()/2), verdict(in.rate() >= bare.rate()/2), verdict(bareMove.rate() >= bare.rate()/2)),
		}
		if mbsync > 0 {
			b.ReportMetric(mbsync, "mbsync-msgs/s")
			b.Logf("mbsync:                    %8.0f msgs/s  (FSync no: %.0f msgs/s)", mbsync, mbsyncNoFsync)
			targets = append(targets, fmt.Sprintf(">= 2 x mbsync (%.0f) %s", 2*mbsync, verdict(full.rate() >= 2*mbsync)))
		}
		targets = append(targets, fmt.Sprintf(">= bare+move/2 (%.0f) %s", bareMove.rate()/2, verdict(full.rate() >= bareMove.rate()/2)),
			fmt.Sprintf("peak RSS < 100 MB %s", verdict(full.PeakRSSKB < 100<<10)))
		// One line each, as testing keeps only a benchmark's first ten.
		b.Logf("targets: %s", strings.Join(targets, "; "))
		logCost(b, full, bareMove)
	}
}

// BenchmarkIngestHeavy is BenchmarkIngest for a busy project, where most
// of the work is rendering mail: heavyCorpus, whose messages are three in
// four minutes mailed to a roster of sixteen (~12 mails a message). It
// compares mailflow's whole ingest with the bare+move floor measured in
// the same run, against the targets of at least 0.15 times bare+move in
// under 100 MB, and runs mailflow on PostgreSQL beside it as
// BenchmarkIngest does. Run it with
//
//	go test -run '^$' -bench IngestHeavy -benchtime 1x ./mailflow/intake/
//
// MAILFLOW_BENCH_MESSAGES changes the mailbox size (10,000).
func BenchmarkIngestHeavy(b *testing.B) {
	n := benchMessages()
	msgs := heavyCorpus(n)
	size := totalSize(msgs)
	pg := startBenchPostgres(b)
	for range b.N {
		b.StopTimer()
		srv := dovecottest.Start(b)
		boxes := []string{"HeavyBare", "HeavyBareMove", "HeavyMailflow"}
		if pg != nil {
			boxes = append(boxes, "HeavyMailflowPG")
		}
		for _, box := range boxes {
			if err := srv.Deliver(box, msgs...); err != nil {
				b.Fatal(err)
			}
		}
		for _, box := range boxes {
			runChild(b, childJob{Mode: "bare", Mailbox: box}, srv)
		}
		syscall.Sync()
		b.StartTimer()
		bare := runChild(b, childJob{Mode: "bare", Mailbox: "HeavyBare"}, srv)
		bareMove := runChild(b, childJob{Mode: "bare+move", Mailbox: "HeavyBareMove"}, srv)
		full := runChild(b, childJob{Mode: "mailflow", Corpus: "heavy", Mailbox: "HeavyMailflow"}, srv)
		var onPG pgRun
		if pg != nil {
			onPG = runOnPostgres(b, pg, childJob{Mode: "mailflow", Corpus: "heavy", Mailbox: "HeavyMailflowPG"}, srv)
		}
		b.StopTimer()

		for _, r := range []childResult{bare, bareMove, full} {
			if r.Messages != n {
				b.Fatalf("%s read %d messages, want %d", r.Mode, r.Messages, n)
			}
		}
		if left := srv.Count("HeavyMailflow"); left != 0 {
			b.Errorf("%d messages left in the mailbox after mailflow's ingest", left)
		}
		b.ReportMetric(full.rate(), "mailflow-msgs/s")
		b.ReportMetric(bareMove.rate(), "bare+move-msgs/s")
		b.ReportMetric(full.rate()/bareMove.rate(), "share-of-bare+move")
		b.ReportMetric(float64(full.Mails)/full.Seconds, "mails/s")
		b.ReportMetric(float64(full.PeakRSSKB)/1024, "mailflow-peak-RSS-MB")
		b.Logf("%d messages (%d mails to render), %.1f MB, average %d bytes", n, full.Mails, float64(size)/(1<<20), size/n)
		b.Logf("bare go-imap + go-message: %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", bare.rate(), bare.Seconds, float64(bare.PeakRSSKB)/1024, bare.cpu())
		b.Logf("bare, then one MOVE:       %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", bareMove.rate(), bareMove.Seconds, float64(bareMove.PeakRSSKB)/1024, bareMove.cpu())
		b.Logf("mailflow (engine+store):   %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s", full.rate(), full.Seconds, float64(full.PeakRSSKB)/1024, full.cpu())
		if pg != nil {
			logPostgres(b, onPG, full, srv, "HeavyMailflowPG", n)
		}
		b.Logf("targets: mailflow >= 0.15 x bare+move (%.0f) %s (%.3f x); peak RSS < 100 MB %s", 0.15*bareMove.rate(),
			verdict(full.rate() >= 0.15*bareMove.rate()), full.rate()/bareMove.rate(), verdict(full.PeakRSSKB < 100<<10))
		logCost(b, full, bareMove)
	}
}

// cpuBound says how fast mailflow could be at the CPU time it took: with
// every CPU of the host busy, its own CPU while the poller ran and
// Dovecot's for the run take at least their sum over the CPUs of wall
// time. Whatever the overlap, a share of bare+move above that bound needs
// less CPU, not better scheduling. (Dovecot's includes serving the login
// and logout around the poller's run, a few hundredths of a second.)
func cpuBound(full, bareMove childResult) string {
	if full.DovecotCPU < 0 {
		return ""
	}
	cpus := runtime.NumCPU()
	work := full.OnceCPU + full.DovecotCPU
	best := float64(full.Messages) / (work / float64(cpus))
	return fmt.Sprintf("; CPU bound: mailflow %.2fs + Dovecot %.2fs on %d CPUs allow at most %.0f msgs/s = %.3f x bare+move",
		full.OnceCPU, full.DovecotCPU, cpus, best, best/bareMove.rate())
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// logCost logs what mailflow's ingest cost, in two lines (testing keeps a
// benchmark's first ten): its share of the bare+move floor, the mails it
// rendered a second with render's CPU per mail, and its CPU time per 1,000
// messages by part (cpuSplit).
func logCost(b *testing.B, full, bareMove childResult) {
	b.Helper()
	perK := func(s float64) float64 { return s / float64(full.Messages) * 1000 }
	var parts []string
	total := 0.0
	for _, p := range cpuParts {
		total += full.Split[p]
		parts = append(parts, fmt.Sprintf("%s %.2f", p, perK(full.Split[p])))
	}
	render := ""
	if full.Mails > 0 {
		render = fmt.Sprintf(", render CPU per mail %.0f µs", full.Split["render"]/float64(full.Mails)*1e6)
	}
	b.Logf("mailflow: %.3f x bare+move; %d mails, %.0f mails/s%s%s", full.rate()/bareMove.rate(), full.Mails, float64(full.Mails)/full.Seconds, render, cpuBound(full, bareMove))
	b.Logf("CPU-seconds per 1,000 messages (profiled %.2f of %.2f): %s", perK(total), perK(full.UserCPU+full.SysCPU), strings.Join(parts, ", "))
}

// childJob is one measured reader, run in a child process.
type childJob struct {
	Mode    string // bare, intake or mailflow
	Corpus  string // "heavy" for heavyCorpus's project, else corpus's
	Mailbox string
	// Database is the store of mode mailflow, as store.Open takes it: a
	// PostgreSQL URL, password included; "" for an SQLite file of the
	// child's own.
	Database string
	Addr     string
	User     string
	Pass     string
}

type childResult struct {
	Mode      string
	Messages  int
	Seconds   float64
	PeakRSSKB int
	UserCPU   float64 // seconds, the whole child process
	SysCPU    float64
	Mails     int      // mails queued in the outbox (mode mailflow)
	Split     cpuSplit // the CPU time of the ingest by part (mode mailflow)
	OnceCPU   float64  // seconds, the process's CPU while the poller ran (intake and mailflow modes)
	Err       string
	// DovecotCPU is the CPU time, in seconds, Dovecot spent meanwhile
	// (serving the child, moving its mail); < 0 when /proc does not tell.
	// runChild measures it: the child does not know it.
	DovecotCPU float64 `json:"-"`
}

// cpu describes the child's CPU time, to tell time spent in the reader
// from time spent waiting for Dovecot or the disk.
func (r childResult) cpu() string {
	if r.DovecotCPU >= 0 {
		return fmt.Sprintf("CPU %.2fs user + %.2fs sys, Dovecot %.2fs", r.UserCPU, r.SysCPU, r.DovecotCPU)
	}
	return fmt.Sprintf("CPU %.2fs user + %.2fs sys", r.UserCPU, r.SysCPU)
}

func (r childResult) rate() float64 { return float64(r.Messages) / r.Seconds }

const envChild = "MAILFLOW_INGEST_CHILD"

func runChild(b *testing.B, job childJob, srv *dovecottest.Server) childResult {
	b.Helper()
	job.Addr, job.User, job.Pass = srv.Addr, srv.Username, srv.Password
	spec, _ := json.Marshal(job)
	cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"="+string(spec))
	var out []byte
	var err error
	res := childResult{DovecotCPU: cpuDuring(strconv.Itoa(srv.PID()), func() { out, err = cmd.CombinedOutput() })}
	for _, l := range strings.Split(string(out), "\n") {
		if j, ok := strings.CutPrefix(strings.TrimSpace(l), "INGEST-RESULT "); ok {
			if err := json.Unmarshal([]byte(j), &res); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err != nil || res.Err != "" || res.Mode == "" {
		b.Fatalf("%s child: %v %s\n%s", job.Mode, err, res.Err, out)
	}
	return res
}

// TestIngestChild is the child process of BenchmarkIngest; it does nothing
// in an ordinary test run.
func TestIngestChild(t *testing.T) {
	spec := os.Getenv(envChild)
	if spec == "" {
		t.Skip("runs only as BenchmarkIngest's child process")
	}
	var job childJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatal(err)
	}
	res := childResult{Mode: job.Mode}
	var err error
	switch job.Mode {
	case "bare", "bare+move":
		res.Messages, res.Seconds, err = bareIngest(job)
	case "intake", "mailflow":
		if job.Mode == "mailflow" {
			daemon.TuneGC() // as "mailflow run" does
		}
		err = pollerIngest(t, job, &res)
	default:
		err = fmt.Errorf("unknown mode %q", job.Mode)
	}
	if err != nil {
		res.Err = err.Error()
	}
	res.PeakRSSKB = peakRSS()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.UserCPU = time.Duration(ru.Utime.Nano()).Seconds()
		res.SysCPU = time.Duration(ru.Stime.Nano()).Seconds()
	}
	j, _ := json.Marshal(res)
	fmt.Printf("INGEST-RESULT %s\n", j)
}

// bareIngest fetches every message of the mailbox with BODY.PEEK[] in one
// UID FETCH and reads each completely with go-message: the least any
// reader of the mail must do. In mode bare+move it then moves them all to
// another folder in one UID MOVE: the least a reader that empties the
// inbox must do.
func bareIngest(job childJob) (int, float64, error) {
	c, err := imapclient.DialInsecure(job.Addr, nil)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	if err := c.Login(job.User, job.Pass).Wait(); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	move := job.Mode == "bare+move"
	if _, err := c.Select(job.Mailbox, &imap.SelectOptions{ReadOnly: !move}).Wait(); err != nil {
		return 0, 0, err
	}
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	n := 0
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		for item := m.Next(); item != nil; item = m.Next() {
			body, ok := item.(imapclient.FetchItemDataBodySection)
			if !ok || body.Literal == nil {
				continue
			}
			raw := make([]byte, body.Literal.Size())
			if _, err := io.ReadFull(body.Literal, raw); err != nil {
				return n, 0, err
			}
			if err := parseAll(raw); err != nil {
				return n, 0, err
			}
			n++
		}
	}
	if err := cmd.Close(); err != nil {
		return n, 0, err
	}
	if move {
		dest := job.Mailbox + "/moved"
		if err := c.Create(dest, nil).Wait(); err != nil {
			return n, 0, err
		}
		if _, err := c.Move(imap.UIDSet{{Start: 1, Stop: 0}}, dest).Wait(); err != nil {
			return n, 0, err
		}
	}
	return n, time.Since(start).Seconds(), nil
}

// parseAll reads a message's header and every part's decoded body.
func parseAll(raw []byte) error {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	if _, err := r.Header.Subject(); err != nil {
		return err
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, p.Body); err != nil {
			return err
		}
	}
}

// parseOnly reads each message as the engine would and stores nothing.
type parseOnly struct{}

func (parseOnly) ReadBatch(ds []delivery.Delivery) delivery.Batch { return unread(ds) }

// unread is a batch of deliveries not read ahead.
type unread []delivery.Delivery

func (u unread) Deliveries() []delivery.Delivery { return u }

func (parseOnly) HandleRead(_ context.Context, b delivery.Batch) ([]delivery.Result, error) {
	var out []delivery.Result
	for _, d := range b.Deliveries() {
		msg, err := mailtext.Read(d.Raw)
		if err != nil {
			out = append(out, engine.Result{Outcome: store.OutcomeFailed, Reason: err.Error()})
			continue
		}
		out = append(out, engine.Result{MessageID: msg.MessageID, Outcome: store.OutcomeProcessed})
	}
	return out, nil
}

// pollerIngest runs one Poller.Once over the mailbox: the intake alone
// (parseOnly) or through the real engine and store. Through the engine,
// it profiles the CPU to split its time by part (splitProfile) and counts
// the mail queued; MAILFLOW_BENCH_CPUPROFILE=FILE also keeps the profile
// for go tool pprof.
func pollerIngest(t *testing.T, job childJob, res *childResult) error {
	imapCfg := config.IMAP{Endpoint: config.Endpoint{Address: job.Addr, Security: "insecure", Username: job.User, Password: job.Pass}, ProcessedMailbox: job.Mailbox + "/processed", FailedMailbox: job.Mailbox + "/failed"}
	roster := heavyRoster[:4] // newEnv's project: Priya (chair), Alice, Bob, Carol
	if job.Corpus == "heavy" {
		roster = heavyRoster
	}
	e := newBenchEnv(t, imapCfg, job.Mailbox, roster, job.Database)
	p := &intake.Poller{Config: e.cfg.IMAP, Mailbox: job.Mailbox, Handler: e.eng, Ledger: e.st, Log: e.log}
	if job.Mode == "intake" {
		p.Handler = parseOnly{}
	}
	var profile bytes.Buffer
	if job.Mode == "mailflow" {
		if err := pprof.StartCPUProfile(&profile); err != nil {
			return err
		}
	}
	cpuBefore := processCPU(t)
	start := time.Now()
	err := p.Once(context.Background())
	res.Seconds = time.Since(start).Seconds()
	res.OnceCPU = (processCPU(t) - cpuBefore).Seconds()
	if job.Mode != "mailflow" {
		res.Messages = p.Status().Handled
		return err
	}
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	if path := os.Getenv("MAILFLOW_BENCH_CPUPROFILE"); path != "" {
		if job.Database != "" {
			path = pgProfilePath(path)
		}
		if err := os.WriteFile(path, profile.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if res.Split, err = splitProfile(profile.Bytes()); err != nil {
		return err
	}
	counts := e.messages()
	for _, c := range counts {
		res.Messages += c
	}
	if counts[store.OutcomeFailed] > 0 {
		return fmt.Errorf("%d messages failed", counts[store.OutcomeFailed])
	}
	if counts[store.OutcomeProcessed] != res.Messages {
		return fmt.Errorf("outcomes %v: want every message processed", counts)
	}
	mails, err := e.st.OutboxCounts(context.Background())
	if err != nil {
		return err
	}
	for _, c := range mails {
		res.Mails += c
	}
	return nil
}

// peakRSS returns the process's peak resident set (VmHWM) in KiB.
func peakRSS() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}

// runMbsync pulls mailbox into a fresh local Maildir with mbsync and
// returns its rate.
func runMbsync(b *testing.B, srv *dovecottest.Server, mailbox string, n int, fsync bool) float64 {
	b.Helper()
	dir := b.TempDir()
	fs := "yes"
	if !fsync {
		fs = "no"
	}
	conf := fmt.Sprintf(`FSync %s

IMAPAccount bench
Host 127.0.0.1
Port %s
User %s
Pass %s
SSLType None
AuthMechs PLAIN

IMAPStore far
Account bench

MaildirStore near
Path %s/
Inbox %[5]s/INBOX
SubFolders Verbatim

Channel bench
Far :far:%[6]s
Near :near:%[6]s
Sync Pull
Create Near
SyncState *
`, fs, portOf(srv.Addr), srv.Username, srv.Password, dir, mailbox)
	path := filepath.Join(dir, "mbsyncrc")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	out, err := exec.Command("mbsync", "-c", path, "-q", "bench").CombinedOutput()
	secs := time.Since(start).Seconds()
	if err != nil {
		b.Fatalf("mbsync: %v\n%s", err, out)
	}
	got := 0
	for _, sub := range []string{"new", "cur"} {
		es, _ := os.ReadDir(filepath.Join(dir, mailbox, sub))
		got += len(es)
	}
	if got != n {
		b.Fatalf("mbsync pulled %d messages, want %d\n%s", got, n, out)
	}
	return float64(n) / secs
}

func portOf(addr string) string {
	_, p, _ := strings.Cut(addr, ":")
	return p
}

// benchMessages is how many messages an ingest benchmark's mailbox holds:
// 10,000, or $MAILFLOW_BENCH_MESSAGES.
func benchMessages() int {
	if v, err := strconv.Atoi(os.Getenv("MAILFLOW_BENCH_MESSAGES")); err == nil && v > 0 {
		return v
	}
	return 10000
}

// totalSize is the bytes of msgs together.
func totalSize(msgs [][]byte) int {
	size := 0
	for _, m := range msgs {
		size += len(m)
	}
	return size
}
