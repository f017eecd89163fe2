package config

import (
	"errors"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

func newTestConfig(t *testing.T) *Config {
	t.Helper()
	c := New()
	c.SetChdir(false)
	return c
}

// implementedList is the set of directives Redoubt acts upon.
var implementedList = []string{
	"port", "bind", "unixsocket", "unixsocketperm", "databases", "requirepass", "maxclients",
	"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "loglevel",
	"logfile", "dir", "dbfilename", "save", "rdbcompression", "rdbchecksum",
	"stop-writes-on-bgsave-error", "proto-max-bulk-len", "client-query-buffer-limit",
	"client-output-buffer-limit", "timeout", "tcp-keepalive", "hz", "slowlog-log-slower-than",
	"slowlog-max-len", "replicaof", "masterauth", "masteruser", "replica-read-only",
	"replica-serve-stale-data", "replica-priority", "replica-announce-ip", "replica-announce-port",
	"repl-backlog-size", "repl-backlog-ttl", "repl-disable-tcp-nodelay", "repl-diskless-load",
	"repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas",
	"repl-ping-replica-period", "repl-timeout", "min-replicas-to-write", "min-replicas-max-lag",
	"lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
	"lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "list-max-listpack-size",
	"list-compress-depth", "hash-max-listpack-entries", "hash-max-listpack-value",
	"set-max-intset-entries", "zset-max-listpack-entries", "zset-max-listpack-value",
	"stream-node-max-bytes", "stream-node-max-entries", "active-expire-effort",
	"notify-keyspace-events", "protected-mode", "tcp-backlog", "daemonize", "pidfile",
	"lfu-log-factor", "lfu-decay-time", "latency-tracking", "busy-reply-threshold",
	"always-show-logo", "set-proc-title", "crash-log-enabled", "include",
}

func TestTableInvariants(t *testing.T) {
	ds := Directives()
	if !sort.SliceIsSorted(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name }) {
		t.Error("Directives() is not sorted")
	}
	var impl []string
	for _, d := range ds {
		if d.Doc == "" {
			t.Errorf("%s: no Doc", d.Name)
		}
		if d.Name != asciiLower(d.Name) {
			t.Errorf("%s: name is not lower case", d.Name)
		}
		for _, n := range d.names() {
			if Lookup(n) != d || Lookup(strings.ToUpper(n)) != d {
				t.Errorf("Lookup(%q) does not find %s", n, d.Name)
			}
		}
		if d.Kind == Enum && len(d.Enum) == 0 {
			t.Errorf("%s: enum without values", d.Name)
		}
		if d.Implemented {
			impl = append(impl, d.Name)
		}
	}
	want := append([]string(nil), implementedList...)
	sort.Strings(want)
	if !reflect.DeepEqual(impl, want) {
		t.Errorf("implemented directives:\n got %q\nwant %q", impl, want)
	}
	if Lookup("nosuch") != nil || Lookup("sentinel") != nil {
		t.Error("unexpected directive found")
	}
	// Redis 7.0.15's CONFIG GET * returns 192 names (aliases included).
	if n := len(newTestConfig(t).Get("*")); n != 192 {
		t.Errorf("CONFIG GET * returns %d names, want 192", n)
	}
}

func TestDefaults(t *testing.T) {
	c := newTestConfig(t)
	want := map[string]string{
		"save":                                  "3600 1 300 100 60 10000",
		"client-output-buffer-limit":            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"bind":                                  "* -::*",
		"maxmemory":                             "0",
		"maxmemory-policy":                      "noeviction",
		"proto-max-bulk-len":                    "536870912",
		"oom-score-adj-values":                  "0 200 800",
		"latency-tracking-info-percentiles":     "50 99 99.9",
		"unixsocketperm":                        "0",
		"replicaof":                             "",
		"slaveof":                               "",
		"list-max-ziplist-size":                 "-2",
		"shutdown-on-sigint":                    "default",
		"port":                                  "6379",
		"hz":                                    "10",
		"appendonly":                            "no",
		"proc-title-template":                   "{title} {listen-addr} {server-mode}",
		"loading-process-events-interval-bytes": "2097152",
	}
	for name, v := range want {
		if got := c.String(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if c.Int("port") != 6379 || c.Int("maxmemory") != 0 || !c.Bool("rdbcompression") || c.Bool("appendonly") {
		t.Error("typed getters disagree with defaults")
	}
	if got := c.Raw("save"); !reflect.DeepEqual(got, []string{"3600 1", "300 100", "60 10000"}) {
		t.Errorf("Raw(save) = %q", got)
	}
	if got := c.Raw("bind"); !reflect.DeepEqual(got, []string{"*", "-::*"}) {
		t.Errorf("Raw(bind) = %q", got)
	}
	if c.Path() != "" {
		t.Error("Path() should be empty without a file")
	}
}

func TestGet(t *testing.T) {
	c := newTestConfig(t)
	tests := []struct {
		pattern string
		want    []string // names, in order
	}{
		{"slaveof", []string{"slaveof"}},
		{"PORT", []string{"PORT"}},
		{"Slaveof", []string{"Slaveof"}},
		{"slaveof*", []string{"slaveof"}},
		{"replicaof", []string{"replicaof"}},
		{"h?", []string{"hz"}},
		{"hz?", nil},
		{`max\memory`, nil},
		{"nosuch", nil},
		{"include", nil},
		{"sav[e", []string{"save"}},
		{"maxmemory-polic[x-z]", []string{"maxmemory-policy"}},
		{"watchdog-period", []string{"watchdog-period"}},
		{"watchdog-perio?", nil},
		{"*lazy-flush", []string{"replica-lazy-flush", "slave-lazy-flush"}},
		{"*ziplist*", []string{"hash-max-ziplist-entries", "hash-max-ziplist-value", "list-max-ziplist-size",
			"zset-max-ziplist-entries", "zset-max-ziplist-value"}},
		{"P*", []string{"pidfile", "port", "proc-title-template", "propagation-error-behavior",
			"protected-mode", "proto-max-bulk-len"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range c.Get(tt.pattern) {
			got = append(got, p[0])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Get(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
	got := c.GetMulti("port", "p*", "hz")
	if len(got) != 7 || got[0][0] != "port" || got[0][1] != "6379" || got[6][0] != "hz" {
		t.Errorf("GetMulti = %q", got)
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		pairs [][2]string
		want  string
	}{
		{[][2]string{{"foo", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"include", "x"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'include'"},
		{[][2]string{{"hz", "1"}, {"Nosuch", "2"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'Nosuch'"},
		{[][2]string{{"Daemonize", "yes"}, {"nosuch", "1"}},
			"ERR CONFIG SET failed (possibly related to argument 'Daemonize') - can't set immutable config"},
		{[][2]string{{"dir", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"hz", "1"}, {"HZ", "2"}}, "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"},
		{[][2]string{{"MAXMEMORY", "1x"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"port", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"},
		{[][2]string{{"port", "65536"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"},
		{[][2]string{{"maxclients", "-1"}}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
		{[][2]string{{"slave-priority", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"},
		{[][2]string{{"appendonly", "1"}}, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"},
		{[][2]string{{"loglevel", "loud"}}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[][2]string{{"maxmemory-clients", "101%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[][2]string{{"maxmemory-clients", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"proto-max-bulk-len", "1000"}}, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"},
		{[][2]string{{"save", "10"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"client-output-buffer-limit", "master 1 2 3"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."},
		{[][2]string{{"notify-keyspace-events", "q"}}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[][2]string{{"replicaof", "no one"}}, "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"},
		{[][2]string{{"shutdown-on-sigterm", "save nosave"}}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - shutdown options SAVE and NOSAVE can't be used simultaneously"},
		{[][2]string{{"activedefrag", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"},
	}
	for _, tt := range tests {
		c := newTestConfig(t)
		err := c.Set(tt.pairs)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Set(%q) = %v\n want %s", tt.pairs, err, tt.want)
		}
	}
}

func TestSetValues(t *testing.T) {
	c := newTestConfig(t)
	steps := []struct{ name, value, get string }{
		{"maxmemory", "1gb", "1073741824"},
		{"maxmemory", "1GB", "1073741824"},
		{"maxmemory", "1k", "1000"},
		{"maxmemory", "18446744073709551615", "18446744073709551615"},
		{"maxmemory-clients", "5%", "5%"},
		{"maxmemory-clients", "0%", "0"},
		{"hz", "0", "1"},
		{"hz", "1000", "500"},
		{"oom-score-adj", "relative", "yes"},
		{"shutdown-on-sigint", "force now", "now force"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"notify-keyspace-events", "Kx", "xK"},
		{"save", "10  2 3", "10 0 2 3"},
		{"save", "", ""},
		{"client-output-buffer-limit", "replica 1kb 2k 3", "normal 0 0 0 slave 1024 2000 3 pubsub 33554432 8388608 60"},
		{"latency-tracking-info-percentiles", "1e1 99.99", "10 99.99"},
		{"lua-time-limit", "100", "100"},
		{"slave-read-only", "NO", "no"},
		{"masterauth", "p w", "p w"},
	}
	for _, s := range steps {
		if err := c.Set([][2]string{{s.name, s.value}}); err != nil {
			t.Errorf("Set(%s, %q): %v", s.name, s.value, err)
			continue
		}
		if got := c.String(s.name); got != s.get {
			t.Errorf("after Set(%s, %q): %q, want %q", s.name, s.value, got, s.get)
		}
	}
	if c.String("busy-reply-threshold") != "100" || c.Bool("replica-read-only") {
		t.Error("aliases do not share the value")
	}
	if c.Int("maxmemory-clients") != 0 {
		t.Error("maxmemory-clients should be 0")
	}
	_ = c.Set([][2]string{{"maxmemory", "18446744073709551615"}})
	if c.Int("maxmemory") != math.MaxInt64 || c.Uint("maxmemory") != math.MaxUint64 {
		t.Errorf("unsigned getters: %d %d", c.Int("maxmemory"), c.Uint("maxmemory"))
	}
	if !reflect.DeepEqual(c.SaveParams(), []SaveParam(nil)) {
		t.Errorf("SaveParams = %v", c.SaveParams())
	}
}

func TestSetIsAtomic(t *testing.T) {
	c := newTestConfig(t)
	err := c.Set([][2]string{{"hz", "20"}, {"maxmemory", "5mb"}, {"timeout", "bad"}})
	if err == nil {
		t.Fatal("expected an error")
	}
	if c.String("hz") != "10" || c.String("maxmemory") != "0" {
		t.Error("a failed CONFIG SET changed values")
	}
	// Later pairs see earlier ones; the last one wins for an alias pair.
	if err := c.Set([][2]string{{"lua-time-limit", "1"}, {"busy-reply-threshold", "2"}}); err != nil {
		t.Fatal(err)
	}
	if c.Int("lua-time-limit") != 2 {
		t.Errorf("busy-reply-threshold = %d", c.Int("lua-time-limit"))
	}
}

func TestProtectedConfigs(t *testing.T) {
	c := newTestConfig(t)
	if err := c.LoadText("enable-protected-configs local", "t"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := c.SetAs([][2]string{{"dir", dir}}, false); err == nil {
		t.Error("remote client changed a protected config")
	}
	if err := c.SetAs([][2]string{{"dir", dir}}, true); err != nil {
		t.Errorf("local client: %v", err)
	}
	if c.String("dir") != dir {
		t.Errorf("dir = %q, want %q", c.String("dir"), dir)
	}
	err := c.SetAs([][2]string{{"dir", dir + "/missing"}}, true)
	want := "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestCallbacks(t *testing.T) {
	c := newTestConfig(t)
	var changes []string
	c.OnChange("maxmemory", func(c *Config) { changes = append(changes, c.String("maxmemory")) })
	c.OnChange("slave-read-only", func(c *Config) { changes = append(changes, "ro="+c.String("replica-read-only")) })
	if err := c.LoadText("maxmemory 1mb", "t"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set([][2]string{{"maxmemory", "1mb"}}); err != nil { // unchanged: no callback
		t.Fatal(err)
	}
	if err := c.Set([][2]string{{"replica-read-only", "no"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"1048576", "ro=yes", "ro=no"}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("callbacks ran %q, want %q", changes, want)
	}

	applied := 0
	c.OnApply("port", func(c *Config) error {
		applied++
		if c.Int("port") == 1 {
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		return nil
	})
	err := c.Set([][2]string{{"hz", "50"}, {"port", "1"}})
	wantErr := "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
	if err == nil || err.Error() != wantErr {
		t.Errorf("got %v", err)
	}
	if c.Int("port") != 6379 || c.Int("hz") != 10 || applied != 2 {
		t.Errorf("not rolled back: port=%d hz=%d applied=%d", c.Int("port"), c.Int("hz"), applied)
	}
	if err := c.Set([][2]string{{"port", "7000"}}); err != nil || c.Int("port") != 7000 {
		t.Errorf("port change: %v", err)
	}
}

func TestSetInternal(t *testing.T) {
	c := newTestConfig(t)
	if err := c.SetInternal("replicaof", "10.0.0.1 6380"); err != nil {
		t.Fatal(err)
	}
	if host, port, ok := c.ReplicaOf(); !ok || host != "10.0.0.1" || port != 6380 {
		t.Errorf("ReplicaOf = %q %d %v", host, port, ok)
	}
	if c.String("slaveof") != "10.0.0.1 6380" {
		t.Errorf("slaveof = %q", c.String("slaveof"))
	}
	if err := c.SetInternal("replicaof", "no one"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := c.ReplicaOf(); ok {
		t.Error("still a replica")
	}
	if err := c.SetInternal("replicaof", "h 70000"); err == nil || err.Error() != "Invalid master port" {
		t.Errorf("got %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newTestConfig(t)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Set([][2]string{{"maxmemory", "1mb"}, {"hz", "20"}})
				_ = c.Set([][2]string{{"maxmemory", "2mb"}, {"hz", "30"}})
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Get("*")
				_ = c.Int("maxmemory")
				_ = c.String("hz")
			}
		}()
	}
	wg.Wait()
}
