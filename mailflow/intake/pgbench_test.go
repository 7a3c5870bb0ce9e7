package intake_test

import (
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mailflow/internal/pgtest"
	"mailflow/mailflow/config"
	"mailflow/mailflow/internal/dovecottest"
	"mailflow/store"
)

// durablePostgres undoes what pgtest turns off for speed (fsync and
// full-page writes), so that the benchmark's PostgreSQL pays for
// durability as a production server does with its defaults: every commit
// flushed to disk before it returns (synchronous_commit stays on).
const durablePostgres = "fsync = on\nfull_page_writes = on"

// startBenchPostgres starts the private PostgreSQL of the "mailflow on
// PostgreSQL" reader, once per benchmark, with durablePostgres. Without
// PostgreSQL installed it logs why and returns nil, and the benchmark
// runs without that reader; unless pgtest.EnvRequire is set, when it
// fails.
func startBenchPostgres(b *testing.B) *pgtest.Server {
	b.Helper()
	if pgtest.FindBinDir() == "" {
		msg := "PostgreSQL is not installed (Debian: apt-get install postgresql): no mailflow-on-PostgreSQL reader"
		if os.Getenv(pgtest.EnvRequire) == "1" {
			b.Fatalf("%s, and %s=1", msg, pgtest.EnvRequire)
		}
		b.Log(msg)
		return nil
	}
	return pgtest.Start(b, pgtest.WithConfig(durablePostgres))
}

// pgRun is the "mailflow on PostgreSQL" reader's result: the child's, and
// the CPU time the PostgreSQL server spent meanwhile, which the child's
// own CPU and peak RSS do not include.
type pgRun struct {
	childResult
	ServerCPU float64 // seconds; < 0 when it could not be read
}

// runOnPostgres runs job (mode mailflow) with its store on a new, empty
// database of pg.
func runOnPostgres(b *testing.B, pg *pgtest.Server, job childJob, srv *dovecottest.Server) pgRun {
	b.Helper()
	job.Database = pg.CreateDB(b, "")
	var res childResult
	cpu := cpuDuring(postmasterPID(pg), func() { res = runChild(b, job, srv) })
	return pgRun{childResult: res, ServerCPU: cpu}
}

// cpuDuring returns the CPU time, in seconds, that the server whose main
// process is pid spent while run ran; -1 when /proc does not tell. The
// processes that served run (PostgreSQL's backend for the client, any
// autovacuum worker started meanwhile; Dovecot's imap process) count once
// the main process has reaped them, which cpuDuring waits for.
func cpuDuring(pid string, run func()) float64 {
	before, running := treeCPU(pid)
	run()
	waitReaped(pid, running, reapWait)
	after, _ := treeCPU(pid)
	if before < 0 || after < 0 {
		return -1
	}
	return after - before
}

// reapWait bounds how long cpuDuring waits for the server's processes
// of the run to exit; an autovacuum worker still busy after it is left
// out of the server's CPU.
const reapWait = 5 * time.Second

// logPostgres reports the PostgreSQL reader beside the SQLite one (full)
// and checks that it handled the same work: every message, the mailbox
// left empty, as many mails queued.
func logPostgres(b *testing.B, pg pgRun, full childResult, srv *dovecottest.Server, mailbox string, n int) {
	b.Helper()
	if pg.Messages != n {
		b.Fatalf("%s on PostgreSQL read %d messages, want %d", pg.Mode, pg.Messages, n)
	}
	if left := srv.Count(mailbox); left != 0 {
		b.Errorf("%d messages left in the mailbox after mailflow's ingest on PostgreSQL", left)
	}
	if pg.Mails != full.Mails {
		b.Errorf("mailflow queued %d mails on PostgreSQL, %d on SQLite, want the same", pg.Mails, full.Mails)
	}
	ratio := pg.rate() / full.rate()
	b.ReportMetric(pg.rate(), "mailflow-pg-msgs/s")
	b.ReportMetric(float64(pg.PeakRSSKB)/1024, "mailflow-pg-peak-RSS-MB")
	b.ReportMetric(ratio, "pg/sqlite")
	server := "unknown"
	if pg.ServerCPU >= 0 {
		server = strconv.FormatFloat(pg.ServerCPU, 'f', 2, 64) + "s"
	}
	// One line: testing keeps only a benchmark's first ten.
	b.Logf("mailflow on PostgreSQL:    %8.0f msgs/s  %6.2fs  peak RSS %5.1f MB  %s  = %.2f x SQLite; "+
		"server apart (own process): CPU %s, RSS not counted", pg.rate(), pg.Seconds, float64(pg.PeakRSSKB)/1024, pg.cpu(), ratio, server)
}

// treeCPU returns the CPU time, in seconds, that a server's processes
// have used so far: its main process pid, the children it runs (for
// PostgreSQL the backends, the WAL writer and the checkpointer; for
// Dovecot the imap processes) and those it has reaped (a client's backend
// or imap process once the client hangs up); and the PIDs of those live
// children. -1 when /proc does not tell.
func treeCPU(pid string) (float64, map[string]bool) {
	// A child reaped between reading the parent and listing the children
	// would be in neither: the reading counts only when the children are
	// the same before and after it.
	for range 10 {
		before, ok := childTimes(pid)
		if !ok {
			return -1, nil
		}
		self, ok := procStat(pid)
		if !ok {
			return -1, nil
		}
		children, ok := childTimes(pid)
		if !ok {
			return -1, nil
		}
		if !maps.EqualFunc(before, children, func(procTimes, procTimes) bool { return true }) {
			continue
		}
		ticks := self.utime + self.stime + self.cutime + self.cstime
		running := map[string]bool{}
		for child, st := range children {
			ticks += st.utime + st.stime
			running[child] = true
		}
		return float64(ticks) / clockTicks, running
	}
	return -1, nil
}

// waitReaped waits, at most d, until every child of the process pid is
// one of known: a process that has exited is not counted by treeCPU until
// its parent reaps it.
func waitReaped(pid string, known map[string]bool, d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		children, ok := childTimes(pid)
		if !ok {
			return
		}
		done := true
		for child := range children {
			done = done && known[child]
		}
		if done {
			return
		}
	}
}

// postmasterPID reads the server's PID from the first line of its
// postmaster.pid; "" when it cannot.
func postmasterPID(pg *pgtest.Server) string {
	pidFile, err := os.ReadFile(filepath.Join(pg.Dir, "data", "postmaster.pid"))
	if err != nil {
		return ""
	}
	pid, _, _ := strings.Cut(string(pidFile), "\n")
	return pid
}

// childTimes returns the processes whose parent is ppid, by PID.
func childTimes(ppid string) (map[string]procTimes, bool) {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil, false
	}
	children := map[string]procTimes{}
	for _, p := range procs {
		if st, ok := procStat(p.Name()); ok && strconv.Itoa(st.ppid) == ppid {
			children[p.Name()] = st
		}
	}
	return children, true
}

// clockTicks is the unit of /proc/PID/stat's times (USER_HZ), 100 on
// every Linux platform Go supports.
const clockTicks = 100

// procTimes are the fields of /proc/PID/stat treeCPU needs.
type procTimes struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

// procStat reads /proc/PID/stat; false when pid is no process (or no
// number).
func procStat(pid string) (procTimes, bool) {
	if _, err := strconv.Atoi(pid); err != nil {
		return procTimes{}, false
	}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return procTimes{}, false
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// the fields after its last ")" start at field 3 (state).
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return procTimes{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return procTimes{}, false
	}
	num := func(k int) int64 { // field k of stat(5), 1-based
		v, _ := strconv.ParseInt(f[k-3], 10, 64)
		return v
	}
	return procTimes{ppid: int(num(4)), utime: num(14), stime: num(15), cutime: num(16), cstime: num(17)}, true
}

// benchDatabase is the [database] section of a benchmark child: an SQLite
// file in dir when target is "", else the PostgreSQL database target
// names, configured as "mailflow run" takes it (a URL without the
// password, the password apart).
func benchDatabase(dir, target string) config.Database {
	if !store.IsPostgres(target) {
		return config.Database{Path: filepath.Join(dir, "mailflow.db")}
	}
	u, err := url.Parse(target)
	if err != nil || u.User == nil {
		return config.Database{URL: target} // config.Finish says what is wrong
	}
	password, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	return config.Database{URL: u.String(), Password: password}
}

// pgProfilePath is where the PostgreSQL reader keeps its CPU profile when
// MAILFLOW_BENCH_CPUPROFILE names the SQLite reader's: "cpu.prof" becomes
// "cpu-pg.prof".
func pgProfilePath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-pg" + ext
}

// TestBenchDatabase checks the [database] section a benchmark child gets:
// an SQLite file in its directory, or the PostgreSQL URL split as the
// configuration keeps it, whose Target is the URL store.Open was given.
func TestBenchDatabase(t *testing.T) {
	tests := []struct {
		target       string
		wantPath     string
		wantURL      string
		wantPassword string
	}{
		{"", "/tmp/x/mailflow.db", "", ""},
		{"postgres://mailflow:p%2Fw%40d@127.0.0.1:5432/bench_1?sslmode=disable", "",
			"postgres://mailflow@127.0.0.1:5432/bench_1?sslmode=disable", "p/w@d"},
	}
	for _, tt := range tests {
		got := benchDatabase("/tmp/x", tt.target)
		if got.Path != tt.wantPath || got.URL != tt.wantURL || got.Password != tt.wantPassword {
			t.Errorf("benchDatabase(%q) = %+v, want path %q, url %q, password %q", tt.target, got, tt.wantPath, tt.wantURL, tt.wantPassword)
		}
		if tt.target == "" {
			continue
		}
		u, err := url.Parse(got.Target())
		if err != nil {
			t.Fatalf("Target() = %q: %v", got.Target(), err)
		}
		if pw, _ := u.User.Password(); pw != tt.wantPassword || u.User.Username() != "mailflow" {
			t.Errorf("Target() = %q, want the user mailflow and password %q back in it", got.Target(), tt.wantPassword)
		}
	}
}

func TestPgProfilePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tmp/cpu.prof", "/tmp/cpu-pg.prof"},
		{"cpu", "cpu-pg"},
		{"/tmp/run.1/cpu.pb.gz", "/tmp/run.1/cpu.pb-pg.gz"},
	}
	for _, tt := range tests {
		if got := pgProfilePath(tt.in); got != tt.want {
			t.Errorf("pgProfilePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestProcStat reads this process's /proc/PID/stat: its parent, and CPU
// time after a spin; and no process for names that are none.
func TestProcStat(t *testing.T) {
	spin(200 * time.Millisecond)
	st, ok := procStat(strconv.Itoa(os.Getpid()))
	if !ok {
		t.Fatalf("procStat(own pid) found no process")
	}
	if st.ppid != os.Getppid() {
		t.Errorf("procStat(own pid).ppid = %d, want %d", st.ppid, os.Getppid())
	}
	if st.utime+st.stime < 1 {
		t.Errorf("procStat(own pid) = %+v after a 200 ms spin, want some CPU time", st)
	}
	for _, pid := range []string{"self", "net", "999999999"} {
		if _, ok := procStat(pid); ok {
			t.Errorf("procStat(%q) found a process, want none", pid)
		}
	}
}
