package commands

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func TestScanCursorParsingFollowsStrtoul(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"+0", 0, true}, {"-0", 0, true}, {"007", 7, true},
		{"-1", 1<<64 - 1, true}, {"18446744073709551615", 1<<64 - 1, true},
		{"-18446744073709551615", 1, true},
		{"18446744073709551616", 0, false}, {"-18446744073709551616", 0, false},
		{" 0", 0, false}, {"0 ", 0, false}, {"0x", 0, false}, {"+", 0, false}, {"-", 0, false},
		{"1.5", 0, false}, {"\t1", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseScanCursor([]byte(c.in))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("ParseScanCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestScanOptionErrors(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		want string
		args []string
	}{
		{"-ERR invalid cursor\r\n", []string{"SCAN", "x", "COUNT", "0"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "COUNT", "0"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "COUNT", "-1"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"SCAN", "0", "COUNT", "x"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "COUNT"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "MATCH"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "TYPE"}},
		{"-ERR syntax error\r\n", []string{"SCAN", "0", "foo", "bar"}},
		{"*2\r\n$1\r\n0\r\n*0\r\n", []string{"SCAN", "0", "count", "9223372036854775807", "match", "*", "type", "list"}},
	} {
		h.expect(c.want, c.args...)
	}
}

// keysParseBulks decodes a RESP array of bulk strings.
func keysParseBulks(t *testing.T, r string) []string {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(r, "*%d\r\n", &n); err != nil {
		t.Fatalf("not an array: %q", r)
	}
	r = r[strings.Index(r, "\r\n")+2:]
	out := []string{}
	for i := 0; i < n; i++ {
		var l int
		if _, err := fmt.Sscanf(r, "$%d\r\n", &l); err != nil {
			t.Fatalf("not a bulk: %q", r)
		}
		r = r[strings.Index(r, "\r\n")+2:]
		out = append(out, r[:l])
		r = r[l+2:]
	}
	return out
}

// keysParseScan decodes a SCAN reply into its cursor and keys.
func keysParseScan(t *testing.T, r string) (string, []string) {
	t.Helper()
	if !strings.HasPrefix(r, "*2\r\n$") {
		t.Fatalf("bad SCAN reply %q", r)
	}
	r = r[4:]
	var l int
	fmt.Sscanf(r, "$%d\r\n", &l)
	r = r[strings.Index(r, "\r\n")+2:]
	return r[:l], keysParseBulks(t, r[l+2:])
}

// keysScanAll runs a full SCAN iteration and returns every key seen.
func keysScanAll(t *testing.T, h *harness, extra ...string) []string {
	t.Helper()
	cursor := "0"
	var out []string
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("SCAN does not terminate")
		}
		var keys []string
		cursor, keys = keysParseScan(t, h.do(append([]string{"SCAN", cursor}, extra...)...))
		out = append(out, keys...)
		if cursor == "0" {
			return out
		}
	}
}

func TestScanVisitsEveryKey(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 1000; i++ {
		h.do("SET", fmt.Sprintf("key:%d", i), "v")
	}
	keysAddList(h, 0, "alist", "x")
	seen := map[string]bool{}
	for _, k := range keysScanAll(t, h, "COUNT", "7") {
		seen[k] = true
	}
	if len(seen) != 1001 {
		t.Fatalf("saw %d distinct keys", len(seen))
	}
	got := keysScanAll(t, h, "MATCH", "key:1?", "COUNT", "100")
	sort.Strings(got)
	if strings.Join(got, ",") != "key:10,key:11,key:12,key:13,key:14,key:15,key:16,key:17,key:18,key:19" {
		t.Fatalf("MATCH gave %v", got)
	}
	if got := keysScanAll(t, h, "TYPE", "LIST"); len(got) != 1 || got[0] != "alist" {
		t.Fatalf("TYPE gave %v", got)
	}
	if got := keysScanAll(t, h, "TYPE", "hash"); len(got) != 0 {
		t.Fatalf("TYPE hash gave %v", got)
	}
}

func TestScanSkipsAndDeletesExpiredKeys(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "live", "1")
	h.do("SET", "dead", "1")
	h.do("PEXPIRE", "dead", "10")
	h.now += 100
	h.props = nil
	h.expect("*1\r\n$4\r\nlive\r\n", "KEYS", "*")
	if h.ks.DBs[0].Peek("dead") == nil {
		t.Fatal("KEYS must not delete expired keys")
	}
	h.expect("*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", "SCAN", "0", "COUNT", "100")
	if h.ks.DBs[0].Peek("dead") != nil {
		t.Fatal("SCAN should delete the expired key it met")
	}
	if h.lastProp() != "DEL dead" {
		t.Fatalf("propagated %q", h.lastProp())
	}
}

func TestScanOnReplicaHidesButKeepsExpiredKeys(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "dead", "1")
	h.do("PEXPIRE", "dead", "10")
	h.ks.Replica = true
	h.now += 100
	h.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0")
	h.expect("*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0", "TYPE", "none")
	if h.ks.DBs[0].Peek("dead") == nil {
		t.Fatal("a replica must keep expired keys")
	}
	h.expect(":1\r\n", "DBSIZE")
}

func TestKeysPatterns(t *testing.T) {
	h := newHarness(t)
	for _, k := range []string{"hello", "hallo", "hxllo", "hllo", "heeeello", ""} {
		h.do("SET", k, "1")
	}
	cases := map[string]string{
		"h?llo":     "hallo,hello,hxllo",
		"h*llo":     "hallo,heeeello,hello,hllo,hxllo",
		"h[ae]llo":  "hallo,hello",
		"h[^e]llo":  "hallo,hxllo",
		"h[a-b]llo": "hallo",
		"*":         ",hallo,heeeello,hello,hllo,hxllo",
		"**":        "hallo,heeeello,hello,hllo,hxllo",
		"nomatch":   "",
	}
	for pat, want := range cases {
		got := keysParseBulks(t, h.do("KEYS", pat))
		sort.Strings(got)
		if strings.Join(got, ",") != want {
			t.Errorf("KEYS %q = %v, want %s", pat, got, want)
		}
	}
}

func TestRandomKey(t *testing.T) {
	h := newHarness(t)
	h.expect("$-1\r\n", "RANDOMKEY")
	h.proto = 3
	h.expect("_\r\n", "RANDOMKEY")
	h.proto = 2
	h.do("SET", "only", "1")
	h.expect("$4\r\nonly\r\n", "RANDOMKEY")
	h.now = 1_000_000
	h.do("PEXPIRE", "only", "1")
	h.now += 10
	h.expect("$-1\r\n", "RANDOMKEY")
	h.expect(":0\r\n", "DBSIZE")
}

func TestObjectSubcommands(t *testing.T) {
	h := newHarness(t)
	h.expect("$-1\r\n", "OBJECT", "ENCODING", "nope")
	h.expect("$-1\r\n", "OBJECT", "REFCOUNT", "nope")
	h.expect("$-1\r\n", "OBJECT", "FREQ", "nope")
	h.expect("$-1\r\n", "OBJECT", "IDLETIME", "nope")
	h.proto = 3
	h.expect("_\r\n", "OBJECT", "ENCODING", "nope")
	h.proto = 2
	for _, c := range []struct{ val, enc, ref string }{
		{"1", "int", "2147483647"}, {"9999", "int", "2147483647"}, {"10000", "int", "1"},
		{"-1", "int", "1"}, {"01", "embstr", "1"}, {"hello", "embstr", "1"},
		{strings.Repeat("x", 45), "raw", "1"},
	} {
		h.do("SET", "k", c.val)
		h.expect(fmt.Sprintf("$%d\r\n%s\r\n", len(c.enc), c.enc), "OBJECT", "ENCODING", "k")
		h.expect(":"+c.ref+"\r\n", "OBJECT", "REFCOUNT", "k")
	}
	keysAddList(h, 0, "l", "x")
	h.expect("$9\r\nquicklist\r\n", "OBJECT", "ENCODING", "l")
	h.expect(":1\r\n", "OBJECT", "REFCOUNT", "l")
	h.expect("-"+ErrObjectFreqNoLFU+"\r\n", "OBJECT", "FREQ", "k")
	h.ks.Evict.LFU = true
	h.ks.Evict.LFUDecayTime = 1
	h.expect("-"+ErrObjectIdleLFU+"\r\n", "OBJECT", "IDLETIME", "k")
	h.do("SET", "f", "v")
	h.expect(":5\r\n", "OBJECT", "FREQ", "f")
	help := h.do("OBJECT", "HELP")
	if !strings.HasPrefix(help, "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Fatalf("help %q", help)
	}
	h.expect("-ERR wrong number of arguments for 'object|encoding' command\r\n", "OBJECT", "ENCODING")
}
