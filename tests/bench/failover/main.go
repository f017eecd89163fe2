// Command failover measures failover speed side by side: the real
// redis-sentinel 7.0.15 and `redoubt sentinel`, each watching the same
// kind of data nodes (a master and two replicas, `redoubt server` by
// default), three sentinels, quorum 2, down-after-milliseconds 1000.
//
// Each run starts a fresh cluster, keeps a go-redis FailoverClient
// writing, SIGKILLs the master and measures, from the kill:
//   - switch: the first +switch-master on any sentinel's subscriber;
//   - all: when the last sentinel answers the new master to
//     SENTINEL GET-MASTER-ADDR-BY-NAME (polled every 10 ms), and spread,
//     from the first sentinel answering it to the last;
//   - window: the FailoverClient's write-unavailability window (last
//     write acknowledged before the kill to the first one after).
//
// It prints every run, then medians per implementation and the ratio.
//
//	go run ./tests/bench/failover                 # 5 runs each
//	go run ./tests/bench/failover -runs 9 -impls redoubt -data redis
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"redoubt/internal/testutil"
)

// run is what one failover measured; negative durations mean "never".
type run struct {
	sw, all, spread, window time.Duration
	fails                   int
	err                     error
}

// runT gives the harness what it needs from a test: a failure stops the
// run (panic caught by measure), cleanups run at its end.
type runT struct {
	verbose  bool
	cleanups []func()
}

type fatal string

func (r *runT) Helper() {}
func (r *runT) Logf(format string, args ...any) {
	if r.verbose {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}
func (r *runT) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }
func (r *runT) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }
func (r *runT) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func main() {
	runs := flag.Int("runs", 5, "failovers per implementation")
	impls := flag.String("impls", "redis,redoubt", "sentinel implementations, in order")
	data := flag.String("data", testutil.ImplRedoubt, "data node implementation: redoubt or redis")
	verbose := flag.Bool("v", false, "print each run's event timeline")
	flag.Parse()
	redis.SetLogger(quiet{})

	names := strings.Split(*impls, ",")
	results := map[string][]run{}
	for i := 0; i < *runs; i++ {
		for _, impl := range names {
			r := measure(impl, *data, *verbose)
			results[impl] = append(results[impl], r)
			if r.err != nil {
				fmt.Printf("%-8s run %d: FAILED: %v\n", impl, i+1, r.err)
				continue
			}
			fmt.Printf("%-8s run %d: switch %5dms  all %5dms  spread %4dms  window %5dms (%d failed writes)\n",
				impl, i+1, r.sw.Milliseconds(), r.all.Milliseconds(), r.spread.Milliseconds(), r.window.Milliseconds(), r.fails)
		}
	}
	fmt.Printf("\nmedians over %d runs (data nodes: %s; targets for redoubt: switch <= 1300ms, window <= 1600ms, spread <= 200ms)\n", *runs, *data)
	fmt.Printf("%-8s %8s %8s %8s %8s %s\n", "impl", "switch", "all", "spread", "window", "ok")
	med := map[string]run{}
	for _, impl := range names {
		m, ok := medians(results[impl])
		med[impl] = m
		fmt.Printf("%-8s %6dms %6dms %6dms %6dms %d/%d\n", impl, m.sw.Milliseconds(), m.all.Milliseconds(),
			m.spread.Milliseconds(), m.window.Milliseconds(), ok, len(results[impl]))
	}
	if a, b := med[testutil.ImplRedoubt], med[testutil.ImplRedis]; b.sw > 0 && a.sw > 0 {
		fmt.Printf("ratio redoubt/redis: switch %.2f  all %.2f  window %.2f\n",
			a.sw.Seconds()/b.sw.Seconds(), a.all.Seconds()/b.all.Seconds(), a.window.Seconds()/b.window.Seconds())
	}
}

// medians of the successful runs, and how many succeeded.
func medians(rs []run) (run, int) {
	var sw, all, spread, window []time.Duration
	for _, r := range rs {
		if r.err == nil {
			sw, all, spread, window = append(sw, r.sw), append(all, r.all), append(spread, r.spread), append(window, r.window)
		}
	}
	return run{sw: median(sw), all: median(all), spread: median(spread), window: median(window)}, len(sw)
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return -1
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

// measure runs one failover of a fresh cluster.
func measure(impl, data string, verbose bool) (r run) {
	rt := &runT{verbose: verbose}
	root, err := os.MkdirTemp("", "failover-bench")
	if err != nil {
		return run{err: err}
	}
	defer os.RemoveAll(root)
	defer rt.finish()
	defer func() {
		if p := recover(); p != nil {
			if f, ok := p.(fatal); ok {
				r.err = fmt.Errorf("%s", string(f))
				return
			}
			panic(p)
		}
	}()
	c := testutil.StartCluster(rt, root, testutil.ClusterOpts{Sentinel: impl, Data: data})
	var addrs []string
	for _, s := range c.Sentinels {
		addrs = append(addrs, s.Addr)
	}
	cl := testutil.NewFailoverClient(c.Opts.MasterName, addrs)
	defer cl.Close()
	w := testutil.StartWriter(cl, 2)
	defer w.Halt()
	if err := testutil.WaitFor(5*time.Second, func() error {
		if !w.OKSince(time.Now().Add(-300 * time.Millisecond)) {
			return fmt.Errorf("the writer does not get through")
		}
		return nil
	}); err != nil {
		return run{err: err}
	}

	old := c.Master()
	kill := time.Now()
	old.Kill()
	seen := map[int]time.Duration{}
	newAddr := ""
	deadline := kill.Add(20 * time.Second)
	for len(seen) < len(c.Sentinels) && time.Now().Before(deadline) {
		for i, s := range c.Sentinels {
			if _, ok := seen[i]; ok {
				continue
			}
			a, err := testutil.MasterAddrByName(s.Addr, c.Opts.MasterName)
			if err == nil && a != old.Addr {
				seen[i] = time.Since(kill)
				if newAddr == "" {
					newAddr = a
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(seen) < len(c.Sentinels) {
		return run{err: fmt.Errorf("only %d sentinels moved off %s within 20s", len(seen), old.Addr)}
	}
	first, last := time.Duration(1<<62), time.Duration(0)
	for _, d := range seen {
		first, last = min(first, d), max(last, d)
	}
	r = run{all: last, spread: last - first, sw: -1}
	e, err := c.Events.WaitEvent(10*time.Second, "+switch-master", testutil.Match("+switch-master", -1, kill))
	if err != nil {
		return run{err: err}
	}
	r.sw = e.At.Sub(kill)
	if err := testutil.WaitFor(10*time.Second, func() error {
		if !w.OKSince(time.Now().Add(-200 * time.Millisecond)) {
			return fmt.Errorf("writes do not resume")
		}
		return nil
	}); err != nil {
		return run{err: err}
	}
	r.window, r.fails, _ = testutil.Window(w.Halt(), kill)
	if verbose {
		fmt.Fprintf(os.Stderr, "%s run: new master %s\n%s", impl, newAddr, c.Events.Timeline(kill))
	}
	return r
}
