package sentinel

import (
	"testing"
	"time"
)

var monT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestSdownAfterDownAfterSinceFirstUnansweredPing(t *testing.T) {
	base := sdownInput{DownAfter: time.Second, Connected: true, LastAvail: monT0, InfoPeriod: 10 * time.Second}
	cases := []struct {
		name string
		mod  func(in *sdownInput)
		want bool
	}{
		{"answering", func(in *sdownInput) { in.Now = monT0.Add(time.Hour) }, false},
		{"pending below down-after", func(in *sdownInput) { in.PingPendingSince = monT0; in.Now = monT0.Add(time.Second) }, false},
		{"pending past down-after", func(in *sdownInput) { in.PingPendingSince = monT0; in.Now = monT0.Add(1001 * time.Millisecond) }, true},
		{"disconnected counts from last availability", func(in *sdownInput) {
			in.Connected = false
			in.Now = monT0.Add(1500 * time.Millisecond)
		}, true},
		{"disconnected but recently available", func(in *sdownInput) {
			in.Connected = false
			in.Now = monT0.Add(500 * time.Millisecond)
		}, false},
		{"master reporting slave within grace", func(in *sdownInput) {
			in.IsMaster, in.Role, in.RoleChangedAt = true, "slave", monT0
			in.Now = monT0.Add(20 * time.Second)
		}, false},
		{"master reporting slave past down-after + 2 info periods", func(in *sdownInput) {
			in.IsMaster, in.Role, in.RoleChangedAt = true, "slave", monT0
			in.Now = monT0.Add(21*time.Second + time.Millisecond)
		}, true},
		{"replica reporting slave is fine", func(in *sdownInput) {
			in.Role, in.RoleChangedAt = "slave", monT0
			in.Now = monT0.Add(time.Hour)
		}, false},
		{"rebooted master still loading past the period", func(in *sdownInput) {
			in.IsMaster, in.RebootSince, in.RebootPeriod = true, monT0, 5*time.Second
			in.Now = monT0.Add(6 * time.Second)
		}, true},
		{"reboot rule off when period is 0", func(in *sdownInput) {
			in.IsMaster, in.RebootSince = true, monT0
			in.Now = monT0.Add(time.Hour)
		}, false},
	}
	for _, c := range cases {
		in := base
		c.mod(&in)
		if got := sdownDecide(in); got != c.want {
			t.Errorf("%s: sdown %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPingRepliesAcceptedOnlyPongLoadingMasterdown(t *testing.T) {
	ok := []struct {
		t byte
		s string
	}{{'+', "PONG"}, {'-', "LOADING Redis is loading the dataset in memory"}, {'-', "MASTERDOWN Link with MASTER is down"}, {'+', "pong"}}
	bad := []struct {
		t byte
		s string
	}{{'-', "NOAUTH Authentication required."}, {'-', "MISCONF x"}, {'-', "BUSY x"}, {'$', "PONG"}, {'+', "OK"}, {'-', "ERR unknown command 'PING'"}}
	for _, c := range ok {
		if !acceptablePing(c.t, c.s) {
			t.Errorf("%c%s refused", c.t, c.s)
		}
	}
	for _, c := range bad {
		if acceptablePing(c.t, c.s) {
			t.Errorf("%c%s accepted", c.t, c.s)
		}
	}
}

func TestTiltOnTimerGapAndExitAfterPeriod(t *testing.T) {
	var ts tiltState
	trig, period := 2*time.Second, 30*time.Second
	now := monT0
	for i := 0; i < 5; i++ {
		now = now.Add(100 * time.Millisecond)
		if ts.tiltStep(now, trig, period) != 0 {
			t.Fatal("tilt without a gap")
		}
	}
	now = now.Add(3 * time.Second)
	if ts.tiltStep(now, trig, period) != +1 || !ts.on {
		t.Fatal("no tilt after a 3 s gap")
	}
	entered := now
	now = now.Add(-time.Second) // clock went backwards: stays in TILT, period restarts
	if ts.tiltStep(now, trig, period) != 0 || !ts.on || !ts.since.Equal(now) {
		t.Fatalf("backwards clock: on=%v since=%v", ts.on, ts.since)
	}
	_ = entered
	for i := 0; i < 300; i++ {
		now = now.Add(100 * time.Millisecond)
		if r := ts.tiltStep(now, trig, period); r != 0 {
			t.Fatalf("left TILT after %d ticks", i)
		}
	}
	now = now.Add(100 * time.Millisecond)
	if ts.tiltStep(now, trig, period) != -1 || ts.on {
		t.Fatal("TILT did not end after the period")
	}
}

func TestParseLinkInfoBothSlaveLineFormats(t *testing.T) {
	text := "# Server\r\nrun_id:0123456789012345678901234567890123456789\r\n# Replication\r\nrole:master\r\nconnected_slaves:3\r\n" +
		"slave0:ip=127.0.0.1,port=6380,state=online,offset=42,lag=0\r\nslave1:127.0.0.2,6381,online\r\n" +
		"slave2:ip=?,port=0,state=wait_bgsave\r\nmaster_repl_offset:42\r\n"
	in := parseLinkInfo(text)
	if in.RunID != "0123456789012345678901234567890123456789" || in.Role != "master" {
		t.Fatalf("run id / role: %+v", in)
	}
	want := []Addr{{"127.0.0.1", 6380}, {"127.0.0.2", 6381}}
	if len(in.Replicas) != 2 || in.Replicas[0] != want[0] || in.Replicas[1] != want[1] {
		t.Fatalf("replicas %v", in.Replicas)
	}
	rep := parseLinkInfo("role:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:7000\r\nmaster_link_status:down\r\n" +
		"master_link_down_since_seconds:12\r\nslave_repl_offset:999\r\nslave_priority:0\r\nreplica_announced:0\r\n")
	if rep.Role != "slave" || rep.MasterHost != "10.0.0.1" || rep.MasterPort != 7000 || rep.MasterLinkUp ||
		rep.MasterLinkDownSinceSec != 12 || rep.SlaveReplOffset != 999 || rep.SlavePriority != 0 || rep.ReplicaAnnounced {
		t.Fatalf("replica fields: %+v", rep)
	}
	if d := parseLinkInfo(""); d.SlavePriority != 100 || !d.ReplicaAnnounced {
		t.Fatalf("defaults: %+v", d)
	}
}
