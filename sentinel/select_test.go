package sentinel

import (
	"testing"
	"time"
)

func monGoodReplica(a Addr, now time.Time) InstanceStatus {
	return InstanceStatus{Addr: a, Connected: true, LastOKPingReply: now.Add(-100 * time.Millisecond),
		InfoAt: now.Add(-500 * time.Millisecond), Role: "slave", SlavePriority: 100, ReplicaAnnounced: true}
}

func TestSelectReplicaRules(t *testing.T) {
	now := monT0
	k := DefaultKnobs().Get()
	a, b, c := Addr{"127.0.0.1", 1}, Addr{"127.0.0.1", 2}, Addr{"127.0.0.1", 3}
	master := Addr{"127.0.0.1", 9}
	m := &Master{Name: "m", Addr: master, DownAfterMs: 1000, Replicas: []Addr{a, b, c}}
	type mod func(map[Addr]InstanceStatus)
	set := func(x Addr, f func(*InstanceStatus)) mod {
		return func(s map[Addr]InstanceStatus) { st := s[x]; f(&st); s[x] = st }
	}
	cases := []struct {
		name string
		mods []mod
		want Addr
		ok   bool
	}{
		{"smaller run id wins a tie", []mod{
			set(a, func(s *InstanceStatus) { s.RunID = "bbbb" }), set(b, func(s *InstanceStatus) { s.RunID = "AAAA" }),
			set(c, func(s *InstanceStatus) { s.RunID = "" })}, b, true},
		{"higher offset beats run id", []mod{
			set(a, func(s *InstanceStatus) { s.RunID = "a"; s.SlaveReplOffset = 10 }),
			set(c, func(s *InstanceStatus) { s.RunID = "z"; s.SlaveReplOffset = 11 })}, c, true},
		{"lower priority beats offset", []mod{
			set(a, func(s *InstanceStatus) { s.SlaveReplOffset = 100 }),
			set(b, func(s *InstanceStatus) { s.SlavePriority = 10 })}, b, true},
		{"priority 0 never", []mod{
			set(a, func(s *InstanceStatus) { s.SlavePriority = 0; s.SlaveReplOffset = 100 }),
			set(b, func(s *InstanceStatus) { s.SlavePriority = 0 }), set(c, func(s *InstanceStatus) { s.SlavePriority = 0 })}, Addr{}, false},
		{"sdown, disconnected and stale ping excluded", []mod{
			set(a, func(s *InstanceStatus) { s.SDown = true }), set(b, func(s *InstanceStatus) { s.Connected = false }),
			set(c, func(s *InstanceStatus) { s.LastOKPingReply = now.Add(-6 * time.Second) })}, Addr{}, false},
		{"stale info excluded while the master is down", []mod{
			set(master, func(s *InstanceStatus) { s.SDown = true; s.SDownSince = now.Add(-2 * time.Second) }),
			set(a, func(s *InstanceStatus) { s.InfoAt = now.Add(-6 * time.Second); s.SlaveReplOffset = 50 }),
			set(b, func(s *InstanceStatus) { s.InfoAt = time.Time{} })}, c, true},
		{"master link down too long excluded", []mod{
			set(a, func(s *InstanceStatus) { s.MasterLinkDownSinceSec = 60; s.SlaveReplOffset = 50 })}, b, true},
	}
	for _, tc := range cases {
		st := map[Addr]InstanceStatus{a: monGoodReplica(a, now), b: monGoodReplica(b, now), c: monGoodReplica(c, now),
			master: {Addr: master, Connected: true}}
		for _, f := range tc.mods {
			f(st)
		}
		got, ok := selectReplica(m, st, now, k)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
	// Info up to 30 s old is fine while the master is up (forced failover).
	st := map[Addr]InstanceStatus{a: monGoodReplica(a, now)}
	x := st[a]
	x.InfoAt = now.Add(-20 * time.Second)
	st[a] = x
	if got, ok := selectReplica(m, st, now, k); !ok || got != a {
		t.Errorf("healthy master, 20 s old INFO: %v %v", got, ok)
	}
}
