package sentinel

// STUB (owner: monitor + failover). Delete when real.

import "context"

// Monitor keeps links to every master, replica and peer sentinel.
type Monitor struct{}

// Failovers drives failovers while this sentinel is the Raft leader.
type Failovers struct{}

func newMonitor(s *Sentinel) *Monitor      { return &Monitor{} }
func (m *Monitor) Run(ctx context.Context) {}

// Status is this sentinel's view of master name's instance at addr (the
// master itself or one of its replicas).
func (m *Monitor) Status(master string, addr Addr) (InstanceStatus, bool) {
	return InstanceStatus{}, false
}

// Peer is this sentinel's view of the peer sentinel with myid id.
func (m *Monitor) Peer(id string) (PeerStatus, bool) { return PeerStatus{}, false }

// MasterDownAt reports whether this sentinel holds the master at addr in
// SDOWN (SENTINEL IS-MASTER-DOWN-BY-ADDR).
func (m *Monitor) MasterDownAt(addr Addr) bool { return false }

// Tilt reports TILT mode and since when (zero if not in TILT).
func (m *Monitor) Tilt() (bool, int64) { return false, 0 }

func newFailovers(s *Sentinel) *Failovers    { return &Failovers{} }
func (f *Failovers) Run(ctx context.Context) {}

// Force starts SENTINEL FAILOVER of name: nil, errInProgress or
// errNoGoodSlave (checked synchronously before anything is committed).
func (f *Failovers) Force(ctx context.Context, name string) error { return nil }
