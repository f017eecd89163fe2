package server

import (
	"time"

	"redoubt/commands"
)

// errNoReplicas is the refusal of a write when too few replicas are
// in good shape (min-replicas-to-write).
const errNoReplicas = "NOREPLICAS Not enough good replicas to write."

// goodReplicas counts the replicas Redis calls good: online, and whose
// last ACK is no older than min-replicas-max-lag seconds.
func (s *Server) goodReplicas(maxLag int64, now time.Time) int {
	n := 0
	for _, l := range s.rm.replicas {
		if l.state == replOnline && int64(now.Sub(l.ackTime)/time.Second) <= maxLag {
			n++
		}
	}
	return n
}

// minReplicasRefusal applies min-replicas-to-write: on a master with
// both min-replicas directives set, a write from a client (not our own
// master) is refused while fewer good replicas than required are
// attached. Holds s.mu.
func (s *Server) minReplicasRefusal(c *Client, cmd *commands.Command) string {
	if !cmd.IsWrite() || s.ks.Replica || c.flags&flagMaster != 0 {
		return ""
	}
	need := s.cfg.Int("min-replicas-to-write")
	maxLag := s.cfg.Int("min-replicas-max-lag")
	if need <= 0 || maxLag <= 0 {
		return ""
	}
	if int64(s.goodReplicas(maxLag, time.Now())) < need {
		return errNoReplicas
	}
	return ""
}
