// Package sdnotify speaks systemd's notify protocol (sd_notify(3)): a
// datagram such as "READY=1" to the socket in $NOTIFY_SOCKET. It is a few
// lines, so mailflow writes it rather than taking a dependency.
package sdnotify

import (
	"net"
	"os"
	"strconv"
	"time"
)

// Notifier sends state changes to systemd. The zero Notifier (not run by
// systemd) does nothing.
type Notifier struct {
	socket   string
	watchdog time.Duration
}

// FromEnv returns the notifier for this process, reading NOTIFY_SOCKET and
// WATCHDOG_USEC (honouring WATCHDOG_PID when set).
func FromEnv() *Notifier {
	n := &Notifier{socket: os.Getenv("NOTIFY_SOCKET")}
	if usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64); err == nil && usec > 0 {
		if pid := os.Getenv("WATCHDOG_PID"); pid == "" || pid == strconv.Itoa(os.Getpid()) {
			n.watchdog = time.Duration(usec) * time.Microsecond
		}
	}
	return n
}

// Enabled reports whether systemd is listening.
func (n *Notifier) Enabled() bool { return n != nil && n.socket != "" }

// WatchdogInterval returns how often WATCHDOG=1 must be sent (0: never).
func (n *Notifier) WatchdogInterval() time.Duration {
	if n == nil {
		return 0
	}
	return n.watchdog
}

// Notify sends state, e.g. "READY=1" or "STATUS=idle". Errors are returned
// for logging; systemd going away must not stop mailflow.
func (n *Notifier) Notify(state string) error {
	if !n.Enabled() {
		return nil
	}
	addr := &net.UnixAddr{Name: n.socket, Net: "unixgram"}
	if addr.Name[0] == '@' {
		addr.Name = "\x00" + addr.Name[1:] // abstract socket
	}
	c, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}
