package server

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

func TestDebugDisabledByDefault(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	for _, args := range [][]string{{"DEBUG", "HELP"}, {"DEBUG", "OBJECT", "k"}, {"DEBUG", "nosuch", "a"}} {
		expectReply(t, c, "-"+errDebugDisabled+"\r\n", args...)
	}
	expectReply(t, c, "-ERR wrong number of arguments for 'debug' command\r\n", "DEBUG")
}

func TestDebugLocalOnly(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "local")
	c := testutil.Dial(t, addr)
	expectReply(t, c, "+OK\r\n", "DEBUG", "SLEEP", "0")
}

// DEBUG OBJECT prints Redis's line; serializedlength is the RDB size,
// checked against what Redis 7.0.15 reports for the same values.
func TestDebugObject(t *testing.T) {
	s, addr := startInProcess(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	loadSampleKeys(c)
	c.Do("SET", "shared", "42")
	want := map[string]string{
		"s": "embstr 6", "i": "int 3", "neg": "int 2", "i2": "int 14", "big": "raw 13", "rnd": "embstr 37",
		"l": "quicklist 19", "h": "listpack 14", "st": "intset 15", "st2": "hashtable 5", "z": "listpack 13", "x": "stream 57",
	}
	re := regexp.MustCompile(`^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\S+) serializedlength:(\d+) lru:(\d+) lru_seconds_idle:(\d+)(.*)\r\n$`)
	for k, w := range want {
		r := c.Do("DEBUG", "OBJECT", k)
		m := re.FindStringSubmatch(r)
		if m == nil || m[2]+" "+m[3] != w || m[1] != "1" {
			t.Errorf("DEBUG OBJECT %s = %q, want encoding/serializedlength %s", k, r, w)
			continue
		}
		if k == "l" && m[6] != " ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16" {
			t.Errorf("quicklist details %q", m[6])
		}
	}
	if m := re.FindStringSubmatch(c.Do("DEBUG", "OBJECT", "shared")); m == nil || m[1] != "2147483647" {
		t.Errorf("shared integer refcount: %v", m)
	}
	s.Lock()
	wantLRU := s.ks.DBs[0].Peek("s").LRU
	s.Unlock()
	if m := re.FindStringSubmatch(c.Do("debug", "object", "s")); m == nil || m[4] != strconv.Itoa(int(wantLRU)) {
		t.Errorf("lru field %v, want %d", m, wantLRU)
	}
	expectReply(t, c, "-ERR no such key\r\n", "DEBUG", "OBJECT", "nokey")
	expectReply(t, c, "-ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.\r\n", "DEBUG", "OBJECT")
	expectReply(t, c, "-ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.\r\n", "DEBUG", "nosuch")
	expectReply(t, c, "-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n", "DEBUG", "sleep", "0", "0")
	help := c.Do("DEBUG", "HELP")
	if !strings.HasPrefix(help, "*106\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+AOF-FLUSH-SLEEP <microsec>\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Errorf("DEBUG HELP = %.200q", help)
	}
}

// DEBUG SLEEP holds the whole server.
func TestDebugSleepBlocksServer(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	sleeper := testutil.Dial(t, addr)
	other := testutil.Dial(t, addr)
	start := time.Now()
	sleeper.Send(testutil.Encode("DEBUG", "SLEEP", "0.3"))
	time.Sleep(50 * time.Millisecond)
	expectReply(t, other, "+PONG\r\n", "PING")
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("PING answered after %v, during DEBUG SLEEP", d)
	}
	if r, _ := sleeper.ReadReply(time.Second); r != "+OK\r\n" {
		t.Fatalf("DEBUG SLEEP = %q", r)
	}
	expectReply(t, other, "+OK\r\n", "DEBUG", "SLEEP", "abc")
	expectReply(t, other, "+OK\r\n", "DEBUG", "SLEEP", "-1")
}

func TestDebugSetActiveExpire(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "yes", "--hz", "100")
	c := testutil.Dial(t, addr)
	expectReply(t, c, "+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	c.Do("SET", "k", "v", "PX", "10")
	time.Sleep(200 * time.Millisecond)
	expectReply(t, c, ":1\r\n", "DBSIZE")
	expectReply(t, c, "+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "1")
	deadline := time.Now().Add(2 * time.Second)
	for c.Do("DBSIZE") != ":0\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("active expiry did not resume")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDebugChangeReplIDAndProtocol(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	before := infoOf(t, c, "replication")["master_replid"]
	expectReply(t, c, "+OK\r\n", "DEBUG", "CHANGE-REPL-ID")
	after := infoOf(t, c, "replication")
	if after["master_replid"] == before || len(after["master_replid"]) != 40 || after["master_replid2"] != strings.Repeat("0", 40) {
		t.Fatalf("replication ids before %s after %v", before, after)
	}
	expectReply(t, c, "$11\r\nHello World\r\n", "DEBUG", "PROTOCOL", "string")
	expectReply(t, c, "$5\r\n3.141\r\n", "DEBUG", "PROTOCOL", "double")
	expectReply(t, c, "*3\r\n:0\r\n:1\r\n:2\r\n", "DEBUG", "PROTOCOL", "set")
	expectReply(t, c, "-ERR RESP2 is not supported by this command\r\n", "DEBUG", "PROTOCOL", "push")
	expectReply(t, c, "-FOO bar baz\r\n", "DEBUG", "ERROR", "FOO bar\nbaz")
	c.Do("HELLO", "3")
	expectReply(t, c, "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n", "DEBUG", "PROTOCOL", "map")
	expectReply(t, c, "(1234567999999999999999999999999999999\r\n", "DEBUG", "PROTOCOL", "bignum")
	expectReply(t, c, "=29\r\ntxt:This is a verbatim\nstring\r\n", "DEBUG", "PROTOCOL", "verbatim")
	if r := c.Do("DEBUG", "PROTOCOL", "push"); r != ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n" {
		t.Fatalf("push = %q", r)
	}
	if r, _ := c.ReadReply(time.Second); r != "$40\r\nSome real reply following the push reply\r\n" {
		t.Fatalf("reply after push = %q", r)
	}
}

func TestStrtodAtoiPrefix(t *testing.T) {
	for in, want := range map[string]float64{"1.5": 1.5, "  2": 2, "0.25s": 0.25, "abc": 0, "-1": -1, "1e-3x": 0.001, "": 0} {
		if got := strtodPrefix(in); got != want {
			t.Errorf("strtodPrefix(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]int64{"1": 1, "0": 0, "abc": 0, "2x": 2, "-3": -3, " 7": 7} {
		if got := atoiPrefix(in); got != want {
			t.Errorf("atoiPrefix(%q) = %d, want %d", in, got, want)
		}
	}
}

// DEBUG POPULATE creates keys without propagating them.
func TestDebugPopulate(t *testing.T) {
	s, addr := startInProcess(t, "--enable-debug-command", "yes")
	rec := tapStream(s)
	c := testutil.Dial(t, addr)
	c.Do("SET", "key:1", "mine")
	rec.commands(t)
	expectReply(t, c, "+OK\r\n", "DEBUG", "POPULATE", "3")
	expectReply(t, c, "+OK\r\n", "DEBUG", "POPULATE", "2", "p", "10")
	expectReply(t, c, ":5\r\n", "DBSIZE")
	expectReply(t, c, "$4\r\nmine\r\n", "GET", "key:1")
	expectReply(t, c, "$7\r\nvalue:2\r\n", "GET", "key:2")
	expectReply(t, c, "$10\r\nvalue:1\x00\x00\x00\r\n", "GET", "p:1")
	expectReply(t, c, "-ERR value is out of range, must be positive\r\n", "DEBUG", "POPULATE", "x")
	expectReply(t, c, "-ERR value is out of range, must be positive\r\n", "DEBUG", "POPULATE", "1", "p", "-1")
	if got := rec.commands(t); len(got) != 0 {
		t.Fatalf("DEBUG POPULATE propagated %q", got)
	}
}
