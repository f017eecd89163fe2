package sentinel

import (
	"encoding/json"
	"io"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
)

// FSM is the Raft state machine holding State. It decodes each committed
// entry, applies it under its lock, and hands the events to the sink —
// except while replaying entries this process had already seen before it
// restarted, whose events were announced then.
type FSM struct {
	mu sync.RWMutex
	st *State

	// replayedUpTo is the last log index that existed when the process
	// started; entries up to it are applied silently.
	replayedUpTo atomic.Uint64
	// lastIndex is the index of the last entry applied to st (raft's
	// own AppliedIndex runs ahead: it counts entries handed to Apply).
	lastIndex atomic.Uint64
	// sink receives the events of each applied entry (nil: dropped).
	sink func([]Event)
	// changed is signalled (without blocking) after every applied entry,
	// so the process can flush its config file outside Apply.
	changed chan struct{}
	// applied is closed and replaced after every applied entry, so
	// waiters can watch the state change.
	appliedMu sync.Mutex
	applied   chan struct{}
}

// newFSM returns an FSM over an empty state.
func newFSM(sink func([]Event)) *FSM {
	return &FSM{st: NewState(), sink: sink, changed: make(chan struct{}, 1), applied: make(chan struct{})}
}

// View runs fn with the replicated state read-locked. fn must not keep
// references to st after it returns.
func (s *Sentinel) View(fn func(st *State)) {
	if s.fsm == nil {
		fn(NewState())
		return
	}
	s.fsm.mu.RLock()
	defer s.fsm.mu.RUnlock()
	fn(s.fsm.st)
}

// applyCommand applies cmd to the state and publishes its events unless
// silent. It is the one path by which the state changes.
func (f *FSM) applyCommand(cmd Command, silent bool) Result {
	f.mu.Lock()
	res, evs := f.st.Apply(cmd)
	f.mu.Unlock()
	if !silent && f.sink != nil && len(evs) > 0 {
		f.sink(evs)
	}
	f.notify()
	return res
}

func (f *FSM) notify() {
	select {
	case f.changed <- struct{}{}:
	default:
	}
	f.appliedMu.Lock()
	close(f.applied)
	f.applied = make(chan struct{})
	f.appliedMu.Unlock()
}

// appliedCh returns a channel closed at the next applied entry.
func (f *FSM) appliedCh() <-chan struct{} {
	f.appliedMu.Lock()
	defer f.appliedMu.Unlock()
	return f.applied
}

// Apply implements raft.FSM: it returns the Result of the entry.
func (f *FSM) Apply(l *raft.Log) interface{} {
	var cmd Command
	if err := json.Unmarshal(l.Data, &cmd); err != nil {
		f.lastIndex.Store(l.Index)
		return Result{Err: resBadCommand}
	}
	res := f.applyCommand(cmd, l.Index <= f.replayedUpTo.Load())
	f.lastIndex.Store(l.Index)
	return res
}

// Snapshot implements raft.FSM: the state is encoded now (cheap at this
// size), written later by Persist.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	data, err := json.Marshal(f.st)
	f.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	return fsmSnapshot(data), nil
}

// Restore implements raft.FSM: the snapshot replaces the whole state.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	st := NewState()
	if err := json.NewDecoder(rc).Decode(st); err != nil {
		return err
	}
	if st.Masters == nil {
		st.Masters = map[string]*Master{}
	}
	if st.Members == nil {
		st.Members = map[string]*Member{}
	}
	f.mu.Lock()
	f.st = st
	f.mu.Unlock()
	f.notify()
	return nil
}

type fsmSnapshot []byte

func (s fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s fsmSnapshot) Release() {}
