package server

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// bulkBody returns the payload of a bulk or verbatim reply.
func bulkBody(t *testing.T, raw string) string {
	t.Helper()
	i := strings.Index(raw, "\r\n")
	if i < 0 || (raw[0] != '$' && raw[0] != '=') {
		t.Fatalf("not a bulk reply: %q", raw)
	}
	n, _ := strconv.Atoi(raw[1:i])
	body := raw[i+2 : i+2+n]
	if raw[0] == '=' {
		body = body[4:]
	}
	return body
}

// infoFields parses INFO text into a map.
func infoFields(text string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(text, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && !strings.HasPrefix(l, "#") {
			m[k] = v
		}
	}
	return m
}

func infoOf(t *testing.T, c *testutil.Conn, sections ...string) map[string]string {
	t.Helper()
	return infoFields(bulkBody(t, c.Do(append([]string{"INFO"}, sections...)...)))
}

func sectionTitles(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\r\n") {
		if strings.HasPrefix(l, "# ") {
			out = append(out, l[2:])
		}
	}
	return out
}

func TestInfoSectionSelection(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	def := "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"
	all := "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"
	cases := []struct {
		args []string
		want string
	}{
		{nil, def},
		{[]string{"default"}, def},
		{[]string{"DEFAULT", "commandstats"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Cluster Keyspace"},
		{[]string{"all"}, all},
		{[]string{"everything"}, all},
		{[]string{"everything", "all", "server"}, all},
		{[]string{"clients", "SERVER"}, "Server Clients"},
		{[]string{"keyspace", "nosuch", "cpu"}, "CPU Keyspace"},
		{[]string{"nosuch"}, ""},
	}
	for _, tc := range cases {
		got := strings.Join(sectionTitles(bulkBody(t, c.Do(append([]string{"INFO"}, tc.args...)...))), " ")
		if got != tc.want {
			t.Errorf("INFO %v sections = %q, want %q", tc.args, got, tc.want)
		}
	}
	if r := c.Do("INFO", "nosuch"); r != "$0\r\n\r\n" {
		t.Fatalf("INFO nosuch = %q", r)
	}
	if r := c.Do("INFO", "cluster"); r != "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Fatalf("INFO cluster = %q", r)
	}
	// Sections are separated by one empty line; the text ends with CRLF.
	if r := c.Do("INFO", "modules", "cluster"); r != "$43\r\n# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Fatalf("INFO modules cluster = %q", r)
	}
	c.Do("HELLO", "3")
	if r := c.Do("INFO", "cluster"); r != "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n" {
		t.Fatalf("RESP3 INFO cluster = %q", r)
	}
	if r := c.Do("INFO", "nosuch"); r != "=4\r\ntxt:\r\n" {
		t.Fatalf("RESP3 INFO nosuch = %q", r)
	}
}

// The field names and their order are those of Redis 7.0.15 (dynamic
// lines aside), checked against the real server when it is installed.
func TestInfoFieldsMatchRedis(t *testing.T) {
	real := testutil.StartRedis(t)
	_, addr := startInProcess(t)
	names := func(c *testutil.Conn) []string {
		c.Do("SET", "a", "1")
		c.Do("GET", "a")
		c.Do("NOSUCH")
		var out []string
		for _, l := range strings.Split(bulkBody(t, c.Do("INFO", "everything")), "\r\n") {
			k, _, _ := strings.Cut(l, ":")
			if regexp.MustCompile(`^(cmdstat_|errorstat_|latency_percentiles_|db\d)`).MatchString(k) {
				continue
			}
			out = append(out, k)
		}
		return out
	}
	want := names(testutil.Dial(t, real.Addr))
	got := names(testutil.Dial(t, addr))
	if strings.Join(got, ",") != strings.Join(want, ",") {
		for i := 0; i < len(want) || i < len(got); i++ {
			var w, g string
			if i < len(want) {
				w = want[i]
			}
			if i < len(got) {
				g = got[i]
			}
			if w != g {
				t.Fatalf("field %d: redis %q, redoubt %q", i, w, g)
			}
		}
	}
}

func TestInfoValues(t *testing.T) {
	s, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	c.Do("SET", "a", "1")
	c.Do("SET", "b", "2", "EX", "1000")
	c.Do("SELECT", "3")
	c.Do("SET", "c", "3")
	c.Do("SELECT", "0")
	m := infoOf(t, c)
	checks := map[string]string{
		"redis_version": Version, "redis_mode": "standalone", "role": "master", "connected_slaves": "0",
		"tcp_port": strconv.Itoa(int(s.cfg.Int("port"))), "run_id": s.runID, "connected_clients": "1",
		"maxmemory_policy": "noeviction", "aof_enabled": "0", "rdb_changes_since_last_save": "3",
		"cluster_enabled": "0", "mem_allocator": "libc", "maxclients": "10000", "blocked_clients": "0",
		"master_replid2": strings.Repeat("0", 40), "second_repl_offset": "-1", "hz": "10",
	}
	for k, want := range checks {
		if m[k] != want {
			t.Errorf("%s = %q, want %q", k, m[k], want)
		}
	}
	if !regexp.MustCompile(`^keys=2,expires=1,avg_ttl=\d+$`).MatchString(m["db0"]) || m["db3"] != "keys=1,expires=0,avg_ttl=0" {
		t.Errorf("keyspace lines db0=%q db3=%q", m["db0"], m["db3"])
	}
	if len(m["master_replid"]) != 40 || m["master_replid"] == s.runID {
		t.Errorf("master_replid %q", m["master_replid"])
	}
	if n, _ := strconv.ParseInt(m["used_memory"], 10, 64); n <= 0 {
		t.Errorf("used_memory %q", m["used_memory"])
	}
	if ts, _ := strconv.ParseInt(m["server_time_usec"], 10, 64); time.Since(time.UnixMicro(ts)).Abs() > time.Minute {
		t.Errorf("server_time_usec %q", m["server_time_usec"])
	}
	// A save (by the persistence layer) moves LASTSAVE and resets the
	// change count.
	at := time.Now().Add(time.Hour)
	s.Lock()
	s.markSaved(at)
	s.Unlock()
	c.Do("SET", "d", "4")
	if m := infoOf(t, c, "persistence"); m["rdb_changes_since_last_save"] != "1" || m["rdb_last_save_time"] != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("after a save: %v", m)
	}
	expectReply(t, c, ":"+strconv.FormatInt(at.Unix(), 10)+"\r\n", "LASTSAVE")
	// A second client and a blocked one show up.
	c2 := testutil.Dial(t, addr)
	c2.Send(testutil.Encode("BLPOP", "nolist", "0"))
	deadline := time.Now().Add(2 * time.Second)
	for infoOf(t, c)["blocked_clients"] != "1" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	m = infoOf(t, c, "clients")
	if m["connected_clients"] != "2" || m["blocked_clients"] != "1" || m["clients_in_timeout_table"] != "0" {
		t.Errorf("clients section %v", m)
	}
}

// Command, error and keyspace statistics follow Redis's accounting,
// checked here on the sequence whose outcome was taken from Redis 7.0.15:
// an error inside EXEC fails the command but not EXEC, EXECABORT fails
// EXEC, arity errors are rejections, and unknown commands count only as
// errors.
func TestInfoCommandAndErrorStats(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	c.Do("CONFIG", "RESETSTAT")
	for _, cmd := range [][]string{
		{"SET", "s", "x"}, {"MULTI"}, {"INCR", "s"}, {"GET", "s"}, {"EXEC"},
		{"MULTI"}, {"NOSUCH"}, {"EXEC"}, {"GET"}, {"AUTH", "x"}, {"CONFIG", "nosuch"},
		{"GET", "nokey"}, {"EXISTS", "s", "nokey", "s"}, {"MGET", "s", "nokey"},
	} {
		c.Do(cmd...)
	}
	cs := infoOf(t, c, "commandstats")
	re := regexp.MustCompile(`^calls=(\d+),usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=(\d+),failed_calls=(\d+)$`)
	want := map[string]string{
		"cmdstat_set": "1 0 0", "cmdstat_multi": "2 0 0", "cmdstat_incr": "1 0 1", "cmdstat_exec": "2 0 1",
		"cmdstat_get": "2 1 0", "cmdstat_auth": "1 0 1", "cmdstat_config|resetstat": "1 0 0",
		"cmdstat_exists": "1 0 0", "cmdstat_mget": "1 0 0",
	}
	for k, w := range want {
		sm := re.FindStringSubmatch(cs[k])
		if sm == nil || strings.Join(sm[1:], " ") != w {
			t.Errorf("%s = %q, want calls/rejected/failed %s", k, cs[k], w)
		}
	}
	if r := bulkBody(t, c.Do("INFO", "errorstats")); r != "# Errorstats\r\nerrorstat_ERR:count=5\r\nerrorstat_EXECABORT:count=1\r\n" {
		t.Errorf("errorstats %q", r)
	}
	st := infoOf(t, c, "stats")
	// Hits: GET s (in EXEC), EXISTS s twice, MGET s; misses: GET nokey,
	// EXISTS nokey, MGET nokey.
	if st["total_error_replies"] != "6" || st["keyspace_hits"] != "4" || st["keyspace_misses"] != "3" {
		t.Errorf("stats errors=%s hits=%s misses=%s", st["total_error_replies"], st["keyspace_hits"], st["keyspace_misses"])
	}
	if st["total_commands_processed"] != "14" {
		t.Errorf("total_commands_processed = %s", st["total_commands_processed"])
	}
	if n, _ := strconv.Atoi(st["total_net_input_bytes"]); n < 100 {
		t.Errorf("total_net_input_bytes = %s", st["total_net_input_bytes"])
	}
	lat := infoOf(t, c, "latencystats")
	if !regexp.MustCompile(`^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`).MatchString(lat["latency_percentiles_usec_set"]) {
		t.Errorf("latencystats %v", lat)
	}
	// RESETSTAT starts everything again.
	c.Do("CONFIG", "RESETSTAT")
	st = infoOf(t, c, "stats")
	if st["total_error_replies"] != "0" || st["keyspace_hits"] != "0" || st["total_commands_processed"] != "1" {
		t.Errorf("after RESETSTAT: %v", st)
	}
	if r := bulkBody(t, c.Do("INFO", "errorstats")); r != "# Errorstats\r\n" {
		t.Errorf("errorstats after reset %q", r)
	}
	cs = infoOf(t, c, "commandstats")
	if len(cs) != 2 || cs["cmdstat_info"] == "" || cs["cmdstat_config|resetstat"] == "" {
		t.Errorf("commandstats after reset %v", cs)
	}
}

func TestInfoExpiredAndInstantaneous(t *testing.T) {
	_, addr := startInProcess(t, "--hz", "100")
	c := testutil.Dial(t, addr)
	c.Do("SET", "gone", "1", "PX", "5")
	time.Sleep(50 * time.Millisecond)
	c.Do("GET", "gone")
	if m := infoOf(t, c, "stats"); m["expired_keys"] != "1" {
		t.Errorf("expired_keys = %q", m["expired_keys"])
	}
	for i := 0; i < 200; i++ {
		c.Do("PING")
	}
	time.Sleep(250 * time.Millisecond)
	if m := infoOf(t, c, "stats"); m["instantaneous_ops_per_sec"] == "0" {
		t.Errorf("instantaneous_ops_per_sec stayed 0: %v", m)
	}
}

func TestHDRBuckets(t *testing.T) {
	var h latencyHist
	h.record(4000)
	if got := h.percentile(50); got != 4015 {
		t.Fatalf("4000ns reported as %d, want 4015 (Redis prints 4.015)", got)
	}
	h = latencyHist{}
	for i := int64(1); i <= 100; i++ {
		h.record(i * 1000)
	}
	if p50, p99 := h.percentile(50), h.percentile(99); p50 < 49000 || p50 > 51000 || p99 < 98000 || p99 > 100500 {
		t.Fatalf("p50=%d p99=%d", p50, p99)
	}
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.00K", 1011200: "987.50K",
		6684672: "6.38M", 25276063744: "23.54G", 1 << 40: "1.00T"} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
}
