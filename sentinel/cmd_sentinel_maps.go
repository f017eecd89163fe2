package sentinel

import (
	"strconv"
	"strings"
	"time"
)

// Instance maps of SENTINEL MASTER(S), REPLICAS and SENTINELS. The key
// order is fixed and clients rely on it (even by position); optional keys
// appear in place only when they apply; every value is a bulk string.

type pairs [][2]string

func (p *pairs) add(k, v string)          { *p = append(*p, [2]string{k, v}) }
func (p *pairs) addInt(k string, v int64) { p.add(k, strconv.FormatInt(v, 10)) }

// writePairs writes a map (a flat array in RESP2).
func (c *client) writePairs(p pairs) {
	c.w.Map(len(p))
	for _, kv := range p {
		c.kv(kv[0], kv[1])
	}
}

// sinceMs is the age of t in ms; a zero t counts from when this sentinel
// started (Redis starts an instance's clocks when it creates it).
func (f *frontEnd) sinceMs(now, t time.Time) int64 {
	if t.IsZero() {
		t = f.s.start
	}
	return now.Sub(t).Milliseconds()
}

// flagList joins the flags that are set, in Redis's fixed order.
func flagList(set map[string]bool) string {
	order := []string{"s_down", "o_down", "master", "slave", "sentinel", "disconnected",
		"master_down", "failover_in_progress", "promoted", "reconf_sent", "reconf_inprog",
		"reconf_done", "force_failover", "script_kill_sent"}
	var out []string
	for _, f := range order {
		if set[f] {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// linkPairs are the keys every instance map starts with, up to
// last-ping-reply (failover-state in between for masters).
func (f *frontEnd) linkPairs(p *pairs, name string, a Addr, runid, flags string, pending bool,
	refcount int, foState string, pingPending, lastOK, lastReply time.Time, now time.Time) {
	p.add("name", name)
	p.add("ip", a.IP)
	p.addInt("port", int64(a.Port))
	p.add("runid", runid)
	p.add("flags", flags)
	if pending {
		p.add("link-pending-commands", "1")
	} else {
		p.add("link-pending-commands", "0")
	}
	p.addInt("link-refcount", int64(refcount))
	if foState != "" {
		p.add("failover-state", foState)
	}
	if pingPending.IsZero() {
		p.add("last-ping-sent", "0")
	} else {
		p.addInt("last-ping-sent", now.Sub(pingPending).Milliseconds())
	}
	p.addInt("last-ok-ping-reply", f.sinceMs(now, lastOK))
	p.addInt("last-ping-reply", f.sinceMs(now, lastReply))
}

// masterPairs is a master's map; numOthers counts the other sentinels.
func (f *frontEnd) masterPairs(m *Master, numOthers int) pairs {
	now := time.Now()
	st, known := f.mon().Status(m.Name, m.Addr)
	flags := map[string]bool{"master": true, "s_down": st.SDown, "o_down": m.ODown,
		"disconnected": !known || !st.Connected}
	foState := ""
	if m.Failover != nil {
		flags["failover_in_progress"] = true
		flags["force_failover"] = m.Failover.Forced
		foState = m.Failover.State
	}
	var p pairs
	f.linkPairs(&p, m.Name, m.Addr, st.RunID, flagList(flags), !st.PingPendingSince.IsZero(), 1,
		foState, st.PingPendingSince, st.LastOKPingReply, st.LastPingReply, now)
	if st.SDown {
		p.addInt("s-down-time", now.Sub(st.SDownSince).Milliseconds())
	}
	if m.ODown {
		p.addInt("o-down-time", now.UnixMilli()-m.ODownSinceMs)
	}
	p.addInt("down-after-milliseconds", m.DownAfterMs)
	f.infoPairs(&p, st, "master", now)
	p.addInt("config-epoch", int64(m.ConfigEpoch))
	p.addInt("num-slaves", int64(len(m.Replicas)))
	p.addInt("num-other-sentinels", int64(numOthers))
	p.addInt("quorum", int64(m.Quorum))
	p.addInt("failover-timeout", m.FailoverTimeoutMs)
	p.addInt("parallel-syncs", int64(m.ParallelSyncs))
	if m.NotificationScript != "" {
		p.add("notification-script", m.NotificationScript)
	}
	if m.ClientReconfigScript != "" {
		p.add("client-reconfig-script", m.ClientReconfigScript)
	}
	return p
}

// infoPairs are info-refresh, role-reported and role-reported-time; an
// instance that never answered INFO reports the role it is configured as.
func (f *frontEnd) infoPairs(p *pairs, st InstanceStatus, role string, now time.Time) {
	if st.InfoAt.IsZero() {
		p.add("info-refresh", "0")
	} else {
		p.addInt("info-refresh", now.Sub(st.InfoAt).Milliseconds())
	}
	if st.Role != "" {
		role = st.Role
	}
	p.add("role-reported", role)
	p.addInt("role-reported-time", f.sinceMs(now, st.RoleChangedAt))
}

// replicaPairs is the map of replica r of master m.
func (f *frontEnd) replicaPairs(m *Master, r Addr, st InstanceStatus, known bool) pairs {
	now := time.Now()
	flags := map[string]bool{"slave": true, "s_down": st.SDown, "disconnected": !known || !st.Connected}
	if fo := m.Failover; fo != nil && !fo.Switched && fo.Promoted == r {
		flags["promoted"] = true
	}
	var p pairs
	f.linkPairs(&p, r.String(), r, st.RunID, flagList(flags), !st.PingPendingSince.IsZero(), 1,
		"", st.PingPendingSince, st.LastOKPingReply, st.LastPingReply, now)
	if st.SDown {
		p.addInt("s-down-time", now.Sub(st.SDownSince).Milliseconds())
	}
	p.addInt("down-after-milliseconds", m.DownAfterMs)
	f.infoPairs(&p, st, "slave", now)
	p.addInt("master-link-down-time", st.MasterLinkDownSinceSec*1000)
	if st.MasterLinkUp {
		p.add("master-link-status", "ok")
	} else {
		p.add("master-link-status", "err")
	}
	if st.MasterHost == "" {
		p.add("master-host", "?")
	} else {
		p.add("master-host", st.MasterHost)
	}
	p.addInt("master-port", int64(st.MasterPort))
	prio, announced := int64(st.SlavePriority), st.ReplicaAnnounced
	if !known || st.InfoAt.IsZero() {
		prio, announced = 100, true
	}
	p.addInt("slave-priority", prio)
	p.addInt("slave-repl-offset", st.SlaveReplOffset)
	if announced {
		p.add("replica-announced", "1")
	} else {
		p.add("replica-announced", "0")
	}
	return p
}

// sentinelPairs is the map of another member o as seen for master m.
// Its link is shared by every master, hence the refcount.
func (f *frontEnd) sentinelPairs(m *Master, o Member, numMasters int) pairs {
	now := time.Now()
	ps, known := f.mon().Peer(o.ID)
	flags := map[string]bool{"sentinel": true, "s_down": ps.SDown, "disconnected": !known || !ps.Connected}
	var p pairs
	f.linkPairs(&p, o.ID, Addr{IP: o.IP, Port: o.Port}, o.ID, flagList(flags), !ps.PingPendingSince.IsZero(),
		max(numMasters, 1), "", ps.PingPendingSince, ps.LastOKPingReply, ps.LastPingReply, now)
	if ps.SDown {
		p.addInt("s-down-time", now.Sub(ps.SDownSince).Milliseconds())
	}
	p.addInt("down-after-milliseconds", m.DownAfterMs)
	p.addInt("last-hello-message", f.sinceMs(now, ps.LastOKPingReply))
	// Votes are Raft's business here: the leader of a running failover
	// is the sentinel every member follows for that epoch.
	if fo := m.Failover; fo != nil {
		p.add("voted-leader", fo.Leader)
		p.addInt("voted-leader-epoch", int64(fo.Epoch))
	} else {
		p.add("voted-leader", "?")
		p.add("voted-leader-epoch", "0")
	}
	return p
}
