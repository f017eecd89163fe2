package rdb

import (
	"bytes"
	"os"
	"path/filepath"
	"redoubt/internal/testutil"
	"testing"
)

// FuzzLoad feeds arbitrary payloads (seeded with the fixtures, with and
// without a valid trailer) to the loader: it must return or fail with an
// *Error, never panic or allocate without bound.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"multi-db", "expiry", "stream", "empty", "small-encodings"} {
		if b, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(f), name+".rdb")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("REDIS0010\xff\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Fix the trailer half of the time so mutations reach the decoder.
		if len(data) > 17 && data[0]&1 == 0 {
			data = retrailer(bytes.Clone(data))
		}
		_, _, err := collect(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
	})
}
