package server

import (
	"strconv"
	"strings"
	"time"
)

// backlogTTL is repl-backlog-ttl: a master that has had no replica for
// longer than that many seconds (whole seconds, as Redis counts them;
// 0 = never) frees its backlog and starts a new history: a fresh replid
// and no previous one, since nobody can continue the old one from us any
// more. A replica keeps its backlog whatever the time, as it may be
// promoted. Holds s.mu.
func (s *Server) backlogTTL(now time.Time) {
	ttl := s.cfg.Int("repl-backlog-ttl")
	if ttl <= 0 || len(s.rm.replicas) > 0 || s.rm.backlog == nil || s.ks.Replica {
		return
	}
	if now.Unix()-s.rm.noReplicasSince.Unix() <= ttl {
		return
	}
	a := &s.admin
	a.replID = randomHex40()
	a.replID2 = strings.Repeat("0", 40)
	a.secondReplOffset = -1
	s.dropBacklog()
	s.log.Info("Replication backlog freed after " + strconv.FormatInt(ttl, 10) + " seconds without connected replicas.")
}
