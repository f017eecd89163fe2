package sentinel

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Differential tests: the same requests to a real redis-sentinel 7.0.15
// and to our front end must get the same bytes (or, where values are
// necessarily different, the same keys in the same order).

type realLab struct {
	master, replica *testutil.Proc
	sentinels       []string
}

// startRealLab runs a real master, a replica and n real sentinels that
// monitor it as "mymaster" (quorum 2), waiting until each sentinel knows
// the replica and the other sentinels.
func startRealLab(t *testing.T, n int) *realLab {
	t.Helper()
	lab := &realLab{master: testutil.StartRedis(t)}
	lab.replica = testutil.StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(lab.master.Port))
	for i := 0; i < n; i++ {
		lab.sentinels = append(lab.sentinels, startRealSentinel(t, lab.master.Port))
	}
	err := testutil.WaitFor(15*time.Second, func() error {
		for _, a := range lab.sentinels {
			reps, err := testutil.SentinelMaps(a, "REPLICAS", "mymaster")
			if err != nil || len(reps) != 1 {
				return errorString("replica not discovered yet")
			}
			sens, err := testutil.SentinelMaps(a, "SENTINELS", "mymaster")
			if err != nil || len(sens) != n-1 {
				return errorString("sentinels not discovered yet")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("real lab: %v", err)
	}
	return lab
}

// startRealSentinel runs a real redis-sentinel monitoring the master at
// masterPort as "mymaster" (quorum 2, down-after 1000), with extra config
// lines, and waits until it answers.
func startRealSentinel(t *testing.T, masterPort int, extra ...string) string {
	t.Helper()
	bin := testutil.RequireBinary(t, "redis-sentinel")
	dir := t.TempDir()
	port := testutil.FreePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	os.WriteFile(conf, []byte("port "+strconv.Itoa(port)+"\nbind 127.0.0.1\ndir "+dir+"\n"+
		"sentinel monitor mymaster 127.0.0.1 "+strconv.Itoa(masterPort)+" 2\n"+
		"sentinel down-after-milliseconds mymaster 1000\n"+strings.Join(extra, "\n")+"\n"), 0o644)
	cmd := exec.Command(bin, conf)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	err := testutil.WaitFor(10*time.Second, func() error {
		_, err := testutil.Query(addr, "PING")
		if err != nil && !strings.HasPrefix(err.Error(), "NOAUTH") {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("redis-sentinel on %s: %v", addr, err)
	}
	return addr
}

type errorString string

func (e errorString) Error() string { return string(e) }

// mirror gives our fixture the lab's topology: the same master and
// replica, and one peer sentinel.
func (fx *apiFixture) mirror(t *testing.T, lab *realLab) {
	t.Helper()
	fx.apply(t, Command{Op: OpMonitor, Name: "mymaster", IP: "127.0.0.1", Port: lab.master.Port, Quorum: 2})
	fx.apply(t, Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: lab.replica.Port})
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: fx.s.myID, IP: "127.0.0.1", Port: 1, RaftID: "self", RaftAddr: "127.0.0.1:2"}})
	fx.apply(t, Command{Op: OpMember, Member: &Member{ID: strings.Repeat("ab", 20), IP: "127.0.0.1", Port: 3, RaftID: "peer", RaftAddr: "127.0.0.1:4"}})
}

var helloID = regexp.MustCompile(`\$2\r\nid\r\n:\d+\r\n`)

// normalize blanks the values that differ between two processes.
func normalize(s string) string { return helloID.ReplaceAllString(s, "$$2\r\nid\r\n:N\r\n") }

func TestRepliesMatchRealSentinel(t *testing.T) {
	lab := startRealLab(t, 1)
	fx := startAPI(t)
	fx.mirror(t, lab)
	mp := strconv.Itoa(lab.master.Port)
	script := []string{
		"PING", "PING x", "PING a b", "HELLO", "HELLO 2", "HELLO 4", "HELLO x", "HELLO 2 foo",
		"HELLO 2 SETNAME", "HELLO 2 AUTH default", "HELLO 2 SETNAME a b",
		"COMMAND COUNT", "COMMAND INFO ping", "COMMAND INFO sentinel|myid foo", "COMMAND DOCS ping",
		"COMMAND DOCS foo sentinel|myid PING", "COMMAND HELP", "COMMAND FOO", "COMMAND COUNT x",
		"COMMAND GETKEYS ping a", "COMMAND GETKEYS sentinel foo", "COMMAND GETKEYS get a", "COMMAND LIST x",
		"COMMAND LIST FILTERBY MODULE x", "COMMAND GETKEYS ping",
		"ROLE", "GET foo", "QUIT", "SELECT 0", "ECHO x", "MULTI", "CONFIG GET x", "get a\nb",
		"CLIENT", "CLIENT SETINFO lib-name x", "CLIENT FOO", "client foo", "CLIENT HELP", "CLIENT GETNAME",
		"CLIENT SETNAME foo", "CLIENT GETNAME", "CLIENT SETNAME a\tb", "CLIENT KILL", "CLIENT KILL 1.2.3.4:5",
		"CLIENT KILL ID x", "CLIENT KILL ID 999", "CLIENT KILL TYPE foo", "CLIENT KILL TYPE normal SKIPME maybe",
		"CLIENT KILL foo bar", "CLIENT KILL USER nouser", "CLIENT KILL ADDR 1.2.3.4:5", "CLIENT KILL ID 1 TYPE",
		"CLIENT LIST TYPE foo", "CLIENT LIST ID x", "CLIENT LIST foo", "CLIENT PAUSE 10", "CLIENT PAUSE x",
		"CLIENT PAUSE 10 FOO", "CLIENT UNPAUSE", "CLIENT REPLY FOO", "CLIENT NO-EVICT x",
		"ACL WHOAMI", "ACL", "ACL FOO", "ACL HELP", "AUTH x", "AUTH a b", "AUTH a b c", "AUTH",
		"PUBLISH foo bar", "PUBLISH __sentinel__:hello x", "PUBLISH a",
		"UNSUBSCRIBE", "PUNSUBSCRIBE", "2|UNSUBSCRIBE a b", "SUBSCRIBE",
		"SENTINEL", "SENTINEL FOO", "sentinel foo", "sentinel masters x", "SENTINEL MASTER",
		"SENTINEL MASTER nope", "SENTINEL REPLICAS", "SENTINEL SLAVES nope", "SENTINEL SENTINELS nope",
		"SENTINEL GET-MASTER-ADDR-BY-NAME nope", "SENTINEL GET-MASTER-ADDR-BY-NAME mymaster",
		"SENTINEL CKQUORUM nope", "SENTINEL FAILOVER nope", "SENTINEL RESET", "SENTINEL RESET nomatch*",
		"SENTINEL MYID x", "SENTINEL PENDING-SCRIPTS", "SENTINEL FLUSHCONFIG x", "SENTINEL HELP", "SENTINEL HELP x",
		"SENTINEL SIMULATE-FAILURE", "SENTINEL SIMULATE-FAILURE HELP", "SENTINEL SIMULATE-FAILURE foo",
		"SENTINEL SIMULATE-FAILURE crash-after-election foo", "SENTINEL SIMULATE-FAILURE help foo",
		"SENTINEL SIMULATE-FAILURE", "SENTINEL DEBUG", "SENTINEL DEBUG info-period", "SENTINEL DEBUG info-period x",
		"SENTINEL DEBUG info-period 0", "SENTINEL DEBUG FOO 1", "SENTINEL DEBUG info-period 1.5",
		"SENTINEL DEBUG info-period 7777 foo 1", "SENTINEL DEBUG", "SENTINEL DEBUG info-period 10000",
		"SENTINEL MONITOR a b c", "SENTINEL MONITOR m x y z", "SENTINEL MONITOR m x 1 z", "SENTINEL MONITOR m x y 1",
		"SENTINEL MONITOR m x 1 0", "SENTINEL MONITOR m x 1 -1", "SENTINEL MONITOR m x 70000 1",
		"SENTINEL MONITOR m 127.0.0.1 70000 1", "SENTINEL MONITOR m 127.0.0.1 -1 1",
		"SENTINEL MONITOR mymaster 127.0.0.1 1 1", "SENTINEL MONITOR m localhost 1 1",
		"SENTINEL MONITOR m 127.0.0.1 01 1", "SENTINEL MONITOR m 127.0.0.1 +1 1",
		"SENTINEL MONITOR m 127.0.0.1 6381 99999999999999999999",
		"SENTINEL MONITOR m2 1.2.3 1 1", "SENTINEL GET-MASTER-ADDR-BY-NAME m2", "SENTINEL REMOVE m2",
		"SENTINEL MONITOR m3 0x7f.1 6379 1", "SENTINEL GET-MASTER-ADDR-BY-NAME m3", "SENTINEL REMOVE m3",
		"SENTINEL MONITOR m4 ::ffff:127.0.0.1 6379 1", "SENTINEL GET-MASTER-ADDR-BY-NAME m4", "SENTINEL REMOVE m4",
		"SENTINEL REMOVE m4", "SENTINEL REMOVE",
		"SENTINEL SET m", "SENTINEL SET m a", "SENTINEL SET nope a b", "SENTINEL SET mymaster quorum",
		"SENTINEL SET mymaster quorum 0", "SENTINEL SET mymaster quorum x", "SENTINEL SET mymaster fakeoption 1",
		"SENTINEL SET mymaster down-after-milliseconds -20", "SENTINEL SET mymaster down-after-milliseconds abc",
		"SENTINEL SET mymaster quorum 3 parallel-syncs 0", "SENTINEL SET mymaster quorum 2 parallel-syncs",
		"SENTINEL SET mymaster rename-command a", "SENTINEL SET mymaster rename-command a a",
		"SENTINEL SET mymaster notification-script /bin/true", "SENTINEL SET mymaster auth-pass x",
		"SENTINEL SET mymaster auth-pass", "SENTINEL SET mymaster master-reboot-down-after-period -1",
		"SENTINEL SET mymaster QUORUM 2", "SENTINEL SET mymaster failover-timeout 0",
		"SENTINEL SET mymaster quorum 2 quorum",
		"SENTINEL CONFIG", "SENTINEL CONFIG GET", "SENTINEL CONFIG GET *", "SENTINEL CONFIG GET announce*",
		"SENTINEL CONFIG GET nomatch", "SENTINEL CONFIG GET a b", "SENTINEL CONFIG SET", "SENTINEL CONFIG SET foo",
		"SENTINEL CONFIG SET foo bar", "SENTINEL CONFIG SET resolve-hostnames maybe",
		"SENTINEL CONFIG SET announce-port 70000", "SENTINEL CONFIG SET announce-port x",
		"SENTINEL CONFIG SET announce-port -1", "SENTINEL CONFIG SET a b c d", "SENTINEL CONFIG FOO a",
		"SENTINEL CONFIG GET RESOLVE-HOSTNAMES", "SENTINEL CONFIG SET sentinel-user u", "SENTINEL CONFIG GET sentinel-*",
		"SENTINEL CONFIG SET sentinel-user", "SENTINEL CONFIG GET sentinel-user",
		"SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 " + mp + " 0 *", "SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 x 0 *",
		"SENTINEL IS-MASTER-DOWN-BY-ADDR 127.0.0.1 1 x *", "SENTINEL IS-MASTER-DOWN-BY-ADDR 1.1.1.1 1 0 *",
		"SENTINEL IS-MASTER-DOWN-BY-ADDR 1.1.1.1 1 0", "SENTINEL INFO-CACHE", "SENTINEL INFO-CACHE nope",
		"INFO replication", "INFO nothing",
	}
	real := testutil.Dial(t, lab.sentinels[0])
	ours := testutil.Dial(t, fx.addr)
	compare := func(script []string) { t.Helper(); compareReplies(t, real, ours, script) }
	compare(script)
	// RESP2 subscribed mode, then RESP3.
	compare([]string{"3|SUBSCRIBE a b a", "PING", "PING x", "SENTINEL MYID", "ROLE", "INFO", "HELLO 3",
		"PSUBSCRIBE p*", "UNSUBSCRIBE a", "UNSUBSCRIBE b", "PUNSUBSCRIBE", "PUNSUBSCRIBE", "SENTINEL FOO",
		"SENTINEL MASTER", "GET x", "PING"})
	compare([]string{"HELLO 3", "SUBSCRIBE x", "PING", "PING y", "2|UNSUBSCRIBE x z", "UNSUBSCRIBE",
		"PSUBSCRIBE a", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SENTINEL DEBUG", "SENTINEL CONFIG GET *",
		"SENTINEL GET-MASTER-ADDR-BY-NAME nope", "SENTINEL GET-MASTER-ADDR-BY-NAME mymaster",
		"COMMAND INFO ping foo", "COMMAND DOCS ping", "CLIENT GETNAME", "HELLO 2"})
	// CLIENT INFO / LIST: the same fields in the same order.
	fieldNames := func(line string) []string {
		var names []string
		_, body, _ := strings.Cut(line, "\r\n")
		for _, f := range strings.Fields(body) {
			k, _, _ := strings.Cut(f, "=")
			names = append(names, k)
		}
		return names
	}
	for _, sub := range []string{"INFO", "LIST"} {
		want, got := fieldNames(real.Do("CLIENT", sub)), fieldNames(ours.Do("CLIENT", sub))
		if !slices.Equal(got, want) {
			t.Errorf("CLIENT %s fields:\n got %v\nwant %v", sub, got, want)
		}
	}
	if got := ours.Do("SENTINEL", "MYID"); !regexp.MustCompile(`^\$40\r\n[0-9a-f]{40}\r\n$`).MatchString(got) {
		t.Errorf("MYID: %q", got)
	}
}

// compareReplies sends each line of script (space-separated arguments;
// an "N|" prefix when it gets N replies) to both connections and reports
// every difference.
func compareReplies(t *testing.T, real, ours *testutil.Conn, script []string) {
	t.Helper()
	for _, line := range script {
		n := 1
		if k, rest, ok := strings.Cut(line, "|"); ok && len(k) == 1 {
			n, _ = strconv.Atoi(k)
			line = rest
		}
		args := strings.Split(line, " ")
		if line == "SENTINEL SET mymaster auth-pass" || line == "SENTINEL CONFIG SET sentinel-user" {
			args = append(args, "")
		}
		want, got := normalize(real.Do(args...)), normalize(ours.Do(args...))
		for i := 1; i < n; i++ {
			w, _ := real.ReadReply(2 * time.Second)
			g, _ := ours.ReadReply(2 * time.Second)
			want, got = want+w, got+g
		}
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", line, got, want)
		}
	}
}

func TestAuthRepliesMatchRealSentinel(t *testing.T) {
	master := testutil.StartRedis(t)
	realAddr := startRealSentinel(t, master.Port, "requirepass sekret")
	real := testutil.Dial(t, realAddr)
	fx := startAPI(t, "requirepass sekret")
	ours := testutil.Dial(t, fx.addr)
	compareReplies(t, real, ours, []string{"PING", "SENTINEL MYID", "GET x", "PING a b", "HELLO", "HELLO 3",
		"HELLO 2", "HELLO 3 AUTH default wrong", "HELLO 3 AUTH x", "HELLO 3 SETNAME", "HELLO 3 FOO", "HELLO 4",
		"HELLO x", "CLIENT ID", "QUIT", "AUTH", "AUTH wrong", "AUTH default wrong", "AUTH a b c", "SUBSCRIBE x",
		"SHUTDOWN", "COMMAND COUNT", "SENTINEL FOO", "SENTINEL MASTER", "CLIENT SETINFO a b", "AUTH sekret",
		"ACL WHOAMI", "AUTH default sekret", "HELLO 2 AUTH default sekret SETNAME nm", "CLIENT GETNAME",
		"HELLO 3 AUTH default sekret", "PING", "HELLO 2", "ACL GETUSER default", "ACL LIST", "ACL CAT",
		"ACL CAT foo", "ACL GETUSER nobody", "ACL DRYRUN nobody ping", "ACL DRYRUN default get",
		"ACL DRYRUN default ping", "ACL USERS", "ACL WHOAMI"})
	// Before authentication, more than 10 arguments is a protocol error.
	fresh := func(addr string) string {
		c := testutil.Dial(t, addr)
		c.Send(testutil.Encode("PING", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"))
		r, _ := c.ReadReply(2 * time.Second)
		return r
	}
	if want, got := fresh(realAddr), fresh(fx.addr); got != want {
		t.Errorf("unauthenticated multibulk: got %q want %q", got, want)
	}
}

// rawMaps queries addr and returns each map of the reply as its ordered
// key list.
func rawMaps(t *testing.T, addr string, single bool, args ...string) [][]string {
	t.Helper()
	v, err := testutil.Query(addr, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	list, _ := v.([]any)
	if single {
		list = []any{v}
	}
	var out [][]string
	for _, m := range list {
		flat, _ := m.([]any)
		var keys []string
		for i := 0; i+1 < len(flat); i += 2 {
			keys = append(keys, flat[i].(string))
		}
		out = append(out, keys)
	}
	return out
}

func TestInstanceMapKeyOrderMatchesRealSentinel(t *testing.T) {
	lab := startRealLab(t, 2)
	fx := startAPI(t)
	fx.mirror(t, lab)
	for _, q := range []struct {
		single bool
		args   []string
	}{
		{true, []string{"SENTINEL", "MASTER", "mymaster"}},
		{false, []string{"SENTINEL", "MASTERS"}},
		{false, []string{"SENTINEL", "REPLICAS", "mymaster"}},
		{false, []string{"SENTINEL", "SLAVES", "mymaster"}},
		{false, []string{"SENTINEL", "SENTINELS", "mymaster"}},
	} {
		want := rawMaps(t, lab.sentinels[0], q.single, q.args...)
		got := rawMaps(t, fx.addr, q.single, q.args...)
		if len(want) != 1 || !slices.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Errorf("%v keys:\n got %v\nwant %v", q.args, got, want)
		}
	}
	// CONFIG GET and DEBUG byte for byte, INFO field names in order.
	for _, args := range [][]string{{"SENTINEL", "CONFIG", "GET", "*"}, {"SENTINEL", "DEBUG"}, {"COMMAND", "COUNT"}} {
		want := testutil.Dial(t, lab.sentinels[0]).Do(args...)
		if got := testutil.Dial(t, fx.addr).Do(args...); got != want {
			t.Errorf("%v: got %q want %q", args, got, want)
		}
	}
	for _, sect := range []string{"", "all", "everything", "default", "server", "clients", "stats", "cpu", "sentinel", "cpu sentinel"} {
		want := infoKeys(t, lab.sentinels[0], sect)
		got := infoKeys(t, fx.addr, sect)
		if sect == "all" || sect == "everything" {
			got = slices.DeleteFunc(got, func(k string) bool { return strings.HasPrefix(k, "raft") || k == "# Raft" })
		}
		if !slices.Equal(got, want) {
			t.Errorf("INFO %s fields:\n got %v\nwant %v", sect, got, want)
		}
	}
}

// infoKeys returns INFO's section titles and field names in order.
func infoKeys(t *testing.T, addr, section string) []string {
	t.Helper()
	args := []string{"INFO"}
	if section != "" {
		args = append(args, strings.Fields(section)...)
	}
	v, err := testutil.Query(addr, args...)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, l := range strings.Split(v.(string), "\r\n") {
		if k, _, ok := strings.Cut(l, ":"); ok {
			keys = append(keys, k)
		} else if l != "" {
			keys = append(keys, l)
		}
	}
	return keys
}

func TestCommandListMatchesRealSentinel(t *testing.T) {
	lab := startRealLab(t, 1)
	fx := startAPI(t)
	for _, args := range [][]string{{"COMMAND", "LIST"}, {"COMMAND", "LIST", "FILTERBY", "PATTERN", "s*"},
		{"COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin"}} {
		want := sortedStrings(t, lab.sentinels[0], args...)
		got := sortedStrings(t, fx.addr, args...)
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%v:\n got %v\nwant %v", args, got, want)
		}
	}
	// Each COMMAND INFO entry is byte-identical, in both protocols
	// (containers list their subcommands in hash order, so only theirs
	// are compared one by one).
	for _, name := range sortedStrings(t, lab.sentinels[0], "COMMAND", "LIST") {
		if cmdByName[name] != nil && len(cmdByName[name].subs) > 0 {
			continue
		}
		for _, hello := range []string{"2", "3"} {
			r, o := testutil.Dial(t, lab.sentinels[0]), testutil.Dial(t, fx.addr)
			r.Do("HELLO", hello)
			o.Do("HELLO", hello)
			for _, sub := range []string{"INFO", "DOCS"} {
				if want, got := r.Do("COMMAND", sub, name), o.Do("COMMAND", sub, name); got != want {
					t.Errorf("RESP%s COMMAND %s %s:\n got %q\nwant %q", hello, sub, name, got, want)
				}
			}
			r.Close()
			o.Close()
		}
	}
}

func sortedStrings(t *testing.T, addr string, args ...string) []string {
	t.Helper()
	v, err := testutil.Query(addr, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	slices.Sort(out)
	return out
}
