package commands

import (
	"strings"
	"testing"

	"redoubt/internal/resp"
)

func TestIncrDecr(t *testing.T) {
	h := newHarness(t)
	strRun(t, h, []strStep{
		{"INCR n", ":1\r\n"},
		{"INCRBY n 10", ":11\r\n"},
		{"DECR n", ":10\r\n"},
		{"DECRBY n 20", ":-10\r\n"},
		{"INCRBY n a", "-ERR value is not an integer or out of range\r\n"},
		{"INCRBY n 9223372036854775808", "-ERR value is not an integer or out of range\r\n"},
		{"DECRBY n -9223372036854775808", "-ERR decrement would overflow\r\n"},
		{"SET big 9223372036854775807", "+OK\r\n"},
		{"INCR big", "-ERR increment or decrement would overflow\r\n"},
		{"DECR big", ":9223372036854775806\r\n"},
		{"SET small -9223372036854775808", "+OK\r\n"},
		{"DECR small", "-ERR increment or decrement would overflow\r\n"},
		{"INCRBY small -1", "-ERR increment or decrement would overflow\r\n"},
		{"INCRBY small 9223372036854775807", ":-1\r\n"},
		{"SET s foo", "+OK\r\n"},
		{"INCR s", "-ERR value is not an integer or out of range\r\n"},
		{"SET s 01", "+OK\r\n"},
		{"INCR s", "-ERR value is not an integer or out of range\r\n"},
		{"SET s 1.0", "+OK\r\n"},
		{"INCR s", "-ERR value is not an integer or out of range\r\n"},
		{"SET s -0", "+OK\r\n"},
		{"INCR s", "-ERR value is not an integer or out of range\r\n"},
		{"SET s 12345678901234567890", "+OK\r\n"},
		{"INCR s", "-ERR value is not an integer or out of range\r\n"},
	})
	h.do("SET", "s", " 1")
	h.expect("-ERR value is not an integer or out of range\r\n", "INCR", "s")
	h.do("SET", "r", "10")
	h.do("APPEND", "r", "0")
	h.expect(":101\r\n", "INCR", "r")
	if h.lastProp() != "INCR r" {
		t.Fatalf("INCR propagated %q", h.lastProp())
	}
}

func TestIncrbyfloat(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		start, incr, want string
	}{
		{"10.50", "0.1", "10.6"},
		{"0.1", "0.2", "0.3"},
		{"1.5", "1.5", "3"},
		{"10.6", "5.0e3", "5010.60000000000000009"},
		{"0.3", "-0.3", "0"},
		{"-1e-30", "0", "0"},
		{"1e3", "1", "1001"},
		{"+.5", ".5e1", "5.5"},
		{"5.", "0x1p3", "13"},
		{"13", "0x1.8p1", "16"},
		{"16", "0x.8", "16.5"},
		{"16.5", "0x1P-2", "16.75"},
		{"0", "9223372036854775807", "9223372036854775807"},
		{"9223372036854775807", "1", "9223372036854775808"},
		{"0", "123456789012345678901234567890", "123456789012345678899921813504"},
		{"0.000003814697265625", "0", "0.00000381469726562"},
		{"3.6e-4951", "0", "0"},
		{"0e-99999", "0", "0"},
		{"1.18973149535723176503e+4932", "-1.18973149535723176502e+4932", "0"},
	}
	for _, tc := range cases {
		h.do("SET", "f", tc.start)
		want := "$" + strItoa(len(tc.want)) + "\r\n" + tc.want + "\r\n"
		h.expect(want, "INCRBYFLOAT", "f", tc.incr)
	}
	bad := []string{"", " 1", "1 ", "abc", "nan", "1e", "0x", "1_0", "0b1", "-", "1e5000", "1e-5000", strings.Repeat("1", 5120)}
	for _, b := range bad {
		h.expect("-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", b)
	}
	for _, inc := range []string{"inf", "-INF", "Infinity"} {
		h.expect("-ERR increment would produce NaN or Infinity\r\n", "INCRBYFLOAT", "f", inc)
	}
	h.do("SET", "f", "1.1897314953572317650e+4932")
	h.expect("-ERR increment would produce NaN or Infinity\r\n", "INCRBYFLOAT", "f", "1e4932")
	h.do("SET", "f", " 1")
	h.expect("-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", "1")
	// A huge but finite long double prints all its digits.
	h.do("SET", "f", "1e4000")
	if r := h.do("INCRBYFLOAT", "f", "0"); !strings.HasPrefix(r, "$4000\r\n99999999999999999999654638730996") {
		t.Fatalf("1e4000: %.40q", r)
	}
}

func TestIncrbyfloatPropagation(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "f", "1", "EX", "100")
	h.expect("$3\r\n1.5\r\n", "INCRBYFLOAT", "f", "0.5")
	if got := h.lastProp(); got != "SET f 1.5 KEEPTTL" {
		t.Fatalf("propagated %q", got)
	}
	if h.ks.DBs[0].Expire("f") != 1_100_000 {
		t.Fatal("TTL lost")
	}
	// The propagated value must not change when the stored buffer is
	// later overwritten in place (inside MULTI both are flushed together).
	c := strRawCtx(h, "INCRBYFLOAT", "f", "1")
	c.Cmd.Proc(c)
	ops := c.Finish()
	h.do("SET", "f", "9.9")
	if got := string(ops[len(ops)-1].Args[2]); got != "2.5" {
		t.Fatalf("propagated value aliased the stored one: %q", got)
	}
	n := len(h.props)
	h.do("INCRBYFLOAT", "f", "inf")
	h.do("INCRBYFLOAT", "f", "x")
	if len(h.props) != n {
		t.Fatal("failed INCRBYFLOAT propagated")
	}
}

// strRawCtx builds a Ctx for running a proc by hand against h's keyspace.
func strRawCtx(h *harness, args ...string) *Ctx {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	h.ks.NowMs = h.now
	return &Ctx{Args: b, Cmd: Lookup(b[0]), W: &resp.Writer{Proto: 2}, KS: h.ks, DB: h.ks.DBs[0], Env: h.env, Set: DefaultSettings()}
}

func strItoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
