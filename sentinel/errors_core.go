package sentinel

import "errors"

// Refusals and errors of the core part (FSM, Raft wiring, proposals).
// Result.Err texts are the exact wire text without the leading '-'.

const (
	// resNoSuchMaster: an op names a master the state does not hold.
	resNoSuchMaster = "ERR No such master with that name"
	// resDuplicateMaster: OpMonitor of a name already monitored.
	resDuplicateMaster = "ERR Duplicate master name."
	// resFailoverInProgress: OpFailoverStart while one is running.
	resFailoverInProgress = "INPROG Failover already in progress"
	// resNotODown: an automatic failover of a master not in ODOWN.
	resNotODown = "ERR master is not objectively down"
	// resGracePeriod: an automatic failover of a freshly switched master.
	resGracePeriod = "ERR master was switched less than down-after-milliseconds ago"
	// resNoFailover: a failover op whose epoch is not the running one.
	resNoFailover = "ERR no failover with that epoch is in progress"
	// resBadFailoverState: a failover state change the record forbids
	// (backwards, unknown, or another promoted replica).
	resBadFailoverState = "ERR invalid failover state change"
	// resAlreadySwitched: an abort after the switch was committed.
	resAlreadySwitched = "ERR failover already switched to the promoted replica"
	// resBadCommand: a log entry that does not decode or names no op.
	resBadCommand = "ERR invalid replicated command"
	// resBadOption: a SENTINEL SET option the FSM cannot apply (the
	// proposer validates first; this only guards the log).
	resBadOption = "ERR Unknown option or number of arguments for SENTINEL SET '%s'"
)

// ErrNoLeader: a proposal found no Raft leader to go to. Wire text of
// the error a client sees when a change cannot be committed.
var ErrNoLeader = errors.New("NOLEADER No Raft leader is available to commit the change")

// Errors of the Raft wiring.
var (
	errNotLeader     = errors.New("NOTLEADER this sentinel is not the Raft leader")
	errRaftNotReady  = errors.New("ERR Raft is not running")
	errUnknownPeer   = errors.New("ERR no Raft server with that id")
	errEmptyRaftArgs = errors.New("ERR Raft id and address must not be empty")
)

// notLeaderPrefix starts the error text a leader-only RESP call answers
// with on a follower; the forwarder retries on it.
const notLeaderPrefix = "NOTLEADER"

// errRetry marks a failure worth retrying: no leader known yet, the
// leader changed, or the connection to it broke. A proposal retries it
// until its context ends.
type errRetry struct{ err error }

func (e errRetry) Error() string { return e.err.Error() }

// errNoLeaderKnown: this node knows no leader (or not its RESP address)
// yet; wrapped in errRetry.
var errNoLeaderKnown = errors.New("no Raft leader known")
