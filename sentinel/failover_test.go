package sentinel

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// foStartTestFailovers runs a failover driver over the group g and the
// monitor mon; leader says whether it acts.
func foStartTestFailovers(t *testing.T, g *monGroup, mon *Monitor, knobs *Knobs, leader *atomic.Bool) *Failovers {
	t.Helper()
	env := foEnv{clock: RealClock, knobs: knobs, log: slog.New(slog.DiscardHandler), myID: monTestID, raftID: "r1",
		view: g.view, propose: g.propose, isLeader: leader.Load, emit: g.emit,
		tilted:      func() bool { on, _ := mon.Tilt(); return on },
		status:      mon.Status,
		peerUp:      func(id string) bool { st, ok := mon.Peer(id); return ok && !st.SDown },
		requestInfo: mon.requestInfo,
		nodes:       newFoDialer(monTestID),
		simulate:    func() uint32 { return 0 },
		exit:        func(code int) { t.Errorf("exit(%d) called", code) }}
	f := &Failovers{env: env, workers: map[string]*foWorker{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

func foInfoOf(t *testing.T, addr string) map[string]string {
	t.Helper()
	m, err := testutil.Info(addr, "replication")
	if err != nil {
		return nil
	}
	return m
}

// End to end against real redis-server nodes: the master is killed, the
// leader promotes a replica with the transaction, commits the switch,
// repoints the other replica, ends the failover; the old master brought
// back is converted into a replica of the new one.
func TestFailoverPromotesAfterMasterKillAndConvertsOldMaster(t *testing.T) {
	mp := testutil.StartRedis(t, "--repl-diskless-sync-delay", "0")
	r1 := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port))
	r2 := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port))
	ma := monAddrOf(t, mp.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "m", ma, 1, "1000")
	k := DefaultKnobs()
	k.Update(func(v *KnobValues) { v.InfoPeriod = 300 })
	mon := monStartTestMonitor(t, g, k)
	var leader atomic.Bool
	leader.Store(true)
	foStartTestFailovers(t, g, mon, k, &leader)
	for _, r := range []*testutil.Proc{r1, r2} {
		g.waitEvent(t, "+slave", "slave "+r.Addr+" ", 10*time.Second)
		monWaitFor(t, "replica INFO", 15*time.Second, func() bool {
			st, ok := mon.Status("m", monAddrOf(t, r.Addr))
			return ok && st.MasterLinkUp
		})
	}
	killed := time.Now()
	mp.Cmd.Process.Kill()
	sw := g.waitEvent(t, "+switch-master", "m ", 6*time.Second)
	t.Logf("kill -> +switch-master: %v (%s)", time.Since(killed), sw.Payload)
	var promoted, other *testutil.Proc
	switch {
	case sw.Payload == "m "+ma.IP+" "+strconv.Itoa(ma.Port)+" 127.0.0.1 "+strconv.Itoa(r1.Port):
		promoted, other = r1, r2
	case sw.Payload == "m "+ma.IP+" "+strconv.Itoa(ma.Port)+" 127.0.0.1 "+strconv.Itoa(r2.Port):
		promoted, other = r2, r1
	default:
		t.Fatalf("switch payload %q", sw.Payload)
	}
	if role := foInfoOf(t, promoted.Addr)["role"]; role != "master" {
		t.Fatalf("promoted role %q", role)
	}
	monWaitFor(t, "other replica to follow the new master", 10*time.Second, func() bool {
		in := foInfoOf(t, other.Addr)
		return in["master_port"] == strconv.Itoa(promoted.Port) && in["master_link_status"] == "up"
	})
	g.waitEvent(t, "+slave-reconf-sent", "slave "+other.Addr, time.Second)
	g.waitEvent(t, "+failover-end", "master m", 10*time.Second)
	if n := g.count("+selected-slave", ""); n != 1 {
		t.Fatalf("%d replicas selected", n)
	}

	// The old master returns, still configured as a master.
	monStartRedisOnPort(t, ma.Port)
	g.waitEvent(t, "+convert-to-slave", "slave "+ma.String(), 10*time.Second)
	monWaitFor(t, "old master to follow the new one", 10*time.Second, func() bool {
		in := foInfoOf(t, mp.Addr)
		return in["role"] == "slave" && in["master_port"] == strconv.Itoa(promoted.Port)
	})
	if role := foInfoOf(t, promoted.Addr)["role"]; role != "master" {
		t.Fatalf("the current master was touched: role %q", role)
	}
}

// SENTINEL FAILOVER: refused with NOGOODSLAVE when every replica has
// priority 0 (nothing committed), refused with INPROG while one runs,
// and otherwise committed and carried out by the leader's loop.
func TestForceFailoverChecksThenRunsOnLeader(t *testing.T) {
	mp := testutil.StartRedis(t, "--repl-diskless-sync-delay", "0")
	r1 := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port), "--replica-priority", "0")
	ma := monAddrOf(t, mp.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "m", ma, 2, "1000")
	k := DefaultKnobs()
	k.Update(func(v *KnobValues) { v.InfoPeriod = 200 })
	mon := monStartTestMonitor(t, g, k)
	var leader atomic.Bool // a follower first: the request is only committed
	f := foStartTestFailovers(t, g, mon, k, &leader)
	g.waitEvent(t, "+slave", "slave "+r1.Addr, 10*time.Second)
	monWaitFor(t, "replica INFO", 15*time.Second, func() bool {
		st, ok := mon.Status("m", monAddrOf(t, r1.Addr))
		return ok && st.SlavePriority == 0 && st.MasterLinkUp
	})
	ctx := context.Background()
	if err := f.Force(ctx, "m"); err != errNoGoodSlave {
		t.Fatalf("priority-0 replica: err %v", err)
	}
	if err := f.Force(ctx, "nosuch"); err == nil || err.Error() != "ERR No such master with that name" {
		t.Fatalf("unknown master: err %v", err)
	}
	if _, err := testutil.Query(r1.Addr, "CONFIG", "SET", "replica-priority", "100"); err != nil {
		t.Fatal(err)
	}
	monWaitFor(t, "priority 100", 5*time.Second, func() bool { st, _ := mon.Status("m", monAddrOf(t, r1.Addr)); return st.SlavePriority == 100 })
	if err := f.Force(ctx, "m"); err != nil {
		t.Fatalf("Force: %v", err)
	}
	if err := f.Force(ctx, "m"); err != errInProgress || err.Error() != "INPROG Failover already in progress" {
		t.Fatalf("second Force: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if n := g.count("+switch-master", ""); n != 0 {
		t.Fatal("a follower carried out the failover")
	}
	leader.Store(true) // the leader's loop picks the committed request up
	g.waitEvent(t, "+switch-master", "m "+ma.IP, 5*time.Second)
	g.waitEvent(t, "+failover-end", "master m", 10*time.Second)
	if role := foInfoOf(t, r1.Addr)["role"]; role != "master" {
		t.Fatalf("promoted role %q", role)
	}
	// The old master was alive: it is repointed at the new one.
	monWaitFor(t, "old master demoted", 10*time.Second, func() bool {
		in := foInfoOf(t, mp.Addr)
		return in["role"] == "slave" && in["master_port"] == strconv.Itoa(r1.Port)
	})
}

// A leader that inherits a failover in wait_promotion whose transaction
// never reached the replica sends it again and completes the same
// failover with the recorded replica (never choosing another).
func TestFailoverNewLeaderFinishesInheritedPromotion(t *testing.T) {
	mp := testutil.StartRedis(t, "--repl-diskless-sync-delay", "0")
	r1 := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port))
	r2 := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port), "--replica-priority", "1")
	ma, ra1 := monAddrOf(t, mp.Addr), monAddrOf(t, r1.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "m", ma, 1, "1000")
	for _, r := range []Addr{ra1, monAddrOf(t, r2.Addr)} {
		g.mustApply(t, Command{Op: OpReplica, Name: "m", IP: r.IP, Port: r.Port})
	}
	g.mustApply(t, Command{Op: OpFailoverStart, Name: "m", Sentinel: "previous-leader", Forced: true})
	g.mustApply(t, Command{Op: OpFailoverState, Name: "m", Epoch: 1, State: FailoverSendSlaveof, IP: ra1.IP, Port: ra1.Port})
	g.mustApply(t, Command{Op: OpFailoverState, Name: "m", Epoch: 1, State: FailoverWaitPromotion})
	k := DefaultKnobs()
	k.Update(func(v *KnobValues) { v.InfoPeriod = 200 })
	mon := monStartTestMonitor(t, g, k)
	var leader atomic.Bool
	leader.Store(true)
	foStartTestFailovers(t, g, mon, k, &leader)
	sw := g.waitEvent(t, "+switch-master", "m ", 5*time.Second)
	if want := "m " + ma.IP + " " + strconv.Itoa(ma.Port) + " " + ra1.IP + " " + strconv.Itoa(ra1.Port); sw.Payload != want {
		t.Fatalf("switch %q, want %q (the recorded replica, not the better-priority one)", sw.Payload, want)
	}
	if role := foInfoOf(t, r1.Addr)["role"]; role != "master" {
		t.Fatalf("recorded replica role %q", role)
	}
	g.waitEvent(t, "+failover-end", "master m", 10*time.Second)
	monWaitFor(t, "r2 and the old master follow r1", 10*time.Second, func() bool {
		a, b := foInfoOf(t, r2.Addr), foInfoOf(t, mp.Addr)
		return a["master_port"] == strconv.Itoa(r1.Port) && b["role"] == "slave" && b["master_port"] == strconv.Itoa(r1.Port)
	})
}
