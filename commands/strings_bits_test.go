package commands

import (
	"strings"
	"testing"

	"redoubt/internal/keyspace"
)

func TestSetbitGetbit(t *testing.T) {
	h := newHarness(t)
	strRun(t, h, []strStep{
		{"SETBIT k 7 1", ":0\r\n"},
		{"GET k", "$1\r\n\x01\r\n"},
		{"SETBIT k 7 1", ":1\r\n"},
		{"SETBIT k 0 1", ":0\r\n"},
		{"GETBIT k 0", ":1\r\n"},
		{"GETBIT k 100", ":0\r\n"},
		{"GETBIT nokey 0", ":0\r\n"},
		{"SETBIT k 0 2", "-ERR bit is not an integer or out of range\r\n"},
		{"SETBIT k 0 -1", "-ERR bit is not an integer or out of range\r\n"},
		{"SETBIT k 0 a", "-ERR bit is not an integer or out of range\r\n"},
		{"SETBIT k a 1", "-ERR bit offset is not an integer or out of range\r\n"},
		{"SETBIT k -1 1", "-ERR bit offset is not an integer or out of range\r\n"},
		{"SETBIT k 4294967296 1", "-ERR bit offset is not an integer or out of range\r\n"},
		{"GETBIT k 4294967296", "-ERR bit offset is not an integer or out of range\r\n"},
		{"GETBIT k 4294967295", ":0\r\n"},
		{"SET n 12345", "+OK\r\n"},
		{"GETBIT n 2", ":1\r\n"},
	})
	// Only a real change propagates.
	n := len(h.props)
	h.do("SETBIT", "k", "0", "1")
	h.do("SETBIT", "k", "1", "0")
	if len(h.props) != n {
		t.Fatalf("unchanged SETBIT propagated: %v", h.props[n:])
	}
	h.do("SETBIT", "k", "15", "0")
	if h.lastProp() != "SETBIT k 15 0" {
		t.Fatalf("growing SETBIT not propagated")
	}
}

func TestBitcountBitpos(t *testing.T) {
	h := newHarness(t)
	h.do("SET", "k", "foobar")
	h.do("SET", "ff", "\xff\xff")
	h.do("SET", "e", "")
	strRun(t, h, []strStep{
		{"BITCOUNT k", ":26\r\n"},
		{"BITCOUNT k 0 0", ":4\r\n"},
		{"BITCOUNT k 1 1", ":6\r\n"},
		{"BITCOUNT k 1 1 BYTE", ":6\r\n"},
		{"BITCOUNT k 5 30 BIT", ":17\r\n"},
		{"BITCOUNT k -1 -5 foo", ":0\r\n"},
		{"BITCOUNT k 0", "-ERR syntax error\r\n"},
		{"BITCOUNT k 0 1 foo", "-ERR syntax error\r\n"},
		{"BITCOUNT k 0 1 2 3", "-ERR syntax error\r\n"},
		{"BITCOUNT k a b", "-ERR value is not an integer or out of range\r\n"},
		{"BITCOUNT nokey a b c", ":0\r\n"},
		{"BITCOUNT e", ":0\r\n"},
		{"BITPOS nokey 2", "-ERR The bit argument must be 1 or 0.\r\n"},
		{"BITPOS nokey 1 a", ":-1\r\n"},
		{"BITPOS nokey 0 a", ":0\r\n"},
		{"BITPOS k 1 a", "-ERR value is not an integer or out of range\r\n"},
		{"BITPOS k 1 0 1 foo", "-ERR syntax error\r\n"},
		{"BITPOS k 1 0 a foo", "-ERR syntax error\r\n"},
		{"BITPOS k 1 0 1 bit x", "-ERR syntax error\r\n"},
		{"BITPOS k 1", ":1\r\n"},
		{"BITPOS k 0", ":0\r\n"},
		{"BITPOS k 1 2", ":17\r\n"},
		{"BITPOS k 1 7 15 BIT", ":9\r\n"},
		{"BITPOS e 0", ":-1\r\n"},
		{"BITPOS ff 0", ":16\r\n"},
		{"BITPOS ff 0 0", ":16\r\n"},
		{"BITPOS ff 0 0 -1", ":-1\r\n"},
		{"BITPOS ff 0 3 15 BIT", ":-1\r\n"},
		{"BITPOS ff 1 3 15 BIT", ":3\r\n"},
		{"BITPOS ff 0 2", ":-1\r\n"},
	})
	// Long runs are skipped a word at a time.
	h.do("SETRANGE", "z", "200", "\x00")
	h.do("SETBIT", "z", "1500", "1")
	h.expect(":1500\r\n", "BITPOS", "z", "1")
	h.expect(":1500\r\n", "BITPOS", "z", "1", "3", "1600", "BIT")
	h.expect(":-1\r\n", "BITPOS", "z", "1", "3", "1499", "BIT")
	h.expect(":1\r\n", "BITCOUNT", "z", "1500", "1500", "BIT")
}

func TestBitop(t *testing.T) {
	h := newHarness(t)
	h.do("SET", "a", "\x0f\xf0\xaa")
	h.do("SET", "b", "\xff")
	strRun(t, h, []strStep{
		{"BITOP AND d a b", ":3\r\n"},
		{"GET d", "$3\r\n\x0f\x00\x00\r\n"},
		{"BITOP OR d a b nokey", ":3\r\n"},
		{"GET d", "$3\r\n\xff\xf0\xaa\r\n"},
		{"BITOP XOR d a b", ":3\r\n"},
		{"GET d", "$3\r\n\xf0\xf0\xaa\r\n"},
		{"BITOP NOT d a", ":3\r\n"},
		{"GET d", "$3\r\n\xf0\x0f\x55\r\n"},
		{"BITOP NOT d a b", "-ERR BITOP NOT must be called with a single source key.\r\n"},
		{"BITOP FOO d a", "-ERR syntax error\r\n"},
		{"BITOP AND d nokey", ":0\r\n"},
		{"GET d", "$-1\r\n"},
	})
	h.do("SET", "long", strings.Repeat("\xff", 20))
	h.do("SET", "short", strings.Repeat("\x0f", 9))
	h.expect(":20\r\n", "BITOP", "AND", "d", "long", "short")
	h.expect("$20\r\n"+strings.Repeat("\x0f", 9)+strings.Repeat("\x00", 11)+"\r\n", "GET", "d")
	if h.ks.DBs[0].Peek("d").Encoding() != "raw" {
		t.Fatal("BITOP result must be raw")
	}
}

func TestBitfield(t *testing.T) {
	h := newHarness(t)
	strRun(t, h, []strStep{
		{"BITFIELD bf", "*0\r\n"},
		{"BITFIELD bf GET u8 0", "*1\r\n:0\r\n"},
		{"BITFIELD bf SET u8 0 255 GET u8 0", "*2\r\n:0\r\n:255\r\n"},
		{"BITFIELD bf INCRBY u8 0 10", "*1\r\n:9\r\n"},
		{"BITFIELD bf OVERFLOW SAT INCRBY u8 0 10 INCRBY u8 0 -300", "*2\r\n:19\r\n:0\r\n"},
		{"BITFIELD bf OVERFLOW FAIL INCRBY u8 0 -1 GET u8 0", "*2\r\n$-1\r\n:0\r\n"},
		{"BITFIELD bf OVERFLOW WRAP SET u8 0 -1", "*1\r\n:0\r\n"},
		{"BITFIELD bf OVERFLOW SAT SET u8 0 -1", "*1\r\n:255\r\n"},
		{"BITFIELD bf OVERFLOW SAT SET i8 0 -1000 SET i8 0 1000", "*2\r\n:-1\r\n:-128\r\n"},
		{"BITFIELD bf OVERFLOW WRAP SET i8 0 200", "*1\r\n:127\r\n"},
		{"BITFIELD bf GET i8 0", "*1\r\n:-56\r\n"},
		{"BITFIELD bf SET i64 0 -1 GET u63 0 GET i64 0", "*3\r\n:-4035225266123964416\r\n:9223372036854775807\r\n:-1\r\n"},
		{"BITFIELD bf GET u8 #1 SET u8 #2 5", "*2\r\n:255\r\n:255\r\n"},
		{"BITFIELD bf GET u64 0", "-" + ErrBitfieldType + "\r\n"},
		{"BITFIELD bf GET i65 0", "-" + ErrBitfieldType + "\r\n"},
		{"BITFIELD bf GET I8 0", "-" + ErrBitfieldType + "\r\n"},
		{"BITFIELD bf GET u8 -1", "-ERR bit offset is not an integer or out of range\r\n"},
		{"BITFIELD bf GET u8 #-1", "-ERR bit offset is not an integer or out of range\r\n"},
		{"BITFIELD bf GET u8", "-ERR syntax error\r\n"},
		{"BITFIELD bf OVERFLOW", "-ERR syntax error\r\n"},
		{"BITFIELD bf OVERFLOW foo", "-ERR Invalid OVERFLOW type specified\r\n"},
		{"BITFIELD bf SET u8 0 a", "-ERR value is not an integer or out of range\r\n"},
		{"BITFIELD bf GET u8 #536870912", "-ERR bit offset is not an integer or out of range\r\n"},
		{"BITFIELD_RO bf GET u8 0 GET i4 4", "*2\r\n:255\r\n:-1\r\n"},
		{"BITFIELD_RO bf SET u8 0 1", "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
		{"BITFIELD_RO bf SET u8 0 a", "-ERR value is not an integer or out of range\r\n"},
		{"BITFIELD_RO nokey GET u8 0", "*1\r\n:0\r\n"},
	})
	// A SAT SET of the most negative value wraps Redis's headroom check
	// and saturates upwards.
	h.expect("*1\r\n:0\r\n", "BITFIELD", "w", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808")
	h.expect("*1\r\n:127\r\n", "BITFIELD", "w", "GET", "i8", "0")
	// A failed write still creates the key but counts no change.
	n := len(h.props)
	h.expect("*2\r\n$-1\r\n:0\r\n", "BITFIELD", "nf", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5", "GET", "u2", "100")
	if len(h.props) != n || h.ks.DBs[0].Peek("nf") == nil || len(h.ks.DBs[0].Peek("nf").Str) != 13 {
		t.Fatal("BITFIELD FAIL handling")
	}
	h.proto = 3
	h.expect("*1\r\n_\r\n", "BITFIELD", "nf", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5")
	h.proto = 2
	c := strRawCtx(h, "BITFIELD", "x", "SET", "u8", "0", "1", "INCRBY", "u8", "0", "1", "GET", "u8", "0")
	c.Cmd.Proc(c)
	if c.Dirty != 2 {
		t.Fatalf("dirty %d, want 2", c.Dirty)
	}
	// Writes that leave the field as it was (and do not grow the string)
	// are not changes and do not propagate; what Redis 7.0.15 sent to a
	// replica for this sequence is checked below.
	seq := []struct {
		cmd  string
		prop bool
	}{
		{"BITFIELD y SET u8 0 0", true},
		{"BITFIELD y SET u8 0 0", false},
		{"BITFIELD y INCRBY u8 0 0", false},
		{"BITFIELD y OVERFLOW SAT INCRBY u8 0 1000", true},
		{"BITFIELD y OVERFLOW SAT INCRBY u8 0 1000", false},
		{"BITFIELD y INCRBY u8 0 0 SET u8 8 0", true},
		{"BITFIELD y SET u8 0 255 SET u8 0 255", false},
		{"BITFIELD y OVERFLOW FAIL SET u8 40 300", false},
		{"BITFIELD y SET u8 0 255 SET u8 0 254 SET u8 0 255", true},
	}
	for _, st := range seq {
		n := len(h.props)
		h.do(strings.Fields(st.cmd)...)
		if got := len(h.props) > n; got != st.prop {
			t.Errorf("%s: propagated %v, want %v", st.cmd, got, st.prop)
		}
	}
	h.expect(":6\r\n", "STRLEN", "y")
}

func TestLCS(t *testing.T) {
	h := newHarness(t)
	h.do("MSET", "key1", "ohmytext", "key2", "mynewtext")
	idx := "*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
	strRun(t, h, []strStep{
		{"LCS key1 key2", "$6\r\nmytext\r\n"},
		{"LCS key1 key2 LEN", ":6\r\n"},
		{"LCS key1 key2 IDX", "*4\r\n$7\r\nmatches\r\n" + idx + "$3\r\nlen\r\n:6\r\n"},
		{"LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
		{"LCS key1 key2 MINMATCHLEN -5 IDX", "*4\r\n$7\r\nmatches\r\n" + idx + "$3\r\nlen\r\n:6\r\n"},
		{"LCS key1 key2 LEN IDX", "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
		{"LCS key1 key2 MINMATCHLEN", "-ERR syntax error\r\n"},
		{"LCS key1 key2 MINMATCHLEN a", "-ERR value is not an integer or out of range\r\n"},
		{"LCS key1 nokey", "$0\r\n\r\n"},
		{"LCS nokey nokey2 IDX", "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	})
	h.ks.DBs[0].Add("l", strListObj())
	h.expect("-ERR The specified keys must contain string values\r\n", "LCS", "l", "key1", "foo")
	h.proto = 3
	h.expect("%2\r\n$7\r\nmatches\r\n"+idx+"$3\r\nlen\r\n:6\r\n", "LCS", "key1", "key2", "IDX")
	h.proto = 2
	// The DP table may not exceed proto-max-bulk-len.
	c := strRawCtx(h, "LCS", "a", "b")
	c.Set.ProtoMaxBulkLen = 1 << 20
	c.DB.Add("a", strObj(strings.Repeat("a", 600)))
	c.DB.Add("b", strObj(strings.Repeat("a", 600)))
	c.Cmd.Proc(c)
	if string(c.W.Buf) != "-"+ErrLCSMemoryLimit+"\r\n" {
		t.Fatalf("LCS limit: %q", c.W.Buf)
	}
}

func strListObj() keyspace.Object { return keyspace.Object{Type: keyspace.TList} }

func strObj(s string) keyspace.Object { return keyspace.NewString([]byte(s)) }
