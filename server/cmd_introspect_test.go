package server

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"redoubt/internal/testutil"
)

func TestMonitorSeesSetFromAnotherClient(t *testing.T) {
	_, addr := startInProcess(t)
	m := testutil.Dial(t, addr)
	c := testutil.Dial(t, addr)
	ixExpect(t, m.Do("MONITOR"), "+OK\r\n")
	ixExpect(t, c.Do("SET", "k", "v\n\"x\"\x01"), "+OK\r\n")
	line, err := m.ReadReply(2 * time.Second)
	re := regexp.MustCompile(`^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "k" "v\\n\\"x\\"\\x01"\r\n$`)
	if err != nil || !re.MatchString(line) {
		t.Fatalf("monitor line %q %v", line, err)
	}
	// Secrets are redacted; admin commands and rejected ones are not shown.
	c.Do("AUTH", "secret")
	c.Do("CONFIG", "GET", "port")
	c.Do("NOSUCH")
	c.Do("SELECT", "2")
	line, _ = m.ReadReply(2 * time.Second)
	if !strings.HasSuffix(line, `] "AUTH" "(redacted)"`+"\r\n") {
		t.Fatalf("auth line %q", line)
	}
	line, _ = m.ReadReply(2 * time.Second)
	if !strings.Contains(line, ` [2 127.0.0.1:`) || !strings.HasSuffix(line, `] "SELECT" "2"`+"\r\n") {
		t.Fatalf("select line %q", line)
	}
	// A monitor keeps away from the keyspace; a second MONITOR is ignored.
	ixExpect(t, m.Do("GET", "k"), "-ERR Replica can't interact with the keyspace\r\n")
	m.Send(testutil.Encode("MONITOR"))
	r := m.Do("PING")
	if !strings.HasPrefix(r, "+PONG\r\n") {
		t.Fatalf("after second MONITOR: %q", r)
	}
	// Inside a transaction MONITOR is refused.
	c.Do("MULTI")
	c.Do("MONITOR")
	ixExpect(t, c.Do("EXEC"), "*1\r\n-"+errMonitorDeny+"\r\n")
}

func TestSlowlog(t *testing.T) {
	_, addr := startInProcess(t, "--slowlog-log-slower-than", "0", "--slowlog-max-len", "3")
	c := testutil.Dial(t, addr)
	ixExpect(t, c.Do("SLOWLOG", "RESET"), "+OK\r\n")
	ixExpect(t, c.Do("CLIENT", "SETNAME", "me"), "+OK\r\n")
	c.Do("AUTH", "a", "b")
	long := strings.Repeat("x", 130)
	c.Do("ECHO", long)
	r := c.Do("SLOWLOG", "GET", "2")
	re := regexp.MustCompile(`^\*2\r\n` +
		`\*6\r\n:3\r\n:\d+\r\n:\d+\r\n\*2\r\n\$4\r\nECHO\r\n\$146\r\nx{128}\.\.\. \(2 more bytes\)\r\n\$15\r\n127\.0\.0\.1:\d+\r\n\$2\r\nme\r\n` +
		`\*6\r\n:2\r\n:\d+\r\n:\d+\r\n\*3\r\n\$4\r\nAUTH\r\n\$10\r\n\(redacted\)\r\n\$10\r\n\(redacted\)\r\n\$15\r\n127\.0\.0\.1:\d+\r\n\$2\r\nme\r\n$`)
	if !re.MatchString(r) {
		t.Fatalf("SLOWLOG GET: %q", r)
	}
	ixExpect(t, c.Do("SLOWLOG", "LEN"), ":3\r\n")
	ixExpect(t, c.Do("SLOWLOG", "GET", "-2"), "-ERR count should be greater than or equal to -1\r\n")
	ixExpect(t, c.Do("SLOWLOG", "GET", "1", "2"), "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n")
	if r := c.Do("SLOWLOG", "GET", "-1"); !strings.HasPrefix(r, "*3\r\n") {
		t.Fatalf("GET -1: %q", r)
	}
	// Many arguments: 31 kept, then how many more there were.
	args := []string{"DEL"}
	for i := 0; i < 40; i++ {
		args = append(args, "k")
	}
	c.Do(args...)
	r = c.Do("SLOWLOG", "GET", "1")
	if !strings.Contains(r, "*32\r\n$3\r\nDEL\r\n") || !strings.Contains(r, "$23\r\n... (10 more arguments)\r\n") {
		t.Fatalf("argument cap: %q", r)
	}
}

func TestCommandIntrospection(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	ixExpect(t, c.Do("COMMAND", "INFO", "get"), "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"+
		"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n"+
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"+
		"$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n")
	ixExpect(t, c.Do("COMMAND", "INFO", "nope"), "*1\r\n$-1\r\n")
	if r := c.Do("COMMAND", "INFO", "config|get"); !strings.HasPrefix(r, "*1\r\n*10\r\n$10\r\nconfig|get\r\n") {
		t.Fatalf("config|get: %q", r)
	}
	ixExpect(t, c.Do("COMMAND", "DOCS", "nope"), "*0\r\n")
	ixExpect(t, c.Do("COMMAND", "GETKEYS", "GET", "A"), "*1\r\n$1\r\nA\r\n")
	ixExpect(t, c.Do("COMMAND", "GETKEYS", "nope", "a"), "-ERR Invalid command specified\r\n")
	ixExpect(t, c.Do("COMMAND", "GETKEYS", "get", "a", "b"), "-ERR Invalid number of arguments specified for command\r\n")
	ixExpect(t, c.Do("COMMAND", "GETKEYS", "client", "list", "x"), "-ERR The command has no key arguments\r\n")
	ixExpect(t, c.Do("COMMAND", "GETKEYSANDFLAGS", "get", "a"), "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n")
	ixExpect(t, c.Do("COMMAND", "LIST", "FILTERBY", "foo", "x"), "-ERR syntax error\r\n")
	ixExpect(t, c.Do("COMMAND", "LIST", "FILTERBY", "module", "x"), "*0\r\n")
	r := c.Do("COMMAND", "LIST", "FILTERBY", "pattern", "slowlog*")
	for _, n := range []string{"slowlog", "slowlog|get", "slowlog|len", "slowlog|reset", "slowlog|help"} {
		if !strings.Contains(r, "\r\n"+n+"\r\n") {
			t.Fatalf("pattern list lacks %s: %q", n, r)
		}
	}
	c.Do("HELLO", "3")
	r = c.Do("COMMAND", "DOCS", "client")
	if !strings.HasPrefix(r, "%1\r\n$6\r\nclient\r\n%5\r\n$7\r\nsummary\r\n") || !strings.Contains(r, "$11\r\nsubcommands\r\n%") {
		t.Fatalf("RESP3 DOCS: %q", r)
	}
	// Every entry is ten elements and the count matches.
	n := c.Do("COMMAND", "COUNT")
	if !strings.HasPrefix(c.Do("COMMAND"), "*"+strings.TrimPrefix(n, ":")) {
		t.Fatal("COMMAND length differs from COMMAND COUNT")
	}
}

// go-redis parses COMMAND's reply (it does so to route commands); both
// protocol versions must work.
func TestCommandParsedByGoRedis(t *testing.T) {
	_, addr := startInProcess(t)
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
		info, err := rdb.Command(context.Background()).Result()
		if err != nil {
			t.Fatalf("RESP%d: %v", proto, err)
		}
		get := info["get"]
		if get == nil || get.FirstKeyPos != 1 || !get.ReadOnly || get.Arity != 2 {
			t.Fatalf("RESP%d get: %+v", proto, get)
		}
		if info["client"] == nil || info["slowlog"] == nil {
			t.Fatalf("RESP%d: containers missing", proto)
		}
		logs, err := rdb.SlowLogGet(context.Background(), 1).Result()
		if err != nil {
			t.Fatalf("RESP%d SLOWLOG: %v %v", proto, logs, err)
		}
		if _, err := rdb.ClientList(context.Background()).Result(); err != nil {
			t.Fatalf("RESP%d CLIENT LIST: %v", proto, err)
		}
		rdb.Close()
	}
}

func TestLatencyMonitor(t *testing.T) {
	s, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	ixExpect(t, c.Do("LATENCY", "LATEST"), "*0\r\n")
	ixExpect(t, c.Do("LATENCY", "GRAPH", "command"), "-ERR No samples available for event 'command'\r\n")
	if r := c.Do("LATENCY", "DOCTOR"); !strings.HasPrefix(r, "$288\r\nI'm sorry, Dave") {
		t.Fatalf("doctor: %q", r)
	}
	now := time.Now().Unix()
	s.Lock()
	s.latencyMon.add("command", 100, now-16)
	s.latencyMon.add("command", 200, now-16)
	s.latencyMon.add("command", 120, now-14)
	s.Unlock()
	ixExpect(t, c.Do("LATENCY", "LATEST"), "*1\r\n*4\r\n$7\r\ncommand\r\n:"+itoa(now-14)+"\r\n:120\r\n:200\r\n")
	ixExpect(t, c.Do("LATENCY", "HISTORY", "command"), "*2\r\n*2\r\n:"+itoa(now-16)+"\r\n:200\r\n*2\r\n:"+itoa(now-14)+"\r\n:120\r\n")
	graph := "command - high 200 ms, low 120 ms (all time high 200 ms)\n" + strings.Repeat("-", 80) +
		"\n# \n| \n| \n|_\n  \n11\n64\nss\n"
	ixExpect(t, c.Do("LATENCY", "GRAPH", "command"), "$"+itoa(int64(len(graph)))+"\r\n"+graph+"\r\n")
	r := c.Do("LATENCY", "DOCTOR")
	if !strings.Contains(r, "1. command: 2 latency spikes (average 160ms, mean deviation 40ms, period 8.00 sec). Worst all time event 200ms.\n") {
		t.Fatalf("doctor: %q", r)
	}
	ixExpect(t, c.Do("LATENCY", "RESET", "command", "nope"), ":1\r\n")
	ixExpect(t, c.Do("LATENCY", "LATEST"), "*0\r\n")
	// HISTOGRAM reports the per-command histograms.
	c.Do("SET", "a", "b")
	r = c.Do("LATENCY", "HISTOGRAM", "set", "nosuch")
	if !regexp.MustCompile(`^\*2\r\n\$3\r\nset\r\n\*4\r\n\$5\r\ncalls\r\n:1\r\n\$14\r\nhistogram_usec\r\n\*2\r\n:\d+\r\n:1\r\n$`).MatchString(r) {
		t.Fatalf("histogram: %q", r)
	}
}
