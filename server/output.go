package server

import (
	"sort"
	"time"
)

// asyncOutput is called after output was produced for c by another
// client's command (pub/sub message, MONITOR line, unblocking). It
// enforces client-output-buffer-limit and wakes the client's writer.
// Holds s.mu.
func (s *Server) asyncOutput(c *Client) {
	if s.overOutputLimit(c) {
		s.log.Warn("Client " + c.describe() + " scheduled to be closed ASAP for overcoming of output buffer limits.")
		c.kill()
		return
	}
	c.kick()
}

// outputClass is the client-output-buffer-limit class of a client.
func (c *Client) outputClass() string {
	switch {
	case c.flags&flagReplica != 0 && c.flags&flagMonitor == 0:
		return "replica"
	case c.flags&flagPubSub != 0:
		return "pubsub"
	}
	return "normal"
}

// overOutputLimit applies Redis's rule: a hard limit closes the client at
// once; a soft limit closes it once exceeded continuously for its seconds.
func (s *Server) overOutputLimit(c *Client) bool {
	lim, ok := s.hot.obufLimits[c.outputClass()]
	if !ok {
		return false
	}
	n := int64(len(c.w.Buf))
	if lim.hard > 0 && n >= lim.hard {
		return true
	}
	if lim.soft > 0 && n >= lim.soft {
		if c.obufSoftSince.IsZero() {
			c.obufSoftSince = time.Now()
			return false
		}
		return time.Since(c.obufSoftSince) >= time.Duration(lim.softSecs)*time.Second
	}
	c.obufSoftSince = time.Time{}
	return false
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
