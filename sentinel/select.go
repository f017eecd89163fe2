package sentinel

import (
	"slices"
	"strings"
	"time"
)

// selectReplica chooses the replica to promote for master m from this
// sentinel's statuses (keyed by address; the master's own status, if
// present, tells how long it has been down). ok is false when none
// qualifies.
//
// Redis's rule, in our words: a candidate must be up for us (not SDOWN,
// connected, an acceptable PING answer within five ping periods), must
// not have priority 0, must have sent INFO recently (within five ping
// periods while the master is down, else three INFO periods), and must
// not have lost its master link for much longer than the master has been
// down (master down time plus ten times down-after). Among candidates the
// lowest priority number wins, then the largest replication offset, then
// the smallest run id (case-insensitive; an unknown run id loses).
func selectReplica(m *Master, statuses map[Addr]InstanceStatus, now time.Time, k KnobValues) (Addr, bool) {
	ping := time.Duration(k.PingPeriod) * time.Millisecond
	infoValid := 3 * time.Duration(k.InfoPeriod) * time.Millisecond
	maxLinkDown := 10 * time.Duration(m.DownAfterMs) * time.Millisecond
	if ms, ok := statuses[m.Addr]; ok && ms.SDown {
		infoValid = 5 * ping
		maxLinkDown += now.Sub(ms.SDownSince)
	} else if m.ODown {
		infoValid = 5 * ping
	}
	var cands []InstanceStatus
	for _, r := range m.Replicas {
		st, ok := statuses[r]
		if !ok || r == m.Addr {
			continue
		}
		switch {
		case st.SDown, !st.Connected:
			continue
		case st.LastOKPingReply.IsZero() || now.Sub(st.LastOKPingReply) > 5*ping:
			continue
		case st.SlavePriority == 0:
			continue
		case st.InfoAt.IsZero() || now.Sub(st.InfoAt) > infoValid:
			continue
		case time.Duration(st.MasterLinkDownSinceSec)*time.Second > maxLinkDown:
			continue
		}
		st.Addr = r
		cands = append(cands, st)
	}
	if len(cands) == 0 {
		return Addr{}, false
	}
	slices.SortStableFunc(cands, compareCandidates)
	return cands[0].Addr, true
}

// compareCandidates orders replicas best first.
func compareCandidates(a, b InstanceStatus) int {
	if a.SlavePriority != b.SlavePriority {
		return a.SlavePriority - b.SlavePriority
	}
	if a.SlaveReplOffset != b.SlaveReplOffset {
		if a.SlaveReplOffset > b.SlaveReplOffset {
			return -1
		}
		return 1
	}
	switch {
	case a.RunID == "" && b.RunID == "":
		return 0
	case a.RunID == "":
		return 1
	case b.RunID == "":
		return -1
	}
	return strings.Compare(strings.ToLower(a.RunID), strings.ToLower(b.RunID))
}
