package sentinel

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// Sentinel is one sentinel process. Its parts are owned by separate files
// (see doc.go); this is where they meet.
type Sentinel struct {
	cfg   *Config // config.go: parsed sentinel.conf + flags, rewrite
	myID  string  // 40-hex sentinel id (SENTINEL MYID, runid of peers' view)
	runID string  // process run id (INFO server run_id), new every start
	clock Clock
	knobs *Knobs
	log   *slog.Logger
	start time.Time

	fsm  *FSM       // fsm*.go: replicated state
	raft *raftNode  // raft*.go: hashicorp/raft wiring
	hub  *Hub       // pubsub*.go: event channels and client subscriptions
	mon  *Monitor   // monitor*.go: links to masters, replicas, peers
	fo   *Failovers // failover*.go: leader-only failover driver
	srv  *frontEnd  // server*.go: RESP listener and clients

	// simulate holds SENTINEL SIMULATE-FAILURE flags (simCrash*).
	simulate atomic.Uint32
}

// SIMULATE-FAILURE flags.
const (
	simCrashAfterElection  = 1 << 0
	simCrashAfterPromotion = 1 << 1
)

// publish hands events to local subscribers (and the log).
func (s *Sentinel) publish(evs ...Event) {
	for _, ev := range evs {
		s.hub.Publish(ev)
	}
}
