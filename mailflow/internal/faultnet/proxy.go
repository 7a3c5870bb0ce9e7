// Package faultnet is a TCP proxy for fault tests: it forwards connections
// to a server and, on request, cuts them — all at once, or once a number of
// bytes has flowed from the server, i.e. in the middle of a response.
package faultnet

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Proxy forwards connections from Addr to a target.
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener

	mu    sync.Mutex
	conns map[*pair]struct{}
	// cutAfter, when > 0, cuts the next connection that receives that many
	// more bytes from the server.
	cutAfter atomic.Int64
	cuts     atomic.Int64
	down     atomic.Bool
}

type pair struct {
	client, server net.Conn
	once           sync.Once
}

func (p *pair) close() {
	p.once.Do(func() {
		p.client.Close()
		p.server.Close()
	})
}

// Start listens on 127.0.0.1 and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[*pair]struct{}{}}
	go p.accept()
	return p, nil
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		pr := &pair{client: c, server: s}
		p.mu.Lock()
		p.conns[pr] = struct{}{}
		p.mu.Unlock()
		go func() {
			io.Copy(s, c) //nolint:errcheck // ends when either side closes
			pr.close()
		}()
		go func() {
			p.copyDown(pr)
			pr.close()
			p.mu.Lock()
			delete(p.conns, pr)
			p.mu.Unlock()
		}()
	}
}

// copyDown copies server → client, cutting when an armed byte count runs out.
func (p *Proxy) copyDown(pr *pair) {
	buf := make([]byte, 16<<10)
	for {
		n, err := pr.server.Read(buf)
		if n > 0 {
			if left := p.cutAfter.Load(); left > 0 {
				if int64(n) >= left && p.cutAfter.CompareAndSwap(left, 0) {
					pr.client.Write(buf[:left]) //nolint:errcheck // cutting anyway
					p.cuts.Add(1)
					return
				}
				p.cutAfter.Add(-int64(n))
			}
			if _, werr := pr.client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// CutAfter arms a cut: the connection that receives the next n bytes from
// the server is closed right after them.
func (p *Proxy) CutAfter(n int64) { p.cutAfter.Store(n) }

// CutAll closes every open connection now.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for pr := range p.conns {
		pr.close()
		p.cuts.Add(1)
	}
}

// SetDown makes the proxy refuse (close at once) new connections, as a
// server that is down would.
func (p *Proxy) SetDown(down bool) { p.down.Store(down) }

// Cuts returns how many connections were cut.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.CutAll()
	return err
}
