package blackbox

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// starter starts one server process with extra directives.
type starter func(t testing.TB, extra ...string) *testutil.Proc

var impls = []struct {
	name  string
	start starter
}{
	{"redis", testutil.StartRedis},
	{"redoubt", testutil.StartRedoubt},
}

// waitUntil polls cond for up to 15 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// FAILOVER's argument and state errors, byte for byte as the real
// redis-server gives them: first with no replica, then with one replica
// still waiting for its (delayed diskless) payload, then on the replica.
func TestFailoverRepliesMatchRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	var got [2][]string
	for i, impl := range impls {
		m := impl.start(t, "--repl-diskless-sync-delay", "100")
		mc := testutil.Dial(t, m.Addr)
		var r *testutil.Proc
		do := func(c *testutil.Conn, args ...string) {
			line := fmt.Sprintf("%q -> %q", args, c.Do(args...))
			if r != nil {
				line = strings.ReplaceAll(line, strconv.Itoa(r.Port), "PORT")
			}
			got[i] = append(got[i], line)
		}
		for _, args := range [][]string{
			{"FAILOVER", "ABORT"}, {"FAILOVER", "abort", "x"}, {"FAILOVER", "TIMEOUT", "0"},
			{"FAILOVER", "TIMEOUT", "-1"}, {"FAILOVER", "TIMEOUT", "1.5"}, {"FAILOVER", "TIMEOUT", "5", "TIMEOUT", "5"},
			{"FAILOVER", "TIMEOUT"}, {"FAILOVER", "TO", "h"}, {"FAILOVER", "TO", "h", "p"},
			{"FAILOVER", "TO", "h", "1", "TO", "h", "2"}, {"FAILOVER", "FORCE", "force"}, {"FAILOVER", "bogus"},
			{"FAILOVER"}, {"FAILOVER", "FORCE"}, {"FAILOVER", "TO", "127.0.0.1", "1"},
			{"PSYNC", "x", "1", "FAILOVER"}, {"PSYNC", "x", "1", "failover", "extra"},
		} {
			do(mc, args...)
		}
		r = impl.start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
		rc := testutil.Dial(t, r.Addr)
		waitUntil(t, "replica attached", func() bool { return replInfo(t, mc, "replication", "connected_slaves") == "1" })
		port := strconv.Itoa(r.Port)
		for _, args := range [][]string{
			{"FAILOVER", "FORCE"}, {"FAILOVER", "FORCE", "TIMEOUT", "10"}, {"FAILOVER", "TO", "127.0.0.1", port, "FORCE"},
			{"FAILOVER", "TO", "127.0.0.1", "1"}, {"FAILOVER", "TO", "localhost", port},
			{"FAILOVER", "TO", "127.0.0.1", port}, {"FAILOVER", "ABORT"},
		} {
			do(mc, args...)
		}
		id := replInfo(t, rc, "replication", "master_replid")
		for _, args := range [][]string{
			{"FAILOVER"}, {"FAILOVER", "TIMEOUT", "0"}, {"PSYNC", strings.Repeat("f", 40), "1", "FAILOVER"},
			{"PSYNC", "?", "-1"}, {"COMMAND", "INFO", "FAILOVER"},
		} {
			do(rc, args...)
		}
		if id == "" {
			t.Fatal("no replid on the replica")
		}
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Errorf("redis:   %s\nredoubt: %s", got[0][i], got[1][i])
		}
	}
}

// While waiting for a stopped target: INFO shows waiting-for-sync, ROLE
// still master, reads are served and a write is held; REPLICAOF, PSYNC
// and another FAILOVER are refused; ABORT releases the write. Same bytes
// as the real server.
func TestFailoverWaitingStateMatchesRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	var got [2][]string
	for i, impl := range impls {
		m := impl.start(t, "--repl-diskless-sync-delay", "0")
		mc := testutil.Dial(t, m.Addr)
		r := impl.start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
		rc := testutil.Dial(t, r.Addr)
		mc.Do("SET", "k", "1")
		waitSynced(t, mc, rc)
		r.Cmd.Process.Signal(syscall.SIGSTOP)
		mc.Do("SET", "k", "2")
		note := func(s string) { got[i] = append(got[i], s) }
		do := func(args ...string) {
			note(strings.ReplaceAll(fmt.Sprintf("%q -> %q", args, mc.Do(args...)), strconv.Itoa(r.Port), "PORT"))
		}
		do("FAILOVER", "TO", "127.0.0.1", strconv.Itoa(r.Port), "TIMEOUT", "60000")
		note("state " + replInfo(t, mc, "replication", "master_failover_state"))
		do("FAILOVER")
		do("REPLICAOF", "127.0.0.1", "1")
		do("GET", "k")
		do("CLIENT", "UNPAUSE")
		role := mc.Do("ROLE")
		note("role " + role[:strings.Index(role, ":")])
		p := testutil.Dial(t, m.Addr)
		note(fmt.Sprintf("PSYNC -> %q", p.Do("PSYNC", "?", "-1")))
		w := testutil.Dial(t, m.Addr)
		w.Send(testutil.Encode("SET", "k", "3"))
		held, err := w.ReadReply(500 * time.Millisecond)
		note(fmt.Sprintf("held write: %q %v", held, err != nil))
		do("FAILOVER", "ABORT")
		held, err = w.ReadReply(2 * time.Second)
		note(fmt.Sprintf("released write: %q %v", held, err))
		note("state " + replInfo(t, mc, "replication", "master_failover_state"))
		r.Cmd.Process.Signal(syscall.SIGCONT)
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Errorf("redis:   %s\nredoubt: %s", got[0][i], got[1][i])
		}
	}
}

// incrWriter INCRs a counter on whichever node is the master, moving to
// the other node on -READONLY, and counts the INCRs that succeeded.
type incrWriter struct {
	addrs []string
	mu    sync.Mutex
	ok    int64
	last  int64
	errs  []string
	stop  chan struct{}
	done  chan struct{}
}

func startIncrWriter(addrs ...string) *incrWriter {
	w := &incrWriter{addrs: addrs, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *incrWriter) run() {
	defer close(w.done)
	cur := 0
	for {
		nc, err := net.Dial("tcp", w.addrs[cur])
		if err != nil {
			w.fail(err.Error())
			return
		}
		br := bufio.NewReader(nc)
		for {
			select {
			case <-w.stop:
				nc.Close()
				return
			default:
			}
			nc.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := nc.Write(testutil.Encode("INCR", "fo:n")); err != nil {
				w.fail(err.Error())
				return
			}
			line, err := br.ReadString('\n')
			if err != nil {
				w.fail(err.Error())
				return
			}
			if strings.HasPrefix(line, "-READONLY") {
				nc.Close()
				cur = (cur + 1) % len(w.addrs)
				time.Sleep(5 * time.Millisecond)
				break
			}
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, ":")), 10, 64)
			if err != nil {
				w.fail("reply " + line)
				return
			}
			w.mu.Lock()
			w.ok++
			w.last = n
			w.mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}
}

func (w *incrWriter) fail(s string) {
	w.mu.Lock()
	w.errs = append(w.errs, s)
	w.mu.Unlock()
}

func (w *incrWriter) finish(t *testing.T) (ok, last int64) {
	t.Helper()
	close(w.stop)
	<-w.done
	if len(w.errs) > 0 {
		t.Fatalf("writer: %v", w.errs)
	}
	return w.ok, w.last
}

// failoverScenario: master M with target T and optionally a sibling S
// under load from a writer; FAILOVER (TO T, or to any replica) swaps M
// and T without a full sync anywhere and without losing an acknowledged
// write; S ends up following M (now T's replica) after a partial resync.
func failoverScenario(t *testing.T, startM, startT, startS starter, to bool) {
	dbg := []string{"--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"}
	m := startM(t, dbg...)
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0)
	tp := startT(t, append(dbg, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))...)
	tc := testutil.Dial(t, tp.Addr)
	defer tc.Close()
	var sc *testutil.Conn
	if startS != nil {
		sp := startS(t, append(dbg, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))...)
		sc = testutil.Dial(t, sp.Addr)
		defer sc.Close()
		waitSynced(t, mc, sc)
	}
	waitSynced(t, mc, tc)
	w := startIncrWriter(m.Addr, tp.Addr)
	mixedWrites(mc, 1)
	time.Sleep(200 * time.Millisecond)
	args := []string{"FAILOVER"}
	if to {
		args = append(args, "TO", "127.0.0.1", strconv.Itoa(tp.Port))
	}
	if got := mc.Do(args...); got != "+OK\r\n" {
		t.Fatalf("%v: %q", args, got)
	}
	waitUntil(t, "roles swapped", func() bool {
		return replInfo(t, tc, "replication", "role") == "master" &&
			replInfo(t, mc, "replication", "role") == "slave" &&
			replInfo(t, mc, "replication", "master_link_status") == "up" &&
			replInfo(t, mc, "replication", "master_failover_state") == "no-failover"
	})
	if got := replInfo(t, mc, "replication", "master_port"); got != strconv.Itoa(tp.Port) {
		t.Fatalf("old master follows port %s", got)
	}
	time.Sleep(300 * time.Millisecond) // the writer goes on against the new master
	ok, last := w.finish(t)
	mixedWrites(tc, 2)
	waitSynced(t, tc, mc)
	if sc != nil {
		waitSynced(t, tc, sc)
	}
	tc.Do("SELECT", "0")
	if got := tc.Do("GET", "fo:n"); got != fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.FormatInt(ok, 10)), ok) || last != ok {
		t.Fatalf("counter %q after %d acknowledged INCRs (last reply %d)", got, ok, last)
	}
	td := tc.Do("DEBUG", "DIGEST")
	if md := mc.Do("DEBUG", "DIGEST"); md != td {
		t.Fatalf("digest: new master %q old master %q", td, md)
	}
	if got := replInfo(t, tc, "stats", "sync_partial_ok"); got != "1" {
		t.Fatalf("new master sync_partial_ok %s", got)
	}
	if got := replInfo(t, tc, "stats", "sync_full"); got != "0" {
		t.Fatalf("new master sync_full %s", got)
	}
	wantFull := "1"
	if sc != nil {
		wantFull = "2"
		if sd := sc.Do("DEBUG", "DIGEST"); sd != td {
			t.Fatalf("digest: new master %q sibling %q", td, sd)
		}
		if got := replInfo(t, mc, "stats", "sync_partial_ok"); got != "1" {
			t.Fatalf("old master sync_partial_ok %s (the sibling's resync)", got)
		}
	}
	if got := replInfo(t, mc, "stats", "sync_full"); got != wantFull {
		t.Fatalf("old master sync_full %s, want %s", got, wantFull)
	}
	if got := tc.Do("ROLE"); !strings.HasPrefix(got, "*3\r\n$6\r\nmaster\r\n") {
		t.Fatalf("new master ROLE %q", got)
	}
	if got := mc.Do("ROLE"); !strings.Contains(got, "$9\r\nconnected\r\n") {
		t.Fatalf("old master ROLE %q", got)
	}
}

func TestFailoverRedoubtToRedoubt(t *testing.T) {
	failoverScenario(t, testutil.StartRedoubt, testutil.StartRedoubt, testutil.StartRedoubt, true)
}

// A Redoubt master hands over to a real redis-server replica, picked
// without TO as the replica that acknowledged everything.
func TestFailoverRedoubtToRealRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	failoverScenario(t, testutil.StartRedoubt, testutil.StartRedis, nil, false)
}

// A real master hands over to a Redoubt replica: the target side (PSYNC
// ... FAILOVER promotes it, +CONTINUE from the shifted history), with a
// real sibling that ends up chained through the old master.
func TestFailoverRealRedisToRedoubt(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	failoverScenario(t, testutil.StartRedis, testutil.StartRedoubt, testutil.StartRedis, true)
}

// The same scenario with real servers only, to keep the expectations
// honest.
func TestFailoverRealRedisToRealRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	failoverScenario(t, testutil.StartRedis, testutil.StartRedis, testutil.StartRedis, true)
}

// FORCE with TIMEOUT: the target (stopped) never catches up; when the
// timeout passes the master switches over anyway and stays a replica in
// failover-in-progress until the target answers its PSYNC FAILOVER;
// then the target is the only master. Same states as the real server.
func TestFailoverForceAfterTimeoutMatchesRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	var got [2][]string
	for i, impl := range impls {
		m := impl.start(t, "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes")
		mc := testutil.Dial(t, m.Addr)
		r := impl.start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port), "--enable-debug-command", "yes",
			"--repl-diskless-sync-delay", "0")
		rc := testutil.Dial(t, r.Addr)
		mc.Do("SET", "k", "1")
		waitSynced(t, mc, rc)
		r.Cmd.Process.Signal(syscall.SIGSTOP)
		mc.Do("SET", "k", "2")
		note := func(s string) { got[i] = append(got[i], s) }
		note(mc.Do("FAILOVER", "TO", "127.0.0.1", strconv.Itoa(r.Port), "FORCE", "TIMEOUT", "300"))
		note("state " + replInfo(t, mc, "replication", "master_failover_state"))
		waitUntil(t, "timeout", func() bool {
			return replInfo(t, mc, "replication", "master_failover_state") != "waiting-for-sync"
		})
		time.Sleep(200 * time.Millisecond)
		note("state " + replInfo(t, mc, "replication", "master_failover_state"))
		note("role " + replInfo(t, mc, "replication", "role") + " link " + replInfo(t, mc, "replication", "master_link_status"))
		r.Cmd.Process.Signal(syscall.SIGCONT)
		deadline := time.Now().Add(20 * time.Second)
		for replInfo(t, mc, "replication", "master_failover_state") != "no-failover" ||
			replInfo(t, mc, "replication", "master_link_status") != "up" {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not switched over:\n%s\n%s\n--- old master log\n%s\n--- target log\n%s", impl.name,
					mc.Do("INFO", "replication"), rc.Do("INFO", "replication"), m.Output(), r.Output())
			}
			time.Sleep(20 * time.Millisecond)
		}
		note("old master role " + replInfo(t, mc, "replication", "role"))
		note("target role " + replInfo(t, rc, "replication", "role"))
		waitSynced(t, rc, mc)
		md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST")
		note(fmt.Sprintf("digests equal %v", md == rd && strings.HasPrefix(md, "+")))
		note(fmt.Sprintf("log %v", strings.Contains(m.Output(), "time out exceeded, failing over.")))
	}
	for i := range got[0] {
		if got[0][i] != got[1][i] {
			t.Errorf("redis:   %s\nredoubt: %s", got[0][i], got[1][i])
		}
	}
	if len(got[0]) < 8 || got[0][2] != "state failover-in-progress" {
		t.Fatalf("unexpected run: %q", got[0])
	}
}
