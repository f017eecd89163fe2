package keyspace

import (
	"fmt"
	"strings"
	"testing"
)

func hashFields(h *Hash) []string {
	var out []string
	h.Range(func(f, v []byte) bool {
		out = append(out, string(f)+"="+string(v))
		return true
	})
	return out
}

func TestHashListpackKeepsInsertionOrder(t *testing.T) {
	h := NewHash()
	for _, f := range []string{"c", "a", "b"} {
		if !h.Set([]byte(f), []byte("v"+f), 128, 64) {
			t.Fatalf("Set %s: not reported new", f)
		}
	}
	if h.Set([]byte("a"), []byte("again"), 128, 64) {
		t.Fatal("overwrite reported as new")
	}
	if got := strings.Join(hashFields(h), ","); got != "c=vc,a=again,b=vb" {
		t.Fatalf("order %q", got)
	}
	if h.Encoding() != "listpack" || h.Len() != 3 {
		t.Fatalf("encoding %s len %d", h.Encoding(), h.Len())
	}
	if !h.Delete([]byte("c")) || h.Delete([]byte("c")) {
		t.Fatal("delete")
	}
	if got := strings.Join(hashFields(h), ","); got != "a=again,b=vb" {
		t.Fatalf("after delete %q", got)
	}
	f, v := h.At(1)
	if string(f) != "b" || string(v) != "vb" {
		t.Fatalf("At(1) = %s %s", f, v)
	}
}

func TestHashConversions(t *testing.T) {
	cases := []struct {
		name     string
		n        int
		field    string
		value    string
		wantEnc  string
		maxEntry int
	}{
		{"at entry limit", 4, "f", "v", "listpack", 4},
		{"over entry limit", 5, "f", "v", "hashtable", 4},
		{"value at size limit", 1, "f", strings.Repeat("x", 8), "listpack", 4},
		{"value over size limit", 1, "f", strings.Repeat("x", 9), "hashtable", 4},
		{"field over size limit", 1, strings.Repeat("y", 9), "v", "hashtable", 4},
		{"zero entries allowed", 1, "f", "v", "hashtable", 0},
	}
	for _, tc := range cases {
		h := NewHash()
		for i := 0; i < tc.n; i++ {
			h.Set([]byte(fmt.Sprintf("%s%d", tc.field, i)), []byte(tc.value), tc.maxEntry, 8)
		}
		if h.Encoding() != tc.wantEnc {
			t.Errorf("%s: encoding %s, want %s", tc.name, h.Encoding(), tc.wantEnc)
		}
		if h.Len() != tc.n {
			t.Errorf("%s: len %d", tc.name, h.Len())
		}
		for i := 0; i < tc.n; i++ {
			v, ok := h.Get([]byte(fmt.Sprintf("%s%d", tc.field, i)))
			if !ok || string(v) != tc.value {
				t.Errorf("%s: field %d lost", tc.name, i)
			}
		}
	}
	// A table never goes back, even when it shrinks.
	h := NewHash()
	h.Set([]byte("f"), []byte(strings.Repeat("x", 100)), 128, 64)
	h.Set([]byte("f"), []byte("s"), 128, 64)
	if h.Encoding() != "hashtable" {
		t.Fatal("converted back")
	}
}

func TestHashCloneIsDeep(t *testing.T) {
	for _, table := range []bool{false, true} {
		h := NewHash()
		h.Set([]byte("a"), []byte("1"), 128, 64)
		h.Set([]byte("b"), []byte("2"), 128, 64)
		if table {
			h.ConvertToTable()
		}
		c := h.Clone().(*Hash)
		h.Set([]byte("a"), []byte("9"), 128, 64)
		h.Delete([]byte("b"))
		if v, _ := c.Get([]byte("a")); string(v) != "1" {
			t.Fatalf("table=%v: clone saw overwrite: %s", table, v)
		}
		if !c.Has([]byte("b")) || c.Encoding() != h.Encoding() {
			t.Fatalf("table=%v: clone lost field or encoding", table)
		}
	}
}

func TestHashScanCoversEverything(t *testing.T) {
	h := NewHash()
	for i := 0; i < 1000; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte(fmt.Sprint(i)), 128, 64)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for {
		cursor = h.Scan(cursor, func(f, v []byte) {
			if string(f) != "f"+string(v) {
				t.Fatalf("pair mismatch %s %s", f, v)
			}
			seen[string(f)] = true
		})
		if cursor == 0 {
			break
		}
	}
	if len(seen) != 1000 {
		t.Fatalf("scan saw %d fields", len(seen))
	}
	for i := 0; i < 50; i++ {
		f, v := h.Random()
		if got, ok := h.Get(f); !ok || string(got) != string(v) {
			t.Fatal("random pair not in hash")
		}
	}
}
