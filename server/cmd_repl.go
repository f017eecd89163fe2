package server

import (
	"strconv"
	"strings"
	"time"

	"redoubt/commands"
	"redoubt/internal/resp"
)

// REPLCONF, PSYNC, SYNC and WAIT (master side), and the master parts of
// INFO replication and ROLE.

const (
	errPsyncFailoverMaster = "ERR PSYNC FAILOVER can't be sent to a master."
	errPendingOutput       = "ERR SYNC and PSYNC are invalid with pending output"
	errFilteredNeedsEOF    = "ERR Filtered replica requires EOF capability"
	errWaitOnReplica       = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."
	errRdbOnlyRange        = "ERR value is out of range, value must between 0 and 1"
)

func init() {
	adm := commands.Admin | commands.NoScript | commands.Loading | commands.Stale
	commands.Register(
		&commands.Command{Name: "replconf", Arity: -1, Flags: adm | commands.AllowBusy, Proc: replconfCmd,
			Group: "server", Since: "3.0.0", Summary: "An internal command for configuring the replication stream", Complexity: "O(1)",
			ACL: []string{"@admin", "@slow", "@dangerous"}},
		&commands.Command{Name: "psync", Arity: -3, Flags: adm | commands.NoMulti, Proc: psyncCmd,
			Group: "server", Since: "2.8.0", Summary: "An internal command used in replication", Complexity: "",
			ACL: []string{"@admin", "@slow", "@dangerous"}},
		&commands.Command{Name: "sync", Arity: 1, Flags: adm | commands.NoMulti, Proc: syncCmd,
			Group: "server", Since: "1.0.0", Summary: "An internal command used in replication", Complexity: "",
			ACL: []string{"@admin", "@slow", "@dangerous"}},
		&commands.Command{Name: "wait", Arity: 3, Flags: commands.NoScript, Proc: waitCmd,
			Group: "generic", Since: "3.0.0", Summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
			Complexity: "O(1)", ACL: []string{"@slow", "@connection"}, Tips: []string{"request_policy:all_shards", "response_policy:agg_min"}},
	)
}

// REPLCONF <option> <value> ...: options are pairs, applied left to
// right, answered with one +OK. ACK and GETACK are never answered: ACK
// records an attached replica's processed offset; GETACK means something
// only to a replica (the replica side handles it there).
func replconfCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args)%2 == 0 {
		c.Error(commands.ErrSyntax)
		return
	}
	conf := s.rm.conf[cli]
	if conf == nil {
		conf = &replConf{}
	}
	for i := 1; i < len(c.Args); i += 2 {
		opt, val := strings.ToLower(string(c.Args[i])), c.Args[i+1]
		switch opt {
		case "listening-port":
			n, ok := commands.ParseIntArg(val)
			if !ok {
				c.Error(commands.ErrNotInt)
				return
			}
			conf.port = n
		case "ip-address":
			if len(val) >= 256 {
				c.Error("ERR REPLCONF ip-address provided by replica instance is too long: " + strconv.Itoa(len(val)) + " bytes")
				return
			}
			conf.ip = string(val)
		case "capa":
			switch {
			case commands.Is(val, "eof"):
				conf.capaEOF = true
			case commands.Is(val, "psync2"):
				conf.capaPsync2 = true
			}
		case "ack":
			if l := s.replicaOf(cli); l != nil {
				if off, ok := commands.ParseIntArg(val); ok {
					if off > l.ackOff {
						l.ackOff = off
					}
					l.ackTime = time.Now()
					if l.fs != nil && l.fs.diskless && l.cursor != nil && !l.ackClosed {
						l.ackClosed = true
						close(l.acked)
					}
					s.checkWaiters()
					s.updateFailover()
				}
			}
			return
		case "getack":
			if s.rm.onGetack != nil {
				s.rm.onGetack(cli)
			}
			return
		case "rdb-only":
			n, ok := commands.ParseIntArg(val)
			if !ok {
				c.Error(commands.ErrNotInt)
				return
			}
			if n != 0 && n != 1 {
				c.Error(errRdbOnlyRange)
				return
			}
			conf.rdbOnly = n == 1
		case "rdb-filter-only":
			for _, f := range strings.Fields(string(val)) {
				if !strings.EqualFold(f, "functions") {
					c.Error("ERR Unsupported rdb-filter-only option: " + f)
					return
				}
			}
			conf.filterDefined = true
		default:
			c.Error("ERR Unrecognized REPLCONF option: " + string(c.Args[i]))
			return
		}
	}
	s.rm.conf[cli] = conf
	c.W.Simple("OK")
}

// PSYNC <replid> <offset> [FAILOVER].
func psyncCmd(c *commands.Ctx) { startSync(c, false) }

// SYNC: the pre-PSYNC protocol; always a full sync, without the
// +FULLRESYNC line.
func syncCmd(c *commands.Ctx) { startSync(c, true) }

// startSync runs Redis's checks in order: a connection that already is a
// replica is ignored; PSYNC FAILOVER is refused on a master and must name
// our replid, and then promotes us before the PSYNC itself is served (the
// demoted master then continues from our shifted history); no SYNC while
// our own failover runs; nothing may be pending in the output; a
// filtered RDB needs capa eof; the offset must be an integer. Then a
// partial resync is tried, else a full one.
func startSync(c *commands.Ctx, preSync bool) {
	cli := cl(c)
	s := cli.srv
	if cli.flags&flagReplica != 0 {
		return
	}
	if !preSync && len(c.Args) > 3 && commands.Is(c.Args[3], "failover") {
		s.log.Warn("Failover request received for replid " + string(c.Args[1]) + ".")
		if !s.ks.Replica {
			c.Error(errPsyncFailoverMaster)
			return
		}
		if !strings.EqualFold(string(c.Args[1]), s.admin.replID) {
			c.Error(errPsyncFailoverReplid)
			return
		}
		s.promoteLocked()
		s.log.Info("MASTER MODE enabled (failover request from '" + cli.describe() + "')")
	}
	if s.rm.fo.state != failoverNone {
		c.Error(errSyncWhileFailover)
		return
	}
	if msg := s.replicaRefusesSync(); msg != "" {
		c.Error(msg)
		return
	}
	if cli.w.Len() > 0 {
		c.Error(errPendingOutput)
		return
	}
	var conf replConf
	if p := s.rm.conf[cli]; p != nil {
		conf = *p
	}
	if conf.filterDefined && !conf.capaEOF {
		c.Error(errFilteredNeedsEOF)
		return
	}
	if !preSync {
		off, ok := commands.ParseIntArg(c.Args[2])
		if !ok {
			c.Error(commands.ErrNotInt)
			return
		}
		if s.tryPartial(cli, conf, string(c.Args[1]), off) {
			return
		}
	}
	s.fullResync(cli, conf, preSync)
}

// WAIT numreplicas timeout: the count of online replicas whose ACKed
// offset reached the master offset when WAIT was called. It answers at
// once when enough already did or inside MULTI; otherwise it blocks
// (timeout in ms, 0 = forever) and asks replicas for an ACK with one
// REPLCONF GETACK *.
func waitCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if s.ks.Replica {
		c.Error(errWaitOnReplica)
		return
	}
	num, ok := commands.ParseIntArg(c.Args[1])
	if !ok {
		c.Error(commands.ErrNotInt)
		return
	}
	timeout, ok := commands.ParseIntArg(c.Args[2])
	if !ok {
		c.Error(errTimeoutNotInt)
		return
	}
	if timeout < 0 {
		c.Error(errTimeoutNegative)
		return
	}
	// The target is the master offset after this client's previous
	// command (its last write, or later).
	off := cli.woff
	n := s.ackedCount(off)
	if n >= num || c.InMulti {
		c.W.Int(n)
		return
	}
	var deadline int64
	if timeout > 0 {
		deadline = time.Now().UnixMilli() + timeout
	}
	s.blockClient(c, nil, deadline, func(w *resp.Writer) {
		delete(s.rm.waiters, cli)
		w.Int(s.ackedCount(off))
	})
	if cli.blocked == nil {
		return
	}
	s.rm.waiters[cli] = &waitReq{st: cli.blocked, offset: off, num: num}
	s.rm.getackWanted = true
}

// appendReplMasterInfo writes INFO replication from connected_slaves on.
func (s *Server) appendReplMasterInfo(b *infoBuilder) {
	a := &s.admin
	now := time.Now()
	b.int("connected_slaves", int64(len(s.rm.replicas)))
	if need, lag := s.cfg.Int("min-replicas-to-write"), s.cfg.Int("min-replicas-max-lag"); need > 0 && lag > 0 {
		b.int("min_slaves_good_slaves", int64(s.goodReplicas(lag, now)))
	}
	for i, l := range s.rm.replicas {
		lag := int64(0)
		if l.state == replOnline {
			lag = int64(now.Sub(l.ackTime) / time.Second)
		}
		ip, port := s.replicaAddr(l)
		b.str("slave"+strconv.Itoa(i), "ip="+ip+",port="+strconv.FormatInt(port, 10)+",state="+replStateNames[l.state]+
			",offset="+strconv.FormatInt(l.ackOff, 10)+",lag="+strconv.FormatInt(lag, 10))
	}
	b.str("master_failover_state", s.failoverStateName())
	b.str("master_replid", a.replID)
	b.str("master_replid2", a.replID2)
	b.int("master_repl_offset", s.stream.Offset)
	b.int("second_repl_offset", a.secondReplOffset)
	var active, first, hist int64
	if bl := s.rm.backlog; bl != nil {
		p, n := bl.Range()
		active, first, hist = 1, p+1, n
	}
	b.int("repl_backlog_active", active)
	b.int("repl_backlog_size", s.cfg.Int("repl-backlog-size"))
	b.int("repl_backlog_first_byte_offset", first)
	b.int("repl_backlog_histlen", hist)
}

// replicaAddr is the address shown for a replica: its announced IP, else
// the socket's peer address; the port it announced with listening-port.
func (s *Server) replicaAddr(l *replicaLink) (string, int64) {
	ip := l.conf.ip
	if ip == "" {
		ip = l.c.addr
		if i := strings.LastIndexByte(ip, ':'); i >= 0 {
			ip = ip[:i]
		}
	}
	return ip, l.conf.port
}

// roleReplicas writes ROLE's list of online replicas: ip, port and ACKed
// offset, all as bulk strings.
func (s *Server) roleReplicas(w *resp.Writer) {
	n := 0
	for _, l := range s.rm.replicas {
		if l.state == replOnline {
			n++
		}
	}
	w.Array(n)
	for _, l := range s.rm.replicas {
		if l.state != replOnline {
			continue
		}
		ip, port := s.replicaAddr(l)
		w.Array(3)
		w.BulkString(ip)
		w.BulkString(strconv.FormatInt(port, 10))
		w.BulkString(strconv.FormatInt(l.ackOff, 10))
	}
}
