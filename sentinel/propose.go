package sentinel

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/raft"
	"redoubt/internal/resp"
)

// Proposals: every change to the replicated state is a Command committed
// through Raft. The leader appends it to its log; a follower sends it to
// the leader's RESP port as SENTINEL RAFT APPLY <json>, and the leader
// answers with the Result as a JSON bulk string. With no leader, or when
// leadership moves mid-way, the proposal is retried until ctx ends: every
// op is written so that applying it twice is harmless (epoch checks,
// "already known" no-ops), because a lost leadership leaves the outcome
// of the first attempt unknown.

// Retry backoff bounds of a proposal.
const (
	proposeBackoffMin = 10 * time.Millisecond
	proposeBackoffMax = 200 * time.Millisecond
	// forwardTimeout bounds one forwarded call to the leader.
	forwardTimeout = 5 * time.Second
)

// Propose commits cmd through Raft (forwarding to the leader when this
// sentinel is a follower) and returns Apply's result. NowMs is filled in
// from s.clock when zero.
func (s *Sentinel) Propose(ctx context.Context, cmd Command) (Result, error) {
	if cmd.NowMs == 0 {
		cmd.NowMs = s.clock.Now().UnixMilli()
	}
	n := s.raft
	if n == nil {
		return Result{}, ErrNoLeader
	}
	data, err := json.Marshal(cmd)
	if err != nil {
		return Result{}, err
	}
	backoff := proposeBackoffMin
	for {
		res, err := n.proposeOnce(ctx, data)
		if err == nil {
			return res, nil
		}
		var retry errRetry
		if !errors.As(err, &retry) {
			return Result{}, err
		}
		select {
		case <-ctx.Done():
			return Result{}, ErrNoLeader
		case <-n.ctx.Done():
			return Result{}, ErrNoLeader
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, proposeBackoffMax)
	}
}

// proposeOnce makes one attempt: locally on the leader, else through
// the leader's RESP port.
func (n *raftNode) proposeOnce(ctx context.Context, data []byte) (Result, error) {
	if n.r.State() == raft.Leader {
		return n.applyLocal(data)
	}
	addr, err := n.leaderRESP()
	if err != nil {
		return Result{}, err
	}
	v, err := n.fwd.do(ctx, addr, "SENTINEL", "RAFT", "APPLY", string(data))
	if err != nil {
		return Result{}, err
	}
	var res Result
	if v.Type != '$' || json.Unmarshal([]byte(v.Str), &res) != nil {
		return Result{}, errors.New("ERR unexpected reply to SENTINEL RAFT APPLY")
	}
	return res, nil
}

// applyLocal appends data to the leader's log and waits for its Result.
func (n *raftNode) applyLocal(data []byte) (Result, error) {
	f := n.r.Apply(data, raftApplyTimeout)
	if err := f.Error(); err != nil {
		switch err {
		case raft.ErrNotLeader, raft.ErrLeadershipLost, raft.ErrEnqueueTimeout, raft.ErrLeadershipTransferInProgress:
			return Result{}, errRetry{err}
		}
		return Result{}, ErrNoLeader
	}
	res, _ := f.Response().(Result)
	return res, nil
}

// leaderRESP returns the RESP address the leader announced in its Member
// entry (it registers itself as soon as it leads).
func (n *raftNode) leaderRESP() (string, error) {
	_, id := n.r.LeaderWithID()
	if id == "" {
		return "", errRetry{errNoLeaderKnown}
	}
	addr := ""
	n.s.View(func(st *State) {
		for _, m := range st.Members {
			if m.RaftID == string(id) {
				addr = net.JoinHostPort(m.IP, strconv.Itoa(m.Port))
			}
		}
	})
	if addr == "" {
		return "", errRetry{errNoLeaderKnown}
	}
	return addr, nil
}

// ApplyForwarded is SENTINEL RAFT APPLY <json>: a follower's proposal,
// committed here if this sentinel leads, else refused with NOTLEADER so
// the follower looks for the leader again.
func (s *Sentinel) ApplyForwarded(payload []byte) (Result, error) {
	n := s.raft
	if n == nil {
		return Result{}, errRaftNotReady
	}
	var cmd Command
	if err := json.Unmarshal(payload, &cmd); err != nil || cmd.Op == "" {
		return Result{}, errors.New(resBadCommand)
	}
	if cmd.NowMs == 0 {
		cmd.NowMs = s.clock.Now().UnixMilli()
	}
	data, _ := json.Marshal(cmd)
	if n.r.State() != raft.Leader {
		return Result{}, errNotLeader
	}
	res, err := n.applyLocal(data)
	if err != nil {
		return Result{}, errNotLeader
	}
	return res, nil
}

// forwardedError turns an error reply from the leader into a Go error;
// NOTLEADER/NOLEADER (leadership moved) are worth a retry.
func forwardedError(v resp.Value) error {
	if !v.IsError() {
		return nil
	}
	if strings.HasPrefix(v.Str, notLeaderPrefix) || strings.HasPrefix(v.Str, "NOLEADER") {
		return errRetry{errors.New(v.Str)}
	}
	return errors.New(v.Str)
}
