package blackbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Transcript tests: a scripted replication scenario (start nodes, attach
// replicas, write, cut links, promote, restart ...) records an event log
// of what each node reports -- role, link, offsets, sync counters,
// replication IDs (as labels in order of appearance), digest agreement --
// and the log must equal the checked-in one under testdata/transcripts.
// Every scenario runs twice, with real redis-server nodes and with
// Redoubt nodes, against the same file: the expected log is what Redis
// does. REDOUBT_UPDATE_TRANSCRIPTS=1 rewrites the files from the Redis
// run.

type tnode struct {
	name string
	p    *testutil.Proc
	c    *testutil.Conn
}

type transcript struct {
	t     *testing.T
	start starter
	log   strings.Builder
	nodes map[string]*tnode
	ids   map[string]string // replid -> label
}

// nodeArgs keeps the stream free of anything time-driven: no PING in the
// scenario's lifetime, no delay before a diskless sync.
var nodeArgs = []string{"--enable-debug-command", "yes", "--repl-ping-replica-period", "3600",
	"--repl-diskless-sync-delay", "0"}

func (tr *transcript) linef(format string, args ...any) {
	fmt.Fprintf(&tr.log, format+"\n", args...)
}

// run starts a node (extra directives after the common ones).
func (tr *transcript) run(name string, extra ...string) *tnode {
	tr.t.Helper()
	p := tr.start(tr.t, append(append([]string{}, nodeArgs...), extra...)...)
	n := &tnode{name: name, p: p, c: testutil.Dial(tr.t, p.Addr)}
	tr.nodes[name] = n
	return n
}

// label names a replication ID by order of appearance.
func (tr *transcript) label(id string) string {
	if id == strings.Repeat("0", 40) {
		return "none"
	}
	if l, ok := tr.ids[id]; ok {
		return l
	}
	l := "id" + strconv.Itoa(len(tr.ids)+1)
	tr.ids[id] = l
	return l
}

// show logs one node's replication state.
func (tr *transcript) show(n *tnode) {
	tr.t.Helper()
	info := func(sec, f string) string { return replInfo(tr.t, n.c, sec, f) }
	role := info("replication", "role")
	line := n.name + ": role=" + role
	if role == "slave" {
		line += " link=" + info("replication", "master_link_status")
	}
	line += " offset=" + info("replication", "master_repl_offset") +
		" replid=" + tr.label(info("replication", "master_replid")) +
		" replid2=" + tr.label(info("replication", "master_replid2")) +
		" second_offset=" + info("replication", "second_repl_offset") +
		" replicas=" + info("replication", "connected_slaves") +
		" sync_full=" + info("stats", "sync_full") +
		" sync_partial_ok=" + info("stats", "sync_partial_ok") +
		" sync_partial_err=" + info("stats", "sync_partial_err")
	tr.linef("%s", line)
}

// converge waits until every replica's link is up at the master's offset
// and logs whether the datasets agree.
func (tr *transcript) converge(m *tnode, rs ...*tnode) {
	tr.t.Helper()
	var names []string
	for _, r := range rs {
		waitSynced(tr.t, m.c, r.c)
		names = append(names, r.name)
	}
	d := m.c.Do("DEBUG", "DIGEST")
	same := true
	for _, r := range rs {
		if r.c.Do("DEBUG", "DIGEST") != d {
			same = false
		}
	}
	tr.linef("converged: %s and %s at offset %s, digests equal: %v", m.name, strings.Join(names, ", "),
		replInfo(tr.t, m.c, "replication", "master_repl_offset"), same)
}

// write sends n rounds of writes with a fixed encoding (no TTLs, no
// generated IDs): the stream's bytes, hence the offsets, are the same on
// every run.
func (tr *transcript) write(n *tnode, round, count int) {
	var b []byte
	k := 0
	add := func(args ...string) { b = append(b, testutil.Encode(args...)...); k++ }
	for i := 0; i < count; i++ {
		key := fmt.Sprintf("r%d:%d", round, i)
		add("SELECT", strconv.Itoa(i%3))
		add("SET", "s:"+key, key)
		add("INCR", "n")
		add("RPUSH", "l", key)
		add("HSET", "h", key, key)
		add("SADD", "set", key)
		add("ZADD", "z", strconv.Itoa(i), key)
		add("MULTI")
		add("SET", "m:"+key, "1")
		add("INCRBY", "n", "2")
		add("EXEC")
	}
	add("SELECT", "0")
	n.c.Send(b)
	for i := 0; i < k; i++ {
		if _, err := n.c.ReadReply(5 * time.Second); err != nil {
			tr.t.Fatalf("write on %s: %v", n.name, err)
		}
	}
	tr.linef("write %d rounds on %s", count, n.name)
}

// waitLink waits for a replica's link status.
func (tr *transcript) waitLink(n *tnode, status string) {
	tr.t.Helper()
	waitUntil(tr.t, n.name+" link "+status, func() bool {
		return replInfo(tr.t, n.c, "replication", "master_link_status") == status
	})
	tr.linef("%s: link %s", n.name, status)
}

func runTranscript(t *testing.T, name string, scenario func(tr *transcript)) {
	testutil.RequireBinary(t, "redis-server")
	file := filepath.Join("testdata", "transcripts", name+".txt")
	logs := map[string]string{}
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			tr := &transcript{t: t, start: impl.start, nodes: map[string]*tnode{}, ids: map[string]string{}}
			scenario(tr)
			logs[impl.name] = tr.log.String()
		})
	}
	if os.Getenv("REDOUBT_UPDATE_TRANSCRIPTS") == "1" && logs["redis"] != "" {
		os.MkdirAll(filepath.Dir(file), 0o755)
		if err := os.WriteFile(file, []byte(logs["redis"]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("expected log: %v (REDOUBT_UPDATE_TRANSCRIPTS=1 records it from redis-server)", err)
	}
	for impl, got := range logs {
		if got != string(want) {
			t.Errorf("%s transcript differs from %s\n--- got\n%s--- want\n%s", impl, file, got, want)
		}
	}
}

// A replica's link to its master is cut (through a loopback proxy) and
// stays down while the master takes writes; once it is back, the replica
// continues with a partial resync.
func TestTranscriptPartialResyncAfterDroppedLink(t *testing.T) {
	runTranscript(t, "partial_resync_dropped_link", func(tr *transcript) {
		m := tr.run("M")
		tr.linef("start M")
		tr.write(m, 0, 50)
		px := testutil.StartProxy(tr.t, m.p.Addr)
		r := tr.run("R", "--replicaof", "127.0.0.1", strconv.Itoa(px.Port))
		tr.linef("start R, replica of M through a proxy")
		tr.converge(m, r)
		tr.show(m)
		tr.show(r)
		tr.write(m, 1, 50)
		tr.converge(m, r)
		px.SetDown(true)
		tr.linef("cut the link: %d connection(s)", px.Cut())
		tr.waitLink(r, "down")
		tr.write(m, 2, 50)
		tr.show(r)
		px.SetDown(false)
		tr.linef("proxy back up")
		tr.waitLink(r, "up")
		tr.converge(m, r)
		tr.show(m)
		tr.show(r)
		r.c.Do("CLIENT", "KILL", "TYPE", "master")
		tr.linef("R kills its master link (CLIENT KILL TYPE master)")
		tr.write(m, 3, 20)
		tr.converge(m, r)
		tr.show(m)
		tr.show(r)
	})
}

// R1 is promoted with REPLICAOF NO ONE; its sibling R2 and then the old
// master M become its replicas, both with a partial resync thanks to the
// shifted replication IDs.
func TestTranscriptPromotionSiblingResyncsPartially(t *testing.T) {
	runTranscript(t, "promotion_sibling_partial", func(tr *transcript) {
		m := tr.run("M")
		tr.linef("start M")
		tr.write(m, 0, 30)
		r1 := tr.run("R1", "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		r2 := tr.run("R2", "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		tr.linef("start R1 and R2, replicas of M")
		tr.converge(m, r1, r2)
		tr.write(m, 1, 30)
		tr.converge(m, r1, r2)
		tr.show(m)
		tr.linef("R1: REPLICAOF NO ONE -> %q", r1.c.Do("REPLICAOF", "NO", "ONE"))
		tr.show(r1)
		tr.linef("R2: REPLICAOF R1 -> %q", r2.c.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(r1.p.Port)))
		tr.waitLink(r2, "up")
		tr.write(r1, 2, 30)
		tr.converge(r1, r2)
		tr.show(r1)
		tr.show(r2)
		tr.linef("M: REPLICAOF R1 -> %q", m.c.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(r1.p.Port)))
		tr.waitLink(m, "up")
		tr.write(r1, 3, 30)
		tr.converge(r1, r2, m)
		tr.show(r1)
		tr.show(r2)
		tr.show(m)
	})
}

// A replica shuts down saving its RDB (which carries the replication ID
// and offset), misses writes, and on restart from that RDB resyncs
// partially.
func TestTranscriptRestartedReplicaResyncsPartially(t *testing.T) {
	runTranscript(t, "restarted_replica_partial", func(tr *transcript) {
		m := tr.run("M")
		tr.linef("start M")
		tr.write(m, 0, 30)
		r := tr.run("R", "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		tr.linef("start R, replica of M")
		tr.converge(m, r)
		tr.write(m, 1, 30)
		tr.converge(m, r)
		tr.show(r)
		r.c.Send(testutil.Encode("SHUTDOWN", "SAVE"))
		r.p.Cmd.Process.Wait()
		tr.linef("R: SHUTDOWN SAVE")
		waitUntil(tr.t, "R gone", func() bool { return replInfo(tr.t, m.c, "replication", "connected_slaves") == "0" })
		tr.show(m)
		tr.write(m, 2, 30)
		r = tr.run("R", "--dir", r.p.Dir, "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		tr.linef("restart R from its RDB")
		tr.converge(m, r)
		tr.show(m)
		tr.show(r)
	})
}

// FAILOVER TO R1: M holds writes until R1 has everything, then becomes
// R1's replica (PSYNC ... FAILOVER, partial); the sibling R2, dropped by
// M when M adopts R1's new ID, comes back to M with a partial resync and
// follows the new master through it.
func TestTranscriptFailoverSwapsRoles(t *testing.T) {
	runTranscript(t, "failover_swaps_roles", func(tr *transcript) {
		m := tr.run("M")
		tr.linef("start M")
		tr.write(m, 0, 30)
		r1 := tr.run("R1", "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		r2 := tr.run("R2", "--replicaof", "127.0.0.1", strconv.Itoa(m.p.Port))
		tr.linef("start R1 and R2, replicas of M")
		tr.converge(m, r1, r2)
		tr.write(m, 1, 30)
		tr.converge(m, r1, r2)
		tr.show(m)
		tr.linef("M: FAILOVER TO R1 -> %q", m.c.Do("FAILOVER", "TO", "127.0.0.1", strconv.Itoa(r1.p.Port)))
		waitUntil(tr.t, "failover done", func() bool {
			return replInfo(tr.t, m.c, "replication", "master_failover_state") == "no-failover" &&
				replInfo(tr.t, m.c, "replication", "master_link_status") == "up" &&
				replInfo(tr.t, m.c, "stats", "sync_partial_ok") == "1" &&
				replInfo(tr.t, r2.c, "replication", "master_replid") == replInfo(tr.t, r1.c, "replication", "master_replid")
		})
		tr.linef("failover done, R2 back on M")
		tr.show(r1)
		tr.show(m)
		tr.write(r1, 2, 30)
		tr.converge(r1, m, r2)
		tr.show(r1)
		tr.show(m)
		tr.show(r2)
	})
}
