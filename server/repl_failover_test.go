package server

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/resp"
	"redoubt/internal/testutil"
)

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestFailoverArgumentErrors(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync-delay", "100")
	c := testutil.Dial(t, addr)
	defer c.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"FAILOVER", "ABORT"}, "-ERR No failover in progress.\r\n"},
		{[]string{"FAILOVER", "TIMEOUT", "0"}, "-ERR FAILOVER timeout must be greater than 0\r\n"},
		{[]string{"FAILOVER", "TIMEOUT", "-5"}, "-ERR FAILOVER timeout must be greater than 0\r\n"},
		{[]string{"FAILOVER", "TIMEOUT", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"FAILOVER", "TIMEOUT", "5", "TIMEOUT", "5"}, "-ERR syntax error\r\n"},
		{[]string{"FAILOVER", "TIMEOUT"}, "-ERR syntax error\r\n"},
		{[]string{"FAILOVER", "TO", "h"}, "-ERR syntax error\r\n"},
		{[]string{"FAILOVER", "TO", "h", "p"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"FAILOVER", "FORCE", "FORCE"}, "-ERR syntax error\r\n"},
		{[]string{"FAILOVER", "ABORT", "TIMEOUT", "5"}, "-ERR syntax error\r\n"},
		{[]string{"FAILOVER"}, "-ERR FAILOVER requires connected replicas.\r\n"},
		{[]string{"FAILOVER", "FORCE"}, "-ERR FAILOVER requires connected replicas.\r\n"},
		{[]string{"PSYNC", "x", "1", "FAILOVER"}, "-ERR PSYNC FAILOVER can't be sent to a master.\r\n"},
	}
	for _, tc := range cases {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v: got %q want %q", tc.args, got, tc.want)
		}
	}
	// A replica still waiting for its diskless payload is attached but
	// not online.
	r := dialReplica(t, addr)
	r.send("REPLCONF", "listening-port", "7777", "capa", "eof")
	r.line()
	r.send("PSYNC", "?", "-1")
	waitFor(t, "replica attached", func() bool { return infoField(t, c, "replication", "connected_slaves") == "1" })
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"FAILOVER", "FORCE"}, "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n"},
		{[]string{"FAILOVER", "FORCE", "TO", "127.0.0.1", "7777"}, "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n"},
		{[]string{"FAILOVER", "TO", "127.0.0.1", "7778"}, "-ERR FAILOVER target HOST and PORT is not a replica.\r\n"},
		{[]string{"FAILOVER", "TO", "127.0.0.1", "7777"}, "-ERR FAILOVER target replica is not online.\r\n"},
	} {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v: got %q want %q", tc.args, got, tc.want)
		}
	}
}

// onlineFakeReplica attaches a fake replica announcing port that is
// online (disk payload read) and has ACKed the master's offset.
func onlineFakeReplica(t *testing.T, addr string, port int, c *testutil.Conn) *fakeReplica {
	r := dialReplica(t, addr)
	r.send("REPLCONF", "listening-port", strconv.Itoa(port), "capa", "psync2")
	r.line()
	r.send("PSYNC", "?", "-1")
	if l := r.line(); !strings.HasPrefix(l, "+FULLRESYNC ") {
		t.Fatalf("got %q", l)
	}
	r.payload()
	waitFor(t, "replica online", func() bool {
		return strings.Contains(infoField(t, c, "replication", "slave0"), "state=online")
	})
	return r
}

func (f *fakeReplica) ack(off string) { f.send("REPLCONF", "ACK", off) }

// A failover waits for the target's ACK with writes held (reads go on),
// and ABORT releases the held write, which then runs on the master.
func TestFailoverWaitsForSyncAndAborts(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync", "no")
	c := testutil.Dial(t, addr)
	defer c.Close()
	r := onlineFakeReplica(t, addr, 7777, c)
	c.Do("SET", "k", "1")
	if got := c.Do("FAILOVER", "TO", "127.0.0.1", "7777"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	if got := infoField(t, c, "replication", "master_failover_state"); got != "waiting-for-sync" {
		t.Fatalf("state %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"FAILOVER"}, "-ERR FAILOVER already in progress.\r\n"},
		{[]string{"REPLICAOF", "127.0.0.1", "1"}, "-ERR REPLICAOF not allowed while failing over.\r\n"},
		{[]string{"PSYNC", "?", "-1"}, "-NOMASTERLINK Can't SYNC while failing over\r\n"},
		{[]string{"GET", "k"}, "$1\r\n1\r\n"},
		{[]string{"CLIENT", "UNPAUSE"}, "+OK\r\n"}, // not ours to end
	} {
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v: got %q want %q", tc.args, got, tc.want)
		}
	}
	w := testutil.Dial(t, addr)
	defer w.Close()
	w.Send(testutil.Encode("SET", "k", "2"))
	if got, err := w.ReadReply(300 * time.Millisecond); err == nil {
		t.Fatalf("write answered during the failover: %q", got)
	}
	if got := c.Do("FAILOVER", "ABORT"); got != "+OK\r\n" {
		t.Fatalf("ABORT: %q", got)
	}
	if got, err := w.ReadReply(2 * time.Second); err != nil || got != "+OK\r\n" {
		t.Fatalf("held write after abort: %q %v", got, err)
	}
	if got := infoField(t, c, "replication", "master_failover_state"); got != "no-failover" {
		t.Fatalf("state %q", got)
	}
	r.nc.Close()
}

func TestFailoverTimeoutAborts(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync", "no")
	c := testutil.Dial(t, addr)
	defer c.Close()
	onlineFakeReplica(t, addr, 7777, c)
	c.Do("SET", "k", "1")
	if got := c.Do("FAILOVER", "TIMEOUT", "200"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	waitFor(t, "timeout", func() bool {
		return infoField(t, c, "replication", "master_failover_state") == "no-failover"
	})
	if got := c.Do("SET", "k", "2"); got != "+OK\r\n" {
		t.Fatalf("write after timeout: %q", got)
	}
	if got := infoField(t, c, "replication", "role"); got != "master" {
		t.Fatalf("role %q", got)
	}
}

// fakeTarget listens as a failover target: it answers the handshake and
// gives psyncReply to PSYNC, reporting the PSYNC it got.
func fakeTarget(t *testing.T, psyncReply string) (int, chan []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan []string, 4)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				rd := resp.NewReader(bufio.NewReader(nc), 4096)
				for {
					args, err := rd.ReadCommand()
					if err != nil {
						return
					}
					var ss []string
					for _, a := range args {
						ss = append(ss, string(a))
					}
					switch strings.ToUpper(ss[0]) {
					case "PING":
						nc.Write([]byte("+PONG\r\n"))
					case "PSYNC":
						got <- ss
						nc.Write([]byte(psyncReply))
						time.Sleep(100 * time.Millisecond)
						return
					default:
						nc.Write([]byte("+OK\r\n"))
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, got
}

// Without TO, the replica that has ACKed everything is picked; the
// master demotes itself and sends PSYNC <replid> <offset+1> FAILOVER. A
// refusal turns it back into a master, with its history shifted.
func TestFailoverTargetRejectsPsync(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync", "no")
	c := testutil.Dial(t, addr)
	defer c.Close()
	port, got := fakeTarget(t, "-ERR nope\r\n")
	r := onlineFakeReplica(t, addr, port, c)
	c.Do("SET", "k", "1")
	id := infoField(t, c, "replication", "master_replid")
	off := infoField(t, c, "replication", "master_repl_offset")
	if got := c.Do("FAILOVER"); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	r.ack(off)
	var req []string
	select {
	case req = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no PSYNC reached the target")
	}
	n, _ := strconv.ParseInt(off, 10, 64)
	if want := []string{"PSYNC", id, strconv.FormatInt(n+1, 10), "FAILOVER"}; strings.Join(req, " ") != strings.Join(want, " ") {
		t.Fatalf("PSYNC %q, want %q", req, want)
	}
	waitFor(t, "abort", func() bool {
		return infoField(t, c, "replication", "role") == "master" &&
			infoField(t, c, "replication", "master_failover_state") == "no-failover"
	})
	if got := infoField(t, c, "replication", "master_replid2"); got != id {
		t.Fatalf("replid2 %q, want %q", got, id)
	}
	if got := c.Do("SET", "k", "2"); got != "+OK\r\n" {
		t.Fatalf("write after abort: %q", got)
	}
}

// A Redoubt master and its Redoubt replica swap roles: the replica
// promotes itself on PSYNC FAILOVER and the old master continues from it
// with a partial resync; held writes are then refused as on a replica.
func TestFailoverSwapsRolesInProcess(t *testing.T) {
	_, maddr := startInProcess(t, "--repl-diskless-sync-delay", "0")
	m := testutil.Dial(t, maddr)
	defer m.Close()
	_, mport, _ := net.SplitHostPort(maddr)
	rs, raddr := startInProcess(t, "--replicaof", "127.0.0.1", mport)
	_ = rs
	r := testutil.Dial(t, raddr)
	defer r.Close()
	_, rport, _ := net.SplitHostPort(raddr)
	for i := 0; i < 50; i++ {
		m.Do("INCR", "n")
	}
	waitFor(t, "replica synced", func() bool {
		return infoField(t, r, "replication", "master_link_status") == "up" &&
			infoField(t, r, "replication", "slave_repl_offset") == infoField(t, m, "replication", "master_repl_offset")
	})
	if got := m.Do("FAILOVER", "TO", "127.0.0.1", rport); got != "+OK\r\n" {
		t.Fatalf("FAILOVER: %q", got)
	}
	waitFor(t, "roles swapped", func() bool {
		return infoField(t, m, "replication", "role") == "slave" &&
			infoField(t, m, "replication", "master_link_status") == "up" &&
			infoField(t, m, "replication", "master_failover_state") == "no-failover" &&
			infoField(t, r, "replication", "role") == "master"
	})
	if got := infoField(t, r, "stats", "sync_partial_ok"); got != "1" {
		t.Fatalf("new master sync_partial_ok %s", got)
	}
	if got := infoField(t, r, "stats", "sync_full"); got != "0" {
		t.Fatalf("new master sync_full %s", got)
	}
	if got := m.Do("SET", "x", "1"); got != "-READONLY You can't write against a read only replica.\r\n" {
		t.Fatalf("write on the old master: %q", got)
	}
	if got := r.Do("INCR", "n"); got != ":51\r\n" {
		t.Fatalf("INCR on the new master: %q", got)
	}
}

// repl-backlog-ttl: once the last replica is gone for longer than the
// TTL, a master frees its backlog and starts a new history.
func TestBacklogTTLFreesMasterBacklog(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync", "no", "--repl-backlog-ttl", "1")
	c := testutil.Dial(t, addr)
	defer c.Close()
	r := onlineFakeReplica(t, addr, 7777, c)
	c.Do("SET", "k", "1")
	id := infoField(t, c, "replication", "master_replid")
	off := infoField(t, c, "replication", "master_repl_offset")
	r.nc.Close()
	waitFor(t, "replica gone", func() bool { return infoField(t, c, "replication", "connected_slaves") == "0" })
	if got := infoField(t, c, "replication", "repl_backlog_active"); got != "1" {
		t.Fatalf("backlog freed at once: %s", got)
	}
	waitFor(t, "backlog freed", func() bool { return infoField(t, c, "replication", "repl_backlog_active") == "0" })
	for name, want := range map[string]string{
		"master_replid2": strings.Repeat("0", 40), "second_repl_offset": "-1", "master_repl_offset": off,
		"repl_backlog_first_byte_offset": "0", "repl_backlog_histlen": "0",
	} {
		if got := infoField(t, c, "replication", name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	if got := infoField(t, c, "replication", "master_replid"); got == id {
		t.Fatalf("replid unchanged after freeing the backlog")
	}
	// Writes no longer move the offset.
	c.Do("SET", "k", "2")
	if got := infoField(t, c, "replication", "master_repl_offset"); got != off {
		t.Fatalf("offset moved without a backlog: %s", got)
	}
}

// The target side: a replica asked PSYNC <its replid> <offset+1>
// FAILOVER promotes itself, then continues the asker from its shifted
// history; another replid is refused.
func TestPsyncFailoverPromotesTarget(t *testing.T) {
	_, maddr := startInProcess(t, "--repl-diskless-sync-delay", "0")
	m := testutil.Dial(t, maddr)
	defer m.Close()
	_, mport, _ := net.SplitHostPort(maddr)
	_, raddr := startInProcess(t, "--replicaof", "127.0.0.1", mport)
	r := testutil.Dial(t, raddr)
	defer r.Close()
	m.Do("SET", "k", "1")
	waitFor(t, "replica synced", func() bool {
		return infoField(t, r, "replication", "master_link_status") == "up" &&
			infoField(t, r, "replication", "slave_repl_offset") == infoField(t, m, "replication", "master_repl_offset")
	})
	id := infoField(t, r, "replication", "master_replid")
	off, _ := strconv.ParseInt(infoField(t, r, "replication", "master_repl_offset"), 10, 64)
	next := strconv.FormatInt(off+1, 10)
	if got := r.Do("PSYNC", strings.Repeat("a", 40), next, "FAILOVER"); got != "-ERR PSYNC FAILOVER replid must match my replid.\r\n" {
		t.Fatalf("wrong replid: %q", got)
	}
	old := dialReplica(t, raddr)
	old.send("REPLCONF", "capa", "psync2")
	old.line()
	old.send("PSYNC", id, next, "FAILOVER")
	l := old.line()
	newID := infoField(t, r, "replication", "master_replid")
	if l != "+CONTINUE "+newID || newID == id {
		t.Fatalf("reply %q, replid now %s (was %s)", l, newID, id)
	}
	for name, want := range map[string]string{"role": "master", "master_replid2": id, "second_repl_offset": next} {
		if got := infoField(t, r, "replication", name); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
	if got := infoField(t, r, "stats", "sync_partial_ok"); got != "1" {
		t.Fatalf("sync_partial_ok %s", got)
	}
}
