package sentinel

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// The monitor is this sentinel's own eyes: a link per master, replica and
// peer sentinel (reconciled every 100 ms with the replicated state), the
// SDOWN judgement of each, TILT, and the feedback into Raft: this
// sentinel's opinion of each master and the replicas masters report.

// monEnv is what the monitor needs from the process; tests fill it with
// fakes.
type monEnv struct {
	clock    Clock
	knobs    *Knobs
	log      *slog.Logger
	myID     string
	view     func(func(*State))
	propose  func(context.Context, Command) (Result, error)
	emit     func(...Event)
	peerAuth func() (user, pass string)
}

// monTick is the monitor's timer period. Redis runs its timer at 10 Hz;
// judging SDOWN four times as often trims up to 75 ms off every failover.
const monTick = 25 * time.Millisecond

// monProposeRetry spaces retries of a proposal that failed.
const monProposeRetry = 300 * time.Millisecond

type linkKey struct {
	master string
	addr   Addr
}

// Monitor keeps links to every master, replica and peer sentinel.
type Monitor struct {
	env monEnv

	mu      sync.Mutex
	links   map[linkKey]*instLink
	peers   map[string]*peerLink
	masters map[string]*Master // trimmed copies from the last reconcile
	tilt    tiltState
	busy    map[string]bool
	retryAt map[string]time.Time
}

func newMonitor(s *Sentinel) *Monitor {
	env := monEnv{clock: s.clock, knobs: s.knobs, log: s.log, myID: s.myID, view: s.View, propose: s.Propose,
		emit: s.publish, peerAuth: s.peerAuth}
	if env.clock == nil {
		env.clock = RealClock
	}
	if env.knobs == nil {
		env.knobs = DefaultKnobs()
	}
	if env.log == nil {
		env.log = slog.Default()
	}
	return newMonitorEnv(env)
}

func newMonitorEnv(env monEnv) *Monitor {
	if env.peerAuth == nil {
		env.peerAuth = func() (string, string) { return "", "" }
	}
	return &Monitor{env: env, links: map[linkKey]*instLink{}, peers: map[string]*peerLink{},
		masters: map[string]*Master{}, busy: map[string]bool{}, retryAt: map[string]time.Time{}}
}

// Run monitors until ctx ends, then closes every link.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(monTick)
	defer t.Stop()
	for {
		m.tick(ctx)
		select {
		case <-ctx.Done():
			m.closeAll()
			return
		case <-t.C:
		}
	}
}

func (m *Monitor) closeAll() {
	m.mu.Lock()
	var done []chan struct{}
	for k, l := range m.links {
		l.cancel()
		done = append(done, l.done)
		delete(m.links, k)
	}
	for id, p := range m.peers {
		p.cancel()
		done = append(done, p.done)
		delete(m.peers, id)
	}
	m.mu.Unlock()
	for _, d := range done {
		<-d
	}
}

func (m *Monitor) clientName() string {
	id := m.env.myID
	if len(id) > 8 {
		id = id[:8]
	}
	return "sentinel-" + id + "-cmd"
}

func (m *Monitor) pingPeriod() time.Duration {
	return time.Duration(m.env.knobs.Get().PingPeriod) * time.Millisecond
}

// snapshotState copies what the monitor needs out of the replicated state.
func snapshotState(view func(func(*State)), myID string) (map[string]*Master, []Member) {
	masters := map[string]*Master{}
	var members []Member
	view(func(st *State) {
		for name, src := range st.Masters {
			c := *src
			c.Replicas = slices.Clone(src.Replicas)
			c.RenameCommands = maps.Clone(src.RenameCommands)
			c.Opinions = nil
			if op, ok := src.Opinions[myID]; ok {
				c.Opinions = map[string]Opinion{myID: op}
			}
			if src.Failover != nil {
				f := *src.Failover
				c.Failover = &f
			}
			masters[name] = &c
		}
		for _, mem := range st.Members {
			if mem.ID != myID {
				members = append(members, *mem)
			}
		}
	})
	return masters, members
}

// tick is one run of the monitor's timer.
func (m *Monitor) tick(ctx context.Context) {
	now := m.env.clock.Now()
	k := m.env.knobs.Get()
	switch m.tiltTick(now, k) {
	case +1:
		m.env.emit(Event{Channel: "+tilt", Payload: evTiltEntered})
	case -1:
		m.env.emit(Event{Channel: "-tilt", Payload: evTiltExited})
	}
	masters, members := snapshotState(m.env.view, m.env.myID)
	m.reconcile(ctx, masters, members, now, k)
	tilted, _ := m.Tilt()
	m.evaluate(masters, now, k, tilted)
	if !tilted {
		m.feedRaft(ctx, masters, now)
	}
}

func (m *Monitor) tiltTick(now time.Time, k KnobValues) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tilt.tiltStep(now, time.Duration(k.TiltTrigger)*time.Millisecond, time.Duration(k.TiltPeriod)*time.Millisecond)
}

// reconcile opens links that the state calls for and closes the others.
func (m *Monitor) reconcile(ctx context.Context, masters map[string]*Master, members []Member, now time.Time, k KnobValues) {
	want := map[linkKey]linkCfg{}
	for _, ms := range masters {
		down := time.Duration(ms.DownAfterMs) * time.Millisecond
		base := linkCfg{AuthUser: ms.AuthUser, AuthPass: ms.AuthPass, Rename: ms.RenameCommands, DownAfter: down,
			PingPeriod: min(time.Duration(k.PingPeriod)*time.Millisecond, down),
			InfoPeriod: time.Duration(k.InfoPeriod) * time.Millisecond}
		mc := base
		mc.IsMaster = true
		mc.RebootPeriod = time.Duration(ms.MasterRebootDownAfterMs) * time.Millisecond
		want[linkKey{ms.Name, ms.Addr}] = mc
		// Replicas are polled every second while their master is in
		// trouble (ODOWN, failing over, or down for us), so the failover
		// chooses on fresh data.
		fast := ms.ODown || ms.Failover != nil || m.statusSDown(linkKey{ms.Name, ms.Addr})
		for _, r := range ms.Replicas {
			if r == ms.Addr {
				continue
			}
			rc := base
			if fast || m.masterLinkDown(linkKey{ms.Name, r}) {
				rc.InfoPeriod = min(rc.InfoPeriod, time.Second)
			}
			want[linkKey{ms.Name, r}] = rc
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.masters = masters
	for key, l := range m.links {
		if _, ok := want[key]; !ok {
			l.cancel()
			delete(m.links, key)
		}
	}
	for key, cfg := range want {
		l := m.links[key]
		if l == nil {
			lctx, cancel := context.WithCancel(ctx)
			l = &instLink{mon: m, master: key.master, addr: key.addr, cfg: cfg, created: now, lastAvail: now,
				poke: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
			l.st.Addr = key.addr
			l.st.SlavePriority = 100
			l.st.RoleChangedAt = now
			m.links[key] = l
			go l.run(lctx)
			continue
		}
		l.mu.Lock()
		if l.cfg.IsMaster != cfg.IsMaster {
			// The instance changed its configured role (a switch): its
			// reported role is judged afresh against the new one, from a
			// fresh INFO.
			l.st.RoleChangedAt = now
			l.st.Role = ""
			l.requestInfo()
		}
		l.cfg = cfg
		l.mu.Unlock()
	}
	m.reconcilePeers(ctx, masters, members)
}

func (m *Monitor) reconcilePeers(ctx context.Context, masters map[string]*Master, members []Member) {
	down := time.Duration(m.env.knobs.Get().DefaultDownAfter) * time.Millisecond
	if len(masters) > 0 {
		down = time.Duration(1<<62 - 1)
		for _, ms := range masters {
			down = min(down, time.Duration(ms.DownAfterMs)*time.Millisecond)
		}
	}
	want := map[string]Addr{}
	for _, mem := range members {
		want[mem.ID] = Addr{IP: mem.IP, Port: mem.Port}
	}
	for id, p := range m.peers {
		if _, ok := want[id]; !ok {
			p.cancel()
			delete(m.peers, id)
		}
	}
	for id, addr := range want {
		p := m.peers[id]
		if p == nil {
			pctx, cancel := context.WithCancel(ctx)
			now := m.env.clock.Now()
			p = &peerLink{mon: m, id: id, addr: addr, downAfter: down, lastAvail: now, cancel: cancel, done: make(chan struct{})}
			p.st.ID = id
			m.peers[id] = p
			go p.run(pctx)
			continue
		}
		p.mu.Lock()
		p.addr, p.downAfter = addr, down
		p.mu.Unlock()
	}
}

// statusSDown and masterLinkDown read a link's view; m.mu must not be held.
func (m *Monitor) statusSDown(key linkKey) bool {
	m.mu.Lock()
	l := m.links[key]
	m.mu.Unlock()
	return l != nil && l.status().SDown
}

func (m *Monitor) masterLinkDown(key linkKey) bool {
	m.mu.Lock()
	l := m.links[key]
	m.mu.Unlock()
	if l == nil {
		return false
	}
	st := l.status()
	return st.Role == "slave" && st.MasterLinkDownSinceSec != 0
}
