package sentinel

import (
	"slices"
	"strconv"
	"strings"
)

// The failover half of the replicated state machine: opinions and ODOWN,
// and the committed record of each failover. The leader's driver proposes
// these ops; Apply only checks that each step follows the previous one for
// the same epoch, so a retried or late proposal can never move a failover
// backwards or promote a second replica.

// failoverRank orders the failover states; a failover only moves forward.
var failoverRank = map[string]int{
	FailoverWaitStart:     0,
	FailoverSelectSlave:   1,
	FailoverSendSlaveof:   2,
	FailoverWaitPromotion: 3,
	FailoverReconfSlaves:  4,
	FailoverUpdateConfig:  5,
}

// applyOpinion records one sentinel's SDOWN opinion of a master and
// re-derives ODOWN.
func (st *State) applyOpinion(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	if cmd.Sentinel == "" {
		return Result{Err: resBadCommand}
	}
	if m.Opinions == nil {
		m.Opinions = map[string]Opinion{}
	}
	m.Opinions[cmd.Sentinel] = Opinion{Down: cmd.Down, Addr: Addr{IP: cmd.IP, Port: cmd.Port}, ConfigEpoch: cmd.ConfigEpoch, AtMs: cmd.NowMs}
	st.deriveODown(m, cmd.NowMs, ev)
	return Result{}
}

// downVotes counts the opinions that hold the master down. Only opinions
// about the master's current address and config epoch count: a sentinel
// that still believes the previous master is down says nothing about the
// one that replaced it.
func downVotes(m *Master) int {
	n := 0
	for _, o := range m.Opinions {
		if o.Down && o.Addr == m.Addr && o.ConfigEpoch == m.ConfigEpoch {
			n++
		}
	}
	return n
}

// deriveODown sets ODown from the opinions. A master is objectively down
// while at least quorum sentinels hold it subjectively down; entering
// announces +odown with the count against the quorum, leaving -odown.
func (st *State) deriveODown(m *Master, nowMs int64, ev *events) {
	n := downVotes(m)
	down := n >= m.Quorum && m.Quorum > 0
	switch {
	case down && !m.ODown:
		m.ODown, m.ODownSinceMs = true, nowMs
		ev.add("+odown", fmtMasterDetails(m)+" #quorum "+strconv.Itoa(n)+"/"+strconv.Itoa(m.Quorum))
	case !down && m.ODown:
		m.ODown, m.ODownSinceMs = false, 0
		ev.add("-odown", fmtMasterDetails(m))
	}
}

// applyFailoverStart opens a failover. Only one runs per master. Unless
// forced (SENTINEL FAILOVER), the master must be objectively down and
// past its grace period: a master switched in less than its
// down-after-milliseconds ago has not yet had a fair chance to answer,
// so it is never failed over again that soon. The failover gets a new
// epoch, which the whole group has voted for by committing it.
func (st *State) applyFailoverStart(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	if m.Failover != nil {
		return Result{Err: resFailoverInProgress}
	}
	if !cmd.Forced {
		if !m.ODown {
			return Result{Err: resNotODown}
		}
		if cmd.NowMs < m.SwitchedAtMs+m.DownAfterMs {
			return Result{Err: resGracePeriod}
		}
	}
	st.CurrentEpoch++
	epoch := st.CurrentEpoch
	m.LeaderEpoch = epoch
	m.Failover = &Failover{Epoch: epoch, Leader: cmd.Sentinel, LeaderRaftID: cmd.RaftID, Forced: cmd.Forced,
		State: FailoverSelectSlave, StartedMs: cmd.NowMs, StateSinceMs: cmd.NowMs, OldAddr: m.Addr}
	details := fmtMasterDetails(m)
	e := strconv.FormatUint(epoch, 10)
	ev.add("+new-epoch", e)
	ev.add("+try-failover", details)
	ev.add("+vote-for-leader", cmd.Sentinel+" "+e)
	ev.add("+elected-leader", details)
	ev.add("+failover-state-select-slave", details)
	return Result{Epoch: epoch}
}

// runningFailover returns master Name and its failover of epoch Epoch,
// or the refusal.
func (st *State) runningFailover(cmd Command) (*Master, string) {
	m := st.Masters[cmd.Name]
	if m == nil {
		return nil, resNoSuchMaster
	}
	if m.Failover == nil || m.Failover.Epoch != cmd.Epoch {
		return m, resNoFailover
	}
	return m, ""
}

// applyFailoverState moves a failover forward. The replica chosen in
// select_slave is recorded with send_slaveof_noone and never replaced;
// reconf_slaves is only reached through the switch. Repeating the
// current state is accepted silently (a retried proposal).
func (st *State) applyFailoverState(cmd Command, ev *events) Result {
	m, refusal := st.runningFailover(cmd)
	if refusal != "" {
		return Result{Err: refusal}
	}
	f := m.Failover
	to, known := failoverRank[cmd.State]
	from := failoverRank[f.State]
	promoted := Addr{IP: cmd.IP, Port: cmd.Port}
	switch {
	case !known:
		return Result{Err: resBadFailoverState}
	case cmd.State == FailoverSendSlaveof && (promoted.IP == "" || promoted.Port <= 0 || (!f.Promoted.IsZero() && f.Promoted != promoted)):
		return Result{Err: resBadFailoverState}
	case to == from:
		return Result{}
	case to < from, cmd.State == FailoverReconfSlaves, cmd.State == FailoverWaitStart:
		return Result{Err: resBadFailoverState}
	case to > failoverRank[FailoverSendSlaveof] && f.Promoted.IsZero():
		return Result{Err: resBadFailoverState}
	case cmd.State == FailoverUpdateConfig && !f.Switched:
		return Result{Err: resBadFailoverState}
	}
	f.State, f.StateSinceMs = cmd.State, cmd.NowMs
	switch cmd.State {
	case FailoverSelectSlave:
		ev.add("+failover-state-select-slave", fmtMasterDetails(m))
	case FailoverSendSlaveof:
		f.Promoted = promoted
		ev.add("+selected-slave", fmtReplicaDetails(m, promoted))
		ev.add("+failover-state-send-slaveof-noone", fmtReplicaDetails(m, promoted))
	case FailoverWaitPromotion:
		ev.add("+failover-state-wait-promotion", fmtReplicaDetails(m, f.Promoted))
	}
	return Result{}
}

// applySwitch commits the promotion: the promoted replica becomes the
// master at the failover's epoch, and the other replicas plus the old
// master become its replicas. Opinions about the old master are dropped
// and the new master starts its grace period. Every sentinel announces
// +switch-master from this one entry, at the same moment.
func (st *State) applySwitch(cmd Command, ev *events) Result {
	m, refusal := st.runningFailover(cmd)
	if refusal != "" {
		return Result{Err: refusal}
	}
	f := m.Failover
	if f.Switched {
		return Result{}
	}
	if f.Promoted.IsZero() {
		return Result{Err: resBadFailoverState}
	}
	old := m.Addr
	ev.add("+promoted-slave", fmtReplicaDetails(m, f.Promoted))
	ev.add("+failover-state-reconf-slaves", fmtMasterDetails(m))
	if m.ODown {
		ev.add("-odown", fmtMasterDetails(m))
	}
	replicas := make([]Addr, 0, len(m.Replicas)+1)
	for _, r := range m.Replicas {
		if r != f.Promoted {
			replicas = append(replicas, r)
		}
	}
	if !slices.Contains(replicas, old) {
		replicas = append(replicas, old)
	}
	m.Addr, m.ConfigEpoch, m.Replicas = f.Promoted, f.Epoch, replicas
	m.Opinions, m.ODown, m.ODownSinceMs = nil, false, 0
	m.SwitchedAtMs = cmd.NowMs
	if f.OldAddr.IsZero() {
		f.OldAddr = old
	}
	f.State, f.StateSinceMs, f.Switched = FailoverReconfSlaves, cmd.NowMs, true
	st.CurrentEpoch = max(st.CurrentEpoch, f.Epoch)
	ev.add("+switch-master", strings.Join([]string{m.Name, old.IP, strconv.Itoa(old.Port), m.Addr.IP, strconv.Itoa(m.Addr.Port)}, " "))
	for _, r := range m.Replicas {
		ev.add("+slave", fmtReplicaDetails(m, r))
	}
	return Result{}
}

// applyFailoverEnd closes a failover (normally after the switch, once the
// replicas follow the new master, or when failover-timeout ran out).
// Ending one that is already gone is a retried proposal: accepted.
func (st *State) applyFailoverEnd(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	if m.Failover == nil {
		return Result{}
	}
	if m.Failover.Epoch != cmd.Epoch {
		return Result{Err: resNoFailover}
	}
	if cmd.Timeout {
		ev.add("+failover-end-for-timeout", fmtMasterDetails(m))
	}
	ev.add("+failover-end", fmtMasterDetails(m))
	m.Failover = nil
	return Result{}
}

// applyFailoverAbort gives a failover up before its switch (no replica,
// promotion not seen in time, leader gone). After the switch a failover
// can only end.
func (st *State) applyFailoverAbort(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	if m.Failover == nil {
		return Result{}
	}
	if m.Failover.Epoch != cmd.Epoch {
		return Result{Err: resNoFailover}
	}
	if m.Failover.Switched {
		return Result{Err: resAlreadySwitched}
	}
	if !strings.HasPrefix(cmd.Reason, "-failover-abort-") {
		return Result{Err: resBadCommand}
	}
	ev.add(cmd.Reason, fmtMasterDetails(m))
	m.Failover = nil
	return Result{}
}
