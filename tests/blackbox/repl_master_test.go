package blackbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// replInfo returns one field of INFO <section>.
func replInfo(t *testing.T, c *testutil.Conn, section, name string) string {
	t.Helper()
	for _, l := range strings.Split(c.Do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

// waitSynced waits until the replica processed everything the master
// produced and its link is up.
func waitSynced(t *testing.T, m, r *testutil.Conn) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mo := replInfo(t, m, "replication", "master_repl_offset")
		if replInfo(t, r, "replication", "master_link_status") == "up" &&
			replInfo(t, r, "replication", "slave_repl_offset") == mo {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("replica did not catch up: master %s replica %s", replInfo(t, m, "replication", "master_repl_offset"),
		replInfo(t, r, "replication", "slave_repl_offset"))
}

// mixedWrites touches every type, several databases, expiring keys and
// MULTI blocks.
func mixedWrites(c *testutil.Conn, round int) {
	var b []byte
	n := 0
	add := func(args ...string) { b = append(b, testutil.Encode(args...)...); n++ }
	for i := 0; i < 300; i++ {
		k := fmt.Sprintf("%d:%d", round, i)
		add("SELECT", fmt.Sprint(i%3))
		add("SET", "s"+k, k)
		add("SET", "e"+k, k, "EX", "1000")
		add("RPUSH", "l", k)
		add("HSET", "h"+fmt.Sprint(i%10), k, k)
		add("SADD", "set", k)
		add("ZADD", "z", fmt.Sprint(i), k)
		add("INCRBY", "counter", "3")
		add("XADD", "x", "*", "f", k)
		add("MULTI")
		add("SET", "m"+k, "1")
		add("EXPIRE", "m"+k, "500")
		add("LPOP", "l")
		add("EXEC")
	}
	c.Send(b)
	for i := 0; i < n; i++ {
		c.ReadReply(5 * time.Second)
	}
}

// A real redis-server replica of a Redoubt master goes through a full
// sync (disk-style $<len> and diskless $EOF:), follows the stream, and
// resyncs partially after its link is cut; both datasets end equal.
func TestRealRedisReplicatesFromRedoubtMaster(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	t.Run("disk", func(t *testing.T) {
		realReplicaScenario(t, "Full resync from master", "--repl-diskless-sync", "no")
	})
	t.Run("diskless", func(t *testing.T) {
		realReplicaScenario(t, "MASTER <-> REPLICA sync: receiving streamed RDB from master", "--repl-diskless-sync-delay", "0")
	})
}

func realReplicaScenario(t *testing.T, replicaLogLine string, masterArgs ...string) {
	m := testutil.StartRedoubt(t, append([]string{"--enable-debug-command", "yes"}, masterArgs...)...)
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0) // before the replica: goes in the RDB

	r := testutil.StartRedis(t, "--enable-debug-command", "yes", "--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	mixedWrites(mc, 1) // during and after the full sync: the stream
	waitSynced(t, mc, rc)
	if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
		t.Fatalf("digest after full sync: master %q replica %q", md, rd)
	}
	if got := replInfo(t, mc, "replication", "connected_slaves"); got != "1" {
		t.Fatalf("connected_slaves %s", got)
	}
	if got := mc.Do("WAIT", "1", "1000"); got != ":1\r\n" {
		t.Fatalf("WAIT 1: %q", got)
	}
	if got := mc.Do("WAIT", "2", "100"); got != ":1\r\n" {
		t.Fatalf("WAIT 2 with one replica: %q", got)
	}

	// Cut the link; the replica reconnects with PSYNC and continues.
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
	if !strings.Contains(r.Output(), replicaLogLine) {
		t.Fatalf("replica log lacks %q:\n%s", replicaLogLine, r.Output())
	}
	if !strings.Contains(r.Output(), "Successful partial resynchronization with master") {
		t.Fatalf("replica log has no partial resync:\n%s", r.Output())
	}
}

// redis-cli --rdb against a Redoubt master writes a file the real
// redis-server loads with the same dataset.
func TestRedisCliRdbFromRedoubtLoadsInRedis(t *testing.T) {
	cli := testutil.RequireBinary(t, "redis-cli")
	m := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0")
	mc := testutil.Dial(t, m.Addr)
	defer mc.Close()
	mixedWrites(mc, 0)
	dir := t.TempDir()
	file := filepath.Join(dir, "dump.rdb")
	out, err := exec.Command(cli, "-p", fmt.Sprint(m.Port), "--rdb", file).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --rdb: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(file)
	r := testutil.StartRedis(t, "--enable-debug-command", "yes", "--dir", dir)
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
		t.Fatalf("digest of the --rdb file (%d bytes): master %q redis %q", len(raw), md, rd)
	}
	// The rdb-only connection is gone once the file is sent.
	if got := replInfo(t, mc, "replication", "connected_slaves"); got != "0" {
		t.Fatalf("connected_slaves %s after --rdb", got)
	}
}
