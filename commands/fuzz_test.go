package commands

import (
	"bytes"
	"testing"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// FuzzCommands runs arbitrary arguments through every data command
// against a keyspace holding every type: nothing may panic, and every
// reply must be one well-formed RESP value.
func FuzzCommands(f *testing.F) {
	for _, s := range []string{
		"set\x00k\x00v\x00EX\x00-1", "zadd\x00z\x00nan\x00m", "lpos\x00l\x00a\x00RANK\x000",
		"xadd\x00s\x00*\x00f\x00v", "zrange\x00z\x00(1\x00+inf\x00BYSCORE\x00LIMIT\x000\x00-1",
		"bitfield\x00b\x00OVERFLOW\x00SAT\x00INCRBY\x00i64\x000\x009223372036854775807",
		"hrandfield\x00h\x00-9223372036854775808\x00WITHVALUES", "lcs\x00str\x00str\x00IDX\x00MINMATCHLEN\x001",
		"xreadgroup\x00GROUP\x00g\x00c\x00STREAMS\x00s\x00>", "scan\x000\x00MATCH\x00*[\x00COUNT\x001",
		"setrange\x00str\x004294967295\x00x", "srandmember\x00set\x00-5", "expire\x00str\x009223372036854775807",
	} {
		f.Add([]byte(s))
	}
	cmds := All()
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := bytes.Split(data, []byte{0})
		if len(parts) == 0 || len(parts) > 64 {
			return
		}
		// Huge counts and offsets are legal and make Redis allocate just as
		// much; keep them small so the fuzzer measures bugs, not memory.
		for _, p := range parts[1:] {
			if n, ok := keyspace.ParseInt(p); ok && (n > 100000 || n < -100000) {
				return
			}
			if f, ok := ParseFloat(p); ok && (f > 1e5 || f < -1e5) {
				return
			}
		}
		cmd := Lookup(parts[0])
		if cmd == nil {
			if len(parts[0]) == 0 {
				return
			}
			cmd = cmds[int(parts[0][0])%len(cmds)]
			parts[0] = []byte(cmd.Name)
		}
		h := newFuzzHarness(t)
		if cmd.Subs != nil && len(parts) >= 2 {
			if sub := cmd.LookupSub(parts[1]); sub != nil {
				cmd = sub
			}
		}
		if cmd.Proc == nil || !cmd.CheckArity(len(parts)) {
			return
		}
		w := &resp.Writer{Proto: 2}
		ctx := &Ctx{Args: parts, Cmd: cmd, W: w, KS: h.ks, DB: h.ks.DBs[0], Env: h.env, Set: DefaultSettings()}
		cmd.Proc(ctx)
		ctx.Finish()
		if len(h.env.blocked) > 0 {
			return
		}
		if n, ok := replyLen(w.Buf); !ok || n != len(w.Buf) {
			t.Fatalf("%q produced a malformed reply %q", parts, w.Buf)
		}
	})
}

// newFuzzHarness builds a keyspace with one key of every type.
func newFuzzHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.now = time.Now().UnixMilli()
	for _, c := range [][]string{
		{"SET", "str", "hello"}, {"SET", "num", "42"}, {"RPUSH", "l", "a", "b", "c", "a"},
		{"HSET", "h", "f1", "v1", "f2", "2"}, {"SADD", "set", "1", "2", "x"}, {"SADD", "iset", "1", "2", "3"},
		{"ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"}, {"XADD", "s", "1-1", "f", "v"},
		{"XGROUP", "CREATE", "s", "g", "0"}, {"SETBIT", "b", "7", "1"}, {"SET", "ttl", "x", "PX", "100000"},
	} {
		h.do(c...)
	}
	h.env.blocked = nil
	return h
}

// replyLen returns the length of the RESP value at the start of b.
func replyLen(b []byte) (int, bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 1 {
		return 0, false
	}
	n, ok := keyspace.ParseInt(b[1:i])
	switch b[0] {
	case '+', '-':
		return i + 2, true
	case ':', ',', '_', '#':
		return i + 2, true
	case '$', '=':
		if !ok {
			return 0, false
		}
		if n < 0 {
			return i + 2, true
		}
		end := i + 2 + int(n) + 2
		return end, end <= len(b) && string(b[end-2:end]) == "\r\n"
	case '*', '~', '>', '%':
		if !ok {
			return 0, false
		}
		if b[0] == '%' {
			n *= 2
		}
		pos := i + 2
		for k := int64(0); k < n; k++ {
			l, ok := replyLen(b[pos:])
			if !ok {
				return 0, false
			}
			pos += l
		}
		return pos, true
	}
	return 0, false
}
