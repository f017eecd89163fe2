package sentinel

import (
	"context"
	"errors"
	"sync"
	"time"

	"redoubt/internal/resp"
)

// forwarder keeps a few idle RESP connections per peer sentinel, for
// proposals and membership calls sent to the Raft leader. Connections
// authenticate like the sentinel does toward its peers: sentinel-user /
// sentinel-pass, or else its own requirepass.
type forwarder struct {
	s      *Sentinel
	mu     sync.Mutex
	idle   map[string][]*resp.Client
	closed bool
}

// forwardIdlePerPeer is how many idle connections are kept per address.
const forwardIdlePerPeer = 2

func newForwarder(s *Sentinel) *forwarder {
	return &forwarder{s: s, idle: map[string][]*resp.Client{}}
}

// do sends one command to addr and returns its (non-error) reply. I/O
// failures and NOTLEADER/NOLEADER replies are errRetry; other error
// replies are plain errors.
func (f *forwarder) do(ctx context.Context, addr string, args ...string) (resp.Value, error) {
	c, err := f.get(ctx, addr)
	if err != nil {
		return resp.Value{}, errRetry{err}
	}
	c.Timeout = forwardTimeout
	if dl, ok := ctx.Deadline(); ok {
		c.Timeout = max(min(time.Until(dl), forwardTimeout), time.Millisecond)
	}
	v, err := c.Do(args...)
	if err != nil {
		c.Close()
		return resp.Value{}, errRetry{err}
	}
	f.put(addr, c)
	if err := forwardedError(v); err != nil {
		return v, err
	}
	return v, nil
}

func (f *forwarder) get(ctx context.Context, addr string) (*resp.Client, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, errors.New("shutting down")
	}
	if l := f.idle[addr]; len(l) > 0 {
		c := l[len(l)-1]
		f.idle[addr] = l[:len(l)-1]
		f.mu.Unlock()
		return c, nil
	}
	f.mu.Unlock()
	c, err := resp.Dial(ctx, addr, time.Second)
	if err != nil {
		return nil, err
	}
	if user, pass := f.s.peerAuth(); pass != "" {
		args := []string{"AUTH", pass}
		if user != "" {
			args = []string{"AUTH", user, pass}
		}
		v, err := c.Do(args...)
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

func (f *forwarder) put(addr string, c *resp.Client) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || len(f.idle[addr]) >= forwardIdlePerPeer {
		c.Close()
		return
	}
	f.idle[addr] = append(f.idle[addr], c)
}

func (f *forwarder) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, l := range f.idle {
		for _, c := range l {
			c.Close()
		}
	}
	f.idle = nil
}

// peerAuth returns the credentials this sentinel uses toward its peers:
// sentinel-user/sentinel-pass, or else its own requirepass.
func (s *Sentinel) peerAuth() (user, pass string) {
	if pass = s.cfg.SentinelPass(); pass != "" {
		return s.cfg.SentinelUser(), pass
	}
	return "", s.cfg.RequirePass()
}
