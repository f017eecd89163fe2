package testutil

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
)

// Proxy forwards loopback TCP connections to a target address, so a test
// can break a link between two servers without touching either: Cut
// closes every connection it carries (both ends see the link die), and
// while it is Down new connections are accepted and closed at once.
type Proxy struct {
	Addr string
	Port int

	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	links  map[net.Conn]net.Conn // client side -> target side
}

// StartProxy listens on a free loopback port and forwards to target.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	p := &Proxy{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, target: target, ln: ln,
		links: map[net.Conn]net.Conn{}}
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.forward(c)
	}
}

func (p *Proxy) forward(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.links[c] = u
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(u, c)
	go pipe(c, u)
	<-done
	<-done
	p.mu.Lock()
	delete(p.links, c)
	p.mu.Unlock()
}

// Cut closes every forwarded connection and returns how many there were.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for c, u := range p.links {
		c.Close()
		u.Close()
		delete(p.links, c)
		n++
	}
	return n
}

// SetDown makes new connections fail (true) or be forwarded again.
func (p *Proxy) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
}
