package config

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadFailCases are redis-server argument lists that must fail while the
// configuration is parsed. "FILE" stands for a file written by the test.
var loadFailCases = []struct {
	file string // contents of FILE, if used
	args []string
}{
	{args: []string{"--port", "abc"}},
	{args: []string{"--maxmemory-policy", "foo"}},
	{args: []string{"--nosuch", "1"}},
	{args: []string{"--port", "1", "2"}},
	{args: []string{"--port 6380 foo"}},
	{args: []string{"--maxmemory", "1x"}},
	{args: []string{"--save", "10"}},
	{args: []string{"--save", "abc", "1"}},
	{args: []string{"--replicaof", "1.2.3.4"}},
	{args: []string{"--replicaof", "1.2.3.4 99999"}},
	{args: []string{"--list-max-ziplist-value", "5", "6"}},
	{args: []string{"--foo.bar"}},
	{args: []string{"--appendfilename", ""}},
	{args: []string{"--dbfilename", `a\b`}},
	{args: []string{"--activedefrag", "yes"}},
	{args: []string{"--oom-score-adj-values", "1 2"}},
	{args: []string{"--shutdown-on-sigint", ""}},
	{args: []string{"--unixsocketperm", "1000"}},
	{args: []string{"--masterauth", "a\"b\x01", "--hz", "x"}},
	{args: []string{"--bind", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"}},
	{args: []string{"--logfile", "/nonexistent-dir/x.log"}},
	{args: []string{"--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "1"}},
	{args: []string{"--port"}},
	{args: []string{"--port", "--hz", "5"}},
	{args: []string{"--save", "--hz", "x"}},
	{args: []string{"--port", "1", "--", "x"}},
	{file: "port 0\nfoo \"bar\n", args: []string{"FILE"}},
	{file: "port 0\nfoo \"bar\"x\n", args: []string{"FILE"}},
	{file: "  # c\n\n  \t port  abc  \r\n", args: []string{"FILE"}},
	{file: "sentinel x\n", args: []string{"FILE"}},
	{file: "rename-command a\n", args: []string{"FILE"}},
	{file: "port 0\nhz 5\n", args: []string{"FILE", "--hz", "x"}},
	{file: "port 0\nhz 5", args: []string{"FILE", "--hz", "x"}},
	{file: "x\x00y 1\n", args: []string{"FILE"}},
	{file: "port abc \x00 x\n", args: []string{"FILE"}},
	{file: "save 'a\\'b' 1\n", args: []string{"FILE"}},
	{file: "hz \"\\x41\"\n", args: []string{"FILE"}},
}

func redisBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not found on PATH: " + err.Error())
	}
	return bin
}

func TestLoadErrorsMatchRedis(t *testing.T) {
	bin := redisBinary(t)
	for _, tc := range loadFailCases {
		dir := t.TempDir()
		args := append([]string(nil), tc.args...)
		for i, a := range args {
			if a == "FILE" {
				args[i] = filepath.Join(dir, "r.conf")
				if err := os.WriteFile(args[i], []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		runErr := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if runErr == nil || timedOut {
			t.Errorf("%q: redis-server did not fail (%v)", tc.args, runErr)
			continue
		}
		c := New()
		c.SetChdir(false)
		err := c.LoadArgs(args)
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%q: got %v, want a LoadError; redis said %q", tc.args, err, stderr.String())
			continue
		}
		if got := le.Report(); got != stderr.String() {
			t.Errorf("%q:\n got %q\nwant %q", tc.args, got, stderr.String())
		}
	}
}

// loadOKCases start redis-server with these arguments and compare the
// listed directives.
var loadOKCases = []struct {
	file  string
	args  []string
	names []string
}{
	{args: []string{"--replicaof", "127.0.0.1 6379", "--save", "10 2 30 4", "--bind", "127.0.0.1 ::1"},
		names: []string{"replicaof", "save", "bind"}},
	{args: []string{"--replicaof", "127.0.0.1", "6379", "--save", "10", "2", "30", "4"}, names: []string{"slaveof", "save"}},
	{args: []string{"--save"}, names: []string{"save"}},
	{args: []string{"--save", "--loglevel", "verbose"}, names: []string{"save", "loglevel"}},
	{args: []string{"--save", "10", "2", "--save", "30", "4"}, names: []string{"save"}},
	{args: []string{"--save", "", "--save", "30", "4"}, names: []string{"save"}},
	{args: []string{"--save", "30 4", "--save", ""}, names: []string{"save"}},
	{args: []string{"--save", `"10`}, names: []string{"save"}},
	{args: []string{"--masterauth", "--foo"}, names: []string{"masterauth"}},
	{args: []string{"--masterauth 'a b'"}, names: []string{"masterauth"}},
	{args: []string{"--masterauth", "a\"b\\c\x01\n", "--maxmemory", "1KB"}, names: []string{"masterauth", "maxmemory"}},
	{args: []string{"--list-max-ziplist-entries", "5", "--lua-replicate-commands", "yes"}, names: []string{"hz"}},
	{args: []string{"--hz", "0", "--unixsocketperm", "0777"}, names: []string{"hz", "unixsocketperm"}},
	{args: []string{"--shutdown-on-sigterm", "now force", "--oom-score-adj", "relative"},
		names: []string{"shutdown-on-sigterm", "oom-score-adj"}},
	{args: []string{"--latency-tracking-info-percentiles", "", "--notify-keyspace-events", "KEA"},
		names: []string{"latency-tracking-info-percentiles", "notify-keyspace-events"}},
	{args: []string{"--client-output-buffer-limit", "replica 1mb 2mb 3", "--client-output-buffer-limit", "pubsub 1 2 3"},
		names: []string{"client-output-buffer-limit"}},
	{file: "save 1 1\ninclude INC\nsave 2 2\n", args: []string{"FILE"}, names: []string{"save"}},
	{file: "# x\n\"maxmemory\" '1mb'\nslave-read-only no\n", args: []string{"FILE", "--maxmemory", "2mb"},
		names: []string{"maxmemory", "replica-read-only"}},
}

func TestLoadMatchesRedis(t *testing.T) {
	bin := redisBinary(t)
	for _, tc := range loadOKCases {
		dir := t.TempDir()
		args := append([]string(nil), tc.args...)
		for i, a := range args {
			if a == "FILE" {
				args[i] = filepath.Join(dir, "r.conf")
				inc := filepath.Join(dir, "inc.conf")
				_ = os.WriteFile(inc, []byte("save 5 5\n"), 0o644)
				text := strings.ReplaceAll(tc.file, "INC", inc)
				if err := os.WriteFile(args[i], []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		sock := filepath.Join(dir, "s.sock")
		full := append(args, "--port", "0", "--unixsocket", sock, "--daemonize", "no")
		cmd := exec.Command(bin, full...)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var conn net.Conn
		for i := 0; i < 200; i++ {
			var err error
			if conn, err = net.Dial("unix", sock); err == nil {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if conn == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Errorf("%q: redis-server did not start", tc.args)
			continue
		}
		rc := &respConn{c: conn, r: bufio.NewReader(conn)}
		c := New()
		c.SetChdir(false)
		if err := c.LoadArgs(full); err != nil {
			t.Errorf("%q: %v", tc.args, err)
		}
		for _, n := range tc.names {
			want := rc.configGet(t, n)[n]
			if got := c.String(n); got != want {
				t.Errorf("%q: %s = %q, redis %q", tc.args, n, got, want)
			}
		}
		conn.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
