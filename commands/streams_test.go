package commands

import (
	"fmt"
	"strings"
	"testing"

	"redoubt/internal/resp"
)

// xrun runs one command at the harness clock, optionally inside EXEC or
// as the re-run of a blocked command, and returns its Ctx and reply.
func (h *harness) xrun(multi, reprocess bool, args ...string) (*Ctx, string) {
	h.t.Helper()
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	w := &resp.Writer{Proto: h.proto}
	cmd := Lookup(bargs[0])
	if cmd.Subs != nil {
		cmd = cmd.LookupSub(bargs[1])
	}
	h.ks.NowMs = h.now
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

// xcmd splits a command line on blanks; two single quotes stand for an
// empty argument.
func xcmd(line string) []string {
	f := strings.Fields(line)
	for i, a := range f {
		if a == "''" {
			f[i] = ""
		}
	}
	return f
}

type xcase struct {
	cmd  string
	want string
}

func runX(t *testing.T, h *harness, cases []xcase) {
	t.Helper()
	for _, tc := range cases {
		h.expect(tc.want, xcmd(tc.cmd)...)
	}
}

// bulk renders a bulk string; ent renders one entry of a range reply.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

func ent(id string, kv ...string) string {
	out := "*2\r\n" + bulk(id) + fmt.Sprintf("*%d\r\n", len(kv))
	for _, s := range kv {
		out += bulk(s)
	}
	return out
}

// propsSince returns the commands propagated after the first n, joined.
func (h *harness) propsSince(n int) []string {
	var out []string
	for _, p := range h.props[n:] {
		out = append(out, strings.Join(p, " "))
	}
	return out
}

func expectProps(t *testing.T, h *harness, from int, want ...string) {
	t.Helper()
	got := h.propsSince(from)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("propagated:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestStreamAddRangeBasics(t *testing.T) {
	h := newHarness(t)
	h.now = 1000
	invalid := "-" + ErrXInvalidID + "\r\n"
	runX(t, h, []xcase{
		{"XADD s 1-1 a 1", bulk("1-1")},
		{"XADD s 1-2 a 2 b 3", bulk("1-2")},
		{"XADD s 2 c 4", bulk("2-0")},
		{"XADD s 2-* d 5", bulk("2-1")},
		{"XADD s 3-* e 6", bulk("3-0")},
		{"XADD s 3-0 x 1", "-" + ErrXAddIDTooSmall + "\r\n"},
		{"XADD s 0-0 x 1", "-" + ErrXAddIDZero + "\r\n"},
		{"XADD s abc x 1", invalid},
		{"XADD s - x 1", invalid},
		{"XADD s 3-1 a", "-ERR wrong number of arguments for 'xadd' command\r\n"},
		{"XADD s MAXLEN 5 *", "-ERR wrong number of arguments for 'xadd' command\r\n"},
		{"XADD s maxlen -1 * a 1", "-" + ErrXMaxLenNeg + "\r\n"},
		{"XADD s MAXLEN 1 MINID 1 * a 1", "-" + ErrXTrimBoth + "\r\n"},
		{"XADD s LIMIT 5 * a 1", "-" + ErrXLimitNoStrategy + "\r\n"},
		{"XADD s MAXLEN 5 LIMIT 5 * a 1", "-" + ErrXLimitNoApprox + "\r\n"},
		{"XADD s MAXLEN ~ 5 LIMIT -1 * a 1", "-" + ErrXLimitNeg + "\r\n"},
		{"XADD s foo bar baz", invalid},
		{"XADD nokey NOMKSTREAM * a 1", "$-1\r\n"},
		{"EXISTS nokey", ":0\r\n"},
		{"XLEN s", ":5\r\n"},
		{"XLEN nokey", ":0\r\n"},
		{"XRANGE s - +", "*5\r\n" + ent("1-1", "a", "1") + ent("1-2", "a", "2", "b", "3") + ent("2-0", "c", "4") +
			ent("2-1", "d", "5") + ent("3-0", "e", "6")},
		{"XRANGE s (1-1 (2-1", "*2\r\n" + ent("1-2", "a", "2", "b", "3") + ent("2-0", "c", "4")},
		{"XRANGE s 2 2", "*2\r\n" + ent("2-0", "c", "4") + ent("2-1", "d", "5")},
		{"XRANGE s - + COUNT 1", "*1\r\n" + ent("1-1", "a", "1")},
		{"XRANGE s - + COUNT 0", "*-1\r\n"},
		{"XRANGE s - + COUNT -3", "*-1\r\n"},
		{"XRANGE s - + COUNT", "-ERR syntax error\r\n"},
		{"XRANGE s - + COUNT x", "-ERR value is not an integer or out of range\r\n"},
		{"XRANGE s (- +", invalid},
		{"XRANGE s (18446744073709551615-18446744073709551615 +", "-" + ErrXBadStart + "\r\n"},
		{"XRANGE s - (0-0", "-" + ErrXBadEnd + "\r\n"},
		{"XRANGE nokey - + COUNT 0", "*0\r\n"},
		{"XREVRANGE s + - COUNT 2", "*2\r\n" + ent("3-0", "e", "6") + ent("2-1", "d", "5")},
		{"XREVRANGE s (2-1 (1-1", "*2\r\n" + ent("2-0", "c", "4") + ent("1-2", "a", "2", "b", "3")},
		{"XREVRANGE s - +", "*0\r\n"},
		{"XADD s 4-0 '' ''", bulk("4-0")},
		{"XRANGE s 4 4", "*1\r\n" + ent("4-0", "", "")},
		{"OBJECT ENCODING s", bulk("stream")},
		{"TYPE s", "+stream\r\n"},
		{"SET str x", "+OK\r\n"},
		{"XADD str * a 1", "-" + ErrWrongType + "\r\n"},
		{"XRANGE str - +", "-" + ErrWrongType + "\r\n"},
		{"XLEN str", "-" + ErrWrongType + "\r\n"},
		{"XDEL str 1-1", "-" + ErrWrongType + "\r\n"},
		{"XTRIM str MAXLEN 1", "-" + ErrWrongType + "\r\n"},
	})
	// The greatest ID ends the stream.
	runX(t, h, []xcase{
		{"XADD big 18446744073709551615-18446744073709551615 a 1", bulk("18446744073709551615-18446744073709551615")},
		{"XADD big * a 1", "-" + ErrXAddExhausted + "\r\n"},
		{"XADD big3 5-18446744073709551615 a 1", bulk("5-18446744073709551615")},
		{"XADD big3 5-* a 1", "-" + ErrXAddTooLarge + "\r\n"},
	})
}

// XADD * takes the clock, or continues the last ID when the clock is
// behind; the generated ID is what replicas get.
func TestStreamAddGeneratedIDs(t *testing.T) {
	h := newHarness(t)
	h.now = 1000
	h.expect(bulk("1000-0"), "XADD", "s", "*", "a", "1")
	h.expect(bulk("1000-1"), "xadd", "s", "*", "a", "1")
	h.now = 900
	h.expect(bulk("1000-2"), "XADD", "s", "*", "a", "1")
	h.expect(bulk("1000-3"), "XADD", "s", "1000-*", "a", "1")
	h.expect(bulk("2000-0"), "XADD", "s", "2000-*", "a", "1")
	h.expect(bulk("3000-0"), "XADD", "s", "3000", "a", "1")
	expectProps(t, h, 0,
		"XADD s 1000-0 a 1", "xadd s 1000-1 a 1", "XADD s 1000-2 a 1",
		"XADD s 1000-3 a 1", "XADD s 2000-0 a 1", "XADD s 3000 a 1")
	// Creation is signalled by the keyspace, later additions by XADD.
	if len(h.env.ready) != 5 {
		t.Errorf("ready signals %v", h.env.ready)
	}
	if strings.Join(h.env.events, ",") != strings.Repeat("xadd:s,", 5)+"xadd:s" {
		t.Errorf("events %v", h.env.events)
	}
}

// Approximate trims are propagated as the exact trim they did; the
// figures match what Redis 7.0.15 sends its replicas for the same input.
func TestStreamTrimPropagation(t *testing.T) {
	h := newHarness(t)
	h.now = 1
	for i := 1; i <= 250; i++ {
		h.do("XADD", "s", fmt.Sprintf("%d-1", i), "f", "v")
	}
	mark := len(h.props)
	h.env.events = nil
	runX(t, h, []xcase{
		{"XADD s MAXLEN ~ 120 251-1 f v", bulk("251-1")},
		{"XTRIM s MAXLEN ~ 10", ":100\r\n"},
		{"XTRIM s MINID ~ 230", ":0\r\n"},
		{"XTRIM s MINID 230", ":29\r\n"},
		{"XADD s MINID ~ 240 252-1 f v", bulk("252-1")},
		{"XADD s MAXLEN ~ 1 LIMIT 10 253-1 f v", bulk("253-1")},
		{"XTRIM s MAXLEN ~ 0 LIMIT 0", ":24\r\n"},
		{"XLEN s", ":0\r\n"},
		{"EXISTS s", ":1\r\n"},
		{"XTRIM nokey MAXLEN 0", ":0\r\n"},
		{"XTRIM s", "-ERR wrong number of arguments for 'xtrim' command\r\n"},
		{"XTRIM s foo 1", "-ERR syntax error\r\n"},
		{"XTRIM s LIMIT 1 x", "-ERR syntax error\r\n"},
		{"XTRIM s LIMIT 10 MAXLEN 1", "-" + ErrXLimitNoApprox + "\r\n"},
		{"XTRIM s MAXLEN x", "-ERR value is not an integer or out of range\r\n"},
		{"XTRIM s LIMIT 10", "-" + ErrXLimitNoStrategy + "\r\n"},
		{"XTRIM s LIMIT 0", "-" + ErrXTrimNoStrategy + "\r\n"},
	})
	expectProps(t, h, mark,
		"XADD s MAXLEN = 151 251-1 f v",
		"XTRIM s MAXLEN = 51",
		"XTRIM s MINID 230",
		"XADD s MINID = 201-1 252-1 f v",
		"XADD s MAXLEN = 24 LIMIT 10 253-1 f v",
		"XTRIM s MAXLEN = 0 LIMIT 0")
	want := "xadd:s,xtrim:s,xtrim:s,xtrim:s,xadd:s,xadd:s,xtrim:s"
	if strings.Join(h.env.events, ",") != want {
		t.Errorf("events %v, want %s", h.env.events, want)
	}
}

func TestStreamDelAndSetID(t *testing.T) {
	h := newHarness(t)
	h.now = 1
	for i := 1; i <= 4; i++ {
		h.do("XADD", "s", fmt.Sprintf("%d-1", i), "f", "v")
	}
	h.env.modified = nil
	c, r := h.xrun(false, false, "XDEL", "s", "1-1", "3-1", "9-9")
	if r != ":2\r\n" || c.Dirty != 2 || len(h.env.modified) != 1 {
		t.Errorf("XDEL: %q dirty %d modified %v", r, c.Dirty, h.env.modified)
	}
	runX(t, h, []xcase{
		{"XDEL s 2-1 abc", "-" + ErrXInvalidID + "\r\n"},
		{"XDEL s +", "-" + ErrXInvalidID + "\r\n"},
		{"XDEL nokey abc", ":0\r\n"},
		{"XDEL s 1-1", ":0\r\n"},
		{"XSETID s 1-1", "-" + ErrXSetIDBelowTop + "\r\n"},
		{"XSETID s 5-0 ENTRIESADDED 1", "-" + ErrXSetIDAddedSmall + "\r\n"},
		{"XSETID s 5-0 MAXDELETEDID 6-0", "-" + ErrXSetIDBelowMaxArg + "\r\n"},
		{"XSETID s 5-0 ENTRIESADDED -1", "-" + ErrXSetIDEntriesNeg + "\r\n"},
		{"XSETID s 5-0 FOO 1", "-ERR syntax error\r\n"},
		{"XSETID nokey 5-0", "-ERR no such key\r\n"},
		{"XSETID s 5-0 ENTRIESADDED 10 MAXDELETEDID 4-5", "+OK\r\n"},
		{"XDEL s 2-1 4-1", ":2\r\n"},
		// With the stream empty any ID goes, even below the greatest
		// deleted one (7.0 has no check for that).
		{"XSETID s 1-0", "+OK\r\n"},
		{"XADD s 1-* f v", bulk("1-1")},
	})
	h.env.modified = nil
	c, _ = h.xrun(false, false, "XSETID", "s", "9-0")
	if c.Dirty != 1 || len(h.env.modified) != 0 {
		t.Errorf("XSETID dirty %d, touched WATCH %v", c.Dirty, h.env.modified)
	}
	h.expect("*20\r\n"+bulk("length")+":1\r\n"+bulk("radix-tree-keys")+":1\r\n"+bulk("radix-tree-nodes")+":2\r\n"+
		bulk("last-generated-id")+bulk("9-0")+bulk("max-deleted-entry-id")+bulk("4-5")+
		bulk("entries-added")+":11\r\n"+bulk("recorded-first-entry-id")+bulk("1-1")+bulk("groups")+":0\r\n"+
		bulk("first-entry")+ent("1-1", "f", "v")+bulk("last-entry")+ent("1-1", "f", "v"), "XINFO", "STREAM", "s")
}

// Redis closes a node at stream-node-max-entries; trims with "~" only
// drop whole nodes.
func TestStreamNodeSettings(t *testing.T) {
	h := newHarness(t)
	h.now = 1
	set := DefaultSettings()
	set.StreamNodeMaxEntries = 3
	run := func(args ...string) string {
		bargs := make([][]byte, len(args))
		for i, a := range args {
			bargs[i] = []byte(a)
		}
		w := &resp.Writer{Proto: 2}
		c := &Ctx{Args: bargs, Cmd: Lookup(bargs[0]), W: w, KS: h.ks, DB: h.ks.DBs[0], Env: h.env, Set: set}
		c.Cmd.Proc(c)
		return string(w.Buf)
	}
	for i := 1; i <= 10; i++ {
		run("XADD", "n", fmt.Sprintf("%d-1", i), "f", "v")
	}
	for _, tc := range []xcase{
		{"XTRIM n MAXLEN ~ 8", ":0\r\n"},
		{"XTRIM n MAXLEN ~ 6", ":3\r\n"},
		{"XTRIM n MINID ~ 9", ":3\r\n"},
		{"XTRIM n MAXLEN ~ 0 LIMIT 2", ":0\r\n"},
		{"XTRIM n MAXLEN ~ 0 LIMIT 3", ":3\r\n"},
		{"XLEN n", ":1\r\n"},
	} {
		if got := run(xcmd(tc.cmd)...); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
