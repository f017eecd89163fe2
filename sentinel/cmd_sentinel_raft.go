package sentinel

import (
	"encoding/json"
	"strconv"
	"strings"
)

// SENTINEL RAFT: our extension for the Raft group's health and
// membership. STATUS is a map, PEERS an array of maps (bulk string values
// like every sentinel map); ADD and REMOVE change the membership through
// the leader; APPLY is a follower's proposal forwarded to the leader,
// answered with the Result as JSON.
func sentinelRaft(c *client, args [][]byte) {
	s := c.fe.s
	switch op := strings.ToLower(string(args[2])); {
	case op == "status" && len(args) == 3:
		c.writePairs(raftStatusPairs(s.RaftStatus()))
	case op == "peers" && len(args) == 3:
		peers, err := s.RaftPeers()
		if err != nil {
			c.rejectErr(err)
			return
		}
		c.w.Array(len(peers))
		for _, p := range peers {
			c.writePairs(pairs{{"id", p.ID}, {"addr", p.Addr}, {"suffrage", p.Suffrage},
				{"leader", strconv.FormatBool(p.Leader)}})
		}
	case op == "add" && len(args) == 5:
		if err := s.RaftAdd(string(args[3]), string(args[4])); err != nil {
			c.rejectErr(err)
			return
		}
		c.ok()
	case op == "remove" && len(args) == 4:
		if err := s.RaftRemove(string(args[3])); err != nil {
			c.rejectErr(err)
			return
		}
		c.ok()
	case op == "apply" && len(args) == 4:
		res, err := s.ApplyForwarded(args[3])
		if err != nil {
			c.rejectErr(err)
			return
		}
		b, _ := json.Marshal(res)
		c.w.Bulk(b)
	default:
		c.reject(errRaftUsage)
	}
}

// raftStatusPairs are SENTINEL RAFT STATUS's fields, named like INFO
// raft's without the prefix.
func raftStatusPairs(st RaftStatus) pairs {
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	return pairs{
		{"id", st.ID}, {"addr", st.Addr}, {"state", st.State}, {"term", u(st.Term)},
		{"leader_id", st.LeaderID}, {"leader_addr", st.LeaderAddr},
		{"last_log_index", u(st.LastIndex)}, {"commit_index", u(st.CommitIndex)},
		{"applied_index", u(st.AppliedIndex)}, {"peers", strconv.Itoa(st.Peers)},
	}
}
