package blackbox

import (
	"io"
	"strconv"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// A master that becomes a replica releases its blocked clients with the
// UNBLOCKED error and closes them; real redis-server is run through the
// same steps and must answer the same bytes.
func TestRoleChangeUnblocksBlockedClients(t *testing.T) {
	blockers := [][]string{
		{"BLPOP", "l", "0"},
		{"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"},
		{"BZPOPMIN", "z", "0"},
		{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
		{"WAIT", "1", "0"},
	}
	run := func(addr string) []string {
		var conns []*testutil.Conn
		for _, cmd := range blockers {
			c := testutil.Dial(t, addr)
			c.Send(testutil.Encode(cmd...))
			conns = append(conns, c)
		}
		ctl := testutil.Dial(t, addr)
		// Every blocker is parked once the server lists them.
		deadline := time.Now().Add(5 * time.Second)
		for replInfo(t, ctl, "clients", "blocked_clients") != strconv.Itoa(len(blockers)) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: clients did not block", addr)
			}
			time.Sleep(10 * time.Millisecond)
		}
		port := testutil.FreePort(t)
		if got := ctl.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(port)); got != "+OK\r\n" {
			t.Fatalf("REPLICAOF: %q", got)
		}
		var out []string
		for i, c := range conns {
			r, err := c.ReadReply(3 * time.Second)
			if err != nil {
				t.Fatalf("%s %v: %v", addr, blockers[i], err)
			}
			if _, err := c.ReadReply(3 * time.Second); err != io.EOF {
				t.Errorf("%s %v: connection not closed after the error (%v)", addr, blockers[i], err)
			}
			out = append(out, r)
		}
		return out
	}
	real := testutil.StartRedis(t)
	ours := testutil.StartRedoubt(t)
	want := run(real.Addr)
	got := run(ours.Addr)
	const msg = "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n"
	for i := range blockers {
		if want[i] != msg {
			t.Errorf("redis %v answered %q", blockers[i], want[i])
		}
		if got[i] != want[i] {
			t.Errorf("%v: redoubt %q, redis %q", blockers[i], got[i], want[i])
		}
	}
}
