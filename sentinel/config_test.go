package sentinel

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// badConfigs all fail to load; each is checked against a real
// redis-sentinel when one is installed.
var badConfigs = []struct {
	file string
	args []string
	want string // the reason line
}{
	{"port 26999\nsentinel foo bar\n", nil, cfgErrUnrecognized},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 0\n", nil, cfgErrQuorum},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 abc\n", nil, cfgErrQuorum},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379\n", nil, cfgErrUnrecognized},
	{"port 26999\nsentinel monitor m 127.0.0.1 70000 1\n", nil, cfgErrPortNumber},
	{"port 26999\nsentinel monitor m localhost 6379 2\n", nil, cfgErrResolve},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 2\nsentinel monitor m 127.0.0.1 6379 2\n", nil, cfgErrDupMaster},
	// Per-master options may precede their monitor line; the myid error
	// on a later line is still reported first (globals pass).
	{"port 26999\nsentinel down-after-milliseconds m 1000\nsentinel monitor m 127.0.0.1 6379 2\nsentinel myid abc\n", nil, cfgErrMyID},
	{"port 26999\nsentinel down-after-milliseconds x 1000\n", nil, cfgErrNoMaster},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 2\nsentinel down-after-milliseconds m 0\n", nil, cfgErrZeroTime},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel failover-timeout m 0\n", nil, cfgErrZeroTime},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel known-replica m 127.0.0.1 6380\nsentinel known-slave m 127.0.0.1 6380\n", nil, cfgErrDupReplica},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel notification-script m /nonexist\n", nil, cfgErrNotifScript},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel client-reconfig-script m /nonexist\n", nil, cfgErrReconfScript},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel rename-command m a b\nsentinel rename-command m A c\n", nil, cfgErrRenameTwice},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel master-reboot-down-after-period m -1\n", nil, cfgErrNegativeTime},
	{"port 26999\nsentinel resolve-hostnames maybe\n", nil, cfgErrResolveYesNo},
	{"port 26999\nsentinel announce-hostnames maybe\n", nil, cfgErrAnnounceYesNo},
	{"port 26999\nsentinel deny-scripts-reconfig maybe\n", nil, cfgErrDenyScriptsYesNo},
	{"port 26999\nsentinel monitor m 127.0.0.1 6379 1\nsentinel auth-pass x p\n", nil, cfgErrNoMaster},
	// Ordinary lines come first whatever their position.
	{"sentinel foo\nfoo bar\n", nil, "Bad directive or wrong number of arguments"},
	{"port 26999\nbind 127.0.0.1\nport abc\n", nil, ""},
	// Options are lines after the file's (and an empty line).
	{"port 26999\n", []string{"--sentinel", "monitor", "m", "127.0.0.1", "6379", "0"}, cfgErrQuorum},
	{"port 26999\n\n", []string{"--port", "26998", "--sentinel", "monitor", "m", "127.0.0.1", "6379", "0"}, cfgErrQuorum},
	{"port 26999\n", []string{"--sentinel monitor m 127.0.0.1 6379 0"}, cfgErrQuorum},
}

func TestBadConfigsFailWithRedisReport(t *testing.T) {
	real, _ := exec.LookPath("redis-sentinel")
	for _, bc := range badConfigs {
		path := writeConf(t, bc.file)
		_, err := ParseConfig(append([]string{path}, bc.args...))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%q %v: got %v, want a config error", bc.file, bc.args, err)
			continue
		}
		ours := ce.Error() + "\n"
		if bc.want != "" && !strings.HasSuffix(ours, "\n"+bc.want+"\n") {
			t.Errorf("%q: reason\n%s\nwant %q", bc.file, ours, bc.want)
		}
		if real == "" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		cmd := exec.CommandContext(ctx, real, append([]string{path}, bc.args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		runErr := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Errorf("%q: the real sentinel accepted it", bc.file)
			continue
		}
		if runErr == nil || stderr.String() != ours {
			t.Errorf("%q %v:\nours %q\nreal %q", bc.file, bc.args, ours, stderr.String())
		}
	}
}

func TestConfigFileIsMandatory(t *testing.T) {
	for _, args := range [][]string{nil, {"--port", "26999"}} {
		_, err := ParseConfig(args)
		var se *StartupError
		if !errors.As(err, &se) || se.Msg != cfgErrNoFile {
			t.Fatalf("%v: %v", args, err)
		}
	}
	_, err := ParseConfig([]string{"/nonexistent/dir/s.conf"})
	if err == nil || err.Error() != "Fatal error, can't open config file '/nonexistent/dir/s.conf': No such file or directory" {
		t.Fatalf("missing file: %v", err)
	}
}

func TestParseConfigAppliesThreePassesAndOptions(t *testing.T) {
	dir := t.TempDir()
	path := writeConf(t, `# comment
port 26400
bind 127.0.0.1
dir `+dir+`
sentinel down-after-milliseconds mymaster 1000
SENTINEL MONITOR mymaster 127.0.0.1 6379 2
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 3
sentinel auth-pass mymaster s3cret
sentinel auth-user mymaster u
sentinel master-reboot-down-after-period mymaster 7
sentinel config-epoch mymaster 9
sentinel leader-epoch mymaster 8
sentinel known-replica mymaster 127.0.0.1 6380
sentinel known-slave mymaster 127.0.0.1 6381
sentinel known-sentinel mymaster 127.0.0.1 26401 0123456789012345678901234567890123456789
sentinel known-sentinel mymaster 127.0.0.1 26402
sentinel rename-command mymaster CONFIG GUESSME
sentinel current-epoch 3
sentinel myid 1111111111111111111111111111111111111111
sentinel announce-ip 10.0.0.1
sentinel announce-port 7000
sentinel resolve-hostnames yes
sentinel deny-scripts-reconfig no
requirepass pw
logfile s.log
`)
	c, err := ParseConfig([]string{path, "--sentinel", "monitor", "other", "127.0.0.2", "7000", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 26400 || len(c.Bind) != 1 || c.Bind[0] != "127.0.0.1" || c.Dir != dir || c.Path != path {
		t.Fatalf("process settings %+v", c)
	}
	if c.MyID != strings.Repeat("1", 40) || c.CurrentEpoch != 9 || c.RequirePass() != "pw" ||
		c.LogFile != filepath.Join(dir, "s.log") || c.AnnounceIP() != "10.0.0.1" || c.AnnouncePort() != 7000 ||
		!c.ResolveHostnames() || c.DenyScriptsReconfig() {
		t.Fatalf("globals %+v", c)
	}
	if len(c.Seed) != 2 || c.Seed[0].Name != "mymaster" || c.Seed[1].Name != "other" {
		t.Fatalf("seed %+v", c.Seed)
	}
	m := c.Seed[0]
	want := Master{Name: "mymaster", Addr: Addr{"127.0.0.1", 6379}, Quorum: 2, DownAfterMs: 1000, FailoverTimeoutMs: 5000,
		ParallelSyncs: 3, AuthPass: "s3cret", AuthUser: "u", MasterRebootDownAfterMs: 7, ConfigEpoch: 9, LeaderEpoch: 8}
	got := *m
	got.Replicas, got.RenameCommands = nil, nil
	if !equalMaster(got, want) {
		t.Fatalf("master\n%+v\nwant\n%+v", got, want)
	}
	if len(m.Replicas) != 2 || m.Replicas[1] != (Addr{"127.0.0.1", 6381}) || m.RenameCommands["config"] != "GUESSME" {
		t.Fatalf("replicas %v renames %v", m.Replicas, m.RenameCommands)
	}
	if ks := c.KnownSentinels["mymaster"]; len(ks) != 1 || ks[0].Port != 26401 {
		t.Fatalf("known sentinels %+v", ks)
	}
	o := c.Seed[1]
	if o.DownAfterMs != 30000 || o.FailoverTimeoutMs != 180000 || o.ParallelSyncs != 1 || o.Quorum != 1 {
		t.Fatalf("defaults %+v", o)
	}
}

func equalMaster(a, b Master) bool {
	return a.Name == b.Name && a.Addr == b.Addr && a.Quorum == b.Quorum && a.DownAfterMs == b.DownAfterMs &&
		a.FailoverTimeoutMs == b.FailoverTimeoutMs && a.ParallelSyncs == b.ParallelSyncs && a.AuthPass == b.AuthPass &&
		a.AuthUser == b.AuthUser && a.MasterRebootDownAfterMs == b.MasterRebootDownAfterMs &&
		a.ConfigEpoch == b.ConfigEpoch && a.LeaderEpoch == b.LeaderEpoch
}

func TestMissingMyIDIsGeneratedAndSavedAtOnce(t *testing.T) {
	path := writeConf(t, "port 26401\nsentinel monitor m 127.0.0.1 6379 2\n")
	c, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(c.MyID) || c.Port != 26401 {
		t.Fatalf("myid %q", c.MyID)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "port 26401\nsentinel monitor m 127.0.0.1 6379 2\n\n"+rewriteMarker+"\n") ||
		!strings.Contains(string(data), "\nsentinel myid "+c.MyID+"\n") {
		t.Fatalf("file:\n%s", data)
	}
	again, err := ParseConfig([]string{path})
	if err != nil || again.MyID != c.MyID {
		t.Fatalf("reload: %v %q", err, again.MyID)
	}
}

func TestSentinelDefaultsAndDaemonize(t *testing.T) {
	c, err := ParseConfig([]string{writeConf(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 26379 || c.LogLevel != "notice" || !c.DenyScriptsReconfig() || c.gen.Bool("protected-mode") {
		t.Fatalf("defaults %+v", c)
	}
	if _, err := ParseConfig([]string{writeConf(t, "daemonize yes\n")}); err == nil || !strings.Contains(err.Error(), cfgErrDaemonize) {
		t.Fatalf("daemonize yes: %v", err)
	}
	if _, err := ParseConfig([]string{writeConf(t, "port 65500\n")}); err == nil || !strings.Contains(err.Error(), cfgErrRaftPortDefault) {
		t.Fatalf("port 65500 without raft-addr: %v", err)
	}
	if _, err := ParseConfig([]string{writeConf(t, "port 60000\nraft-addr 127.0.0.1:5000\n")}); err != nil {
		t.Fatal(err)
	}
}

func TestRaftDirectivesFromFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	path := writeConf(t, "dir "+dir+"\nraft-id a\nraft-dir rd\n")
	c, err := ParseConfig([]string{path, "--raft-addr", "127.0.0.1:36379",
		"--raft-peers", "a=127.0.0.1:36379,b=127.0.0.1:36380", "c=127.0.0.1:36381", "--raft-join", "127.0.0.1:26380"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RaftID != "a" || c.RaftAddr != "127.0.0.1:36379" || c.RaftDir != filepath.Join(dir, "rd") ||
		c.RaftJoin != "127.0.0.1:26380" || len(c.RaftPeers) != 3 || c.RaftPeers["c"] != "127.0.0.1:36381" {
		t.Fatalf("%+v", c)
	}
	for _, bad := range []string{"raft-addr nohost\n", "raft-peers a=127.0.0.1\n", "raft-peers =127.0.0.1:1\n",
		"raft-id\n", "raft-join 127.0.0.1:0\n", "raft-whatever x\n"} {
		_, err := ParseConfig([]string{writeConf(t, "port 26999\n"+bad)})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Load.Line != 2 {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestGlobalsGetAndSet(t *testing.T) {
	c, err := ParseConfig([]string{writeConf(t, "")})
	if err != nil {
		t.Fatal(err)
	}
	all := c.GetGlobals("*")
	want := [][2]string{{"resolve-hostnames", "no"}, {"announce-hostnames", "no"}, {"announce-ip", ""},
		{"announce-port", "0"}, {"sentinel-user", ""}, {"sentinel-pass", ""}}
	if len(all) != len(want) {
		t.Fatalf("%v", all)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("%v", all)
		}
	}
	if g := c.GetGlobals("ANNOUNCE-*"); len(g) != 3 || g[0][0] != "announce-hostnames" {
		t.Fatalf("%v", g)
	}
	if g := c.GetGlobals("nothing"); len(g) != 0 {
		t.Fatalf("%v", g)
	}
	cases := []struct{ name, value, err string }{
		{"announce-port", "70000", "ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'"},
		{"announce-port", "+5", "ERR Invalid value '+5' to SENTINEL CONFIG SET 'announce-port'"},
		{"resolve-hostnames", "maybe", "ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'"},
		{"deny-scripts-reconfig", "no", "ERR Invalid argument 'deny-scripts-reconfig' to SENTINEL CONFIG SET"},
		{"foo", "bar", "ERR Invalid argument 'foo' to SENTINEL CONFIG SET"},
		{"ANNOUNCE-PORT", "6000", ""},
		{"announce-ip", "10.1.1.1", ""},
		{"sentinel-user", "u", ""},
		{"sentinel-pass", "p", ""},
		{"announce-hostnames", "YES", ""},
	}
	for _, tc := range cases {
		err := c.SetGlobal(tc.name, tc.value)
		if (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("set %s %s: %v, want %q", tc.name, tc.value, err, tc.err)
		}
	}
	if c.AnnouncePort() != 6000 || c.AnnounceIP() != "10.1.1.1" || c.SentinelUser() != "u" || c.SentinelPass() != "p" || !c.AnnounceHostnames() {
		t.Fatalf("%v", c.GetGlobals("*"))
	}
}
