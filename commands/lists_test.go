package commands

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/resp"
)

// listRun runs one command like h.do, optionally as part of EXEC or as
// the re-run of a blocked command, and returns its Ctx and reply.
func (h *harness) listRun(multi, reprocess bool, args ...string) (*Ctx, string) {
	h.t.Helper()
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	w := &resp.Writer{Proto: h.proto}
	cmd := Lookup(bargs[0])
	h.ks.NowMs = time.Now().UnixMilli()
	c := &Ctx{Args: bargs, Cmd: cmd, W: w, KS: h.ks, DB: h.ks.DBs[h.db], Env: h.env, Set: DefaultSettings(),
		InMulti: multi, Reprocessing: reprocess}
	h.env.blocked = nil
	cmd.Proc(c)
	for _, op := range c.Finish() {
		var s []string
		for _, a := range op.Args {
			s = append(s, string(a))
		}
		h.props = append(h.props, s)
	}
	return c, string(w.Buf)
}

type listCase struct {
	cmd  string
	want string
}

func runListCases(t *testing.T, h *harness, cases []listCase) {
	t.Helper()
	for _, tc := range cases {
		h.expect(tc.want, strings.Fields(tc.cmd)...)
	}
}

func TestListBasics(t *testing.T) {
	h := newHarness(t)
	wrong := "-" + ErrWrongType + "\r\n"
	runListCases(t, h, []listCase{
		{"RPUSH l a b c", ":3\r\n"},
		{"LPUSH l z y", ":5\r\n"},
		{"LRANGE l 0 -1", "*5\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"LRANGE l -2 100", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"LRANGE l 3 2", "*0\r\n"},
		{"LRANGE l -100 -6", "*0\r\n"},
		{"LRANGE nokey x 0", "-ERR value is not an integer or out of range\r\n"},
		{"LRANGE nokey 0 1", "*0\r\n"},
		{"LLEN l", ":5\r\n"},
		{"LLEN nokey", ":0\r\n"},
		{"LINDEX l -1", "$1\r\nc\r\n"},
		{"LINDEX l 5", "$-1\r\n"},
		{"LINDEX nokey x", "$-1\r\n"},
		{"LINDEX l x", "-ERR value is not an integer or out of range\r\n"},
		{"LSET l -5 Y", "+OK\r\n"},
		{"LSET l 5 Y", "-ERR index out of range\r\n"},
		{"LSET nokey x Y", "-ERR no such key\r\n"},
		{"LPUSHX nokey a", ":0\r\n"},
		{"RPUSHX l d e", ":7\r\n"},
		{"LPOP l", "$1\r\nY\r\n"},
		{"RPOP l 2", "*2\r\n$1\r\ne\r\n$1\r\nd\r\n"},
		{"LPOP l 0", "*0\r\n"},
		{"LPOP l -1", "-ERR value is out of range, must be positive\r\n"},
		{"LPOP l x", "-ERR value is out of range, must be positive\r\n"},
		{"LPOP l 1 2", "-ERR wrong number of arguments for 'lpop' command\r\n"},
		{"LPOP nokey", "$-1\r\n"},
		{"LPOP nokey 3", "*-1\r\n"},
		{"LPOP l 100", "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"SET s x", "+OK\r\n"},
		{"LPUSH s a", wrong},
		{"LLEN s", wrong},
		{"LRANGE s 0 -1", wrong},
		{"LPOP s", wrong},
		{"LINDEX s x", wrong},
		{"LSET s x y", wrong},
	})
	if h.ks.DBs[0].Peek("l") != nil {
		t.Fatal("emptied list still stored")
	}
}

func TestListTrimRemInsertPos(t *testing.T) {
	h := newHarness(t)
	runListCases(t, h, []listCase{
		{"RPUSH l a x a b a", ":5\r\n"},
		{"LPOS l a", ":0\r\n"},
		{"LPOS l a RANK -1", ":4\r\n"},
		{"LPOS l a RANK 2 COUNT 0", "*2\r\n:2\r\n:4\r\n"},
		{"LPOS l a COUNT 0 MAXLEN 3", "*2\r\n:0\r\n:2\r\n"},
		{"LPOS l a RANK -1 MAXLEN 2 COUNT 0", "*1\r\n:4\r\n"},
		{"LPOS l a RANK -9223372036854775808", ":4\r\n"},
		{"LPOS l a RANK -9223372036854775807", "$-1\r\n"},
		{"LPOS l zz COUNT 1", "*0\r\n"},
		{"LPOS nokey a COUNT 1", "*0\r\n"},
		{"LPOS nokey a", "$-1\r\n"},
		{"LPOS l a RANK 0", "-" + ErrListRankZero + "\r\n"},
		{"LPOS l a COUNT x", "-ERR COUNT can't be negative\r\n"},
		{"LPOS l a MAXLEN -1", "-ERR MAXLEN can't be negative\r\n"},
		{"LPOS l a RANK", "-ERR syntax error\r\n"},
		{"LINSERT l middle a b", "-ERR syntax error\r\n"},
		{"LINSERT l before zz b", ":-1\r\n"},
		{"LINSERT nokey before a b", ":0\r\n"},
		{"LINSERT l AFTER a q", ":6\r\n"},
		{"LINSERT l before a p", ":7\r\n"},
		{"LRANGE l 0 -1", "*7\r\n$1\r\np\r\n$1\r\na\r\n$1\r\nq\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n"},
		{"LREM l -1 a", ":1\r\n"},
		{"LREM l 0 a", ":2\r\n"},
		{"LREM l 0 zz", ":0\r\n"},
		{"LREM nokey 0 a", ":0\r\n"},
		{"LREM l x a", "-ERR value is not an integer or out of range\r\n"},
		{"LTRIM l 1 -2", "+OK\r\n"},
		{"LRANGE l 0 -1", "*2\r\n$1\r\nq\r\n$1\r\nx\r\n"},
		{"LTRIM nokey 0 1", "+OK\r\n"},
		{"LTRIM l 5 1", "+OK\r\n"},
	})
	if h.ks.DBs[0].Peek("l") != nil {
		t.Fatal("trimmed-away list still stored")
	}
}

func TestListPropagationAndEvents(t *testing.T) {
	h := newHarness(t)
	h.do("RPUSH", "l", "a", "b", "c", "d", "e")
	h.env.events = nil
	cases := []struct {
		args  []string
		prop  string
		dirty int
	}{
		{[]string{"LPOP", "l", "0"}, "", 0},
		{[]string{"LPOP", "l", "1"}, "LPOP l 1", 1},
		{[]string{"BLPOP", "nokey", "l", "0"}, "LPOP l", 1},
		{[]string{"BRPOP", "l", "0"}, "RPOP l", 1},
		{[]string{"RPUSH", "l", "x", "y", "z"}, "RPUSH l x y z", 3},
		{[]string{"LMPOP", "2", "nokey", "l", "LEFT", "COUNT", "2"}, "LPOP l 2", 2},
		{[]string{"BLMPOP", "0", "1", "l", "right", "COUNT", "10"}, "RPOP l 3", 3},
		{[]string{"LMPOP", "1", "l", "LEFT"}, "", 0},
		{[]string{"RPUSH", "l", "a", "b", "c"}, "RPUSH l a b c", 3},
		{[]string{"BLMOVE", "l", "m", "left", "Right", "0"}, "LMOVE l m left Right", 1},
		{[]string{"BRPOPLPUSH", "l", "m", "0"}, "RPOPLPUSH l m", 1},
		{[]string{"LTRIM", "l", "0", "-1"}, "", 0},
		{[]string{"LTRIM", "m", "1", "1"}, "LTRIM m 1 1", 1},
		{[]string{"LREM", "l", "0", "b"}, "LREM l 0 b", 1},
	}
	for _, tc := range cases {
		before := len(h.props)
		c, reply := h.listRun(false, false, tc.args...)
		if strings.HasPrefix(reply, "-") {
			t.Fatalf("%v: %q", tc.args, reply)
		}
		got := ""
		if len(h.props) > before {
			got = h.lastProp()
		}
		if got != tc.prop || c.Dirty != tc.dirty {
			t.Errorf("%v: propagated %q dirty %d, want %q dirty %d", tc.args, got, c.Dirty, tc.prop, tc.dirty)
		}
	}
	want := "lpop:l lpop:l rpop:l rpush:l lpop:l rpop:l del:l rpush:l rpush:m lpop:l lpush:m rpop:l ltrim:l ltrim:m lrem:l del:l"
	if got := strings.Join(h.env.events, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
}

func TestListBlocking(t *testing.T) {
	h := newHarness(t)
	// Nothing to pop: the client blocks on every key, with no reply.
	if _, reply := h.listRun(false, false, "BLPOP", "a", "b", "0"); reply != "" ||
		len(h.env.blocked) != 2 || string(h.env.blocked[1]) != "b" {
		t.Fatalf("BLPOP did not block: %q %q", reply, h.env.blocked)
	}
	// A re-run that still finds nothing blocks again, silently; a key of
	// another type is passed over then.
	h.do("SET", "a", "str")
	if _, reply := h.listRun(false, true, "BLPOP", "a", "b", "0"); reply != "" || h.env.blocked == nil {
		t.Fatalf("re-run did not re-block: %q", reply)
	}
	h.do("RPUSH", "b", "1", "2")
	if _, reply := h.listRun(false, true, "BLPOP", "a", "b", "0"); reply != "*2\r\n$1\r\nb\r\n$1\r\n1\r\n" {
		t.Fatalf("re-run reply %q", reply)
	}
	if h.lastProp() != "LPOP b" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	// Reached first on a fresh call, the string key is an error.
	h.expect("-"+ErrWrongType+"\r\n", "BLPOP", "a", "b", "0")
	// Inside MULTI nothing blocks: null array, or null bulk for moves.
	if _, reply := h.listRun(true, false, "BRPOP", "x", "0"); reply != "*-1\r\n" {
		t.Fatalf("BRPOP in MULTI %q", reply)
	}
	if _, reply := h.listRun(true, false, "BLMOVE", "x", "y", "LEFT", "LEFT", "0"); reply != "$-1\r\n" {
		t.Fatalf("BLMOVE in MULTI %q", reply)
	}
	if _, reply := h.listRun(true, false, "BLMPOP", "0", "1", "x", "LEFT"); reply != "*-1\r\n" {
		t.Fatalf("BLMPOP in MULTI %q", reply)
	}
	// BLMOVE blocks on the source only; served later it propagates LMOVE.
	if _, reply := h.listRun(false, false, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "1"); reply != "" ||
		len(h.env.blocked) != 1 || string(h.env.blocked[0]) != "src" {
		t.Fatalf("BLMOVE did not block: %q %q", reply, h.env.blocked)
	}
	h.do("RPUSH", "src", "v1", "v2")
	if _, reply := h.listRun(false, true, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "1"); reply != "$2\r\nv2\r\n" {
		t.Fatalf("BLMOVE re-run %q", reply)
	}
	if h.lastProp() != "LMOVE src dst RIGHT LEFT" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	// A wrong-type destination is reported to the served client.
	h.expect("-"+ErrWrongType+"\r\n", "BLMOVE", "src", "a", "LEFT", "LEFT", "0")
	// Errors in the arguments come before anything else.
	h.expect("-ERR timeout is negative\r\n", "BLPOP", "a", "-1")
	h.expect("-ERR timeout is not a float or out of range\r\n", "BRPOPLPUSH", "a", "b", "x")
	h.expect("-ERR syntax error\r\n", "BLMOVE", "a", "b", "up", "LEFT", "x")
	h.expect("-ERR numkeys should be greater than 0\r\n", "BLMPOP", "x", "0", "a", "LEFT")
	h.expect("-ERR syntax error\r\n", "BLMPOP", "x", "1", "a", "MIDDLE")
	h.expect("-ERR timeout is not a float or out of range\r\n", "BLMPOP", "x", "1", "a", "LEFT")
	h.expect("-ERR count should be greater than 0\r\n", "LMPOP", "1", "a", "LEFT", "COUNT", "0")
	h.expect("-ERR syntax error\r\n", "LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1")
	h.expect("-ERR syntax error\r\n", "LMPOP", "9223372036854775807", "a", "LEFT")
}

func TestListMoveAndResp3(t *testing.T) {
	h := newHarness(t)
	runListCases(t, h, []listCase{
		{"RPUSH l a b c", ":3\r\n"},
		{"LMOVE l l LEFT RIGHT", "$1\r\na\r\n"},
		{"RPOPLPUSH l l", "$1\r\na\r\n"},
		{"LRANGE l 0 -1", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
		{"LMOVE l m up LEFT", "-ERR syntax error\r\n"},
		{"LMOVE nokey m LEFT LEFT", "$-1\r\n"},
		{"RPOPLPUSH l m", "$1\r\nc\r\n"},
		{"LMOVE l m LEFT LEFT", "$1\r\na\r\n"},
		{"LMOVE l m RIGHT RIGHT", "$1\r\nb\r\n"},
		{"LRANGE m 0 -1", "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"},
		{"LLEN l", ":0\r\n"},
	})
	h.proto = 3
	runListCases(t, h, []listCase{
		{"LPOP nokey", "_\r\n"},
		{"LPOP nokey 2", "_\r\n"},
		{"LINDEX m 9", "_\r\n"},
		{"LPOS m zz", "_\r\n"},
		{"LMPOP 1 nokey LEFT", "_\r\n"},
		{"LMPOP 1 m RIGHT", "*2\r\n$1\r\nm\r\n*1\r\n$1\r\nb\r\n"},
		{"LMOVE nokey m LEFT LEFT", "_\r\n"},
	})
}

func TestListBigAndMany(t *testing.T) {
	h := newHarness(t)
	args := []string{"RPUSH", "big"}
	for i := 0; i < 1000; i++ {
		args = append(args, strings.Repeat("v", i%50)+"x")
	}
	h.expect(":1000\r\n", args...)
	h.expect("$50\r\n"+strings.Repeat("v", 49)+"x\r\n", "LINDEX", "big", "549")
	h.expect("+OK\r\n", "LTRIM", "big", "100", "-101")
	h.expect(":800\r\n", "LLEN", "big")
	h.expect(":16\r\n", "LREM", "big", "0", "x")
	h.expect("$2\r\nvx\r\n", "LINDEX", "big", "0")
}

func BenchmarkListPushPopCmd(b *testing.B) {
	h := newHarness(&testing.T{})
	db := h.ks.DBs[0]
	push := [][]byte{[]byte("LPUSH"), []byte("queue"), []byte("payload-123")}
	pop := [][]byte{[]byte("RPOP"), []byte("queue")}
	w := &resp.Writer{Proto: 2}
	c := &Ctx{W: w, KS: h.ks, DB: db, Set: DefaultSettings()}
	c.Args = [][]byte{[]byte("RPUSH"), []byte("queue"), []byte("keep")}
	rpushCmd(c)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.Reset()
		c.Reset()
		c.Args = push
		lpushCmd(c)
		c.Reset()
		c.Args = pop
		rpopCmd(c)
	}
}
