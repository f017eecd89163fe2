package rdb

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"redoubt/internal/keyspace"
)

// The guard decodes plain strings itself while the decoder handles the
// other types: keys must still reach the handler in file order, across
// message and segment boundaries, with their databases and expiries.
func TestMixedKeysArriveInFileOrder(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, Options{Compress: true, Checksum: true})
	if err := w.Header(); err != nil {
		t.Fatal(err)
	}
	type want struct {
		db  int
		key string
		typ keyspace.Type
		exp int64
	}
	var order []want
	for db := 0; db < 2; db++ {
		const n = 5000
		if err := w.SelectDB(db, n, n/3); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			key := "k" + strconv.Itoa(db) + ":" + strconv.Itoa(i)
			exp := int64(-1)
			if i%3 == 0 {
				exp = 1<<41 + int64(i)
			}
			var o keyspace.Object
			switch {
			case i%7 == 3 || (i > 2000 && i < 2100):
				l := keyspace.NewList()
				l.PushBack([]byte("a" + key))
				l.PushBack([]byte(strings.Repeat("b", i%50)))
				o = keyspace.Object{Type: keyspace.TList, Val: l}
			case i%5 == 0:
				o = keyspace.NewString([]byte(strconv.Itoa(i - 2500)))
			default:
				o = keyspace.NewString([]byte(strings.Repeat("v", i%90) + key))
			}
			if err := w.Key(key, &o, exp); err != nil {
				t.Fatal(err)
			}
			order = append(order, want{db, key, o.Type, exp})
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	i := 0
	info, err := LoadN(bytes.NewReader(data), int64(len(data)), HandlerFunc(func(e *Entry) error {
		if i >= len(order) {
			t.Fatalf("extra key %q", e.Key)
		}
		w := order[i]
		if e.DB != w.db || e.Key != w.key || e.Obj.Type != w.typ || e.ExpireMs != w.exp {
			t.Fatalf("key #%d: got db %d %q type %d exp %d, want db %d %q type %d exp %d",
				i, e.DB, e.Key, e.Obj.Type, e.ExpireMs, w.db, w.key, w.typ, w.exp)
		}
		if w.typ == keyspace.TString {
			n, _ := strconv.Atoi(strings.TrimPrefix(w.key, "k"+strconv.Itoa(w.db)+":"))
			v := strings.Repeat("v", n%90) + w.key
			if n%5 == 0 && n%7 != 3 && (n <= 2000 || n >= 2100) {
				v = strconv.Itoa(n - 2500)
			}
			if string(e.Obj.Str) != v {
				t.Fatalf("key %q: value %q, want %q", w.key, e.Obj.Str, v)
			}
		}
		i++
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if i != len(order) || info.Keys != len(order) {
		t.Fatalf("loaded %d keys (info %d), want %d", i, info.Keys, len(order))
	}
	if d := info.DBs[1]; d == nil || d.Keys != 5000 || d.Types["string"] == 0 || d.Types["list"] == 0 || d.ResizeKeys != 5000 {
		t.Fatalf("db 1 stats %+v", d)
	}
}

// A handler error on a key the guard decoded stops the load with the
// record's offset.
func TestHandlerErrorOnDirectKeyStopsLoad(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, Options{Checksum: true})
	w.Header()
	w.SelectDB(0, 3, 0)
	for _, k := range []string{"a", "b", "c"} {
		o := keyspace.NewString([]byte("x"))
		w.Key(k, &o, -1)
	}
	w.Finish()
	data := buf.Bytes()
	_, err := LoadN(bytes.NewReader(data), int64(len(data)), HandlerFunc(func(e *Entry) error {
		if e.Key == "b" {
			return errTest
		}
		return nil
	}))
	e, ok := err.(*Error)
	if !ok || !strings.Contains(e.Reason, "test stop") || e.Offset < 9 || e.Offset >= int64(len(data)) {
		t.Fatalf("got %v", err)
	}
}

type testErr struct{}

func (testErr) Error() string { return "test stop" }

var errTest = testErr{}

// Idle and frequency opcodes before a plain string reach the entry.
func TestDirectStringKeepsIdleAndFreq(t *testing.T) {
	b := []byte("REDIS0010")
	b = append(b, opSelectDB, 0)
	b = append(b, opIdle, 0x41, 0x00) // 14-bit length 256
	b = append(b, 0, 1, 'a', 1, 'x')
	b = append(b, opFreq, 7, opExpireSec, 1, 0, 0, 0)
	b = append(b, 0, 1, 'b', 0xC0, 0xF6) // int8 -10
	b = append(b, opEOF, 0, 0, 0, 0, 0, 0, 0, 0)
	got, _, err := collect(b)
	if err != nil {
		t.Fatal(err)
	}
	a, bb := got["0/a"], got["0/b"]
	if a.Idle != 256 || a.Freq != -1 || string(a.Obj.Str) != "x" {
		t.Fatalf("a: %+v", a)
	}
	if bb.Freq != 7 || bb.Idle != -1 || bb.ExpireMs != 1000 || string(bb.Obj.Str) != "-10" {
		t.Fatalf("b: %+v", bb)
	}
}
