package blackbox

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// moveDump saves on from, copies its dump into a fresh directory and
// returns that directory.
func moveDump(t *testing.T, c *testutil.Conn, fromDir string) string {
	t.Helper()
	if got := c.Do("SAVE"); !strings.Contains(got, "OK") {
		t.Fatalf("SAVE: %q", got)
	}
	raw, err := os.ReadFile(filepath.Join(fromDir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Compact values keep their order across a file in both directions:
// listpack hashes (HGETALL order), intsets, listpack zsets, and stream
// entries whose fields differ from the node's master fields (other
// names, another order, a field repeated).
func TestRDBKeepsCompactOrder(t *testing.T) {
	writes := [][]string{
		{"HSET", "h", "zeta", "1", "alpha", "2", "mid", "x", "42", "-7"},
		{"HSET", "h2", "b", "1"}, {"HSET", "h2", "a", "2"}, {"HDEL", "h2", "b"}, {"HSET", "h2", "b", "3"},
		{"SADD", "si", "30", "-5", "7"}, {"ZADD", "z", "2", "b", "1", "c", "2", "a"},
		{"XADD", "x", "1-1", "f", "v", "g", "w"}, {"XADD", "x", "1-2", "g", "1", "f", "2"},
		{"XADD", "x", "1-3", "zz", "1", "aa", "2", "zz", "3"}, {"XADD", "x", "1-4", "f", "v", "g", "w"}, {"XDEL", "x", "1-4"},
	}
	reads := [][]string{
		{"HGETALL", "h"}, {"HGETALL", "h2"}, {"OBJECT", "ENCODING", "h"}, {"SMEMBERS", "si"},
		{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, {"XRANGE", "x", "-", "+"},
	}
	r := testutil.StartRedis(t)
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	for _, w := range writes {
		rc.Do(w...)
	}
	// Redis -> Redoubt.
	p := testutil.StartRedoubt(t, "--dir", moveDump(t, rc, r.Dir))
	oc := testutil.Dial(t, p.Addr)
	defer oc.Close()
	for _, q := range reads {
		if want, got := rc.Do(q...), oc.Do(q...); want != got {
			t.Errorf("redis -> redoubt %v: redoubt %q, redis %q", q, got, want)
		}
	}
	// Redoubt (its own writes) -> Redis.
	p2 := testutil.StartRedoubt(t)
	c2 := testutil.Dial(t, p2.Addr)
	defer c2.Close()
	for _, w := range writes {
		c2.Do(w...)
	}
	r2 := testutil.StartRedis(t, "--dir", moveDump(t, c2, p2.Dir))
	rc2 := testutil.Dial(t, r2.Addr)
	defer rc2.Close()
	for _, q := range reads {
		if want, got := rc.Do(q...), rc2.Do(q...); want != got {
			t.Errorf("redoubt -> redis %v: redis loaded %q, redis original %q", q, got, want)
		}
	}
}

func intReply(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(s, ":")))
	if err != nil {
		t.Fatalf("not an integer reply: %q", s)
	}
	return n
}

// Under an LRU policy a file carries each key's idle time, under an LFU
// policy its counter, in both directions; other policies carry neither,
// so DEBUG RELOAD resets the idle time there as Redis's does.
func TestRDBIdleAndFreq(t *testing.T) {
	lru := []string{"--maxmemory-policy", "allkeys-lru"}
	lfu := []string{"--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0"}
	type server struct {
		name  string
		start func(t testing.TB, extra ...string) *testutil.Proc
	}
	redis := server{"redis", testutil.StartRedis}
	redoubt := server{"redoubt", testutil.StartRedoubt}
	for _, dir := range [][2]server{{redis, redoubt}, {redoubt, redis}} {
		from, to := dir[0], dir[1]
		t.Run(from.name+"->"+to.name, func(t *testing.T) {
			a := from.start(t, lru...)
			ac := testutil.Dial(t, a.Addr)
			defer ac.Close()
			ac.Do("SET", "k", "v")
			a2 := from.start(t, lfu...)
			ac2 := testutil.Dial(t, a2.Addr)
			defer ac2.Close()
			ac2.Do("SET", "k", "v")
			for i := 0; i < 20; i++ {
				ac2.Do("GET", "k")
			}
			freq := intReply(t, ac2.Do("OBJECT", "FREQ", "k"))
			time.Sleep(2100 * time.Millisecond)
			b := to.start(t, append([]string{"--dir", moveDump(t, ac, a.Dir)}, lru...)...)
			bc := testutil.Dial(t, b.Addr)
			defer bc.Close()
			if idle := intReply(t, bc.Do("OBJECT", "IDLETIME", "k")); idle < 2 {
				t.Errorf("idle time after load %d, want >= 2", idle)
			}
			b2 := to.start(t, append([]string{"--dir", moveDump(t, ac2, a2.Dir)}, lfu...)...)
			bc2 := testutil.Dial(t, b2.Addr)
			defer bc2.Close()
			if got := intReply(t, bc2.Do("OBJECT", "FREQ", "k")); got != freq || freq < 20 {
				t.Errorf("freq after load %d, saved %d", got, freq)
			}
		})
	}
	for _, srv := range []server{redis, redoubt} {
		t.Run("reload-"+srv.name, func(t *testing.T) {
			dbg := []string{"--enable-debug-command", "local"}
			a := srv.start(t, append(dbg, lru...)...)
			ac := testutil.Dial(t, a.Addr)
			defer ac.Close()
			b := srv.start(t, dbg...)
			bc := testutil.Dial(t, b.Addr)
			defer bc.Close()
			ac.Do("SET", "k", "v")
			bc.Do("SET", "k", "v")
			time.Sleep(2100 * time.Millisecond)
			for _, c := range []*testutil.Conn{ac, bc} {
				if got := c.Do("DEBUG", "RELOAD"); !strings.Contains(got, "OK") {
					t.Fatalf("DEBUG RELOAD: %q", got)
				}
			}
			if idle := intReply(t, ac.Do("OBJECT", "IDLETIME", "k")); idle < 2 {
				t.Errorf("allkeys-lru: idle after DEBUG RELOAD %d, want >= 2", idle)
			}
			if idle := intReply(t, bc.Do("OBJECT", "IDLETIME", "k")); idle >= 2 {
				t.Errorf("noeviction: idle after DEBUG RELOAD %d, want it reset (< 2)", idle)
			}
		})
	}
}

// A file holding a function library loads with one log line naming what
// cannot be kept, and saves over it are refused until the target changes;
// the file stays as it was.
func TestRDBWithFunctionsIsProtected(t *testing.T) {
	r := testutil.StartRedis(t)
	rc := testutil.Dial(t, r.Addr)
	defer rc.Close()
	lib := "#!lua name=mylib\nredis.register_function('f', function() return 1 end)"
	if got := rc.Do("FUNCTION", "LOAD", lib); !strings.Contains(got, "mylib") {
		t.Fatalf("FUNCTION LOAD: %q", got)
	}
	rc.Do("SET", "k", "v")
	dir := moveDump(t, rc, r.Dir)
	path := filepath.Join(dir, "dump.rdb")
	before, _ := os.ReadFile(path)
	p := testutil.StartRedoubt(t, "--dir", dir, "--enable-protected-configs", "local")
	oc := testutil.Dial(t, p.Addr)
	defer oc.Close()
	if got := oc.Do("GET", "k"); !strings.Contains(got, "v") {
		t.Fatalf("GET k: %q", got)
	}
	if n := strings.Count(p.Output(), "cannot run and does not keep: 1 function payload"); n != 1 {
		t.Fatalf("want one log line about the function, got %d:\n%s", n, p.Output())
	}
	if got := oc.Do("SAVE"); !strings.HasPrefix(got, "-") {
		t.Fatalf("SAVE over the file: %q", got)
	}
	oc.Do("BGSAVE")
	time.Sleep(300 * time.Millisecond)
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("the file was rewritten")
	}
	if got := oc.Do("CONFIG", "SET", "dbfilename", "other.rdb"); !strings.Contains(got, "OK") {
		t.Fatalf("CONFIG SET: %q", got)
	}
	if got := oc.Do("SAVE"); !strings.Contains(got, "OK") {
		t.Fatalf("SAVE elsewhere: %q", got)
	}
}
