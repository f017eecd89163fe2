package sentinel

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
)

// raftNode wraps hashicorp/raft: a bolt log and stable store, file
// snapshots and the TCP transport, bootstrap or join, and the leadership
// watcher that makes IsLeader true only once the new leader has applied
// everything committed before its term.
type raftNode struct {
	s     *Sentinel
	opt   raftOptions
	r     *raft.Raft
	trans *raft.NetworkTransport
	store *raftboltdb.BoltStore

	ready atomic.Bool // leader, barrier passed
	fwd   *forwarder  // RESP connections to the leader (proposals, ADD/REMOVE)

	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	haltOnce sync.Once
}

// raftOptions are the Raft directives plus the timing.
type raftOptions struct {
	ID    string            // raft-id
	Addr  string            // raft-addr (host:port, bound and advertised)
	Dir   string            // raft-dir: raft.db and snapshots/
	Peers map[string]string // raft-peers: id -> host:port, self included
	Join  string            // raft-join: RESP address of a group member
	// Timing (zero: raftDefaultTiming).
	Timing raftTiming
}

// raftTiming are the Raft timeouts. Sentinels sit on a LAN or loopback,
// so they are far below hashicorp/raft's WAN-friendly defaults: a dead
// leader is replaced in well under a second (measured on loopback: 0.4 to
// 0.9 s after a crash; a few ms after a clean stop, which hands over).
// The leader lease equals the heartbeat timeout rather than half of it:
// with half, a loaded machine (2 CPUs, a dozen busy processes) made
// leaders step down for want of a reply within 150 ms.
type raftTiming struct {
	Heartbeat, Election, LeaderLease, Commit time.Duration
}

var raftDefaultTiming = raftTiming{
	Heartbeat:   300 * time.Millisecond,
	Election:    300 * time.Millisecond,
	LeaderLease: 300 * time.Millisecond,
	Commit:      5 * time.Millisecond,
}

// raftApplyTimeout bounds the enqueueing of one entry on the leader.
const raftApplyTimeout = 2 * time.Second

// startRaft opens the stores and starts Raft. State already on disk is
// reused as is; otherwise the node bootstraps (raft-peers: the listed
// group; neither raft-peers nor raft-join: itself alone) or, with
// raft-join, asks the group to add it.
func startRaft(s *Sentinel, opt raftOptions) (*raftNode, error) {
	if opt.ID == "" || opt.Addr == "" || opt.Dir == "" {
		return nil, fmt.Errorf("raft-id, raft-addr and raft-dir must be set")
	}
	if opt.Timing == (raftTiming{}) {
		opt.Timing = raftDefaultTiming
	}
	if len(opt.Peers) > 0 {
		if _, ok := opt.Peers[opt.ID]; !ok {
			return nil, fmt.Errorf("raft-peers must list this sentinel's raft-id %q", opt.ID)
		}
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("raft-dir: %w", err)
	}
	hlog := newHCLogger(s.log)
	store, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(opt.Dir, "raft.db")})
	if err != nil {
		return nil, fmt.Errorf("raft store: %w", err)
	}
	fail := func(err error) (*raftNode, error) { store.Close(); return nil, err }
	logs, err := raft.NewLogCache(512, store)
	if err != nil {
		return fail(err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(opt.Dir, 2, hlog)
	if err != nil {
		return fail(fmt.Errorf("raft snapshots: %w", err))
	}
	adv, err := net.ResolveTCPAddr("tcp", opt.Addr)
	if err != nil {
		return fail(fmt.Errorf("raft-addr: %w", err))
	}
	trans, err := raft.NewTCPTransportWithLogger(opt.Addr, adv, 3, 2*time.Second, hlog)
	if err != nil {
		return fail(fmt.Errorf("raft transport: %w", err))
	}
	has, err := raft.HasExistingState(logs, store, snaps)
	if err != nil {
		trans.Close()
		return fail(err)
	}
	// Entries already in the log when the process starts were announced
	// by the previous run: replaying them must not announce them again.
	last := lastCommandIndex(store)
	var snapIndex uint64
	if metas, err := snaps.List(); err == nil && len(metas) > 0 {
		snapIndex = metas[0].Index
	}
	s.fsm.replayedUpTo.Store(max(last, snapIndex))

	conf := raft.DefaultConfig()
	conf.LocalID = raft.ServerID(opt.ID)
	conf.Logger = hlog
	conf.HeartbeatTimeout = opt.Timing.Heartbeat
	conf.ElectionTimeout = opt.Timing.Election
	conf.LeaderLeaseTimeout = opt.Timing.LeaderLease
	conf.CommitTimeout = opt.Timing.Commit
	if err := raft.ValidateConfig(conf); err != nil {
		trans.Close()
		return fail(err)
	}
	r, err := raft.NewRaft(conf, s.fsm, logs, store, snaps, trans)
	if err != nil {
		trans.Close()
		return fail(err)
	}
	// NewRaft restored the newest snapshot into the FSM.
	if s.fsm.lastIndex.Load() < snapIndex {
		s.fsm.lastIndex.Store(snapIndex)
	}
	n := &raftNode{s: s, opt: opt, r: r, trans: trans, store: store, fwd: newForwarder(s)}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	if !has && opt.Join == "" {
		if err := r.BootstrapCluster(bootstrapConfig(opt, trans.LocalAddr())).Error(); err != nil && err != raft.ErrCantBootstrap {
			n.shutdown()
			return nil, fmt.Errorf("raft bootstrap: %w", err)
		}
	}
	n.wg.Add(1)
	go n.watchLeadership()
	if !has && opt.Join != "" {
		n.wg.Add(1)
		go n.joinLoop()
	}
	return n, nil
}

// lastCommandIndex is the index of the newest command entry in the log
// (0 if none). Entries raft writes for itself (no-ops at a new term,
// barriers, configurations) never reach the FSM, so they are skipped.
func lastCommandIndex(store *raftboltdb.BoltStore) uint64 {
	first, err1 := store.FirstIndex()
	last, err2 := store.LastIndex()
	if err1 != nil || err2 != nil {
		return 0
	}
	for i := last; i >= first && i > 0; i-- {
		var l raft.Log
		if store.GetLog(i, &l) == nil && l.Type == raft.LogCommand {
			return i
		}
	}
	return 0
}

// bootstrapConfig is the first configuration: every listed peer (the
// same list on every node), or this node alone.
func bootstrapConfig(opt raftOptions, self raft.ServerAddress) raft.Configuration {
	if len(opt.Peers) == 0 {
		return raft.Configuration{Servers: []raft.Server{{ID: raft.ServerID(opt.ID), Address: self}}}
	}
	var c raft.Configuration
	for id, addr := range opt.Peers {
		c.Servers = append(c.Servers, raft.Server{Suffrage: raft.Voter, ID: raft.ServerID(id), Address: raft.ServerAddress(addr)})
	}
	return c
}

// watchLeadership is the single reader of LeaderCh. A node that gains
// leadership first waits on a barrier, so that the state it acts on
// includes everything committed by previous leaders; only then does
// IsLeader report true.
func (n *raftNode) watchLeadership() {
	defer n.wg.Done()
	for {
		select {
		case <-n.ctx.Done():
			return
		case leader := <-n.r.LeaderCh():
			n.ready.Store(false)
			if leader {
				n.s.log.Info("Raft: this sentinel is the leader, applying the committed log")
				n.awaitBarrier()
			} else {
				n.s.log.Info("Raft: this sentinel is a follower")
			}
		}
	}
}

func (n *raftNode) awaitBarrier() {
	for n.r.State() == raft.Leader && n.ctx.Err() == nil {
		if err := n.r.Barrier(2 * time.Second).Error(); err == nil {
			n.ready.Store(n.r.State() == raft.Leader)
			return
		}
	}
}

// shutdown stops Raft and closes the transport and the store. A leader
// first hands its leadership to a caught-up follower, so a clean stop
// costs the group no election timeout.
func (n *raftNode) shutdown() {
	n.cancel()
	if n.r.State() == raft.Leader {
		n.ready.Store(false)
		if err := n.r.LeadershipTransfer().Error(); err != nil {
			n.s.log.Info("Raft: leadership transfer before shutdown: " + err.Error())
		}
	}
	n.halt()
}

// halt stops Raft without a handover, as a crash would.
func (n *raftNode) halt() { n.haltOnce.Do(n.stop) }

func (n *raftNode) stop() {
	n.cancel()
	if err := n.r.Shutdown().Error(); err != nil {
		n.s.log.Warn("Raft shutdown: " + err.Error())
	}
	n.wg.Wait()
	n.trans.Close()
	n.fwd.close()
	n.store.Close()
	n.ready.Store(false)
}

// IsLeader reports whether this sentinel is the Raft leader and has
// applied everything committed before its term (barrier passed).
func (s *Sentinel) IsLeader() bool {
	n := s.raft
	return n != nil && n.ready.Load() && n.r.State() == raft.Leader
}

// hclogWriter hands hashicorp's log lines to the sentinel's logger. A
// peer that is down makes raft log the same failure several times a
// second: a line whose start was already written in the last
// hclogRepeatWindow is only counted, and the count is reported with the
// next line of that kind written.
type hclogWriter struct {
	log  *slog.Logger
	mu   *sync.Mutex
	seen map[string]*hclogRepeat
}

type hclogRepeat struct {
	at         time.Time
	suppressed int
}

const (
	hclogRepeatWindow = 10 * time.Second
	hclogRepeatKey    = 48 // leading bytes that identify a kind of line
)

func (w hclogWriter) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	key := line[:min(len(line), hclogRepeatKey)]
	now := time.Now()
	w.mu.Lock()
	r := w.seen[key]
	if r != nil && now.Sub(r.at) < hclogRepeatWindow {
		r.suppressed++
		w.mu.Unlock()
		return len(p), nil
	}
	if r != nil && r.suppressed > 0 {
		line += fmt.Sprintf(" (%d similar lines suppressed)", r.suppressed)
	}
	if len(w.seen) > 1024 {
		clear(w.seen)
	}
	w.seen[key] = &hclogRepeat{at: now}
	w.mu.Unlock()
	w.log.Warn(line)
	return len(p), nil
}

// newHCLogger returns raft's logger: warnings and errors only (its
// default level is debug), without its own timestamps.
func newHCLogger(l *slog.Logger) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "raft", Level: hclog.Warn, Output: hclogWriter{log: l, mu: &sync.Mutex{}, seen: map[string]*hclogRepeat{}}, DisableTime: true})
}
