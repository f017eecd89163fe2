package blackbox

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// repl-backlog-ttl, side by side with the real server: a replica keeps
// its backlog however long it has no replicas of its own; a master frees
// it (and takes a new replid, forgetting the previous one) once it has
// had no replica for longer than the TTL, a freshly promoted replica
// included.
func TestBacklogTTLMatchesRedis(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	var got [2][]string
	for i, impl := range impls {
		m := impl.start(t, "--repl-backlog-ttl", "1", "--repl-diskless-sync-delay", "0")
		mc := testutil.Dial(t, m.Addr)
		r := impl.start(t, "--repl-backlog-ttl", "1", "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
		rc := testutil.Dial(t, r.Addr)
		mc.Do("SET", "k", "1")
		waitSynced(t, mc, rc)
		note := func(what string, c *testutil.Conn) {
			got[i] = append(got[i], what+" active="+replInfo(t, c, "replication", "repl_backlog_active"))
		}
		time.Sleep(2500 * time.Millisecond)
		note("master with a replica", mc)
		note("replica", rc)
		mid := replInfo(t, mc, "replication", "master_replid")
		off := replInfo(t, mc, "replication", "master_repl_offset")
		rc.Do("REPLICAOF", "NO", "ONE")
		waitUntil(t, "replica gone", func() bool { return replInfo(t, mc, "replication", "connected_slaves") == "0" })
		note("master just left alone", mc)
		note("promoted replica", rc)
		waitUntil(t, "master backlog freed", func() bool { return replInfo(t, mc, "replication", "repl_backlog_active") == "0" })
		waitUntil(t, "promoted backlog freed", func() bool { return replInfo(t, rc, "replication", "repl_backlog_active") == "0" })
		got[i] = append(got[i],
			"new replid "+strconv.FormatBool(replInfo(t, mc, "replication", "master_replid") != mid),
			"replid2 cleared "+strconv.FormatBool(replInfo(t, mc, "replication", "master_replid2") == strings.Repeat("0", 40)),
			"second_repl_offset "+replInfo(t, mc, "replication", "second_repl_offset"),
			"offset kept "+strconv.FormatBool(replInfo(t, mc, "replication", "master_repl_offset") == off),
			"first byte "+replInfo(t, mc, "replication", "repl_backlog_first_byte_offset"),
			"histlen "+replInfo(t, mc, "replication", "repl_backlog_histlen"),
		)
	}
	want := []string{"master with a replica active=1", "replica active=1", "master just left alone active=1",
		"promoted replica active=1", "new replid true", "replid2 cleared true", "second_repl_offset -1",
		"offset kept true", "first byte 0", "histlen 0"}
	for i := range want {
		if got[0][i] != want[i] || got[1][i] != want[i] {
			t.Errorf("redis %q, redoubt %q, want %q", got[0][i], got[1][i], want[i])
		}
	}
}
