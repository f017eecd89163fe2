package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hdt3213/rdb/core"
	"github.com/hdt3213/rdb/crc64jones"
	"github.com/hdt3213/rdb/model"

	"redoubt/internal/keyspace"
	"redoubt/internal/testutil"
)

// sample is one key of the test dataset with the commands that build the
// same key in a real Redis.
type sample struct {
	key    string
	obj    keyspace.Object
	expire int64
	cmds   [][]string
}

func testDataset() []sample {
	var out []sample
	str := func(k, v string) {
		out = append(out, sample{key: k, obj: keyspace.NewString([]byte(v)), expire: -1, cmds: [][]string{{"SET", k, v}}})
	}
	str("int", "12345")
	str("neg", "-7")
	str("big", "1234567890123")
	str("zero", "0")
	str("lead0", "0123")
	str("empty", "")
	str("long", strings.Repeat("abcdefgh", 40))
	str("incompressible", "q8Zr1Lm0Xv4Np7Ys2Ka9Bf3Hd")
	out = append(out, sample{key: "ttl", obj: keyspace.NewString([]byte("v")), expire: 4102444800000,
		cmds: [][]string{{"SET", "ttl", "v"}, {"PEXPIREAT", "ttl", "4102444800000"}}})

	l := keyspace.NewList()
	lc := []string{"RPUSH", "list"}
	for i := 0; i < 300; i++ {
		v := fmt.Sprintf("elem-%d", i)
		if i%3 == 0 {
			v = strconv.Itoa(i * 1000)
		}
		l.PushBack([]byte(v))
		lc = append(lc, v)
	}
	out = append(out, sample{key: "list", obj: keyspace.Object{Type: keyspace.TList, Val: l}, expire: -1, cmds: [][]string{lc}})

	for _, name := range []string{"intset", "strset"} {
		s := keyspace.NewSet()
		sc := []string{"SADD", name}
		for i := 0; i < 200; i++ {
			m := strconv.Itoa(i*7 - 50)
			if name == "strset" {
				m = "m" + m
			}
			s.Add([]byte(m), 512)
			sc = append(sc, m)
		}
		out = append(out, sample{key: name, obj: keyspace.Object{Type: keyspace.TSet, Val: s}, expire: -1, cmds: [][]string{sc}})
	}

	h := keyspace.NewHash()
	hc := []string{"HSET", "hash"}
	for i := 0; i < 50; i++ {
		f, v := fmt.Sprintf("f%d", i), strings.Repeat("x", i)
		h.Set([]byte(f), []byte(v), 128, 64)
		hc = append(hc, f, v)
	}
	out = append(out, sample{key: "hash", obj: keyspace.Object{Type: keyspace.THash, Val: h}, expire: -1, cmds: [][]string{hc}})

	z := keyspace.NewZSet()
	zc := []string{"ZADD", "zset"}
	scores := []float64{math.Inf(1), math.Inf(-1), 0, 1.5, -2.25, 1e200, 1e-300, 3}
	for i, sc := range scores {
		m := fmt.Sprintf("member%d", i)
		z.Add([]byte(m), sc, 0, 128, 64)
		zc = append(zc, strconv.FormatFloat(sc, 'g', 17, 64), m)
	}
	out = append(out, sample{key: "zset", obj: keyspace.Object{Type: keyspace.TZSet, Val: z}, expire: -1, cmds: [][]string{zc}})

	st := keyspace.NewStream()
	var xc [][]string
	for i := 1; i <= 250; i++ {
		id := keyspace.StreamID{Ms: uint64(1000 + i/3), Seq: uint64(i % 3)}
		fv := [][]byte{[]byte("name"), []byte(fmt.Sprintf("n%d", i)), []byte("n"), []byte(strconv.Itoa(i * 100000))}
		if i%10 == 0 {
			fv = append(fv, []byte("extra"), []byte(strings.Repeat("e", i)))
		}
		st.Append(id, fv, 4096, 100)
		c := []string{"XADD", "stream", fmt.Sprintf("%d-%d", id.Ms, id.Seq)}
		for _, b := range fv {
			c = append(c, string(b))
		}
		xc = append(xc, c)
	}
	st.DeleteIDs([]keyspace.StreamID{{Ms: 1001, Seq: 1}, {Ms: 1050, Seq: 0}})
	xc = append(xc, []string{"XDEL", "stream", "1001-1", "1050-0"})
	out = append(out, sample{key: "stream", obj: keyspace.Object{Type: keyspace.TStream, Val: st}, expire: -1, cmds: xc})
	return out
}

func writeDataset(t *testing.T, path string, opts Options, data []sample) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f, opts)
	if err := w.Header(); err != nil {
		t.Fatal(err)
	}
	expires := 0
	for _, s := range data {
		if s.expire >= 0 {
			expires++
		}
	}
	if err := w.SelectDB(0, len(data), expires); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		if err := w.Key(data[i].key, &data[i].obj, data[i].expire); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterOutputDecodesWithTrailerChecksum(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dump.rdb")
	data := testDataset()
	writeDataset(t, path, Options{Compress: true, Checksum: true, Aux: [][2]string{{"redis-ver", "7.0.15"}, {"redis-bits", "64"}}}, data)
	raw, _ := os.ReadFile(path)
	if !bytes.HasPrefix(raw, []byte("REDIS0010")) {
		t.Fatalf("header %q", raw[:9])
	}
	crc := crc64jones.New()
	crc.Write(raw[:len(raw)-8])
	if got := binary.LittleEndian.Uint64(raw[len(raw)-8:]); got != crc.Sum64() {
		t.Fatalf("trailer %x, want %x", got, crc.Sum64())
	}
	f, _ := os.Open(path)
	defer f.Close()
	seen := map[string]model.RedisObject{}
	aux := map[string]string{}
	err := core.NewDecoder(f).WithSpecialOpCode().Parse(func(o model.RedisObject) bool {
		if a, ok := o.(*model.AuxObject); ok {
			aux[a.Key] = a.Value
			return true
		}
		if o.GetKey() != "" {
			seen[o.GetKey()] = o
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if aux["redis-ver"] != "7.0.15" || aux["redis-bits"] != "64" {
		t.Errorf("aux %v", aux)
	}
	if len(seen) != len(data) {
		t.Fatalf("decoded %d keys, want %d", len(seen), len(data))
	}
	if s := seen["long"].(*model.StringObject); string(s.Value) != strings.Repeat("abcdefgh", 40) {
		t.Errorf("long string decoded wrong")
	}
	if s := seen["big"].(*model.StringObject); string(s.Value) != "1234567890123" {
		t.Errorf("big = %q", s.Value)
	}
	if exp := seen["ttl"].GetExpiration(); exp == nil || exp.UnixMilli() != 4102444800000 {
		t.Errorf("ttl expiry %v", exp)
	}
	zs := seen["zset"].(*model.ZSetObject)
	got := map[string]float64{}
	for _, e := range zs.Entries {
		got[e.Member] = e.Score
	}
	if got["member0"] != math.Inf(1) || got["member5"] != 1e200 || got["member6"] != 1e-300 {
		t.Errorf("zset scores %v", got)
	}
	if l := seen["list"].(*model.ListObject); len(l.Values) != 300 || string(l.Values[3]) != "3000" {
		t.Errorf("list decoded wrong")
	}
	if s := seen["stream"].(*model.StreamObject); s.Length != 248 {
		t.Errorf("stream length %d", s.Length)
	}
}

func TestWriterChecksumDisabledWritesZeroTrailer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dump.rdb")
	writeDataset(t, path, Options{}, testDataset()[:3])
	raw, _ := os.ReadFile(path)
	if binary.LittleEndian.Uint64(raw[len(raw)-8:]) != 0 {
		t.Fatal("trailer should be zero without rdbchecksum")
	}
}

func TestStringsUseIntegerEncodingLikeRedis(t *testing.T) {
	cases := map[string][]byte{
		"12":          {0xC0, 12},
		"-1":          {0xC0, 0xFF},
		"300":         {0xC1, 0x2C, 0x01},
		"70000":       {0xC2, 0x70, 0x11, 0x01, 0x00},
		"012":         {3, '0', '1', '2'},
		"12345678901": {11, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1'},
	}
	for in, want := range cases {
		if got := appendString(nil, []byte(in), true); !bytes.Equal(got, want) {
			t.Errorf("%q -> % x, want % x", in, got, want)
		}
	}
}

// TestRealRedisLoadsOurFile loads our file into redis-server 7.0 with
// deep payload sanitisation and compares its DEBUG DIGEST with a Redis
// that received the same data as commands.
func TestRealRedisLoadsOurFile(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	dir := t.TempDir()
	data := testDataset()
	for _, compress := range []bool{true, false} {
		name := fmt.Sprintf("dump-%v.rdb", compress)
		writeDataset(t, filepath.Join(dir, name), Options{Compress: compress, Checksum: true,
			Aux: [][2]string{{"redis-ver", "7.0.15"}, {"redis-bits", "64"}, {"ctime", "1700000000"}}}, data)
		loaded := testutil.StartRedis(t, "--dir", dir, "--dbfilename", name, "--sanitize-dump-payload", "yes",
			"--enable-debug-command", "yes")
		ref := testutil.StartRedis(t, "--enable-debug-command", "yes")
		lc, rc := testutil.Dial(t, loaded.Addr), testutil.Dial(t, ref.Addr)
		for _, s := range data {
			for _, c := range s.cmds {
				rc.Do(c...)
			}
		}
		if a, b := lc.Do("DBSIZE"), rc.Do("DBSIZE"); a != b {
			t.Fatalf("DBSIZE %q vs %q\n%s", a, b, loaded.Output())
		}
		for _, s := range data {
			a, b := lc.Do("DEBUG", "DIGEST-VALUE", s.key), rc.Do("DEBUG", "DIGEST-VALUE", s.key)
			if a != b {
				t.Errorf("key %s: digest %q vs %q", s.key, a, b)
			}
			if a, b := lc.Do("OBJECT", "ENCODING", s.key), rc.Do("OBJECT", "ENCODING", s.key); a != b {
				t.Errorf("key %s: encoding %q after load, %q when written directly", s.key, a, b)
			}
		}
		if a, b := lc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); a != b {
			t.Errorf("DEBUG DIGEST %q vs %q", a, b)
		}
		if a, b := lc.Do("XINFO", "STREAM", "stream"), rc.Do("XINFO", "STREAM", "stream"); a != b {
			t.Errorf("XINFO STREAM differs:\n%q\n%q", a, b)
		}
		members := func(c *testutil.Conn) string {
			parts := strings.Split(c.Do("SMEMBERS", "intset"), "\r\n")
			sort.Strings(parts)
			return strings.Join(parts, ",")
		}
		if members(lc) != members(rc) {
			t.Errorf("intset members differ")
		}
	}
}
