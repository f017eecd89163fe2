package blackbox

import (
	"strconv"
	"testing"

	"redoubt/internal/testutil"
)

// INFO stats counts replication traffic apart from client traffic: once
// a replica is in sync, what the master sends its single replica and what
// the replica reads from its master both grow by exactly the growth of
// the replication offset. Checked with Redoubt on either side of a real
// redis-server, and on a pair of real servers for reference.
func TestReplNetBytesFollowTheStream(t *testing.T) {
	stat := func(c *testutil.Conn, name string) int64 {
		n, err := strconv.ParseInt(replInfo(t, c, "stats", name), 10, 64)
		if err != nil {
			t.Fatalf("INFO stats %s: %v", name, err)
		}
		return n
	}
	offset := func(c *testutil.Conn) int64 {
		n, _ := strconv.ParseInt(replInfo(t, c, "replication", "master_repl_offset"), 10, 64)
		return n
	}
	pair := func(name string, master, replica func(args ...string) *testutil.Proc) {
		m := master("--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "100")
		mc := testutil.Dial(t, m.Addr)
		mixedWrites(mc, 0)
		r := replica("--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
		rc := testutil.Dial(t, r.Addr)
		waitSynced(t, mc, rc)
		if stat(mc, "total_net_repl_output_bytes") == 0 || stat(rc, "total_net_repl_input_bytes") == 0 {
			t.Errorf("%s: the full sync was not counted", name)
		}
		if stat(mc, "total_net_repl_input_bytes") != 0 || stat(rc, "total_net_repl_output_bytes") != 0 {
			t.Errorf("%s: traffic counted in the wrong direction", name)
		}
		out0, in0, off0 := stat(mc, "total_net_repl_output_bytes"), stat(rc, "total_net_repl_input_bytes"), offset(mc)
		mixedWrites(mc, 1)
		waitSynced(t, mc, rc)
		d := offset(mc) - off0
		if got := stat(mc, "total_net_repl_output_bytes") - out0; got != d {
			t.Errorf("%s: master sent %d repl bytes for %d stream bytes", name, got, d)
		}
		if got := stat(rc, "total_net_repl_input_bytes") - in0; got != d {
			t.Errorf("%s: replica read %d repl bytes for %d stream bytes", name, got, d)
		}
	}
	redis := func(args ...string) *testutil.Proc { return testutil.StartRedis(t, args...) }
	ours := func(args ...string) *testutil.Proc { return testutil.StartRedoubt(t, args...) }
	pair("redis->redis", redis, redis)
	pair("redoubt->redis", ours, redis)
	pair("redis->redoubt", redis, ours)
}
