package sentinel

import (
	"time"
)

// The failover state machine's decisions, one function per state. Each is
// pure: it reads a snapshot of the master (with its committed failover
// record), this sentinel's statuses of the instances, the clock and the
// knobs, and returns what to do; the driver (failover.go) does it.

// foView is the input of every state function.
type foView struct {
	Now      time.Time
	M        *Master // a copy; M.Failover may be nil
	Statuses map[Addr]InstanceStatus
	K        KnobValues
	MyID     string
	RaftID   string
	// PeerUp tells whether this sentinel sees peer id alive (nil: all).
	PeerUp func(id string) bool
}

// foSend is one reconfiguration transaction to send: make Addr a master
// (To zero) or a replica of To, then publish Event about Addr (if any).
type foSend struct {
	Addr  Addr
	To    Addr
	Event string
}

// foStep is what a state function asks the driver to do.
type foStep struct {
	Propose *Command
	Send    []foSend
	Poll    []Addr  // read INFO of these now
	Events  []Event // local events (published by this sentinel only)
}

func (v foView) elapsedSince(ms int64) time.Duration {
	return v.Now.Sub(time.UnixMilli(ms))
}

func (v foView) failoverTimeout() time.Duration {
	return time.Duration(v.M.FailoverTimeoutMs) * time.Millisecond
}

func (v foView) cmd(op string) *Command {
	c := &Command{Op: op, NowMs: v.Now.UnixMilli(), Name: v.M.Name, Sentinel: v.MyID, RaftID: v.RaftID}
	if v.M.Failover != nil {
		c.Epoch = v.M.Failover.Epoch
	}
	return c
}

// foWaitStart decides whether to start a failover of a master that has
// none. The master must be objectively down (quorum of committed SDOWN
// opinions), out of its grace period (a master switched in less than its
// down-after-milliseconds ago gets the benefit of the doubt, which avoids
// failing over a freshly promoted master), the sentinel must not be in
// TILT, the down opinions must come from sentinels alive for us, and an
// aborted attempt is not retried before notBefore.
func foWaitStart(v foView, tilted bool, notBefore time.Time) foStep {
	m := v.M
	if m.Failover != nil || !m.ODown || tilted || v.Now.Before(notBefore) {
		return foStep{}
	}
	if v.Now.UnixMilli() < m.SwitchedAtMs+m.DownAfterMs {
		return foStep{}
	}
	// The committed ODOWN must still be backed by a quorum of sentinels
	// that are alive: the opinion of a sentinel that died while it held
	// the master down is never refreshed and must not count.
	live := 0
	for id, o := range m.Opinions {
		if o.Down && o.Addr == m.Addr && o.ConfigEpoch == m.ConfigEpoch && (id == v.MyID || v.PeerUp == nil || v.PeerUp(id)) {
			live++
		}
	}
	if live < m.Quorum {
		return foStep{}
	}
	c := v.cmd(OpFailoverStart)
	return foStep{Propose: c}
}

// foSelectSlave picks the replica to promote (selectReplica) and commits
// the choice before anything is sent to it, so a leader that takes over
// later promotes that same replica and never a second one. No candidate
// aborts the failover.
func foSelectSlave(v foView) foStep {
	r, ok := selectReplica(v.M, v.Statuses, v.Now, v.K)
	if !ok {
		c := v.cmd(OpFailoverAbort)
		c.Reason = abortNoGoodSlave
		return foStep{Propose: c}
	}
	c := v.cmd(OpFailoverState)
	c.State, c.IP, c.Port = FailoverSendSlaveof, r.IP, r.Port
	return foStep{Propose: c}
}

// foSendSlaveofNoOne turns the chosen replica into a master. If it
// already reports role:master (a previous leader sent the transaction),
// the switch is committed at once. Otherwise the transaction is sent, and
// once it was written the state moves to wait_promotion; a replica we
// cannot reach within failover-timeout aborts the failover.
func foSendSlaveofNoOne(v foView, sendErr error, sent bool) foStep {
	f := v.M.Failover
	if st, ok := v.Statuses[f.Promoted]; ok && st.Role == "master" {
		return foStep{Propose: v.cmd(OpSwitch)}
	}
	if sent && sendErr == nil {
		c := v.cmd(OpFailoverState)
		c.State = FailoverWaitPromotion
		return foStep{Propose: c}
	}
	if v.elapsedSince(f.StateSinceMs) > v.failoverTimeout() {
		c := v.cmd(OpFailoverAbort)
		c.Reason = abortSlaveTimeout
		return foStep{Propose: c}
	}
	if sent {
		return foStep{} // failed just now: retry on the next tick
	}
	return foStep{Send: []foSend{{Addr: f.Promoted}}}
}

// foWaitPromotion watches the chosen replica (polled quickly, not at the
// 1 s INFO pace) until it reports role:master, then commits the switch:
// every sentinel announces +switch-master at that same committed entry.
// Not promoted within failover-timeout: abort.
func foWaitPromotion(v foView) foStep {
	f := v.M.Failover
	if st, ok := v.Statuses[f.Promoted]; ok && st.Role == "master" {
		return foStep{Propose: v.cmd(OpSwitch)}
	}
	if v.elapsedSince(f.StateSinceMs) > v.failoverTimeout() {
		c := v.cmd(OpFailoverAbort)
		c.Reason = abortSlaveTimeout
		return foStep{Propose: c}
	}
	return foStep{Poll: []Addr{f.Promoted}}
}

// foReplicaTrack is the leader's local progress of one replica's
// reconfiguration (not replicated: a new leader starts afresh, and
// replicas already following the new master count as done).
type foReplicaTrack struct {
	SentAt time.Time
	InProg bool
	Done   bool
}

// foReconfSlaves repoints the other replicas at the promoted master.
// At most parallel-syncs of them are being reconfigured at a time. A
// replica is in progress once its INFO names the new master, done once
// its link to it is up, and given up (counted as done) after the
// slave-reconf timeout. Replicas that are down or unreachable are
// skipped. The failover ends when every reachable replica is done, or at
// failover-timeout, when the replicas never tried get a best-effort
// transaction.
func foReconfSlaves(v foView, track map[Addr]*foReplicaTrack) foStep {
	m, f := v.M, v.M.Failover
	var step foStep
	newM := m.Addr
	reconfTimeout := time.Duration(v.K.SlaveReconfTimeout) * time.Millisecond
	follows := func(st InstanceStatus) bool {
		return st.Role == "slave" && st.MasterHost == newM.IP && st.MasterPort == newM.Port
	}
	inflight := 0
	var waiting []Addr
	pending := false
	for _, r := range m.Replicas {
		if r == newM {
			continue
		}
		st := v.Statuses[r]
		t := track[r]
		if t == nil {
			t = &foReplicaTrack{}
			track[r] = t
		}
		if t.Done {
			continue
		}
		details := fmtReplicaDetails(m, r)
		if t.SentAt.IsZero() {
			if follows(st) && st.MasterLinkUp && st.Connected {
				t.Done = true // already where it belongs
				continue
			}
			if st.Connected && !st.SDown {
				waiting = append(waiting, r)
				pending = true
			}
			continue
		}
		fresh := st.InfoAt.After(t.SentAt)
		if fresh && follows(st) && !t.InProg {
			t.InProg = true
			step.Events = append(step.Events, Event{"+slave-reconf-inprog", details})
		}
		if fresh && t.InProg && st.MasterLinkUp {
			t.Done = true
			step.Events = append(step.Events, Event{"+slave-reconf-done", details})
			continue
		}
		if v.Now.Sub(t.SentAt) > reconfTimeout {
			t.Done = true
			step.Events = append(step.Events, Event{"-slave-reconf-sent-timeout", details})
			continue
		}
		inflight++
		pending = true
		step.Poll = append(step.Poll, r)
	}
	if v.elapsedSince(f.StateSinceMs) > v.failoverTimeout() {
		for _, r := range waiting {
			step.Send = append(step.Send, foSend{Addr: r, To: newM, Event: "+slave-reconf-sent-be"})
		}
		c := v.cmd(OpFailoverEnd)
		c.Timeout = true
		step.Propose = c
		return step
	}
	if !pending {
		step.Propose = v.cmd(OpFailoverEnd)
		return step
	}
	for _, r := range waiting {
		if inflight >= max(m.ParallelSyncs, 1) {
			break
		}
		inflight++
		track[r].SentAt = v.Now
		step.Send = append(step.Send, foSend{Addr: r, To: newM, Event: "+slave-reconf-sent"})
	}
	return step
}

// foFixTrack is the leader's local memory of one misconfigured replica.
type foFixTrack struct {
	Since  time.Time // first seen misconfigured
	SentAt time.Time
}

// foQuiet is how long a replica must be seen misconfigured, confirmed
// by an INFO taken after we first noticed, before it is reconfigured.
// Redis waits 8 s; we act sooner so a stale master stops taking writes
// promptly.
const foQuiet = time.Second

// foResend spaces repeated attempts at the same replica.
const foResend = 3 * time.Second

// foEnforce keeps the replicas of a master that is not failing over
// where the configuration says they belong. A known replica that reports
// role:master (typically the old master back from the dead, or the old
// master of a manual failover) is turned into a replica of the current
// master (+convert-to-slave); a replica following another address is
// repointed (+fix-slave-config). Only when the current master looks sane
// (connected, not down, reporting role:master with a recent INFO), and
// never the current master itself. The returned Poll asks for a fresh
// INFO of replicas that just started to look wrong.
func foEnforce(v foView, track map[Addr]*foFixTrack) foStep {
	m := v.M
	var step foStep
	ms, ok := v.Statuses[m.Addr]
	infoValid := max(2*time.Duration(v.K.InfoPeriod)*time.Millisecond, 20*time.Second)
	if m.Failover != nil || m.ODown || !ok || !ms.Connected || ms.SDown || ms.Role != "master" || v.Now.Sub(ms.InfoAt) > infoValid {
		return step
	}
	for _, r := range m.Replicas {
		if r == m.Addr {
			continue
		}
		st := v.Statuses[r]
		var ev string
		switch {
		case !st.Connected || st.SDown || st.InfoAt.IsZero():
		case st.Role == "master":
			ev = "+convert-to-slave"
		case st.Role == "slave" && (st.MasterHost != m.Addr.IP || st.MasterPort != m.Addr.Port):
			ev = "+fix-slave-config"
		}
		if ev == "" {
			delete(track, r)
			continue
		}
		t := track[r]
		if t == nil {
			track[r] = &foFixTrack{Since: v.Now}
			step.Poll = append(step.Poll, r)
			continue
		}
		if v.Now.Sub(t.Since) < foQuiet || !st.InfoAt.After(t.Since) {
			continue
		}
		if !t.SentAt.IsZero() && (v.Now.Sub(t.SentAt) < foResend || !st.InfoAt.After(t.SentAt)) {
			continue
		}
		t.SentAt = v.Now
		step.Send = append(step.Send, foSend{Addr: r, To: m.Addr, Event: ev})
	}
	return step
}
