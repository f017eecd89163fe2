package server

import (
	"testing"

	"redoubt/internal/testutil"
)

// DEBUG RELOAD saves, empties and reloads the dataset: the digest must be
// the same afterwards, for every type.
func TestDebugReloadKeepsDigest(t *testing.T) {
	dir := t.TempDir()
	_, addr := startInProcess(t, "--dir", dir, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	for _, cmd := range [][]string{
		{"SET", "s", "hello"}, {"SET", "n", "12345"}, {"SET", "t", "x", "EX", "1000"},
		{"RPUSH", "l", "a", "b", "c"}, {"HSET", "h", "f", "v", "g", "w"}, {"SADD", "is", "1", "2", "3"},
		{"SADD", "ss", "a", "b"}, {"ZADD", "z", "1.5", "a", "-inf", "b"}, {"XADD", "x", "1-1", "f", "v"},
		{"XGROUP", "CREATE", "x", "g", "0"}, {"SELECT", "3"}, {"SET", "other", "db"}, {"SELECT", "0"},
	} {
		if r := c.Do(cmd...); r[0] == '-' {
			t.Fatalf("%v: %q", cmd, r)
		}
	}
	before := c.Do("DEBUG", "DIGEST")
	if before == "+0000000000000000000000000000000000000000\r\n" {
		t.Fatal("digest of a non-empty dataset is zero")
	}
	if r := c.Do("DEBUG", "RELOAD"); r != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", r)
	}
	if after := c.Do("DEBUG", "DIGEST"); after != before {
		t.Fatalf("digest changed across reload: %q -> %q", before, after)
	}
	if r := c.Do("TTL", "t"); r == ":-1\r\n" || r == ":-2\r\n" {
		t.Fatalf("TTL lost: %q", r)
	}
}
