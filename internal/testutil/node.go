package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// TB is what the cluster harness needs from its caller. testing.TB has
// all of it; the failover benchmark program supplies its own.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// PickPort returns a TCP port that was free on 127.0.0.1 a moment ago.
func PickPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// BuildBinary returns $REDOUBT_BIN or builds cmd/redoubt once per process
// (the same build Binary uses).
func BuildBinary() (string, error) {
	if p := os.Getenv("REDOUBT_BIN"); p != "" {
		return p, nil
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
	return buildPath, buildErr
}

// Node is one restartable server process (data node or sentinel) with a
// fixed port, working directory and command line, so that a restart
// comes back as the same instance.
type Node struct {
	Name string // for logs: "data0", "sentinel2", ...
	Port int
	Addr string
	Dir  string
	Bin  string
	Args []string
	// Ready is the reply prefix that means "up" to a PING (default +PONG).
	Ready string

	t      TB
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	out    syncBuffer
}

// NewNode prepares (does not start) a process; it is killed at cleanup.
func NewNode(t TB, name string, port int, dir, bin string, args ...string) *Node {
	n := &Node{Name: name, Port: port, Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, Bin: bin, Args: args, t: t}
	t.Cleanup(n.kill)
	return n
}

// Output returns everything the process printed across all its runs.
func (n *Node) Output() string { return n.out.String() }

// Tail returns the last max bytes of Output.
func (n *Node) Tail(max int) string {
	s := n.Output()
	if len(s) > max {
		s = "..." + s[len(s)-max:]
	}
	return s
}

// Start runs the process and waits (up to 10 s) until it answers PING.
func (n *Node) Start() {
	n.t.Helper()
	if err := n.StartErr(); err != nil {
		n.t.Fatalf("%v", err)
	}
}

// StartErr is Start returning the failure instead of failing the test.
func (n *Node) StartErr() error {
	n.mu.Lock()
	if n.cmd != nil {
		n.mu.Unlock()
		return fmt.Errorf("%s: already running", n.Name)
	}
	fmt.Fprintf(&n.out, "===== %s start %s %s\n", time.Now().Format("15:04:05.000"), n.Bin, strings.Join(n.Args, " "))
	cmd := exec.Command(n.Bin, n.Args...)
	cmd.Dir = n.Dir
	cmd.Stdout = &n.out
	cmd.Stderr = &n.out
	if err := cmd.Start(); err != nil {
		n.mu.Unlock()
		return fmt.Errorf("%s: start %s: %v", n.Name, n.Bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()

	ready := n.Ready
	if ready == "" {
		ready = "PONG"
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			n.mu.Lock()
			n.cmd = nil
			n.mu.Unlock()
			return fmt.Errorf("%s exited early:\n%s", n.Name, n.Tail(4000))
		default:
		}
		if v, err := Query(n.Addr, "PING"); err == nil || v != nil {
			if s := fmt.Sprint(v); strings.HasPrefix(s, ready) || strings.HasPrefix(s, "NOAUTH") {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer PING on %s:\n%s", n.Name, n.Addr, n.Tail(4000))
}

// Running reports whether the process is alive (possibly stopped).
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

// Kill sends SIGKILL and waits for the process to be gone.
func (n *Node) Kill() {
	fmt.Fprintf(&n.out, "===== %s SIGKILL\n", time.Now().Format("15:04:05.000"))
	n.kill()
}

func (n *Node) kill() {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// Stop sends SIGSTOP; Cont sends SIGCONT.
func (n *Node) Stop() { n.signal(syscall.SIGSTOP) }

// Cont resumes a stopped process.
func (n *Node) Cont() { n.signal(syscall.SIGCONT) }

func (n *Node) signal(sig syscall.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(&n.out, "===== %s %v\n", time.Now().Format("15:04:05.000"), sig)
	if n.cmd != nil {
		n.cmd.Process.Signal(sig)
	}
}

// Restart kills the process (if running) and starts it again with the
// same port, directory and command line.
func (n *Node) Restart() {
	n.t.Helper()
	n.kill()
	n.Start()
}

// WaitFor polls cond every 50 ms until it returns nil or timeout passes,
// and returns the last error (nil on success).
func WaitFor(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writeFile writes lines to dir/name and returns the path.
func writeFile(dir, name string, lines []string) (string, error) {
	p := filepath.Join(dir, name)
	return p, os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
