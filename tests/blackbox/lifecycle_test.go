package blackbox

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Scripts and test frameworks written for Redis read these lines.
func TestStartupLinesAndCleanSIGTERM(t *testing.T) {
	p := testutil.StartRedoubt(t)
	out := p.Output()
	for _, want := range []string{"Redis version=7.0.15", " PID: " + strconv.Itoa(p.Cmd.Process.Pid), "Server initialized", "Ready to accept connections"} {
		if !strings.Contains(out, want) {
			t.Errorf("startup output lacks %q:\n%s", want, out)
		}
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(p.Output(), "ready to exit") {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.Output(), "Redis is now ready to exit, bye bye...") {
		t.Fatalf("no clean shutdown:\n%s", p.Output())
	}
}

// Invoked through a link named redis-server, the binary is the server;
// with a unixsocket directive it also serves on that socket.
func TestRedisServerLinkAndUnixSocket(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "redis-server")
	if err := os.Symlink(testutil.Binary(t), link); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(link, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "Redis server v=7.0.15") {
		t.Fatalf("redis-server --version: %q %v", out, err)
	}
	sock := filepath.Join(dir, "r.sock")
	port := testutil.FreePort(t)
	cmd := exec.Command(link, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--unixsocket", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	cli := testutil.RequireBinary(t, "redis-cli")
	var got []byte
	for i := 0; i < 100; i++ {
		got, _ = exec.Command(cli, "-s", sock, "ping").Output()
		if strings.TrimSpace(string(got)) == "PONG" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.TrimSpace(string(got)) != "PONG" {
		t.Fatalf("PING over the unix socket: %q", got)
	}
}

// With logfile set, logs are JSON lines.
func TestLogfileIsJSONLines(t *testing.T) {
	dir := t.TempDir()
	logf := filepath.Join(dir, "redoubt.log")
	testutil.StartRedoubt(t, "--logfile", logf, "--loglevel", "verbose")
	b, err := os.ReadFile(logf)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	found := false
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if m["msg"] == "Ready to accept connections" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no ready line in %q", lines)
	}
}

// Bad configuration is refused with Redis's fatal-error block.
func TestBadDirectiveRefused(t *testing.T) {
	out, err := exec.Command(testutil.Binary(t), "server", "--port", "0", "--no-such-directive", "1").CombinedOutput()
	if err == nil {
		t.Fatal("started with an unknown directive")
	}
	if !strings.Contains(string(out), "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***") || !strings.Contains(string(out), "Bad directive or wrong number of arguments") {
		t.Fatalf("output %q", out)
	}
}

// --help lists the directives with their defaults.
func TestServerHelpListsDirectives(t *testing.T) {
	out, err := exec.Command(testutil.Binary(t), "server", "--help").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--maxmemory-policy", "[noeviction]", "--save", "--replicaof"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
