package sentinel

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"redoubt/internal/testutil"
)

// quiet drops go-redis's own log lines (dial retries while the master is
// gone); the test reports what matters itself.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

// NewFailoverClient keeps writing through a SIGKILL failover: writes
// resume on the new master, and every write that WAIT 2 confirmed before
// the kill is there afterwards.
func TestGoRedisFailoverClientWritesThroughFailover(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		c := startCluster(t, impl, testutil.ClusterOpts{})
		var addrs []string
		for _, s := range c.Sentinels {
			addrs = append(addrs, s.Addr)
		}
		cl := testutil.NewFailoverClient(c.Opts.MasterName, addrs)
		defer cl.Close()
		w := testutil.StartWriter(cl, 2)
		defer w.Halt()
		ackedBefore := func() error {
			n := 0
			for _, rec := range w.Log() {
				if rec.OK && rec.Acked >= 2 {
					n++
				}
			}
			if n < 20 {
				return fmt.Errorf("only %d writes acknowledged by WAIT 2 before the failover", n)
			}
			return nil
		}
		if err := testutil.WaitFor(5*time.Second, ackedBefore); err != nil {
			t.Fatal(err)
		}
		old := c.Master()
		kill := time.Now()
		old.Kill()
		nm := expectFailover(t, c, old, kill)
		err := testutil.WaitFor(waitFailover, func() error {
			if !w.OKSince(time.Now().Add(-200 * time.Millisecond)) {
				return fmt.Errorf("writes through the FailoverClient do not succeed again")
			}
			return nil
		})
		log := w.Halt()
		if err != nil {
			t.Fatal(err)
		}
		win, fails, lastErr := testutil.Window(log, kill)
		for _, rec := range log {
			if rec.At.After(kill) && rec.Start.Before(kill.Add(win)) {
				t.Logf("  attempt %+dms..%+dms ok=%v acked=%d err=%v", rec.Start.Sub(kill).Milliseconds(), rec.At.Sub(kill).Milliseconds(), rec.OK, rec.Acked, rec.Err)
			}
		}
		t.Logf("%s: %d writes; unavailability window %v (last OK before the kill -> first OK begun after it), %d failed attempts, last error: %v",
			impl, len(log), win, fails, lastErr)

		check := redis.NewClient(&redis.Options{Addr: nm.Addr, Protocol: 2})
		defer check.Close()
		ctx := context.Background()
		acked, lost := 0, []string{}
		var last testutil.Write
		for _, rec := range log {
			if rec.OK {
				last = rec
			}
			if rec.At.After(kill) || !rec.OK || rec.Acked < 2 {
				continue
			}
			acked++
			if v, err := check.Get(ctx, rec.Key).Result(); err != nil || v == "" {
				lost = append(lost, rec.Key)
			}
		}
		if len(lost) > 0 {
			t.Fatalf("%d of %d writes acknowledged by WAIT 2 before the kill are missing on the new master %s: %v", len(lost), acked, nm.Addr, lost)
		}
		if v, err := check.Get(ctx, last.Key).Result(); err != nil || v == "" {
			t.Fatalf("the last successful write %s is not on the new master: %q %v", last.Key, v, err)
		}
		t.Logf("%d WAIT-2-acknowledged writes before the kill all present on %s", acked, nm.Addr)
	})
}
