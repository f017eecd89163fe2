package sentinel

import (
	"net"
	"strconv"
	"sync"
	"time"
)

// This file is the shared vocabulary of the package. Every part (FSM,
// Raft wiring, monitor, failover, RESP front end, config) codes against
// the types and method sets declared here.

// Addr is a host:port pair as Sentinel reports it (ip, then port).
type Addr struct {
	IP   string `json:"ip"`
	Port int    `json:"port"`
}

// String formats the address as Sentinel names replicas: ip:port, with
// brackets around an IPv6 literal.
func (a Addr) String() string { return net.JoinHostPort(a.IP, strconv.Itoa(a.Port)) }

// IsZero reports an unset address.
func (a Addr) IsZero() bool { return a.IP == "" && a.Port == 0 }

// ---------------------------------------------------------------------
// Replicated state (lives in the Raft FSM; identical on every sentinel)
// ---------------------------------------------------------------------

// Failover states, named as SENTINEL MASTER's failover-state field shows
// them.
const (
	FailoverWaitStart     = "wait_start"
	FailoverSelectSlave   = "select_slave"
	FailoverSendSlaveof   = "send_slaveof_noone"
	FailoverWaitPromotion = "wait_promotion"
	FailoverReconfSlaves  = "reconf_slaves"
	FailoverUpdateConfig  = "update_config"
)

// Failover is the committed record of a failover in progress for one
// master. Exactly one exists per master at a time; the epoch identifies it.
type Failover struct {
	Epoch        uint64 `json:"epoch"`
	Leader       string `json:"leader"` // myid of the sentinel that started it
	LeaderRaftID string `json:"leader_raft_id"`
	Forced       bool   `json:"forced"` // SENTINEL FAILOVER
	State        string `json:"state"`
	StartedMs    int64  `json:"started_ms"` // proposer clock, unix ms
	StateSinceMs int64  `json:"state_since_ms"`
	// Promoted is the replica chosen in select_slave. Once set it never
	// changes for this epoch: a new leader finishing the failover keeps it,
	// so no failover ever promotes two replicas.
	Promoted Addr `json:"promoted"`
	// Switched is true once the switch to Promoted was committed (the
	// master's address is then Promoted's).
	Switched bool `json:"switched"`
	OldAddr  Addr `json:"old_addr"`
}

// Opinion is one sentinel's committed SDOWN opinion about a master. It is
// bound to the master's address and config epoch: an opinion about a
// previous master never counts toward the current one's ODOWN.
type Opinion struct {
	Down        bool   `json:"down"`
	Addr        Addr   `json:"addr"`
	ConfigEpoch uint64 `json:"config_epoch"`
	AtMs        int64  `json:"at_ms"`
}

// Master is a monitored master and its settings.
type Master struct {
	Name                    string            `json:"name"`
	Addr                    Addr              `json:"addr"` // the current master
	Quorum                  int               `json:"quorum"`
	DownAfterMs             int64             `json:"down_after_ms"`    // default 30000
	FailoverTimeoutMs       int64             `json:"failover_timeout"` // default 180000
	ParallelSyncs           int               `json:"parallel_syncs"`   // default 1
	AuthPass                string            `json:"auth_pass"`        // "" = none
	AuthUser                string            `json:"auth_user"`        // "" = none
	NotificationScript      string            `json:"notification_script"`
	ClientReconfigScript    string            `json:"client_reconfig_script"`
	MasterRebootDownAfterMs int64             `json:"master_reboot_down_after_ms"`
	RenameCommands          map[string]string `json:"rename_commands,omitempty"` // lower-case original -> new name
	ConfigEpoch             uint64            `json:"config_epoch"`
	LeaderEpoch             uint64            `json:"leader_epoch"`
	// Replicas are every replica ever discovered (INFO of the master,
	// known-replica lines, a switch), in discovery order, never forgotten
	// except by RESET. The current master is never in the list.
	Replicas []Addr `json:"replicas"`
	// Opinions by sentinel myid.
	Opinions map[string]Opinion `json:"opinions,omitempty"`
	// ODown is derived in Apply: at least Quorum sentinels hold a Down
	// opinion bound to the current Addr and ConfigEpoch.
	ODown        bool  `json:"odown"`
	ODownSinceMs int64 `json:"odown_since_ms"`
	// SwitchedAtMs is when the current address was committed (monitor
	// start or last switch); a master gets a full down-after grace period
	// from then before any failover of it may start.
	SwitchedAtMs int64     `json:"switched_at_ms"`
	Failover     *Failover `json:"failover,omitempty"`
}

// Member is a sentinel of the group, as clients see it in SENTINEL
// SENTINELS (ID, IP, Port) and as Raft knows it (RaftID, RaftAddr).
type Member struct {
	ID       string `json:"id"` // 40-hex myid (also the "runid" clients see)
	IP       string `json:"ip"` // announced RESP address
	Port     int    `json:"port"`
	RaftID   string `json:"raft_id"`
	RaftAddr string `json:"raft_addr"`
}

// State is the whole replicated state. Only the FSM mutates it, under
// its lock; readers use Sentinel.View.
type State struct {
	CurrentEpoch uint64             `json:"current_epoch"`
	Masters      map[string]*Master `json:"masters"`
	Members      map[string]*Member `json:"members"` // by myid
	Seeded       bool               `json:"seeded"`  // sentinel.conf monitor lines applied
}

// ---------------------------------------------------------------------
// Commands (Raft log entries, JSON-encoded)
// ---------------------------------------------------------------------

// Ops of Command. Every field not named for an op is ignored by it.
const (
	// OpSeed applies sentinel.conf's masters once (Masters), only if
	// !State.Seeded; sets Seeded. Emits +monitor per master. Epoch
	// (optional) is the file's current-epoch: CurrentEpoch is raised to
	// it and to every seeded master's config/leader epoch.
	OpSeed = "seed"
	// OpMonitor adds master Name at IP:Port with Quorum and defaults.
	// Result error "Duplicate master name." if it exists. Emits +monitor.
	OpMonitor = "monitor"
	// OpRemove deletes master Name. Emits -monitor.
	OpRemove = "remove"
	// OpSet applies Options (already validated by the proposer, in order)
	// to master Name. Emits one +set per option.
	OpSet = "set"
	// OpReset resets every master whose name matches the glob Pattern:
	// replicas forgotten, opinions/ODown/failover cleared. Result: count.
	// Emits +reset-master.
	OpReset = "reset"
	// OpMember adds or updates Member (keyed by ID; a member with the same
	// IP:Port and another ID is replaced). Emits +sentinel per master for
	// a new member.
	OpMember = "member"
	// OpForget removes the member whose RaftID is RaftID.
	OpForget = "forget"
	// OpReplica adds replica IP:Port to master Name if unknown (and not
	// the master itself). Emits +slave.
	OpReplica = "replica"
	// OpOpinion records Sentinel's opinion (Down, IP:Port, ConfigEpoch)
	// about master Name, then re-derives ODown. Emits +odown/-odown on
	// a change.
	OpOpinion = "opinion"
	// OpFailoverStart starts a failover of master Name led by Sentinel
	// (RaftID in Leader raft id field): refused (Result error) if one is in
	// progress, or if !Forced and the master is not ODown or still in its
	// grace period. CurrentEpoch++ ; Failover{Epoch, State: select_slave}.
	// Emits +new-epoch, +try-failover, +vote-for-leader, +elected-leader,
	// +failover-state-select-slave.
	OpFailoverStart = "failover-start"
	// OpFailoverState moves failover Epoch of master Name to State; with
	// State send_slaveof_noone it also records Promoted (IP:Port). Refused
	// if Epoch does not match. Emits +selected-slave and
	// +failover-state-send-slaveof-noone, or +failover-state-wait-promotion.
	OpFailoverState = "failover-state"
	// OpSwitch commits the promotion of failover Epoch's Promoted replica:
	// master Addr := Promoted, ConfigEpoch := Epoch, replicas := the
	// others plus the old master, opinions cleared, SwitchedAtMs := NowMs,
	// failover state reconf_slaves, Switched. Emits +promoted-slave,
	// +failover-state-reconf-slaves, +switch-master, +slave per replica.
	OpSwitch = "switch"
	// OpFailoverEnd ends failover Epoch (Timeout: ended by
	// failover-timeout). Emits +failover-end-for-timeout (if Timeout) and
	// +failover-end.
	OpFailoverEnd = "failover-end"
	// OpFailoverAbort aborts failover Epoch before the switch with Reason
	// (the event name: -failover-abort-no-good-slave,
	// -failover-abort-slave-timeout, -failover-abort-not-elected).
	OpFailoverAbort = "failover-abort"
)

// SetOption is one validated SENTINEL SET option.
type SetOption struct {
	Name   string   `json:"name"` // lower case, as given
	Values []string `json:"values"`
}

// Command is one Raft log entry.
type Command struct {
	Op          string      `json:"op"`
	NowMs       int64       `json:"now_ms"` // proposer's clock (unix ms): Apply's only time source
	Name        string      `json:"name,omitempty"`
	IP          string      `json:"ip,omitempty"`
	Port        int         `json:"port,omitempty"`
	Quorum      int         `json:"quorum,omitempty"`
	Options     []SetOption `json:"options,omitempty"`
	Pattern     string      `json:"pattern,omitempty"`
	Member      *Member     `json:"member,omitempty"`
	RaftID      string      `json:"raft_id,omitempty"`
	Sentinel    string      `json:"sentinel,omitempty"` // myid of the proposer (opinions, failovers)
	Down        bool        `json:"down,omitempty"`
	ConfigEpoch uint64      `json:"config_epoch,omitempty"`
	Epoch       uint64      `json:"epoch,omitempty"`
	State       string      `json:"state,omitempty"`
	Forced      bool        `json:"forced,omitempty"`
	Timeout     bool        `json:"timeout,omitempty"`
	Reason      string      `json:"reason,omitempty"`
	Masters     []*Master   `json:"masters,omitempty"` // OpSeed
}

// Result is what Apply returns for one command: Err is a refusal
// (exact wire text without the leading '-', e.g. "ERR Duplicate master
// name."), N a count (OpReset), Epoch the epoch assigned (OpFailoverStart).
type Result struct {
	Err   string `json:"err,omitempty"`
	N     int    `json:"n,omitempty"`
	Epoch uint64 `json:"epoch,omitempty"`
}

// Event is one Sentinel event: published on Channel with Payload.
type Event struct {
	Channel string
	Payload string
}

// ---------------------------------------------------------------------
// Local view (this sentinel's own observations; not replicated)
// ---------------------------------------------------------------------

// InstanceStatus is what this sentinel currently knows about one master
// or replica from its own links. Zero times mean "never".
type InstanceStatus struct {
	Addr             Addr
	RunID            string
	Connected        bool      // command link up
	PingPendingSince time.Time // oldest unanswered PING, zero if none
	LastOKPingReply  time.Time
	LastPingReply    time.Time
	SDown            bool
	SDownSince       time.Time
	InfoAt           time.Time // last INFO reply
	Info             string    // whole last INFO text (INFO-CACHE)
	Role             string    // "master" / "slave" from INFO, "" unknown
	RoleChangedAt    time.Time
	// From a replica's INFO.
	MasterHost             string
	MasterPort             int
	MasterLinkUp           bool
	MasterLinkDownSinceSec int64
	SlavePriority          int // default 100
	SlaveReplOffset        int64
	ReplicaAnnounced       bool
	// From a master's INFO: its slaveN lines.
	Replicas []Addr
}

// PeerStatus is this sentinel's view of another sentinel (by myid).
type PeerStatus struct {
	ID               string
	Connected        bool
	PingPendingSince time.Time
	LastOKPingReply  time.Time
	LastPingReply    time.Time
	SDown            bool
	SDownSince       time.Time
}

// KnobValues are the timing settings SENTINEL DEBUG shows and sets, in ms.
type KnobValues struct {
	InfoPeriod             int64 // 10000
	PingPeriod             int64 // 1000
	AskPeriod              int64 // 1000
	PublishPeriod          int64 // 2000
	DefaultDownAfter       int64 // 30000
	DefaultFailoverTimeout int64 // 180000
	TiltTrigger            int64 // 2000
	TiltPeriod             int64 // 30000
	SlaveReconfTimeout     int64 // 10000
	MinLinkReconnectPeriod int64 // 15000
	ElectionTimeout        int64 // 10000
	ScriptMaxRuntime       int64 // 60000
	ScriptRetryDelay       int64 // 30000
}

// Knobs guards the KnobValues shared by every part.
type Knobs struct {
	mu sync.Mutex
	v  KnobValues
}

// DefaultKnobs returns Redis Sentinel 7.0's defaults.
func DefaultKnobs() *Knobs {
	return &Knobs{v: KnobValues{InfoPeriod: 10000, PingPeriod: 1000, AskPeriod: 1000, PublishPeriod: 2000,
		DefaultDownAfter: 30000, DefaultFailoverTimeout: 180000, TiltTrigger: 2000, TiltPeriod: 30000,
		SlaveReconfTimeout: 10000, MinLinkReconnectPeriod: 15000, ElectionTimeout: 10000,
		ScriptMaxRuntime: 60000, ScriptRetryDelay: 30000}}
}

// Get returns a copy of the values.
func (k *Knobs) Get() KnobValues {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.v
}

// Update runs fn on the values with the lock held.
func (k *Knobs) Update(fn func(v *KnobValues)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fn(&k.v)
}

// Clock is the time source of the deciding logic; tests inject a fake.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// RealClock is the wall clock.
var RealClock Clock = realClock{}
