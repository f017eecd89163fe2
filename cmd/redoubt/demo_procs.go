package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"redoubt/internal/resp"
)

// prefixWriter writes whole lines from several processes to one output,
// each prefixed with its process name.
type prefixWriter struct {
	mu  sync.Mutex
	out io.Writer
}

func (w *prefixWriter) line(name, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(w.out, "[%s] %s\n", name, text)
}

func (w *prefixWriter) raw(text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	io.WriteString(w.out, text)
}

// demoProc is one child process.
type demoProc struct {
	name   string
	cmd    *exec.Cmd
	done   chan struct{} // closed once it exited and its output is drained
	copied sync.WaitGroup
}

// startDemoProc runs exe with args in its own process group (so a
// terminal's Ctrl-C reaches only the demo, which then stops every child
// itself) and copies its output, line by line, prefixed with name.
func startDemoProc(exe, name string, args []string, w *prefixWriter) (*demoProc, error) {
	p := &demoProc{name: name, cmd: exec.Command(exe, args...), done: make(chan struct{})}
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	for _, r := range []io.Reader{stdout, stderr} {
		p.copied.Add(1)
		go func() {
			defer p.copied.Done()
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 64*1024), 1<<20)
			for sc.Scan() {
				w.line(name, sc.Text())
			}
		}()
	}
	go func() {
		p.copied.Wait()
		err := p.cmd.Wait()
		if err != nil {
			w.line(name, "exited: "+err.Error())
		}
		close(p.done)
	}()
	return p, nil
}

// stopAll sends SIGTERM to every child still running, waits for them,
// and kills those still there after a grace period.
func stopAll(procs []*demoProc, w *prefixWriter) {
	for _, p := range procs {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(15 * time.Second)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline:
			w.line("demo", p.name+" did not stop: killing it")
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// waitDemoReady waits until every data node and sentinel answers PING
// and every sentinel names the demo master at its configured address.
func waitDemoReady(ctx context.Context, l demoLayout) error {
	ctx, cancel := context.WithTimeout(ctx, demoReadyTimeout)
	defer cancel()
	want := []string{"127.0.0.1", strconv.Itoa(l.dataPorts[0])}
	for {
		err := demoCheck(ctx, l, want)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func demoCheck(ctx context.Context, l demoLayout, want []string) error {
	for _, p := range append(l.dataPorts[:], l.sentPorts[:]...) {
		if _, err := demoQuery(ctx, p, "PING"); err != nil {
			return err
		}
	}
	for _, p := range l.sentPorts {
		v, err := demoQuery(ctx, p, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", demoMaster)
		if err != nil {
			return err
		}
		if len(v.Array) != 2 || v.Array[0].Str != want[0] || v.Array[1].Str != want[1] {
			return fmt.Errorf("sentinel on port %d does not name %s at %s:%s yet", p, demoMaster, want[0], want[1])
		}
	}
	return nil
}

// demoQuery sends one command to 127.0.0.1:port and returns the reply
// (an error reply as an error).
func demoQuery(ctx context.Context, port int, args ...string) (resp.Value, error) {
	c, err := resp.Dial(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return resp.Value{}, err
	}
	defer c.Close()
	v, err := c.Do(args...)
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		return v, fmt.Errorf("port %d: %v", port, err)
	}
	return v, nil
}
