package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the child writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDaemonLifecycle runs the real binary as systemd would: READY=1 after
// the first login, SIGHUP with a broken config keeps the old one running,
// SIGHUP with a good one reloads, SIGTERM exits 0 promptly with STOPPING=1.
func TestDaemonLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	imapSrv, smtpSrv := startServers(t)
	cfgPath, dbPath := demoSetup(t, imapSrv.Addr, smtpSrv.Addr)
	dir := t.TempDir()
	// A database of its own: the demo's was filled from another server.
	good, _ := os.ReadFile(cfgPath)
	good = bytes.Replace(good, []byte(dbPath), []byte(filepath.Join(dir, "lifecycle.db")), 1)
	os.WriteFile(cfgPath, good, 0o600)

	bin := filepath.Join(dir, "mailflow")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sock := filepath.Join(dir, "notify.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var notesMu sync.Mutex
	var notes []string
	go func() {
		buf := make([]byte, 256)
		for {
			n, _, err := l.ReadFromUnix(buf)
			if err != nil {
				return
			}
			notesMu.Lock()
			notes = append(notes, string(buf[:n]))
			notesMu.Unlock()
		}
	}()
	noted := func(state string) func() bool {
		return func() bool {
			notesMu.Lock()
			defer notesMu.Unlock()
			for _, n := range notes {
				if n == state {
					return true
				}
			}
			return false
		}
	}

	var logs syncBuffer
	cmd := exec.Command(bin, "run", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitFor(t, "READY=1", 10*time.Second, noted("READY=1"))

	// A broken config on SIGHUP: reported, and the daemon keeps running.
	os.WriteFile(cfgPath, []byte(strings.Replace(string(good), `timezone = "America/New_York"`, `timezone = "Nowhere/Atlantis"`, 1)), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the refusal to reload", 10*time.Second, func() bool { return strings.Contains(logs.String(), "configuration not reloaded") })
	if !strings.Contains(logs.String(), "Nowhere/Atlantis") {
		t.Errorf("the log does not say what was wrong:\n%s", logs.String())
	}
	// A good one: reloaded.
	os.WriteFile(cfgPath, good, 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "the reload", 10*time.Second, func() bool { return strings.Contains(logs.String(), "configuration and templates reloaded") })

	// Still working after the reload: minutes are handled and mailed.
	raw, _ := os.ReadFile("../../mailflow/demo/minutes.eml")
	before := len(smtpSrv.Received())
	imapSrv.Append("INBOX", raw)
	waitFor(t, "minutes mailed after the reload", 15*time.Second, func() bool { return len(smtpSrv.Received()) > before })

	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if took := time.Since(start); took > 11*time.Second {
		t.Errorf("SIGTERM took %s (shutdown_timeout 10s)", took)
	}
	if !noted("STOPPING=1")() {
		t.Error("no STOPPING=1")
	}
	for _, secret := range []string{"demo\n", "0123456789abcdef0123456789abcdef", "weekly vendor call"} {
		if strings.Contains(logs.String(), strings.TrimSpace(secret)) {
			t.Errorf("the log contains %q (a password, key or message body)", strings.TrimSpace(secret))
		}
	}
}
