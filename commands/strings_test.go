package commands

import (
	"strings"
	"testing"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// strStep is one command of a table-driven test with its raw reply.
type strStep struct {
	args string
	want string
}

// strRun executes each step's command (split on blanks) and checks the
// raw reply.
func strRun(t *testing.T, h *harness, steps []strStep) {
	t.Helper()
	for _, s := range steps {
		h.expect(s.want, strings.Fields(s.args)...)
	}
}

func TestGetSetRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.expect("$-1\r\n", "GET", "k")
	h.expect("+OK\r\n", "SET", "k", "v")
	h.expect("$1\r\nv\r\n", "get", "k")
	if got := h.lastProp(); got != "SET k v" {
		t.Fatalf("propagated %q", got)
	}
	h.expect("-ERR wrong number of arguments for 'get' command\r\n", "GET")
}

func TestSetOptions(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	strRun(t, h, []strStep{
		{"SET k v NX", "+OK\r\n"},
		{"SET k w NX", "$-1\r\n"},
		{"SET k w XX", "+OK\r\n"},
		{"SET nokey w XX", "$-1\r\n"},
		{"SET k x GET", "$1\r\nw\r\n"},
		{"SET k y NX GET", "$1\r\nx\r\n"},
		{"GET k", "$1\r\nx\r\n"},
		{"SET new v XX GET", "$-1\r\n"},
		{"GET new", "$-1\r\n"},
		{"SET k v EX 10 EX 20", "+OK\r\n"},
	})
	if got := h.ks.DBs[0].Expire("k"); got != 1_000_000+20_000 {
		t.Fatalf("expire %d", got)
	}
	strRun(t, h, []strStep{
		{"SET k v NX NX", "$-1\r\n"},
		{"SET k v GET GET", "$1\r\nv\r\n"},
		{"SET k v KEEPTTL KEEPTTL", "+OK\r\n"},
	})
	syntax := []string{
		"SET k v NX XX", "SET k v XX NX", "SET k v EX", "SET k v KEEPTTL EX 10",
		"SET k v EX 10 KEEPTTL", "SET k v EX 10 PX 10", "SET k v PXAT 1 EXAT 1",
		"SET k v PERSIST", "SET k v foo", "GETEX k KEEPTTL", "GETEX k NX",
		"GETEX k PERSIST EX 10", "GETEX k EX 10 PERSIST", "GETEX k GET",
	}
	for _, s := range syntax {
		h.expect("-ERR syntax error\r\n", strings.Fields(s)...)
	}
	invalid := map[string]string{
		"SET k v EX 0":                     "set",
		"SET k v PX -1":                    "set",
		"SET k v EXAT 9223372036854775807": "set",
		"SET k v EX 9223372036854775":      "set",
		"SET k v PX 9223372036854775807":   "set",
		"SETEX k 0 v":                      "setex",
		"PSETEX k -5 v":                    "psetex",
		"GETEX k EX 0":                     "getex",
	}
	for cmd, name := range invalid {
		h.expect("-ERR invalid expire time in '"+name+"' command\r\n", strings.Fields(cmd)...)
	}
	h.expect("-ERR value is not an integer or out of range\r\n", "SET", "k", "v", "EX", "1.5")
	h.expect("-ERR value is not an integer or out of range\r\n", "SETEX", "k", "x", "v")
	// Option names are compared as C strings.
	h.expect("$1\r\nv\r\n", "SET", "k", "z", "get\x00junk")
}

func TestSetPropagation(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	cases := []struct {
		cmd, prop string
	}{
		{"SET a 1 EX 100 NX", "SET a 1 PXAT 1100000"},
		{"SET a 2 PX 5 XX GET", "SET a 2 PXAT 1000005"},
		{"SET a 3 EXAT 2000", "SET a 3 PXAT 2000000"},
		{"SET a 4 PXAT 3000000 GET", "SET a 4 PXAT 3000000"},
		{"SETEX b 10 v", "SET b v PXAT 1010000"},
		{"PSETEX b 10 v", "SET b v PXAT 1000010"},
		{"set c v get KEEPTTL GET", "set c v KEEPTTL"},
		{"GETSET c w", "SET c w"},
		{"SETNX d 1", "SETNX d 1"},
		{"MSET e 1 f 2", "MSET e 1 f 2"},
	}
	for _, tc := range cases {
		h.do(strings.Fields(tc.cmd)...)
		if got := h.lastProp(); got != tc.prop {
			t.Errorf("%s propagated %q, want %q", tc.cmd, got, tc.prop)
		}
	}
	n := len(h.props)
	for _, cmd := range []string{"SET a x NX", "SET zz x XX", "SETNX d 2", "MSETNX e 1 g 1", "GETEX a", "GETEX d PERSIST", "GETDEL nokey"} {
		h.do(strings.Fields(cmd)...)
	}
	if len(h.props) != n {
		t.Fatalf("no-op commands propagated: %v", h.props[n:])
	}
	// An expiry in the past is stored: the key reads as missing and its
	// deletion is propagated as a DEL on access.
	h.expect("+OK\r\n", "SET", "p", "v", "PXAT", "1")
	if got := h.lastProp(); got != "SET p v PXAT 1" {
		t.Fatalf("past PXAT propagated %q", got)
	}
	h.expect("$-1\r\n", "GET", "p")
	if got := h.lastProp(); got != "DEL p" {
		t.Fatalf("lazy expiry propagated %q", got)
	}
}

func TestGetexGetdel(t *testing.T) {
	h := newHarness(t)
	h.now = 5_000_000
	db := h.ks.DBs[0]
	h.do("SET", "k", "v")
	cases := []struct {
		cmd, prop string
		expire    int64
	}{
		{"GETEX k EX 10", "PEXPIREAT k 5010000", 5_010_000},
		{"GETEX k PX 10", "PEXPIREAT k 5000010", 5_000_010},
		{"GETEX k EXAT 6000", "PEXPIREAT k 6000000", 6_000_000},
		{"GETEX k PXAT 7000000", "PEXPIREAT k 7000000", 7_000_000},
		{"GETEX k PERSIST", "PERSIST k", -1},
	}
	for _, tc := range cases {
		h.expect("$1\r\nv\r\n", strings.Fields(tc.cmd)...)
		if got := h.lastProp(); got != tc.prop {
			t.Errorf("%s propagated %q, want %q", tc.cmd, got, tc.prop)
		}
		if got := db.Expire("k"); got != tc.expire {
			t.Errorf("%s: expire %d, want %d", tc.cmd, got, tc.expire)
		}
	}
	h.expect("$1\r\nv\r\n", "GETEX", "k", "PXAT", "5000000")
	if got := h.lastProp(); got != "DEL k" || db.Peek("k") != nil {
		t.Fatalf("past GETEX: prop %q", got)
	}
	h.expect("$-1\r\n", "GETEX", "k", "EX", "10")
	h.do("SET", "g", "v")
	h.expect("$1\r\nv\r\n", "GETDEL", "g")
	if got := h.lastProp(); got != "DEL g" {
		t.Fatalf("GETDEL propagated %q", got)
	}
	strRun(t, h, []strStep{
		{"GETDEL g", "$-1\r\n"},
		// A missing key answers nil before the time is even parsed.
		{"GETEX nokey EX abc", "$-1\r\n"},
		{"SET g v", "+OK\r\n"},
		{"GETEX g EX abc", "-ERR value is not an integer or out of range\r\n"},
		{"GETDEL g", "$1\r\nv\r\n"},
	})
	// WRONGTYPE is reported before the time argument is looked at.
	h.ks.DBs[0].Add("w", keyspace.Object{Type: keyspace.THash})
	for _, cmd := range []string{"GETEX w EX abc", "GETDEL w", "GETSET w v", "SET w v GET", "GET w", "APPEND w x", "STRLEN w"} {
		h.expect("-"+ErrWrongType+"\r\n", strings.Fields(cmd)...)
	}
	h.expect("*3\r\n$-1\r\n$-1\r\n$-1\r\n", "MGET", "w", "nokey", "g")
}

func TestGetdelLazyfree(t *testing.T) {
	ks := keyspace.New(1)
	ks.NowMs = 1
	set := DefaultSettings()
	set.LazyfreeLazyUserDel = true
	set.LazyfreeLazyExpire = true
	run := func(args ...string) (string, string) {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		c := &Ctx{Args: b, Cmd: Lookup(b[0]), W: &resp.Writer{Proto: 2}, KS: ks, DB: ks.DBs[0], Set: set}
		c.Cmd.Proc(c)
		var prop []string
		for _, op := range c.Finish() {
			for _, a := range op.Args {
				prop = append(prop, string(a))
			}
		}
		return string(c.W.Buf), strings.Join(prop, " ")
	}
	run("SET", "k", "v")
	if r, p := run("GETDEL", "k"); r != "$1\r\nv\r\n" || p != "UNLINK k" {
		t.Fatalf("GETDEL: %q %q", r, p)
	}
	run("SET", "k", "v")
	if r, p := run("GETEX", "k", "EXAT", "0"); r != "-ERR invalid expire time in 'getex' command\r\n" || p != "" {
		t.Fatalf("GETEX EXAT 0: %q %q", r, p)
	}
	if _, p := run("GETEX", "k", "PXAT", "1"); p != "UNLINK k" {
		t.Fatalf("GETEX past: %q", p)
	}
}

func TestMset(t *testing.T) {
	h := newHarness(t)
	strRun(t, h, []strStep{
		{"MSET a", "-ERR wrong number of arguments for 'mset' command\r\n"},
		{"MSET a 1 b", "-ERR wrong number of arguments for 'mset' command\r\n"},
		{"MSETNX a 1 b", "-ERR wrong number of arguments for 'msetnx' command\r\n"},
		{"MSET a 1 a 2 b 3", "+OK\r\n"},
		{"MGET a b c", "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n"},
		{"MSETNX c 1 a 5", ":0\r\n"},
		{"MSETNX c 1 c 2", ":1\r\n"},
		{"GET c", "$1\r\n2\r\n"},
	})
	// Each key set counts as one change.
	b := [][]byte{[]byte("MSET"), []byte("x"), []byte("1"), []byte("y"), []byte("2")}
	c := &Ctx{Args: b, Cmd: Lookup(b[0]), W: &resp.Writer{}, KS: h.ks, DB: h.ks.DBs[0], Set: DefaultSettings()}
	c.Cmd.Proc(c)
	if c.Dirty != 2 {
		t.Fatalf("dirty %d", c.Dirty)
	}
}

func TestStringEventsAndTTL(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	db := h.ks.DBs[0]
	cmds := []string{
		"SET k 1 EX 100", "INCR k", "INCRBYFLOAT k 1.5", "APPEND k x", "SETRANGE k 0 y",
		"SETBIT k 0 1", "BITFIELD k SET u8 0 1", "GETEX k PERSIST", "GETSET k v", "GETDEL k",
		"MSET a 1", "BITOP NOT d a", "BITOP AND d nokey", "SETEX s 10 v", "GETEX s EX 5",
	}
	for _, c := range cmds {
		h.do(strings.Fields(c)...)
		if c == "APPEND k x" && db.Expire("k") != 1_100_000 {
			t.Fatalf("INCR/INCRBYFLOAT/APPEND lost the TTL")
		}
	}
	want := "set:k expire:k incrby:k incrbyfloat:k append:k setrange:k setbit:k setbit:k persist:k set:k del:k " +
		"set:a set:d del:d set:s expire:s expire:s"
	if got := strings.Join(h.env.events, " "); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	if len(h.env.modified) != 15 {
		t.Fatalf("modified %v", h.env.modified)
	}
}

func TestStringEncodings(t *testing.T) {
	h := newHarness(t)
	enc := func(key string) string {
		o := h.ks.DBs[0].Peek(key)
		if o == nil {
			return "none"
		}
		return o.Encoding()
	}
	cases := []struct {
		cmd, key, want string
	}{
		{"SET k 123", "k", "int"},
		{"SET k 0123", "k", "embstr"},
		{"SET k 12345678901234567890", "k", "embstr"},
		{"SET k " + strings.Repeat("a", 44), "k", "embstr"},
		{"SET k " + strings.Repeat("a", 45), "k", "raw"},
		{"SET k 10", "k", "int"},
		{"APPEND k 1", "k", "raw"},
		{"INCR k", "k", "int"},
		{"SETRANGE k 0 9", "k", "raw"},
		{"SET k 5", "k", "int"},
		{"GETBIT k 0", "k", "int"},
		{"SETBIT k 0 0", "k", "raw"},
		{"APPEND n1 abc", "n1", "embstr"},
		{"APPEND n2 77", "n2", "int"},
		{"SETRANGE n3 1 x", "n3", "raw"},
		{"GETSET n3 7", "n3", "int"},
		{"MSET n4 8 n5 x", "n4", "int"},
		{"BITOP OR n6 n4", "n6", "raw"},
		{"BITFIELD n7 SET u8 0 49", "n7", "raw"},
	}
	for _, tc := range cases {
		h.do(strings.Fields(tc.cmd)...)
		if got := enc(tc.key); got != tc.want {
			t.Errorf("after %s: encoding %s, want %s", tc.cmd, got, tc.want)
		}
	}
}

func TestAppendStrlenRange(t *testing.T) {
	h := newHarness(t)
	strRun(t, h, []strStep{
		{"APPEND k foo", ":3\r\n"},
		{"APPEND k bar", ":6\r\n"},
		{"STRLEN k", ":6\r\n"},
		{"STRLEN nokey", ":0\r\n"},
		{"GETRANGE k 0 -1", "$6\r\nfoobar\r\n"},
		{"GETRANGE k -3 -1", "$3\r\nbar\r\n"},
		{"GETRANGE k -1 -3", "$0\r\n\r\n"},
		{"GETRANGE k 10 20", "$0\r\n\r\n"},
		{"GETRANGE k -100 100", "$6\r\nfoobar\r\n"},
		{"SUBSTR k 1 2", "$2\r\noo\r\n"},
		{"GETRANGE nokey 0 1", "$0\r\n\r\n"},
		{"GETRANGE nokey a 1", "-ERR value is not an integer or out of range\r\n"},
		{"SETRANGE k -1 x", "-ERR offset is out of range\r\n"},
		{"SETRANGE k a x", "-ERR value is not an integer or out of range\r\n"},
		{"SETRANGE k 8 xy", ":10\r\n"},
		{"GET k", "$10\r\nfoobar\x00\x00xy\r\n"},
		{"SETRANGE n 2 x", ":3\r\n"},
		{"GET n", "$3\r\n\x00\x00x\r\n"},
		{"SETRANGE k 536870912 x", "-" + ErrStringTooLong + "\r\n"},
		{"SETRANGE k 9223372036854775807 x", "-" + ErrStringTooLong + "\r\n"},
	})
	n := len(h.props)
	h.expect(":0\r\n", "SETRANGE", "e", "0", "")
	h.expect(":10\r\n", "SETRANGE", "k", "3", "")
	if len(h.props) != n || h.ks.DBs[0].Peek("e") != nil {
		t.Fatalf("empty SETRANGE changed something")
	}
	h.expect(":0\r\n", "APPEND", "e", "")
	if h.lastProp() != "APPEND e " || h.ks.DBs[0].Peek("e") == nil {
		t.Fatalf("APPEND of an empty value must create the key")
	}
}
