package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"redoubt/internal/keyspace"
	"redoubt/internal/testutil"
)

func datasetHex(ks *keyspace.Keyspace) string {
	d := datasetDigest(ks)
	return d.hexString()
}

func TestDigestOfEmptyDatasetIsFortyZeros(t *testing.T) {
	ks := keyspace.New(16)
	if got := datasetHex(ks); got != strings.Repeat("0", 40) {
		t.Fatalf("empty digest = %s", got)
	}
}

// Values captured from redis-server 7.0.15 for the same commands.
func TestDigestMatchesRedis70Vectors(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	status := func(s string) string { return "+" + s + "\r\n" }
	expectReply(t, c, status(strings.Repeat("0", 40)), "DEBUG", "DIGEST")
	c.Do("SET", "a", "1")
	expectReply(t, c, status("943d800368fb9c0e951138f1bc0e313ac769d91f"), "DEBUG", "DIGEST")
	expectReply(t, c, "*2\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n+"+strings.Repeat("0", 40)+"\r\n",
		"DEBUG", "DIGEST-VALUE", "a", "nokey")
	c.Do("FLUSHALL")
	c.Do("RPUSH", "l", "a", "b", "3")
	c.Do("SADD", "s", "1", "x")
	c.Do("HSET", "h", "f", "v", "n", "7")
	c.Do("SET", "t", "v", "EX", "100")
	c.Do("XADD", "x", "1-1", "f", "v")
	c.Do("ZADD", "z", "1.5", "m", "inf", "n", "-0", "o")
	want := map[string]string{
		"l": "09eb1fc9381ee92790d59930ab462945f8cd948b",
		"s": "96257d5cc29f1c46ff96a88360b5c99de66ae13f",
		"h": "4f27ca621cb2752866d01527a40541bd50df9e80",
		"t": "311b17018163335616e089f6b951c82c477335ac",
		"x": "2ed9a7a81688084b1f7eae33456ef7727d357031",
		"z": "429ac3443a26f502fc8893bf613ff4bb10917a98",
	}
	for k, w := range want {
		expectReply(t, c, "*1\r\n"+status(w), "DEBUG", "DIGEST-VALUE", k)
	}
	c.Do("DEL", "x", "z")
	expectReply(t, c, status("04bec764cf48f59a5b97ff76426066d94d8517e1"), "DEBUG", "DIGEST")
	// A skiplist keeps -0 (hashed "-0"); a listpack stores it as 0.
	c.Do("CONFIG", "SET", "zset-max-listpack-entries", "0")
	c.Do("ZADD", "zk", "-0", "a", "2.5", "b")
	expectReply(t, c, "*1\r\n"+status("4ef6bd558c5a7dce443ebf0421c0fe55776c940f"), "DEBUG", "DIGEST-VALUE", "zk")
	c.Do("CONFIG", "SET", "zset-max-listpack-entries", "128")
	c.Do("ZADD", "zl", "-0", "a", "2.5", "b")
	expectReply(t, c, "*1\r\n"+status("0ad04301382f07b9edaedf6e75ec379548508a16"), "DEBUG", "DIGEST-VALUE", "zl")
	// Consumer groups are not part of a stream's digest.
	c.Do("XGROUP", "CREATE", "x2", "g", "0", "MKSTREAM")
	c.Do("DEL", "x2")
	c.Do("XADD", "x2", "1-1", "f", "v")
	c.Do("XGROUP", "CREATE", "x2", "g", "0")
	c.Do("XREADGROUP", "GROUP", "g", "c", "STREAMS", "x2", ">")
	expectReply(t, c, "*1\r\n"+status(want["x"]), "DEBUG", "DIGEST-VALUE", "x2")
}

func TestDebugDigestArityAndEmptyKeyList(t *testing.T) {
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	expectReply(t, c, "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n",
		"DEBUG", "DIGEST", "extra")
	expectReply(t, c, "*0\r\n", "DEBUG", "DIGEST-VALUE")
}

// C's "%.17g", which Redis 7.0 hashes for scores.
func TestDigestScoreFormatIsPrintfG17(t *testing.T) {
	cases := map[float64]string{
		0: "0", math.Copysign(0, -1): "-0", 1.5: "1.5", 0.1: "0.10000000000000001",
		1e16: "10000000000000000", 1e17: "1e+17", 1e-4: "0.0001", 1e-5: "1.0000000000000001e-05",
		5e-324: "4.9406564584124654e-324", math.Inf(1): "inf", math.Inf(-1): "-inf",
		123456789.123: "123456789.123", 2.5e-300: "2.5e-300",
	}
	for f, want := range cases {
		if got := string(formatDigestScore(nil, f)); got != want {
			t.Errorf("%v: got %q, want %q", f, got, want)
		}
	}
}

// build fills a keyspace with one value of every type, adding elements in
// the given order (perm maps a position to an element index).
func build(perm func(i, n int) int, tweak string) *keyspace.Keyspace {
	ks := keyspace.New(16)
	db := ks.DBs[0]
	const n = 300
	set, iset, hash, zset, list := keyspace.NewSet(), keyspace.NewSet(), keyspace.NewHash(), keyspace.NewZSet(), keyspace.NewList()
	for i := 0; i < n; i++ {
		j := perm(i, n)
		m := []byte("m" + strconv.Itoa(j))
		set.Add(m, 512)
		iset.Add([]byte(strconv.Itoa(j*7)), 512)
		hash.Set(m, []byte("v"+strconv.Itoa(j)), 128, 64)
		zset.Add(m, float64(j)/3, 0, 128, 64)
		list.PushBack([]byte(strconv.Itoa(i)))
	}
	st := keyspace.NewStream()
	st.Append(keyspace.StreamID{Ms: 1, Seq: 1}, [][]byte{[]byte("f"), []byte("v")}, 4096, 100)
	st.Append(keyspace.StreamID{Ms: 2}, [][]byte{[]byte("f"), []byte("w")}, 4096, 100)
	switch tweak {
	case "list":
		list.Set(5, []byte("changed"))
	case "set":
		set.Remove([]byte("m7"))
		set.Add([]byte("m7x"), 512)
	case "hash":
		hash.Set([]byte("m9"), []byte("other"), 128, 64)
	case "zset":
		zset.Add([]byte("m9"), 1e9, 0, 128, 64)
	case "stream":
		st.Append(keyspace.StreamID{Ms: 3}, [][]byte{[]byte("f"), []byte("v")}, 4096, 100)
	}
	objs := []keyspace.Object{
		{Type: keyspace.TSet, Val: set}, {Type: keyspace.TSet, Val: iset}, {Type: keyspace.THash, Val: hash},
		{Type: keyspace.TZSet, Val: zset}, {Type: keyspace.TList, Val: list}, {Type: keyspace.TStream, Val: st},
		keyspace.NewString([]byte("plain")), keyspace.NewString([]byte("12345")),
	}
	for i := range objs {
		j := perm(i, len(objs))
		target := db
		if tweak == "db" && j == 0 {
			target = ks.DBs[1]
		}
		target.Add("k"+strconv.Itoa(j), objs[j])
	}
	if tweak == "ttl" {
		db.SetExpire("k7", 1<<50)
	}
	return ks
}

func TestDigestIgnoresInsertionOrderButNotContent(t *testing.T) {
	fwd := func(i, n int) int { return i }
	rev := func(i, n int) int { return n - 1 - i }
	base := datasetHex(build(fwd, ""))
	if got := datasetHex(build(rev, "")); got != base {
		t.Fatalf("reverse insertion order changed the digest: %s vs %s", got, base)
	}
	// The list is filled by position, so the reverse build holds the same
	// list; everything else went in backwards.
	seen := map[string]string{"": base}
	for _, tweak := range []string{"list", "set", "hash", "zset", "stream", "ttl", "db"} {
		got := datasetHex(build(fwd, tweak))
		for prev, d := range seen {
			if d == got {
				t.Errorf("tweak %q gives the same digest as %q", tweak, prev)
			}
		}
		seen[tweak] = got
	}
}

// The same commands run against redis-server 7.0 and against us give the
// same DEBUG DIGEST and the same DIGEST-VALUE for every key.
func TestDigestEqualsRealRedisOnMixedDataset(t *testing.T) {
	real := testutil.StartRedis(t, "--enable-debug-command", "yes")
	_, addr := startInProcess(t, "--enable-debug-command", "yes")
	var cmds [][]string
	add := func(s ...string) { cmds = append(cmds, s) }
	many := func(pre string, n int, f func(i int) string) {
		args := strings.Fields(pre)
		for i := 0; i < n; i++ {
			args = append(args, strings.Fields(f(i))...)
		}
		add(args...)
	}
	add("SET", "int", "-42")
	add("SET", "emb", "hello")
	add("SET", "raw", strings.Repeat("r", 60))
	add("APPEND", "emb", "!")
	add("INCRBYFLOAT", "fl", "2.5")
	many("RPUSH ls", 10, func(i int) string { return strconv.Itoa(i * 3) })
	many("RPUSH lb", 500, func(i int) string { return strings.Repeat("x", i%70) + strconv.Itoa(i) })
	many("SADD si", 50, func(i int) string { return strconv.Itoa(i*1000003 - 9000) })
	many("SADD sh", 200, func(i int) string { return fmt.Sprintf("mem%d", i) })
	many("HSET hl", 10, func(i int) string { return fmt.Sprintf("f%d %d", i, i) })
	many("HSET hh", 200, func(i int) string { return fmt.Sprintf("f%d v%d", i, i*i) })
	many("ZADD zl", 20, func(i int) string { return fmt.Sprintf("%g z%d", float64(i)/7, i) })
	many("ZADD zs", 200, func(i int) string { return fmt.Sprintf("%g z%d", float64(i*i)/3-500, i) })
	add("ZADD", "zs", "inf", "pinf", "-inf", "ninf", "-0", "nz", "1e300", "huge")
	for i := 0; i < 150; i++ {
		add("XADD", "st", fmt.Sprintf("%d-%d", i/3+1, i%3), "name", fmt.Sprintf("n%d", i), "v", strconv.Itoa(i))
	}
	add("XDEL", "st", "2-1", "10-0")
	add("XGROUP", "CREATE", "st", "g", "0")
	add("XREADGROUP", "GROUP", "g", "alice", "COUNT", "4", "STREAMS", "st", ">")
	add("SET", "ttl", "v", "EX", "1000")
	add("PEXPIRE", "hh", "900000")
	add("SELECT", "5")
	add("SET", "int", "-42")
	add("SELECT", "0")
	keys := []string{"int", "emb", "raw", "fl", "ls", "lb", "si", "sh", "hl", "hh", "zl", "zs", "st", "ttl", "none"}
	run := func(a string) (string, string) {
		c := testutil.Dial(t, a)
		for _, cmd := range cmds {
			if r := c.Do(cmd...); strings.HasPrefix(r, "-") {
				t.Fatalf("%v: %q", cmd, r)
			}
		}
		return c.Do("DEBUG", "DIGEST"), c.Do(append([]string{"DEBUG", "DIGEST-VALUE"}, keys...)...)
	}
	wantAll, wantEach := run(real.Addr)
	gotAll, gotEach := run(addr)
	if gotEach != wantEach {
		t.Errorf("DIGEST-VALUE differs:\n got %q\nwant %q", gotEach, wantEach)
	}
	if gotAll != wantAll {
		t.Errorf("DIGEST = %q, redis-server says %q", gotAll, wantAll)
	}
}
