package server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"redoubt/internal/config"
	"redoubt/internal/testutil"
)

func expectReply(t *testing.T, c *testutil.Conn, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); got != want {
		t.Fatalf("%v = %q, want %q", args, got, want)
	}
}

func TestConfigGetSet(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	expectReply(t, c, "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG", "GET", "maxmemory")
	expectReply(t, c, "*2\r\n$9\r\nMAXMEMORY\r\n$1\r\n0\r\n", "CONFIG", "GET", "MAXMEMORY")
	expectReply(t, c, "*0\r\n", "CONFIG", "GET", "nosuch")
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "hz", "20", "maxmemory", "1mb")
	expectReply(t, c, "*4\r\n$2\r\nhz\r\n$2\r\n20\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n", "CONFIG", "GET", "hz", "maxmemory")
	expectReply(t, c, "-ERR syntax error\r\n", "CONFIG", "SET", "hz", "10", "maxmemory")
	expectReply(t, c, "-ERR wrong number of arguments for 'config|set' command\r\n", "CONFIG", "SET", "hz")
	expectReply(t, c, "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", "CONFIG", "SET", "nosuch", "1")
	expectReply(t, c, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
		"CONFIG", "SET", "hz", "30", "maxmemory", "abc")
	// A failed SET changes nothing.
	expectReply(t, c, "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n", "CONFIG", "GET", "hz")
	expectReply(t, c, "-ERR The server is running without a config file\r\n", "CONFIG", "REWRITE")
	expectReply(t, c, "-ERR unknown subcommand 'nosuch'. Try CONFIG HELP.\r\n", "CONFIG", "nosuch")
	help := c.Do("CONFIG", "HELP")
	if !strings.HasPrefix(help, "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Fatalf("CONFIG HELP = %q", help)
	}
	c.Do("HELLO", "3")
	expectReply(t, c, "%1\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n", "CONFIG", "GET", "maxmemory")
	expectReply(t, c, "%0\r\n", "CONFIG", "GET", "nosuch")
}

func TestConfigGetGoRedis(t *testing.T) {
	_, addr := startInProcess(t)
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
		m, err := rdb.ConfigGet(context.Background(), "maxmemory*").Result()
		rdb.Close()
		if err != nil || m["maxmemory-policy"] != "noeviction" || m["maxmemory-samples"] != "5" {
			t.Fatalf("RESP%d CONFIG GET maxmemory* = %v, %v", proto, m, err)
		}
	}
}

func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(path, []byte("# test\nport 0\nhz 10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config.New()
	cfg.SetChdir(false)
	port := testutil.FreePort(t)
	if err := cfg.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if err := cfg.LoadArgs([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", ""}); err != nil {
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
	c := testutil.Dial(t, "127.0.0.1:"+strconv.Itoa(port))
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "hz", "33")
	expectReply(t, c, "+OK\r\n", "CONFIG", "REWRITE")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "hz 33") || !strings.Contains(string(b), "# test") {
		t.Fatalf("rewritten file:\n%s", b)
	}
	if m := infoFields(bulkBody(t, c.Do("INFO", "server"))); m["config_file"] != path {
		t.Fatalf("config_file = %q, want %q", m["config_file"], path)
	}
}

// Every directive the server caches applies to the next command.
func TestConfigSetTakesEffect(t *testing.T) {
	s, addr := startInProcess(t)
	c := testutil.Dial(t, addr)

	// requirepass: new connections must authenticate.
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "requirepass", "secret")
	c2 := testutil.Dial(t, addr)
	expectReply(t, c2, "-NOAUTH Authentication required.\r\n", "GET", "x")
	expectReply(t, c2, "+OK\r\n", "AUTH", "secret")
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "requirepass", "")

	// notify-keyspace-events.
	sub := testutil.Dial(t, addr)
	sub.Do("SUBSCRIBE", "__keyevent@0__:set")
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "E$")
	c.Do("SET", "nk", "1")
	if r, err := sub.ReadReply(2 * time.Second); err != nil || !strings.Contains(r, "nk") {
		t.Fatalf("no keyspace event after CONFIG SET: %q %v", r, err)
	}

	// maxmemory / maxmemory-policy.
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", "1", "maxmemory-policy", "noeviction")
	expectReply(t, c, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "SET", "big", "v")
	expectReply(t, c, "$1\r\n1\r\n", "GET", "nk")
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
	expectReply(t, c, "+OK\r\n", "SET", "big", "v")
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
	s.Lock()
	lfu := s.ks.Evict.LFU
	s.Unlock()
	if !lfu {
		t.Fatal("maxmemory-policy allkeys-lfu did not switch access tracking to LFU")
	}
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "noeviction")

	// slowlog-*.
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3")
	for i := 0; i < 5; i++ {
		c.Do("PING")
	}
	s.Lock()
	n := len(s.slowlog.entries)
	s.Unlock()
	if n != 3 {
		t.Fatalf("slowlog holds %d entries, want 3", n)
	}

	// hz.
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "hz", "50")
	if m := infoFields(bulkBody(t, c.Do("INFO", "server"))); m["hz"] != "50" || m["configured_hz"] != "50" {
		t.Fatalf("hz after CONFIG SET: %v", m["hz"])
	}

	// proto-max-bulk-len (1mb is the minimum).
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "1mb")
	c3 := testutil.Dial(t, addr)
	c3.Send([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"))
	if r, _ := c3.ReadReply(2 * time.Second); !strings.HasPrefix(r, "-ERR Protocol error: invalid bulk length") {
		t.Fatalf("oversized bulk answered %q", r)
	}
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "512mb")

	// maxclients: set to the clients now connected, the next is refused.
	c3.Close()
	time.Sleep(50 * time.Millisecond)
	nc := infoFields(bulkBody(t, c.Do("INFO", "clients")))["connected_clients"]
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxclients", nc)
	c4 := testutil.Dial(t, addr)
	if r, _ := c4.ReadReply(2 * time.Second); r != "-ERR max number of clients reached\r\n" {
		t.Fatalf("client over maxclients got %q", r)
	}
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "maxclients", "10000")

	// client-output-buffer-limit: a subscriber over the hard limit is
	// dropped.
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 1024 0 0")
	ps := testutil.Dial(t, addr)
	ps.Do("SUBSCRIBE", "ch")
	c.Do("PUBLISH", "ch", strings.Repeat("x", 4096))
	if r, err := ps.ReadReply(2 * time.Second); err == nil && r != "" {
		t.Fatalf("subscriber over the limit still got %q", r)
	}
}

// loglevel and timeout take effect at once in the real process.
func TestConfigSetLoglevelAndTimeout(t *testing.T) {
	p := testutil.StartRedoubt(t)
	c := testutil.Dial(t, p.Addr)
	expectReply(t, c, "+OK\r\n", "CONFIG", "SET", "loglevel", "verbose", "timeout", "1")
	idle := testutil.Dial(t, p.Addr)
	idle.Do("PING")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Output(), "Closing idle client") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		c.Do("PING")
	}
	if !strings.Contains(p.Output(), "Closing idle client") {
		t.Fatalf("idle client not closed/logged; output:\n%s", p.Output())
	}
	if _, err := idle.ReadReply(time.Second); err == nil {
		t.Fatal("idle connection still open")
	}
}
