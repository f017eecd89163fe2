package commands

import (
	"strings"
	"testing"

	"redoubt/internal/resp"
)

// keysDoWith runs one command like harness.do but with custom settings.
func keysDoWith(h *harness, set *Settings, args ...string) (string, []PropOp) {
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	w := &resp.Writer{Proto: 2}
	h.ks.NowMs = h.now
	c := &Ctx{Args: bargs, Cmd: Lookup(bargs[0]), W: w, KS: h.ks, DB: h.ks.DBs[h.db], Env: h.env, Set: set}
	c.Cmd.Proc(c)
	return string(w.Buf), c.Finish()
}

func TestExpireFlagValidation(t *testing.T) {
	h := newHarness(t)
	h.do("SET", "a", "1")
	for _, c := range []struct {
		want string
		args []string
	}{
		{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"EXPIRE", "a", "10", "nx", "xx"}},
		{"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", []string{"EXPIRE", "a", "10", "NX", "LT"}},
		{"-ERR GT and LT options at the same time are not compatible\r\n", []string{"EXPIRE", "a", "10", "gt", "lt"}},
		{"-ERR Unsupported option foo\r\n", []string{"EXPIRE", "a", "10", "nx", "gt", "foo"}},
		{"-ERR Unsupported option foo\r\n", []string{"EXPIRE", "a", "x", "foo"}},
		{"-ERR Unsupported option foo\r\n", []string{"EXPIRE", "a", "1", "foo\x00bar"}},
		{"-ERR Unsupported option foo  bar\r\n", []string{"EXPIRE", "a", "1", "foo\r\nbar"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"EXPIRE", "a", "1.5"}},
		{"-ERR value is not an integer or out of range\r\n", []string{"PEXPIRE", "a", ""}},
		{"-ERR invalid expire time in 'expire' command\r\n", []string{"EXPIRE", "a", "9223372036854775807"}},
		{"-ERR invalid expire time in 'expire' command\r\n", []string{"EXPIRE", "a", "9223372036854775"}},
		{"-ERR invalid expire time in 'expire' command\r\n", []string{"EXPIRE", "a", "-9223372036854776"}},
		{"-ERR invalid expire time in 'pexpire' command\r\n", []string{"PEXPIRE", "a", "9223372036854775807"}},
		{"-ERR invalid expire time in 'expireat' command\r\n", []string{"EXPIREAT", "a", "9223372036854775807"}},
		{":0\r\n", []string{"EXPIRE", "nokey", "10"}},
		{"-ERR wrong number of arguments for 'expire' command\r\n", []string{"EXPIRE", "a"}},
	} {
		h.expect(c.want, c.args...)
	}
}

func TestExpireConditions(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "a", "1")
	steps := []struct {
		want string
		args []string
	}{
		{":0\r\n", []string{"EXPIRE", "a", "100", "XX"}},
		{":0\r\n", []string{"EXPIRE", "a", "100", "GT"}}, // no TTL counts as infinite
		{":1\r\n", []string{"EXPIRE", "a", "100", "NX"}},
		{":0\r\n", []string{"EXPIRE", "a", "100", "NX"}},
		{":0\r\n", []string{"EXPIRE", "a", "50", "GT"}},
		{":0\r\n", []string{"EXPIRE", "a", "100", "GT"}},
		{":1\r\n", []string{"EXPIRE", "a", "200", "gt"}},
		{":0\r\n", []string{"EXPIRE", "a", "300", "LT"}},
		{":1\r\n", []string{"EXPIRE", "a", "50", "LT", "XX"}},
		{":50\r\n", []string{"TTL", "a"}},
		{":1\r\n", []string{"PERSIST", "a"}},
		{":0\r\n", []string{"PERSIST", "a"}},
		{":1\r\n", []string{"EXPIRE", "a", "50", "LT"}}, // LT passes without a TTL
	}
	for _, s := range steps {
		h.expect(s.want, s.args...)
	}
}

func TestExpirePropagatesAbsoluteMs(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "a", "1")
	for _, c := range []struct {
		args []string
		prop string
	}{
		{[]string{"EXPIRE", "a", "100"}, "PEXPIREAT a 1100000"},
		{[]string{"pexpire", "a", "100", "gt"}, ""},
		{[]string{"pexpire", "a", "500", "lt"}, "PEXPIREAT a 1000500 lt"},
		{[]string{"expireat", "a", "2000"}, "PEXPIREAT a 2000000"},
		{[]string{"pexpireat", "a", "3000000"}, "pexpireat a 3000000"},
	} {
		h.props = nil
		h.do(c.args...)
		if got := h.lastProp(); got != c.prop {
			t.Errorf("%v propagated %q, want %q", c.args, got, c.prop)
		}
	}
	h.expect(":3000000\r\n", "PEXPIRETIME", "a")
	h.expect(":3000\r\n", "EXPIRETIME", "a")
	h.expect(":2000000\r\n", "PTTL", "a")
	h.expect(":2000\r\n", "TTL", "a")
}

func TestExpireInThePastDeletes(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "a", "1")
	h.env.events = nil
	h.expect(":1\r\n", "EXPIRE", "a", "-1")
	h.expect(":0\r\n", "EXISTS", "a")
	if h.lastProp() != "DEL a" {
		t.Fatalf("propagated %q", h.lastProp())
	}
	if strings.Join(h.env.events, ",") != "del:a" {
		t.Fatalf("events %v", h.env.events)
	}
	h.do("SET", "b", "1")
	h.expect(":1\r\n", "PEXPIREAT", "b", "1000000") // exactly now counts as past
	h.expect(":0\r\n", "EXISTS", "b")

	set := DefaultSettings()
	set.LazyfreeLazyExpire = true
	h.do("SET", "c", "1")
	reply, ops := keysDoWith(h, set, "PEXPIRE", "c", "0")
	if reply != ":1\r\n" || len(ops) != 1 || string(ops[0].Args[0]) != "UNLINK" || string(ops[0].Args[1]) != "c" {
		t.Fatalf("lazyfree expire: %q %v", reply, ops)
	}
}

func TestExpireInThePastOnReplicaKeepsKey(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.do("SET", "a", "1")
	h.ks.Replica = true
	h.ks.FromMaster = true
	h.expect(":1\r\n", "EXPIRE", "a", "-10")
	if h.ks.DBs[0].Peek("a") == nil {
		t.Fatal("replica deleted the key")
	}
	if h.lastProp() != "PEXPIREAT a 990000" {
		t.Fatalf("propagated %q", h.lastProp())
	}
}

func TestTTLFamily(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	for _, cmd := range []string{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"} {
		h.expect(":-2\r\n", cmd, "nokey")
	}
	h.do("SET", "a", "1")
	for _, cmd := range []string{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"} {
		h.expect(":-1\r\n", cmd, "a")
	}
	h.do("PEXPIRE", "a", "1499")
	h.expect(":1\r\n", "TTL", "a") // rounded to the nearest second
	h.expect(":1499\r\n", "PTTL", "a")
	h.expect(":1001\r\n", "EXPIRETIME", "a")
	h.do("PEXPIRE", "a", "1500")
	h.expect(":2\r\n", "TTL", "a")
	h.do("PEXPIREAT", "a", "9223372036854775807")
	h.expect(":9223372036854776\r\n", "EXPIRETIME", "a") // no overflow
	h.expect(":9223372036854775807\r\n", "PEXPIRETIME", "a")
	h.now = 2_000_000
	h.do("SET", "b", "1")
	h.do("PEXPIREAT", "b", "2000001")
	h.expect(":1\r\n", "PTTL", "b")
	h.expect(":0\r\n", "TTL", "b")
	h.now = 2_000_002
	h.expect(":-2\r\n", "PTTL", "b")
}

func TestPersistRemovesTTL(t *testing.T) {
	h := newHarness(t)
	h.now = 1_000_000
	h.expect(":0\r\n", "PERSIST", "nokey")
	h.do("SET", "a", "1")
	h.expect(":0\r\n", "PERSIST", "a")
	h.do("EXPIRE", "a", "10")
	h.env.events = nil
	h.props = nil
	h.expect(":1\r\n", "PERSIST", "a")
	h.expect(":-1\r\n", "TTL", "a")
	if h.lastProp() != "PERSIST a" || strings.Join(h.env.events, ",") != "persist:a" {
		t.Fatalf("prop %q events %v", h.lastProp(), h.env.events)
	}
}
