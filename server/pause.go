package server

import (
	"time"

	"redoubt/commands"
)

// pauseState implements CLIENT PAUSE: until the deadline, either every
// command or only writes (and commands that may write) wait.
type pauseState struct {
	until     int64 // Unix ms
	all       bool
	unpauseCh chan struct{}
}

// blocks reports whether cmd must wait for the pause to end.
func (p *pauseState) blocks(cmd *commands.Command, now int64) bool {
	if p.until == 0 || now >= p.until {
		return false
	}
	if p.all {
		return true
	}
	return cmd.IsWrite() || cmd.Flags&commands.MayReplicate != 0
}

// waitPause releases the lock until the pause ends, then takes it back.
// Holds s.mu on entry and on return.
func (s *Server) waitPause(c *Client, cmd *commands.Command) {
	for s.pause.blocks(cmd, nowMs()) {
		if s.pause.unpauseCh == nil {
			s.pause.unpauseCh = make(chan struct{})
		}
		ch := s.pause.unpauseCh
		d := time.Until(time.UnixMilli(s.pause.until))
		s.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
		s.mu.Lock()
	}
	s.ks.NowMs = nowMs()
}

// unpause ends a pause early (CLIENT UNPAUSE).
func (s *Server) unpause() {
	s.pause.until = 0
	if s.pause.unpauseCh != nil {
		close(s.pause.unpauseCh)
		s.pause.unpauseCh = nil
	}
}
