package faultnet

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// deadline bounds every read: the proxy forwards in microseconds, so
// reaching it means a connection hangs that should have moved or closed.
const deadline = 5 * time.Second

// startEcho starts a server that sends back whatever it receives.
func startEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c) //nolint:errcheck // ends when the proxy closes
			}()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T) *Proxy {
	t.Helper()
	p, err := Start(startEcho(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func connect(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(deadline)) //nolint:errcheck // a fresh connection
	return c
}

// roundTrip sends msg and reads back what the echo returns until len(msg)
// bytes or the end of the connection.
func roundTrip(t *testing.T, c net.Conn, msg string) (string, error) {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	n, err := io.ReadFull(c, buf)
	return string(buf[:n]), err
}

// closed reports whether the proxy closed c: a read ends with EOF (or a
// reset), not with the deadline.
func closed(t *testing.T, c net.Conn) bool {
	t.Helper()
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

func TestForwardsBothWays(t *testing.T) {
	p := startProxy(t)
	c := connect(t, p)
	for _, msg := range []string{"A1 LOGIN u p\r\n", strings.Repeat("x", 100<<10)} {
		if got, err := roundTrip(t, c, msg); err != nil || got != msg {
			t.Fatalf("round trip of %d bytes: got %d bytes, %v", len(msg), len(got), err)
		}
	}
	if p.Cuts() != 0 {
		t.Errorf("Cuts() = %d after forwarding, want 0", p.Cuts())
	}
}

// CutAfter(n) lets exactly n more bytes through from the server, then
// closes that connection; it is armed once.
func TestCutAfter(t *testing.T) {
	p := startProxy(t)
	c := connect(t, p)
	if _, err := roundTrip(t, c, "warm up\r\n"); err != nil {
		t.Fatal(err)
	}
	p.CutAfter(10)
	if _, err := io.WriteString(c, "* 1 FETCH (BODY[] {100}\r\n"+strings.Repeat("y", 100)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "* 1 FETCH " {
		t.Errorf("read %q (%v) before the cut, want the first 10 bytes and then the end", got, err)
	}
	if p.Cuts() != 1 {
		t.Errorf("Cuts() = %d, want 1", p.Cuts())
	}
	// The next connection is not cut.
	if got, err := roundTrip(t, connect(t, p), strings.Repeat("z", 64)); err != nil || len(got) != 64 {
		t.Errorf("after the cut, a new connection's round trip gave %d bytes, %v", len(got), err)
	}
}

func TestCutAll(t *testing.T) {
	p := startProxy(t)
	a, b := connect(t, p), connect(t, p)
	for _, c := range []net.Conn{a, b} {
		if _, err := roundTrip(t, c, "hello"); err != nil {
			t.Fatal(err)
		}
	}
	p.CutAll()
	for i, c := range []net.Conn{a, b} {
		if !closed(t, c) {
			t.Errorf("connection %d still open after CutAll", i)
		}
	}
	if p.Cuts() != 2 {
		t.Errorf("Cuts() = %d, want 2", p.Cuts())
	}
	if got, err := roundTrip(t, connect(t, p), "again"); err != nil || got != "again" {
		t.Errorf("a new connection after CutAll: %q, %v", got, err)
	}
}

// A proxy set down refuses new connections (closes them at once) and
// leaves open ones be; set up again, it forwards.
func TestSetDown(t *testing.T) {
	p := startProxy(t)
	open := connect(t, p)
	if _, err := roundTrip(t, open, "before"); err != nil {
		t.Fatal(err)
	}
	p.SetDown(true)
	if got, err := roundTrip(t, connect(t, p), "while down"); err == nil {
		t.Errorf("a connection while down echoed %q", got)
	}
	if got, err := roundTrip(t, open, "still"); err != nil || got != "still" {
		t.Errorf("an open connection while down: %q, %v; want it to go on", got, err)
	}
	p.SetDown(false)
	if got, err := roundTrip(t, connect(t, p), "up again"); err != nil || got != "up again" {
		t.Errorf("a connection once up again: %q, %v", got, err)
	}
}

func TestClose(t *testing.T) {
	p := startProxy(t)
	c := connect(t, p)
	if _, err := roundTrip(t, c, "hi"); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !closed(t, c) {
		t.Error("an open connection survived Close")
	}
	if nc, err := net.DialTimeout("tcp", p.Addr, deadline); err == nil {
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(deadline)) //nolint:errcheck // a fresh connection
		if _, err := nc.Write([]byte("x")); err == nil {
			var buf bytes.Buffer
			if n, _ := buf.ReadFrom(nc); n > 0 {
				t.Error("the proxy forwards after Close")
			}
		}
	}
}
