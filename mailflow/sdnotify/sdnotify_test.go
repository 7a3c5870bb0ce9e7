package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestNotify(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "30000000")
	t.Setenv("WATCHDOG_PID", "")
	n := FromEnv()
	if !n.Enabled() || n.WatchdogInterval() != 30*time.Second {
		t.Fatalf("enabled %v watchdog %s", n.Enabled(), n.WatchdogInterval())
	}
	for _, state := range []string{"READY=1", "WATCHDOG=1", "STOPPING=1"} {
		if err := n.Notify(state); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		l.SetReadDeadline(time.Now().Add(2 * time.Second))
		k, _, err := l.ReadFromUnix(buf)
		if err != nil || string(buf[:k]) != state {
			t.Fatalf("got %q (%v), want %q", buf[:k], err, state)
		}
	}
}

func TestNotSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := FromEnv()
	if n.Enabled() || n.Notify("READY=1") != nil {
		t.Fatal("a notifier without a socket must do nothing")
	}
}
