package server

import (
	"strconv"
	"strings"
	"time"
)

// The coordinated failover of a master (FAILOVER, cmd_failover.go).
//
// Redis 7.0's procedure, restated: once FAILOVER is accepted the master
// holds every write (a write pause of its own, separate from CLIENT
// PAUSE) and waits until the chosen replica, or with no TO the first
// replica found to be up to date, has acknowledged the whole stream. It
// then turns itself into a replica of that node exactly as REPLICAOF
// would (its own ID and offset become the cached master) and, during
// that attempt, asks PSYNC with a fourth argument, FAILOVER. The target
// takes that as an order to promote itself first, so it answers the
// demoted master with +CONTINUE from its shifted history. Any answer
// other than +CONTINUE or +FULLRESYNC, or a failed write of the PSYNC,
// cancels the failover and the node becomes a master again (with the
// usual ID shift). A TIMEOUT that expires while waiting cancels it too,
// unless FORCE was given, in which case the switch happens anyway.
// Progress is re-examined after every ACK and on every cron tick; the
// pause ends when the failover ends, either way.

// Failover states, as INFO master_failover_state names them.
const (
	failoverNone = iota
	failoverWaitSync
	failoverInProgress
)

var failoverStateNames = [...]string{"no-failover", "waiting-for-sync", "failover-in-progress"}

// failoverState is the running failover, guarded by s.mu.
type failoverState struct {
	state int
	// host/port name the target; host is "" until one is chosen when
	// FAILOVER came without TO.
	host string
	port int64
	// deadline is the TIMEOUT as Unix ms; 0 without TIMEOUT.
	deadline int64
	force    bool
}

// failoverStateName is the INFO value. Holds s.mu.
func (s *Server) failoverStateName() string { return failoverStateNames[s.rm.fo.state] }

// findReplicaAt is the attached replica shown at host:port (host compared
// without regard to case), in any state, or nil. Holds s.mu.
func (s *Server) findReplicaAt(host string, port int64) *replicaLink {
	for _, l := range s.rm.replicas {
		ip, p := s.replicaAddr(l)
		if strings.EqualFold(ip, host) && p == port {
			return l
		}
	}
	return nil
}

// startFailover records an accepted FAILOVER and holds writes. Holds s.mu.
func (s *Server) startFailover(host string, port, timeoutMs int64, force bool) {
	fo := &s.rm.fo
	*fo = failoverState{state: failoverWaitSync, host: host, port: port, force: force}
	if host != "" {
		s.log.Info("FAILOVER requested to " + host + ":" + strconv.FormatInt(port, 10) + ".")
	} else {
		s.log.Info("FAILOVER requested to any replica.")
	}
	if timeoutMs > 0 {
		fo.deadline = nowMs() + timeoutMs
	}
	s.pauseForFailover(true)
}

// updateFailover moves a waiting failover on: cancel or force it once
// its TIMEOUT has passed, else switch over as soon as the target (or,
// without TO, any replica) has acknowledged our whole stream. Holds s.mu.
func (s *Server) updateFailover() {
	fo := &s.rm.fo
	if fo.state != failoverWaitSync {
		return
	}
	if fo.deadline != 0 && fo.deadline <= nowMs() {
		if !fo.force {
			s.abortFailover("Replica never caught up before timeout")
			return
		}
		s.log.Info("FAILOVER to " + s.failoverTarget() + " time out exceeded, failing over.")
		s.switchToTarget()
		return
	}
	var target *replicaLink
	if fo.host != "" {
		target = s.findReplicaAt(fo.host, fo.port)
	} else {
		for _, l := range s.rm.replicas {
			if l.ackOff == s.stream.Offset {
				target = l
				ip, port := s.replicaAddr(l)
				fo.host, fo.port = ip, port
				break
			}
		}
	}
	if target == nil || target.ackOff != s.stream.Offset {
		return
	}
	s.log.Info("Failover target " + s.failoverTarget() + " is synced, failing over.")
	s.switchToTarget()
}

// failoverTarget names the target in log lines.
func (s *Server) failoverTarget() string {
	return s.rm.fo.host + ":" + strconv.FormatInt(s.rm.fo.port, 10)
}

// switchToTarget demotes us: we become a replica of the target, and the
// link's PSYNC carries FAILOVER while the state says so. Holds s.mu.
func (s *Server) switchToTarget() {
	fo := &s.rm.fo
	fo.state = failoverInProgress
	s.replicaOfLocked(fo.host, int(fo.port))
}

// abortFailover cancels a failover; one already switching over makes us a
// master again. Holds s.mu.
func (s *Server) abortFailover(why string) {
	fo := &s.rm.fo
	if fo.state == failoverNone {
		return
	}
	if fo.host != "" {
		s.log.Info("FAILOVER to " + s.failoverTarget() + " aborted: " + why)
	} else {
		s.log.Info("FAILOVER to any replica aborted: " + why)
	}
	if fo.state == failoverInProgress && s.ks.Replica {
		s.promoteLocked()
	}
	s.clearFailover()
}

// clearFailover forgets the failover and releases the held writes. Holds
// s.mu.
func (s *Server) clearFailover() {
	s.rm.fo = failoverState{}
	s.pauseForFailover(false)
}

// failoverPsync tells the replica link of generation gen whether its
// PSYNC must carry FAILOVER.
func (s *Server) failoverPsync(gen int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rr.gen == gen && s.rm.fo.state == failoverInProgress
}

// failoverPsyncDone is the link's report on a PSYNC FAILOVER: accepted
// (+CONTINUE or +FULLRESYNC) ends the failover; anything else, a failed
// write included, cancels it.
func (s *Server) failoverPsyncDone(gen int64, accepted bool, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rr.gen != gen || s.rm.fo.state != failoverInProgress {
		return
	}
	if accepted {
		s.clearFailover()
		return
	}
	s.abortFailover(why)
}

// pingSuppressed: while a FAILOVER with a TIMEOUT holds writes, Redis
// sends no periodic PING (the stream must stand still for the target to
// catch up). Holds s.mu.
func (s *Server) pingSuppressed(now time.Time) bool {
	return s.rm.fo.deadline != 0 && s.pauseActive(now.UnixMilli())
}
