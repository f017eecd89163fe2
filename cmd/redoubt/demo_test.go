package main

import (
	"bufio"
	"context"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// freeDemoBase finds a base port whose nine demo ports are all free.
func freeDemoBase(t *testing.T) int {
	for range 100 {
		// Below Linux's ephemeral range (from 32768) even for the Raft
		// ports (P+20102), where outgoing connections hold ports.
		base := 2000 + rand.IntN(10000)
		l, _ := newDemoLayout(t.TempDir(), base)
		if portsFree(l.ports()) == nil {
			return base
		}
	}
	t.Fatal("no free port range for the demo")
	return 0
}

func TestDemoStartsSixProcessesAndStopsThemOnSIGINT(t *testing.T) {
	bin := testutil.Binary(t)
	base := freeDemoBase(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "demo", "--dir", dir, "--base-port", strconv.Itoa(base))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	ready := make(chan bool, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if !sent && strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
				ready <- true
				sent = true
			}
		}
		if !sent {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("demo ended before it was ready")
		}
	case <-time.After(90 * time.Second):
		t.Fatal("demo not ready after 90s")
	}
	l, _ := newDemoLayout(dir, base)
	ctx := context.Background()
	for _, p := range append(l.dataPorts[:], l.sentPorts[:]...) {
		v, err := demoQuery(ctx, p, "PING")
		if err != nil || v.Str != "PONG" {
			t.Fatalf("port %d: %v %+v", p, err, v)
		}
	}
	v, err := demoQuery(ctx, l.sentPorts[2], "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster")
	if err != nil || len(v.Array) != 2 || v.Array[1].Str != strconv.Itoa(base) {
		t.Fatalf("master address: %v %+v", err, v)
	}
	v, err = demoQuery(ctx, l.dataPorts[1], "ROLE")
	if err != nil || len(v.Array) == 0 || v.Array[0].Str != "slave" {
		t.Fatalf("replica role: %v %+v", err, v)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not exit after SIGINT")
	}
	for _, p := range l.ports() {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still answers after the demo exited", p)
		}
	}
}

func TestDemoRefusesBusyPortsAndBadBase(t *testing.T) {
	if _, err := newDemoLayout("", 45434); err == nil {
		t.Fatal("base 45434 accepted (its Raft ports do not exist)")
	}
	port := freeDemoBase(t)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+20001)))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var sb strings.Builder
	if code := runDemo(context.Background(), t.TempDir(), port, &sb); code != 1 || !strings.Contains(sb.String(), "is not free") {
		t.Fatalf("busy master port: code %d, output %q", code, sb.String())
	}
}

func TestServerWithSentinelFlagRunsASentinel(t *testing.T) {
	cases := []struct{ in, out []string }{
		{[]string{"server", "s.conf", "--sentinel"}, []string{"sentinel", "s.conf", "--sentinel"}},
		{[]string{"server", "--port", "1"}, []string{"server", "--port", "1"}},
		{[]string{"sentinel", "s.conf"}, []string{"sentinel", "s.conf"}},
	}
	for _, c := range cases {
		if got := sentinelMode(c.in); strings.Join(got, " ") != strings.Join(c.out, " ") {
			t.Errorf("%v -> %v, want %v", c.in, got, c.out)
		}
	}
}
