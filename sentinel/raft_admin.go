package sentinel

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/raft"
)

// Membership and health of the Raft group: SENTINEL RAFT STATUS | PEERS |
// ADD | REMOVE, INFO raft, and joining a running group over RESP.

// RaftStatus is SENTINEL RAFT STATUS / INFO raft. Peers counts every
// server of the current Raft configuration, this one included.
type RaftStatus struct {
	ID, Addr, State, LeaderID, LeaderAddr      string
	Term, LastIndex, CommitIndex, AppliedIndex uint64
	Peers                                      int
}

// RaftPeer is one row of SENTINEL RAFT PEERS. Suffrage is "Voter",
// "Nonvoter" or "Staging".
type RaftPeer struct {
	ID, Addr, Suffrage string
	Leader             bool
}

// membershipTimeout bounds AddVoter/RemoveServer and their forwarding.
const membershipTimeout = 5 * time.Second

// RaftStatus reports this node's Raft view (zero values when Raft is not
// running).
func (s *Sentinel) RaftStatus() RaftStatus {
	n := s.raft
	if n == nil {
		return RaftStatus{State: "Shutdown"}
	}
	st := RaftStatus{ID: n.opt.ID, Addr: string(n.trans.LocalAddr()), State: n.r.State().String()}
	addr, id := n.r.LeaderWithID()
	st.LeaderID, st.LeaderAddr = string(id), string(addr)
	stats := n.r.Stats()
	st.Term, _ = strconv.ParseUint(stats["term"], 10, 64)
	st.CommitIndex, _ = strconv.ParseUint(stats["commit_index"], 10, 64)
	st.LastIndex = n.r.LastIndex()
	st.AppliedIndex = n.r.AppliedIndex()
	if f := n.r.GetConfiguration(); f.Error() == nil {
		st.Peers = len(f.Configuration().Servers)
	}
	return st
}

// RaftPeers lists the servers of the current Raft configuration.
func (s *Sentinel) RaftPeers() ([]RaftPeer, error) {
	n := s.raft
	if n == nil {
		return nil, errRaftNotReady
	}
	f := n.r.GetConfiguration()
	if err := f.Error(); err != nil {
		return nil, err
	}
	_, leader := n.r.LeaderWithID()
	var out []RaftPeer
	for _, srv := range f.Configuration().Servers {
		out = append(out, RaftPeer{ID: string(srv.ID), Addr: string(srv.Address), Suffrage: srv.Suffrage.String(), Leader: srv.ID == leader})
	}
	return out, nil
}

// RaftAdd adds a voter (SENTINEL RAFT ADD <id> <addr>): on the leader
// directly, from a follower through the leader. Adding a server that is
// already a voter at that address succeeds without change.
func (s *Sentinel) RaftAdd(id, addr string) error {
	if id == "" || addr == "" {
		return errEmptyRaftArgs
	}
	return s.membership(func(n *raftNode) error {
		return n.r.AddVoter(raft.ServerID(id), raft.ServerAddress(addr), 0, membershipTimeout).Error()
	}, "ADD", id, addr)
}

// RaftRemove removes a server from the group (SENTINEL RAFT REMOVE <id>)
// and forgets its member entry, so it no longer shows in SENTINEL
// SENTINELS nor counts toward ODOWN.
func (s *Sentinel) RaftRemove(id string) error {
	if id == "" {
		return errEmptyRaftArgs
	}
	err := s.membership(func(n *raftNode) error {
		f := n.r.GetConfiguration()
		if err := f.Error(); err != nil {
			return err
		}
		if !slices.ContainsFunc(f.Configuration().Servers, func(srv raft.Server) bool { return string(srv.ID) == id }) {
			known := false
			s.View(func(st *State) {
				for _, m := range st.Members {
					known = known || m.RaftID == id
				}
			})
			if !known {
				return errUnknownPeer
			}
			return nil
		}
		return n.r.RemoveServer(raft.ServerID(id), 0, membershipTimeout).Error()
	}, "REMOVE", id)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), membershipTimeout)
	defer cancel()
	res, err := s.Propose(ctx, Command{Op: OpForget, RaftID: id})
	if err == nil && res.Err != "" {
		err = errors.New(res.Err)
	}
	return err
}

// membership runs a configuration change on the leader: here when this
// node leads, else forwarded as SENTINEL RAFT <sub> <args...>, retried
// while the leader is unknown or changing.
func (s *Sentinel) membership(local func(n *raftNode) error, sub string, args ...string) error {
	n := s.raft
	if n == nil {
		return errRaftNotReady
	}
	ctx, cancel := context.WithTimeout(n.ctx, membershipTimeout)
	defer cancel()
	backoff := proposeBackoffMin
	for {
		var err error
		if n.r.State() == raft.Leader {
			err = local(n)
			switch err {
			case raft.ErrNotLeader, raft.ErrLeadershipLost, raft.ErrLeadershipTransferInProgress:
				err = errRetry{err}
			}
		} else {
			var addr string
			if addr, err = n.leaderRESP(); err == nil {
				_, err = n.fwd.do(ctx, addr, append([]string{"SENTINEL", "RAFT", sub}, args...)...)
			}
		}
		var retry errRetry
		if err == nil || !errors.As(err, &retry) {
			return err
		}
		select {
		case <-ctx.Done():
			return ErrNoLeader
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, proposeBackoffMax)
	}
}

// joinLoop asks the group at raft-join to add this node, until it
// answers +OK or this node already appears in a configuration (added by
// someone else). It only gives up when the process shuts down.
func (n *raftNode) joinLoop() {
	defer n.wg.Done()
	backoff := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if n.inConfiguration() {
			return
		}
		ctx, cancel := context.WithTimeout(n.ctx, membershipTimeout)
		v, err := n.fwd.do(ctx, n.opt.Join, "SENTINEL", "RAFT", "ADD", n.opt.ID, n.opt.Addr)
		cancel()
		if err == nil && v.Type == '+' {
			n.s.log.Info("Raft: joined the group through " + n.opt.Join)
			return
		}
		if err == nil {
			err = errors.New("unexpected reply")
		}
		if attempt == 1 || attempt%10 == 0 {
			n.s.log.Warn("Raft: joining through " + n.opt.Join + " failed (will retry): " + err.Error())
		}
		select {
		case <-n.ctx.Done():
			n.s.log.Warn("Raft: gave up joining through " + n.opt.Join + ": shutting down")
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// inConfiguration reports whether this node is in its latest known
// Raft configuration.
func (n *raftNode) inConfiguration() bool {
	f := n.r.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	return slices.ContainsFunc(f.Configuration().Servers, func(srv raft.Server) bool { return string(srv.ID) == n.opt.ID })
}
