package commands

import (
	"fmt"
	"strings"
	"testing"
)

// flat renders a RESP2 array of already rendered elements.
func flat(elems ...string) string {
	return fmt.Sprintf("*%d\r\n", len(elems)) + strings.Join(elems, "")
}

func num(n int64) string { return fmt.Sprintf(":%d\r\n", n) }

// Consumer-group reads, claims and acknowledgements reach replicas as
// XCLAIM / XGROUP commands; the forms below are the ones Redis 7.0.15
// sends for the same sequence.
func TestStreamGroupPropagation(t *testing.T) {
	h := newHarness(t)
	h.now = 5000
	h.do("XADD", "pr", "9-1", "a", "1")
	h.do("XADD", "pr", "10-1", "a", "1")
	mark := len(h.props)
	runX(t, h, []xcase{
		{"XGROUP CREATE pr g 0", "+OK\r\n"},
		{"XREADGROUP GROUP g c COUNT 1 STREAMS pr >", flat(flat(bulk("pr"), flat(ent("9-1", "a", "1"))))},
		{"XREADGROUP GROUP g c STREAMS pr >", flat(flat(bulk("pr"), flat(ent("10-1", "a", "1"))))},
		{"XREADGROUP GROUP g c NOACK STREAMS pr >", "*-1\r\n"},
		{"XADD pr 11-1 a 1", bulk("11-1")},
		{"XREADGROUP GROUP g d NOACK STREAMS pr >", flat(flat(bulk("pr"), flat(ent("11-1", "a", "1"))))},
		{"XREADGROUP GROUP g c STREAMS pr 0", flat(flat(bulk("pr"), flat(ent("9-1", "a", "1"), ent("10-1", "a", "1"))))},
	})
	h.now = 6000
	runX(t, h, []xcase{
		{"XCLAIM pr g e 0 10-1 JUSTID", flat(bulk("10-1"))},
		{"XCLAIM pr g e 0 10-1 LASTID 20-0", flat(ent("10-1", "a", "1"))},
		{"XCLAIM pr g e 999999 10-1 LASTID 40-0", "*0\r\n"},
		{"XDEL pr 10-1", ":1\r\n"},
		{"XAUTOCLAIM pr g f 0 0", flat(bulk("0-0"), flat(ent("9-1", "a", "1")), flat(bulk("10-1")))},
		{"XACK pr g 10-1", ":0\r\n"},
		{"XGROUP SETID pr g 0", "+OK\r\n"},
		{"XREADGROUP GROUP g c COUNT 1 STREAMS pr >", flat(flat(bulk("pr"), flat(ent("9-1", "a", "1"))))},
	})
	expectProps(t, h, mark,
		"XGROUP CREATE pr g 0",
		"XCLAIM pr g c 0 9-1 TIME 5000 RETRYCOUNT 1 FORCE JUSTID LASTID 9-1",
		"XCLAIM pr g c 0 10-1 TIME 5000 RETRYCOUNT 1 FORCE JUSTID LASTID 10-1",
		"XADD pr 11-1 a 1",
		"XGROUP CREATECONSUMER pr g d",
		"XGROUP SETID pr g 11-1 ENTRIESREAD 3",
		"XCLAIM pr g e 0 10-1 TIME 6000 RETRYCOUNT 2 FORCE JUSTID LASTID 11-1",
		"XCLAIM pr g e 0 10-1 TIME 6000 RETRYCOUNT 3 FORCE JUSTID LASTID 20-0",
		"XGROUP SETID pr g 40-0 ENTRIESREAD 3",
		"XDEL pr 10-1",
		"XCLAIM pr g f 0 9-1 TIME 6000 RETRYCOUNT 3 FORCE JUSTID LASTID 40-0",
		"XCLAIM pr g e 0 10-1 TIME 6000 RETRYCOUNT 3 FORCE JUSTID LASTID 40-0",
		"XGROUP SETID pr g 0",
		"XCLAIM pr g c 0 9-1 TIME 6000 RETRYCOUNT 1 FORCE JUSTID LASTID 9-1")

	h.now = 7000
	h.expect(flat(flat(bulk("9-1"), bulk("c"), num(1000), num(1))), "XPENDING", "pr", "g", "-", "+", "10")
	h.expect("*0\r\n", "XPENDING", "pr", "g", "IDLE", "1001", "-", "+", "10")
	h.expect(flat(num(1), bulk("9-1"), bulk("9-1"), flat(flat(bulk("c"), bulk("1")))), "XPENDING", "pr", "g")
	pel := flat(flat(bulk("9-1"), num(6000), num(1)))
	consumer := func(name string, seen int64, pending string, n int64) string {
		return flat(bulk("name"), bulk(name), bulk("seen-time"), num(seen), bulk("pel-count"), num(n), bulk("pending"), pending)
	}
	full := flat(bulk("length"), num(2), bulk("radix-tree-keys"), num(1), bulk("radix-tree-nodes"), num(2),
		bulk("last-generated-id"), bulk("11-1"), bulk("max-deleted-entry-id"), bulk("10-1"),
		bulk("entries-added"), num(3), bulk("recorded-first-entry-id"), bulk("9-1"),
		bulk("entries"), flat(ent("9-1", "a", "1"), ent("11-1", "a", "1")),
		bulk("groups"), flat(flat(bulk("name"), bulk("g"), bulk("last-delivered-id"), bulk("9-1"),
			bulk("entries-read"), "$-1\r\n", bulk("lag"), "$-1\r\n", bulk("pel-count"), num(1),
			bulk("pending"), flat(flat(bulk("9-1"), bulk("c"), num(6000), num(1))),
			bulk("consumers"), flat(consumer("c", 6000, pel, 1), consumer("d", 5000, "*0\r\n", 0),
				consumer("e", 6000, "*0\r\n", 0), consumer("f", 6000, "*0\r\n", 0)))))
	h.expect(full, "XINFO", "STREAM", "pr", "FULL")
	h.expect(flat(flat(bulk("name"), bulk("c"), bulk("pending"), num(1), bulk("idle"), num(1000)),
		flat(bulk("name"), bulk("d"), bulk("pending"), num(0), bulk("idle"), num(2000)),
		flat(bulk("name"), bulk("e"), bulk("pending"), num(0), bulk("idle"), num(1000)),
		flat(bulk("name"), bulk("f"), bulk("pending"), num(0), bulk("idle"), num(1000))),
		"XINFO", "CONSUMERS", "pr", "g")
	for _, ev := range []string{"xgroup-create:pr", "xgroup-createconsumer:pr", "xgroup-setid:pr"} {
		if !strings.Contains(strings.Join(h.env.events, ","), ev) {
			t.Errorf("event %s missing from %v", ev, h.env.events)
		}
	}
}

func TestStreamGroupCommands(t *testing.T) {
	h := newHarness(t)
	h.now = 100
	noKey := "-" + ErrXGroupNoKey + "\r\n"
	runX(t, h, []xcase{
		{"XGROUP CREATE g grp $", noKey},
		{"XGROUP CREATE g grp $ MKSTREAM", "+OK\r\n"},
		{"XGROUP CREATE g grp $ MKSTREAM", "-" + ErrXBusyGroup + "\r\n"},
		{"XLEN g", ":0\r\n"},
		{"XGROUP CREATE g grp2 0 ENTRIESREAD -2", "-" + ErrXEntriesRead + "\r\n"},
		{"XGROUP CREATE g grp2 0 FOO", "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n"},
		{"xgroup create g grp2 abc", "-" + ErrXInvalidID + "\r\n"},
		{"XGROUP CREATE g2 grp 0 MKSTREAM ENTRIESREAD x", "-ERR value is not an integer or out of range\r\n"},
		{"EXISTS g2", ":0\r\n"},
		{"XGROUP SETID g nogrp 0", "-NOGROUP No such consumer group 'nogrp' for key name 'g'\r\n"},
		{"XGROUP SETID nokey grp 0", noKey},
		{"XGROUP SETID g grp 5 ENTRIESREAD 3", "+OK\r\n"},
		{"XGROUP SETID g grp 5 FOO 3", "-ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.\r\n"},
		{"XGROUP CREATECONSUMER g grp alice", ":1\r\n"},
		{"XGROUP CREATECONSUMER g grp alice", ":0\r\n"},
		{"XGROUP DELCONSUMER g grp alice", ":0\r\n"},
		{"XGROUP DELCONSUMER g grp alice", ":0\r\n"},
		{"XGROUP DESTROY g grp", ":1\r\n"},
		{"XGROUP DESTROY g grp", ":0\r\n"},
		{"XGROUP DESTROY nokey grp", noKey},
		{"XACK nokey grp 1-1", ":0\r\n"},
		{"XACK g nogrp abc", ":0\r\n"},
		{"XPENDING g nogrp", "-NOGROUP No such key 'g' or consumer group 'nogrp'\r\n"},
		{"XPENDING g grp IDLE 1 - + 10 a b", "-ERR syntax error\r\n"},
		{"XCLAIM g nogrp c 0 1-1", "-NOGROUP No such key 'g' or consumer group 'nogrp'\r\n"},
		{"XAUTOCLAIM g nogrp c 0 0 COUNT 0", "-" + ErrXAutoClaimCount + "\r\n"},
		{"XINFO STREAM nokey", "-ERR no such key\r\n"},
		{"XINFO CONSUMERS g grp", "-NOGROUP No such consumer group 'grp' for key name 'g'\r\n"},
		{"XINFO STREAM g FULL COUNT", "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n"},
	})
	if !strings.HasPrefix(h.do("XGROUP", "HELP"), "*17\r\n+XGROUP <subcommand>") {
		t.Error("XGROUP HELP")
	}
	if !strings.HasPrefix(h.do("XINFO", "HELP"), "*9\r\n+XINFO <subcommand>") {
		t.Error("XINFO HELP")
	}
	// XGROUP CREATE ... MKSTREAM on a missing key touches WATCH once.
	h.env.modified = nil
	c, _ := h.xrun(false, false, "XGROUP", "CREATE", "m", "g", "$", "MKSTREAM")
	if c.Dirty != 1 || len(h.env.modified) != 1 {
		t.Errorf("MKSTREAM dirty %d modified %v", c.Dirty, h.env.modified)
	}
	// Deleting a consumer drops its pending entries from the group.
	h.do("XADD", "m", "1-1", "a", "1")
	h.do("XADD", "m", "2-1", "a", "1")
	h.do("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "m", ">")
	runX(t, h, []xcase{
		{"XPENDING m g", flat(num(2), bulk("1-1"), bulk("2-1"), flat(flat(bulk("alice"), bulk("2"))))},
		{"XACK m g 1-1 abc", "-" + ErrXInvalidID + "\r\n"},
		{"XACK m g 1-1 1-1 9-9", ":1\r\n"},
		{"XGROUP DELCONSUMER m g alice", ":1\r\n"},
		{"XPENDING m g", flat(num(0), "$-1\r\n", "$-1\r\n", "*-1\r\n")},
	})
}

// Blocking reads: "$" is pinned to the stream's last ID before blocking,
// a woken reader is served one stream, and inside EXEC a blocking read
// answers at once with a null.
func TestStreamBlocking(t *testing.T) {
	h := newHarness(t)
	h.now = 100
	c, r := h.xrun(false, false, "XREAD", "BLOCK", "0", "STREAMS", "b1", "$")
	if r != "" || len(h.env.blocked) != 1 || string(h.env.blocked[0]) != "b1" || string(c.Args[5]) != "0-0" {
		t.Fatalf("block on missing key: %q %q %q", r, h.env.blocked, c.Args)
	}
	h.do("XADD", "b1", "1-1", "a", "1")
	c, _ = h.xrun(false, false, "XREAD", "BLOCK", "50", "STREAMS", "b1", "b2", "$", "0")
	if len(h.env.blocked) != 2 || string(c.Args[6]) != "1-1" || string(c.Args[7]) != "0" {
		t.Fatalf("block on two keys: %q %q", h.env.blocked, c.Args)
	}
	if _, r := h.xrun(true, false, "XREAD", "BLOCK", "0", "STREAMS", "b1", "$"); r != "*-1\r\n" {
		t.Fatalf("in MULTI: %q", r)
	}
	h.expect("-ERR timeout is negative\r\n", "XREAD", "BLOCK", "-1", "STREAMS", "b1", "$")
	h.expect("-"+ErrXTimeoutNotInt+"\r\n", "XREAD", "BLOCK", "1.5", "STREAMS", "b1", "$")
	h.expect("-"+ErrXReadUnbalanced+"\r\n", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "b1", "b2", ">")

	h.do("XADD", "b1", "2-1", "a", "2")
	h.do("XADD", "b2", "2-1", "b", "2")
	_, r = h.xrun(false, true, "XREAD", "BLOCK", "0", "STREAMS", "b1", "b2", "1-1", "0-0")
	if want := flat(flat(bulk("b1"), flat(ent("2-1", "a", "2")))); r != want {
		t.Errorf("woken reader: %q, want %q", r, want)
	}
	_, r = h.xrun(false, true, "XREAD", "BLOCK", "0", "STREAMS", "b1", "5-0")
	if r != "" || len(h.env.blocked) != 1 {
		t.Errorf("woken reader with nothing new must block again: %q", r)
	}
	// Entries added and deleted again still wake the reader, which gets
	// an empty list; a reader served at once sees nothing.
	h.do("XADD", "b1", "3-1", "a", "3")
	h.do("XDEL", "b1", "3-1")
	_, r = h.xrun(false, true, "XREAD", "BLOCK", "0", "STREAMS", "b1", "2-1")
	if want := flat(flat(bulk("b1"), "*0\r\n")); r != want {
		t.Errorf("woken reader after XDEL: %q", r)
	}
	h.expect("*-1\r\n", "XREAD", "STREAMS", "b1", "2-1")
	// A woken reader without COUNT gets at most 1000 entries.
	for i := 1; i <= 1005; i++ {
		h.do("XADD", "many", fmt.Sprintf("%d-1", i), "f", "v")
	}
	_, r = h.xrun(false, true, "XREAD", "BLOCK", "0", "STREAMS", "many", "0-0")
	if !strings.HasPrefix(r, "*1\r\n*2\r\n$4\r\nmany\r\n*1000\r\n") {
		t.Errorf("woken reader count: %.40q", r)
	}
	// XREAD treats a key of another type as absent when woken up.
	h.do("SET", "str", "x")
	if _, r = h.xrun(false, true, "XREAD", "BLOCK", "0", "STREAMS", "str", "0-0"); r != "" {
		t.Errorf("woken XREAD on a string: %q", r)
	}

	// Group readers.
	h.do("XGROUP", "CREATE", "q", "g", "$", "MKSTREAM")
	if _, r = h.xrun(false, false, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">"); r != "" || len(h.env.blocked) != 1 {
		t.Fatalf("group reader did not block: %q", r)
	}
	h.do("XADD", "q", "1-1", "a", "1")
	h.do("XDEL", "q", "1-1")
	_, r = h.xrun(false, true, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">")
	if want := flat(flat(bulk("q"), "*0\r\n")); r != want {
		t.Errorf("woken group reader after XDEL: %q", r)
	}
	h.do("XADD", "q", "2-1", "a", "2")
	mark := len(h.props)
	_, r = h.xrun(false, true, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">")
	if want := flat(flat(bulk("q"), flat(ent("2-1", "a", "2")))); r != want {
		t.Errorf("woken group reader: %q", r)
	}
	expectProps(t, h, mark, "XCLAIM q g c 0 2-1 TIME 100 RETRYCOUNT 1 FORCE JUSTID LASTID 2-1")
	h.do("XGROUP", "DESTROY", "q", "g")
	_, r = h.xrun(false, true, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">")
	if r != "-"+ErrXReadGroupGone+"\r\n" {
		t.Errorf("group destroyed: %q", r)
	}
	h.do("DEL", "q")
	_, r = h.xrun(false, true, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">")
	if r != "-"+ErrXReadKeyGone+"\r\n" {
		t.Errorf("key deleted: %q", r)
	}
	if _, r = h.xrun(true, false, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "q", ">"); r != "-NOGROUP No such key 'q' or consumer group 'g' in XREADGROUP with GROUP option\r\n" {
		t.Errorf("missing key: %q", r)
	}
}

func TestStreamRESP3(t *testing.T) {
	h := newHarness(t)
	h.now = 100
	h.proto = 3
	h.do("XADD", "s", "1-1", "a", "1")
	runX(t, h, []xcase{
		{"XREAD STREAMS s 0", "%1\r\n" + bulk("s") + flat(ent("1-1", "a", "1"))},
		{"XREAD STREAMS s 1-1", "_\r\n"},
		{"XADD nokey NOMKSTREAM * a 1", "_\r\n"},
		{"XRANGE s - + COUNT 0", "_\r\n"},
		{"XGROUP CREATE s g $", "+OK\r\n"},
		{"XPENDING s g", flat(num(0), "_\r\n", "_\r\n", "_\r\n")},
		{"XINFO GROUPS s", "*1\r\n%6\r\n" + bulk("name") + bulk("g") + bulk("consumers") + num(0) + bulk("pending") + num(0) +
			bulk("last-delivered-id") + bulk("1-1") + bulk("entries-read") + "_\r\n" + bulk("lag") + num(0)},
		{"XGROUP CREATECONSUMER s g c", ":1\r\n"},
		{"XINFO CONSUMERS s g", "*1\r\n%3\r\n" + bulk("name") + bulk("c") + bulk("pending") + num(0) + bulk("idle") + num(0)},
		{"XDEL s 1-1", ":1\r\n"},
		{"XINFO STREAM s", "%10\r\n" + bulk("length") + num(0) + bulk("radix-tree-keys") + num(0) + bulk("radix-tree-nodes") + num(1) +
			bulk("last-generated-id") + bulk("1-1") + bulk("max-deleted-entry-id") + bulk("1-1") + bulk("entries-added") + num(1) +
			bulk("recorded-first-entry-id") + bulk("0-0") + bulk("groups") + num(1) + bulk("first-entry") + "_\r\n" + bulk("last-entry") + "_\r\n"},
	})
}
