package sentinel

import (
	"slices"
	"testing"
	"time"
)

// foFixture is a replicated state with master m at M and replicas R1..R3,
// driven by applying the commands the state functions return.
type foFixture struct {
	t   *testing.T
	st  *State
	now time.Time
	k   KnobValues
	sts map[Addr]InstanceStatus
	evs []Event
}

var (
	foM  = Addr{"127.0.0.1", 7000}
	foR1 = Addr{"127.0.0.1", 7001}
	foR2 = Addr{"127.0.0.1", 7002}
	foR3 = Addr{"127.0.0.1", 7003}
)

const foMe = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func newFoFixture(t *testing.T) *foFixture {
	fx := &foFixture{t: t, st: NewState(), now: monT0, k: DefaultKnobs().Get(), sts: map[Addr]InstanceStatus{}}
	fx.apply(Command{Op: OpMonitor, Name: "m", IP: foM.IP, Port: foM.Port, Quorum: 1})
	fx.apply(Command{Op: OpSet, Name: "m", Options: []SetOption{{Name: "down-after-milliseconds", Values: []string{"1000"}},
		{Name: "failover-timeout", Values: []string{"5000"}}}})
	for _, r := range []Addr{foR1, foR2, foR3} {
		fx.apply(Command{Op: OpReplica, Name: "m", IP: r.IP, Port: r.Port})
		st := monGoodReplica(r, fx.now)
		st.MasterHost, st.MasterPort, st.MasterLinkUp = foM.IP, foM.Port, true
		fx.sts[r] = st
	}
	fx.sts[foM] = InstanceStatus{Addr: foM, Connected: true, Role: "master", InfoAt: fx.now, LastOKPingReply: fx.now}
	return fx
}

func (fx *foFixture) apply(c Command) Result {
	fx.t.Helper()
	if c.NowMs == 0 {
		c.NowMs = fx.now.UnixMilli()
	}
	res, evs := fx.st.Apply(c)
	fx.evs = append(fx.evs, evs...)
	return res
}

func (fx *foFixture) view() foView {
	m := *fx.st.Masters["m"]
	if m.Failover != nil {
		f := *m.Failover
		m.Failover = &f
	}
	m.Replicas = slices.Clone(m.Replicas)
	return foView{Now: fx.now, M: &m, Statuses: fx.sts, K: fx.k, MyID: foMe, RaftID: "r1"}
}

func (fx *foFixture) mustPropose(st foStep, op string) Command {
	fx.t.Helper()
	if st.Propose == nil || st.Propose.Op != op {
		fx.t.Fatalf("step %+v, want a %s proposal", st, op)
	}
	if res := fx.apply(*st.Propose); res.Err != "" {
		fx.t.Fatalf("%s refused: %s", op, res.Err)
	}
	return *st.Propose
}

func (fx *foFixture) hasEvent(ch string) bool {
	for _, e := range fx.evs {
		if e.Channel == ch {
			return true
		}
	}
	return false
}

func (fx *foFixture) odown() {
	fx.apply(Command{Op: OpOpinion, Name: "m", Sentinel: foMe, Down: true, IP: foM.IP, Port: foM.Port})
	st := fx.sts[foM]
	st.SDown, st.SDownSince, st.Connected = true, fx.now, false
	fx.sts[foM] = st
}

func TestFailoverStartsOnlyOnODownAfterGrace(t *testing.T) {
	fx := newFoFixture(t)
	if st := foWaitStart(fx.view(), false, time.Time{}); st.Propose != nil {
		t.Fatal("started without ODOWN")
	}
	fx.odown()
	if st := foWaitStart(fx.view(), false, time.Time{}); st.Propose != nil {
		t.Fatal("started inside the grace period of a just-monitored master")
	}
	fx.now = fx.now.Add(1001 * time.Millisecond)
	if st := foWaitStart(fx.view(), true, time.Time{}); st.Propose != nil {
		t.Fatal("started in TILT")
	}
	if st := foWaitStart(fx.view(), false, fx.now.Add(time.Second)); st.Propose != nil {
		t.Fatal("started before the retry delay")
	}
	// A down opinion from a sentinel this one sees dead does not count.
	fx.apply(Command{Op: OpSet, Name: "m", Options: []SetOption{{Name: "quorum", Values: []string{"2"}}}})
	fx.apply(Command{Op: OpOpinion, Name: "m", Sentinel: "dead", Down: true, IP: foM.IP, Port: foM.Port})
	if !fx.st.Masters["m"].ODown {
		t.Fatal("fixture: no ODOWN with two opinions")
	}
	v := fx.view()
	v.PeerUp = func(id string) bool { return id != "dead" }
	if st := foWaitStart(v, false, time.Time{}); st.Propose != nil {
		t.Fatal("started on the opinion of a dead sentinel")
	}
	v.PeerUp = func(id string) bool { return true }
	c := fx.mustPropose(foWaitStart(v, false, time.Time{}), OpFailoverStart)
	if c.Sentinel != foMe || c.RaftID != "r1" || c.Forced {
		t.Fatalf("start command %+v", c)
	}
}

func TestFailoverWalkPromotesBestReplicaAndReconfiguresOthers(t *testing.T) {
	fx := newFoFixture(t)
	fx.odown()
	fx.now = fx.now.Add(2 * time.Second)
	for _, r := range []Addr{foR1, foR2, foR3} {
		st := fx.sts[r]
		st.LastOKPingReply, st.InfoAt = fx.now, fx.now
		fx.sts[r] = st
	}
	r2 := fx.sts[foR2]
	r2.SlaveReplOffset = 500
	fx.sts[foR2] = r2
	fx.mustPropose(foWaitStart(fx.view(), false, time.Time{}), OpFailoverStart)

	c := fx.mustPropose(foSelectSlave(fx.view()), OpFailoverState)
	if c.State != FailoverSendSlaveof || (Addr{c.IP, c.Port}) != foR2 {
		t.Fatalf("selected %+v, want R2 (highest offset)", c)
	}
	st := foSendSlaveofNoOne(fx.view(), nil, false)
	if len(st.Send) != 1 || st.Send[0].Addr != foR2 || !st.Send[0].To.IsZero() || st.Propose != nil {
		t.Fatalf("send_slaveof step %+v", st)
	}
	fx.mustPropose(foSendSlaveofNoOne(fx.view(), nil, true), OpFailoverState)
	if fx.st.Masters["m"].Failover.State != FailoverWaitPromotion {
		t.Fatal("not in wait_promotion")
	}
	if st := foWaitPromotion(fx.view()); st.Propose != nil || len(st.Poll) != 1 || st.Poll[0] != foR2 {
		t.Fatalf("wait_promotion while still a replica: %+v", st)
	}
	r2.Role = "master"
	fx.sts[foR2] = r2
	fx.mustPropose(foWaitPromotion(fx.view()), OpSwitch)
	if m := fx.st.Masters["m"]; m.Addr != foR2 || !fx.hasEvent("+switch-master") {
		t.Fatalf("switch not committed: %+v", m)
	}

	// reconf_slaves: the old master is down and skipped; R1 and R3 one at
	// a time (parallel-syncs 1).
	track := map[Addr]*foReplicaTrack{}
	fx.now = fx.now.Add(10 * time.Millisecond)
	st = foReconfSlaves(fx.view(), track)
	if st.Propose != nil || len(st.Send) != 1 || st.Send[0].Addr != foR1 || st.Send[0].To != foR2 || st.Send[0].Event != "+slave-reconf-sent" {
		t.Fatalf("first reconf step %+v", st)
	}
	fx.now = fx.now.Add(10 * time.Millisecond)
	if st = foReconfSlaves(fx.view(), track); len(st.Send) != 0 || st.Propose != nil || len(st.Poll) != 1 {
		t.Fatalf("second reconf step sent more than parallel-syncs: %+v", st)
	}
	r1 := fx.sts[foR1]
	r1.MasterHost, r1.MasterPort, r1.MasterLinkUp, r1.InfoAt = foR2.IP, foR2.Port, false, fx.now
	fx.sts[foR1] = r1
	st = foReconfSlaves(fx.view(), track)
	if len(st.Events) != 1 || st.Events[0].Channel != "+slave-reconf-inprog" {
		t.Fatalf("inprog step %+v", st)
	}
	r1.MasterLinkUp = true
	fx.sts[foR1] = r1
	st = foReconfSlaves(fx.view(), track)
	if len(st.Events) != 1 || st.Events[0].Channel != "+slave-reconf-done" || len(st.Send) != 1 || st.Send[0].Addr != foR3 {
		t.Fatalf("done step %+v", st)
	}
	fx.now = fx.now.Add(11 * time.Second) // R3 never answers: given up after the reconf timeout
	st = foReconfSlaves(fx.view(), track)
	if st.Propose == nil || st.Propose.Op != OpFailoverEnd || !st.Propose.Timeout {
		// 11 s is also past failover-timeout (5 s): the failover ends for timeout.
		t.Fatalf("timeout step %+v", st)
	}
	fx.mustPropose(st, OpFailoverEnd)
	if fx.st.Masters["m"].Failover != nil || !fx.hasEvent("+failover-end-for-timeout") {
		t.Fatal("failover not ended")
	}
}

func TestFailoverReconfEndsWhenAllReachableReplicasDone(t *testing.T) {
	fx := newFoFixture(t)
	fx.apply(Command{Op: OpFailoverStart, Name: "m", Sentinel: foMe, Forced: true})
	fx.apply(Command{Op: OpFailoverState, Name: "m", Epoch: 1, State: FailoverSendSlaveof, IP: foR1.IP, Port: foR1.Port})
	fx.apply(Command{Op: OpSwitch, Name: "m", Epoch: 1})
	for _, r := range []Addr{foR2, foR3} {
		st := fx.sts[r]
		st.MasterHost, st.MasterPort = foR1.IP, foR1.Port // already following
		fx.sts[r] = st
	}
	old := fx.sts[foM]
	old.SDown = true
	fx.sts[foM] = old
	st := foReconfSlaves(fx.view(), map[Addr]*foReplicaTrack{})
	if len(st.Send) != 0 || st.Propose == nil || st.Propose.Op != OpFailoverEnd || st.Propose.Timeout {
		t.Fatalf("step %+v, want a plain end", st)
	}
}

func TestFailoverAbortsWhenReplicaUnreachableOrNoneGood(t *testing.T) {
	fx := newFoFixture(t)
	for _, r := range []Addr{foR1, foR2, foR3} {
		st := fx.sts[r]
		st.SlavePriority = 0
		fx.sts[r] = st
	}
	fx.apply(Command{Op: OpFailoverStart, Name: "m", Sentinel: foMe, Forced: true})
	st := foSelectSlave(fx.view())
	if st.Propose == nil || st.Propose.Op != OpFailoverAbort || st.Propose.Reason != abortNoGoodSlave {
		t.Fatalf("step %+v", st)
	}
	fx.mustPropose(st, OpFailoverAbort)

	fx = newFoFixture(t)
	fx.apply(Command{Op: OpFailoverStart, Name: "m", Sentinel: foMe, Forced: true})
	fx.apply(Command{Op: OpFailoverState, Name: "m", Epoch: 1, State: FailoverSendSlaveof, IP: foR1.IP, Port: foR1.Port})
	if st := foSendSlaveofNoOne(fx.view(), foErrTestIO, true); st.Propose != nil || len(st.Send) != 0 {
		t.Fatalf("failed send inside the timeout: %+v", st)
	}
	fx.now = fx.now.Add(5001 * time.Millisecond)
	st = foSendSlaveofNoOne(fx.view(), foErrTestIO, true)
	if st.Propose == nil || st.Propose.Reason != abortSlaveTimeout {
		t.Fatalf("step %+v", st)
	}
	fx.mustPropose(st, OpFailoverAbort)
	if !fx.hasEvent(abortSlaveTimeout) {
		t.Fatal("no abort event")
	}
}

// A leader taking over a failover whose replica already reports
// role:master commits the switch without sending anything again.
func TestFailoverTakeoverOfPromotedReplicaSwitchesAtOnce(t *testing.T) {
	fx := newFoFixture(t)
	fx.apply(Command{Op: OpFailoverStart, Name: "m", Sentinel: "other", Forced: true})
	fx.apply(Command{Op: OpFailoverState, Name: "m", Epoch: 1, State: FailoverSendSlaveof, IP: foR3.IP, Port: foR3.Port})
	r3 := fx.sts[foR3]
	r3.Role = "master"
	fx.sts[foR3] = r3
	st := foSendSlaveofNoOne(fx.view(), nil, false)
	if len(st.Send) != 0 {
		t.Fatalf("resent to a promoted replica: %+v", st)
	}
	fx.mustPropose(st, OpSwitch)
	if fx.st.Masters["m"].Addr != foR3 {
		t.Fatal("not switched to the recorded replica")
	}
}

func TestEnforceConvertsStaleMasterButNeverTheCurrentOne(t *testing.T) {
	fx := newFoFixture(t)
	track := map[Addr]*foFixTrack{}
	r1 := fx.sts[foR1]
	r1.Role = "master" // e.g. an old master back from the dead
	fx.sts[foR1] = r1
	r2 := fx.sts[foR2]
	r2.MasterHost, r2.MasterPort = "127.0.0.1", 9999 // following someone else
	fx.sts[foR2] = r2
	st := foEnforce(fx.view(), track)
	if len(st.Send) != 0 || len(st.Poll) != 2 {
		t.Fatalf("first sight must only ask for fresh INFO: %+v", st)
	}
	fx.now = fx.now.Add(500 * time.Millisecond)
	r1.InfoAt, r2.InfoAt = fx.now, fx.now
	fx.sts[foR1], fx.sts[foR2] = r1, r2
	if st = foEnforce(fx.view(), track); len(st.Send) != 0 {
		t.Fatalf("acted inside the quiet period: %+v", st)
	}
	fx.now = fx.now.Add(600 * time.Millisecond)
	st = foEnforce(fx.view(), track)
	if len(st.Send) != 2 || st.Send[0] != (foSend{foR1, foM, "+convert-to-slave"}) || st.Send[1] != (foSend{foR2, foM, "+fix-slave-config"}) {
		t.Fatalf("enforce step %+v", st)
	}
	if st = foEnforce(fx.view(), track); len(st.Send) != 0 {
		t.Fatalf("resent without fresh INFO: %+v", st)
	}
	// Never while the master itself does not look sane.
	ms := fx.sts[foM]
	ms.SDown = true
	fx.sts[foM] = ms
	fx.now = fx.now.Add(10 * time.Second)
	r1.InfoAt = fx.now
	fx.sts[foR1] = r1
	if st = foEnforce(fx.view(), map[Addr]*foFixTrack{}); len(st.Send)+len(st.Poll) != 0 {
		t.Fatalf("acted with the master down: %+v", st)
	}
	for _, s := range st.Send {
		if s.Addr == foM {
			t.Fatal("reconfigured the current master")
		}
	}
}

var foErrTestIO = foErrString("i/o failure")

type foErrString string

func (e foErrString) Error() string { return string(e) }
