package server

import (
	"time"

	"redoubt/commands"
)

// cmdStat is one line of INFO commandstats.
type cmdStat struct {
	calls, usec, rejected, failed int64
}

// stats holds the counters INFO stats prints.
type stats struct {
	connsReceived   int64
	rejectedConns   int64
	commands        int64
	expiredKeys     int64
	evictedKeys     int64
	keyspaceHits    int64
	keyspaceMisses  int64
	rejectedCalls   int64
	perCommand      map[string]*cmdStat
	byID            []*cmdStat
	netInputBytes   int64
	netOutputBytes  int64
	startedAt       time.Time
	totalErrorReply int64
}

// record counts one executed command.
func (st *stats) record(cmd *commands.Command, d time.Duration) {
	st.commands++
	cs := st.statFor(cmd)
	cs.calls++
	cs.usec += d.Microseconds()
}

// statFor returns the counters of cmd, creating them on first use. The
// by-ID slice keeps the per-call path free of name hashing.
func (st *stats) statFor(cmd *commands.Command) *cmdStat {
	if cmd.ID < len(st.byID) {
		if cs := st.byID[cmd.ID]; cs != nil {
			return cs
		}
	}
	if st.perCommand == nil {
		st.perCommand = make(map[string]*cmdStat)
	}
	name := cmd.FullName()
	cs := st.perCommand[name]
	if cs == nil {
		cs = &cmdStat{}
		st.perCommand[name] = cs
	}
	for len(st.byID) <= cmd.ID {
		st.byID = append(st.byID, nil)
	}
	st.byID[cmd.ID] = cs
	return cs
}
