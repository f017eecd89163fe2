package commands

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestHashesCommandsTable(t *testing.T) {
	h := newHarness(t)
	steps := []struct {
		want string
		args []string
	}{
		{":2\r\n", []string{"HSET", "h", "a", "1", "b", "2"}},
		{":1\r\n", []string{"HSET", "h", "a", "x", "c", "3"}},
		{"-ERR wrong number of arguments for 'hset' command\r\n", []string{"HSET", "h", "a", "1", "b"}},
		{"-ERR wrong number of arguments for 'hmset' command\r\n", []string{"HMSET", "h", "a"}},
		{"+OK\r\n", []string{"HMSET", "h", "d", "4"}},
		{"*8\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n", []string{"HGETALL", "h"}},
		{"*3\r\n$1\r\nx\r\n$-1\r\n$1\r\n3\r\n", []string{"HMGET", "h", "a", "zz", "c"}},
		{":0\r\n", []string{"HSETNX", "h", "a", "y"}},
		{":1\r\n", []string{"HSETNX", "h", "e", "5"}},
		{":1\r\n", []string{"HSTRLEN", "h", "e"}},
		{":5\r\n", []string{"HLEN", "h"}},
		{":1\r\n", []string{"HEXISTS", "h", "e"}},
		{":2\r\n", []string{"HDEL", "h", "a", "b", "zz"}},
		{"*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", []string{"HKEYS", "h"}},
		{"*3\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n", []string{"HVALS", "h"}},
		{":13\r\n", []string{"HINCRBY", "h", "c", "10"}},
		{"$4\r\n10.6\r\n", []string{"HINCRBYFLOAT", "x", "f", "10.6"}},
		{"-ERR hash value is not an integer\r\n", []string{"HINCRBY", "x", "f", "1"}},
		{"-ERR value is NaN or Infinity\r\n", []string{"HINCRBYFLOAT", "h", "c", "inf"}},
		{"-ERR value is not a valid float\r\n", []string{"HINCRBYFLOAT", "h", "c", "1x"}},
		{"*0\r\n", []string{"HGETALL", "nokey"}},
		{"$-1\r\n", []string{"HRANDFIELD", "nokey"}},
		{"*6\r\n$1\r\nc\r\n$2\r\n13\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n", []string{"HRANDFIELD", "h", "3", "WITHVALUES"}},
		{"-ERR value is out of range\r\n", []string{"HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"}},
		{"*2\r\n$1\r\n0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", []string{"HSCAN", "h", "77", "MATCH", "d"}},
		{"-ERR syntax error\r\n", []string{"HSCAN", "h", "0", "COUNT", "0"}},
		{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"HSCAN", "nokey", "0", "COUNT", "0"}},
		{"-ERR invalid cursor\r\n", []string{"HSCAN", "h", "x"}},
	}
	for _, s := range steps {
		h.expect(s.want, s.args...)
	}
	h.do("SET", "str", "v")
	for _, cmd := range [][]string{{"HSET", "str", "a", "b"}, {"HGET", "str", "a"}, {"HGETALL", "str"}, {"HINCRBYFLOAT", "str", "a", "1"}, {"HSCAN", "str", "0"}} {
		h.expect("-"+ErrWrongType+"\r\n", cmd...)
	}
}

func TestHashesEncodingTransitions(t *testing.T) {
	h := newHarness(t)
	enc := func(key string) string {
		o := h.ks.DBs[0].Peek(key)
		if o == nil {
			return "none"
		}
		return o.Encoding()
	}
	args := []string{"HSET", "h"}
	for i := 0; i < 128; i++ {
		args = append(args, fmt.Sprint("f", i), "v")
	}
	h.do(args...)
	if enc("h") != "listpack" {
		t.Fatalf("128 fields: %s", enc("h"))
	}
	h.do("HSET", "h", "one-more", "v")
	if enc("h") != "hashtable" {
		t.Fatalf("129 fields: %s", enc("h"))
	}
	h.do("HSET", "v", "f", strings.Repeat("x", 64))
	if enc("v") != "listpack" {
		t.Fatal("64-byte value converted")
	}
	h.do("HINCRBY", "v", strings.Repeat("k", 65), "1")
	if enc("v") != "hashtable" {
		t.Fatal("65-byte field via HINCRBY kept listpack")
	}
	h.do("HSET", "w", "a", "1")
	h.do("HSETNX", "w", "a", strings.Repeat("x", 65))
	if enc("w") != "listpack" {
		t.Fatal("HSETNX on an existing field converted")
	}
}

func TestHashesPropagationAndEvents(t *testing.T) {
	h := newHarness(t)
	h.do("HSET", "h", "f", "10.5")
	if h.lastProp() != "HSET h f 10.5" {
		t.Fatalf("HSET propagated %q", h.lastProp())
	}
	h.do("HINCRBYFLOAT", "h", "f", "0.1")
	if h.lastProp() != "HSET h f 10.6" {
		t.Fatalf("HINCRBYFLOAT propagated %q", h.lastProp())
	}
	n := len(h.props)
	h.do("HGET", "h", "f")
	h.do("HDEL", "h", "nosuch")
	h.do("HDEL", "nokey", "f")
	h.do("HINCRBY", "h", "f", "1")
	h.do("HSETNX", "h", "f", "x")
	if len(h.props) != n {
		t.Fatalf("no-op commands propagated: %v", h.props[n:])
	}
	h.env.events = nil
	h.do("HINCRBY", "h", "i", "1")
	h.do("HDEL", "h", "f", "i")
	want := "hincrby:h hdel:h del:h"
	if got := strings.Join(h.env.events, " "); got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

func TestHashesRESP3(t *testing.T) {
	h := newHarness(t)
	h.proto = 3
	h.do("HSET", "h", "a", "1", "b", "2")
	h.expect("%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", "HGETALL", "h")
	h.expect("%0\r\n", "HGETALL", "nokey")
	h.expect("*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "HRANDFIELD", "h", "5", "WITHVALUES")
	h.expect("*2\r\n_\r\n$1\r\n2\r\n", "HMGET", "h", "x", "b")
	got := h.do("HRANDFIELD", "h", "-3", "WITHVALUES")
	if !strings.HasPrefix(got, "*3\r\n*2\r\n") {
		t.Fatalf("negative count WITHVALUES: %q", got)
	}
}

func TestHashesScanLargeCoversAll(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 500; i++ {
		h.do("HSET", "h", fmt.Sprint("f", i), fmt.Sprint(i))
	}
	seen := map[string]bool{}
	cursor := "0"
	for round := 0; ; round++ {
		var items []string
		cursor, items = hsScanReply(t, h.do("HSCAN", "h", cursor, "COUNT", "7"))
		for i := 0; i+1 < len(items); i += 2 {
			if "f"+items[i+1] != items[i] {
				t.Fatalf("bad pair %s %s", items[i], items[i+1])
			}
			seen[items[i]] = true
		}
		if cursor == "0" {
			break
		}
		if round > 10000 {
			t.Fatal("scan does not end")
		}
	}
	if len(seen) != 500 {
		t.Fatalf("saw %d fields", len(seen))
	}
}

func TestHashesLongDoubleArithmetic(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"10.5", "0.1", "10.6"},
		{"0.1", "0.2", "0.3"},
		{"1e17", "0.3", "100000000000000000.296875"},
		{"", "-0.0", "0"},
		{"", "-0.000000000000000001", "0"},
		{"9223372036854775807", "9223372036854775807", "18446744073709551614"},
		{"5.0e3", "1", "5001"},
		{"0x10", "0x1p-2", "16.25"},
		{"3", "-3", "0"},
		{"1.5", ".25", "1.75"},
	}
	for _, tc := range cases {
		a := hsLD{isInt: true}
		if tc.a != "" {
			var ok bool
			if a, ok = hsParseLD([]byte(tc.a)); !ok {
				t.Fatalf("parse %q", tc.a)
			}
		}
		b, ok := hsParseLD([]byte(tc.b))
		if !ok {
			t.Fatalf("parse %q", tc.b)
		}
		got, ok := hsAddLD(a, b)
		if !ok || string(got) != tc.want {
			t.Errorf("%s + %s = %q (%v), want %q", tc.a, tc.b, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "abc", "nan", "1e", "0x", ".", "1e5000", "1e-5000", "1_0", "0b1", "infx"} {
		if _, ok := hsParseLD([]byte(bad)); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	if v, ok := hsParseLD([]byte("-Infinity")); !ok || v.inf != -1 {
		t.Error("-Infinity")
	}
	if _, ok := hsAddLD(hsLD{inf: 1}, hsLD{isInt: true, i: 1}); ok {
		t.Error("inf + 1 accepted")
	}
}

// hsScanReply splits a raw [cursor, [bulk ...]] reply.
func hsScanReply(t *testing.T, raw string) (string, []string) {
	t.Helper()
	lines := strings.Split(raw, "\r\n")
	if len(lines) < 4 || lines[0] != "*2" {
		t.Fatalf("not a scan reply: %q", raw)
	}
	cursor := lines[2]
	n, err := strconv.Atoi(strings.TrimPrefix(lines[3], "*"))
	if err != nil {
		t.Fatalf("bad item count in %q", raw)
	}
	var items []string
	for i := 0; i < n; i++ {
		items = append(items, lines[5+2*i])
	}
	return cursor, items
}
