package testutil

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// moduleRoot finds the directory holding go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the module")
	}
	return filepath.Dir(gomod), nil
}

// Binary returns the path of the redoubt binary: $REDOUBT_BIN if set,
// otherwise one built once per test process.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("REDOUBT_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "redoubt-bin")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "redoubt")
		cmd := exec.Command("go", "build", "-o", buildPath, "./cmd/redoubt")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building redoubt: %v", buildErr)
	}
	return buildPath
}

// RequireBinary returns the path of an external program, skipping the
// test loudly when it is missing (and failing under CI, which must
// install it).
func RequireBinary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed, and CI must install it (apt-get install redis-server redis-tools)", name)
		}
		t.Skipf("SKIP: %s is not installed (apt-get install redis-server redis-tools redis-sentinel)", name)
	}
	return p
}

// Proc is a running server process.
type Proc struct {
	Port int
	Addr string
	Dir  string
	Cmd  *exec.Cmd
	out  *syncBuffer
}

// Output returns what the process printed so far.
func (p *Proc) Output() string { return p.out.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartRedoubt runs `redoubt server` on a free loopback port with saving
// disabled, plus extra directives, and waits until it answers PING.
func StartRedoubt(t testing.TB, extra ...string) *Proc {
	t.Helper()
	return start(t, Binary(t), []string{"server"}, extra)
}

// StartRedis runs the real redis-server the same way.
func StartRedis(t testing.TB, extra ...string) *Proc {
	t.Helper()
	return start(t, RequireBinary(t, "redis-server"), nil, extra)
}

func start(t testing.TB, bin string, pre []string, extra []string) *Proc {
	t.Helper()
	dir := t.TempDir()
	port := FreePort(t)
	args := append([]string{}, pre...)
	args = append(args, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir)
	args = append(args, extra...)
	p := &Proc{Port: port, Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, out: &syncBuffer{}}
	p.Cmd = exec.Command(bin, args...)
	p.Cmd.Dir = dir
	p.Cmd.Stdout = p.out
	p.Cmd.Stderr = p.out
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { p.Cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		p.Cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("%s exited early:\n%s", bin, p.out.String())
		default:
		}
		c, err := net.DialTimeout("tcp", p.Addr, 200*time.Millisecond)
		if err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			c.Write([]byte("PING\r\n"))
			buf := make([]byte, 64)
			n, _ := c.Read(buf)
			c.Close()
			if n > 0 && (bytes.HasPrefix(buf[:n], []byte("+PONG")) || bytes.HasPrefix(buf[:n], []byte("-NOAUTH"))) {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer on %s:\n%s", bin, p.Addr, p.out.String())
	return nil
}

// RDBFixtures is the folder of dump.rdb files written by real Redis 7.0.15
// (shared/fixtures/rdb beside the repository).
func RDBFixtures(t testing.TB) string {
	t.Helper()
	if root, err := moduleRoot(); err == nil {
		dir := filepath.Join(root, "..", "shared", "fixtures", "rdb")
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	t.Fatalf("shared/fixtures/rdb not found beside the repository")
	return ""
}
