package sentinel

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/raft"
)

// step is one command and what Apply must answer.
type step struct {
	cmd    Command
	err    string   // expected Result.Err ("" = accepted)
	events []string // "channel payload", in order; nil = none
}

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	idC = "cccccccccccccccccccccccccccccccccccccccc"
)

func runSteps(t *testing.T, st *State, steps []step) {
	t.Helper()
	for i, s := range steps {
		res, evs := st.Apply(s.cmd)
		if res.Err != s.err {
			t.Fatalf("step %d (%s): err %q, want %q", i, s.cmd.Op, res.Err, s.err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.Channel+" "+e.Payload)
		}
		if !reflect.DeepEqual(got, s.events) {
			t.Fatalf("step %d (%s): events\n%s\nwant\n%s", i, s.cmd.Op, strings.Join(got, "\n"), strings.Join(s.events, "\n"))
		}
	}
}

// monitored returns a state with master mymaster at 127.0.0.1:6379
// (quorum 2, down-after 1000), replicas 6380 and 6381, members A and B.
func monitored(t *testing.T) *State {
	st := NewState()
	runSteps(t, st, []step{
		{cmd: Command{Op: OpMonitor, NowMs: 1000, Name: "mymaster", IP: "127.0.0.1", Port: 6379, Quorum: 2},
			events: []string{"+monitor master mymaster 127.0.0.1 6379 quorum 2"}},
		{cmd: Command{Op: OpSet, Name: "mymaster", Options: []SetOption{{Name: "down-after-milliseconds", Values: []string{"1000"}}}},
			events: []string{"+set master mymaster 127.0.0.1 6379 down-after-milliseconds 1000"}},
		{cmd: Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6380},
			events: []string{"+slave slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6381},
			events: []string{"+slave slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpMember, Member: &Member{ID: idA, IP: "127.0.0.1", Port: 26379, RaftID: "a", RaftAddr: "127.0.0.1:36379"}},
			events: []string{"+sentinel sentinel " + idA + " 127.0.0.1 26379 @ mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpMember, Member: &Member{ID: idB, IP: "127.0.0.1", Port: 26380, RaftID: "b", RaftAddr: "127.0.0.1:36380"}},
			events: []string{"+sentinel sentinel " + idB + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"}},
	})
	return st
}

func down(id string, port int, epoch uint64, now int64) Command {
	return Command{Op: OpOpinion, NowMs: now, Name: "mymaster", Sentinel: id, Down: true, IP: "127.0.0.1", Port: port, ConfigEpoch: epoch}
}

func TestSeedAppliesConfigOnceWithDefaults(t *testing.T) {
	st := NewState()
	seed := []*Master{
		{Name: "b", Addr: Addr{"127.0.0.1", 7000}, Quorum: 1, DownAfterMs: 5000, ConfigEpoch: 4,
			Replicas: []Addr{{"127.0.0.1", 7001}, {"127.0.0.1", 7000}, {"127.0.0.1", 7001}}},
		{Name: "a", Addr: Addr{"127.0.0.1", 6000}, Quorum: 2, RenameCommands: map[string]string{"CONFIG": "cfg"}},
	}
	runSteps(t, st, []step{
		{cmd: Command{Op: OpSeed, NowMs: 42, Masters: seed, Epoch: 2}, events: []string{
			"+monitor master b 127.0.0.1 7000 quorum 1", "+monitor master a 127.0.0.1 6000 quorum 2"}},
		{cmd: Command{Op: OpSeed, NowMs: 43, Masters: []*Master{{Name: "c", Addr: Addr{"127.0.0.1", 1}, Quorum: 1}}}},
	})
	if !st.Seeded || len(st.Masters) != 2 || st.CurrentEpoch != 4 {
		t.Fatalf("seeded=%v masters=%d epoch=%d", st.Seeded, len(st.Masters), st.CurrentEpoch)
	}
	a, b := st.Masters["a"], st.Masters["b"]
	if a.DownAfterMs != 30000 || a.FailoverTimeoutMs != 180000 || a.ParallelSyncs != 1 || a.SwitchedAtMs != 42 {
		t.Fatalf("defaults not applied: %+v", a)
	}
	if a.RenameCommands["config"] != "cfg" {
		t.Fatalf("rename map %v", a.RenameCommands)
	}
	if b.DownAfterMs != 5000 || !reflect.DeepEqual(b.Replicas, []Addr{{"127.0.0.1", 7001}}) {
		t.Fatalf("seed values lost: %+v", b)
	}
	seed[0].Replicas[0].Port = 1 // the state must not alias the proposer's values
	if b.Replicas[0].Port != 7001 {
		t.Fatal("state aliases the seed's replica list")
	}
}

func TestMonitorRemoveAndDuplicates(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		{cmd: Command{Op: OpMonitor, Name: "mymaster", IP: "127.0.0.1", Port: 1, Quorum: 1}, err: "ERR Duplicate master name."},
		{cmd: Command{Op: OpMonitor, Name: "other", IP: "127.0.0.2", Port: 7000, Quorum: 3}, events: []string{
			"+monitor master other 127.0.0.2 7000 quorum 3",
			"+sentinel sentinel " + idA + " 127.0.0.1 26379 @ other 127.0.0.2 7000",
			"+sentinel sentinel " + idB + " 127.0.0.1 26380 @ other 127.0.0.2 7000"}},
		{cmd: Command{Op: OpRemove, Name: "other"}, events: []string{"-monitor master other 127.0.0.2 7000"}},
		{cmd: Command{Op: OpRemove, Name: "other"}, err: "ERR No such master with that name"},
		{cmd: Command{Op: "bogus"}, err: resBadCommand},
	})
	if st.Masters["other"] != nil {
		t.Fatal("removed master still present")
	}
}

func TestSetAppliesOptionsInOrderAndStopsAtBadOne(t *testing.T) {
	st := monitored(t)
	opts := []SetOption{
		{Name: "failover-timeout", Values: []string{"5000"}},
		{Name: "AUTH-PASS", Values: []string{"secret"}},
		{Name: "auth-user", Values: []string{"bob"}},
		{Name: "parallel-syncs", Values: []string{"2"}},
		{Name: "rename-command", Values: []string{"CONFIG", "xconfig"}},
		{Name: "master-reboot-down-after-period", Values: []string{"0"}},
		{Name: "notification-script", Values: []string{"/bin/true"}},
		{Name: "quorum", Values: []string{"0"}},
		{Name: "parallel-syncs", Values: []string{"9"}},
	}
	d := "+set master mymaster 127.0.0.1 6379 "
	runSteps(t, st, []step{
		{cmd: Command{Op: OpSet, Name: "mymaster", Options: opts},
			err: "ERR Unknown option or number of arguments for SENTINEL SET 'quorum'",
			events: []string{d + "failover-timeout 5000", d + "AUTH-PASS ******", d + "auth-user bob", d + "parallel-syncs 2",
				d + "rename-command CONFIG xconfig", d + "master-reboot-down-after-period 0", d + "notification-script /bin/true"}},
		{cmd: Command{Op: OpSet, Name: "nope", Options: opts[:1]}, err: resNoSuchMaster},
		{cmd: Command{Op: OpSet, Name: "mymaster", Options: []SetOption{{Name: "rename-command", Values: []string{"config", "CONFIG"}}}},
			events: []string{d + "rename-command config CONFIG"}},
	})
	m := st.Masters["mymaster"]
	if m.FailoverTimeoutMs != 5000 || m.AuthPass != "secret" || m.AuthUser != "bob" || m.ParallelSyncs != 2 ||
		m.NotificationScript != "/bin/true" || m.Quorum != 2 {
		t.Fatalf("options not applied as expected: %+v", m)
	}
	if len(m.RenameCommands) != 0 {
		t.Fatalf("renaming a command to itself must drop the rename: %v", m.RenameCommands)
	}
}

func TestOpinionsDeriveODownBoundToAddressAndEpoch(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		{cmd: down(idA, 6379, 0, 5000)},
		// An opinion about another address or config epoch does not count.
		{cmd: down(idB, 6380, 0, 5001)},
		{cmd: down(idB, 6379, 7, 5002)},
		{cmd: down(idB, 6379, 0, 5003), events: []string{"+odown master mymaster 127.0.0.1 6379 #quorum 2/2"}},
		{cmd: Command{Op: OpOpinion, Name: "mymaster", Sentinel: idA, Down: false, IP: "127.0.0.1", Port: 6379}, events: []string{"-odown master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpSet, Name: "mymaster", Options: []SetOption{{Name: "quorum", Values: []string{"1"}}}}, events: []string{
			"+set master mymaster 127.0.0.1 6379 quorum 1", "+odown master mymaster 127.0.0.1 6379 #quorum 1/1"}},
		// A member that leaves takes its opinion with it.
		{cmd: Command{Op: OpForget, RaftID: "b"}, events: []string{"-odown master mymaster 127.0.0.1 6379"}},
		{cmd: down(idA, 6379, 0, 6000), events: []string{"+odown master mymaster 127.0.0.1 6379 #quorum 1/1"}},
		{cmd: Command{Op: OpOpinion, Name: "nope", Sentinel: idA}, err: resNoSuchMaster},
		{cmd: Command{Op: OpOpinion, Name: "mymaster"}, err: resBadCommand},
	})
	if st.Members[idB] != nil || st.Masters["mymaster"].ODownSinceMs != 6000 {
		t.Fatalf("forget/odown since: %+v", st.Masters["mymaster"])
	}
}

func TestReplicaDiscoveryIgnoresKnownAndMaster(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		{cmd: Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6380}},
		{cmd: Command{Op: OpReplica, Name: "mymaster", IP: "127.0.0.1", Port: 6379}},
		{cmd: Command{Op: OpReplica, Name: "mymaster", IP: "::1", Port: 6390},
			events: []string{"+slave slave [::1]:6390 ::1 6390 @ mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpReplica, Name: "nope", IP: "127.0.0.1", Port: 1}, err: resNoSuchMaster},
	})
	if n := len(st.Masters["mymaster"].Replicas); n != 3 {
		t.Fatalf("replicas %d", n)
	}
}

func TestMemberUpdatesAndAddressTakeover(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		// Same id again, same address: nothing to announce.
		{cmd: Command{Op: OpMember, Member: &Member{ID: idA, IP: "127.0.0.1", Port: 26379, RaftID: "a", RaftAddr: "x"}}},
		{cmd: Command{Op: OpMember, Member: &Member{ID: idA, IP: "127.0.0.2", Port: 26379, RaftID: "a"}},
			events: []string{"+sentinel-address-switch master mymaster 127.0.0.1 6379 ip 127.0.0.2 port 26379 for " + idA}},
		// A new id at B's address replaces B.
		{cmd: Command{Op: OpMember, Member: &Member{ID: idC, IP: "127.0.0.1", Port: 26380, RaftID: "c"}},
			events: []string{"+sentinel sentinel " + idC + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpMember}, err: resBadCommand},
	})
	if st.Members[idB] != nil || st.Members[idC] == nil || st.Members[idA].IP != "127.0.0.2" {
		t.Fatalf("members %+v", st.Members)
	}
}

func TestResetForgetsLearntStateOfMatchingMasters(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		{cmd: Command{Op: OpMonitor, Name: "other", IP: "127.0.0.1", Port: 7000, Quorum: 1}, events: []string{
			"+monitor master other 127.0.0.1 7000 quorum 1",
			"+sentinel sentinel " + idA + " 127.0.0.1 26379 @ other 127.0.0.1 7000",
			"+sentinel sentinel " + idB + " 127.0.0.1 26380 @ other 127.0.0.1 7000"}},
		{cmd: Command{Op: OpFailoverStart, Name: "mymaster", Forced: true, Sentinel: idA}, events: []string{
			"+new-epoch 1", "+try-failover master mymaster 127.0.0.1 6379", "+vote-for-leader " + idA + " 1",
			"+elected-leader master mymaster 127.0.0.1 6379", "+failover-state-select-slave master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpReset, Pattern: "my*"}, events: []string{
			"+reset-master master mymaster 127.0.0.1 6379",
			"+sentinel sentinel " + idA + " 127.0.0.1 26379 @ mymaster 127.0.0.1 6379",
			"+sentinel sentinel " + idB + " 127.0.0.1 26380 @ mymaster 127.0.0.1 6379"}},
	})
	if res, _ := st.Apply(Command{Op: OpReset, Pattern: "MY*"}); res.N != 0 {
		t.Fatalf("reset pattern is case-sensitive; matched %d", res.N)
	}
	m := st.Masters["mymaster"]
	if len(m.Replicas) != 0 || m.Failover != nil || m.Opinions != nil || m.DownAfterMs != 1000 || m.LeaderEpoch != 1 {
		t.Fatalf("reset: %+v", m)
	}
	if res, _ := st.Apply(Command{Op: OpReset, Pattern: "*"}); res.N != 2 {
		t.Fatalf("reset * matched %d", res.N)
	}
}

func TestFailoverStartRefusals(t *testing.T) {
	st := monitored(t) // switched at 1000, down-after 1000: grace until 2000
	runSteps(t, st, []step{
		{cmd: Command{Op: OpFailoverStart, NowMs: 5000, Name: "nope"}, err: resNoSuchMaster},
		{cmd: Command{Op: OpFailoverStart, NowMs: 5000, Name: "mymaster", Sentinel: idA}, err: resNotODown},
		{cmd: down(idA, 6379, 0, 1500)},
		{cmd: down(idB, 6379, 0, 1500), events: []string{"+odown master mymaster 127.0.0.1 6379 #quorum 2/2"}},
		{cmd: Command{Op: OpFailoverStart, NowMs: 1999, Name: "mymaster", Sentinel: idA}, err: resGracePeriod},
		{cmd: Command{Op: OpFailoverStart, NowMs: 2000, Name: "mymaster", Sentinel: idA, RaftID: "a"}, events: []string{
			"+new-epoch 1", "+try-failover master mymaster 127.0.0.1 6379", "+vote-for-leader " + idA + " 1",
			"+elected-leader master mymaster 127.0.0.1 6379", "+failover-state-select-slave master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpFailoverStart, NowMs: 2001, Name: "mymaster", Sentinel: idB, Forced: true}, err: "INPROG Failover already in progress"},
	})
	f := st.Masters["mymaster"].Failover
	if f == nil || f.Epoch != 1 || f.Leader != idA || f.LeaderRaftID != "a" || f.State != FailoverSelectSlave ||
		f.OldAddr != (Addr{"127.0.0.1", 6379}) || st.Masters["mymaster"].LeaderEpoch != 1 {
		t.Fatalf("failover record %+v", f)
	}
}

func TestFailoverRunsForwardOnlyAndSwitchesOnce(t *testing.T) {
	st := monitored(t)
	st.CurrentEpoch = 4
	rep := "slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"
	fs := func(state string, port int) Command {
		return Command{Op: OpFailoverState, NowMs: 3000, Name: "mymaster", Epoch: 5, State: state, IP: "127.0.0.1", Port: port}
	}
	runSteps(t, st, []step{
		{cmd: down(idA, 6379, 0, 1500)},
		{cmd: down(idB, 6379, 0, 1500), events: []string{"+odown master mymaster 127.0.0.1 6379 #quorum 2/2"}},
		{cmd: Command{Op: OpFailoverStart, NowMs: 2500, Name: "mymaster", Sentinel: idA}, events: []string{
			"+new-epoch 5", "+try-failover master mymaster 127.0.0.1 6379", "+vote-for-leader " + idA + " 5",
			"+elected-leader master mymaster 127.0.0.1 6379", "+failover-state-select-slave master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpFailoverState, Name: "mymaster", Epoch: 4, State: FailoverWaitPromotion}, err: resNoFailover},
		{cmd: fs(FailoverWaitPromotion, 0), err: resBadFailoverState}, // no replica chosen yet
		{cmd: fs(FailoverSendSlaveof, 0), err: resBadFailoverState},   // choice needs an address
		{cmd: Command{Op: OpSwitch, Name: "mymaster", Epoch: 5}, err: resBadFailoverState},
		{cmd: fs("nonsense", 1), err: resBadFailoverState},
		{cmd: fs(FailoverSendSlaveof, 6381), events: []string{"+selected-slave " + rep, "+failover-state-send-slaveof-noone " + rep}},
		{cmd: fs(FailoverSendSlaveof, 6381)},                           // retry: silent
		{cmd: fs(FailoverSendSlaveof, 6380), err: resBadFailoverState}, // never a second replica
		{cmd: fs(FailoverReconfSlaves, 0), err: resBadFailoverState},   // only through the switch
		{cmd: fs(FailoverUpdateConfig, 0), err: resBadFailoverState},   // not switched yet
		{cmd: fs(FailoverWaitPromotion, 0), events: []string{"+failover-state-wait-promotion " + rep}},
		{cmd: fs(FailoverSelectSlave, 0), err: resBadFailoverState}, // backwards
		{cmd: Command{Op: OpSwitch, NowMs: 4000, Name: "mymaster", Epoch: 5}, events: []string{
			"+promoted-slave " + rep,
			"+failover-state-reconf-slaves master mymaster 127.0.0.1 6379",
			"-odown master mymaster 127.0.0.1 6379",
			"+switch-master mymaster 127.0.0.1 6379 127.0.0.1 6381",
			"+slave slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6381",
			"+slave slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster 127.0.0.1 6381"}},
		{cmd: Command{Op: OpSwitch, NowMs: 4001, Name: "mymaster", Epoch: 5}}, // retry: silent
		{cmd: Command{Op: OpFailoverAbort, Name: "mymaster", Epoch: 5, Reason: "-failover-abort-slave-timeout"}, err: resAlreadySwitched},
		// Opinions still naming the old master (or the old epoch) never count.
		{cmd: down(idA, 6379, 0, 4100)},
		{cmd: down(idB, 6381, 0, 4100)},
		{cmd: Command{Op: OpFailoverStart, NowMs: 4500, Name: "mymaster", Sentinel: idA}, err: "INPROG Failover already in progress"},
		{cmd: Command{Op: OpFailoverEnd, Name: "mymaster", Epoch: 4}, err: resNoFailover},
		{cmd: Command{Op: OpFailoverEnd, Name: "mymaster", Epoch: 5, Timeout: true}, events: []string{
			"+failover-end-for-timeout master mymaster 127.0.0.1 6381", "+failover-end master mymaster 127.0.0.1 6381"}},
		{cmd: Command{Op: OpFailoverEnd, Name: "mymaster", Epoch: 5}}, // retry: silent
		// The new master is in its grace period (switched at 4000, down-after 1000).
		{cmd: down(idA, 6381, 5, 4200)},
		{cmd: down(idB, 6381, 5, 4200), events: []string{"+odown master mymaster 127.0.0.1 6381 #quorum 2/2"}},
		{cmd: Command{Op: OpFailoverStart, NowMs: 4999, Name: "mymaster", Sentinel: idA}, err: resGracePeriod},
	})
	m := st.Masters["mymaster"]
	want := []Addr{{"127.0.0.1", 6380}, {"127.0.0.1", 6379}}
	if m.Addr != (Addr{"127.0.0.1", 6381}) || m.ConfigEpoch != 5 || !reflect.DeepEqual(m.Replicas, want) || m.SwitchedAtMs != 4000 || m.Failover != nil {
		t.Fatalf("after switch: %+v", m)
	}
}

func TestFailoverAbortBeforeSwitch(t *testing.T) {
	st := monitored(t)
	runSteps(t, st, []step{
		{cmd: Command{Op: OpFailoverStart, NowMs: 9000, Name: "mymaster", Sentinel: idB, Forced: true}, events: []string{
			"+new-epoch 1", "+try-failover master mymaster 127.0.0.1 6379", "+vote-for-leader " + idB + " 1",
			"+elected-leader master mymaster 127.0.0.1 6379", "+failover-state-select-slave master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpFailoverAbort, Name: "mymaster", Epoch: 2, Reason: "-failover-abort-no-good-slave"}, err: resNoFailover},
		{cmd: Command{Op: OpFailoverAbort, Name: "mymaster", Epoch: 1, Reason: "+bogus"}, err: resBadCommand},
		{cmd: Command{Op: OpFailoverAbort, Name: "mymaster", Epoch: 1, Reason: "-failover-abort-no-good-slave"},
			events: []string{"-failover-abort-no-good-slave master mymaster 127.0.0.1 6379"}},
		{cmd: Command{Op: OpFailoverAbort, Name: "mymaster", Epoch: 1, Reason: "-failover-abort-no-good-slave"}},
		{cmd: Command{Op: OpFailoverAbort, Name: "nope", Epoch: 1}, err: resNoSuchMaster},
		{cmd: Command{Op: OpFailoverStart, NowMs: 9001, Name: "mymaster", Sentinel: idB, Forced: true}, events: []string{
			"+new-epoch 2", "+try-failover master mymaster 127.0.0.1 6379", "+vote-for-leader " + idB + " 2",
			"+elected-leader master mymaster 127.0.0.1 6379", "+failover-state-select-slave master mymaster 127.0.0.1 6379"}},
	})
}

// memSink is a raft.SnapshotSink in memory.
type memSink struct{ bytes.Buffer }

func (m *memSink) ID() string    { return "mem" }
func (m *memSink) Cancel() error { return nil }
func (m *memSink) Close() error  { return nil }

func TestFSMReplaysOldEntriesSilentlyAndRoundTripsSnapshots(t *testing.T) {
	var got []string
	f := newFSM(func(evs []Event) {
		for _, e := range evs {
			got = append(got, e.Channel)
		}
	})
	f.replayedUpTo.Store(1)
	entry := func(i uint64, c Command) *raft.Log {
		data, _ := json.Marshal(c)
		return &raft.Log{Index: i, Type: raft.LogCommand, Data: data}
	}
	f.Apply(entry(1, Command{Op: OpMonitor, Name: "m1", IP: "127.0.0.1", Port: 1, Quorum: 1}))
	res := f.Apply(entry(2, Command{Op: OpMonitor, Name: "m2", IP: "127.0.0.1", Port: 2, Quorum: 1}))
	if r, ok := res.(Result); !ok || r.Err != "" {
		t.Fatalf("apply returned %#v", res)
	}
	if dup := f.Apply(entry(3, Command{Op: OpMonitor, Name: "m2", IP: "127.0.0.1", Port: 2, Quorum: 1})).(Result); dup.Err != resDuplicateMaster {
		t.Fatalf("duplicate: %+v", dup)
	}
	if bad := f.Apply(&raft.Log{Index: 4, Data: []byte("{")}).(Result); bad.Err != resBadCommand {
		t.Fatalf("garbage entry: %+v", bad)
	}
	if !reflect.DeepEqual(got, []string{"+monitor"}) {
		t.Fatalf("published %v, want only the entry after the replay point", got)
	}
	select {
	case <-f.changed:
	default:
		t.Fatal("no change notification")
	}
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	g := newFSM(nil)
	g.st.Masters["stale"] = &Master{Name: "stale"}
	if err := g.Restore(io.NopCloser(&sink)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g.st, f.st) || g.st.Masters["stale"] != nil {
		t.Fatalf("restored state differs:\n%+v\n%+v", g.st, f.st)
	}
}
