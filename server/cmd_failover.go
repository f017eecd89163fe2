package server

import (
	"redoubt/commands"
)

// FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | FAILOVER ABORT
// (repl_failover.go runs it).

const (
	errFailoverCluster     = "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead."
	errFailoverNone        = "ERR No failover in progress."
	errFailoverTimeout     = "ERR FAILOVER timeout must be greater than 0"
	errFailoverRunning     = "ERR FAILOVER already in progress."
	errFailoverOnReplica   = "ERR FAILOVER is not valid when server is a replica."
	errFailoverNoReplicas  = "ERR FAILOVER requires connected replicas."
	errFailoverForce       = "ERR FAILOVER with force option requires both a timeout and target HOST and IP."
	errFailoverNotReplica  = "ERR FAILOVER target HOST and PORT is not a replica."
	errFailoverNotOnline   = "ERR FAILOVER target replica is not online."
	errReplicaOfFailover   = "ERR REPLICAOF not allowed while failing over."
	errPsyncFailoverReplid = "ERR PSYNC FAILOVER replid must match my replid."
	errSyncWhileFailover   = "NOMASTERLINK Can't SYNC while failing over"
)

func init() {
	commands.Register(&commands.Command{Name: "failover", Arity: -1,
		Flags: commands.Admin | commands.NoScript | commands.Stale, Proc: failoverCmd,
		Group: "server", Since: "6.2.0", Summary: "Start a coordinated failover between this server and one of its replicas.",
		Complexity: "O(1)", ACL: []string{"@admin", "@slow", "@dangerous"}})
}

// failoverCmd checks in Redis's order: cluster mode; the lone ABORT;
// then the options, each at most once (TIMEOUT must be a positive
// integer, TO's port an integer; anything else is a syntax error); then
// the server's state: no failover running, not a replica, at least one
// replica attached, FORCE only with both TO and TIMEOUT, and a TO target
// that is an online replica (matched on its shown address and port).
func failoverCmd(c *commands.Ctx) {
	s := cl(c).srv
	if s.cfg.Bool("cluster-enabled") {
		c.Error(errFailoverCluster)
		return
	}
	if len(c.Args) == 2 && commands.Is(c.Args[1], "abort") {
		if s.rm.fo.state == failoverNone {
			c.Error(errFailoverNone)
			return
		}
		s.abortFailover("Failover manually aborted")
		c.W.OK()
		return
	}
	var timeout, port int64
	var host string
	hasHost, force := false, false
	for j := 1; j < len(c.Args); j++ {
		a := c.Args[j]
		switch {
		case commands.Is(a, "timeout") && j+1 < len(c.Args) && timeout == 0:
			n, ok := commands.ParseIntArg(c.Args[j+1])
			if !ok {
				c.Error(commands.ErrNotInt)
				return
			}
			if n <= 0 {
				c.Error(errFailoverTimeout)
				return
			}
			timeout = n
			j++
		case commands.Is(a, "to") && j+2 < len(c.Args) && !hasHost:
			n, ok := commands.ParseIntArg(c.Args[j+2])
			if !ok {
				c.Error(commands.ErrNotInt)
				return
			}
			host, port, hasHost = string(c.Args[j+1]), n, true
			j += 2
		case commands.Is(a, "force") && !force:
			force = true
		default:
			c.Error(commands.ErrSyntax)
			return
		}
	}
	switch {
	case s.rm.fo.state != failoverNone:
		c.Error(errFailoverRunning)
		return
	case s.ks.Replica:
		c.Error(errFailoverOnReplica)
		return
	case len(s.rm.replicas) == 0:
		c.Error(errFailoverNoReplicas)
		return
	case force && (timeout == 0 || !hasHost):
		c.Error(errFailoverForce)
		return
	}
	if hasHost {
		l := s.findReplicaAt(host, port)
		if l == nil {
			c.Error(errFailoverNotReplica)
			return
		}
		if l.state != replOnline {
			c.Error(errFailoverNotOnline)
			return
		}
	}
	s.startFailover(host, port, timeout, force)
	c.W.OK()
}
