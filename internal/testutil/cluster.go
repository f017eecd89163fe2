package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Sentinel implementations a cluster can run.
const (
	ImplRedis   = "redis"   // the real redis-sentinel / redis-server 7.0.15
	ImplRedoubt = "redoubt" // `redoubt sentinel` / `redoubt server`
)

// ClusterOpts describes a master, its replicas and the sentinels watching
// them. Zero values take the defaults noted on each field.
type ClusterOpts struct {
	Sentinel          string // ImplRedis or ImplRedoubt (default ImplRedis)
	Data              string // data node implementation (default ImplRedoubt)
	MasterName        string // "mymaster"
	Replicas          int    // 2
	Sentinels         int    // 3
	Quorum            int    // 2
	DownAfterMs       int    // 1000
	FailoverTimeoutMs int    // 6000
	// ReplicaPriority[i] is replica i's replica-priority (default 100).
	ReplicaPriority []int
	// DataDirectives are extra redis.conf lines for every data node.
	DataDirectives []string
	// SentinelDirectives are extra sentinel.conf lines for every sentinel.
	SentinelDirectives []string
}

func (o *ClusterOpts) defaults() {
	if o.Sentinel == "" {
		o.Sentinel = ImplRedis
	}
	if o.Data == "" {
		o.Data = ImplRedoubt
	}
	if o.MasterName == "" {
		o.MasterName = "mymaster"
	}
	if o.Replicas == 0 {
		o.Replicas = 2
	}
	if o.Sentinels == 0 {
		o.Sentinels = 3
	}
	if o.Quorum == 0 {
		o.Quorum = 2
	}
	if o.DownAfterMs == 0 {
		o.DownAfterMs = 1000
	}
	if o.FailoverTimeoutMs == 0 {
		o.FailoverTimeoutMs = 6000
	}
}

// Cluster is a running master + replicas + sentinels on loopback.
// Data[0] is the initial master. Every sentinel has a PSUBSCRIBE * tap
// feeding Events.
type Cluster struct {
	Opts      ClusterOpts
	Data      []*Node
	Sentinels []*Node
	RaftPorts []int // redoubt only: Raft transport port per sentinel
	Events    *EventLog

	t    TB
	root string
}

// SentinelBinary returns the program for impl, or an error naming what is
// missing.
func SentinelBinary(impl string) (string, error) {
	if impl == ImplRedoubt {
		return BuildBinary()
	}
	return exec.LookPath("redis-sentinel")
}

func dataBinary(impl string) (string, []string, error) {
	if impl == ImplRedoubt {
		b, err := BuildBinary()
		return b, []string{"server"}, err
	}
	b, err := exec.LookPath("redis-server")
	return b, nil, err
}

// StartCluster starts the data nodes, waits for the replicas to be in
// sync, starts the sentinels and waits until every sentinel knows every
// replica and every other sentinel.
func StartCluster(t TB, root string, opts ClusterOpts) *Cluster {
	t.Helper()
	opts.defaults()
	c := &Cluster{Opts: opts, t: t, root: root, Events: NewEventLog()}
	t.Cleanup(c.Events.Close)
	for i := 0; i <= opts.Replicas; i++ {
		c.Data = append(c.Data, c.newDataNode(i))
	}
	for _, n := range c.Data {
		n.Start()
	}
	for _, n := range c.Data[1:] {
		if err := WaitFor(15*time.Second, func() error { return ReplicaOf(n.Addr, c.Data[0].Port) }); err != nil {
			t.Fatalf("%s never synced with the master: %v\n%s", n.Name, err, n.Tail(3000))
		}
	}
	for i := 0; i < opts.Sentinels; i++ {
		p, err := PickPort()
		if err != nil {
			t.Fatalf("port: %v", err)
		}
		c.RaftPorts = append(c.RaftPorts, p)
	}
	for i := 0; i < opts.Sentinels; i++ {
		c.Sentinels = append(c.Sentinels, c.newSentinel(i, "", true))
	}
	for _, s := range c.Sentinels {
		s.Start()
	}
	for i, s := range c.Sentinels {
		if err := c.Events.Tap(i, s.Addr); err != nil {
			t.Fatalf("%v", err)
		}
	}
	c.WaitDiscovered(20 * time.Second)
	return c
}

// Master is the initial master's node.
func (c *Cluster) Master() *Node { return c.Data[0] }

// DataByAddr finds the data node at "ip:port".
func (c *Cluster) DataByAddr(addr string) *Node {
	for _, n := range c.Data {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

func (c *Cluster) newDataNode(i int) *Node {
	c.t.Helper()
	bin, pre, err := dataBinary(c.Opts.Data)
	if err != nil {
		c.t.Fatalf("data node binary (%s): %v", c.Opts.Data, err)
	}
	port, err := PickPort()
	if err != nil {
		c.t.Fatalf("port: %v", err)
	}
	dir := filepath.Join(c.root, fmt.Sprintf("data%d", i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatalf("%v", err)
	}
	lines := []string{
		"port " + strconv.Itoa(port),
		"bind 127.0.0.1",
		"dir " + strconv.Quote(dir),
		`save ""`,
		"appendonly no",
		"repl-diskless-sync-delay 0",
	}
	if i > 0 {
		lines = append(lines, "replicaof 127.0.0.1 "+strconv.Itoa(c.Data[0].Port))
		if i-1 < len(c.Opts.ReplicaPriority) {
			lines = append(lines, "replica-priority "+strconv.Itoa(c.Opts.ReplicaPriority[i-1]))
		}
	}
	lines = append(lines, c.Opts.DataDirectives...)
	conf, err := writeFile(dir, "redis.conf", lines)
	if err != nil {
		c.t.Fatalf("%v", err)
	}
	args := append(append([]string{}, pre...), conf)
	return NewNode(c.t, fmt.Sprintf("data%d", i), port, dir, bin, args...)
}

// SentinelConf renders sentinel number i's sentinel.conf. With monitor
// false the file has no monitor lines (a sentinel joining at runtime
// learns the masters from the group). join is a RESP address for
// raft-join (redoubt only; "" = bootstrap with raft-peers).
func (c *Cluster) SentinelConf(i, port int, dir string, monitor bool, join string) []string {
	o := c.Opts
	lines := []string{
		"port " + strconv.Itoa(port),
		"bind 127.0.0.1",
		"daemonize no",
		"dir " + strconv.Quote(dir),
	}
	if monitor {
		lines = append(lines,
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d %d", o.MasterName, c.Data[0].Port, o.Quorum),
			fmt.Sprintf("sentinel down-after-milliseconds %s %d", o.MasterName, o.DownAfterMs),
			fmt.Sprintf("sentinel failover-timeout %s %d", o.MasterName, o.FailoverTimeoutMs),
		)
	}
	if o.Sentinel == ImplRedoubt {
		lines = append(lines,
			fmt.Sprintf("raft-id s%d", i),
			fmt.Sprintf("raft-addr 127.0.0.1:%d", c.RaftPorts[i]),
			"raft-dir "+strconv.Quote(filepath.Join(dir, "raft")),
		)
		if join != "" {
			lines = append(lines, "raft-join "+join)
		} else {
			var peers []string
			for j := 0; j < o.Sentinels; j++ {
				peers = append(peers, fmt.Sprintf("s%d=127.0.0.1:%d", j, c.RaftPorts[j]))
			}
			lines = append(lines, "raft-peers "+strings.Join(peers, ","))
		}
	}
	return append(lines, o.SentinelDirectives...)
}

func (c *Cluster) newSentinel(i int, join string, monitor bool) *Node {
	c.t.Helper()
	bin, err := SentinelBinary(c.Opts.Sentinel)
	if err != nil {
		c.t.Fatalf("sentinel binary (%s): %v", c.Opts.Sentinel, err)
	}
	port, err := PickPort()
	if err != nil {
		c.t.Fatalf("port: %v", err)
	}
	dir := filepath.Join(c.root, fmt.Sprintf("sentinel%d", i))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatalf("%v", err)
	}
	conf, err := writeFile(dir, "sentinel.conf", c.SentinelConf(i, port, dir, monitor, join))
	if err != nil {
		c.t.Fatalf("%v", err)
	}
	var args []string
	if c.Opts.Sentinel == ImplRedoubt {
		args = []string{"sentinel", conf}
	} else {
		args = []string{conf}
	}
	return NewNode(c.t, fmt.Sprintf("sentinel%d", i), port, dir, bin, args...)
}

// AddSentinel starts one more sentinel (redoubt: joining the running
// group through raft-join at sentinel 0's RESP address, with no monitor
// lines) and taps its events.
func (c *Cluster) AddSentinel() *Node {
	c.t.Helper()
	i := len(c.Sentinels)
	p, err := PickPort()
	if err != nil {
		c.t.Fatalf("port: %v", err)
	}
	c.RaftPorts = append(c.RaftPorts, p)
	var n *Node
	if c.Opts.Sentinel == ImplRedoubt {
		n = c.newSentinel(i, c.Sentinels[0].Addr, false)
	} else {
		n = c.newSentinel(i, "", true)
	}
	c.Sentinels = append(c.Sentinels, n)
	n.Start()
	if err := c.Events.Tap(i, n.Addr); err != nil {
		c.t.Fatalf("%v", err)
	}
	return n
}

// ReplicaOf checks that the data node at addr is a replica of the master
// on masterPort with its link up.
func ReplicaOf(addr string, masterPort int) error {
	f, err := Info(addr, "replication")
	if err != nil {
		return err
	}
	if f["role"] != "slave" || f["master_port"] != strconv.Itoa(masterPort) || f["master_link_status"] != "up" {
		return fmt.Errorf("%s: role=%s master_port=%s master_link_status=%s (want a replica of port %d, link up)",
			addr, f["role"], f["master_port"], f["master_link_status"], masterPort)
	}
	return nil
}

// WaitDiscovered waits until every running sentinel reports the master
// with every replica and every other sentinel known, and every replica
// linked and healthy in its eyes.
func (c *Cluster) WaitDiscovered(timeout time.Duration) {
	c.t.Helper()
	want := func(s *Node) error {
		v, err := Query(s.Addr, "SENTINEL", "MASTER", c.Opts.MasterName)
		if err != nil {
			return fmt.Errorf("%s: SENTINEL MASTER: %v", s.Name, err)
		}
		m := PairsOf(v)
		if m["num-slaves"] != strconv.Itoa(len(c.Data)-1) || m["num-other-sentinels"] != strconv.Itoa(c.runningSentinels()-1) {
			return fmt.Errorf("%s: num-slaves=%s num-other-sentinels=%s flags=%s", s.Name, m["num-slaves"], m["num-other-sentinels"], m["flags"])
		}
		// Every replica linked, with INFO read (master link ok): only then
		// can this sentinel pick one.
		reps, err := SentinelMaps(s.Addr, "REPLICAS", c.Opts.MasterName)
		if err != nil {
			return fmt.Errorf("%s: SENTINEL REPLICAS: %v", s.Name, err)
		}
		for _, r := range reps {
			if r["flags"] != "slave" || r["master-link-status"] != "ok" || r["info-refresh"] == "0" {
				return fmt.Errorf("%s: replica %s flags=%s master-link-status=%s info-refresh=%s", s.Name, r["name"], r["flags"], r["master-link-status"], r["info-refresh"])
			}
		}
		return nil
	}
	for _, s := range c.Sentinels {
		if !s.Running() {
			continue
		}
		if err := WaitFor(timeout, func() error { return want(s) }); err != nil {
			c.t.Fatalf("sentinels never discovered the cluster: %v\n%s", err, s.Tail(3000))
		}
	}
}

func (c *Cluster) runningSentinels() int {
	n := 0
	for _, s := range c.Sentinels {
		if s.Running() {
			n++
		}
	}
	return n
}

// WaitMasterEverywhere waits until every running sentinel answers
// GET-MASTER-ADDR-BY-NAME with want ("ip:port") and returns when each
// first did (keyed by sentinel index), polling every 20 ms.
func (c *Cluster) WaitMasterEverywhere(want string, timeout time.Duration) (map[int]time.Time, error) {
	seen := map[int]time.Time{}
	deadline := time.Now().Add(timeout)
	for {
		last := ""
		for i, s := range c.Sentinels {
			if !s.Running() {
				continue
			}
			if _, ok := seen[i]; ok {
				continue
			}
			got, err := MasterAddrByName(s.Addr, c.Opts.MasterName)
			if err == nil && got == want {
				seen[i] = time.Now()
				continue
			}
			last = fmt.Sprintf("%s answers %q (%v), want %s", s.Name, got, err, want)
		}
		if last == "" {
			return seen, nil
		}
		if time.Now().After(deadline) {
			return seen, fmt.Errorf("%s", last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Settle polls every running sentinel's GET-MASTER-ADDR-BY-NAME every
// 20 ms until they all answer the same address other than old and keep
// answering it for stable. It returns that address and when each sentinel
// first answered something other than old.
func (c *Cluster) Settle(old string, stable, timeout time.Duration) (string, map[int]time.Time, error) {
	moved := map[int]time.Time{}
	deadline := time.Now().Add(timeout)
	agreed, since := "", time.Time{}
	for {
		now := time.Now()
		answers := map[string]bool{}
		ok := true
		for i, s := range c.Sentinels {
			if !s.Running() {
				continue
			}
			got, err := MasterAddrByName(s.Addr, c.Opts.MasterName)
			if err != nil {
				ok = false
				got = s.Name + " error: " + err.Error()
			} else if _, seen := moved[i]; !seen && got != old {
				moved[i] = now
			}
			answers[got] = true
		}
		cur := ""
		for a := range answers {
			cur = a
		}
		if ok && len(answers) == 1 && cur != old {
			if cur != agreed {
				agreed, since = cur, now
			}
			if now.Sub(since) >= stable {
				return agreed, moved, nil
			}
		} else {
			agreed = ""
		}
		if now.After(deadline) {
			return "", moved, fmt.Errorf("sentinels never settled on a new master: %v", answers)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CurrentMaster returns the address sentinel i reports.
func (c *Cluster) CurrentMaster(i int) (string, error) {
	return MasterAddrByName(c.Sentinels[i].Addr, c.Opts.MasterName)
}

// Logs returns the tail of every process's output, for failure reports.
func (c *Cluster) Logs(max int) string {
	var b strings.Builder
	for _, n := range append(append([]*Node{}, c.Sentinels...), c.Data...) {
		fmt.Fprintf(&b, "----- %s (%s)\n%s\n", n.Name, n.Addr, n.Tail(max))
	}
	return b.String()
}
