package sentinel

// STUB (owner: core — fsm/raft/propose/run). Delete each stub when the
// real implementation lands.

import (
	"context"
	"errors"
)

// FSM is the Raft state machine holding State.
type FSM struct{}

// raftNode wraps hashicorp/raft.
type raftNode struct{}

// ErrNoLeader: a proposal found no Raft leader to go to. Wire text of
// the error a client sees when a change cannot be committed.
var ErrNoLeader = errors.New("NOLEADER No Raft leader is available to commit the change")

// View runs fn with the replicated state read-locked. fn must not keep
// references to st after it returns.
func (s *Sentinel) View(fn func(st *State)) {}

// Propose commits cmd through Raft (forwarding to the leader when this
// sentinel is a follower) and returns Apply's result. NowMs is filled in
// from s.clock when zero.
func (s *Sentinel) Propose(ctx context.Context, cmd Command) (Result, error) {
	return Result{}, ErrNoLeader
}

// IsLeader reports whether this sentinel is the Raft leader and has
// applied everything committed before its term (barrier passed).
func (s *Sentinel) IsLeader() bool { return false }

// RaftStatus is SENTINEL RAFT STATUS / INFO raft.
type RaftStatus struct {
	ID, Addr, State, LeaderID, LeaderAddr      string
	Term, LastIndex, CommitIndex, AppliedIndex uint64
	Peers                                      int
}

// RaftPeer is one row of SENTINEL RAFT PEERS.
type RaftPeer struct {
	ID, Addr, Suffrage string
	Leader             bool
}

func (s *Sentinel) RaftStatus() RaftStatus                        { return RaftStatus{} }
func (s *Sentinel) RaftPeers() ([]RaftPeer, error)                { return nil, ErrNoLeader }
func (s *Sentinel) RaftAdd(id, addr string) error                 { return ErrNoLeader }
func (s *Sentinel) RaftRemove(id string) error                    { return ErrNoLeader }
func (s *Sentinel) ApplyForwarded(payload []byte) (Result, error) { return Result{}, ErrNoLeader }
