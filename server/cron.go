package server

import (
	"time"
)

// cron runs hz times a second: active expiry, idle-client timeouts, and
// anything registered by later layers (save points, replication).
func (s *Server) cron() {
	for !s.closing.Load() {
		hz := s.hotHz()
		time.Sleep(time.Second / time.Duration(hz))
		s.mu.Lock()
		s.ks.NowMs = nowMs()
		// Active expiry may use a quarter of each tick, as Redis's slow
		// cycle does.
		budget := time.Second / time.Duration(hz) / 4
		s.noWrap = true
		if !s.admin.noActiveExpire && !s.pauseActive(s.ks.NowMs) {
			s.ks.ActiveExpireCycle(&s.expireState, s.hot.expireEffort, budget)
		}
		s.flushPropagation()
		if len(s.block.ready) > 0 {
			s.serveReady()
		}
		s.closeIdleClients()
		for _, f := range s.cronHooks {
			f()
		}
		s.mu.Unlock()
	}
}

func (s *Server) hotHz() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	hz := s.hot.hz
	if hz < 1 {
		hz = 1
	}
	if hz > 500 {
		hz = 500
	}
	return hz
}

// closeIdleClients applies the timeout directive: plain clients idle for
// longer are closed; replicas, masters, blocked and subscribed clients
// are exempt.
func (s *Server) closeIdleClients() {
	if s.hot.idleTimeout <= 0 {
		return
	}
	limit := time.Duration(s.hot.idleTimeout) * time.Second
	now := time.Now()
	for _, c := range s.clients {
		if c.flags&(flagReplica|flagMaster|flagPubSub|flagMonitor) != 0 || c.blocked != nil || c.postponed {
			continue
		}
		if now.Sub(c.lastInteract) > limit {
			s.log.Log(nil, LevelVerbose, "Closing idle client")
			c.kill()
		}
	}
}
