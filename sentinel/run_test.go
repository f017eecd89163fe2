package sentinel

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"redoubt/internal/resp"
	"redoubt/internal/testutil"
)

func TestCommittedEventsNeverAnnounceASentinelToItself(t *testing.T) {
	evs := []Event{
		{"+sentinel", "sentinel " + idA + " 127.0.0.1 26379 @ m 127.0.0.1 6379"},
		{"+sentinel", "sentinel " + idB + " 127.0.0.1 26380 @ m 127.0.0.1 6379"},
		{"+sentinel-address-switch", "master m 127.0.0.1 6379 ip 127.0.0.2 port 26379 for " + idA},
		{"+monitor", "master m 127.0.0.1 6379 quorum 2"},
	}
	got := notAboutSelf(evs, idA)
	want := []Event{evs[1], evs[3]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(evs) != 4 || evs[0].Channel != "+sentinel" {
		t.Fatal("the input slice was modified")
	}
}

func TestAnnouncedAddressAndRaftDefaults(t *testing.T) {
	cases := []struct {
		bind []string
		ip   string
	}{
		{nil, "127.0.0.1"},
		{[]string{"0.0.0.0"}, "127.0.0.1"},
		{[]string{"*"}, "127.0.0.1"},
		{[]string{"127.0.0.5", "::1"}, "127.0.0.5"},
		{[]string{"-127.0.0.6"}, "127.0.0.6"},
	}
	for _, c := range cases {
		ip, port := announcedAddr(&Config{Bind: c.bind, Port: 26400})
		if ip != c.ip || port != 26400 {
			t.Errorf("bind %v: announced %s:%d, want %s:26400", c.bind, ip, port, c.ip)
		}
	}
	opt := raftOptionsFrom(&Config{Port: 26400, Bind: []string{"127.0.0.5"}, Dir: "/d"}, idA)
	if opt.ID != idA || opt.Addr != "127.0.0.5:26500" || opt.Dir != "/d/raft-26400" {
		t.Fatalf("defaults %+v", opt)
	}
	opt = raftOptionsFrom(&Config{Port: 1, RaftID: "x", RaftAddr: "127.0.0.1:9", RaftDir: "/r", RaftJoin: "127.0.0.1:2"}, idA)
	if opt.ID != "x" || opt.Addr != "127.0.0.1:9" || opt.Dir != "/r" || opt.Join != "127.0.0.1:2" {
		t.Fatalf("explicit %+v", opt)
	}
}

func TestListenAllBindsEveryAddressOrFailsWhole(t *testing.T) {
	port := testutil.FreePort(t)
	lns, err := listenAll(&Config{Port: port, Bind: []string{"127.0.0.1", "127.0.0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range lns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	// The port is taken on 127.0.0.1 now: a second bind list fails and
	// releases what it had opened.
	if _, err := listenAll(&Config{Port: port, Bind: []string{"127.0.0.3", "127.0.0.1"}}); err == nil {
		t.Fatal("bind of a busy address succeeded")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.3", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listener of the failed attempt was not closed: %v", err)
	}
	ln.Close()
	for _, ln := range lns {
		ln.Close()
	}
}

// runQuery sends one command to a sentinel's RESP port (nil on error).
func runQuery(addr string, args ...string) *resp.Value { return runQueryAuth(addr, "", args...) }

// runQueryAuth is runQuery after AUTH pass (when pass is set).
func runQueryAuth(addr, pass string, args ...string) *resp.Value {
	c, err := resp.Dial(context.Background(), addr, time.Second)
	if err != nil {
		return nil
	}
	defer c.Close()
	if pass != "" {
		if v, err := c.Do("AUTH", pass); err != nil || v.IsError() {
			return nil
		}
	}
	v, err := c.Do(args...)
	if err != nil {
		return nil
	}
	return &v
}

// TestRunJoinThroughAPasswordProtectedSentinel: a sentinel started with
// raft-join (no raft-peers) is added to a running group through the RESP
// port of one of its members, authenticating with requirepass, and its
// own proposals are then forwarded to the leader the same way.
func TestRunJoinThroughAPasswordProtectedSentinel(t *testing.T) {
	start := func(extra string) (addr, conf string, sigs chan os.Signal, code chan int) {
		dir := t.TempDir()
		port := testutil.FreePort(t)
		conf = filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nrequirepass pw\nraft-addr 127.0.0.1:%d\n%s\n",
			port, dir, testutil.FreePort(t), extra)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		sigs, code = make(chan os.Signal, 1), make(chan int, 1)
		go func() { code <- run([]string{conf}, sigs) }()
		t.Cleanup(func() {
			sigs <- syscall.SIGTERM
			<-code
		})
		return fmt.Sprintf("127.0.0.1:%d", port), conf, sigs, code
	}
	a, _, _, _ := start("sentinel monitor mymaster 127.0.0.1 1 1")
	waitFor(t, 5*time.Second, "the first sentinel to seed", func() bool {
		v := runQueryAuth(a, "pw", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
		return v != nil && len(v.Array) == 2
	})
	b, _, _, _ := start("raft-join " + a)
	waitFor(t, 5*time.Second, "the joined sentinel to see the group", func() bool {
		v := runQueryAuth(b, "pw", "SENTINEL", "SENTINELS", "mymaster")
		w := runQueryAuth(a, "pw", "SENTINEL", "SENTINELS", "mymaster")
		return v != nil && len(v.Array) == 1 && w != nil && len(w.Array) == 1
	})
	if v := runQueryAuth(b, "pw", "SENTINEL", "MONITOR", "other", "127.0.0.1", "2", "1"); v == nil || v.Type != '+' {
		t.Fatalf("SENTINEL MONITOR on the joined follower: %+v", v)
	}
	waitFor(t, 3*time.Second, "other on the first sentinel", func() bool {
		v := runQueryAuth(a, "pw", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "other")
		return v != nil && len(v.Array) == 2
	})
	v := runQueryAuth(a, "pw", "SENTINEL", "RAFT", "PEERS")
	if v == nil || len(v.Array) != 2 {
		t.Fatalf("SENTINEL RAFT PEERS: %+v", v)
	}
}

func TestRunThreeSentinelsFormAGroupAndStopOnSignal(t *testing.T) {
	type proc struct {
		addr, conf string
		sigs       chan os.Signal
		code       chan int
	}
	dead := testutil.FreePort(t) // a master nobody answers for
	var peers []string
	var procs []*proc
	raftPorts := []int{testutil.FreePort(t), testutil.FreePort(t), testutil.FreePort(t)}
	for i, rp := range raftPorts {
		peers = append(peers, fmt.Sprintf("s%d=127.0.0.1:%d", i+1, rp))
	}
	for i := range 3 {
		dir := t.TempDir()
		port := testutil.FreePort(t)
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds mymaster 60000\nraft-id s%d\nraft-addr 127.0.0.1:%d\nraft-peers %s\n",
			port, dir, dead, i+1, raftPorts[i], strings.Join(peers, ","))
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		p := &proc{addr: fmt.Sprintf("127.0.0.1:%d", port), conf: conf, sigs: make(chan os.Signal, 1), code: make(chan int, 1)}
		go func() { p.code <- run([]string{conf}, p.sigs) }()
		procs = append(procs, p)
		t.Cleanup(func() {
			select {
			case p.sigs <- syscall.SIGTERM:
			default:
			}
		})
	}
	want := fmt.Sprintf("127.0.0.1:%d", dead)
	for _, p := range procs {
		waitFor(t, 10*time.Second, "the seeded master and two peers on "+p.addr, func() bool {
			v := runQuery(p.addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
			if v == nil || len(v.Array) != 2 || net.JoinHostPort(v.Array[0].Str, v.Array[1].Str) != want {
				return false
			}
			v = runQuery(p.addr, "SENTINEL", "SENTINELS", "mymaster")
			return v != nil && len(v.Array) == 2
		})
	}
	// A change made through any sentinel is committed for all of them.
	if v := runQuery(procs[2].addr, "SENTINEL", "MONITOR", "other", "127.0.0.1", "1", "1"); v == nil || v.Type != '+' {
		t.Fatalf("SENTINEL MONITOR: %+v", v)
	}
	for _, p := range procs {
		waitFor(t, 3*time.Second, "other on "+p.addr, func() bool {
			v := runQuery(p.addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "other")
			return v != nil && len(v.Array) == 2
		})
	}
	stopProc := func(p *proc) {
		t.Helper()
		p.sigs <- syscall.SIGTERM
		select {
		case code := <-p.code:
			if code != 0 {
				t.Fatalf("exit code %d", code)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("sentinel did not stop on SIGTERM")
		}
		data, _ := os.ReadFile(p.conf)
		if !strings.Contains(string(data), "other 127.0.0.1 1 1") {
			t.Errorf("%s was not flushed with the committed state:\n%s", p.conf, data)
		}
	}
	// A sentinel restarted with the same file (and so the same raft-dir)
	// is back in the group with the state, and sees what is committed
	// while it was away.
	stopProc(procs[0])
	if v := runQuery(procs[1].addr, "SENTINEL", "REMOVE", "other"); v == nil || v.Type != '+' {
		t.Fatalf("SENTINEL REMOVE: %+v", v)
	}
	go func() { procs[0].code <- run([]string{procs[0].conf}, procs[0].sigs) }()
	waitFor(t, 5*time.Second, "the restarted sentinel to catch up", func() bool {
		v := runQuery(procs[0].addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "other")
		w := runQuery(procs[0].addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
		return v != nil && v.IsNull && w != nil && len(w.Array) == 2
	})
	if v := runQuery(procs[0].addr, "SENTINEL", "MONITOR", "other", "127.0.0.1", "1", "1"); v == nil || v.Type != '+' {
		t.Fatalf("SENTINEL MONITOR on the restarted sentinel: %+v", v)
	}
	for _, p := range procs {
		waitFor(t, 3*time.Second, "other again on "+p.addr, func() bool {
			v := runQuery(p.addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "other")
			return v != nil && len(v.Array) == 2
		})
	}
	for _, p := range procs {
		stopProc(p)
	}
}
