package sentinel

import (
	"context"
	"slices"
	"time"
)

// evaluate judges SDOWN for every link and peer and announces changes.
// In TILT the previous judgements stand: timings are not trustworthy.
func (m *Monitor) evaluate(masters map[string]*Master, now time.Time, k KnobValues, tilted bool) {
	if tilted {
		return
	}
	info := time.Duration(k.InfoPeriod) * time.Millisecond
	m.mu.Lock()
	links := make([]*instLink, 0, len(m.links))
	for _, l := range m.links {
		links = append(links, l)
	}
	peers := make([]*peerLink, 0, len(m.peers))
	for _, p := range m.peers {
		peers = append(peers, p)
	}
	m.mu.Unlock()
	for _, l := range links {
		l.mu.Lock()
		in := sdownInput{Now: now, DownAfter: l.cfg.DownAfter, Connected: l.st.Connected,
			PingPendingSince: l.st.PingPendingSince, LastAvail: laterOf(l.lastAvail, l.lostAt), IsMaster: l.cfg.IsMaster,
			Role: l.st.Role, RoleChangedAt: l.st.RoleChangedAt, InfoPeriod: info,
			RebootSince: l.rebootSince, RebootPeriod: l.cfg.RebootPeriod}
		down := sdownDecide(in)
		changed := down != l.st.SDown
		if changed {
			l.st.SDown = down
			l.st.SDownSince = time.Time{}
			if down {
				l.st.SDownSince = now
			}
		}
		l.mu.Unlock()
		if changed {
			m.linkEvent(l, map[bool]string{true: "+sdown", false: "-sdown"}[down], "")
		}
	}
	for _, p := range peers {
		p.mu.Lock()
		down := sdownDecide(sdownInput{Now: now, DownAfter: p.downAfter, Connected: p.st.Connected,
			PingPendingSince: p.st.PingPendingSince, LastAvail: p.lastAvail})
		changed := down != p.st.SDown
		if changed {
			p.st.SDown = down
			p.st.SDownSince = time.Time{}
			if down {
				p.st.SDownSince = now
			}
		}
		p.mu.Unlock()
		if changed {
			m.peerEvent(masters, p.id, map[bool]string{true: "+sdown", false: "-sdown"}[down])
		}
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// linkEvent publishes a local event about a link's instance, with the
// instance details as of the last reconcile.
func (m *Monitor) linkEvent(l *instLink, channel, suffix string) {
	m.mu.Lock()
	ms := m.masters[l.master]
	m.mu.Unlock()
	if ms == nil {
		return
	}
	var details string
	if l.addr == ms.Addr {
		details = fmtMasterDetails(ms)
	} else {
		details = fmtReplicaDetails(ms, l.addr)
	}
	m.env.emit(Event{Channel: channel, Payload: details + suffix})
}

// peerEvent publishes an event about a peer sentinel once per master, as
// each master holds its own view of the sentinels.
func (m *Monitor) peerEvent(masters map[string]*Master, id, channel string) {
	var mem *Member
	m.env.view(func(st *State) {
		if x := st.Members[id]; x != nil {
			c := *x
			mem = &c
		}
	})
	if mem == nil {
		return
	}
	names := make([]string, 0, len(masters))
	for n := range masters {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		m.env.emit(Event{Channel: channel, Payload: fmtSentinelDetails(masters[n], mem)})
	}
}

// feedRaft proposes what this sentinel sees that the replicated state
// does not say yet: its SDOWN opinion of each master (bound to the
// master's address and config epoch) and replicas listed by a master's
// INFO. Comparing with the committed state each tick makes this
// self-healing: a lost proposal is simply made again.
func (m *Monitor) feedRaft(ctx context.Context, masters map[string]*Master, now time.Time) {
	for _, ms := range masters {
		m.mu.Lock()
		l := m.links[linkKey{ms.Name, ms.Addr}]
		m.mu.Unlock()
		if l == nil {
			continue
		}
		st := l.status()
		op := ms.Opinions[m.env.myID]
		committed := op.Down && op.Addr == ms.Addr && op.ConfigEpoch == ms.ConfigEpoch
		if st.SDown != committed {
			m.proposeAsync(ctx, "opinion/"+ms.Name, now, Command{Op: OpOpinion, NowMs: now.UnixMilli(), Name: ms.Name,
				Sentinel: m.env.myID, Down: st.SDown, IP: ms.Addr.IP, Port: ms.Addr.Port, ConfigEpoch: ms.ConfigEpoch})
		}
		if st.Role != "master" {
			continue
		}
		for _, r := range st.Replicas {
			if r == ms.Addr || slices.Contains(ms.Replicas, r) {
				continue
			}
			m.proposeAsync(ctx, "replica/"+ms.Name+"/"+r.String(), now, Command{Op: OpReplica, NowMs: now.UnixMilli(),
				Name: ms.Name, IP: r.IP, Port: r.Port})
		}
	}
}

// proposeAsync commits cmd in the background, one proposal per key at a
// time; a failed one is retried (by a later tick) after a short pause.
func (m *Monitor) proposeAsync(ctx context.Context, key string, now time.Time, cmd Command) {
	m.mu.Lock()
	if m.busy[key] || now.Before(m.retryAt[key]) {
		m.mu.Unlock()
		return
	}
	m.busy[key] = true
	m.mu.Unlock()
	go func() {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		res, err := m.env.propose(pctx, cmd)
		cancel()
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.busy, key)
		if err != nil || res.Err != "" {
			m.retryAt[key] = m.env.clock.Now().Add(monProposeRetry)
			m.env.log.Debug("monitor proposal failed", "op", cmd.Op, "name", cmd.Name, "err", err, "refusal", res.Err)
		}
	}()
}

// Status is this sentinel's view of master name's instance at addr (the
// master itself or one of its replicas).
func (m *Monitor) Status(master string, addr Addr) (InstanceStatus, bool) {
	m.mu.Lock()
	l := m.links[linkKey{master, addr}]
	m.mu.Unlock()
	if l == nil {
		return InstanceStatus{}, false
	}
	return l.status(), true
}

// Peer is this sentinel's view of the peer sentinel with myid id.
func (m *Monitor) Peer(id string) (PeerStatus, bool) {
	m.mu.Lock()
	p := m.peers[id]
	m.mu.Unlock()
	if p == nil {
		return PeerStatus{}, false
	}
	return p.status(), true
}

// MasterDownAt reports whether this sentinel holds the master at addr in
// SDOWN (SENTINEL IS-MASTER-DOWN-BY-ADDR). In TILT it never does.
func (m *Monitor) MasterDownAt(addr Addr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tilt.on {
		return false
	}
	for key, l := range m.links {
		if key.addr != addr {
			continue
		}
		l.mu.Lock()
		down := l.cfg.IsMaster && l.st.SDown
		l.mu.Unlock()
		if down {
			return true
		}
	}
	return false
}

// Tilt reports TILT mode and since when (unix ms; zero if not in TILT).
func (m *Monitor) Tilt() (bool, int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.tilt.on {
		return false, 0
	}
	return true, m.tilt.since.UnixMilli()
}

// requestInfo asks the link to master's instance at addr for an INFO now.
func (m *Monitor) requestInfo(master string, addr Addr) {
	m.mu.Lock()
	l := m.links[linkKey{master, addr}]
	m.mu.Unlock()
	if l != nil {
		l.requestInfo()
	}
}
