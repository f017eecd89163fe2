package blackbox

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// exchange sends raw bytes and collects everything the server sends back
// until it closes the connection or goes quiet; closed reports a close.
func exchange(t *testing.T, addr string, raw string) (reply string, closed bool) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte(raw))
	var out []byte
	buf := make([]byte, 4096)
	for {
		nc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return string(out), true
		}
		if err != nil {
			return string(out), false
		}
	}
}

// Malformed requests get Redis's exact error and the connection is then
// closed; well-formed requests before the error are still answered.
func TestProtocolErrorsAreRedisExactAndClose(t *testing.T) {
	real := testutil.StartRedis(t)
	ours := testutil.StartRedoubt(t)
	inputs := []string{
		"*abc\r\n",
		"*1\r\nx\r\n",
		"*1\r\n$-5\r\n",
		"*1\r\n$999999999999\r\n",
		"PING\r\nSET \"a\r\n",
		"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\nfoo\r\n",
		strings.Repeat("x", 70*1024),
		"*" + strings.Repeat("1", 70*1024),
		"*1\r\n$" + strings.Repeat("1", 70*1024),
		"PING\r\n\r\n*0\r\n*-1\r\nECHO hi\r\n",
		"*3000000000\r\n",
	}
	for _, in := range inputs {
		wantReply, wantClosed := exchange(t, real.Addr, in)
		gotReply, gotClosed := exchange(t, ours.Addr, in)
		if wantReply != gotReply || wantClosed != gotClosed {
			t.Errorf("input %.40q:\n redis   %q closed=%v\n redoubt %q closed=%v", in, wantReply, wantClosed, gotReply, gotClosed)
		}
	}
}

// A bulk longer than proto-max-bulk-len is refused like Redis refuses it.
func TestProtoMaxBulkLen(t *testing.T) {
	real := testutil.StartRedis(t, "--proto-max-bulk-len", "1mb")
	ours := testutil.StartRedoubt(t, "--proto-max-bulk-len", "1mb")
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"
	want, wc := exchange(t, real.Addr, in)
	got, gc := exchange(t, ours.Addr, in)
	if want != got || wc != gc {
		t.Fatalf("redis %q %v, redoubt %q %v", want, wc, got, gc)
	}
}

// Past maxclients a new connection gets Redis's error and is closed, and
// existing clients keep being served.
func TestMaxClients(t *testing.T) {
	ours := testutil.StartRedoubt(t, "--maxclients", "2")
	// Let the server notice that the readiness probe's connection closed.
	time.Sleep(300 * time.Millisecond)
	a := testutil.Dial(t, ours.Addr)
	b := testutil.Dial(t, ours.Addr)
	a.Do("PING")
	b.Do("PING")
	reply, closed := exchange(t, ours.Addr, "PING\r\n")
	if reply != "-ERR max number of clients reached\r\n" || !closed {
		t.Fatalf("third client got %q closed=%v", reply, closed)
	}
	if got := a.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("existing client: %q", got)
	}
}

// Pipelined requests are answered in order in one go.
func TestPipelining(t *testing.T) {
	ours := testutil.StartRedoubt(t)
	c := testutil.Dial(t, ours.Addr)
	var req []byte
	for i := 0; i < 1000; i++ {
		req = append(req, testutil.Encode("SET", "k", "v")...)
		req = append(req, testutil.Encode("GET", "k")...)
	}
	c.Send(req)
	for i := 0; i < 1000; i++ {
		if r, err := c.ReadReply(5 * time.Second); err != nil || r != "+OK\r\n" {
			t.Fatalf("reply %d: %q %v", i, r, err)
		}
		if r, err := c.ReadReply(5 * time.Second); err != nil || r != "$1\r\nv\r\n" {
			t.Fatalf("reply %d: %q %v", i, r, err)
		}
	}
}
