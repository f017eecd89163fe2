package server

import (
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"redoubt/commands"
	"redoubt/internal/testutil"
)

func ixExpect(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// clientID asks a connection for its id.
func ixClientID(t *testing.T, c *testutil.Conn) string {
	t.Helper()
	r := c.Do("CLIENT", "ID")
	return strings.TrimSuffix(strings.TrimPrefix(r, ":"), "\r\n")
}

// bulkBody strips a bulk or verbatim string's framing.
func ixBody(t *testing.T, r string) string {
	t.Helper()
	i := strings.Index(r, "\r\n")
	if i < 0 || (r[0] != '$' && r[0] != '=') {
		t.Fatalf("not a bulk reply: %q", r)
	}
	body := strings.TrimSuffix(r[i+2:], "\r\n")
	if r[0] == '=' {
		body = strings.TrimPrefix(body, "txt:")
	}
	return body
}

// closed reports whether the server closed c (EOF within the timeout).
func ixClosed(c *testutil.Conn) bool {
	_, err := c.ReadReply(2 * time.Second)
	return err == io.EOF || (err != nil && strings.Contains(err.Error(), "reset"))
}

var ixClientListFields = []string{"id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
	"multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events",
	"cmd", "user", "redir", "resp"}

func ixParseLine(t *testing.T, line string) map[string]string {
	t.Helper()
	parts := strings.Split(line, " ")
	if len(parts) != len(ixClientListFields) {
		t.Fatalf("%d fields in %q", len(parts), line)
	}
	out := map[string]string{}
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k != ixClientListFields[i] {
			t.Fatalf("field %d is %q, want %s=", i, p, ixClientListFields[i])
		}
		out[k] = v
	}
	return out
}

func TestClientListFields(t *testing.T) {
	_, addr := startInProcess(t)
	a := testutil.Dial(t, addr)
	b := testutil.Dial(t, addr)
	ixExpect(t, a.Do("CLIENT", "SETNAME", "alpha"), "+OK\r\n")
	ixExpect(t, b.Do("SELECT", "3"), "+OK\r\n")
	ixExpect(t, b.Do("SUBSCRIBE", "ch"), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")
	body := ixBody(t, a.Do("CLIENT", "LIST"))
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines: %q", body)
	}
	me, other := ixParseLine(t, lines[0]), ixParseLine(t, lines[1])
	if me["name"] != "alpha" || me["cmd"] != "client|list" || me["flags"] != "N" || me["multi"] != "-1" || me["resp"] != "2" {
		t.Fatalf("self: %v", me)
	}
	if me["laddr"] != addr || me["user"] != "default" || me["redir"] != "-1" {
		t.Fatalf("self: %v", me)
	}
	if other["db"] != "3" || other["sub"] != "1" || other["flags"] != "P" || other["cmd"] != "subscribe" {
		t.Fatalf("other: %v", other)
	}
	// TYPE and ID filters.
	body = ixBody(t, a.Do("CLIENT", "LIST", "TYPE", "pubsub"))
	if ixParseLine(t, strings.TrimSuffix(body, "\n"))["id"] != other["id"] {
		t.Fatalf("TYPE pubsub: %q", body)
	}
	ixExpect(t, a.Do("CLIENT", "LIST", "TYPE", "master"), "$0\r\n\r\n")
	ixExpect(t, a.Do("CLIENT", "LIST", "TYPE", "bogus"), "-ERR Unknown client type 'bogus'\r\n")
	body = ixBody(t, a.Do("CLIENT", "LIST", "ID", other["id"], "999", me["id"]))
	lines = strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 2 || ixParseLine(t, lines[0])["id"] != other["id"] {
		t.Fatalf("ID order: %q", body)
	}
	ixExpect(t, a.Do("CLIENT", "LIST", "ID", "x"), "-ERR Invalid client ID\r\n")
	ixExpect(t, a.Do("CLIENT", "LIST", "ID"), "-ERR syntax error\r\n")
	// CLIENT INFO is a verbatim string in RESP3, with a MULTI state.
	a.Do("HELLO", "3")
	a.Do("MULTI")
	a.Do("SET", "k", "v")
	r := a.Do("EXEC")
	ixExpect(t, r, "*1\r\n+OK\r\n")
	r = a.Do("CLIENT", "INFO")
	if !strings.HasPrefix(r, "=") {
		t.Fatalf("RESP3 CLIENT INFO: %q", r)
	}
	info := ixParseLine(t, strings.TrimSuffix(ixBody(t, r), "\n"))
	if info["resp"] != "3" || info["cmd"] != "client|info" {
		t.Fatalf("info: %v", info)
	}
}

func TestClientNameAndSetinfo(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	ixExpect(t, c.Do("CLIENT", "GETNAME"), "$-1\r\n")
	ixExpect(t, c.Do("CLIENT", "SETNAME", "a b"), "-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
	ixExpect(t, c.Do("CLIENT", "SETNAME", "x"), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "GETNAME"), "$1\r\nx\r\n")
	ixExpect(t, c.Do("CLIENT", "SETNAME", ""), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "GETNAME"), "$-1\r\n")
	ixExpect(t, c.Do("CLIENT", "SETINFO", "LIB-NAME", "go-redis(x)"), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "SETINFO", "lib-ver", "9.0"), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "SETINFO", "LIB-VER", "a b"), "-ERR LIB-VER cannot contain spaces, newlines or special characters.\r\n")
	ixExpect(t, c.Do("CLIENT", "SETINFO", "foo", "x"), "-ERR Unrecognized option 'foo'\r\n")
	if strings.Contains(c.Do("CLIENT", "INFO"), "lib-name") {
		t.Fatal("CLIENT INFO must keep 7.0's fields")
	}
	ixExpect(t, c.Do("CLIENT", "GETREDIR"), ":-1\r\n")
	ixExpect(t, c.Do("CLIENT", "NO-EVICT", "on"), "+OK\r\n")
	if !strings.Contains(c.Do("CLIENT", "INFO"), " flags=e ") {
		t.Fatal("no-evict flag missing")
	}
	ixExpect(t, c.Do("CLIENT", "TRACKING", "off"), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "TRACKING", "on"), "-"+errTrackingOn+"\r\n")
	ixExpect(t, c.Do("CLIENT", "CACHING", "yes"), "-"+errCachingNoTrack+"\r\n")
	ixExpect(t, c.Do("CLIENT", "TRACKINGINFO"), "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n")
}

func TestClientKillTypeNormal(t *testing.T) {
	_, addr := startInProcess(t)
	a := testutil.Dial(t, addr)
	b := testutil.Dial(t, addr)
	c := testutil.Dial(t, addr)
	ixExpect(t, b.Do("PING"), "+PONG\r\n")
	ixExpect(t, c.Do("PING"), "+PONG\r\n")
	ixExpect(t, a.Do("CLIENT", "KILL", "TYPE", "normal"), ":2\r\n")
	if !ixClosed(b) || !ixClosed(c) {
		t.Fatal("other clients still open")
	}
	ixExpect(t, a.Do("PING"), "+PONG\r\n")
	// The killed clients are gone from the list at once.
	body := ixBody(t, a.Do("CLIENT", "LIST"))
	if strings.Count(body, "\n") != 1 {
		t.Fatalf("list after kill: %q", body)
	}
	ixExpect(t, a.Do("CLIENT", "KILL", "ID", "0"), "-ERR client-id should be greater than 0\r\n")
	ixExpect(t, a.Do("CLIENT", "KILL", "TYPE", "x"), "-ERR Unknown client type 'x'\r\n")
	ixExpect(t, a.Do("CLIENT", "KILL", "USER", "bob"), "-ERR No such user 'bob'\r\n")
	ixExpect(t, a.Do("CLIENT", "KILL", "ID", "1", "TYPE"), "-ERR syntax error\r\n")
	ixExpect(t, a.Do("CLIENT", "KILL", "1.2.3.4:5"), "-ERR No such client\r\n")
	// Old form on another client's address.
	d := testutil.Dial(t, addr)
	info := ixParseLine(t, strings.TrimSuffix(ixBody(t, d.Do("CLIENT", "INFO")), "\n"))
	ixExpect(t, a.Do("CLIENT", "KILL", info["addr"]), "+OK\r\n")
	if !ixClosed(d) {
		t.Fatal("old-form kill left the client open")
	}
	// Killing yourself answers first, then closes.
	ixExpect(t, a.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"), ":1\r\n")
	if !ixClosed(a) {
		t.Fatal("self kill did not close")
	}
}

func TestClientPauseWriteDelaysSetNotGet(t *testing.T) {
	_, addr := startInProcess(t)
	a := testutil.Dial(t, addr)
	b := testutil.Dial(t, addr)
	ixExpect(t, a.Do("CLIENT", "PAUSE", "abc"), "-ERR timeout is not an integer or out of range\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "-1"), "-ERR timeout is negative\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "10", "foo"), "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "10", "write", "x"),
		"-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "500", "WRITE"), "+OK\r\n")
	start := time.Now()
	ixExpect(t, b.Do("GET", "k"), "$-1\r\n")
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("GET waited %v", d)
	}
	ixExpect(t, b.Do("SET", "k", "v"), "+OK\r\n")
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Fatalf("SET ran after %v, during the pause", d)
	}
	// UNPAUSE releases waiting writers at once.
	ixExpect(t, a.Do("CLIENT", "PAUSE", "5000", "WRITE"), "+OK\r\n")
	b.Send(testutil.Encode("SET", "k", "w"))
	if r, err := b.ReadReply(200 * time.Millisecond); err == nil {
		t.Fatalf("SET answered during the pause: %q", r)
	}
	ixExpect(t, a.Do("CLIENT", "UNPAUSE"), "+OK\r\n")
	r, err := b.ReadReply(2 * time.Second)
	if err != nil || r != "+OK\r\n" {
		t.Fatalf("after unpause: %q %v", r, err)
	}
}

func TestClientPauseAllAndMulti(t *testing.T) {
	_, addr := startInProcess(t)
	a := testutil.Dial(t, addr)
	b := testutil.Dial(t, addr)
	// A write queued in MULTI waits for the pause too.
	ixExpect(t, b.Do("MULTI"), "+OK\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "300", "WRITE"), "+OK\r\n")
	start := time.Now()
	ixExpect(t, b.Do("SET", "x", "1"), "+QUEUED\r\n")
	if time.Since(start) < 250*time.Millisecond {
		t.Fatal("queueing a write did not wait")
	}
	ixExpect(t, b.Do("EXEC"), "*1\r\n+OK\r\n")
	// ALL holds every command, CLIENT UNPAUSE included, until it ends.
	ixExpect(t, a.Do("CLIENT", "PAUSE", "300", "ALL"), "+OK\r\n")
	start = time.Now()
	ixExpect(t, b.Do("CLIENT", "UNPAUSE"), "+OK\r\n")
	if time.Since(start) < 250*time.Millisecond {
		t.Fatal("CLIENT UNPAUSE ran during a pause of ALL")
	}
	// Pausing again keeps the later deadline and the stricter mode.
	start = time.Now()
	ixExpect(t, a.Do("CLIENT", "PAUSE", "400", "WRITE"), "+OK\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "50", "ALL"), "+OK\r\n")
	time.Sleep(150 * time.Millisecond)
	ixExpect(t, b.Do("GET", "x"), "$1\r\n1\r\n")
	if time.Since(start) < 350*time.Millisecond {
		t.Fatal("GET ran before the merged pause ended")
	}
	// Malformed requests are answered at once.
	ixExpect(t, a.Do("CLIENT", "PAUSE", "400", "ALL"), "+OK\r\n")
	start = time.Now()
	ixExpect(t, b.Do("NOSUCHCMD"), "-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n")
	ixExpect(t, b.Do("GET"), "-ERR wrong number of arguments for 'get' command\r\n")
	if time.Since(start) > 200*time.Millisecond {
		t.Fatal("errors waited for the pause")
	}
}

func TestClientPauseHoldsExpiry(t *testing.T) {
	s, addr := startInProcess(t, "--hz", "100")
	a := testutil.Dial(t, addr)
	ixExpect(t, a.Do("SET", "k", "v", "PX", "100"), "+OK\r\n")
	ixExpect(t, a.Do("CLIENT", "PAUSE", "2000", "WRITE"), "+OK\r\n")
	time.Sleep(300 * time.Millisecond)
	// Expired: hidden, but neither the cron nor the lookup deletes it.
	ixExpect(t, a.Do("GET", "k"), "$-1\r\n")
	s.Lock()
	n := s.Keyspace().DBs[0].Len()
	s.Unlock()
	if n != 1 {
		t.Fatalf("key deleted during the pause (%d keys)", n)
	}
	ixExpect(t, a.Do("CLIENT", "UNPAUSE"), "+OK\r\n")
	ixExpect(t, a.Do("GET", "k"), "$-1\r\n")
	s.Lock()
	n = s.Keyspace().DBs[0].Len()
	s.Unlock()
	if n != 0 {
		t.Fatalf("key kept after the pause (%d keys)", n)
	}
}

func TestClientUnblock(t *testing.T) {
	if commands.Lookup([]byte("blpop")) == nil {
		t.Skip("BLPOP is not in the command table yet")
	}
	_, addr := startInProcess(t)
	a := testutil.Dial(t, addr)
	b := testutil.Dial(t, addr)
	id := ixClientID(t, b)
	b.Send(testutil.Encode("BLPOP", "nolist", "0"))
	ixWaitFor(t, func() bool { return strings.Contains(a.Do("CLIENT", "LIST", "ID", id), "flags=b ") })
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", id, "foo"), "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n")
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", "x"), "-ERR value is not an integer or out of range\r\n")
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", id), ":1\r\n")
	r, err := b.ReadReply(2 * time.Second)
	if err != nil || r != "*-1\r\n" {
		t.Fatalf("timeout reply: %q %v", r, err)
	}
	b.Send(testutil.Encode("BLPOP", "nolist", "0"))
	ixWaitFor(t, func() bool { return strings.Contains(a.Do("CLIENT", "LIST", "ID", id), "flags=b ") })
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", id, "ERROR"), ":1\r\n")
	r, err = b.ReadReply(2 * time.Second)
	if err != nil || r != "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" {
		t.Fatalf("error reply: %q %v", r, err)
	}
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", id), ":0\r\n")
	// A client waiting for a pause is not unblocked.
	ixExpect(t, a.Do("CLIENT", "PAUSE", "300", "WRITE"), "+OK\r\n")
	b.Send(testutil.Encode("SET", "k", "v"))
	ixWaitFor(t, func() bool { return strings.Contains(a.Do("CLIENT", "LIST", "ID", id), "flags=b ") })
	ixExpect(t, a.Do("CLIENT", "UNBLOCK", id), ":0\r\n")
	r, err = b.ReadReply(2 * time.Second)
	if err != nil || r != "+OK\r\n" {
		t.Fatalf("paused SET: %q %v", r, err)
	}
}

func ixWaitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestClientReply(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	ixExpect(t, c.Do("CLIENT", "REPLY", "foo"), "-ERR syntax error\r\n")
	c.Send(testutil.Encode("CLIENT", "REPLY", "SKIP"))
	c.Send(testutil.Encode("PING", "1"))
	ixExpect(t, c.Do("PING", "2"), "$1\r\n2\r\n")
	c.Send(testutil.Encode("CLIENT", "REPLY", "OFF"))
	c.Send(testutil.Encode("PING", "3"))
	c.Send(testutil.Encode("NOSUCH"))
	c.Send(testutil.Encode("CLIENT", "REPLY", "SKIP"))
	ixExpect(t, c.Do("CLIENT", "REPLY", "ON"), "+OK\r\n")
	ixExpect(t, c.Do("PING", "4"), "$1\r\n4\r\n")
	// RESET turns replies back on.
	c.Send(testutil.Encode("CLIENT", "REPLY", "OFF"))
	ixExpect(t, c.Do("RESET"), "+RESET\r\n")
	ixExpect(t, c.Do("PING"), "+PONG\r\n")
}

func TestClientUnixSocket(t *testing.T) {
	sock := t.TempDir() + "/r.sock"
	_, addr := startInProcess(t, "--unixsocket", sock)
	nc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	m := testutil.Dial(t, addr)
	ixExpect(t, m.Do("MONITOR"), "+OK\r\n")
	nc.Write(testutil.Encode("CLIENT", "INFO"))
	buf := make([]byte, 4096)
	nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _ := nc.Read(buf)
	info := ixParseLine(t, strings.TrimSuffix(ixBody(t, string(buf[:n])), "\n"))
	if info["addr"] != sock+":0" || info["laddr"] != sock+":0" || info["flags"] != "U" {
		t.Fatalf("unix client: %v", info)
	}
	nc.Write(testutil.Encode("SET", "a", "b"))
	// CLIENT INFO is not an admin command: the monitor sees it first.
	line, err := m.ReadReply(2 * time.Second)
	if !strings.HasSuffix(line, `] "CLIENT" "INFO"`+"\r\n") {
		t.Fatalf("monitor line %q %v", line, err)
	}
	line, err = m.ReadReply(2 * time.Second)
	re := regexp.MustCompile(`^\+\d+\.\d{6} \[0 unix:` + regexp.QuoteMeta(sock) + `\] "SET" "a" "b"\r\n$`)
	if err != nil || !re.MatchString(line) {
		t.Fatalf("monitor line %q %v", line, err)
	}
}
