package commands

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// zrun runs a command like harness.do but with the Ctx flags a blocked
// or transactional execution sets, returning the reply and the Ctx.
func zrun(h *harness, inMulti, reprocessing bool, args ...string) (string, *Ctx) {
	h.t.Helper()
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	w := &resp.Writer{Proto: h.proto}
	cmd := Lookup(bargs[0])
	h.ks.NowMs = 1_700_000_000_000
	c := &Ctx{Args: bargs, Cmd: cmd, W: w, KS: h.ks, DB: h.ks.DBs[h.db], Env: h.env, Set: DefaultSettings(),
		InMulti: inMulti, Reprocessing: reprocessing}
	cmd.Proc(c)
	for _, op := range c.Finish() {
		var s []string
		for _, a := range op.Args {
			s = append(s, string(a))
		}
		h.props = append(h.props, s)
	}
	return string(w.Buf), c
}

func TestZAddReplies(t *testing.T) {
	h := newHarness(t)
	h.expect(":3\r\n", "ZADD", "z", "1", "a", "2", "b", "3", "c")
	h.expect(":0\r\n", "ZADD", "z", "1", "a")
	h.expect(":2\r\n", "ZADD", "z", "CH", "5", "a", "1", "d")
	h.expect("$1\r\n6\r\n", "ZADD", "z", "INCR", "1", "a")
	h.expect("$-1\r\n", "ZADD", "z", "INCR", "NX", "1", "a")
	h.expect("-ERR XX and NX options at the same time are not compatible\r\n", "ZADD", "z", "NX", "XX", "1", "a")
	h.expect("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", "ZADD", "z", "GT", "LT", "1", "a")
	h.expect("-ERR INCR option supports a single increment-element pair\r\n", "ZADD", "z", "INCR", "1", "a", "2", "b")
	h.expect("-ERR syntax error\r\n", "ZINCRBY", "z", "nx", "a")
	h.expect("-ERR value is not a valid float\r\n", "ZADD", "z", "nan", "a")
	h.expect(":1\r\n", "ZADD", "z", "0x10", "hex")
	h.expect("$2\r\n16\r\n", "ZSCORE", "z", "hex")
	h.expect("$19\r\n0.10000000000000001\r\n", "ZINCRBY", "y", "0.1", "m")
	h.expect("$3\r\ninf\r\n", "ZINCRBY", "y", "inf", "m")
	h.expect("-ERR resulting score is not a number (NaN)\r\n", "ZINCRBY", "y", "-inf", "m")
	h.proto = 3
	h.expect(",inf\r\n", "ZSCORE", "y", "m")
	h.expect("*2\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n", "ZRANGE", "z", "1", "2", "WITHSCORES")
	h.expect("_\r\n", "ZSCORE", "y", "nosuch")
}

func TestZSetPropagationAndEvents(t *testing.T) {
	h := newHarness(t)
	h.do("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e")
	if h.lastProp() != "ZADD z 1 a 2 b 3 c 4 d 5 e" {
		t.Fatalf("zadd propagated %q", h.lastProp())
	}
	n := len(h.props)
	h.do("ZADD", "z", "1", "a")
	h.do("ZINCRBY", "z", "0", "a")
	h.do("ZREM", "z", "nosuch")
	h.do("ZUNIONSTORE", "dst", "1", "nokey")
	h.do("ZMPOP", "1", "nokey", "MIN")
	if len(h.props) != n {
		t.Fatalf("no-op commands propagated: %v", h.props[n:])
	}
	cases := []struct {
		args []string
		prop string
	}{
		{[]string{"ZMPOP", "1", "z", "MIN"}, "ZPOPMIN z 1"},
		{[]string{"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2"}, "ZPOPMAX z 2"},
		{[]string{"BZPOPMIN", "nokey", "z", "0"}, "ZPOPMIN z"},
		{[]string{"BZMPOP", "0", "1", "z", "MAX", "COUNT", "10"}, "ZPOPMAX z 1"},
	}
	for _, c := range cases {
		h.do(c.args...)
		if got := h.lastProp(); got != c.prop {
			t.Errorf("%v propagated %q, want %q", c.args, got, c.prop)
		}
	}
	h.env.events = nil
	h.do("ZADD", "z", "1", "a", "2", "b", "3", "c")
	h.do("ZINCRBY", "z", "1", "a")
	h.do("ZREMRANGEBYSCORE", "z", "2", "2")
	h.do("ZPOPMIN", "z")
	h.do("ZADD", "s", "1", "x")
	h.do("ZUNIONSTORE", "u", "1", "s")
	h.do("ZRANGESTORE", "r", "s", "0", "-1")
	h.do("ZRANGESTORE", "r", "nokey", "0", "-1")
	h.do("ZREM", "s", "x")
	want := []string{"zadd:z", "zincr:z", "zremrangebyscore:z", "zpopmin:z", "del:z", "zadd:s",
		"zunionstore:u", "zrangestore:r", "keymiss:nokey", "del:r", "zrem:s", "del:s"}
	if !slices.Equal(h.env.events, want) {
		t.Errorf("events %v\nwant %v", h.env.events, want)
	}
	if h.lastProp() != "ZREM s x" {
		t.Errorf("last prop %q", h.lastProp())
	}
}

func TestZSetDirtyAndWatch(t *testing.T) {
	h := newHarness(t)
	_, c := zrun(h, false, false, "ZADD", "z", "1", "a", "2", "b", "3", "c")
	if c.Dirty != 3 {
		t.Errorf("ZADD dirty %d", c.Dirty)
	}
	_, c = zrun(h, false, false, "ZPOPMIN", "z", "2")
	if c.Dirty != 2 {
		t.Errorf("ZPOPMIN dirty %d", c.Dirty)
	}
	if len(h.env.modified) != 2 || h.env.modified[1] != "z" {
		t.Errorf("modified %v", h.env.modified)
	}
}

func TestZSetBlocking(t *testing.T) {
	h := newHarness(t)
	if got := h.do("BZPOPMIN", "k1", "k2", "0"); got != "" {
		t.Fatalf("blocked command replied %q", got)
	}
	if len(h.env.blocked) != 2 || string(h.env.blocked[0]) != "k1" || string(h.env.blocked[1]) != "k2" {
		t.Fatalf("blocked on %q", h.env.blocked)
	}
	h.env.blocked = nil
	h.do("BZMPOP", "0", "2", "k1", "k3", "MIN")
	if len(h.env.blocked) != 2 || string(h.env.blocked[1]) != "k3" {
		t.Fatalf("BZMPOP blocked on %q", h.env.blocked)
	}
	// Inside MULTI a pop that cannot be served answers nil at once.
	if got, _ := zrun(h, true, false, "BZPOPMAX", "k1", "0"); got != "*-1\r\n" {
		t.Errorf("MULTI BZPOPMAX: %q", got)
	}
	if got, _ := zrun(h, true, false, "BZMPOP", "0", "1", "k1", "MIN"); got != "*-1\r\n" {
		t.Errorf("MULTI BZMPOP: %q", got)
	}
	// Re-run after k2 got a member: served from k2, skipping a key that
	// meanwhile became a string.
	h.do("SET", "k1", "str")
	h.do("ZADD", "k2", "1", "m")
	h.env.blocked = nil
	got, _ := zrun(h, false, true, "BZPOPMIN", "k1", "k2", "0")
	if got != "*3\r\n$2\r\nk2\r\n$1\r\nm\r\n$1\r\n1\r\n" {
		t.Errorf("reprocessed reply %q", got)
	}
	if h.lastProp() != "ZPOPMIN k2" {
		t.Errorf("reprocessed prop %q", h.lastProp())
	}
	// Nothing left: a re-run blocks again instead of replying.
	if got, _ := zrun(h, false, true, "BZPOPMIN", "k1", "k2", "0"); got != "" || h.env.blocked == nil {
		t.Errorf("re-run with nothing to pop replied %q", got)
	}
	h.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "BZPOPMIN", "k1", "0")
}

func TestZSetKeyPositions(t *testing.T) {
	cases := []struct {
		args string
		want []int
	}{
		{"ZUNIONSTORE dst 2 a b WEIGHTS 1 2", []int{1, 3, 4}},
		{"ZUNION 3 a b c", []int{2, 3, 4}},
		{"ZUNION 4 a b c", nil},
		{"ZINTERCARD 1 a LIMIT 1", []int{2}},
		{"ZMPOP 2 a b MIN", []int{2, 3}},
		{"BZMPOP 0 2 a b MIN", []int{3, 4}},
		{"BZPOPMIN a b 0", []int{1, 2}},
		{"ZRANGESTORE d s 0 -1", []int{1, 2}},
	}
	for _, c := range cases {
		var args [][]byte
		for _, f := range strings.Fields(c.args) {
			args = append(args, []byte(f))
		}
		got := Lookup(args[0]).KeyPositions(args)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: keys %v, want %v", c.args, got, c.want)
		}
	}
}

func TestZStrtod(t *testing.T) {
	ok := map[string]float64{
		"1": 1, "-2.5": -2.5, "+.5": 0.5, "5.": 5, "0x10": 16, "0x1.8p1": 3, "0X.8": 0.5,
		"inf": math.Inf(1), "-Infinity": math.Inf(-1), "1e3": 1000, "5e-324": 5e-324,
	}
	for s, want := range ok {
		if f, good := zparseDouble([]byte(s)); !good || f != want {
			t.Errorf("zparseDouble(%q) = %v %v, want %v", s, f, good, want)
		}
	}
	for _, s := range []string{"", " 1", "1 ", "nan", "1e400", "1e-400", "2e-324", "0x", "1e", "1_0", "abc", "nan(12)", "infinit"} {
		if f, good := zparseDouble([]byte(s)); good {
			t.Errorf("zparseDouble(%q) accepted as %v", s, f)
		}
	}
	ends := []struct {
		s      string
		f      float64
		ex, ok bool
	}{
		{"(1.5", 1.5, true, true}, {"", 0, false, true}, {"(", 0, true, true}, {" 2", 2, false, true},
		{"1e400", math.Inf(1), false, true}, {"3\x00x", 3, false, true}, {"((1", 0, false, false},
		{"nan", 0, false, false}, {"2 ", 0, false, false},
	}
	for _, e := range ends {
		f, ex, ok := zrangeEnd([]byte(e.s))
		if ok != e.ok || (ok && (f != e.f || ex != e.ex)) {
			t.Errorf("zrangeEnd(%q) = %v %v %v", e.s, f, ex, ok)
		}
	}
}

func TestZSetEncodingsThroughCommands(t *testing.T) {
	h := newHarness(t)
	args := []string{"ZADD", "z"}
	for i := 0; i < 129; i++ {
		args = append(args, "1", "m"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('0'+i/26)))
	}
	h.do(args...)
	o := h.ks.DBs[0].Peek("z")
	if o.Encoding() != "skiplist" {
		t.Fatalf("encoding %s", o.Encoding())
	}
	h.do("ZUNIONSTORE", "small", "1", "z")
	h.do("ZREMRANGEBYRANK", "small", "0", "10")
	if e := h.ks.DBs[0].Peek("small").Encoding(); e != "skiplist" {
		t.Errorf("a shrunk skiplist changed encoding: %s", e)
	}
	h.do("ZRANGESTORE", "part", "z", "0", "9")
	if e := h.ks.DBs[0].Peek("part").Encoding(); e != "listpack" {
		t.Errorf("ZRANGESTORE of 10: %s", e)
	}
	c := o.Val.(*keyspace.ZSet).Clone().(*keyspace.ZSet)
	if c.Len() != 129 || c.Encoding() != "skiplist" {
		t.Error("clone")
	}
}

// BenchmarkZBig measures single-member commands on a 100k-member skiplist.
func BenchmarkZBig(b *testing.B) {
	ks := keyspace.New(1)
	w := &resp.Writer{Proto: 2}
	mk := func(args ...string) *Ctx {
		bb := make([][]byte, len(args))
		for i, a := range args {
			bb[i] = []byte(a)
		}
		return &Ctx{Args: bb, Cmd: Lookup(bb[0]), W: w, KS: ks, DB: ks.DBs[0], Set: DefaultSettings()}
	}
	for i := 0; i < 100000; i++ {
		c := mk("ZADD", "big", strconv.Itoa(rand.IntN(100000)), "m:"+strconv.Itoa(i))
		c.Cmd.Proc(c)
	}
	ctxs := make([]*Ctx, 1024)
	for _, name := range []string{"ZRANK", "ZINCRBY", "ZADD"} {
		for i := range ctxs {
			switch name {
			case "ZRANK":
				ctxs[i] = mk("ZRANK", "big", "m:"+strconv.Itoa(rand.IntN(100000)))
			case "ZINCRBY":
				ctxs[i] = mk("ZINCRBY", "big", "1", "m:"+strconv.Itoa(rand.IntN(100000)))
			case "ZADD":
				ctxs[i] = mk("ZADD", "big", strconv.Itoa(rand.IntN(100000)), "m:"+strconv.Itoa(rand.IntN(100000)))
			}
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w.Reset()
				c := ctxs[i&1023]
				c.Reset()
				c.Cmd.Proc(c)
			}
		})
	}
}
