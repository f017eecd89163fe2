package rdb

import (
	"encoding/binary"
	"strings"
	"testing"

	"redoubt/internal/keyspace"
)

func hashOrder(t *testing.T, o keyspace.Object) string {
	t.Helper()
	h, ok := o.Val.(*keyspace.Hash)
	if !ok {
		t.Fatalf("not a hash: %T", o.Val)
	}
	var parts []string
	h.Range(func(f, v []byte) bool {
		parts = append(parts, string(f)+"="+string(v))
		return true
	})
	return strings.Join(parts, " ")
}

// testZiplist builds a ziplist of short strings and small integers.
func testZiplist(elems ...any) []byte {
	b := make([]byte, 10)
	prev := 0
	for _, e := range elems {
		start := len(b)
		b = append(b, byte(prev))
		switch v := e.(type) {
		case string:
			b = append(b, byte(len(v)))
			b = append(b, v...)
		case int:
			if v >= 0 && v <= 12 {
				b = append(b, 0xF1+byte(v))
			} else {
				b = append(b, 0xC0)
				b = binary.LittleEndian.AppendUint16(b, uint16(int16(v)))
			}
		}
		prev = len(b) - start
	}
	b = append(b, 0xFF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint16(b[8:], uint16(len(elems)))
	return b
}

// Hashes in every form keep the file's field order.
func TestHashFormsKeepFieldOrder(t *testing.T) {
	var lp listpack
	lp.start(nil)
	for _, s := range []string{"zeta", "1", "alpha", "-300", "mid", strings.Repeat("x", 60)} {
		if n, ok := keyspace.ParseInt([]byte(s)); ok {
			lp.int(n)
		} else {
			lp.str([]byte(s))
		}
	}
	lpBlob := lp.finish()
	zl := testZiplist("zeta", 1, "alpha", -300, "mid", 12)
	b := []byte("REDIS0009")
	b = append(b, opSelectDB, 0)
	b = append(b, 16, 2, 'h', 'l')
	b = appendString(b, lpBlob, false)
	b = append(b, 13, 2, 'h', 'z')
	b = appendString(b, zl, false)
	b = append(b, 4, 2, 'h', 'p', 2, 1, 'b', 1, '1', 1, 'a', 1, '2')
	b = append(b, opEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	got, _, err := collect(b)
	if err != nil {
		t.Fatal(err)
	}
	if s := hashOrder(t, got["0/hl"].Obj); s != "zeta=1 alpha=-300 mid="+strings.Repeat("x", 60) {
		t.Errorf("listpack hash: %s", s)
	}
	if s := hashOrder(t, got["0/hz"].Obj); s != "zeta=1 alpha=-300 mid=12" {
		t.Errorf("ziplist hash: %s", s)
	}
	if s := hashOrder(t, got["0/hp"].Obj); s != "b=1 a=2" {
		t.Errorf("plain hash: %s", s)
	}
	// A repeated field and a broken blob are refused.
	bad := []byte("REDIS0010")
	bad = append(bad, opSelectDB, 0, 4, 1, 'h', 2, 1, 'a', 1, '1', 1, 'a', 1, '2', opEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	mustFail(t, bad, "duplicate hash field")
	bad = []byte("REDIS0010")
	bad = append(bad, opSelectDB, 0, 16, 1, 'h')
	bad = appendString(bad, lpBlob[:len(lpBlob)-3], false)
	bad = append(bad, opEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	mustFail(t, bad, "hash listpack")
}

// Keys carry IDLE or FREQ as the eviction mode asks, and read back.
func TestEvictionMetaRoundTrip(t *testing.T) {
	now := int64(1_700_000_000_000)
	o := keyspace.NewString([]byte("v"))
	o.LRU = keyspace.LRUClock(now - 90_000)
	if m := (Eviction{Mode: EvictLRU, NowMs: now}).Meta(&o); m.Idle != 90 || m.Freq != -1 {
		t.Fatalf("lru meta %+v", m)
	}
	o.LRU = uint32((now/60000-3)&0xffff)<<8 | 20
	if m := (Eviction{Mode: EvictLFU, NowMs: now, LFUDecayTime: 1}).Meta(&o); m.Freq != 17 || m.Idle != -1 {
		t.Fatalf("lfu meta %+v", m)
	}
	if m := (Eviction{Mode: EvictNone, NowMs: now}).Meta(&o); m != NoMeta {
		t.Fatalf("none meta %+v", m)
	}
	for policy, want := range map[string]EvictMode{"allkeys-lru": EvictLRU, "volatile-lfu": EvictLFU, "noeviction": EvictNone, "volatile-ttl": EvictNone, "allkeys-random": EvictNone} {
		if EvictModeFor(policy) != want {
			t.Errorf("%s: %v", policy, EvictModeFor(policy))
		}
	}
	b := []byte("REDIS0010")
	b = append(b, opSelectDB, 0)
	b, _ = EncodeKeyMeta(b, false, "a", &o, 4102444800000, KeyMeta{Idle: 300, Freq: -1})
	b, _ = EncodeKeyMeta(b, false, "b", &o, -1, KeyMeta{Idle: -1, Freq: 9})
	b = append(b, opEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	got, _, err := collect(b)
	if err != nil {
		t.Fatal(err)
	}
	if a := got["0/a"]; a.Idle != 300 || a.Freq != -1 || a.ExpireMs != 4102444800000 {
		t.Errorf("a: idle %d freq %d exp %d", a.Idle, a.Freq, a.ExpireMs)
	}
	if e := got["0/b"]; e.Freq != 9 || e.Idle != -1 {
		t.Errorf("b: idle %d freq %d", e.Idle, e.Freq)
	}
}

// A node listpack whose layout is not what we expect yields no order
// (the decoder's result stands), and never panics.
func TestStreamNodeOrderMalformed(t *testing.T) {
	var lp listpack
	lp.start(nil)
	for _, v := range []int64{1, 0, 1} {
		lp.int(v)
	}
	if o := streamNodeOrder(lp.finish()); o != nil {
		t.Fatalf("got %v", o)
	}
	for i := 0; i < 20; i++ {
		streamNodeOrder([]byte{byte(i), 0, 0, 0, 0, 0, 0xFF})
	}
}
