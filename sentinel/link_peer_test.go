package sentinel

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Peers are pinged over RESP: an answering one is connected and up, a
// silent one is judged down and announced once per master; this
// sentinel never links to itself.
func TestMonitorPingsPeersAndJudgesSilentOneDown(t *testing.T) {
	alive := testutil.StartRedis(t, "--requirepass", "s3cret")
	silent := monFakeNode(t, false)
	aa := monAddrOf(t, alive.Addr)
	g := newMonGroup()
	monMonitorMaster(t, g, "a", Addr{"127.0.0.1", 1}, 1, "1000")
	monMonitorMaster(t, g, "b", Addr{"127.0.0.1", 2}, 1, "1000")
	idAlive, idSilent := strings.Repeat("1", 40), strings.Repeat("2", 40)
	for _, mem := range []*Member{{ID: monTestID, IP: "127.0.0.1", Port: 3, RaftID: "self"},
		{ID: idAlive, IP: aa.IP, Port: aa.Port, RaftID: "p1"}, {ID: idSilent, IP: silent.IP, Port: silent.Port, RaftID: "p2"}} {
		g.mustApply(t, Command{Op: OpMember, Member: mem})
	}
	k := DefaultKnobs()
	mon := newMonitorEnv(monEnv{clock: RealClock, knobs: k, log: monDiscardLogger(), myID: monTestID,
		view: g.view, propose: g.propose, emit: g.emit, peerAuth: func() (string, string) { return "", "s3cret" }})
	monRun(t, mon)
	g.waitEvent(t, "+sdown", "sentinel "+idSilent+" "+silent.IP, 4*time.Second)
	monWaitFor(t, "both masters' +sdown of the silent peer", time.Second, func() bool { return g.count("+sdown", "sentinel "+idSilent) == 2 })
	st, ok := mon.Peer(idAlive)
	if !ok || !st.Connected || st.SDown || time.Since(st.LastOKPingReply) > 1500*time.Millisecond {
		t.Fatalf("alive peer %+v %v (needs AUTH to answer PONG)", st, ok)
	}
	if _, ok := mon.Peer(monTestID); ok {
		t.Fatal("linked to itself")
	}
	if st, _ := mon.Peer(idSilent); !st.SDown || (st.Connected && st.PingPendingSince.IsZero()) || !st.LastOKPingReply.IsZero() {
		t.Fatalf("silent peer %+v", st)
	}
}
