package commands

import (
	"strings"
	"testing"
)

func TestFlushCommands(t *testing.T) {
	h := newHarness(t)
	h.expect("+OK\r\n", "FLUSHDB")
	if h.lastProp() != "FLUSHDB" {
		t.Fatalf("empty FLUSHDB must still propagate, got %q", h.lastProp())
	}
	h.expect("-ERR syntax error\r\n", "FLUSHDB", "foo")
	h.expect("-ERR syntax error\r\n", "FLUSHDB", "async", "sync")
	h.expect("-ERR syntax error\r\n", "FLUSHALL", "a", "b")
	h.do("SET", "a", "1")
	h.db = 1
	h.do("SET", "b", "1")
	h.expect(":1\r\n", "DBSIZE")
	h.expect("+OK\r\n", "FLUSHDB", "ASYNC")
	h.expect(":0\r\n", "DBSIZE")
	h.db = 0
	h.expect(":1\r\n", "DBSIZE")
	h.do("SET", "c", "1")
	h.db = 5
	h.do("SET", "d", "1")
	h.props = nil
	h.expect("+OK\r\n", "flushall", "sync")
	if h.lastProp() != "flushall sync" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	for i := range h.ks.DBs {
		if n := h.ks.DBs[i].Len(); n != 0 {
			t.Fatalf("db %d still has %d keys", i, n)
		}
	}
	h.props = nil
	h.expect("+OK\r\n", "FLUSHALL")
	if h.lastProp() != "FLUSHALL" {
		t.Fatalf("empty FLUSHALL must still propagate, got %q", h.lastProp())
	}
	if len(h.env.events) != 0 && strings.Contains(strings.Join(h.env.events, ","), "flush") {
		t.Fatalf("flush sent events %v", h.env.events)
	}
}

func TestSwapDB(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		want string
		args []string
	}{
		{"-ERR invalid first DB index\r\n", []string{"SWAPDB", "x", "0"}},
		{"-ERR invalid second DB index\r\n", []string{"SWAPDB", "0", "x"}},
		{"-ERR invalid second DB index\r\n", []string{"SWAPDB", "0", "99999999999"}},
		{"-ERR DB index is out of range\r\n", []string{"SWAPDB", "0", "16"}},
		{"-ERR DB index is out of range\r\n", []string{"SWAPDB", "-1", "0"}},
	} {
		h.expect(c.want, c.args...)
	}
	if len(h.props) != 0 {
		t.Fatalf("failed SWAPDB propagated %v", h.props)
	}
	h.expect("+OK\r\n", "SWAPDB", "0", "0")
	if h.lastProp() != "SWAPDB 0 0" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	h.do("SET", "in0", "zero")
	h.db = 1
	h.do("SET", "in1", "one")
	keysAddList(h, 1, "list1")
	h.db = 0
	h.env.ready = nil
	h.expect("+OK\r\n", "SWAPDB", "0", "1")
	h.expect("$3\r\none\r\n", "GET", "in1")
	h.expect(":0\r\n", "EXISTS", "in0")
	h.db = 1
	h.expect("$4\r\nzero\r\n", "GET", "in0")
	// Waking blocked clients after SWAPDB is the server's Swapped hook's
	// job (tested in package server), not the command's.
}
