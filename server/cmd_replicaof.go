package server

import (
	"strconv"
	"strings"
	"time"

	"redoubt/commands"
	"redoubt/internal/resp"
	"redoubt/replication"
)

// REPLICAOF/SLAVEOF, and the replica parts of INFO replication and ROLE.

const (
	errReplicaOfCluster  = "ERR REPLICAOF not allowed in cluster mode."
	errReplicaOfByRepl   = "ERR Command is not valid when client is a replica."
	errInvalidMasterPort = "ERR Invalid master port"
)

func init() {
	flags := commands.Admin | commands.NoScript | commands.Stale
	for _, name := range []string{"replicaof", "slaveof"} {
		commands.Register(&commands.Command{Name: name, Arity: 3, Flags: flags, Proc: replicaofCmd,
			Group: "server", Since: "5.0.0", Summary: "Make the server a replica of another instance, or promote it as master.",
			Complexity: "O(1)", ACL: []string{"@admin", "@slow", "@dangerous"}})
	}
}

// REPLICAOF host port | NO ONE. NO ONE promotes a replica (a master
// answers +OK and does nothing); a replica connection may not use it; a
// port outside 0..65535 is refused; the current master again gets
// "+OK Already connected to specified master" (even with the link down);
// otherwise +OK at once and the sync runs in the background.
func replicaofCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if s.cfg.Bool("cluster-enabled") {
		c.Error(errReplicaOfCluster)
		return
	}
	if s.rm.fo.state != failoverNone {
		c.Error(errReplicaOfFailover)
		return
	}
	if commands.Is(c.Args[1], "no") && commands.Is(c.Args[2], "one") {
		if s.ks.Replica {
			s.promoteLocked()
			s.log.Info("MASTER MODE enabled (user request from '" + cli.describe() + "')")
		}
		c.W.Simple("OK")
		return
	}
	if cli.flags&flagReplica != 0 {
		c.Error(errReplicaOfByRepl)
		return
	}
	port, err := strconv.Atoi(string(c.Args[2]))
	if err != nil || port < 0 || port > 65535 {
		c.Error(errInvalidMasterPort)
		return
	}
	host := string(c.Args[1])
	if s.ks.Replica && strings.EqualFold(s.rr.host, host) && s.rr.port == port {
		c.W.Simple("OK Already connected to specified master")
		return
	}
	s.replicaOfLocked(host, port)
	s.log.Info("REPLICAOF " + host + ":" + strconv.Itoa(port) + " enabled (user request from '" + cli.describe() + "')")
	c.W.Simple("OK")
}

// linkState is the ROLE name of our link state. Holds s.mu.
func (s *Server) linkState() replication.LinkState {
	if s.rr.link == nil {
		return replication.LinkConnect
	}
	return s.rr.link.State()
}

// roleReplica writes ROLE for a replica: slave, host, port, link state,
// and the processed offset (-1 without a live master client).
func (s *Server) roleReplica(w *resp.Writer) {
	w.Array(5)
	w.BulkString("slave")
	w.BulkString(s.rr.host)
	w.Int(int64(s.rr.port))
	w.BulkString(s.linkState().String())
	if s.rr.master != nil {
		w.Int(s.rr.off)
	} else {
		w.Int(-1)
	}
}

// appendReplicaInfo writes the replica fields of INFO replication in
// Redis's order. Transfer progress appears only while syncing, the
// down-since line only while the link is not up. Offsets read 1 before
// any master client existed, as in Redis.
func (s *Server) appendReplicaInfo(b *infoBuilder) {
	st := s.linkState()
	up := st == replication.LinkConnected && s.rr.master != nil
	b.str("role", "slave")
	b.str("master_host", s.rr.host)
	b.int("master_port", int64(s.rr.port))
	if up {
		b.str("master_link_status", "up")
	} else {
		b.str("master_link_status", "down")
	}
	lastIO := int64(-1)
	if up {
		lastIO = (time.Now().UnixMilli() - s.rr.link.LastIO.Load()) / 1000
	}
	b.int("master_last_io_seconds_ago", lastIO)
	b.int("master_sync_in_progress", boolInt(st == replication.LinkTransfer))
	readOff, off := int64(1), int64(1)
	if s.rr.everUp {
		readOff, off = s.rr.readOff, s.rr.off
	}
	b.int("slave_read_repl_offset", readOff)
	b.int("slave_repl_offset", off)
	if st == replication.LinkTransfer && s.rr.link != nil {
		l := s.rr.link
		total, read := l.SyncTotal.Load(), l.SyncRead.Load()
		b.int("master_sync_total_bytes", total)
		b.int("master_sync_read_bytes", read)
		b.int("master_sync_left_bytes", total-read)
		perc := 0.0
		if total > 0 {
			perc = float64(read) * 100 / float64(total)
		}
		b.fixed2("master_sync_perc", perc)
		b.int("master_sync_last_io_seconds_ago", (time.Now().UnixMilli()-l.LastIO.Load())/1000)
	}
	if !up {
		down := int64(-1)
		if s.rr.everUp {
			down = int64(time.Since(s.rr.downSince).Seconds())
		}
		b.int("master_link_down_since_seconds", down)
	}
	b.int("slave_priority", s.cfg.Int("replica-priority"))
	b.int("slave_read_only", boolInt(s.hot.replicaReadOnly))
	b.int("replica_announced", boolInt(s.cfg.Bool("replica-announced")))
}
