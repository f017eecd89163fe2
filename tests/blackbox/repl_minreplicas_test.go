package blackbox

import (
	"strconv"
	"testing"

	"redoubt/internal/testutil"
)

// min-replicas-to-write: writes are refused with Redis's NOREPLICAS error
// until a good replica (here a real redis-server) is attached; the same
// setup on a real master answers the same bytes.
func TestMinReplicasToWrite(t *testing.T) {
	args := []string{"--min-replicas-to-write", "1", "--min-replicas-max-lag", "10", "--repl-diskless-sync-delay", "0"}
	real := testutil.StartRedis(t, args...)
	ours := testutil.StartRedoubt(t, args...)
	rc := testutil.Dial(t, real.Addr)
	m := testutil.Dial(t, ours.Addr)
	want := rc.Do("SET", "a", "1")
	if got := m.Do("SET", "a", "1"); got != want || got != "-NOREPLICAS Not enough good replicas to write.\r\n" {
		t.Fatalf("without replicas: redoubt %q, redis %q", got, want)
	}
	if got := m.Do("GET", "a"); got != "$-1\r\n" {
		t.Fatalf("read refused: %q", got)
	}
	if v := replInfo(t, m, "replication", "min_slaves_good_slaves"); v != "0" {
		t.Fatalf("min_slaves_good_slaves = %q", v)
	}
	rep := testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(ours.Port))
	r := testutil.Dial(t, rep.Addr)
	waitSynced(t, m, r)
	if got := m.Do("SET", "a", "1"); got != "+OK\r\n" {
		t.Fatalf("with a good replica: %q", got)
	}
	if v := replInfo(t, m, "replication", "min_slaves_good_slaves"); v != "1" {
		t.Fatalf("min_slaves_good_slaves = %q", v)
	}
}
