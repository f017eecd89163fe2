package sentinel

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Generous but bounded waits. Real Sentinel needs ~2.3 s from a kill to
// its first +switch-master and ~11 s to convert a returning old master.
const (
	waitFailover = 15 * time.Second
	waitConvert  = 25 * time.Second
	waitFollow   = 15 * time.Second
	// settleWindow is how long every sentinel must keep answering the
	// same new master before a failover counts as settled.
	settleWindow = 3 * time.Second
)

// impls lists the sentinel implementations to run.
func impls() []string {
	if v := os.Getenv("SENTINEL_IMPLS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{testutil.ImplRedis, testutil.ImplRedoubt}
}

// forEachImpl runs scenario once per implementation, in parallel.
func forEachImpl(t *testing.T, scenario func(t *testing.T, impl string)) {
	t.Parallel()
	for _, impl := range impls() {
		t.Run(impl, func(t *testing.T) {
			t.Parallel()
			scenario(t, impl)
		})
	}
}

// redoubtOnly runs scenario for the Redoubt sentinel only (Raft scenarios).
func redoubtOnly(t *testing.T, scenario func(t *testing.T, impl string)) {
	t.Parallel()
	for _, impl := range impls() {
		if impl == testutil.ImplRedoubt {
			t.Run(impl, func(t *testing.T) { scenario(t, impl) })
			return
		}
	}
	t.Skipf("SKIP: redoubt not in SENTINEL_IMPLS=%s", os.Getenv("SENTINEL_IMPLS"))
}

// startCluster starts a cluster for impl, skipping loudly (failing under
// CI) when the real binaries are missing.
func startCluster(t *testing.T, impl string, opts testutil.ClusterOpts) *testutil.Cluster {
	t.Helper()
	opts.Sentinel = impl
	opts.Data = os.Getenv("SENTINEL_DATA")
	if impl == testutil.ImplRedis {
		testutil.RequireBinary(t, "redis-sentinel")
	}
	if opts.Data == testutil.ImplRedis {
		testutil.RequireBinary(t, "redis-server")
	}
	c := testutil.StartCluster(t, t.TempDir(), opts)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("process logs:\n%s", c.Logs(6000))
		}
	})
	return c
}

// port returns the port of "ip:port".
func port(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	p, _ := strconv.Atoi(addr[i+1:])
	return p
}

// switchPayload is +switch-master's payload for a move from old to new.
func switchPayload(name, old, new string) string {
	return fmt.Sprintf("%s 127.0.0.1 %d 127.0.0.1 %d", name, port(old), port(new))
}

// logTimeline prints, per sentinel, when it first published +sdown and
// +odown about the old master and +switch-master, in ms since t0; then
// every event since t0.
func logTimeline(t *testing.T, c *testutil.Cluster, t0 time.Time, old string) {
	t.Helper()
	about := fmt.Sprintf("master %s 127.0.0.1 %d", c.Opts.MasterName, port(old))
	var b strings.Builder
	for i, s := range c.Sentinels {
		fmt.Fprintf(&b, "  S%d (%s):", i, s.Addr)
		for _, ch := range []string{"+sdown", "+odown", "+try-failover", "+promoted-slave", "+switch-master"} {
			parts := []string{about}
			if ch == "+switch-master" || ch == "+promoted-slave" {
				parts = nil
			}
			if e, ok := c.Events.First(testutil.Match(ch, i, t0, parts...)); ok {
				fmt.Fprintf(&b, " %s=%dms", ch, e.At.Sub(t0).Milliseconds())
			}
		}
		b.WriteByte('\n')
	}
	t.Logf("timeline (ms since the fault on %s):\n%sevents:\n%s", old, b.String(), c.Events.Timeline(t0))
}

// expectFailover waits until the sentinels settle on a new master
// replacing old (one of the other data nodes): every running sentinel
// answers it for settleWindow, every running sentinel's subscriber got a
// +switch-master to it, the new master says role:master and every other
// replica follows it and receives what is written on it. It returns the
// new master's node.
//
// Real Sentinel sometimes fails the fresh master over a second time
// (spec §7 surprise 2); for it the settled master is whatever it ends
// on. Redoubt must switch exactly once, from old to the new master.
func expectFailover(t *testing.T, c *testutil.Cluster, old *testutil.Node, t0 time.Time) *testutil.Node {
	t.Helper()
	newAddr, moved, err := c.Settle(old.Addr, settleWindow, waitFailover+settleWindow)
	if err != nil {
		logTimeline(t, c, t0, old.Addr)
		t.Fatalf("no failover: %v", err)
	}
	nm := c.DataByAddr(newAddr)
	if nm == nil || nm == old {
		t.Fatalf("sentinels report %s as the new master: not one of the replicas", newAddr)
	}
	var spread []string
	for i, at := range moved {
		spread = append(spread, fmt.Sprintf("S%d=%dms", i, at.Sub(t0).Milliseconds()))
	}
	sort.Strings(spread)
	t.Logf("new master %s (%s); GET-MASTER-ADDR-BY-NAME first moved (polled every 20ms): %s", newAddr, nm.Name, strings.Join(spread, " "))
	to := fmt.Sprintf(" 127.0.0.1 %d", nm.Port)
	for i, s := range c.Sentinels {
		if !s.Running() {
			continue
		}
		keep := func(e testutil.Event) bool {
			return testutil.Match("+switch-master", i, t0)(e) && strings.HasSuffix(e.Payload, to)
		}
		if _, err := c.Events.WaitEvent(waitFailover, "+switch-master to"+to, keep); err != nil {
			logTimeline(t, c, t0, old.Addr)
			t.Fatalf("subscriber of %s: %v", s.Name, err)
		}
	}
	expectSingleSwitch(t, c, t0, switchPayload(c.Opts.MasterName, old.Addr, newAddr))
	if f, err := testutil.Info(nm.Addr, "replication"); err != nil || f["role"] != "master" {
		t.Fatalf("promoted %s: INFO role=%q (%v)", nm.Name, f["role"], err)
	}
	for _, n := range c.Data {
		if n == old || n == nm || !n.Running() {
			continue
		}
		if err := testutil.WaitFor(waitFollow, func() error { return testutil.ReplicaOf(n.Addr, nm.Port) }); err != nil {
			logTimeline(t, c, t0, old.Addr)
			t.Fatalf("the other replica does not follow the new master: %v", err)
		}
	}
	expectReplicated(t, c, nm, old)
	logTimeline(t, c, t0, old.Addr)
	return nm
}

// expectSingleSwitch checks that every sentinel published +switch-master
// exactly once since t0, with payload want. Real Sentinel may fail over
// twice (a known defect we must not copy): for it this only logs.
func expectSingleSwitch(t *testing.T, c *testutil.Cluster, t0 time.Time, want string) {
	t.Helper()
	for i := range c.Sentinels {
		evs := c.Events.Events(testutil.Match("+switch-master", i, t0))
		if len(evs) <= 1 && (len(evs) == 0 || evs[0].Payload == want) {
			continue
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.Payload)
		}
		if c.Opts.Sentinel == testutil.ImplRedis {
			t.Logf("real Sentinel S%d switched more than once (spurious second failover, spec §7.2): %q", i, got)
			continue
		}
		logTimeline(t, c, t0, "")
		t.Fatalf("S%d published +switch-master %q; want exactly one, %q", i, got, want)
	}
}

// expectReplicated writes a marker on the new master and waits until
// every other live replica serves it with its link still up: a replica
// that merely reports the right master_port but cannot keep a
// replication stream in step (misaligned partial resync) fails here.
func expectReplicated(t *testing.T, c *testutil.Cluster, nm, skip *testutil.Node) {
	t.Helper()
	val := strconv.FormatInt(time.Now().UnixNano(), 10)
	if v, err := testutil.Query(nm.Addr, "SET", "failover-marker", val); err != nil || v != "OK" {
		t.Fatalf("SET on the new master %s: %#v %v", nm.Name, v, err)
	}
	for _, n := range c.Data {
		if n == nm || n == skip || !n.Running() {
			continue
		}
		err := testutil.WaitFor(waitFollow, func() error {
			if err := testutil.ReplicaOf(n.Addr, nm.Port); err != nil {
				return err
			}
			if v, err := testutil.Query(n.Addr, "GET", "failover-marker"); v != val {
				return fmt.Errorf("%s: GET failover-marker = %#v (%v), want %s written on the new master", n.Name, v, err, val)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("replication from the new master does not reach %s: %v\n%s", n.Name, err, n.Tail(2000))
		}
	}
}

func firstRunning(c *testutil.Cluster) int {
	for i, s := range c.Sentinels {
		if s.Running() {
			return i
		}
	}
	return 0
}

// expectConverted waits until the old master (back online) is a replica
// of the current master with its link up, a sentinel announced
// +convert-to-slave for it, and it receives what is written on the
// master. It returns the current master.
func expectConverted(t *testing.T, c *testutil.Cluster, old, nm *testutil.Node, since time.Time) *testutil.Node {
	t.Helper()
	cur := nm
	err := testutil.WaitFor(waitConvert, func() error {
		if a, err := c.CurrentMaster(firstRunning(c)); err == nil && c.DataByAddr(a) != nil {
			cur = c.DataByAddr(a)
		}
		return testutil.ReplicaOf(old.Addr, cur.Port)
	})
	if err != nil {
		t.Logf("events since the old master came back:\n%s", c.Events.Timeline(since))
		t.Fatalf("the old master was not converted to a replica of the current one: %v", err)
	}
	if cur != nm && c.Opts.Sentinel != testutil.ImplRedis {
		t.Fatalf("the master moved again, from %s to %s", nm.Addr, cur.Addr)
	}
	// Real Sentinel converts a returning master with +convert-to-slave;
	// Redoubt may instead reconfigure a live old master within the
	// failover itself (+slave-reconf-sent for it), which is also fine.
	details := fmt.Sprintf("slave %s 127.0.0.1 %d @ %s 127.0.0.1 %d", old.Addr, old.Port, c.Opts.MasterName, cur.Port)
	converted := func(e testutil.Event) bool {
		return testutil.Match("+convert-to-slave", -1, since, details)(e) || testutil.Match("+slave-reconf-sent", -1, since, details)(e)
	}
	e, err := c.Events.WaitEvent(5*time.Second, "+convert-to-slave or +slave-reconf-sent "+details, converted)
	if err != nil {
		t.Logf("events since the old master came back:\n%s", c.Events.Timeline(since))
		t.Fatalf("%v", err)
	}
	t.Logf("old master %s converted: %s on S%d at %dms", old.Addr, e.Channel, e.Sentinel, e.At.Sub(since).Milliseconds())
	expectReplicated(t, c, cur, nil)
	return cur
}
