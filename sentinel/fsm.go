package sentinel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"redoubt/internal/glob"
)

// This file is the pure replicated state machine: State.Apply takes one
// committed Command and returns its Result and the events every sentinel
// publishes. It reads no clock (Command.NowMs is the only time) and does
// no I/O, so replaying the log anywhere yields the same state and events.

// Defaults of a newly monitored master (Redis Sentinel 7.0's).
const (
	fsmDefaultDownAfterMs     = 30000
	fsmDefaultFailoverTimeout = 180000
	fsmDefaultParallelSyncs   = 1
)

// NewState returns an empty replicated state.
func NewState() *State {
	return &State{Masters: map[string]*Master{}, Members: map[string]*Member{}}
}

// Apply applies one command. Refusals leave the state unchanged (except
// OpSet, which like Redis keeps the options applied before a bad one).
func (st *State) Apply(cmd Command) (Result, []Event) {
	if st.Masters == nil {
		st.Masters = map[string]*Master{}
	}
	if st.Members == nil {
		st.Members = map[string]*Member{}
	}
	var ev events
	var res Result
	switch cmd.Op {
	case OpSeed:
		res = st.applySeed(cmd, &ev)
	case OpMonitor:
		res = st.applyMonitor(cmd, &ev)
	case OpRemove:
		res = st.applyRemove(cmd, &ev)
	case OpSet:
		res = st.applySet(cmd, &ev)
	case OpReset:
		res = st.applyReset(cmd, &ev)
	case OpMember:
		res = st.applyMember(cmd, &ev)
	case OpForget:
		res = st.applyForget(cmd, &ev)
	case OpReplica:
		res = st.applyReplica(cmd, &ev)
	case OpOpinion:
		res = st.applyOpinion(cmd, &ev)
	case OpFailoverStart:
		res = st.applyFailoverStart(cmd, &ev)
	case OpFailoverState:
		res = st.applyFailoverState(cmd, &ev)
	case OpSwitch:
		res = st.applySwitch(cmd, &ev)
	case OpFailoverEnd:
		res = st.applyFailoverEnd(cmd, &ev)
	case OpFailoverAbort:
		res = st.applyFailoverAbort(cmd, &ev)
	default:
		res = Result{Err: resBadCommand}
	}
	return res, ev.list
}

// events collects the events of one Apply in order.
type events struct{ list []Event }

func (e *events) add(channel, payload string) {
	e.list = append(e.list, Event{Channel: channel, Payload: payload})
}

// Instance details, as every Sentinel event shows an instance: its type,
// its name, its address and, for anything but a master, the master it
// belongs to with that master's currently configured address.

func fmtMasterDetails(m *Master) string {
	return fmt.Sprintf("master %s %s %d", m.Name, m.Addr.IP, m.Addr.Port)
}

func fmtReplicaDetails(m *Master, r Addr) string {
	return fmt.Sprintf("slave %s %s %d @ %s %s %d", r.String(), r.IP, r.Port, m.Name, m.Addr.IP, m.Addr.Port)
}

func fmtSentinelDetails(m *Master, mem *Member) string {
	return fmt.Sprintf("sentinel %s %s %d @ %s %s %d", mem.ID, mem.IP, mem.Port, m.Name, m.Addr.IP, m.Addr.Port)
}

// sortedMasters returns the masters by name, so events that concern
// several masters come out in the same order everywhere.
func (st *State) sortedMasters() []*Master {
	out := make([]*Master, 0, len(st.Masters))
	for _, m := range st.Masters {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Master) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (st *State) sortedMembers() []*Member {
	out := make([]*Member, 0, len(st.Members))
	for _, m := range st.Members {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Member) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// newMaster fills a master's defaults: a master monitored without
// explicit settings waits 30 s before SDOWN, 180 s per failover and
// reconfigures one replica at a time.
func newMaster(src *Master, nowMs int64) *Master {
	m := *src
	if m.DownAfterMs <= 0 {
		m.DownAfterMs = fsmDefaultDownAfterMs
	}
	if m.FailoverTimeoutMs <= 0 {
		m.FailoverTimeoutMs = fsmDefaultFailoverTimeout
	}
	if m.ParallelSyncs <= 0 {
		m.ParallelSyncs = fsmDefaultParallelSyncs
	}
	if len(src.RenameCommands) > 0 {
		m.RenameCommands = make(map[string]string, len(src.RenameCommands))
		for k, v := range src.RenameCommands {
			m.RenameCommands[strings.ToLower(k)] = v
		}
	}
	m.Replicas = nil
	for _, r := range src.Replicas {
		if r != m.Addr && !slices.Contains(m.Replicas, r) {
			m.Replicas = append(m.Replicas, r)
		}
	}
	m.Opinions, m.ODown, m.ODownSinceMs, m.Failover = nil, false, 0, nil
	m.SwitchedAtMs = nowMs
	return &m
}

// applySeed loads sentinel.conf's masters, once for the whole group:
// whichever leader first commits it wins, later seeds are ignored. The
// current epoch is raised to the largest epoch the file knew (its
// current-epoch in cmd.Epoch, and every master's config and leader epoch).
func (st *State) applySeed(cmd Command, ev *events) Result {
	if st.Seeded {
		return Result{}
	}
	st.Seeded = true
	st.CurrentEpoch = max(st.CurrentEpoch, cmd.Epoch)
	for _, src := range cmd.Masters {
		if src == nil || src.Name == "" || st.Masters[src.Name] != nil {
			continue
		}
		m := newMaster(src, cmd.NowMs)
		st.Masters[m.Name] = m
		st.CurrentEpoch = max(st.CurrentEpoch, m.ConfigEpoch, m.LeaderEpoch)
		ev.add("+monitor", fmtMasterDetails(m)+" quorum "+strconv.Itoa(m.Quorum))
	}
	return Result{}
}

// applyMonitor starts monitoring a new master. Like a freshly added
// master in Redis, it has no replicas until INFO shows them; the group's
// other sentinels are announced as discovered for it.
func (st *State) applyMonitor(cmd Command, ev *events) Result {
	if st.Masters[cmd.Name] != nil {
		return Result{Err: resDuplicateMaster}
	}
	m := newMaster(&Master{Name: cmd.Name, Addr: Addr{IP: cmd.IP, Port: cmd.Port}, Quorum: cmd.Quorum}, cmd.NowMs)
	st.Masters[m.Name] = m
	ev.add("+monitor", fmtMasterDetails(m)+" quorum "+strconv.Itoa(m.Quorum))
	for _, mem := range st.sortedMembers() {
		ev.add("+sentinel", fmtSentinelDetails(m, mem))
	}
	return Result{}
}

// applyRemove stops monitoring a master: -monitor, then it is gone.
func (st *State) applyRemove(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	ev.add("-monitor", fmtMasterDetails(m))
	delete(st.Masters, cmd.Name)
	return Result{}
}

// applySet applies SENTINEL SET options in order. Each applied option is
// announced with +set (a password shown as six stars); a bad option stops
// the run but leaves the earlier ones applied, as Redis does.
func (st *State) applySet(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	for _, opt := range cmd.Options {
		shown, ok := setOption(m, opt)
		if !ok {
			st.deriveODown(m, cmd.NowMs, ev)
			return Result{Err: fmt.Sprintf(resBadOption, opt.Name)}
		}
		ev.add("+set", fmtMasterDetails(m)+" "+opt.Name+" "+shown)
	}
	// A new quorum may make the current opinions (not) enough for ODOWN.
	st.deriveODown(m, cmd.NowMs, ev)
	return Result{}
}

// setOption applies one option and returns how +set shows its values.
func setOption(m *Master, opt SetOption) (string, bool) {
	name := strings.ToLower(opt.Name)
	if name == "rename-command" {
		if len(opt.Values) != 2 || opt.Values[0] == "" || opt.Values[1] == "" {
			return "", false
		}
		// Renaming a command to its own name only drops the old rename.
		old, renamed := strings.ToLower(opt.Values[0]), opt.Values[1]
		delete(m.RenameCommands, old)
		if !strings.EqualFold(old, renamed) {
			if m.RenameCommands == nil {
				m.RenameCommands = map[string]string{}
			}
			m.RenameCommands[old] = renamed
		}
		return opt.Values[0] + " " + opt.Values[1], true
	}
	if len(opt.Values) != 1 {
		return "", false
	}
	v := opt.Values[0]
	num, numErr := strconv.ParseInt(v, 10, 64)
	switch name {
	case "down-after-milliseconds", "failover-timeout", "parallel-syncs", "quorum":
		if numErr != nil || num <= 0 {
			return "", false
		}
	case "master-reboot-down-after-period":
		if numErr != nil || num < 0 {
			return "", false
		}
	}
	switch name {
	case "down-after-milliseconds":
		m.DownAfterMs = num
	case "failover-timeout":
		m.FailoverTimeoutMs = num
	case "parallel-syncs":
		m.ParallelSyncs = int(num)
	case "quorum":
		m.Quorum = int(num)
	case "master-reboot-down-after-period":
		m.MasterRebootDownAfterMs = num
	case "notification-script":
		m.NotificationScript = v
	case "client-reconfig-script":
		m.ClientReconfigScript = v
	case "auth-pass":
		m.AuthPass = v
		return "******", true
	case "auth-user":
		m.AuthUser = v
	default:
		return "", false
	}
	return v, true
}

// applyReset forgets what was learnt about every master whose name
// matches the pattern (case-sensitive glob): replicas, opinions, ODOWN
// and any failover. Settings, address and epochs stay. Redis then
// rediscovers its peers; here they are the group's members, announced
// again right away.
func (st *State) applyReset(cmd Command, ev *events) Result {
	n := 0
	for _, m := range st.sortedMasters() {
		if !glob.MatchString(cmd.Pattern, m.Name, false) {
			continue
		}
		n++
		m.Replicas, m.Opinions, m.ODown, m.ODownSinceMs, m.Failover = nil, nil, false, 0, nil
		ev.add("+reset-master", fmtMasterDetails(m))
		for _, mem := range st.sortedMembers() {
			ev.add("+sentinel", fmtSentinelDetails(m, mem))
		}
	}
	return Result{N: n}
}

// applyMember records a sentinel of the group. A new id is announced
// with +sentinel for every master; a known id at a new address with
// +sentinel-address-switch. Another id claiming the same address
// replaces the old entry (the address now belongs to the new process).
func (st *State) applyMember(cmd Command, ev *events) Result {
	in := cmd.Member
	if in == nil || in.ID == "" {
		return Result{Err: resBadCommand}
	}
	mem := *in
	for id, other := range st.Members {
		if id != mem.ID && other.IP == mem.IP && other.Port == mem.Port {
			delete(st.Members, id)
			st.dropOpinions(id, cmd.NowMs, ev)
		}
	}
	old := st.Members[mem.ID]
	st.Members[mem.ID] = &mem
	for _, m := range st.sortedMasters() {
		switch {
		case old == nil:
			ev.add("+sentinel", fmtSentinelDetails(m, &mem))
		case old.IP != mem.IP || old.Port != mem.Port:
			ev.add("+sentinel-address-switch", fmt.Sprintf("%s ip %s port %d for %s", fmtMasterDetails(m), mem.IP, mem.Port, mem.ID))
		}
	}
	return Result{}
}

// applyForget removes the member with the given Raft id (it left the
// Raft configuration); its opinions no longer count toward ODOWN.
func (st *State) applyForget(cmd Command, ev *events) Result {
	for _, mem := range st.sortedMembers() {
		if mem.RaftID == cmd.RaftID {
			delete(st.Members, mem.ID)
			st.dropOpinions(mem.ID, cmd.NowMs, ev)
		}
	}
	return Result{}
}

func (st *State) dropOpinions(id string, nowMs int64, ev *events) {
	for _, m := range st.sortedMasters() {
		if _, ok := m.Opinions[id]; ok {
			delete(m.Opinions, id)
			st.deriveODown(m, nowMs, ev)
		}
	}
}

// applyReplica adds a replica discovered in the master's INFO. Known
// replicas and the master's own address are ignored.
func (st *State) applyReplica(cmd Command, ev *events) Result {
	m := st.Masters[cmd.Name]
	if m == nil {
		return Result{Err: resNoSuchMaster}
	}
	r := Addr{IP: cmd.IP, Port: cmd.Port}
	if r.IsZero() || r == m.Addr || slices.Contains(m.Replicas, r) {
		return Result{}
	}
	m.Replicas = append(m.Replicas, r)
	ev.add("+slave", fmtReplicaDetails(m, r))
	return Result{}
}
