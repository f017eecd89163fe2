package config

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const rewriteCompatFile = `# top comment
include INC
rename-command flushall ""
list-max-ziplist-entries 5
slave-read-only no
maxmemory 1mb
maxmemory 2mb


hz 10
bind * -::*
client-output-buffer-limit pubsub 32mb 8mb 60
   # indented comment
save 900 1
save 300 10
"appendfsync" everysec
lua-time-limit 100
hash-max-ziplist-entries 100
min-slaves-to-write 0
masteruser ""
logfile ""
unixsocketperm 700
`

// TestRewriteMatchesRedis applies the same CONFIG SETs to redis-server and
// to a Config loaded from the same file, rewrites both files and compares
// them. Lines appended after the signature are compared as a set because
// Redis appends them in hash-table order.
func TestRewriteMatchesRedis(t *testing.T) {
	bin := redisBinary(t)
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	if err := os.WriteFile(inc, []byte("loglevel notice\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(rewriteCompatFile, "INC", inc)
	theirsPath := filepath.Join(dir, "theirs.conf")
	oursPath := filepath.Join(dir, "ours.conf")
	for _, p := range []string{theirsPath, oursPath} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "s.sock")
	extra := []string{"--port", "0", "--unixsocket", sock, "--daemonize", "no"}
	cmd := exec.Command(bin, append([]string{theirsPath}, extra...)...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var conn net.Conn
	for i := 0; i < 200 && conn == nil; i++ {
		conn, _ = net.Dial("unix", sock)
		time.Sleep(25 * time.Millisecond)
	}
	if conn == nil {
		t.Fatal("redis-server did not start")
	}
	defer conn.Close()
	rc := &respConn{c: conn, r: bufio.NewReader(conn)}

	c := New()
	c.SetChdir(false)
	if err := c.LoadArgs(append([]string{oursPath}, extra...)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetInternal("dir", dir); err != nil {
		t.Fatal(err)
	}
	c.SetRewriteLines("user", func() []string { return []string{"user default on nopass ~* &* +@all"} })

	sets := [][2]string{
		{"maxmemory", "3gb"}, {"notify-keyspace-events", "KA"}, {"masterauth", "a b\"c\n"},
		{"loglevel", "verbose"}, {"client-output-buffer-limit", "normal 1mb 2000 3"},
		{"oom-score-adj-values", "1 2 3"}, {"maxmemory-clients", "5%"},
		{"latency-tracking-info-percentiles", "1.5 100"}, {"shutdown-on-sigint", "now save"},
		{"oom-score-adj", "relative"}, {"hz", "0"}, {"replica-read-only", "yes"},
		{"busy-reply-threshold", "300"}, {"hash-max-listpack-entries", "7"},
		{"repl-backlog-size", "1536kb"}, {"proto-max-bulk-len", "2000000"},
		{"replica-announce-ip", "10.0.0.1"}, {"masteruser", ""},
	}
	for _, s := range sets {
		if r := rc.do(t, "CONFIG", "SET", s[0], s[1]); r != "OK" {
			t.Fatalf("redis CONFIG SET %v: %v", s, r)
		}
		if err := c.Set([][2]string{s}); err != nil {
			t.Fatalf("CONFIG SET %v: %v", s, err)
		}
	}
	// Rewrite twice: the second pass starts from a file that already has
	// the signature and Redis's client-output-buffer-limit quirk.
	for round := 1; round <= 2; round++ {
		if r := rc.do(t, "CONFIG", "REWRITE"); r != "OK" {
			t.Fatalf("redis CONFIG REWRITE: %v", r)
		}
		if err := c.Rewrite(); err != nil {
			t.Fatal(err)
		}
		theirs, _ := os.ReadFile(theirsPath)
		ours, _ := os.ReadFile(oursPath)
		tHead, tTail := splitAtSignature(string(theirs))
		oHead, oTail := splitAtSignature(string(ours))
		if tHead != oHead {
			t.Errorf("round %d: file differs before the signature:\n--- ours\n%s\n--- redis\n%s", round, oHead, tHead)
		}
		if strings.Join(tTail, "\n") != strings.Join(oTail, "\n") {
			t.Errorf("round %d: appended lines differ:\n--- ours\n%s\n--- redis\n%s",
				round, strings.Join(oTail, "\n"), strings.Join(tTail, "\n"))
		}
	}
}

func splitAtSignature(s string) (string, []string) {
	i := strings.Index(s, rewriteSignature)
	if i < 0 {
		return s, nil
	}
	tail := strings.Split(strings.TrimSpace(s[i+len(rewriteSignature):]), "\n")
	sort.Strings(tail)
	return s[:i], tail
}
