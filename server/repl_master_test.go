package server

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// fakeReplica speaks the replica side of the protocol over a raw socket.
type fakeReplica struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialReplica(t *testing.T, addr string) *fakeReplica {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &fakeReplica{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (f *fakeReplica) send(args ...string) {
	f.t.Helper()
	f.nc.Write(testutil.Encode(args...))
}

// line reads one CRLF line, skipping the keepalive newlines a master may
// send before the payload.
func (f *fakeReplica) line() string {
	f.t.Helper()
	f.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		l, err := f.br.ReadString('\n')
		if err != nil {
			f.t.Fatalf("read: %v", err)
		}
		if l == "\n" {
			continue
		}
		return strings.TrimRight(l, "\r\n")
	}
}

// payload reads a $<len> RDB transfer.
func (f *fakeReplica) payload() []byte {
	f.t.Helper()
	h := f.line()
	n, err := strconv.Atoi(strings.TrimPrefix(h, "$"))
	if !strings.HasPrefix(h, "$") || err != nil {
		f.t.Fatalf("bad payload header %q", h)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f.br, b); err != nil {
		f.t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "REDIS0010") {
		f.t.Fatalf("payload is not an RDB v10: %q", b[:9])
	}
	return b
}

// exact reads exactly want's length and compares.
func (f *fakeReplica) exact(want string) {
	f.t.Helper()
	f.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, len(want))
	if _, err := io.ReadFull(f.br, b); err != nil {
		f.t.Fatalf("read: %v (want %q)", err, want)
	}
	if string(b) != want {
		f.t.Fatalf("stream %q, want %q", b, want)
	}
}

func infoField(t *testing.T, c *testutil.Conn, section, name string) string {
	t.Helper()
	for _, l := range strings.Split(c.Do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

func TestReplconfRepliesLikeRedis(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	defer c.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"REPLCONF"}, "+OK\r\n"},
		{[]string{"REPLCONF", "listening-port"}, "-ERR syntax error\r\n"},
		{[]string{"REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2", "capa", "zzz"}, "+OK\r\n"},
		{[]string{"REPLCONF", "listening-port", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"REPLCONF", "ip-address", strings.Repeat("a", 256)}, "-ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes\r\n"},
		{[]string{"REPLCONF", "rdb-only", "2"}, "-ERR value is out of range, value must between 0 and 1\r\n"},
		{[]string{"REPLCONF", "rdb-filter-only", "functions"}, "+OK\r\n"},
		{[]string{"REPLCONF", "rdb-filter-only", "keys"}, "-ERR Unsupported rdb-filter-only option: keys\r\n"},
		{[]string{"REPLCONF", "nope", "1"}, "-ERR Unrecognized REPLCONF option: nope\r\n"},
		// ACK and GETACK are never answered: the PING reply comes first.
		{[]string{"REPLCONF", "ack", "10"}, ""},
		{[]string{"REPLCONF", "getack", "*"}, ""},
		{[]string{"WAIT", "0", "0"}, ":0\r\n"},
		{[]string{"WAIT", "1", "-1"}, "-ERR timeout is negative\r\n"},
		{[]string{"WAIT", "x", "0"}, "-ERR value is not an integer or out of range\r\n"},
	}
	for _, tc := range cases {
		if tc.want == "" {
			c.Send(testutil.Encode(tc.args...))
			if got := c.Do("PING"); got != "+PONG\r\n" {
				t.Errorf("%v answered: %q", tc.args, got)
			}
			continue
		}
		if got := c.Do(tc.args...); got != tc.want {
			t.Errorf("%v: got %q want %q", tc.args, got, tc.want)
		}
	}
}

func TestSyncSendsDiskPayloadThenStreamWithSelect(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	defer c.Close()
	c.Do("SET", "before", "1")
	r := dialReplica(t, addr)
	r.nc.Write([]byte("SYNC\r\n"))
	r.payload()
	c.Do("SELECT", "2")
	c.Do("SET", "k1", "v1")
	r.exact("*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n")
	if got := infoField(t, c, "stats", "sync_full"); got != "1" {
		t.Fatalf("sync_full %s", got)
	}
}

func TestPsyncContinuesFromBacklogAndRejectsBogusRequests(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	defer c.Close()
	r := dialReplica(t, addr)
	r.send("REPLCONF", "capa", "psync2")
	if l := r.line(); l != "+OK" {
		t.Fatal(l)
	}
	r.send("PSYNC", "?", "-1")
	parts := strings.Fields(r.line())
	if len(parts) != 3 || parts[0] != "+FULLRESYNC" || parts[2] != "0" {
		t.Fatalf("full resync line %v", parts)
	}
	id := parts[1]
	r.payload()
	c.Do("SET", "k1", "v1") // SELECT 0 (23) + SET (29) = offset 52
	r.exact("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n")
	r.nc.Close()
	c.Do("SET", "k2", "v2")

	// Continue from just after the SELECT: the SET k1 and SET k2 bytes.
	r2 := dialReplica(t, addr)
	r2.send("REPLCONF", "capa", "psync2")
	r2.line()
	r2.send("PSYNC", id, "24")
	if l := r2.line(); l != "+CONTINUE "+id {
		t.Fatalf("got %q", l)
	}
	r2.exact("*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n")

	// Without capa psync2 the reply carries no ID.
	r3 := dialReplica(t, addr)
	r3.send("PSYNC", strings.ToUpper(id), "82")
	if l := r3.line(); l != "+CONTINUE" {
		t.Fatalf("got %q", l)
	}
	// Offset 0 is before the backlog; a wrong ID never continues.
	for _, req := range [][2]string{{id, "0"}, {id, "83"}, {strings.Repeat("a", 40), "1"}} {
		rb := dialReplica(t, addr)
		rb.send("PSYNC", req[0], req[1])
		if l := rb.line(); !strings.HasPrefix(l, "+FULLRESYNC "+id+" ") {
			t.Fatalf("%v: got %q", req, l)
		}
	}
	if got := infoField(t, c, "stats", "sync_partial_ok"); got != "2" {
		t.Fatalf("sync_partial_ok %s", got)
	}
	if got := infoField(t, c, "stats", "sync_partial_err"); got != "3" {
		t.Fatalf("sync_partial_err %s", got)
	}
}

func TestWaitCountsAckedReplicasAndSendsOneGetack(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	defer c.Close()
	start := time.Now()
	if got := c.Do("WAIT", "1", "100"); got != ":0\r\n" {
		t.Fatalf("no replicas: %q", got)
	}
	if time.Since(start) < 90*time.Millisecond {
		t.Fatal("WAIT did not wait for its timeout")
	}
	r := dialReplica(t, addr)
	r.send("REPLCONF", "listening-port", "7777")
	r.line()
	r.send("PSYNC", "?", "-1")
	r.line()
	r.payload()
	c.Do("SET", "a", "1")
	r.exact("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n")
	// WAIT blocks (timeout 0) and asks for an ACK; the reply comes once
	// the replica acknowledges the offset before the GETACK.
	c.Send(testutil.Encode("WAIT", "1", "0"))
	r.exact("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n")
	r.send("REPLCONF", "ACK", "50")
	if got, err := c.ReadReply(5 * time.Second); err != nil || got != ":1\r\n" {
		t.Fatalf("WAIT: %q %v", got, err)
	}
	if got := c.Do("ROLE"); got != "*3\r\n$6\r\nmaster\r\n:87\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n7777\r\n$2\r\n50\r\n" {
		t.Fatalf("ROLE %q", got)
	}
	line := infoField(t, c, "replication", "slave0")
	if !strings.HasPrefix(line, "ip=127.0.0.1,port=7777,state=online,offset=50,lag=") {
		t.Fatalf("slave0:%s", line)
	}
}

func TestPingIsAppendedEveryReplicaPingPeriod(t *testing.T) {
	_, addr := startInProcess(t, "--repl-ping-replica-period", "1")
	r := dialReplica(t, addr)
	r.nc.Write([]byte("SYNC\r\n"))
	r.payload()
	r.exact("*1\r\n$4\r\nPING\r\n")
}

// eofPayload reads a $EOF:<mark> transfer up to the closing mark.
func (f *fakeReplica) eofPayload() []byte {
	f.t.Helper()
	h := f.line()
	mark, ok := strings.CutPrefix(h, "$EOF:")
	if !ok || len(mark) != 40 {
		f.t.Fatalf("bad EOF header %q", h)
	}
	var b []byte
	for !strings.HasSuffix(string(b), mark) {
		c, err := f.br.ReadByte()
		if err != nil {
			f.t.Fatal(err)
		}
		b = append(b, c)
	}
	b = b[:len(b)-40]
	if !strings.HasPrefix(string(b), "REDIS0010") {
		f.t.Fatalf("payload is not an RDB v10")
	}
	return b
}

func TestDisklessBatchSharesOffsetAndHoldsStreamUntilAck(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync-delay", "100", "--repl-diskless-sync-max-replicas", "2")
	c := testutil.Dial(t, addr)
	defer c.Close()
	var rs []*fakeReplica
	for i := 0; i < 2; i++ {
		r := dialReplica(t, addr)
		r.send("REPLCONF", "capa", "eof", "capa", "psync2")
		r.line()
		r.send("PSYNC", "?", "-1")
		rs = append(rs, r)
	}
	var lines []string
	for _, r := range rs {
		lines = append(lines, r.line())
		r.eofPayload()
	}
	if lines[0] != lines[1] || !strings.HasPrefix(lines[0], "+FULLRESYNC ") {
		t.Fatalf("batch lines differ: %q", lines)
	}
	c.Do("SET", "k", "v")
	// Nothing is streamed before the replica's first ACK.
	rs[0].nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := rs[0].br.ReadByte(); err == nil {
		t.Fatal("stream sent before REPLCONF ACK")
	}
	rs[0].send("REPLCONF", "ACK", "0")
	rs[0].exact("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
}

func TestSyncWithoutCapaEofGetsDiskPayloadEvenWhenDiskless(t *testing.T) {
	_, addr := startInProcess(t, "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
	r := dialReplica(t, addr)
	r.nc.Write([]byte("SYNC\r\n"))
	r.payload()
}

func TestReplicaThatGeneratesAReplyIsDropped(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	defer c.Close()
	r := dialReplica(t, addr)
	r.nc.Write([]byte("SYNC\r\n"))
	r.payload()
	r.send("PING")
	r.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if b, err := r.br.ReadByte(); err == nil {
		t.Fatalf("replica got %q instead of being dropped", b)
	}
	deadline := time.Now().Add(2 * time.Second)
	for infoField(t, c, "replication", "connected_slaves") != "0" {
		if time.Now().After(deadline) {
			t.Fatal("replica still attached")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
