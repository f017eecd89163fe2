package sentinel

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// pairsOf reads a RESP2 map reply into a Go map.
func pairsOf(t *testing.T, addr string, args ...string) map[string]string {
	t.Helper()
	v, err := testutil.Query(addr, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return testutil.PairsOf(v)
}

func TestMasterMapCombinesCommittedStateAndLocalView(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "mymaster", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	fx.apply(t, Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6380})
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: fx.s.myID, IP: "127.0.0.1", Port: 1, RaftID: "a", RaftAddr: "x:1"}})
	peer := strings.Repeat("cd", 20)
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: peer, IP: "127.0.0.1", Port: 2, RaftID: "b", RaftAddr: "x:2"}})
	now := time.Now()
	master := Addr{IP: "127.0.0.1", Port: 6379}
	fx.local.inst[master] = InstanceStatus{Addr: master, RunID: "r1", Connected: true, SDown: true,
		SDownSince: now.Add(-3 * time.Second), InfoAt: now.Add(-time.Second), Role: "master"}
	m := pairsOf(t, fx.addr, "SENTINEL", "MASTER", "mymaster")
	if m["flags"] != "s_down,master" || m["runid"] != "r1" || m["num-slaves"] != "1" || m["num-other-sentinels"] != "1" {
		t.Fatalf("master map: %v", m)
	}
	if d := m["s-down-time"]; d < "3000" || len(d) != 4 {
		t.Fatalf("s-down-time %q", d)
	}
	if _, ok := m["o-down-time"]; ok {
		t.Fatal("o-down-time without ODOWN")
	}
	// A committed failover shows its state and flags.
	fx.apply(t, Command{Op: OpFailoverStart, Name: "mymaster", Sentinel: fx.s.myID, RaftID: "a", Forced: true})
	m = pairsOf(t, fx.addr, "SENTINEL", "MASTER", "mymaster")
	if m["flags"] != "s_down,master,failover_in_progress,force_failover" || m["failover-state"] != FailoverSelectSlave {
		t.Fatalf("during failover: %v", m)
	}
	s := pairsOf(t, fx.addr, "SENTINEL", "SENTINELS", "mymaster")
	if s != nil {
		t.Fatalf("SENTINELS is an array of maps, got one map %v", s)
	}
	maps, err := testutil.SentinelMaps(fx.addr, "SENTINELS", "mymaster")
	if err != nil || len(maps) != 1 {
		t.Fatalf("SENTINELS: %v %v", maps, err)
	}
	if p := maps[0]; p["name"] != peer || p["runid"] != peer || p["port"] != "2" ||
		p["flags"] != "sentinel,disconnected" || p["voted-leader"] != fx.s.myID || p["voted-leader-epoch"] != "1" {
		t.Fatalf("sentinel map: %v", p)
	}
	reps, _ := testutil.SentinelMaps(fx.addr, "REPLICAS", "mymaster")
	if len(reps) != 1 || reps[0]["name"] != "127.0.0.1:6380" || reps[0]["flags"] != "slave,disconnected" ||
		reps[0]["master-host"] != "?" || reps[0]["slave-priority"] != "100" {
		t.Fatalf("replicas: %v", reps)
	}
	// A replica whose INFO says it is not announced is hidden.
	fx.local.inst[Addr{IP: "127.0.0.1", Port: 6380}] = InstanceStatus{Connected: true, InfoAt: now, ReplicaAnnounced: false}
	if reps, _ := testutil.SentinelMaps(fx.addr, "REPLICAS", "mymaster"); len(reps) != 0 {
		t.Fatalf("unannounced replica listed: %v", reps)
	}
}

func TestCkquorumCountsPeersNotInSdown(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "m", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	ids := []string{fx.s.myID, strings.Repeat("1", 40), strings.Repeat("2", 40)}
	for i, id := range ids {
		fx.apply(t, Command{Op: OpMember, Member: &Member{ID: id, IP: "127.0.0.1", Port: 10 + i, RaftID: id[:3], RaftAddr: "x:1"}})
	}
	c := testutil.Dial(t, fx.addr)
	if got := c.Do("SENTINEL", "CKQUORUM", "m"); got != "+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n" {
		t.Fatalf("all up: %q", got)
	}
	fx.local.peers[ids[1]] = PeerStatus{ID: ids[1], SDown: true}
	if got := c.Do("SENTINEL", "CKQUORUM", "m"); got != "+OK 2 usable Sentinels. Quorum and failover authorization can be reached\r\n" {
		t.Fatalf("one down: %q", got)
	}
	fx.local.peers[ids[2]] = PeerStatus{ID: ids[2], SDown: true}
	want := "-NOQUORUM 1 usable Sentinels. " + errQuorumUnreachable + ". " + errMajorityMissing + "\r\n"
	if got := c.Do("SENTINEL", "CKQUORUM", "m"); got != want {
		t.Fatalf("two down: %q", got)
	}
}

func TestSetAppliesValidPrefixThenFails(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "m", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	sub := testutil.Dial(t, fx.addr)
	sub.Do("SUBSCRIBE", "+set")
	c := testutil.Dial(t, fx.addr)
	got := c.Do("SENTINEL", "SET", "m", "QUORUM", "5", "down-after-milliseconds", "1000", "parallel-syncs", "0")
	if got != "-ERR Invalid argument '0' for SENTINEL SET 'parallel-syncs'\r\n" {
		t.Fatalf("got %q", got)
	}
	m := pairsOf(t, fx.addr, "SENTINEL", "MASTER", "m")
	if m["quorum"] != "5" || m["down-after-milliseconds"] != "1000" || m["parallel-syncs"] != "1" {
		t.Fatalf("after partial SET: %v", m)
	}
	for _, want := range []string{"master m 127.0.0.1 6379 QUORUM 5", "master m 127.0.0.1 6379 down-after-milliseconds 1000"} {
		msg, _ := sub.ReadReply(2 * time.Second)
		if !strings.HasSuffix(msg, want+"\r\n") {
			t.Fatalf("event %q, want %q", msg, want)
		}
	}
	if got := c.Do("SENTINEL", "SET", "m", "auth-pass", "secret"); got != "+OK\r\n" {
		t.Fatalf("auth-pass: %q", got)
	}
	if msg, _ := sub.ReadReply(2 * time.Second); !strings.HasSuffix(msg, "auth-pass ******\r\n") {
		t.Fatalf("auth-pass event %q", msg)
	}
}

func TestMonitorRemoveResetThroughProposals(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	if got := c.Do("SENTINEL", "MONITOR", "a", "0x7f.1", "7000", "1"); got != "+OK\r\n" {
		t.Fatalf("monitor: %q", got)
	}
	if got := c.Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "a"); got != "*2\r\n$9\r\n127.0.0.1\r\n$4\r\n7000\r\n" {
		t.Fatalf("addr: %q", got)
	}
	c.Do("SENTINEL", "MONITOR", "b", "127.0.0.2", "7000", "1")
	if got := c.Do("ROLE"); got != "*2\r\n$8\r\nsentinel\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n" {
		t.Fatalf("ROLE: %q", got)
	}
	if got := c.Do("SENTINEL", "RESET", "*"); got != ":2\r\n" {
		t.Fatalf("reset: %q", got)
	}
	if got := c.Do("SENTINEL", "REMOVE", "a"); got != "+OK\r\n" {
		t.Fatalf("remove: %q", got)
	}
	if got := c.Do("SENTINEL", "MASTER", "a"); got != "-ERR No such master with that name\r\n" {
		t.Fatalf("removed master: %q", got)
	}
	info := c.Do("INFO", "sentinel")
	if !strings.Contains(info, "sentinel_masters:1\r\n") || !strings.Contains(info, "master0:name=b,status=ok,address=127.0.0.2:7000,slaves=0,sentinels=1\r\n") {
		t.Fatalf("INFO sentinel: %q", info)
	}
	// Without a Raft leader a change is refused with NOLEADER.
	fx.fe.propose = func(context.Context, Command) (Result, error) { return Result{}, ErrNoLeader }
	if got := c.Do("SENTINEL", "MONITOR", "c", "127.0.0.1", "1", "1"); got != "-"+ErrNoLeader.Error()+"\r\n" {
		t.Fatalf("no leader: %q", got)
	}
}

func TestFailoverErrorsAndIsMasterDown(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "m", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	c := testutil.Dial(t, fx.addr)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "+OK\r\n"},
		{errInProgress, "-INPROG Failover already in progress\r\n"},
		{errNoGoodSlave, "-NOGOODSLAVE No suitable replica to promote\r\n"},
		{errors.New("boom"), "-ERR boom\r\n"},
	} {
		fx.fe.forceFn = func(context.Context, string) error { return tc.err }
		if got := c.Do("SENTINEL", "FAILOVER", "m"); got != tc.want {
			t.Errorf("FAILOVER with %v: %q", tc.err, got)
		}
	}
	addr := Addr{IP: "127.0.0.1", Port: 6379}
	if got := c.Do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*"); got != "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n" {
		t.Fatalf("up: %q", got)
	}
	fx.local.down[addr] = true
	if got := c.Do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*"); got != "*3\r\n:1\r\n$1\r\n*\r\n:0\r\n" {
		t.Fatalf("down: %q", got)
	}
	fx.local.tilt = true
	if got := c.Do("SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*"); got != "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n" {
		t.Fatalf("tilt: %q", got)
	}
	if info := c.Do("INFO", "sentinel"); !strings.Contains(info, "sentinel_tilt:1\r\n") {
		t.Fatalf("INFO in TILT: %q", info)
	}
}

func TestInfoCacheAndDebugAndSimulate(t *testing.T) {
	fx := startAPI(t)
	fx.apply(t, Command{Op: OpMonitor, Name: "m", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	fx.apply(t, Command{Op: OpReplica, Name: "m", IP: "127.0.0.1", Port: 6380})
	fx.local.inst[Addr{IP: "127.0.0.1", Port: 6379}] = InstanceStatus{InfoAt: time.Now().Add(-1500 * time.Millisecond), Info: "# Server\r\nrole:master\r\n"}
	c := testutil.Dial(t, fx.addr)
	v, err := testutil.Query(fx.addr, "SENTINEL", "INFO-CACHE", "m", "nope")
	if err != nil {
		t.Fatal(err)
	}
	top := v.([]any)
	if len(top) != 2 || top[0] != "m" {
		t.Fatalf("INFO-CACHE: %#v", v)
	}
	insts := top[1].([]any)
	first := insts[0].([]any)
	if len(insts) != 2 || first[0].(int64) < 1500 || first[1] != "# Server\r\nrole:master\r\n" || insts[1].([]any)[1] != nil {
		t.Fatalf("INFO-CACHE entries: %#v", insts)
	}
	if got := c.Do("SENTINEL", "DEBUG", "ping-period", "500", "ask-period", "200"); got != "+OK\r\n" {
		t.Fatalf("DEBUG set: %q", got)
	}
	if k := fx.s.knobs.Get(); k.PingPeriod != 500 || k.AskPeriod != 200 {
		t.Fatalf("knobs %+v", k)
	}
	c.Do("SENTINEL", "SIMULATE-FAILURE", "crash-after-promotion", "crash-after-election")
	if fx.s.simulate.Load() != simCrashAfterElection|simCrashAfterPromotion {
		t.Fatalf("simulate flags %d", fx.s.simulate.Load())
	}
	c.Do("SENTINEL", "SIMULATE-FAILURE", "crash-after-election", "bogus")
	if fx.s.simulate.Load() != simCrashAfterElection {
		t.Fatalf("flags after a bad name: %d", fx.s.simulate.Load())
	}
}

func TestRaftSubcommandsWithoutRaft(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	st := pairsOf(t, fx.addr, "SENTINEL", "RAFT", "STATUS")
	if st["state"] != "Shutdown" || st["peers"] != "0" || len(st) != 10 {
		t.Fatalf("RAFT STATUS: %v", st)
	}
	if got := c.Do("SENTINEL", "RAFT", "PEERS"); got != "-"+errRaftNotReady.Error()+"\r\n" {
		t.Fatalf("PEERS: %q", got)
	}
	if got := c.Do("SENTINEL", "RAFT", "BOGUS"); got != "-"+errRaftUsage+"\r\n" {
		t.Fatalf("bogus: %q", got)
	}
	b, _ := json.Marshal(Command{Op: OpMonitor, Name: "x"})
	if got := c.Do("SENTINEL", "RAFT", "APPLY", string(b)); got != "-"+errRaftNotReady.Error()+"\r\n" {
		t.Fatalf("APPLY: %q", got)
	}
	if info := c.Do("INFO", "raft"); !strings.Contains(info, "# Raft\r\nraft_id:\r\n") || !strings.Contains(info, "raft_state:Shutdown\r\n") {
		t.Fatalf("INFO raft: %q", info)
	}
	if info := c.Do("INFO"); strings.Contains(info, "raft") {
		t.Fatalf("default INFO has raft: %q", info)
	}
}
