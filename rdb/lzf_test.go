package rdb

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/hdt3213/rdb/lzf"
)

// Our compressor's output decompresses (with the decoder's LZF) to the
// input, for repetitive, random and mixed data, at every length around
// the run and match limits.
func TestLZFRoundTrip(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	var inputs [][]byte
	for _, n := range []int{21, 31, 32, 33, 64, 100, 263, 264, 265, 1000, 9000, 70000} {
		inputs = append(inputs, bytes.Repeat([]byte("v"), n))
		r := make([]byte, n)
		rnd.Read(r)
		inputs = append(inputs, r)
		m := []byte(strings.Repeat("field:value:", n/12+1))[:n]
		for i := 0; i < n/10; i++ {
			m[rnd.Intn(n)] = byte(rnd.Intn(256))
		}
		inputs = append(inputs, m)
	}
	st := new(lzfState)
	for _, in := range inputs {
		c, ok := st.compress(in, len(in)*2)
		if !ok {
			t.Fatalf("len %d: not compressed with room to spare", len(in))
		}
		got, err := lzf.Decompress(append([]byte(nil), c...), len(c), len(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("len %d: round trip failed (%v)", len(in), err)
		}
		// The table is clean again: the same input compresses the same.
		c2, _ := st.compress(in, len(in)*2)
		if !bytes.Equal(c, c2) {
			t.Fatalf("len %d: output depends on earlier calls", len(in))
		}
	}
	if _, ok := st.compress(bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3), 5); ok {
		t.Fatal("exceeded max")
	}
	if c, ok := st.compress(bytes.Repeat([]byte("v"), 100), 95); !ok || len(c) > 10 {
		t.Fatalf("100 equal bytes: %d bytes, ok %v", len(c), ok)
	}
}
