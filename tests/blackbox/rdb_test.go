package blackbox

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redoubt/internal/testutil"
)

// Every fixture written by Redis 7.0.15 loads at startup with exactly
// the expected contents and encodings (checked by the fixture's own
// verifier over the wire).
func TestStartupLoadsEveryRedisFixture(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not available")
	}
	for _, name := range []string{"small-encodings", "big-encodings", "expiry", "multi-db", "stream", "empty"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), name+".rdb"))
			if err != nil {
				t.Skip("fixtures not available")
			}
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "dump.rdb"), raw, 0o644)
			p := testutil.StartRedoubt(t, "--dir", dir)
			if !strings.Contains(p.Output(), "Done loading RDB, keys loaded:") || !strings.Contains(p.Output(), "Loading RDB produced by version 7.0.15") {
				t.Fatalf("no load lines:\n%s", p.Output())
			}
			out, err := exec.Command("python3", filepath.Join(testutil.RDBFixtures(t), "tools", "verify_rdb.py"),
				"--port", fmt.Sprint(p.Port), "--encodings", filepath.Join(testutil.RDBFixtures(t), name+".json")).CombinedOutput()
			if err != nil {
				t.Fatalf("verify_rdb: %v\n%s", err, out)
			}
		})
	}
}

// A dataset written into the real redis-server and saved loads into
// Redoubt with identical replies.
func TestRedisSavedDatasetLoadsIdentically(t *testing.T) {
	r := testutil.StartRedis(t)
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	writes := [][]string{
		{"SET", "s:int", "12345"}, {"SET", "s:neg", "-9223372036854775808"}, {"SET", "s:lzf", strings.Repeat("abc", 500)},
		{"SET", "s:ttl", "v", "PXAT", "4102444800000"},
		{"RPUSH", "l", "a", "1", "bb", "-7"}, {"SADD", "set:i", "3", "1", "2"}, {"SADD", "set:s", "x", "y"},
		{"ZADD", "z", "1.5", "a", "-inf", "b", "inf", "c", "0.1", "d"},
		{"HSET", "h", "a", "1", "b", "2"}, {"XADD", "x", "1-1", "f", "v", "g", "w"}, {"XADD", "x", "1-2", "f", "v2", "g", "w2"},
		{"XGROUP", "CREATE", "x", "grp", "0"}, {"XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "x", ">"},
		{"SELECT", "2"}, {"SET", "db2", "here"}, {"SELECT", "0"},
	}
	for i := 0; i < 300; i++ {
		writes = append(writes, []string{"HSET", "hbig", fmt.Sprintf("f%04d", i), "v"}, []string{"ZADD", "zbig", fmt.Sprint(i), fmt.Sprintf("m%d", i)})
	}
	for _, w := range writes {
		rc.Do(w...)
	}
	if got := rc.Do("SAVE"); !strings.Contains(got, "OK") {
		t.Fatalf("SAVE: %q", got)
	}
	raw, err := os.ReadFile(filepath.Join(r.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), raw, 0o644)
	p := testutil.StartRedoubt(t, "--dir", dir)
	oc := testutil.Dial(t, p.Addr)
	defer oc.Close()
	reads := [][]string{
		{"DBSIZE"}, {"GET", "s:int"}, {"GET", "s:neg"}, {"GET", "s:lzf"}, {"PEXPIRETIME", "s:ttl"}, {"OBJECT", "ENCODING", "s:int"},
		{"LRANGE", "l", "0", "-1"}, {"SMEMBERS", "set:i"}, {"SCARD", "set:s"}, {"OBJECT", "ENCODING", "set:i"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"HGETALL", "h"}, {"HLEN", "hbig"}, {"OBJECT", "ENCODING", "hbig"},
		{"ZRANGE", "zbig", "100", "110", "WITHSCORES"}, {"OBJECT", "ENCODING", "zbig"},
		{"XRANGE", "x", "-", "+"}, {"XPENDING", "x", "grp"}, {"XINFO", "GROUPS", "x"},
		{"SELECT", "2"}, {"GET", "db2"},
	}
	for _, q := range reads {
		want, got := rc.Do(q...), oc.Do(q...)
		if want != got {
			t.Errorf("%v: redoubt %q, redis %q", q, got, want)
		}
	}
}

// A corrupt file stops startup with one message naming the file, the
// offset and the reason, and the file is left as it was.
func TestCorruptRDBRefusesStartupAndIsUntouched(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), "multi-db.rdb"))
	if err != nil {
		t.Skip("fixtures not available")
	}
	for name, b := range map[string][]byte{"truncated": raw[:600], "bad-crc": append(bytes.Clone(raw[:len(raw)-1]), raw[len(raw)-1]^1)} {
		dir := t.TempDir()
		path := filepath.Join(dir, "dump.rdb")
		os.WriteFile(path, b, 0o644)
		out, err := exec.Command(testutil.Binary(t), "server", "--port", fmt.Sprint(testutil.FreePort(t)), "--save", "", "--dir", dir).CombinedOutput()
		if err == nil {
			t.Fatalf("%s: started", name)
		}
		if !strings.Contains(string(out), path) || !strings.Contains(string(out), "at byte offset") {
			t.Fatalf("%s: message %q", name, out)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
			t.Fatalf("%s: file changed", name)
		}
	}
}

// check-rdb prints the version, AUX fields and per-db counts, and exits 1
// with the offset on a bad file.
func TestCheckRDB(t *testing.T) {
	path := filepath.Join(testutil.RDBFixtures(t), "multi-db.rdb")
	if _, err := os.Stat(path); err != nil {
		t.Skip("fixtures not available")
	}
	out, err := exec.Command(testutil.Binary(t), "check-rdb", path).CombinedOutput()
	for _, want := range []string{"RDB version 10", "AUX FIELD redis-ver = '7.0.15'", "db 3: 14 keys, 1 expires", "RDB looks OK"} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("check-rdb (%v) lacks %q:\n%s", err, want, out)
		}
	}
	raw, _ := os.ReadFile(path)
	bad := filepath.Join(t.TempDir(), "bad.rdb")
	os.WriteFile(bad, raw[:500], 0o644)
	out, err = exec.Command(testutil.Binary(t), "check-rdb", bad).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "at byte offset") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
}
