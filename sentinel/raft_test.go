package sentinel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"redoubt/internal/resp"
	"redoubt/internal/testutil"
)

// raftTestNode is one sentinel of an in-process group: the real FSM and
// Raft wiring over loopback TCP with bolt stores in a temp dir, plus a
// tiny RESP listener answering the SENTINEL RAFT calls the front end
// will serve (APPLY, ADD, REMOVE).
type raftTestNode struct {
	t      *testing.T
	s      *Sentinel
	opt    raftOptions
	ln     net.Listener
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []string
}

func (n *raftTestNode) capture(evs []Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, e := range evs {
		n.events = append(n.events, e.Channel+" "+e.Payload)
	}
}

func (n *raftTestNode) seen() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.events)
}

// startTestNode starts a sentinel with Raft options opt; myID is derived
// from the raft id so a restarted node keeps its identity.
func startTestNode(t *testing.T, opt raftOptions, seed []*Master) *raftTestNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := &Config{Port: port, Bind: []string{"127.0.0.1"}, Seed: seed}
	n := &raftTestNode{t: t, opt: opt, ln: ln, done: make(chan struct{})}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t, opt.ID}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	myID := fmt.Sprintf("%040x", opt.ID)
	n.s = &Sentinel{cfg: cfg, myID: myID, runID: randomHex40(), clock: RealClock, knobs: DefaultKnobs(), log: log, start: time.Now()}
	n.s.fsm = newFSM(n.capture)
	if n.s.raft, err = startRaft(n.s, opt); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	go n.serve()
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	go func() {
		defer close(n.done)
		var wg sync.WaitGroup
		wg.Go(func() { n.s.registerLoop(ctx) })
		wg.Go(func() { n.s.flushLoop(ctx) })
		wg.Wait()
	}()
	t.Cleanup(n.stop)
	return n
}

type testWriter struct {
	t  *testing.T
	id string
}

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(w.id + ": " + strings.TrimSpace(string(p)))
	return len(p), nil
}

// stop shuts the node down (idempotent), like a process exit.
func (n *raftTestNode) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	n.cancel()
	n.ln.Close()
	n.s.raft.shutdown()
	<-n.done
}

func (n *raftTestNode) respAddr() string { return n.ln.Addr().String() }

// serve answers SENTINEL RAFT APPLY|ADD|REMOVE like the front end.
func (n *raftTestNode) serve() {
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			rd := resp.NewReader(c, 4096)
			w := resp.NewWriter()
			for {
				args, err := rd.ReadCommand()
				if err != nil {
					return
				}
				w.Reset()
				n.reply(w, args)
				if _, err := c.Write(w.Buf); err != nil {
					return
				}
			}
		}()
	}
}

func (n *raftTestNode) reply(w *resp.Writer, args [][]byte) {
	if len(args) < 3 || !strings.EqualFold(string(args[0]), "sentinel") || !strings.EqualFold(string(args[1]), "raft") {
		w.Error("ERR unknown command")
		return
	}
	var err error
	switch sub := strings.ToUpper(string(args[2])); {
	case sub == "APPLY" && len(args) == 4:
		var res Result
		if res, err = n.s.ApplyForwarded(args[3]); err == nil {
			b, _ := json.Marshal(res)
			w.Bulk(b)
			return
		}
	case sub == "ADD" && len(args) == 5:
		err = n.s.RaftAdd(string(args[3]), string(args[4]))
	case sub == "REMOVE" && len(args) == 4:
		err = n.s.RaftRemove(string(args[3]))
	default:
		err = fmt.Errorf("ERR bad SENTINEL RAFT call")
	}
	if err != nil {
		w.Error(err.Error())
		return
	}
	w.OK()
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func leaderOf(nodes []*raftTestNode) *raftTestNode {
	for _, n := range nodes {
		if n != nil && n.s.IsLeader() {
			return n
		}
	}
	return nil
}

// settled reports whether n's state holds every node as a member and
// the seed.
func settled(n *raftTestNode, members int) bool {
	ok := false
	n.s.View(func(st *State) { ok = st.Seeded && len(st.Members) == members })
	return ok
}

func hasMaster(n *raftTestNode, name string) bool {
	ok := false
	n.s.View(func(st *State) { ok = st.Masters[name] != nil })
	return ok
}

func newTestGroup(t *testing.T, size int) ([]*raftTestNode, []raftOptions) {
	peers := map[string]string{}
	var opts []raftOptions
	for i := range size {
		id := fmt.Sprintf("s%d", i+1)
		peers[id] = fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
		opts = append(opts, raftOptions{ID: id, Dir: t.TempDir()})
	}
	seed := []*Master{{Name: "seeded", Addr: Addr{"127.0.0.1", 6379}, Quorum: 2}}
	var nodes []*raftTestNode
	for i := range opts {
		opts[i].Addr, opts[i].Peers = peers[opts[i].ID], peers
		nodes = append(nodes, startTestNode(t, opts[i], seed))
	}
	return nodes, opts
}

func TestRaftGroupCommitsEverywhereAndSurvivesLeaderLoss(t *testing.T) {
	nodes, opts := newTestGroup(t, 3)
	waitFor(t, 5*time.Second, "a leader", func() bool { return leaderOf(nodes) != nil })
	for _, n := range nodes {
		waitFor(t, 5*time.Second, "members and seed on "+n.opt.ID, func() bool { return settled(n, 3) })
	}
	// Seeded once for the group, announced on every sentinel.
	for _, n := range nodes {
		if got := n.seen(); !slices.Contains(got, "+monitor master seeded 127.0.0.1 6379 quorum 2") {
			t.Fatalf("%s did not announce the seed: %v", n.opt.ID, got)
		}
	}
	leader := leaderOf(nodes)
	var follower *raftTestNode
	for _, n := range nodes {
		if n != leader {
			follower = n
		}
	}
	// A follower's proposal is forwarded to the leader and its Result
	// (including a refusal) comes back.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := follower.s.Propose(ctx, Command{Op: OpMonitor, Name: "m1", IP: "127.0.0.1", Port: 7000, Quorum: 2})
	if err != nil || res.Err != "" {
		t.Fatalf("forwarded proposal: %+v %v", res, err)
	}
	res, err = follower.s.Propose(ctx, Command{Op: OpMonitor, Name: "m1", IP: "127.0.0.1", Port: 7000, Quorum: 2})
	if err != nil || res.Err != resDuplicateMaster {
		t.Fatalf("duplicate through forwarding: %+v %v", res, err)
	}
	if _, err := follower.s.ApplyForwarded([]byte(`{"op":"remove","name":"m1"}`)); err == nil || !strings.HasPrefix(err.Error(), "NOTLEADER") {
		t.Fatalf("a follower must refuse forwarded proposals, got %v", err)
	}
	for _, n := range nodes {
		waitFor(t, 2*time.Second, "m1 on "+n.opt.ID, func() bool { return hasMaster(n, "m1") })
	}

	// The leader crashes (its transport goes silent at once): another
	// node leads (barrier passed) within about a second.
	old := slices.Index(nodes, leader)
	leader.s.raft.halt()
	nodes[old] = nil
	took := waitFor(t, 3*time.Second, "a new leader", func() bool { return leaderOf(nodes) != nil })
	t.Logf("new leader %s after %v", leaderOf(nodes).opt.ID, took)
	if took > 1500*time.Millisecond {
		t.Errorf("election took %v, want about 1 s at most", took)
	}
	leader.stop()
	res, err = follower.s.Propose(ctx, Command{Op: OpMonitor, Name: "m2", IP: "127.0.0.1", Port: 7001, Quorum: 2})
	if err != nil || res.Err != "" {
		t.Fatalf("proposal after leader loss: %+v %v", res, err)
	}

	// The old leader restarts from its raft-dir: same state, and the
	// entries it had already applied are not announced again.
	back := startTestNode(t, opts[old], nil)
	nodes[old] = back
	waitFor(t, 5*time.Second, "m2 on the restarted node", func() bool { return hasMaster(back, "m2") })
	if !hasMaster(back, "m1") || !settled(back, 3) {
		t.Fatal("restarted node lost state")
	}
	for _, e := range back.seen() {
		if strings.Contains(e, " m1 ") || strings.Contains(e, " seeded ") {
			t.Fatalf("restarted node re-announced an old event: %q (all: %v)", e, back.seen())
		}
	}
	if !slices.Contains(back.seen(), "+monitor master m2 127.0.0.1 7001 quorum 2") {
		t.Fatalf("restarted node missed the event committed while it was down: %v", back.seen())
	}
	res, err = back.s.Propose(ctx, Command{Op: OpRemove, Name: "m2"})
	if err != nil || res.Err != "" {
		t.Fatalf("proposal from the restarted node: %+v %v", res, err)
	}
	waitFor(t, 2*time.Second, "-monitor on the restarted node", func() bool {
		return slices.Contains(back.seen(), "-monitor master m2 127.0.0.1 7001")
	})
	st := back.s.RaftStatus()
	if st.Peers != 3 || st.LeaderID == "" || st.AppliedIndex == 0 || st.Term == 0 || st.ID != opts[old].ID {
		t.Fatalf("status %+v", st)
	}

	// A leader stopped cleanly hands its leadership over first: no
	// election timeout to wait for.
	leader = leaderOf(nodes)
	leader.stop()
	nodes[slices.Index(nodes, leader)] = nil
	took = waitFor(t, time.Second, "the handover", func() bool { return leaderOf(nodes) != nil })
	t.Logf("leadership handed over in %v", took)
	if took > 250*time.Millisecond {
		t.Errorf("handover took %v", took)
	}
}

func TestRaftJoinAtRuntimeAndRemove(t *testing.T) {
	first := startTestNode(t, raftOptions{ID: "j1", Addr: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), Dir: t.TempDir()},
		[]*Master{{Name: "mymaster", Addr: Addr{"127.0.0.1", 6379}, Quorum: 1}})
	waitFor(t, 5*time.Second, "the lone node to lead and seed", func() bool { return first.s.IsLeader() && settled(first, 1) })

	second := startTestNode(t, raftOptions{ID: "j2", Addr: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), Dir: t.TempDir(), Join: first.respAddr()}, nil)
	waitFor(t, 5*time.Second, "the joined node to receive the state", func() bool { return settled(second, 2) && hasMaster(second, "mymaster") })
	peers, err := first.s.RaftPeers()
	if err != nil || len(peers) != 2 {
		t.Fatalf("peers after join: %+v %v", peers, err)
	}
	if !slices.ContainsFunc(peers, func(p RaftPeer) bool { return p.ID == "j2" && p.Suffrage == "Voter" && !p.Leader }) ||
		!slices.ContainsFunc(peers, func(p RaftPeer) bool { return p.ID == "j1" && p.Leader }) {
		t.Fatalf("peers %+v", peers)
	}
	// The first node hears of the newcomer as a sentinel of its master;
	// the newcomer never announces itself to itself.
	want := "+sentinel sentinel " + second.s.myID + " 127.0.0.1 "
	if !slices.ContainsFunc(first.seen(), func(e string) bool { return strings.HasPrefix(e, want) }) {
		t.Fatalf("first node events: %v", first.seen())
	}

	// A third node joins through the follower, which forwards the ADD.
	third := startTestNode(t, raftOptions{ID: "j3", Addr: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), Dir: t.TempDir(), Join: second.respAddr()}, nil)
	waitFor(t, 5*time.Second, "the third node via a follower", func() bool { return settled(third, 3) })

	// Removing through a follower: out of the configuration and of the
	// members.
	if err := second.s.RaftRemove("j3"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "j3 forgotten", func() bool { return settled(first, 2) })
	if peers, _ := first.s.RaftPeers(); len(peers) != 2 {
		t.Fatalf("peers after remove: %+v", peers)
	}
	if err := first.s.RaftRemove("nobody"); err != errUnknownPeer {
		t.Fatalf("remove unknown: %v", err)
	}

}

func TestRaftLogLinesAreRoutedAtWarnAndRepeatsSuppressed(t *testing.T) {
	var buf strings.Builder
	h := newHCLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h.Debug("chatty detail")
	h.Info("routine")
	for range 5 {
		h.Error("failed to appendEntries to", "peer", "s2")
	}
	h.Warn("heartbeat timeout reached, starting election")
	out := buf.String()
	if strings.Contains(out, "chatty") || strings.Contains(out, "routine") {
		t.Fatalf("below-warn raft lines leaked:\n%s", out)
	}
	if n := strings.Count(out, "failed to appendEntries"); n != 1 {
		t.Fatalf("repeated line written %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "heartbeat timeout reached") {
		t.Fatalf("warn lines missing:\n%s", out)
	}
}
