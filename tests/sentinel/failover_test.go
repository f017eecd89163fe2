package sentinel

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// A SIGKILLed master is replaced by a replica, the other replica follows
// it, every sentinel answers the new address and announces
// +switch-master, and the old master, restarted with its own config,
// becomes a replica of the new one.
func TestKilledMasterIsReplacedAndRejoinsAsReplica(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		old := c.Master()
		t0 := time.Now()
		old.Kill()
		nm := expectFailover(t, c, old, t0)

		back := time.Now()
		old.Start()
		expectConverted(t, c, old, nm, back)
	})
}

// A master frozen with SIGSTOP is failed over like a dead one; once
// resumed it still believes it is a master and must be converted.
func TestStoppedMasterIsReplacedAndConvertedWhenResumed(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		old := c.Master()
		t0 := time.Now()
		old.Stop()
		nm := expectFailover(t, c, old, t0)

		back := time.Now()
		old.Cont()
		expectConverted(t, c, old, nm, back)
	})
}

// SENTINEL FAILOVER promotes a replica without any fault; a second
// request while it runs is refused with -INPROG; the old master, still
// alive, ends up a replica of the new one.
func TestManualFailover(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		old := c.Master()
		s := c.Sentinels[0]
		t0 := time.Now()
		if v, err := testutil.Query(s.Addr, "SENTINEL", "FAILOVER", c.Opts.MasterName); err != nil || v != "OK" {
			t.Fatalf("SENTINEL FAILOVER: %#v %v", v, err)
		}
		_, err := testutil.Query(s.Addr, "SENTINEL", "FAILOVER", c.Opts.MasterName)
		if err == nil || err.Error() != "INPROG Failover already in progress" {
			t.Fatalf("second SENTINEL FAILOVER: %v, want -INPROG Failover already in progress", err)
		}
		nm := expectFailover(t, c, old, t0)
		expectConverted(t, c, old, nm, t0)
	})
}

// A replica with replica-priority 0 is never promoted: the other one is.
func TestPriorityZeroReplicaIsNeverPromoted(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{ReplicaPriority: []int{0, 100}})
		old := c.Master()
		t0 := time.Now()
		old.Kill()
		nm := expectFailover(t, c, old, t0)
		if nm != c.Data[2] {
			t.Fatalf("promoted %s (%s); want %s, the only replica with a non-zero priority", nm.Name, nm.Addr, c.Data[2].Name)
		}
		for _, e := range c.Events.Events(testutil.Match("+promoted-slave", -1, t0)) {
			if strings.Contains(e.Payload, c.Data[1].Addr+" ") {
				t.Fatalf("S%d published %s %s", e.Sentinel, e.Channel, e.Payload)
			}
		}
	})
}

// With every replica at replica-priority 0 there is nothing to promote:
// SENTINEL FAILOVER says so synchronously and the master stays.
func TestFailoverWithoutEligibleReplicaIsRefused(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{ReplicaPriority: []int{0, 0}})
		for _, s := range c.Sentinels {
			_, err := testutil.Query(s.Addr, "SENTINEL", "FAILOVER", c.Opts.MasterName)
			if err == nil || err.Error() != "NOGOODSLAVE No suitable replica to promote" {
				t.Fatalf("%s: SENTINEL FAILOVER: %v, want -NOGOODSLAVE No suitable replica to promote", s.Name, err)
			}
		}
		for i := range c.Sentinels {
			if a, err := c.CurrentMaster(i); err != nil || a != c.Master().Addr {
				t.Fatalf("S%d reports master %s (%v) after a refused failover", i, a, err)
			}
		}
	})
}
