package sentinel

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// monGroup stands in for the Raft group: proposals are applied to a
// State at once, events are recorded.
type monGroup struct {
	mu        sync.Mutex
	st        *State
	evs       []Event
	proposals []Command
}

func newMonGroup() *monGroup { return &monGroup{st: NewState()} }

func (g *monGroup) view(fn func(*State)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(g.st)
}

func (g *monGroup) propose(_ context.Context, c Command) (Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.NowMs == 0 {
		c.NowMs = time.Now().UnixMilli()
	}
	g.proposals = append(g.proposals, c)
	res, evs := g.st.Apply(c)
	g.evs = append(g.evs, evs...)
	return res, nil
}

func (g *monGroup) emit(evs ...Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.evs = append(g.evs, evs...)
}

func (g *monGroup) mustApply(t *testing.T, c Command) {
	t.Helper()
	if res, _ := g.propose(context.Background(), c); res.Err != "" {
		t.Fatalf("%s: %s", c.Op, res.Err)
	}
}

// waitEvent waits for an event on channel whose payload contains sub.
func (g *monGroup) waitEvent(t *testing.T, channel, sub string, timeout time.Duration) Event {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		for _, e := range g.evs {
			if e.Channel == channel && strings.Contains(e.Payload, sub) {
				g.mu.Unlock()
				return e
			}
		}
		g.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	t.Fatalf("no %s %q within %v; events: %v", channel, sub, timeout, g.evs)
	return Event{}
}

func (g *monGroup) count(channel, sub string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, e := range g.evs {
		if e.Channel == channel && strings.Contains(e.Payload, sub) {
			n++
		}
	}
	return n
}

func monAddrOf(t *testing.T, hostport string) Addr {
	t.Helper()
	h, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return Addr{IP: h, Port: n}
}

const monTestID = "0123456789abcdef0123456789abcdef01234567"

func monStartTestMonitor(t *testing.T, g *monGroup, knobs *Knobs) *Monitor {
	t.Helper()
	m := newMonitorEnv(monEnv{clock: RealClock, knobs: knobs, log: monDiscardLogger(), myID: monTestID,
		view: g.view, propose: g.propose, emit: g.emit})
	monRun(t, m)
	return m
}

func monDiscardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// monRun runs m until the test ends.
func monRun(t *testing.T, m *Monitor) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func monMonitorMaster(t *testing.T, g *monGroup, name string, a Addr, quorum int, downAfter string) {
	g.mustApply(t, Command{Op: OpMonitor, Name: name, IP: a.IP, Port: a.Port, Quorum: quorum})
	g.mustApply(t, Command{Op: OpSet, Name: name, Options: []SetOption{{Name: "down-after-milliseconds", Values: []string{downAfter}},
		{Name: "failover-timeout", Values: []string{"5000"}}}})
}

func monWaitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The monitor reads a master's INFO, discovers its replica through Raft,
// sees the replica's view of its master, and judges SDOWN of a stopped
// master, which its committed opinion turns into ODOWN (quorum 1).
func TestMonitorDiscoversReplicaAndJudgesSdownOfStoppedMaster(t *testing.T) {
	for _, kind := range []string{"redis", "redoubt"} {
		t.Run(kind, func(t *testing.T) {
			start := testutil.StartRedis
			if kind == "redoubt" {
				start = testutil.StartRedoubt
			}
			mp := start(t, "--repl-diskless-sync-delay", "0")
			rp := start(t, "--replicaof", "127.0.0.1", strconv.Itoa(mp.Port))
			ma, ra := monAddrOf(t, mp.Addr), monAddrOf(t, rp.Addr)
			g := newMonGroup()
			monMonitorMaster(t, g, "m", ma, 1, "1000")
			k := DefaultKnobs()
			k.Update(func(v *KnobValues) { v.InfoPeriod = 200 })
			mon := monStartTestMonitor(t, g, k)

			g.waitEvent(t, "+slave", "slave "+ra.String()+" ", 10*time.Second)
			monWaitFor(t, "replica INFO", 15*time.Second, func() bool {
				st, ok := mon.Status("m", ra)
				return ok && st.Role == "slave" && st.MasterPort == ma.Port && st.MasterLinkUp
			})
			st, _ := mon.Status("m", ma)
			if st.Role != "master" || len(st.RunID) != 40 || !st.Connected || st.SDown || st.LastOKPingReply.IsZero() || !strings.Contains(st.Info, "# Replication") {
				t.Fatalf("master status %+v", st)
			}
			rs, _ := mon.Status("m", ra)
			if rs.SlavePriority != 100 || !rs.ReplicaAnnounced || rs.InfoAt.IsZero() {
				t.Fatalf("replica status %+v", rs)
			}

			mp.Cmd.Process.Signal(syscall.SIGSTOP)
			defer mp.Cmd.Process.Signal(syscall.SIGCONT)
			stopped := time.Now()
			g.waitEvent(t, "+sdown", "master m "+ma.IP+" "+strconv.Itoa(ma.Port), 4*time.Second)
			if d := time.Since(stopped); d < 900*time.Millisecond {
				t.Fatalf("SDOWN after %v, before down-after", d)
			}
			g.waitEvent(t, "+odown", "master m", 2*time.Second)
			if !mon.MasterDownAt(ma) || mon.MasterDownAt(ra) {
				t.Fatal("MasterDownAt disagrees with SDOWN")
			}
			mp.Cmd.Process.Signal(syscall.SIGCONT)
			g.waitEvent(t, "-sdown", "master m", 5*time.Second)
			g.waitEvent(t, "-odown", "master m", 2*time.Second)
		})
	}
}

// monFakeNode accepts connections and either never answers or answers
// every request with garbage.
func monFakeNode(t *testing.T, garbage bool) Addr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { nc.Close() })
			if garbage {
				go func() {
					buf := make([]byte, 4096)
					for {
						if _, err := nc.Read(buf); err != nil {
							return
						}
						nc.Write([]byte("$99999999999999\r\n\x00\xffgarbage"))
					}
				}()
			}
		}
	}()
	return monAddrOf(t, ln.Addr().String())
}

// A node that hangs and one that answers garbage are judged down on
// their own; the healthy master's monitoring never stalls meanwhile.
func TestMonitorHangingAndGarbageNodesDoNotStallOthers(t *testing.T) {
	good := testutil.StartRedis(t)
	ga := monAddrOf(t, good.Addr)
	silent, garbage := monFakeNode(t, false), monFakeNode(t, true)
	g := newMonGroup()
	monMonitorMaster(t, g, "good", ga, 1, "1000")
	monMonitorMaster(t, g, "silent", silent, 1, "1000")
	monMonitorMaster(t, g, "garbage", garbage, 1, "1000")
	k := DefaultKnobs()
	k.Update(func(v *KnobValues) { v.InfoPeriod = 200 })
	mon := monStartTestMonitor(t, g, k)
	g.waitEvent(t, "+sdown", "master silent", 4*time.Second)
	g.waitEvent(t, "+sdown", "master garbage", 4*time.Second)
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		st, ok := mon.Status("good", ga)
		if !ok || st.SDown || time.Since(st.LastOKPingReply) > 1200*time.Millisecond || time.Since(st.InfoAt) > 700*time.Millisecond {
			t.Fatalf("healthy master stalled: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := g.count("+sdown", "master good"); n != 0 {
		t.Fatalf("healthy master judged down %d times", n)
	}
}

// A master that rebooted (new run id) is announced with +reboot, and a
// master reporting role:slave gets -role-change.
func TestMonitorAnnouncesRebootAndRoleChange(t *testing.T) {
	other := testutil.StartRedis(t)
	mp := testutil.StartRedis(t)
	ma := monAddrOf(t, mp.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "m", ma, 1, "5000")
	k := DefaultKnobs()
	k.Update(func(v *KnobValues) { v.InfoPeriod = 100 })
	mon := monStartTestMonitor(t, g, k)
	monWaitFor(t, "first INFO", 5*time.Second, func() bool { st, _ := mon.Status("m", ma); return st.RunID != "" })
	if _, err := testutil.Query(mp.Addr, "REPLICAOF", "127.0.0.1", strconv.Itoa(other.Port)); err != nil {
		t.Fatal(err)
	}
	e := g.waitEvent(t, "-role-change", "master m", 3*time.Second)
	if e.Payload != "master m "+ma.IP+" "+strconv.Itoa(ma.Port)+" new reported role is slave" {
		t.Fatalf("payload %q", e.Payload)
	}
	testutil.Query(mp.Addr, "REPLICAOF", "NO", "ONE")
	g.waitEvent(t, "+role-change", "new reported role is master", 3*time.Second)
	// A reboot: another process on the same port.
	mp.Cmd.Process.Kill()
	monStartRedisOnPort(t, ma.Port)
	g.waitEvent(t, "+reboot", "master m", 5*time.Second)
}

// A master kept -BUSY by a runaway script is judged down and then sent
// one SCRIPT KILL, which brings it back.
func TestMonitorKillsBusyScriptOfDownMaster(t *testing.T) {
	mp := testutil.StartRedis(t, "--lua-time-limit", "100")
	ma := monAddrOf(t, mp.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "m", ma, 1, "500")
	mon := monStartTestMonitor(t, g, DefaultKnobs())
	monWaitFor(t, "first PONG", 5*time.Second, func() bool { st, _ := mon.Status("m", ma); return !st.LastOKPingReply.IsZero() })
	done := make(chan error, 1)
	go func() {
		c, err := testutil.DialClient(mp.Addr, time.Second)
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		c.Timeout = 10 * time.Second
		_, err = c.Do("EVAL", "while true do end", "0")
		done <- err
	}()
	g.waitEvent(t, "+sdown", "master m", 5*time.Second)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("script ended with %v, want killed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the busy script was not killed")
	}
	g.waitEvent(t, "-sdown", "master m", 5*time.Second)
}
