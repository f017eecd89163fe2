package server

import (
	"bytes"

	"redoubt/commands"
)

// MONITOR turns the connection into a monitor: after +OK it receives a
// line for every command other clients (and itself) run, except admin
// commands and those flagged skip_monitor (see feedMonitors). Like a
// replica, a monitor may no longer run commands that read or write the
// keyspace; PING, CLIENT, QUIT, RESET and the like still work. MONITOR on
// a connection that already is a monitor (or a replica) is ignored and
// gets no reply; inside MULTI/EXEC it is refused.

const (
	errReplicaKeyspace = "ERR Replica can't interact with the keyspace"
	errMonitorDeny     = "ERR MONITOR isn't allowed for DENY BLOCKING client"
)

func init() {
	commands.Register(&commands.Command{Name: "monitor", Arity: 1,
		Flags: commands.Admin | commands.NoScript | commands.Loading | commands.Stale, Proc: monitorCmd,
		Group: "server", Since: "1.0.0", Summary: "Listen for all requests received by the server in real time",
		ACL: []string{"@admin", "@slow", "@dangerous"}})
}

func monitorCmd(c *commands.Ctx) {
	cli := cl(c)
	if c.InMulti {
		c.Error(errMonitorDeny)
		return
	}
	if cli.flags&(flagMonitor|flagReplica) != 0 {
		return
	}
	cli.flags |= flagMonitor
	cli.srv.monitors = append(cli.srv.monitors, cli)
	c.W.OK()
}

// touchesKeyspace is the test that keeps monitors and replicas away from
// the data: the command reads, writes or may propagate.
func touchesKeyspace(cmd *commands.Command) bool {
	return cmd.Flags&(commands.Write|commands.ReadOnly|commands.MayReplicate) != 0
}

// redactedArg replaces secrets in what MONITOR and SLOWLOG show.
var redactedArg = []byte("(redacted)")

// sensitiveConfigs are the directives whose values CONFIG SET hides.
var sensitiveConfigs = []string{"requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass"}

// redactArgs returns args with passwords replaced by "(redacted)", as
// Redis shows AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, CONFIG SET of
// a password directive, and ACL SETUSER. args itself is returned when
// there is nothing to hide; otherwise a copy of the outer slice.
func redactArgs(args [][]byte) [][]byte {
	if len(args) < 2 {
		return args
	}
	name := args[0]
	var hide []int
	switch {
	case commands.Is(name, "auth"):
		for i := 1; i < len(args); i++ {
			hide = append(hide, i)
		}
	case commands.Is(name, "hello"):
		for i := 2; i < len(args); i++ {
			if commands.Is(args[i], "auth") && i+2 < len(args) {
				hide = append(hide, i+1, i+2)
				i += 2
			} else if commands.Is(args[i], "setname") {
				i++
			}
		}
	case commands.Is(name, "migrate"):
		for i := 6; i < len(args); i++ {
			switch {
			case commands.Is(args[i], "auth") && i+1 < len(args):
				hide = append(hide, i+1)
				i++
			case commands.Is(args[i], "auth2") && i+2 < len(args):
				hide = append(hide, i+1, i+2)
				i += 2
			case commands.Is(args[i], "keys"):
				i = len(args)
			}
		}
	case commands.Is(name, "config") && commands.Is(args[1], "set"):
		for i := 2; i+1 < len(args); i += 2 {
			for _, d := range sensitiveConfigs {
				if bytes.EqualFold(args[i], []byte(d)) {
					hide = append(hide, i+1)
				}
			}
		}
	case commands.Is(name, "acl") && commands.Is(args[1], "setuser"):
		for i := 2; i < len(args); i++ {
			hide = append(hide, i)
		}
	}
	if len(hide) == 0 {
		return args
	}
	out := append([][]byte(nil), args...)
	for _, i := range hide {
		out[i] = redactedArg
	}
	return out
}
