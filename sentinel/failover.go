package sentinel

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"sync"
	"time"
)

// The failover driver. Only the Raft leader acts: it runs one worker per
// monitored master, each calling the state function of that master's
// committed failover state every ~10 ms and doing the I/O it asks for.
// Every transition is committed through Raft before the next one acts on
// it, so a new leader continues from exactly where the old one stopped.

// foEnv is what the driver needs from the process; tests fill it with
// fakes.
type foEnv struct {
	clock       Clock
	knobs       *Knobs
	log         *slog.Logger
	myID        string
	raftID      string
	view        func(func(*State))
	propose     func(context.Context, Command) (Result, error)
	isLeader    func() bool
	tilted      func() bool
	status      func(master string, addr Addr) (InstanceStatus, bool)
	peerUp      func(id string) bool
	requestInfo func(master string, addr Addr)
	nodes       foNodes
	emit        func(...Event)
	simulate    func() uint32
	exit        func(code int)
}

// foTick is the driver's period.
const foTick = 10 * time.Millisecond

// foPollEvery is how often a worker reads INFO of an instance whose
// change it is waiting for (the promoted replica, reconfigured replicas).
const foPollEvery = 30 * time.Millisecond

// foProposeTimeout bounds one proposal of the driver.
const foProposeTimeout = 3 * time.Second

// Failovers drives failovers while this sentinel is the Raft leader.
type Failovers struct {
	env     foEnv
	mu      sync.Mutex
	workers map[string]*foWorker
}

func newFailovers(s *Sentinel) *Failovers {
	env := foEnv{clock: s.clock, knobs: s.knobs, log: s.log, myID: s.myID, view: s.View, propose: s.Propose,
		isLeader: s.IsLeader, emit: s.publish, simulate: s.simulate.Load, exit: os.Exit,
		nodes: newFoDialer(s.myID)}
	if s.cfg != nil {
		env.raftID = s.cfg.RaftID
	}
	if env.clock == nil {
		env.clock = RealClock
	}
	if env.knobs == nil {
		env.knobs = DefaultKnobs()
	}
	if env.log == nil {
		env.log = slog.Default()
	}
	env.tilted = func() bool {
		if s.mon == nil {
			return false
		}
		on, _ := s.mon.Tilt()
		return on
	}
	env.status = func(master string, addr Addr) (InstanceStatus, bool) {
		if s.mon == nil {
			return InstanceStatus{}, false
		}
		return s.mon.Status(master, addr)
	}
	env.peerUp = func(id string) bool {
		if s.mon == nil {
			return false
		}
		st, ok := s.mon.Peer(id)
		return ok && !st.SDown
	}
	env.requestInfo = func(master string, addr Addr) {
		if s.mon != nil {
			s.mon.requestInfo(master, addr)
		}
	}
	return &Failovers{env: env, workers: map[string]*foWorker{}}
}

// Run drives failovers until ctx ends.
func (f *Failovers) Run(ctx context.Context) {
	t := time.NewTicker(foTick)
	defer t.Stop()
	for {
		if f.env.isLeader() {
			f.syncWorkers(ctx)
		} else {
			f.stopWorkers(nil)
		}
		select {
		case <-ctx.Done():
			f.stopWorkers(nil)
			return
		case <-t.C:
		}
	}
}

// syncWorkers starts a worker per master and stops those of removed ones.
func (f *Failovers) syncWorkers(ctx context.Context) {
	names := map[string]bool{}
	f.env.view(func(st *State) {
		for n := range st.Masters {
			names[n] = true
		}
	})
	f.stopWorkers(names)
	f.mu.Lock()
	defer f.mu.Unlock()
	for n := range names {
		if f.workers[n] != nil {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := newFoWorker(&f.env, n)
		w.cancel = cancel
		f.workers[n] = w
		go w.run(wctx)
	}
}

// stopWorkers stops every worker whose master is not in keep (all when
// keep is nil) and waits for them.
func (f *Failovers) stopWorkers(keep map[string]bool) {
	f.mu.Lock()
	var stopped []*foWorker
	for n, w := range f.workers {
		if keep == nil || !keep[n] {
			w.cancel()
			stopped = append(stopped, w)
			delete(f.workers, n)
		}
	}
	f.mu.Unlock()
	for _, w := range stopped {
		<-w.done
	}
}

// masterCopy returns a copy of master name (with its failover record).
func foMasterCopy(view func(func(*State)), name string) *Master {
	var out *Master
	view(func(st *State) {
		src := st.Masters[name]
		if src == nil {
			return
		}
		c := *src
		c.Replicas = append([]Addr(nil), src.Replicas...)
		c.RenameCommands = maps.Clone(src.RenameCommands)
		c.Opinions = maps.Clone(src.Opinions)
		if src.Failover != nil {
			fo := *src.Failover
			c.Failover = &fo
		}
		out = &c
	})
	return out
}

// Force starts SENTINEL FAILOVER of name: nil, errInProgress or
// errNoGoodSlave (checked synchronously before anything is committed).
// Any sentinel may call it: the committed forced failover is then run by
// whichever sentinel leads.
func (f *Failovers) Force(ctx context.Context, name string) error {
	m := foMasterCopy(f.env.view, name)
	if m == nil {
		return errFoNoSuchMaster
	}
	if m.Failover != nil {
		return errInProgress
	}
	now := f.env.clock.Now()
	if _, ok := selectReplica(m, foStatuses(&f.env, m, nil), now, f.env.knobs.Get()); !ok {
		return errNoGoodSlave
	}
	res, err := f.env.propose(ctx, Command{Op: OpFailoverStart, NowMs: now.UnixMilli(), Name: name,
		Sentinel: f.env.myID, RaftID: f.env.raftID, Forced: true})
	if err != nil {
		return err
	}
	if res.Err != "" {
		if res.Err == resFailoverInProgress {
			return errInProgress
		}
		return errors.New(res.Err)
	}
	flags := f.env.simulate()
	if flags&simCrashAfterElection != 0 {
		f.env.exit(99)
	}
	if flags&simCrashAfterPromotion != 0 {
		go f.crashAfterSwitch(name, res.Epoch)
	}
	return nil
}

// crashAfterSwitch serves SIMULATE-FAILURE crash-after-promotion on a
// sentinel that asked for a failover another sentinel leads: it exits
// once the promotion of that epoch is committed.
func (f *Failovers) crashAfterSwitch(name string, epoch uint64) {
	for range time.Tick(foTick) {
		m := foMasterCopy(f.env.view, name)
		if m == nil || m.Failover == nil || m.Failover.Epoch != epoch {
			if m != nil && m.ConfigEpoch == epoch {
				f.env.exit(99)
			}
			return
		}
		if m.Failover.Switched {
			f.env.exit(99)
			return
		}
	}
}

// foStatuses gathers this sentinel's statuses of a master and its
// replicas, overlaid with the worker's fresher INFO polls.
func foStatuses(env *foEnv, m *Master, polled map[Addr]InstanceStatus) map[Addr]InstanceStatus {
	out := make(map[Addr]InstanceStatus, len(m.Replicas)+1)
	for _, a := range append([]Addr{m.Addr}, m.Replicas...) {
		st, ok := env.status(m.Name, a)
		if p, have := polled[a]; have && (!ok || p.InfoAt.After(st.InfoAt)) {
			if !ok {
				st = InstanceStatus{Addr: a, Connected: true, SlavePriority: 100}
			}
			st.InfoAt, st.Info = p.InfoAt, p.Info
			st.RunID, st.Role, st.Replicas = p.RunID, p.Role, p.Replicas
			st.MasterHost, st.MasterPort, st.MasterLinkUp = p.MasterHost, p.MasterPort, p.MasterLinkUp
			st.MasterLinkDownSinceSec, st.SlavePriority = p.MasterLinkDownSinceSec, p.SlavePriority
			st.SlaveReplOffset, st.ReplicaAnnounced = p.SlaveReplOffset, p.ReplicaAnnounced
			ok = true
		}
		if ok {
			out[a] = st
		}
	}
	return out
}
