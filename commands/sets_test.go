package commands

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func TestSetsCommandsTable(t *testing.T) {
	h := newHarness(t)
	steps := []struct {
		want string
		args []string
	}{
		{":3\r\n", []string{"SADD", "s", "3", "1", "2"}},
		{":1\r\n", []string{"SADD", "s", "2", "4"}},
		{"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", []string{"SMEMBERS", "s"}},
		{":4\r\n", []string{"SCARD", "s"}},
		{":1\r\n", []string{"SISMEMBER", "s", "3"}},
		{":0\r\n", []string{"SISMEMBER", "s", "03"}},
		{"*3\r\n:1\r\n:0\r\n:0\r\n", []string{"SMISMEMBER", "s", "1", "9", "x"}},
		{":2\r\n", []string{"SREM", "s", "1", "2", "9"}},
		{"*2\r\n$1\r\n3\r\n$1\r\n4\r\n", []string{"SRANDMEMBER", "s", "10"}},
		{"*0\r\n", []string{"SRANDMEMBER", "s", "0"}},
		{"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", []string{"SRANDMEMBER", "s", "-9223372036854775808"}},
		{"-ERR value is out of range, must be positive\r\n", []string{"SPOP", "s", "-1"}},
		{"-ERR syntax error\r\n", []string{"SPOP", "s", "1", "2"}},
		{"*0\r\n", []string{"SPOP", "nokey", "3"}},
		{"$-1\r\n", []string{"SPOP", "nokey"}},
		{":3\r\n", []string{"SADD", "t", "4", "5", "6"}},
		{"*1\r\n$1\r\n4\r\n", []string{"SINTER", "s", "t"}},
		{"*0\r\n", []string{"SINTER", "s", "nokey"}},
		{"*4\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n", []string{"SUNION", "s", "t", "nokey"}},
		{"*1\r\n$1\r\n3\r\n", []string{"SDIFF", "s", "t"}},
		{":1\r\n", []string{"SINTERCARD", "2", "s", "t"}},
		{":2\r\n", []string{"SINTERCARD", "1", "t", "LIMIT", "2"}},
		{"-ERR numkeys should be greater than 0\r\n", []string{"SINTERCARD", "0", "s"}},
		{"-ERR Number of keys can't be greater than number of args\r\n", []string{"SINTERCARD", "3", "s", "t"}},
		{"-ERR LIMIT can't be negative\r\n", []string{"SINTERCARD", "1", "s", "LIMIT", "-1"}},
		{":4\r\n", []string{"SUNIONSTORE", "u", "s", "t"}},
		{":0\r\n", []string{"SINTERSTORE", "u", "s", "nokey"}},
		{":0\r\n", []string{"SCARD", "u"}},
		{":1\r\n", []string{"SMOVE", "s", "t", "3"}},
		{":0\r\n", []string{"SMOVE", "nokey", "t", "3"}},
		{"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n", []string{"SSCAN", "t", "0", "MATCH", "[4-6]"}},
	}
	for _, s := range steps {
		h.expect(s.want, s.args...)
	}
	h.do("SET", "str", "v")
	for _, cmd := range [][]string{{"SADD", "str", "a"}, {"SMEMBERS", "str"}, {"SINTER", "nokey", "str"}, {"SMOVE", "t", "str", "4"}, {"SPOP", "str", "1"}} {
		h.expect("-"+ErrWrongType+"\r\n", cmd...)
	}
}

func TestSetsEncodings(t *testing.T) {
	h := newHarness(t)
	enc := func(key string) string {
		o := h.ks.DBs[0].Peek(key)
		if o == nil {
			return "none"
		}
		return o.Encoding()
	}
	args := []string{"SADD", "big"}
	for i := 0; i < 512; i++ {
		args = append(args, fmt.Sprint(i))
	}
	h.do(args...)
	if enc("big") != "intset" {
		t.Fatalf("512 ints: %s", enc("big"))
	}
	h.do("SADD", "big", "512")
	if enc("big") != "hashtable" {
		t.Fatalf("513 ints: %s", enc("big"))
	}
	h.do("SADD", "m", "x", "1", "2", "3")
	h.do("SREM", "m", "x")
	if enc("m") != "hashtable" {
		t.Fatal("table went back to intset")
	}
	// The union of a table of integers is built afresh: an intset.
	h.do("SUNIONSTORE", "u", "m")
	if enc("u") != "intset" {
		t.Fatalf("SUNIONSTORE result %s", enc("u"))
	}
	// Popping everything replies in the union's (ascending) order.
	h.expect("*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "SPOP", "m", "3")
	h.do("SADD", "n", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
	h.do("SREM", "n", "x")
	h.do("SPOP", "n", "9")
	if enc("n") != "intset" {
		t.Fatalf("survivors of a large SPOP: %s", enc("n"))
	}
}

func TestSetsPropagation(t *testing.T) {
	h := newHarness(t)
	h.do("SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
	before := len(h.props)
	got := h.do("SPOP", "s")
	m := strings.Split(got, "\r\n")[1]
	if h.lastProp() != "SREM s "+m {
		t.Fatalf("SPOP propagated %q (popped %q)", h.lastProp(), m)
	}
	before = len(h.props)
	h.do("SPOP", "s", "2")
	props := h.props[before:]
	if len(props) != 2 || props[0][0] != "SREM" || props[1][0] != "SREM" {
		t.Fatalf("SPOP 2 propagated %v", props)
	}
	before = len(h.props)
	h.do("SPOP", "s", "6")
	if len(h.props)-before != 6 || h.lastProp()[:7] != "SREM s " {
		t.Fatalf("SPOP 6 propagated %v", h.props[before:])
	}
	h.do("SPOP", "s", "100")
	if h.lastProp() != "DEL s" {
		t.Fatalf("SPOP all propagated %q", h.lastProp())
	}
	before = len(h.props)
	h.do("SREM", "nokey", "a")
	h.do("SINTERSTORE", "d", "nokey")
	h.do("SMOVE", "nokey", "d", "a")
	h.do("SPOP", "nokey", "2")
	h.do("SADD", "x", "1")
	h.do("SADD", "x", "1")
	if len(h.props)-before != 1 {
		t.Fatalf("no-ops propagated: %v", h.props[before:])
	}
}

func TestSetsEvents(t *testing.T) {
	h := newHarness(t)
	h.do("SADD", "a", "1")
	h.do("SADD", "b", "2")
	h.env.events = nil
	h.do("SMOVE", "a", "b", "1")
	h.do("SINTERSTORE", "c", "b", "b")
	h.do("SUNIONSTORE", "c", "b")
	h.do("SDIFFSTORE", "c", "b", "b")
	h.do("SPOP", "b", "5")
	want := "srem:a del:a sadd:b sinterstore:c sunionstore:c del:c spop:b del:b"
	if got := strings.Join(h.env.events, " "); got != want {
		t.Fatalf("events\n got %q\nwant %q", got, want)
	}
}

func TestSetsRandomCounts(t *testing.T) {
	h := newHarness(t)
	for _, members := range [][]string{{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}} {
		h.do(append([]string{"SADD", "r" + members[0]}, members...)...)
		key := "r" + members[0]
		for _, count := range []int{2, 4, 9} {
			got := hsBulkItems(h.do("SRANDMEMBER", key, fmt.Sprint(count)))
			if len(got) != count || hsHasDup(got) {
				t.Fatalf("SRANDMEMBER %s %d: %v", key, count, got)
			}
		}
		if got := hsBulkItems(h.do("SRANDMEMBER", key, "-30")); len(got) != 30 {
			t.Fatalf("negative count gave %d", len(got))
		}
	}
	h.do("HSET", "hh", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
	ht := []string{"HSET", "ht", "long", strings.Repeat("v", 100)}
	for i := 0; i < 30; i++ {
		ht = append(ht, fmt.Sprint("f", i), "v")
	}
	h.do(ht...)
	for _, key := range []string{"hh", "ht"} {
		for _, count := range []int{1, 2, 4, 9, 25} {
			got := hsBulkItems(h.do("HRANDFIELD", key, fmt.Sprint(count)))
			if want := min(count, h.ks.DBs[0].Peek(key).Val.(interface{ Len() int }).Len()); len(got) != want || hsHasDup(got) {
				t.Fatalf("HRANDFIELD %s %d: %v", key, count, got)
			}
		}
	}
}

func hsBulkItems(raw string) []string {
	lines := strings.Split(raw, "\r\n")
	var out []string
	for i := 1; i+1 < len(lines); i += 2 {
		out = append(out, lines[i+1])
	}
	return out
}

func hsHasDup(items []string) bool {
	s := append([]string(nil), items...)
	sort.Strings(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

func TestSetsRESP3AndKeys(t *testing.T) {
	h := newHarness(t)
	h.proto = 3
	h.do("SADD", "s", "2", "1")
	h.expect("~2\r\n$1\r\n1\r\n$1\r\n2\r\n", "SMEMBERS", "s")
	h.expect("~0\r\n", "SMEMBERS", "nokey")
	h.expect("~0\r\n", "SINTER", "s", "nokey")
	h.do("SADD", "o", "1")
	h.expect("~1\r\n$1\r\n2\r\n", "SDIFF", "s", "nokey", "o")
	h.expect("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", "SRANDMEMBER", "s", "5")
	h.expect("~2\r\n$1\r\n1\r\n$1\r\n2\r\n", "SPOP", "s", "5")
	cmd := Lookup([]byte("sintercard"))
	pos := cmd.KeyPositions([][]byte{[]byte("SINTERCARD"), []byte("2"), []byte("a"), []byte("b"), []byte("LIMIT"), []byte("1")})
	if fmt.Sprint(pos) != "[2 3]" {
		t.Fatalf("sintercard keys %v", pos)
	}
	if cmd.KeyPositions([][]byte{[]byte("SINTERCARD"), []byte("5"), []byte("a")}) != nil {
		t.Fatal("bad numkeys gave keys")
	}
}
