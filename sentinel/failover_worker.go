package sentinel

import (
	"context"
	"sync"
	"time"
)

// foWorker drives one master's failovers (and, between failovers, keeps
// its replicas configured) while this sentinel leads.
type foWorker struct {
	env    *foEnv
	name   string
	cancel context.CancelFunc
	done   chan struct{}

	polled   map[Addr]InstanceStatus
	lastPoll map[Addr]time.Time

	reconf      map[Addr]*foReplicaTrack
	reconfEpoch uint64
	fix         map[Addr]*foFixTrack
	sentEpoch   uint64 // the epoch whose SLAVEOF NO ONE this worker sent
	lastEpoch   uint64 // failover epoch seen on the previous step
	notBefore   time.Time
}

func newFoWorker(env *foEnv, name string) *foWorker {
	return &foWorker{env: env, name: name, done: make(chan struct{}), polled: map[Addr]InstanceStatus{},
		lastPoll: map[Addr]time.Time{}, fix: map[Addr]*foFixTrack{}}
}

func (w *foWorker) run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTicker(foTick)
	defer t.Stop()
	for {
		w.step(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// step runs the state function of the master's committed state once.
func (w *foWorker) step(ctx context.Context) {
	m := foMasterCopy(w.env.view, w.name)
	if m == nil || ctx.Err() != nil {
		return
	}
	now := w.env.clock.Now()
	k := w.env.knobs.Get()
	w.noteAbort(m, now)
	if w.env.tilted() {
		return // TILT: no acting on judgements made with a jumpy clock
	}
	view := func() foView {
		return foView{Now: w.env.clock.Now(), M: m, Statuses: foStatuses(w.env, m, w.polled), K: k,
			MyID: w.env.myID, RaftID: w.env.raftID, PeerUp: w.env.peerUp}
	}
	if m.Failover == nil {
		if st := foWaitStart(view(), false, w.notBefore); st.Propose != nil {
			if w.propose(ctx, *st.Propose) && w.env.simulate()&simCrashAfterElection != 0 {
				w.env.exit(99)
			}
			return
		}
		st := foEnforce(view(), w.fix)
		if len(st.Send) > 0 && !w.confirm(ctx, m, st.Send[0].Addr) {
			for _, s := range st.Send {
				w.fix[s.Addr].SentAt = time.Time{}
			}
			st.Send = nil
		}
		w.do(ctx, m, st)
		return
	}
	clear(w.fix)
	f := m.Failover
	switch f.State {
	case FailoverSelectSlave:
		// Choose on fresh data: the replicas' last INFO may be up to an
		// INFO period old when the failover starts right after ODOWN.
		w.poll(ctx, m, m.Replicas, true)
		w.do(ctx, m, foSelectSlave(view()))
	case FailoverSendSlaveof:
		w.poll(ctx, m, []Addr{f.Promoted}, true)
		st := foSendSlaveofNoOne(view(), nil, false)
		if len(st.Send) > 0 {
			err := w.env.nodes.reconfigure(ctx, f.Promoted, foAuthOf(m), Addr{})
			if err == nil {
				w.sentEpoch = f.Epoch
			}
			st = foSendSlaveofNoOne(view(), err, true)
		}
		w.do(ctx, m, st)
	case FailoverWaitPromotion:
		if w.sentEpoch != f.Epoch {
			// Taken over from another leader: send the (idempotent)
			// transaction once more in case it never arrived.
			if w.env.nodes.reconfigure(ctx, f.Promoted, foAuthOf(m), Addr{}) == nil {
				w.sentEpoch = f.Epoch
			}
		}
		w.poll(ctx, m, []Addr{f.Promoted}, false)
		w.do(ctx, m, foWaitPromotion(view()))
	case FailoverReconfSlaves:
		if w.reconfEpoch != f.Epoch || w.reconf == nil {
			w.reconf, w.reconfEpoch = map[Addr]*foReplicaTrack{}, f.Epoch
		}
		w.do(ctx, m, foReconfSlaves(view(), w.reconf))
	}
}

// confirm makes sure, before a replica is reconfigured on this
// sentinel's own judgement, that it still leads and that the master it
// read has not changed meanwhile: it commits a no-op (announcing a
// replica the state already knows) and reads the state again. A leader
// cut off from the majority cannot commit, so it never repoints anything
// on a stale view.
func (w *foWorker) confirm(ctx context.Context, m *Master, known Addr) bool {
	if !w.propose(ctx, Command{Op: OpReplica, NowMs: w.env.clock.Now().UnixMilli(), Name: m.Name, IP: known.IP, Port: known.Port}) {
		return false
	}
	cur := foMasterCopy(w.env.view, m.Name)
	return cur != nil && cur.Addr == m.Addr && cur.ConfigEpoch == m.ConfigEpoch && cur.Failover == nil
}

// noteAbort remembers when an attempt ended without a switch: Redis does
// not retry a failover of the same master before twice its
// failover-timeout.
func (w *foWorker) noteAbort(m *Master, now time.Time) {
	cur := uint64(0)
	if m.Failover != nil {
		cur = m.Failover.Epoch
	}
	if w.lastEpoch != 0 && cur != w.lastEpoch && m.ConfigEpoch != w.lastEpoch {
		w.notBefore = now.Add(2 * time.Duration(m.FailoverTimeoutMs) * time.Millisecond)
	}
	w.lastEpoch = cur
}

// do carries out a step: transactions (then their events), local events,
// INFO polls, and finally the proposal.
func (w *foWorker) do(ctx context.Context, m *Master, st foStep) {
	for _, s := range st.Send {
		if err := w.env.nodes.reconfigure(ctx, s.Addr, foAuthOf(m), s.To); err != nil {
			w.env.log.Debug("reconfiguration failed", "addr", s.Addr.String(), "err", err)
			if t := w.reconf[s.Addr]; t != nil && !t.Done {
				t.SentAt = time.Time{}
			}
			if t := w.fix[s.Addr]; t != nil {
				t.SentAt = time.Time{}
			}
			continue
		}
		if s.Event != "" {
			w.env.emit(Event{Channel: s.Event, Payload: fmtReplicaDetails(m, s.Addr)})
		}
		w.env.requestInfo(m.Name, s.Addr)
	}
	w.env.emit(st.Events...)
	w.poll(ctx, m, st.Poll, false)
	if st.Propose != nil {
		if w.propose(ctx, *st.Propose) && st.Propose.Op == OpSwitch && w.env.simulate()&simCrashAfterPromotion != 0 {
			w.env.exit(99)
		}
	}
}

// poll reads INFO of addrs (in parallel), at most every foPollEvery each
// unless force.
func (w *foWorker) poll(ctx context.Context, m *Master, addrs []Addr, force bool) {
	now := time.Now()
	var due []Addr
	for _, a := range addrs {
		if force || now.Sub(w.lastPoll[a]) >= foPollEvery {
			w.lastPoll[a] = now
			due = append(due, a)
		}
	}
	if len(due) == 0 {
		return
	}
	results := make([]*InstanceStatus, len(due))
	var wg sync.WaitGroup
	for i, a := range due {
		wg.Go(func() {
			text, err := w.env.nodes.info(ctx, a, foAuthOf(m))
			if err != nil {
				return
			}
			st := InstanceStatus{Addr: a, InfoAt: w.env.clock.Now(), Info: text}
			parseLinkInfo(text).applyTo(&st)
			results[i] = &st
		})
	}
	wg.Wait()
	for _, r := range results {
		if r != nil {
			w.polled[r.Addr] = *r
		}
	}
}

// propose commits cmd and reports whether it was applied.
func (w *foWorker) propose(ctx context.Context, cmd Command) bool {
	pctx, cancel := context.WithTimeout(ctx, foProposeTimeout)
	defer cancel()
	res, err := w.env.propose(pctx, cmd)
	if err != nil || res.Err != "" {
		w.env.log.Debug("failover proposal not applied", "op", cmd.Op, "name", cmd.Name, "err", err, "refusal", res.Err)
		return false
	}
	return true
}
