package server

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"redoubt/internal/testutil"
)

// sampleKeys builds keys of every type and encoding; the figures Redis
// 7.0.15 gives for them were taken from a real server.
var sampleKeys = [][]string{
	{"SET", "s", "hello"},
	{"SET", "i", "12345"},
	{"SET", "neg", "-5"},
	{"SET", "i2", "1234567890123"},
	{"SET", "big", strings.Repeat("a", 94)},
	{"SET", "rnd", "qwertyuiopasdfghjklzxcvbnm1234567890"},
	{"RPUSH", "l", "a", "b", "c"},
	{"HSET", "h", "f", "v"},
	{"SADD", "st", "1", "2", "3"},
	{"SADD", "st2", "a", "b"},
	{"ZADD", "z", "1", "a"},
	{"XADD", "x", "1-1", "f", "v"},
}

func loadSampleKeys(c *testutil.Conn) {
	for _, cmd := range sampleKeys {
		c.Do(cmd...)
	}
}

func TestMemoryUsageMatchesRedis(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	loadSampleKeys(c)
	want := map[string]int{"s": 64, "i": 48, "big": 160, "l": 144, "h": 64, "st": 64, "st2": 200, "z": 64, "x": 4728}
	for k, w := range want {
		expectReply(t, c, ":"+strconv.Itoa(w)+"\r\n", "MEMORY", "USAGE", k)
	}
	expectReply(t, c, ":64\r\n", "MEMORY", "USAGE", "s", "SAMPLES", "0")
	expectReply(t, c, ":64\r\n", "MEMORY", "USAGE", "s", "samples", "1", "SAMPLES", "2")
	expectReply(t, c, "$-1\r\n", "MEMORY", "USAGE", "nokey")
	expectReply(t, c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "s", "SAMPLES")
	expectReply(t, c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "s", "SAMPLES", "-1")
	expectReply(t, c, "-ERR syntax error\r\n", "MEMORY", "USAGE", "nokey", "foo")
	expectReply(t, c, "-ERR value is not an integer or out of range\r\n", "MEMORY", "USAGE", "nokey", "SAMPLES", "x")
	expectReply(t, c, "-ERR wrong number of arguments for 'memory|usage' command\r\n", "MEMORY", "USAGE")
	expectReply(t, c, "-ERR unknown subcommand 'nosuch'. Try MEMORY HELP.\r\n", "MEMORY", "nosuch")
	c.Do("HELLO", "3")
	expectReply(t, c, "_\r\n", "MEMORY", "USAGE", "nokey")
}

// Larger values of every encoding, compared with the real server: the
// estimate follows Redis's structures exactly except for skiplist node
// levels, which are random.
func TestMemoryUsageLargeValuesAgainstRedis(t *testing.T) {
	real := testutil.StartRedis(t, "--enable-debug-command", "yes")
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	var cmds [][]string
	add := func(args ...string) { cmds = append(cmds, args) }
	seq := func(prefix string, n int, f func(i int) []string) []string {
		out := []string{}
		for i := 0; i < n; i++ {
			out = append(out, f(i)...)
		}
		return append(strings.Fields(prefix), out...)
	}
	add(seq("RPUSH biglist", 3000, func(i int) []string { return []string{fmt.Sprintf("item%d", i)} })...)
	add(seq("RPUSH numlist", 2000, func(i int) []string { return []string{strconv.Itoa(i * 7)} })...)
	add(seq("LPUSH longlist", 300, func(i int) []string { return []string{strings.Repeat("x", 100) + strconv.Itoa(i)} })...)
	add(seq("HSET bighash", 500, func(i int) []string { return []string{fmt.Sprintf("field%d", i), fmt.Sprintf("value%d", i)} })...)
	add(seq("HSET tablehash", 300, func(i int) []string { return []string{fmt.Sprintf("f%d", i), strings.Repeat("v", 70)} })...)
	add(seq("SADD bigset", 1000, func(i int) []string { return []string{fmt.Sprintf("member:%d", i)} })...)
	add(seq("SADD intset", 400, func(i int) []string { return []string{strconv.Itoa(i * 3)} })...)
	add(seq("SADD intset64", 50, func(i int) []string { return []string{strconv.Itoa(i * 10000000000)} })...)
	add(seq("ZADD bigz", 300, func(i int) []string {
		return []string{strconv.FormatFloat(float64(i)*1.5, 'f', -1, 64), fmt.Sprintf("m%d", i)}
	})...)
	add(seq("ZADD smallz", 100, func(i int) []string { return []string{strconv.Itoa(i), fmt.Sprintf("mem%d", i)} })...)
	for i := 0; i < 600; i++ {
		add("XADD", "stream", fmt.Sprintf("%d-1", i+1), "name", fmt.Sprintf("n%d", i), "val", strconv.Itoa(i))
	}
	for i := 0; i < 100; i++ {
		add("XADD", "stream2", fmt.Sprintf("%d-1", i+1), fmt.Sprintf("f%d", i%3), strings.Repeat("abcdefghij", 3))
	}
	add("XGROUP", "CREATE", "stream", "g1", "0")
	add("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "stream", ">")
	keys := []string{"biglist", "numlist", "longlist", "bighash", "tablehash", "bigset", "intset", "intset64", "bigz", "smallz", "stream", "stream2"}
	measure := func(c *testutil.Conn) map[string][2]int {
		for _, cmd := range cmds {
			if r := c.Do(cmd...); strings.HasPrefix(r, "-") {
				t.Fatalf("%v: %q", cmd[:2], r)
			}
		}
		out := map[string][2]int{}
		for _, k := range keys {
			var v [2]int
			for i, extra := range [][]string{nil, {"SAMPLES", "0"}} {
				r := c.Do(append([]string{"MEMORY", "USAGE", k}, extra...)...)
				v[i], _ = strconv.Atoi(strings.TrimSpace(r[1:]))
			}
			out[k] = v
		}
		return out
	}
	want := measure(testutil.Dial(t, real.Addr))
	got := measure(testutil.Dial(t, addr))
	for _, k := range keys {
		for i := range 2 {
			w, g := want[k][i], got[k][i]
			// Skiplist levels are random, and a hash table's size depends
			// on how far an incremental rehash got.
			tol := map[string]float64{"bigz": 0.25, "tablehash": 0.1, "bigset": 0.1}[k]
			if d := float64(g-w) / float64(w); d > tol || d < -tol {
				t.Errorf("%s (samples variant %d): redoubt %d, redis %d", k, i, g, w)
			}
		}
	}
}

func TestMemoryStatsDoctorHelp(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "2", "EX", "100")
	r := c.Do("MEMORY", "STATS")
	if !strings.HasPrefix(r, "*56\r\n$14\r\npeak.allocated\r\n:") {
		t.Fatalf("MEMORY STATS = %q", r)
	}
	for _, k := range []string{"db.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:", "$10\r\nkeys.count\r\n:2\r\n", "$18\r\ndataset.percentage\r\n$",
		"$19\r\nfragmentation.bytes\r\n:"} {
		if !strings.Contains(r, k) {
			t.Errorf("MEMORY STATS lacks %q", k)
		}
	}
	c.Do("HELLO", "3")
	r = c.Do("MEMORY", "STATS")
	if !strings.HasPrefix(r, "%28\r\n") || !regexp.MustCompile(`dataset\.percentage\r\n,[0-9.]+\r\n`).MatchString(r) ||
		!strings.Contains(r, "db.0\r\n%3\r\n") {
		t.Fatalf("RESP3 MEMORY STATS = %q", r)
	}
	r = c.Do("MEMORY", "DOCTOR")
	if !strings.HasPrefix(r, "=") || !strings.Contains(r, "txt:Hi Sam, this instance is empty or is using very little memory") {
		t.Fatalf("MEMORY DOCTOR = %q", r)
	}
	c.Do("HELLO", "2")
	expectReply(t, c, "$45\r\nStats not supported for the current allocator\r\n", "MEMORY", "MALLOC-STATS")
	expectReply(t, c, "+OK\r\n", "MEMORY", "PURGE")
	help := c.Do("MEMORY", "HELP")
	if !strings.HasPrefix(help, "*14\r\n+MEMORY <subcommand>") || !strings.Contains(help, "+    sampled up to <count> times (default: 5, 0 means sample all).\r\n") {
		t.Fatalf("MEMORY HELP = %q", help)
	}
}

func TestMemoryDoctorReports(t *testing.T) {
	const mb = 1 << 20
	healthy := memHealth{used: 50 * mb, peak: 55 * mb, allocated: 50 * mb, active: 51 * mb, resident: 52 * mb, rss: 53 * mb,
		allocFrag: 1.02, allocRSS: 1.02, rssExtra: 1.02}
	if r := memoryDoctorReport(healthy, 1); !strings.HasPrefix(r, "Hi Sam, I can't find any memory issue") {
		t.Fatalf("healthy report %q", r)
	}
	peaky := healthy
	peaky.peak = 200 * mb
	r := memoryDoctorReport(peaky, 1)
	if !strings.HasPrefix(r, "Sam, I detected a few issues") || !strings.Contains(r, " * Peak memory:") ||
		!strings.HasSuffix(r, "I'm here to keep you safe, Sam. I want to help you.\n") {
		t.Fatalf("peak report %q", r)
	}
}

func TestJemallocClasses(t *testing.T) {
	for n, want := range map[int64]int64{1: 8, 8: 8, 9: 16, 17: 32, 25: 32, 98: 112, 128: 128, 129: 160, 513: 640,
		4096: 4096, 4097: 5120, 14337: 16384, 16385: 20480} {
		if got := jeSize(n); got != want {
			t.Errorf("jeSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestListpackEncoding(t *testing.T) {
	// RPUSH l a b c: 6-byte header, three 3-byte entries, terminator.
	lp := appendListpack(nil, [][]byte{[]byte("a"), []byte("b"), []byte("c")})
	want := []byte{16, 0, 0, 0, 3, 0, 0x81, 'a', 2, 0x81, 'b', 2, 0x81, 'c', 2, 0xFF}
	if string(lp) != string(want) {
		t.Fatalf("listpack % x, want % x", lp, want)
	}
	for _, tc := range []struct {
		v    string
		size int
	}{{"0", 2}, {"127", 2}, {"128", 3}, {"-4096", 3}, {"4096", 4}, {"-32769", 5}, {"8388608", 6}, {"2147483648", 10},
		{strings.Repeat("x", 63), 65}, {strings.Repeat("x", 64), 67}, {strings.Repeat("x", 200), 204}} {
		if got := len(appendListpack(nil, [][]byte{[]byte(tc.v)})) - 7; got != tc.size || int64(got) != lpEntryLen([]byte(tc.v)) {
			t.Errorf("element %.10q: %d bytes (estimate %d), want %d", tc.v, got, lpEntryLen([]byte(tc.v)), tc.size)
		}
	}
}

// Random strings of varied compressibility get the serialized length
// the real server reports, which exercises the LZF port.
func TestSerializedLengthAgainstRedis(t *testing.T) {
	real := testutil.StartRedis(t, "--enable-debug-command", "yes")
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	rc, oc := testutil.Dial(t, real.Addr), testutil.Dial(t, addr)
	rng := rand.New(rand.NewPCG(1, 2))
	re := regexp.MustCompile(`serializedlength:(\d+)`)
	for i := 0; i < 300; i++ {
		alpha := "abcdefghijklmnopqrstuvwxyz0123456789"[:1+rng.IntN(36)]
		n := 1 + rng.IntN(3000)
		if i%3 == 0 {
			n = 15 + rng.IntN(40)
		}
		b := make([]byte, n)
		for j := range b {
			b[j] = alpha[rng.IntN(len(alpha))]
		}
		key := "k" + strconv.Itoa(i)
		for _, c := range []*testutil.Conn{rc, oc} {
			c.Do("SET", key, string(b))
		}
		w := re.FindStringSubmatch(rc.Do("DEBUG", "OBJECT", key))
		g := re.FindStringSubmatch(oc.Do("DEBUG", "OBJECT", key))
		if w == nil || g == nil || w[1] != g[1] {
			t.Fatalf("string of %d bytes over %d symbols: redis %v, redoubt %v", n, len(alpha), w, g)
		}
	}
}

func TestMemoryDoctorTotalRSS(t *testing.T) {
	const mb = 1 << 20
	m := memHealth{used: 20 * mb, peak: 20 * mb, rss: 60 * mb, totalFrag: 3, allocFrag: 1, allocRSS: 1, rssExtra: 1}
	r := memoryDoctorReport(m, 1)
	if !strings.Contains(r, " * High total RSS: ") || !strings.Contains(r, "Note: The currently used allocator is \"libc\".\n\n") {
		t.Fatalf("report %q", r)
	}
}
