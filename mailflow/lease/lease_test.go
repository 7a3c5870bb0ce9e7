package lease_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"mailflow/internal/pgtest"
	"mailflow/mailflow/lease"
)

func TestMain(m *testing.M) {
	// Re-run as a holder that takes a lease and waits to be killed: the
	// failover tests kill it as a crash would.
	if url := os.Getenv("LEASE_TEST_HOLD"); url != "" {
		holdUntilKilled(url, os.Getenv("LEASE_TEST_NAME"))
		return
	}
	os.Exit(pgtest.Main(m))
}

func holdUntilKilled(url, name string) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		os.Exit(2)
	}
	h := lease.New(db, "doomed")
	for {
		if ok, err := h.Acquire(context.Background(), name); err == nil && ok {
			os.Stdout.WriteString("held\n")
			select {}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func open(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func acquire(t testing.TB, h *lease.Holder, name string) bool {
	t.Helper()
	ok, err := h.Acquire(context.Background(), name)
	if err != nil {
		t.Fatalf("Acquire(%s): %v", name, err)
	}
	return ok
}

// One host holds a lease at a time; each name is a lease of its own; a
// released lease is free for another host.
func TestOneHolderAtATime(t *testing.T) {
	url := pgtest.Shared(t).CreateDB(t, "lease1")
	a, b := lease.New(open(t, url), "host-a"), lease.New(open(t, url), "host-b")
	defer a.Close()
	defer b.Close()
	if !acquire(t, a, "imap:ehr/INBOX") {
		t.Fatal("host a could not take a free lease")
	}
	if !acquire(t, a, "imap:ehr/INBOX") {
		t.Fatal("host a lost the lease it holds on asking again")
	}
	if acquire(t, b, "imap:ehr/INBOX") {
		t.Fatal("host b took a lease host a holds")
	}
	if !acquire(t, b, "periodic") {
		t.Fatal("host b could not take another, free, lease")
	}
	owners, err := lease.Owners(context.Background(), open(t, url), []string{"imap:ehr/INBOX", "periodic", "imap:other/INBOX"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"imap:ehr/INBOX": "host-a", "periodic": "host-b", "imap:other/INBOX": ""}
	for _, o := range owners {
		if o.Host != want[o.Name] {
			t.Errorf("Owners: %s held by %q, want %q", o.Name, o.Host, want[o.Name])
		}
	}
	if err := a.Release(context.Background(), "imap:ehr/INBOX"); err != nil {
		t.Fatal(err)
	}
	if !acquire(t, b, "imap:ehr/INBOX") {
		t.Fatal("host b could not take the lease host a released")
	}
}

// A host whose session ends — an administrator terminates it, the server
// restarts, the network drops it — loses its leases: asking again tells
// it so, and the standby takes them.
func TestLeaseEndsWithItsSession(t *testing.T) {
	url := pgtest.Shared(t).CreateDB(t, "lease2")
	admin := open(t, url)
	a, b := lease.New(open(t, url), "host-a"), lease.New(open(t, url), "host-b")
	defer a.Close()
	defer b.Close()
	if !acquire(t, a, "imap:ehr/INBOX") {
		t.Fatal("host a could not take a free lease")
	}
	var n int
	if err := admin.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
		lease.ApplicationName("host-a")).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating host a's lease session: %d sessions, %v", n, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !acquire(t, b, "imap:ehr/INBOX") {
		if time.Now().After(deadline) {
			t.Fatal("host b never took the lease of host a's ended session")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if acquire(t, a, "imap:ehr/INBOX") {
		t.Fatal("host a still believes it holds a lease its session lost")
	}
}

// A host killed as a crash would be loses its lease at once; a standby
// asking every interval takes over within about one interval.
func TestStandbyTakesOverFromAKilledHost(t *testing.T) {
	url := pgtest.Shared(t).CreateDB(t, "lease3")
	b := lease.New(open(t, url), "host-b")
	defer b.Close()
	took := failover(t, url, b, "imap:ehr/INBOX", 50*time.Millisecond)
	if took > 10*time.Second {
		t.Errorf("the standby took %v to take over", took)
	}
}

// failover starts a holder process, waits until it holds name, kills it
// with SIGKILL, and returns how long standby, asking every interval, took
// to hold the lease after the kill.
func failover(t testing.TB, url string, standby *lease.Holder, name string, interval time.Duration) time.Duration {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEASE_TEST_HOLD="+url, "LEASE_TEST_NAME="+name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("holder process: %q, %v", buf, err)
	}
	if acquire(t, standby, name) {
		t.Fatal("the standby took a lease the holder process holds")
	}
	// The standby asks on its own clock; the kill lands anywhere in its
	// cycle.
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	time.Sleep(rand.N(interval))
	killed := time.Now()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := killed.Add(30 * time.Second)
	for {
		<-ticker.C
		if acquire(t, standby, name) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby never took over")
		}
	}
	took := time.Since(killed)
	if err := standby.Release(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return took
}

// BenchmarkFailover kills the holding host 20 times (SIGKILL, as a crash)
// and reports how long a standby asking every lease.RetryEvery took to
// hold the lease: the median and the worst.
func BenchmarkFailover(b *testing.B) {
	url := pgtest.Shared(b).CreateDB(b, "failover")
	standby := lease.New(open(b, url), "host-b")
	defer standby.Close()
	for b.Loop() {
		var took []time.Duration
		for range 20 {
			took = append(took, failover(b, url, standby, "imap:ehr/INBOX", lease.RetryEvery))
		}
		slices.Sort(took)
		b.ReportMetric(took[len(took)/2].Seconds(), "median-s")
		b.ReportMetric(took[len(took)-1].Seconds(), "max-s")
	}
}
