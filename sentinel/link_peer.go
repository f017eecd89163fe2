package sentinel

import (
	"context"
	"sync"
	"time"

	"redoubt/internal/resp"
)

// peerLink is this sentinel's command connection to another sentinel of
// the group: PINGs only (the group talks through Raft), which give the
// peer's SDOWN and `disconnected` flags in SENTINEL SENTINELS and the
// usable count of CKQUORUM.
type peerLink struct {
	mon *Monitor
	id  string

	mu        sync.Mutex
	addr      Addr
	downAfter time.Duration
	st        PeerStatus
	lastAvail time.Time

	cancel context.CancelFunc
	done   chan struct{}
}

func (p *peerLink) status() PeerStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

func (p *peerLink) target() Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

func (p *peerLink) run(ctx context.Context) {
	defer close(p.done)
	for ctx.Err() == nil {
		addr := p.target()
		began := time.Now()
		c, err := resp.Dial(ctx, addr.String(), linkDialTimeout)
		if err == nil {
			p.session(ctx, c, addr)
			c.Close()
		}
		p.mu.Lock()
		p.st.Connected = false
		p.mu.Unlock()
		if err == nil && time.Since(began) > time.Second {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(p.mon.pingPeriod()):
		}
	}
}

// session authenticates (sentinel-user/sentinel-pass, or this sentinel's
// own requirepass) and pings the peer every ping period.
func (p *peerLink) session(ctx context.Context, c *resp.Client, addr Addr) {
	user, pass := p.mon.env.peerAuth()
	cmds := authCmds(nil, user, pass)
	cmds = append(cmds, []string{"CLIENT", "SETNAME", p.mon.clientName()})
	c.Timeout = 2 * time.Second
	if _, err := c.Pipeline(cmds); err != nil {
		return
	}
	p.mu.Lock()
	p.st.Connected = true
	p.mu.Unlock()
	for ctx.Err() == nil && p.target() == addr {
		// New credentials (SENTINEL CONFIG SET sentinel-pass...) take a
		// new connection.
		if u, pw := p.mon.env.peerAuth(); u != user || pw != pass {
			return
		}
		p.mu.Lock()
		downAfter := p.downAfter
		c.Timeout = max(downAfter, time.Second)
		if p.st.PingPendingSince.IsZero() {
			p.st.PingPendingSince = p.mon.env.clock.Now()
		}
		p.mu.Unlock()
		v, err := c.Do("PING")
		if err != nil {
			return
		}
		now := p.mon.env.clock.Now()
		p.mu.Lock()
		p.st.LastPingReply = now
		if acceptablePing(v.Type, v.Str) {
			p.st.LastOKPingReply, p.lastAvail = now, now
			p.st.PingPendingSince = time.Time{}
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(min(p.mon.pingPeriod(), max(downAfter, 10*time.Millisecond))):
		}
	}
}
