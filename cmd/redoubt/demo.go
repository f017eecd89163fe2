package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// demoCmd is `redoubt demo [--dir D] [--base-port P]`: a master, two
// replicas and three sentinels of this same binary on 127.0.0.1.
type demoCmd struct {
	Dir      string `help:"Directory for the nodes' configs, data and Raft state (default: a new temporary directory). Reusing one restarts the same group."`
	BasePort int    `name:"base-port" default:"6379" help:"Master port. Replicas use P+1 and P+2, sentinels P+20000..P+20002, their Raft transport P+20100..P+20102."`
}

// demoMaster is the name the demo's sentinels monitor.
const demoMaster = "mymaster"

// demoReadyTimeout bounds the wait for every process to answer.
const demoReadyTimeout = 60 * time.Second

func (c *demoCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(runDemo(ctx, c.Dir, c.BasePort, os.Stdout))
	return nil
}

// demoLayout is where everything of one demo lives.
type demoLayout struct {
	dir       string
	dataPorts [3]int // master, replica 1, replica 2
	sentPorts [3]int
}

func newDemoLayout(dir string, base int) (demoLayout, error) {
	l := demoLayout{dir: dir}
	for i := range 3 {
		l.dataPorts[i] = base + i
		l.sentPorts[i] = base + 20000 + i
	}
	if base < 1 || l.raftPort(2) > 65535 {
		return l, fmt.Errorf("--base-port %d: the ports P..P+2, P+20000..P+20002 and P+20100..P+20102 must all exist (P <= 45433)", base)
	}
	return l, nil
}

// raftPort is sentinel i's Raft transport port: its port + 100, the
// sentinel default, kept below Linux's ephemeral range (32768-60999)
// where outgoing connections often hold a port.
func (l demoLayout) raftPort(i int) int { return l.sentPorts[i] + 100 }

// ports are every port the demo listens on.
func (l demoLayout) ports() []int {
	var ps []int
	for i := range 3 {
		ps = append(ps, l.dataPorts[i], l.sentPorts[i], l.raftPort(i))
	}
	return ps
}

// writeConfigs creates each node's directory and config file. Existing
// files are kept: a demo restarted on the same directory resumes (the
// sentinels' Raft state and rewritten configs included).
func (l demoLayout) writeConfigs() error {
	for i, port := range l.dataPorts {
		d := filepath.Join(l.dir, "node-"+strconv.Itoa(port))
		// A full sync (a replica's first, the old master rejoining after
		// a failover) starts at once instead of after Redis's 5 s wait for
		// more replicas, so it ends well within failover-timeout 5000.
		lines := []string{"port " + strconv.Itoa(port), "bind 127.0.0.1", "dir " + strconv.Quote(d),
			"repl-diskless-sync-delay 0"}
		if i > 0 {
			lines = append(lines, "replicaof 127.0.0.1 "+strconv.Itoa(l.dataPorts[0]))
		}
		if err := writeIfAbsent(d, "redis.conf", lines); err != nil {
			return err
		}
	}
	var peers []string
	for i := range 3 {
		peers = append(peers, fmt.Sprintf("sentinel-%d=127.0.0.1:%d", i+1, l.raftPort(i)))
	}
	for i, port := range l.sentPorts {
		d := filepath.Join(l.dir, "sentinel-"+strconv.Itoa(port))
		lines := []string{
			"port " + strconv.Itoa(port),
			"bind 127.0.0.1",
			"dir " + strconv.Quote(d),
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", demoMaster, l.dataPorts[0]),
			"sentinel down-after-milliseconds " + demoMaster + " 1000",
			"sentinel failover-timeout " + demoMaster + " 5000",
			fmt.Sprintf("raft-id sentinel-%d", i+1),
			fmt.Sprintf("raft-addr 127.0.0.1:%d", l.raftPort(i)),
			"raft-peers " + strings.Join(peers, ","),
		}
		if err := writeIfAbsent(d, "sentinel.conf", lines); err != nil {
			return err
		}
	}
	return nil
}

func writeIfAbsent(dir, name string, lines []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// children are the demo's processes: name, then arguments for this
// binary.
func (l demoLayout) children() [][]string {
	var out [][]string
	names := []string{"master", "replica-1", "replica-2"}
	for i, port := range l.dataPorts {
		out = append(out, []string{names[i], "server", filepath.Join(l.dir, "node-"+strconv.Itoa(port), "redis.conf")})
	}
	for i, port := range l.sentPorts {
		out = append(out, []string{fmt.Sprintf("sentinel-%d", i+1), "sentinel", filepath.Join(l.dir, "sentinel-"+strconv.Itoa(port), "sentinel.conf")})
	}
	return out
}

// runDemo starts the six processes, waits until they answer and the
// sentinels agree on the master, prints how to connect, and on ctx's end
// (Ctrl-C, SIGTERM) stops them all and waits for them. It returns the
// exit code.
func runDemo(ctx context.Context, dir string, base int, out io.Writer) int {
	w := &prefixWriter{out: out}
	l, err := newDemoLayout(dir, base)
	if err != nil {
		w.line("demo", err.Error())
		return 1
	}
	if l.dir == "" {
		if l.dir, err = os.MkdirTemp("", "redoubt-demo-"); err != nil {
			w.line("demo", err.Error())
			return 1
		}
	}
	if l.dir, err = filepath.Abs(l.dir); err == nil {
		err = errors.Join(portsFree(l.ports()), l.writeConfigs())
	}
	if err != nil {
		w.line("demo", err.Error())
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		w.line("demo", err.Error())
		return 1
	}
	var procs []*demoProc
	for _, c := range l.children() {
		p, err := startDemoProc(exe, c[0], c[1:], w)
		if err != nil {
			w.line("demo", "starting "+c[0]+": "+err.Error())
			stopAll(procs, w)
			return 1
		}
		procs = append(procs, p)
	}
	code := 0
	if err := waitDemoReady(ctx, l); err != nil {
		w.line("demo", "not ready: "+err.Error())
		code = 1
	} else {
		w.raw(demoBanner(l))
		<-ctx.Done()
	}
	stopAll(procs, w)
	return code
}

// portsFree checks that nothing listens on the demo's ports yet.
func portsFree(ports []int) error {
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return fmt.Errorf("port %d is not free (choose another --base-port): %v", p, err)
		}
		ln.Close()
	}
	return nil
}

func demoBanner(l demoLayout) string {
	m, s := l.dataPorts, l.sentPorts
	return fmt.Sprintf(`
Redoubt demo is running (configs, data and Raft state under %s;
process output above and below, prefixed with the process name).

  master      redis-cli -p %d
  replicas    redis-cli -p %d    redis-cli -p %d
  sentinels   redis-cli -p %d sentinel get-master-addr-by-name %s
              (also on ports %d and %d)

  Try a failover:  redis-cli -p %d sentinel failover %s
  or kill it:      redis-cli -p %d shutdown nosave

  go-redis:
    rdb := redis.NewFailoverClient(&redis.FailoverOptions{
        MasterName:    %q,
        SentinelAddrs: []string{"127.0.0.1:%d", "127.0.0.1:%d", "127.0.0.1:%d"},
    })

Press Ctrl-C to stop everything.
`, l.dir, m[0], m[1], m[2], s[0], demoMaster, s[1], s[2], s[0], demoMaster, m[0], demoMaster, s[0], s[1], s[2])
}
