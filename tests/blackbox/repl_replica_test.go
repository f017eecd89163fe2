package blackbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// A Redoubt replica of a real redis-server master goes through a full
// sync ($<len> and $EOF: forms), follows the stream, resyncs partially
// after the master cuts the link, and becomes writable after REPLICAOF
// NO ONE with its IDs shifted.
func TestRedoubtReplicatesFromRealRedisMaster(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	t.Run("disk", func(t *testing.T) { redoubtReplicaScenario(t, "--repl-diskless-sync", "no") })
	t.Run("diskless", func(t *testing.T) {
		redoubtReplicaScenario(t, "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
	})
}

func redoubtReplicaScenario(t *testing.T, masterArgs ...string) {
	m := testutil.StartRedis(t, append([]string{"--enable-debug-command", "yes"}, masterArgs...)...)
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0) // in the RDB payload

	r := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	mixedWrites(mc, 1) // the stream
	waitSynced(t, mc, rc)
	if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
		t.Fatalf("digest after full sync: master %q replica %q", md, rd)
	}
	if got := replInfo(t, rc, "replication", "master_replid"); got != replInfo(t, mc, "replication", "master_replid") {
		t.Fatalf("replica replid %s differs from the master's", got)
	}
	if got := rc.Do("SET", "k", "v"); got != "-READONLY You can't write against a read only replica.\r\n" {
		t.Fatalf("write on replica: %q", got)
	}
	if got := rc.Do("REPLICAOF", "127.0.0.1", fmt.Sprint(m.Port)); got != "+OK Already connected to specified master\r\n" {
		t.Fatalf("REPLICAOF same master: %q", got)
	}
	if got := rc.Do("ROLE"); !strings.Contains(got, "connected") {
		t.Fatalf("ROLE: %q", got)
	}

	// The master drops us; we come back with PSYNC and continue.
	mc.Do("CLIENT", "KILL", "TYPE", "replica")
	mixedWrites(mc, 2)
	waitSynced(t, mc, rc)
	if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
		t.Fatalf("digest after partial resync: master %q replica %q", md, rd)
	}
	if got := replInfo(t, mc, "stats", "sync_partial_ok"); got != "1" {
		t.Fatalf("master sync_partial_ok %s", got)
	}
	if got := replInfo(t, mc, "stats", "sync_full"); got != "1" {
		t.Fatalf("master sync_full %s (a partial resync was expected)", got)
	}

	// Promotion: writable, old history kept as replid2 up to offset+1.
	oldID := replInfo(t, rc, "replication", "master_replid")
	off := replInfo(t, rc, "replication", "master_repl_offset")
	if got := rc.Do("REPLICAOF", "NO", "ONE"); got != "+OK\r\n" {
		t.Fatalf("REPLICAOF NO ONE: %q", got)
	}
	if got := rc.Do("SET", "k", "v"); got != "+OK\r\n" {
		t.Fatalf("write after promotion: %q", got)
	}
	if got := replInfo(t, rc, "replication", "master_replid2"); got != oldID {
		t.Fatalf("replid2 %s, want %s", got, oldID)
	}
	var n int64
	fmt.Sscan(off, &n)
	if got := replInfo(t, rc, "replication", "second_repl_offset"); got != fmt.Sprint(n+1) {
		t.Fatalf("second_repl_offset %s, want %d", got, n+1)
	}
}

// REPLICAOF's replies on a master: NO ONE is a no-op, a bad port is
// refused, and a new target gives +OK with role:slave at once.
func TestReplicaofReplies(t *testing.T) {
	r := testutil.StartRedoubt(t)
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"REPLICAOF", "no", "one"}, "+OK\r\n"},
		{[]string{"SLAVEOF", "127.0.0.1", "70000"}, "-ERR Invalid master port\r\n"},
		{[]string{"REPLICAOF", "127.0.0.1", "x"}, "-ERR Invalid master port\r\n"},
		{[]string{"REPLICAOF", "127.0.0.1"}, "-ERR wrong number of arguments for 'replicaof' command\r\n"},
		{[]string{"REPLICAOF", "127.0.0.1", "1"}, "+OK\r\n"},
		{[]string{"REPLICAOF", "127.0.0.1", "1"}, "+OK Already connected to specified master\r\n"},
	} {
		if got := rc.Do(tc.args...); got != tc.want {
			t.Fatalf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
	if got := replInfo(t, rc, "replication", "role"); got != "slave" {
		t.Fatalf("role %s", got)
	}
	if got := replInfo(t, rc, "replication", "master_link_status"); got != "down" {
		t.Fatalf("link %s", got)
	}
	if got := rc.Do("REPLICAOF", "NO", "ONE"); got != "+OK\r\n" {
		t.Fatalf("NO ONE: %q", got)
	}
	if got := replInfo(t, rc, "replication", "role"); got != "master" {
		t.Fatalf("role after NO ONE %s", got)
	}
}

// Chained: real master → Redoubt → real replica. The middle node proxies
// the master's stream verbatim and sends nothing of its own (no PINGs),
// so all three end with the same offset and dataset.
func TestRedoubtRelaysStreamToSubReplica(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	m := testutil.StartRedis(t, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0")
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0)
	r1 := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--repl-ping-replica-period", "1", "--repl-diskless-sync-delay", "0",
		"--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
	c1 := testutil.Dial(t, r1.Addr)
	defer c1.Close()
	waitSynced(t, mc, c1)
	r2 := testutil.StartRedis(t, "--enable-debug-command", "yes", "--replicaof", "127.0.0.1", fmt.Sprint(r1.Port))
	c2 := testutil.Dial(t, r2.Addr)
	defer c2.Close()
	mixedWrites(mc, 1)
	time.Sleep(1500 * time.Millisecond) // a ping period on the middle node
	mixedWrites(mc, 2)
	waitSynced(t, mc, c1)
	waitSynced(t, mc, c2)
	md := mc.Do("DEBUG", "DIGEST")
	if d1, d2 := c1.Do("DEBUG", "DIGEST"), c2.Do("DEBUG", "DIGEST"); d1 != md || d2 != md {
		t.Fatalf("digests: master %q middle %q sub %q", md, d1, d2)
	}
	if id := replInfo(t, c2, "replication", "master_replid"); id != replInfo(t, mc, "replication", "master_replid") {
		t.Fatalf("sub-replica replid %s", id)
	}
}

// A replica restarted from its own RDB (repl-id/repl-offset aux fields)
// resumes with a partial resync.
func TestRestartedReplicaResyncsPartially(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	m := testutil.StartRedis(t, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0")
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0)
	r := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
	rc := testutil.Dial(t, r.Addr)
	waitSynced(t, mc, rc)
	rc.Send(testutil.Encode("SHUTDOWN", "SAVE"))
	rc.Close()
	r.Cmd.Process.Wait()
	mixedWrites(mc, 1)
	r2 := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--dir", r.Dir,
		"--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
	rc2 := testutil.Dial(t, r2.Addr)
	defer rc2.Close()
	waitSynced(t, mc, rc2)
	if md, rd := mc.Do("DEBUG", "DIGEST"), rc2.Do("DEBUG", "DIGEST"); md != rd {
		t.Fatalf("digest: master %q replica %q", md, rd)
	}
	if got := replInfo(t, mc, "stats", "sync_partial_ok"); got != "1" {
		t.Fatalf("sync_partial_ok %s (full syncs %s)", got, replInfo(t, mc, "stats", "sync_full"))
	}
}
