package rdb

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"redoubt/internal/testutil"
	"strings"
	"testing"

	"github.com/hdt3213/rdb/crc64jones"

	"redoubt/internal/keyspace"
)

type fixtureKey struct {
	DB     int             `json:"db"`
	Key    string          `json:"key"`
	Type   string          `json:"type"`
	Enc    string          `json:"encoding"`
	Expire *int64          `json:"expire_unix_ms"`
	Value  json.RawMessage `json:"value"`
}

type fixture struct {
	Version   int          `json:"rdb_version"`
	KeysTotal int          `json:"keys_total"`
	Keys      []fixtureKey `json:"keys"`
}

func loadFixture(t *testing.T, name string) ([]byte, fixture) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), name+".rdb"))
	if err != nil {
		t.Skip("testutil.RDBFixtures(t) not available:", err)
	}
	js, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	if err := json.Unmarshal(js, &fx); err != nil {
		t.Fatal(err)
	}
	return raw, fx
}

// collect loads a payload into a map db/key -> entry.
func collect(data []byte) (map[string]Entry, Info, error) {
	got := map[string]Entry{}
	info, err := LoadN(bytes.NewReader(data), int64(len(data)), HandlerFunc(func(e *Entry) error {
		got[string(rune('0'+e.DB))+"/"+e.Key] = *e
		return nil
	}))
	return got, info, err
}

// jsonStr renders a fixture byte string as Go bytes.
func jsonStr(t *testing.T, m json.RawMessage) string {
	var s string
	if err := json.Unmarshal(m, &s); err != nil {
		t.Fatalf("fixture value %s: %v", m, err)
	}
	return s
}

// TestFixturesLoadWithExactContents loads every Redis 7.0.15 fixture
// and compares type, encoding, expiry and (for the plain types) values.
func TestFixturesLoadWithExactContents(t *testing.T) {
	for _, name := range []string{"small-encodings", "big-encodings", "expiry", "multi-db", "stream", "empty"} {
		t.Run(name, func(t *testing.T) {
			raw, fx := loadFixture(t, name)
			got, info, err := collect(raw)
			if err != nil {
				t.Fatal(err)
			}
			if info.Version != fx.Version || info.Keys != fx.KeysTotal {
				t.Fatalf("version %d keys %d, want %d %d", info.Version, info.Keys, fx.Version, fx.KeysTotal)
			}
			if v, _ := info.AuxValue("redis-ver"); v != "7.0.15" {
				t.Fatalf("redis-ver aux %q", v)
			}
			for _, k := range fx.Keys {
				e, ok := got[string(rune('0'+k.DB))+"/"+k.Key]
				if !ok {
					t.Fatalf("key %d/%q missing", k.DB, k.Key)
				}
				if e.Obj.Type.Name() != k.Type || e.Obj.Encoding() != k.Enc {
					t.Errorf("%q: %s/%s, want %s/%s", k.Key, e.Obj.Type.Name(), e.Obj.Encoding(), k.Type, k.Enc)
				}
				if (k.Expire == nil) != (e.ExpireMs < 0) || (k.Expire != nil && *k.Expire != e.ExpireMs) {
					t.Errorf("%q: expire %d, want %v", k.Key, e.ExpireMs, k.Expire)
				}
				checkValue(t, k, &e.Obj)
			}
		})
	}
}

func checkValue(t *testing.T, k fixtureKey, o *keyspace.Object) {
	var want []any
	switch k.Type {
	case "string":
		if bytes.HasPrefix(k.Value, []byte("{")) {
			return // long value given as a digest
		}
		if s := jsonStr(t, k.Value); s != string(o.Str) {
			t.Errorf("%q: value %.40q, want %.40q", k.Key, o.Str, s)
		}
		return
	case "list", "set":
		json.Unmarshal(k.Value, &want)
		var got []string
		if l, ok := o.Val.(*keyspace.List); ok {
			l.Each(0, l.Len()-1, func(v []byte) { got = append(got, string(v)) })
		} else {
			o.Val.(*keyspace.Set).Range(func(m []byte) bool { got = append(got, string(m)); return true })
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d elements, want %d", k.Key, len(got), len(want))
		}
		if k.Type == "list" {
			for i := range got {
				if s, ok := want[i].(string); ok && s != got[i] {
					t.Errorf("%q[%d] = %q, want %q", k.Key, i, got[i], s)
				}
			}
		}
	case "hash":
		json.Unmarshal(k.Value, &want)
		h := o.Val.(*keyspace.Hash)
		for _, p := range want {
			pair := p.([]any)
			f, _ := pair[0].(string)
			v, ok := h.Get([]byte(f))
			if s, isStr := pair[1].(string); !ok || (isStr && s != string(v)) {
				t.Errorf("%q field %q = %q", k.Key, f, v)
			}
		}
	case "zset":
		json.Unmarshal(k.Value, &want)
		i := 0
		o.Val.(*keyspace.ZSet).Range(func(m string, _ float64) bool {
			if p := want[i].([]any); p[0] != m {
				t.Errorf("%q rank %d = %q, want %v", k.Key, i, m, p[0])
			}
			i++
			return true
		})
	}
}

// retrailer recomputes the CRC64 trailer after editing a payload.
func retrailer(b []byte) []byte {
	h := crc64jones.New()
	h.Write(b[:len(b)-8])
	binary.LittleEndian.PutUint64(b[len(b)-8:], h.Sum64())
	return b
}

func mustFail(t *testing.T, data []byte, reason string) *Error {
	t.Helper()
	_, _, err := collect(data)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	if reason != "" && !strings.Contains(e.Reason, reason) {
		t.Fatalf("reason %q, want it to mention %q", e.Reason, reason)
	}
	return e
}

func TestTruncatedFilesAreRefusedWithOffset(t *testing.T) {
	raw, _ := loadFixture(t, "small-encodings")
	for n := 0; n < len(raw); n += 97 {
		mustFail(t, raw[:n], "")
	}
	mustFail(t, raw[:len(raw)-8], "checksum")
	// The decoder's own bug: cut right after an AUX key it returns nil.
	mustFail(t, raw[:9+2+len("redis-ver")], "")
}

func TestWrongChecksumIsRefused(t *testing.T) {
	raw, _ := loadFixture(t, "multi-db")
	b := bytes.Clone(raw)
	b[len(b)-3] ^= 1
	e := mustFail(t, b, "wrong RDB checksum")
	if e.Offset != int64(len(b)-8) {
		t.Fatalf("offset %d, want %d", e.Offset, len(b)-8)
	}
	// A zero trailer means the checksum was disabled.
	b = bytes.Clone(raw)
	copy(b[len(b)-8:], make([]byte, 8))
	if _, info, err := collect(b); err != nil || !info.ChecksumDisabled {
		t.Fatalf("zero checksum: %v %v", err, info.ChecksumDisabled)
	}
}

func TestFlippedBytesNeverPanicOrPass(t *testing.T) {
	raw, _ := loadFixture(t, "small-encodings")
	for i := 0; i < len(raw)-8; i += 7 {
		b := bytes.Clone(raw)
		b[i] ^= 0x5a
		if _, _, err := collect(b); err == nil {
			t.Fatalf("flip at %d accepted", i)
		}
	}
}

func TestUnknownVersionAndTypeAreRefused(t *testing.T) {
	raw, _ := loadFixture(t, "multi-db")
	b := bytes.Clone(raw)
	copy(b[5:9], "0099")
	mustFail(t, retrailer(b), "version 99")
	// An unknown type byte right after the header.
	b = retrailer(append([]byte("REDIS0010\x63\x01k\x01v\xff"), make([]byte, 8)...))
	mustFail(t, b, "unknown RDB object type byte 99")
}

func TestHugeLengthPrefixFailsWithoutAllocating(t *testing.T) {
	// A string key claiming 2^62 bytes, a list claiming 2^40 elements, an
	// LZF string claiming a terabyte uncompressed.
	cases := map[string]string{
		"string length":  "REDIS0010\x00\x81\x40\x00\x00\x00\x00\x00\x00\x00",
		"element count":  "REDIS0010\x01\x01k\x81\x00\x00\x01\x00\x00\x00\x00\x00",
		"impossible for": "REDIS0010\x00\x01k\xc3\x02\x81\x00\x00\x01\x00\x00\x00\x00\x00ab",
	}
	for reason, p := range cases {
		b := retrailer(append([]byte(p), make([]byte, 9)...))
		mustFail(t, b, reason)
		_, err := Load(bytes.NewReader(b), nil) // size unknown: fixed caps
		if err == nil {
			t.Fatalf("%s accepted without a size", reason)
		}
	}
}

func TestLoadNLeavesFollowingBytes(t *testing.T) {
	raw, _ := loadFixture(t, "multi-db")
	r := bytes.NewReader(append(bytes.Clone(raw), "*1\r\n$4\r\nPING\r\n"...))
	if _, err := LoadN(r, int64(len(raw)), nil); err != nil {
		t.Fatal(err)
	}
	rest := make([]byte, 64)
	n, _ := r.Read(rest)
	if string(rest[:n]) != "*1\r\n$4\r\nPING\r\n" {
		t.Fatalf("bytes after the payload: %q", rest[:n])
	}
}
