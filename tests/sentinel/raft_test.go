package sentinel

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// raftStatus reads SENTINEL RAFT STATUS from the sentinel at addr as
// field -> value, whether it answers a map or "field:value" lines.
func raftStatus(addr string) (map[string]string, error) {
	v, err := testutil.Query(addr, "SENTINEL", "RAFT", "STATUS")
	if err != nil {
		return nil, err
	}
	if m := testutil.PairsOf(v); m != nil {
		return normalize(m), nil
	}
	if s, ok := v.(string); ok {
		return normalize(testutil.InfoFields(s)), nil
	}
	return nil, fmt.Errorf("SENTINEL RAFT STATUS reply %#v", v)
}

// normalize lower-cases keys and maps '_' and '-' to '-'.
func normalize(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[strings.ReplaceAll(strings.ToLower(k), "_", "-")] = v
	}
	return out
}

// raftLeader returns the index of the sentinel that is the Raft leader
// (raft ids are "s<index>"), waiting until every running sentinel names
// the same one and that one says it leads.
func raftLeader(t *testing.T, c *testutil.Cluster) int {
	t.Helper()
	leader := -1
	err := testutil.WaitFor(waitFailover, func() error {
		leader = -1
		for i, s := range c.Sentinels {
			if !s.Running() {
				continue
			}
			st, err := raftStatus(s.Addr)
			if err != nil {
				return fmt.Errorf("%s: %v", s.Name, err)
			}
			id := st["leader-id"]
			n, err := strconv.Atoi(strings.TrimPrefix(id, "s"))
			if err != nil || !strings.HasPrefix(id, "s") {
				return fmt.Errorf("%s: RAFT STATUS names no leader: %v", s.Name, st)
			}
			if leader >= 0 && n != leader {
				return fmt.Errorf("sentinels disagree on the Raft leader (s%d, %s)", leader, id)
			}
			leader = n
			if i == n && !strings.EqualFold(st["state"], "leader") {
				return fmt.Errorf("%s is named leader but says state %q", s.Name, st["state"])
			}
		}
		if leader < 0 || leader >= len(c.Sentinels) || !c.Sentinels[leader].Running() {
			return fmt.Errorf("no running Raft leader (s%d)", leader)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Raft leader: %v", err)
	}
	return leader
}

// flatten renders every scalar in a reply, for containment checks on
// replies whose exact shape is not pinned here.
func flatten(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e)...)
		}
		return out
	case nil:
		return nil
	default:
		return []string{fmt.Sprint(x)}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Killing the Raft leader (which runs the failover) in the middle of a
// failover: the next leader finishes it, and only one replica is ever
// selected and promoted.
func TestRaftLeaderKilledDuringFailover(t *testing.T) {
	redoubtOnly(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		leader := raftLeader(t, c)
		old := c.Master()
		t0 := time.Now()
		old.Kill()
		started := func(e testutil.Event) bool {
			return !e.At.Before(t0) && (e.Channel == "+try-failover" || e.Channel == "+elected-leader" ||
				strings.HasPrefix(e.Channel, "+failover-state-") || e.Channel == "+selected-slave")
		}
		e, err := c.Events.WaitEvent(waitFailover, "a failover event", started)
		if err != nil {
			logTimeline(t, c, t0, old.Addr)
			t.Fatalf("the failover never started: %v", err)
		}
		c.Sentinels[leader].Kill()
		t.Logf("killed the Raft leader S%d at +%dms, on %s %s (S%d, +%dms)", leader, time.Since(t0).Milliseconds(),
			e.Channel, e.Payload, e.Sentinel, e.At.Sub(t0).Milliseconds())
		nm := expectFailover(t, c, old, t0)
		for _, ch := range []string{"+selected-slave", "+promoted-slave"} {
			for _, e := range c.Events.Events(testutil.Match(ch, -1, t0)) {
				if !strings.HasPrefix(e.Payload, "slave "+nm.Addr+" ") {
					t.Fatalf("S%d published %s %s, but %s was promoted: two replicas chosen", e.Sentinel, ch, e.Payload, nm.Addr)
				}
			}
		}
		for _, n := range c.Data {
			if n == nm || n == old {
				continue
			}
			if f, err := testutil.Info(n.Addr, "replication"); err != nil || f["role"] != "slave" {
				t.Fatalf("%s: role %q (%v): a second replica was promoted", n.Name, f["role"], err)
			}
		}
		if l := raftLeader(t, c); l == leader {
			t.Fatalf("the killed sentinel S%d is still named Raft leader", l)
		}
	})
}

// A sentinel restarted with its raft-dir keeps its identity, catches up on
// a failover that happened while it was down, and keeps monitoring.
func TestRaftSentinelRestartKeepsState(t *testing.T) {
	redoubtOnly(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		s := c.Sentinels[2]
		id, err := testutil.Query(s.Addr, "SENTINEL", "MYID")
		if err != nil {
			t.Fatalf("SENTINEL MYID: %v", err)
		}
		s.Restart()
		c.WaitDiscovered(waitFailover)
		if id2, err := testutil.Query(s.Addr, "SENTINEL", "MYID"); err != nil || id2 != id {
			t.Fatalf("SENTINEL MYID after a restart: %v (%v), was %v", id2, err, id)
		}
		if a, err := c.CurrentMaster(2); err != nil || a != c.Master().Addr {
			t.Fatalf("restarted %s reports master %q (%v), want %s", s.Name, a, err, c.Master().Addr)
		}

		// Down during a failover: back, it agrees on the new master.
		s.Kill()
		old := c.Master()
		t0 := time.Now()
		old.Kill()
		nm := expectFailover(t, c, old, t0)
		s.Start()
		if _, err := c.WaitMasterEverywhere(nm.Addr, waitFailover); err != nil {
			t.Fatalf("after a restart: %v\n%s", err, s.Tail(3000))
		}
		m, err := testutil.Query(s.Addr, "SENTINEL", "MASTER", c.Opts.MasterName)
		if f := testutil.PairsOf(m); err != nil || f["ip"] != "127.0.0.1" || f["port"] != strconv.Itoa(nm.Port) {
			t.Fatalf("restarted %s: SENTINEL MASTER %v (%v), want port %d", s.Name, f, err, nm.Port)
		}

		// And it still takes part: the next failover is seen by all three.
		old.Start()
		expectConverted(t, c, old, nm, time.Now())
		t1 := time.Now()
		nm.Kill()
		expectFailover(t, c, nm, t1)
	})
}

// A sentinel started with raft-join (and no monitor lines) joins the
// running group: the others list it in SENTINEL SENTINELS and SENTINEL
// RAFT PEERS, and it learns the monitored master from the group.
func TestRaftSentinelJoinsAtRuntime(t *testing.T) {
	redoubtOnly(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		n := c.AddSentinel()
		i := len(c.Sentinels) - 1
		raftAddr := fmt.Sprintf("127.0.0.1:%d", c.RaftPorts[i])
		for _, s := range c.Sentinels[:i] {
			err := testutil.WaitFor(waitFailover, func() error {
				peers, err := testutil.SentinelMaps(s.Addr, "SENTINELS", c.Opts.MasterName)
				if err != nil {
					return err
				}
				for _, p := range peers {
					if p["ip"] == "127.0.0.1" && p["port"] == strconv.Itoa(n.Port) {
						return nil
					}
				}
				return fmt.Errorf("%s: SENTINEL SENTINELS does not list %s: %v", s.Name, n.Addr, peers)
			})
			if err != nil {
				t.Fatalf("%v\n%s", err, n.Tail(3000))
			}
			err = testutil.WaitFor(waitFailover, func() error {
				v, err := testutil.Query(s.Addr, "SENTINEL", "RAFT", "PEERS")
				if err != nil {
					return err
				}
				if f := flatten(v); !contains(f, fmt.Sprintf("s%d", i)) || !contains(f, raftAddr) {
					return fmt.Errorf("%s: SENTINEL RAFT PEERS lacks s%d at %s: %v", s.Name, i, raftAddr, f)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if a, err := c.CurrentMaster(i); err != nil || a != c.Master().Addr {
			t.Fatalf("joined %s reports master %q (%v), want %s", n.Name, a, err, c.Master().Addr)
		}
		c.WaitDiscovered(waitFailover)
	})
}
