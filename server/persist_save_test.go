package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"redoubt/rdb"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hdt3213/rdb/core"
	"github.com/hdt3213/rdb/model"

	"redoubt/internal/config"
	"redoubt/internal/keyspace"
	"redoubt/internal/testutil"
)

// startSaver runs an in-process server whose dir is a temp directory
// (without changing the test process's working directory).
func startSaver(t *testing.T, args ...string) (*Server, string, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	cfg.SetChdir(false)
	port := testutil.FreePort(t)
	all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir}, args...)
	if err := cfg.LoadArgs(all); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, "127.0.0.1:" + strconv.Itoa(port), dir
}

var mixedDataset = [][]string{
	{"SET", "s1", "hello"}, {"SET", "n1", "12345"}, {"SET", "long", strings.Repeat("abc", 100)},
	{"SET", "ttl", "x"}, {"PEXPIREAT", "ttl", "4102444800000"},
	{"RPUSH", "l", "a", "b", "1", "2", strings.Repeat("z", 100)},
	{"HSET", "h", "f1", "v1", "f2", "2"}, {"SADD", "si", "1", "2", "3"}, {"SADD", "ss", "a", "b"},
	{"ZADD", "z", "1.5", "a", "-inf", "b", "inf", "c"},
	{"XADD", "x", "1-1", "a", "1"}, {"XADD", "x", "1-2", "a", "2", "b", "3"}, {"XADD", "x", "2-0", "a", "3"},
	{"XGROUP", "CREATE", "x", "g", "0"}, {"SELECT", "3"}, {"SET", "in3", "v"},
}

func TestSaveWritesFileRealRedisLoadsIdentically(t *testing.T) {
	testutil.RequireBinary(t, "redis-server")
	_, addr, dir := startSaver(t)
	c := testutil.Dial(t, addr)
	for _, cmd := range mixedDataset {
		c.Do(cmd...)
	}
	if r := c.Do("SAVE"); r != "+OK\r\n" {
		t.Fatalf("SAVE: %q", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	loaded := testutil.StartRedis(t, "--dir", dir, "--dbfilename", "dump.rdb", "--sanitize-dump-payload", "yes", "--enable-debug-command", "yes")
	ref := testutil.StartRedis(t, "--enable-debug-command", "yes")
	rc := testutil.Dial(t, ref.Addr)
	for _, cmd := range mixedDataset {
		rc.Do(cmd...)
	}
	lc := testutil.Dial(t, loaded.Addr)
	if a, b := lc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); a != b {
		t.Fatalf("digest of loaded file %q, reference %q\n%s", a, b, loaded.Output())
	}
}

func TestBgsaveIsPointInTimeUnderConcurrentWrites(t *testing.T) {
	s, addr, dir := startSaver(t)
	const n = 100000
	s.Lock()
	db := s.Keyspace().DBs[0]
	for i := 0; i < n; i++ {
		db.Add("key:"+strconv.Itoa(i), keyspace.NewString([]byte("val:"+strconv.Itoa(i))))
	}
	db.SetExpire("key:7", 4102444800000)
	s.Unlock()
	c := testutil.Dial(t, addr)
	if r := c.Do("BGSAVE"); r != "+Background saving started\r\n" {
		t.Fatalf("BGSAVE: %q", r)
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	var during atomic.Int64
	for w := 0; w < 4; w++ {
		wc := testutil.Dial(t, addr)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; !stop.Load(); i += 4 {
				k := "key:" + strconv.Itoa(i%n)
				switch i % 5 {
				case 0:
					wc.Do("SET", k, "changed")
				case 1:
					wc.Do("DEL", k)
				case 2:
					wc.Do("EXPIRE", k, "100")
				case 3:
					wc.Do("APPEND", k, "-more")
				default:
					wc.Do("SET", "new:"+strconv.Itoa(i), "x")
				}
				during.Add(1)
			}
		}(w)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if strings.Contains(c.Do("INFO", "persistence"), "rdb_bgsave_in_progress:0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("BGSAVE did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	writes := during.Load()
	stop.Store(true)
	wg.Wait()
	info := c.Do("INFO", "persistence")
	if !strings.Contains(info, "rdb_last_bgsave_status:ok") {
		t.Fatalf("bgsave failed: %s", info)
	}
	t.Logf("%d writes ran while the snapshot was taken", writes)
	f, err := os.Open(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := 0
	err = core.NewDecoder(f).Parse(func(o model.RedisObject) bool {
		so, ok := o.(*model.StringObject)
		want := "val:" + strings.TrimPrefix(o.GetKey(), "key:")
		if !ok || string(so.Value) != want {
			t.Errorf("key %q holds %v, want %q", o.GetKey(), o, want)
			return false
		}
		exp := o.GetExpiration()
		if (o.GetKey() == "key:7") != (exp != nil) {
			t.Errorf("key %q expiry %v", o.GetKey(), exp)
		}
		got++
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("file holds %d keys, want %d", got, n)
	}
}

func TestBgsaveArgumentsAndScheduling(t *testing.T) {
	_, addr, _ := startSaver(t)
	c := testutil.Dial(t, addr)
	if r := c.Do("BGSAVE", "NOW"); !strings.HasPrefix(r, "-ERR syntax error") {
		t.Errorf("BGSAVE NOW: %q", r)
	}
	c.Do("MULTI")
	c.Do("BGSAVE")
	if r := c.Do("EXEC"); r != "*1\r\n+Background saving scheduled\r\n" {
		t.Errorf("BGSAVE in MULTI: %q", r)
	}
}

func TestStopWritesOnBgsaveErrorRefusesWritesAndPing(t *testing.T) {
	s, addr, _ := startSaver(t, "--save", "3600 1")
	c := testutil.Dial(t, addr)
	s.Lock()
	s.persist.lastBgOK = false
	s.Unlock()
	for _, cmd := range [][]string{{"SET", "a", "1"}, {"PING"}} {
		if r := c.Do(cmd...); r != "-"+errMisconf+"\r\n" {
			t.Errorf("%v: %q", cmd, r)
		}
	}
	if r := c.Do("GET", "a"); r != "$-1\r\n" {
		t.Errorf("GET: %q", r)
	}
	c.Do("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	if r := c.Do("SET", "a", "1"); r != "+OK\r\n" {
		t.Errorf("SET after disabling: %q", r)
	}
}

func TestFlushallSavesEmptyFileWhenSavePointsExist(t *testing.T) {
	_, addr, dir := startSaver(t, "--save", "3600 1")
	c := testutil.Dial(t, addr)
	c.Do("SET", "a", "1")
	if r := c.Do("FLUSHALL"); r != "+OK\r\n" {
		t.Fatal(r)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	keys := 0
	_, lerr := rdb.LoadN(bytes.NewReader(raw), int64(len(raw)), rdb.HandlerFunc(func(*rdb.Entry) error { keys++; return nil }))
	if !strings.HasPrefix(string(raw), "REDIS0010") || lerr != nil || keys != 0 {
		t.Errorf("expected an empty dataset file, got %d keys, %v: %q", keys, lerr, raw)
	}
	if info := c.Do("INFO", "persistence"); !strings.Contains(info, "rdb_changes_since_last_save:1\r\n") {
		t.Errorf("changes after FLUSHALL: %s", info)
	}
	if fmt.Sprint(c.Do("LASTSAVE")) == ":0\r\n" {
		t.Error("LASTSAVE not set")
	}
}
