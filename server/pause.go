package server

import (
	"math"
	"time"

	"redoubt/commands"
)

// CLIENT PAUSE. Until a deadline, ordinary clients either wait before
// every command (ALL) or only before commands that may change the
// dataset (WRITE: write and may-replicate commands, and an EXEC whose
// transaction holds one). Pausing again while a pause is on keeps the
// later deadline and the stricter mode; CLIENT UNPAUSE ends the pause.
// Replicas, monitors and the link to our master never wait. The check
// comes after the command is resolved and validated, so malformed
// requests are answered at once, and before MULTI queueing, so queueing
// a write waits too.
//
// While a pause is on the dataset stands still: the active expiry cycle
// does not run, nothing is evicted, and keys whose TTL passed look
// missing to commands but are not deleted (as on a replica). Waiting
// clients resume in the order they began to wait.
//
// As in Redis, pauses have owners: CLIENT PAUSE, and a FAILOVER, which
// holds writes (no deadline) until it ends. Each owner starts and ends
// only its own pause; what clients see is the union of the two (the
// later deadline, ALL if the CLIENT PAUSE one says so).

type pauseState struct {
	until int64 // Unix ms; 0 = no pause (the union of the owners)
	all   bool
	// cmdUntil/cmdAll are CLIENT PAUSE's own pause.
	cmdUntil int64
	cmdAll   bool
	// failover is the write pause held by a FAILOVER.
	failover bool
	// changed is closed, and forgotten, whenever waiting clients should
	// look again (the pause ended, or a waiter ahead of them went on).
	changed chan struct{}
	timer   *time.Timer
	waiters []*pauseWaiter
}

type pauseWaiter struct {
	c   *Client
	cmd *commands.Command
}

// pauseActive reports whether a pause holds at now (Unix ms).
func (s *Server) pauseActive(now int64) bool {
	return s.pause.until != 0 && now < s.pause.until
}

// pauseClients starts or extends CLIENT PAUSE's pause. Holds s.mu.
func (s *Server) pauseClients(until int64, all bool) {
	p := &s.pause
	now := nowMs()
	if p.cmdUntil != 0 && now < p.cmdUntil {
		until = max(until, p.cmdUntil)
		all = all || p.cmdAll
	}
	p.cmdUntil, p.cmdAll = until, all
	if p.timer != nil {
		p.timer.Stop()
	}
	wait := min(until-now, int64(math.MaxInt64/time.Millisecond))
	p.timer = time.AfterFunc(time.Duration(wait)*time.Millisecond, s.pauseTimerFired)
	s.pauseUpdate()
}

// pauseTimerFired ends CLIENT PAUSE's pause once its deadline has passed
// (a timer of a pause since extended finds it still on and leaves it).
func (s *Server) pauseTimerFired() {
	s.mu.Lock()
	if s.pause.cmdUntil != 0 && nowMs() >= s.pause.cmdUntil {
		s.unpauseClients()
	}
	s.mu.Unlock()
}

// unpauseClients ends CLIENT PAUSE's pause (CLIENT UNPAUSE, or its
// deadline); a FAILOVER's pause stays. Holds s.mu.
func (s *Server) unpauseClients() {
	p := &s.pause
	p.cmdUntil, p.cmdAll = 0, false
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	s.pauseUpdate()
}

// pauseForFailover starts (on) or ends the FAILOVER's write pause. Holds
// s.mu.
func (s *Server) pauseForFailover(on bool) {
	s.pause.failover = on
	s.pauseUpdate()
}

// pauseUpdate recomputes the pause clients see from its owners and lets
// waiting clients look again. Holds s.mu.
func (s *Server) pauseUpdate() {
	p := &s.pause
	p.until, p.all = p.cmdUntil, p.cmdAll
	if p.failover {
		p.until = math.MaxInt64
	}
	s.pauseWakeAll()
}

// pauseWakeAll makes every waiting client look at the pause again.
func (s *Server) pauseWakeAll() {
	if s.pause.changed != nil {
		close(s.pause.changed)
		s.pause.changed = nil
	}
}

// pauseExempt lists the clients a pause never holds.
func pauseExempt(c *Client) bool {
	return c.flags&(flagMaster|flagReplica|flagMonitor) != 0
}

// mustWaitPause reports whether c must wait before running cmd. Holds s.mu.
func (s *Server) mustWaitPause(c *Client, cmd *commands.Command) bool {
	if !s.pauseActive(nowMs()) || pauseExempt(c) {
		return false
	}
	return s.pause.all || cmdMayWrite(c, cmd)
}

// cmdMayWrite is the WRITE pause's test: the command may change the
// dataset or be propagated, or it is the EXEC of a transaction holding
// such a command.
func cmdMayWrite(c *Client, cmd *commands.Command) bool {
	const mask = commands.Write | commands.MayReplicate
	if cmd.Flags&mask != 0 {
		return true
	}
	if cmd.Name == "exec" && cmd.Parent == nil && c.flags&flagMulti != 0 {
		for _, q := range c.multi {
			if q.cmd.Flags&mask != 0 {
				return true
			}
		}
	}
	return false
}

// waitPause parks the client until the pause lets cmd run and every
// client that began waiting earlier, and may now go, has gone. It
// releases s.mu while parked: holds it on entry and on return. A killed
// client returns at once (the caller must check).
func (s *Server) waitPause(c *Client, cmd *commands.Command) {
	w := &pauseWaiter{c: c, cmd: cmd}
	s.pause.waiters = append(s.pause.waiters, w)
	c.postponed = true
	for !c.killed.Load() && !s.pauseMayGo(w) {
		if s.pause.changed == nil {
			s.pause.changed = make(chan struct{})
		}
		ch := s.pause.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-c.killedCh:
		}
		s.mu.Lock()
	}
	for i, x := range s.pause.waiters {
		if x == w {
			s.pause.waiters = append(s.pause.waiters[:i], s.pause.waiters[i+1:]...)
			break
		}
	}
	c.postponed = false
	s.pauseWakeAll()
	now := time.Now()
	s.ks.NowMs = now.UnixMilli()
	c.lastInteract = now
	// Output may have been flushed while the lock was released.
	c.replyMark = len(c.w.Buf)
}

// pauseMayGo reports whether waiter w may run now: the pause no longer
// holds its command and no earlier waiter that could run is still there.
func (s *Server) pauseMayGo(w *pauseWaiter) bool {
	if s.mustWaitPause(w.c, w.cmd) {
		return false
	}
	for _, x := range s.pause.waiters {
		if x == w {
			return true
		}
		if !x.c.killed.Load() && !s.mustWaitPause(x.c, x.cmd) {
			return false
		}
	}
	return true
}

// callUnderPause runs a command while a pause may be on: if one is, keys
// whose TTL passed are hidden but kept, the keyspace behaving as a
// replica's for the command. Commands about the server or the connection
// (INFO, ROLE, HELLO ...) and admin commands run as usual, as they may
// read or change the replication role. Holds s.mu.
func (s *Server) callUnderPause(c *Client, cmd *commands.Command, args [][]byte) {
	hold := s.pauseActive(s.ks.NowMs) && !s.ks.Replica && c.flags&flagMaster == 0 &&
		cmd.Flags&commands.Admin == 0 && cmd.Group != "server" && cmd.Group != "connection"
	if !hold {
		s.call(c, cmd, args, false)
		return
	}
	s.ks.Replica = true
	s.call(c, cmd, args, false)
	s.ks.Replica = false
}
