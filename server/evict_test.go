package server

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// These tests fill memory past maxmemory and check what each policy
// evicts. The limit is set just above the heap measured after a
// collection, so the keys written afterwards must displace older ones.

const evictValueSize = 1024

var evictValue = strings.Repeat("v", evictValueSize)

// setLimitAboveHeap sets maxmemory to the current heap plus headroom.
func setLimitAboveHeap(t *testing.T, c *testutil.Conn, headroom int64) {
	t.Helper()
	runtime.GC()
	limit := usedMemory() + headroom
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
}

// fill writes n keys (with a TTL when ttl > 0) and returns how many
// writes were refused for memory.
func fill(t *testing.T, c *testutil.Conn, prefix string, n int, ttl int) int {
	t.Helper()
	oom := 0
	for i := 0; i < n; i++ {
		args := []string{"SET", prefix + strconv.Itoa(i), evictValue}
		if ttl > 0 {
			args = append(args, "EX", strconv.Itoa(ttl+i))
		}
		switch r := c.Do(args...); {
		case r == "+OK\r\n":
		case strings.HasPrefix(r, "-OOM "):
			oom++
		default:
			t.Fatalf("%v: %q", args[:2], r)
		}
	}
	return oom
}

// fillUntilEvicted writes keys until at least want keys were evicted (or
// writes are refused), then n more; it returns the keys written and the
// writes refused. Measuring the heap is noisy, so the amount written
// adapts to when eviction actually starts.
func fillUntilEvicted(t *testing.T, c *testutil.Conn, prefix string, want, n int) (written, oom int) {
	t.Helper()
	for i := 0; i < 40000; i += 100 {
		oom += fill(t, c, prefix+strconv.Itoa(i)+":", 100, 0)
		written += 100
		if oom > 0 || evictedKeys(t, c) >= want {
			break
		}
	}
	oom += fill(t, c, prefix+"last:", n, 0)
	return written + n, oom
}

func evictedKeys(t *testing.T, c *testutil.Conn) int {
	t.Helper()
	n, _ := strconv.Atoi(infoOf(t, c, "stats")["evicted_keys"])
	return n
}

func dbsize(t *testing.T, c *testutil.Conn) int {
	t.Helper()
	r := c.Do("DBSIZE")
	n, _ := strconv.Atoi(strings.TrimSpace(r[1:]))
	return n
}

func TestEvictionNoeviction(t *testing.T) {
	_, addr := startInProcess(t, "--maxmemory-policy", "noeviction")
	c := testutil.Dial(t, addr)
	fill(t, c, "base:", 200, 0)
	setLimitAboveHeap(t, c, 256<<10)
	if _, oom := fillUntilEvicted(t, c, "more:", 1, 0); oom == 0 {
		t.Fatal("no write was refused past maxmemory")
	}
	expectReply(t, c, "$1024\r\n"+evictValue+"\r\n", "GET", "base:1")
	expectReply(t, c, ":1\r\n", "DEL", "base:1")
	if n := evictedKeys(t, c); n != 0 {
		t.Fatalf("noeviction evicted %d keys", n)
	}
}

func TestEvictionAllKeysPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-random", "allkeys-lru", "allkeys-lfu"} {
		t.Run(policy, func(t *testing.T) {
			s, addr := startInProcess(t, "--maxmemory-policy", policy)
			c := testutil.Dial(t, addr)
			fill(t, c, "base:", 500, 0)
			setLimitAboveHeap(t, c, 512<<10)
			rec := tapStream(s)
			written, oom := fillUntilEvicted(t, c, "more:", 500, 500)
			if oom != 0 {
				t.Fatalf("%d writes refused under %s", oom, policy)
			}
			ev := evictedKeys(t, c)
			if ev == 0 || dbsize(t, c) != 500+written-ev {
				t.Fatalf("evicted_keys %d, dbsize %d", ev, dbsize(t, c))
			}
			// The newest key is there; evictions went out as bare DELs.
			expectReply(t, c, ":1\r\n", "EXISTS", "more:last:499")
			dels, multi := 0, 0
			for _, cmd := range rec.commands(t) {
				if strings.HasPrefix(cmd, "DEL ") {
					dels++
				}
				if cmd == "MULTI" {
					multi++
				}
			}
			if dels != ev || multi != 0 {
				t.Fatalf("stream has %d DELs (want %d) and %d MULTIs", dels, ev, multi)
			}
		})
	}
}

func TestEvictionVolatilePolicies(t *testing.T) {
	for _, policy := range []string{"volatile-random", "volatile-lru", "volatile-lfu", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			_, addr := startInProcess(t, "--maxmemory-policy", policy, "--maxmemory-samples", "10")
			c := testutil.Dial(t, addr)
			fill(t, c, "keep:", 300, 0)
			fill(t, c, "vol:", 1500, 1000)
			setLimitAboveHeap(t, c, 256<<10)
			written, oom := fillUntilEvicted(t, c, "more:", 700, 0)
			ev := evictedKeys(t, c)
			if ev < 700 || oom != 0 {
				t.Fatalf("evicted %d, refused %d", ev, oom)
			}
			// Keys without a TTL are never candidates.
			for i := 0; i < 300; i += 7 {
				expectReply(t, c, ":1\r\n", "EXISTS", "keep:"+strconv.Itoa(i))
			}
			if n := dbsize(t, c); n != 300+1500+written-ev {
				t.Fatalf("dbsize %d, evicted %d", n, ev)
			}
			if policy == "volatile-ttl" {
				// The keys expiring first went first.
				late, early := 0, 0
				for i := 0; i < 1500; i++ {
					if c.Do("EXISTS", "vol:"+strconv.Itoa(i)) == ":1\r\n" {
						if i >= 750 {
							late++
						} else {
							early++
						}
					}
				}
				if early >= late {
					t.Fatalf("volatile-ttl kept %d early and %d late keys", early, late)
				}
			}
			// Once no key has a TTL left, writes are refused.
			if _, oom := fillUntilEvicted(t, c, "again:", 1<<30, 0); oom == 0 || evictedKeys(t, c) != 1500 {
				t.Fatalf("after exhausting volatile keys: refused %d, evicted %d", oom, evictedKeys(t, c))
			}
		})
	}
}

// With LRU, keys read recently survive keys untouched for a second.
func TestEvictionLRUKeepsHotKeys(t *testing.T) {
	_, addr := startInProcess(t, "--maxmemory-policy", "allkeys-lru", "--maxmemory-samples", "64")
	c := testutil.Dial(t, addr)
	fill(t, c, "cold:", 1500, 0)
	time.Sleep(1100 * time.Millisecond)
	for i := 0; i < 50; i++ {
		c.Do("GET", "cold:"+strconv.Itoa(i))
	}
	setLimitAboveHeap(t, c, 128<<10)
	fillUntilEvicted(t, c, "new:", 300, 0)
	for i := 0; i < 50; i++ {
		expectReply(t, c, ":1\r\n", "EXISTS", "cold:"+strconv.Itoa(i))
	}
}

// With LFU, frequently read keys survive.
func TestEvictionLFUKeepsFrequentKeys(t *testing.T) {
	_, addr := startInProcess(t, "--maxmemory-policy", "allkeys-lfu", "--maxmemory-samples", "64")
	c := testutil.Dial(t, addr)
	fill(t, c, "k:", 1500, 0)
	for r := 0; r < 30; r++ {
		for i := 0; i < 50; i++ {
			c.Do("GET", "k:"+strconv.Itoa(i))
		}
	}
	setLimitAboveHeap(t, c, 128<<10)
	fillUntilEvicted(t, c, "new:", 300, 0)
	for i := 0; i < 50; i++ {
		expectReply(t, c, ":1\r\n", "EXISTS", "k:"+strconv.Itoa(i))
	}
}

// Lowering maxmemory below the usage evicts at once.
func TestEvictionOnConfigSet(t *testing.T) {
	_, addr := startInProcess(t, "--maxmemory-policy", "allkeys-random")
	c := testutil.Dial(t, addr)
	fill(t, c, "k:", 2000, 0)
	runtime.GC()
	limit := usedMemory() - 512<<10
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
	if ev := evictedKeys(t, c); ev < 100 || dbsize(t, c) != 2000-ev {
		t.Fatalf("evicted %d, dbsize %d", ev, dbsize(t, c))
	}
}
