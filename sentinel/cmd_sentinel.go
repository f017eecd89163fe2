package sentinel

import (
	"context"
	"strings"
	"time"
)

// SENTINEL and the subcommands that read state or trigger an action.
// Changes go through Raft (f.propose); reads come from the replicated
// state (f.view) plus this sentinel's own observations (f.mon()).

// proposeTimeout bounds a change made from a SENTINEL command.
const proposeTimeout = 5 * time.Second

func sentinelCommand() *command {
	s := func(name string, arity int, run func(c *client, args [][]byte)) *command {
		return sub("sentinel", name, arity, run)
	}
	return container("sentinel", -2, nil,
		s("masters", 2, sentinelMasters),
		s("master", 3, sentinelMaster),
		s("replicas", 3, sentinelReplicas),
		s("slaves", 3, sentinelReplicas),
		s("sentinels", 3, sentinelSentinels),
		s("get-master-addr-by-name", 3, sentinelGetMasterAddr),
		s("reset", 3, sentinelReset),
		s("failover", 3, sentinelFailover),
		s("ckquorum", 3, sentinelCkquorum),
		s("flushconfig", 2, sentinelFlushConfig),
		s("monitor", 6, sentinelMonitor),
		s("remove", 3, sentinelRemove),
		s("set", -5, sentinelSet),
		s("config", -3, sentinelConfig),
		s("is-master-down-by-addr", 6, sentinelIsMasterDown),
		s("info-cache", -3, sentinelInfoCache),
		s("myid", 2, func(c *client, args [][]byte) { c.bulk(c.fe.s.myID) }),
		s("pending-scripts", 2, func(c *client, args [][]byte) { c.w.Array(0) }),
		s("simulate-failure", -3, sentinelSimulateFailure),
		s("debug", -2, sentinelDebug),
		s("help", 2, func(c *client, args [][]byte) { c.helpLines(sentinelHelp) }),
		s("raft", -3, sentinelRaft),
	)
}

// masterCopy is a snapshot of one master taken under the state lock.
func masterCopy(m *Master) *Master {
	c := *m
	c.Replicas = append([]Addr(nil), m.Replicas...)
	c.Opinions = nil
	c.RenameCommands = nil
	if m.Failover != nil {
		fo := *m.Failover
		c.Failover = &fo
	}
	return &c
}

// snapshot copies what the replies need: the masters (by name order) and
// the members other than this sentinel.
func (f *frontEnd) snapshot() (masters []*Master, others []Member) {
	f.view(func(st *State) {
		for _, m := range st.sortedMasters() {
			masters = append(masters, masterCopy(m))
		}
		for _, m := range st.sortedMembers() {
			if m.ID != f.s.myID {
				others = append(others, *m)
			}
		}
	})
	return masters, others
}

// lookupMaster returns a copy of master name, or nil.
func (f *frontEnd) lookupMaster(name string) *Master {
	var out *Master
	f.view(func(st *State) {
		if m := st.Masters[name]; m != nil {
			out = masterCopy(m)
		}
	})
	return out
}

// masterOrReject returns master name or answers "No such master".
func (c *client) masterOrReject(name []byte) *Master {
	m := c.fe.lookupMaster(string(name))
	if m == nil {
		c.reject(errNoSuchMaster)
	}
	return m
}

// change commits cmd and answers its refusal or proposal error; ok is
// true when the change was applied.
func (c *client) change(cmd Command) (Result, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), proposeTimeout)
	defer cancel()
	res, err := c.fe.propose(ctx, cmd)
	if err != nil {
		c.rejectErr(err)
		return res, false
	}
	if res.Err != "" {
		c.reject(res.Err)
		return res, false
	}
	return res, true
}

func sentinelMasters(c *client, args [][]byte) {
	masters, others := c.fe.snapshot()
	c.w.Array(len(masters))
	for _, m := range masters {
		c.writePairs(c.fe.masterPairs(m, len(others)))
	}
}

func sentinelMaster(c *client, args [][]byte) {
	if m := c.masterOrReject(args[2]); m != nil {
		_, others := c.fe.snapshot()
		c.writePairs(c.fe.masterPairs(m, len(others)))
	}
}

// sentinelReplicas lists a master's replicas, leaving out those whose
// INFO says they are not announced (replica-announced no).
func sentinelReplicas(c *client, args [][]byte) {
	m := c.masterOrReject(args[2])
	if m == nil {
		return
	}
	var maps [][][2]string
	for _, r := range m.Replicas {
		st, known := c.fe.mon().Status(m.Name, r)
		if known && !st.InfoAt.IsZero() && !st.ReplicaAnnounced {
			continue
		}
		maps = append(maps, c.fe.replicaPairs(m, r, st, known))
	}
	c.w.Array(len(maps))
	for _, p := range maps {
		c.writePairs(p)
	}
}

// sentinelSentinels lists the other members of the group.
func sentinelSentinels(c *client, args [][]byte) {
	m := c.masterOrReject(args[2])
	if m == nil {
		return
	}
	masters, others := c.fe.snapshot()
	c.w.Array(len(others))
	for _, o := range others {
		c.writePairs(c.fe.sentinelPairs(m, o, len(masters)))
	}
}

// sentinelGetMasterAddr answers the committed master address (the switch
// is committed at promotion); an unknown name is a null, not an error.
func sentinelGetMasterAddr(c *client, args [][]byte) {
	m := c.fe.lookupMaster(string(args[2]))
	if m == nil {
		c.w.NullArray()
		return
	}
	c.w.Array(2)
	c.bulk(m.Addr.IP)
	c.w.BulkInt(int64(m.Addr.Port))
}

// sentinelReset resets every master matching the pattern and answers
// how many matched.
func sentinelReset(c *client, args [][]byte) {
	if res, ok := c.change(Command{Op: OpReset, Pattern: string(args[2])}); ok {
		c.integer(int64(res.N))
	}
}

// sentinelFailover starts a forced failover (no agreement needed).
func sentinelFailover(c *client, args [][]byte) {
	if c.masterOrReject(args[2]) == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), proposeTimeout)
	defer cancel()
	if err := c.fe.force(ctx, string(args[2])); err != nil {
		c.rejectErr(err)
		return
	}
	c.ok()
}

// force is SENTINEL FAILOVER's entry into the failover part.
func (f *frontEnd) force(ctx context.Context, name string) error {
	if f.forceFn != nil {
		return f.forceFn(ctx, name)
	}
	if f.s.fo == nil {
		return ErrNoLeader
	}
	return f.s.fo.Force(ctx, name)
}

// sentinelCkquorum: this sentinel plus every peer it does not hold in
// SDOWN are usable; the quorum needs at least quorum of them and an
// authorised failover a majority of the whole group.
func sentinelCkquorum(c *client, args [][]byte) {
	m := c.masterOrReject(args[2])
	if m == nil {
		return
	}
	_, others := c.fe.snapshot()
	usable := 1
	for _, o := range others {
		if ps, ok := c.fe.mon().Peer(o.ID); !ok || !ps.SDown {
			usable++
		}
	}
	voters := len(others) + 1
	var why []string
	if usable < m.Quorum {
		why = append(why, errQuorumUnreachable)
	}
	if usable < voters/2+1 {
		why = append(why, errMajorityMissing)
	}
	if len(why) > 0 {
		c.errorf(errNoQuorumFmt, usable, strings.Join(why, ". "))
		return
	}
	c.status(sprintf(ckquorumOKFmt, usable))
}

func sentinelFlushConfig(c *client, args [][]byte) {
	if err := c.fe.s.flushConfig(); err != nil {
		c.fe.s.log.Warn("Failed to save config file: " + err.Error())
		c.reject(errFlushConfig)
		return
	}
	c.ok()
}

func sentinelRemove(c *client, args [][]byte) {
	if c.masterOrReject(args[2]) == nil {
		return
	}
	if _, ok := c.change(Command{Op: OpRemove, Name: string(args[2])}); ok {
		c.ok()
	}
}

// sentinelIsMasterDown answers [down, leader, leader-epoch]. Down is 1
// only for a master address this sentinel holds in SDOWN (never in
// TILT). Leaders are elected by Raft here, not by these votes: the
// leader part names the sentinel running a failover of that master, if
// any, else "*" with epoch 0.
func sentinelIsMasterDown(c *client, args [][]byte) {
	port, ok := parseRedisInt(string(args[3]))
	if !ok {
		c.reject(errNotInteger)
		return
	}
	if _, ok := parseRedisInt(string(args[4])); !ok {
		c.reject(errNotInteger)
		return
	}
	addr := Addr{IP: string(args[2]), Port: int(port)}
	down := false
	leader, epoch := "*", int64(0)
	masters, _ := c.fe.snapshot()
	for _, m := range masters {
		if m.Addr != addr {
			continue
		}
		down = c.fe.mon().MasterDownAt(addr)
		if string(args[5]) != "*" && m.Failover != nil {
			leader, epoch = m.Failover.Leader, int64(m.Failover.Epoch)
		}
	}
	c.w.Array(3)
	if down {
		c.integer(1)
	} else {
		c.integer(0)
	}
	c.bulk(leader)
	c.integer(epoch)
}

// sentinelInfoCache: for each known master named, its last INFO and its
// replicas', each as [age in ms, text or null]. Redis computes replica
// ages only when the master itself has an INFO; we keep that quirk.
func sentinelInfoCache(c *client, args [][]byte) {
	var masters []*Master
	for _, a := range args[2:] {
		if m := c.fe.lookupMaster(string(a)); m != nil {
			masters = append(masters, m)
		}
	}
	now := time.Now()
	c.w.Array(2 * len(masters))
	for _, m := range masters {
		c.bulk(m.Name)
		addrs := append([]Addr{m.Addr}, m.Replicas...)
		c.w.Array(len(addrs))
		masterSt, _ := c.fe.mon().Status(m.Name, m.Addr)
		for _, a := range addrs {
			st, known := c.fe.mon().Status(m.Name, a)
			c.w.Array(2)
			if known && !st.InfoAt.IsZero() && !masterSt.InfoAt.IsZero() {
				c.integer(now.Sub(st.InfoAt).Milliseconds())
			} else {
				c.integer(0)
			}
			if known && st.Info != "" {
				c.bulk(st.Info)
			} else {
				c.w.NullBulk()
			}
		}
	}
}

var sentinelHelp = []string{
	"SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CKQUORUM <master-name>",
	"    Check if the current Sentinel configuration is able to reach the quorum",
	"    needed to failover a master and the majority needed to authorize the",
	"    failover.",
	"CONFIG SET <param> <value>",
	"    Set a global Sentinel configuration parameter.",
	"CONFIG GET <param>",
	"    Get global Sentinel configuration parameter.",
	"DEBUG [<param> <value> ...]",
	"    Show a list of configurable time parameters and their values (milliseconds).",
	"    Or update current configurable parameters values (one or more).",
	"GET-MASTER-ADDR-BY-NAME <master-name>",
	"    Return the ip and port number of the master with that name.",
	"FAILOVER <master-name>",
	"    Manually failover a master node without asking for agreement from other",
	"    Sentinels",
	"FLUSHCONFIG",
	"    Force Sentinel to rewrite its configuration on disk, including the current",
	"    Sentinel state.",
	"INFO-CACHE <master-name>",
	"    Return last cached INFO output from masters and all its replicas.",
	"IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
	"    Check if the master specified by ip:port is down from current Sentinel's",
	"    point of view.",
	"MASTER <master-name>",
	"    Show the state and info of the specified master.",
	"MASTERS",
	"    Show a list of monitored masters and their state.",
	"MONITOR <name> <ip> <port> <quorum>",
	"    Start monitoring a new master with the specified name, ip, port and quorum.",
	"MYID",
	"    Return the ID of the Sentinel instance.",
	"PENDING-SCRIPTS",
	"    Get pending scripts information.",
	"REMOVE <master-name>",
	"    Remove master from Sentinel's monitor list.",
	"REPLICAS <master-name>",
	"    Show a list of replicas for this master and their state.",
	"RESET <pattern>",
	"    Reset masters for specific master name matching this pattern.",
	"SENTINELS <master-name>",
	"    Show a list of Sentinel instances for this master and their state.",
	"SET <master-name> <option> <value> [<option> <value> ...]",
	"    Set configuration parameters for certain masters.",
	"SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
	"    Simulate a Sentinel crash.",
	"HELP",
	"    Prints this help.",
}
