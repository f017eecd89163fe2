package commands

import (
	"strings"
	"testing"

	"redoubt/internal/keyspace"
)

// keysTestColl is a stand-in collection value with the Clone method COPY
// expects from every collection type.
type keysTestColl struct{ items []string }

func (f *keysTestColl) Encoding() string { return "quicklist" }
func (f *keysTestColl) Clone() any       { return &keysTestColl{items: append([]string(nil), f.items...)} }

// keysTestOpaque cannot be cloned.
type keysTestOpaque struct{}

func keysAddList(h *harness, db int, key string, items ...string) *keysTestColl {
	v := &keysTestColl{items: items}
	h.ks.DBs[db].Add(key, keyspace.Object{Type: keyspace.TList, Val: v})
	return v
}

func TestDelCountsRemovedKeysAndPropagatesOnlyChanges(t *testing.T) {
	h := newHarness(t)
	h.expect(":0\r\n", "DEL", "a", "b")
	if len(h.props) != 0 {
		t.Fatalf("DEL of missing keys propagated %v", h.props)
	}
	h.do("SET", "a", "1")
	h.do("SET", "b", "2")
	h.props = nil
	h.env.events = nil
	h.expect(":2\r\n", "DEL", "a", "a", "b", "c")
	if got := h.lastProp(); got != "DEL a a b c" {
		t.Fatalf("propagated %q", got)
	}
	if got := strings.Join(h.env.events, ","); got != "del:a,del:b" {
		t.Fatalf("events %q", got)
	}
	h.do("SET", "u", "1")
	h.expect(":1\r\n", "UNLINK", "u", "zz")
	h.expect(":0\r\n", "EXISTS", "u")
	h.expect("-ERR wrong number of arguments for 'del' command\r\n", "DEL")
}

func TestDelOfExpiredKeyCountsZero(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "k", "v")
	h.do("PEXPIRE", "k", "100")
	h.props = nil
	h.now += 200
	h.expect(":0\r\n", "DEL", "k")
	if len(h.props) != 1 || strings.Join(h.props[0], " ") != "DEL k" {
		t.Fatalf("want only the expiry DEL, got %v", h.props)
	}
}

func TestExistsTouchType(t *testing.T) {
	h := newHarness(t)
	h.do("SET", "s", "v")
	keysAddList(h, 0, "l", "x")
	h.expect(":3\r\n", "EXISTS", "s", "s", "l", "nope")
	h.expect(":2\r\n", "TOUCH", "s", "l", "nope")
	h.expect("+string\r\n", "TYPE", "s")
	h.expect("+list\r\n", "TYPE", "l")
	h.expect("+none\r\n", "TYPE", "nope")
}

func TestExistsDoesNotTouchButTouchDoes(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000_000
	h.do("SET", "k", "hello")
	h.now += 50_000
	h.do("EXISTS", "k")
	h.do("TYPE", "k")
	h.do("TTL", "k")
	h.expect(":50\r\n", "OBJECT", "IDLETIME", "k")
	h.do("TOUCH", "k")
	h.expect(":0\r\n", "OBJECT", "IDLETIME", "k")
}

func TestRenameKeepsValueAndTTL(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.expect("-ERR no such key\r\n", "RENAME", "a", "b")
	h.expect("-ERR no such key\r\n", "RENAME", "a", "a")
	h.expect("-ERR no such key\r\n", "RENAMENX", "a", "b")
	h.do("SET", "a", "1")
	h.do("PEXPIRE", "a", "5000")
	h.env.events = nil
	h.expect("+OK\r\n", "RENAME", "a", "a")
	h.expect(":0\r\n", "RENAMENX", "a", "a")
	h.props = nil
	h.expect("+OK\r\n", "RENAME", "a", "b")
	h.expect("$1\r\n1\r\n", "GET", "b")
	h.expect(":0\r\n", "EXISTS", "a")
	h.expect(":5000\r\n", "PTTL", "b")
	if got := strings.Join(h.env.events, ","); got != "rename_from:a,rename_to:b" {
		t.Fatalf("events %q", got)
	}
	if h.lastProp() != "RENAME a b" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	// Overwrite: the destination's own TTL goes away with it.
	h.do("SET", "c", "3")
	h.do("SET", "d", "4")
	h.do("EXPIRE", "d", "100")
	h.expect(":0\r\n", "RENAMENX", "c", "d")
	h.expect("+OK\r\n", "RENAME", "c", "d")
	h.expect(":-1\r\n", "TTL", "d")
	h.expect("$1\r\n3\r\n", "GET", "d")
	h.expect(":1\r\n", "RENAMENX", "d", "e")
}

func TestRenameSignalsReadyForLists(t *testing.T) {
	h := newHarness(t)
	var ready []string
	h.ks.Hooks.Ready = func(db *keyspace.DB, key string) { ready = append(ready, key) }
	keysAddList(h, 0, "l", "x")
	ready = nil
	h.expect("+OK\r\n", "RENAME", "l", "m")
	if strings.Join(ready, ",") != "m" {
		t.Fatalf("ready %v", ready)
	}
}

func TestMoveBetweenDatabases(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.expect("-ERR value is not an integer or out of range\r\n", "MOVE", "k", "x")
	h.expect("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n", "MOVE", "k", "99999999999")
	h.expect("-ERR DB index is out of range\r\n", "MOVE", "k", "16")
	h.expect("-ERR DB index is out of range\r\n", "MOVE", "k", "-1")
	h.expect("-ERR source and destination objects are the same\r\n", "MOVE", "k", "0")
	h.expect(":0\r\n", "MOVE", "k", "1")
	h.do("SET", "k", "v")
	h.do("PEXPIRE", "k", "7000")
	h.env.events = nil
	h.expect(":1\r\n", "MOVE", "k", "1")
	h.expect(":0\r\n", "EXISTS", "k")
	if got := strings.Join(h.env.events, ","); got != "move_from:k,move_to:k" {
		t.Fatalf("events %q", got)
	}
	h.db = 1
	h.expect("$1\r\nv\r\n", "GET", "k")
	h.expect(":7000\r\n", "PTTL", "k")
	h.db = 0
	h.do("SET", "k", "other")
	h.expect(":0\r\n", "MOVE", "k", "1")
	h.expect("$5\r\nother\r\n", "GET", "k")
}

func TestCopyDeepCopiesWithTTL(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.expect("-ERR source and destination objects are the same\r\n", "COPY", "a", "a")
	h.expect("-ERR syntax error\r\n", "COPY", "a", "b", "foo")
	h.expect("-ERR syntax error\r\n", "COPY", "a", "b", "db")
	h.expect("-ERR DB index is out of range\r\n", "COPY", "a", "b", "db", "16", "foo")
	h.expect("-ERR syntax error\r\n", "COPY", "a", "b", "foo", "db", "16")
	h.expect("-ERR value is not an integer or out of range\r\n", "COPY", "a", "b", "db", "x")
	h.expect(":0\r\n", "COPY", "a", "b")
	h.do("SET", "a", "hello")
	h.do("PEXPIRE", "a", "9000")
	h.env.events = nil
	h.expect(":1\r\n", "COPY", "a", "b")
	h.expect(":9000\r\n", "PTTL", "b")
	if got := strings.Join(h.env.events, ","); got != "copy_to:b" {
		t.Fatalf("events %q", got)
	}
	// The copy owns its bytes.
	h.ks.DBs[0].Peek("a").Str[0] = 'J'
	h.expect("$5\r\nhello\r\n", "GET", "b")
	h.expect(":0\r\n", "COPY", "a", "b")
	h.expect(":1\r\n", "COPY", "a", "b", "REPLACE")
	h.expect("$5\r\nJello\r\n", "GET", "b")
	h.expect(":1\r\n", "COPY", "a", "a", "DB", "3")
	h.db = 3
	h.expect("$5\r\nJello\r\n", "GET", "a")
	h.db = 0

	orig := keysAddList(h, 0, "l", "x", "y")
	h.expect(":1\r\n", "COPY", "l", "l2")
	dup := h.ks.DBs[0].Peek("l2").Val.(*keysTestColl)
	if dup == orig || strings.Join(dup.items, ",") != "x,y" {
		t.Fatalf("not a deep copy: %v", dup)
	}
	h.ks.DBs[0].Add("odd", keyspace.Object{Type: keyspace.THash, Val: keysTestOpaque{}})
	h.expect("-ERR unknown type object\r\n", "COPY", "odd", "odd2")
	h.expect(":0\r\n", "EXISTS", "odd2")
}

func TestCopyKeepsStringEncoding(t *testing.T) {
	h := newHarness(t)
	h.do("SET", "n", "12345")
	h.do("SET", "e", "")
	h.expect(":1\r\n", "COPY", "n", "n2")
	h.expect(":1\r\n", "COPY", "e", "e2")
	h.expect("$3\r\nint\r\n", "OBJECT", "ENCODING", "n2")
	h.expect("$0\r\n\r\n", "GET", "e2")
	h.expect("+string\r\n", "TYPE", "e2")
}
