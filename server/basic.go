package server

import (
	"strings"

	"redoubt/commands"
)

// Connection commands: PING, ECHO, SELECT, QUIT, RESET, AUTH, HELLO.

const (
	errWrongPass      = "WRONGPASS invalid username-password pair or user is disabled."
	errAuthNoPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errNoProto        = "NOPROTO unsupported protocol version"
	errProtoNotInt    = "ERR Protocol version is not an integer or out of range"
)

func init() {
	cf := commands.Fast | commands.Loading | commands.Stale
	commands.Register(
		&commands.Command{Name: "ping", Arity: -1, Flags: commands.Fast | commands.Stale, Proc: pingCmd, Group: "connection", Since: "1.0.0",
			Summary: "Ping the server", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}, Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
		&commands.Command{Name: "echo", Arity: 2, Flags: cf, Proc: echoCmd, Group: "connection", Since: "1.0.0",
			Summary: "Echo the given string", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}},
		&commands.Command{Name: "select", Arity: 2, Flags: cf, Proc: selectCmd, Group: "connection", Since: "1.0.0",
			Summary: "Change the selected database for the current connection", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}},
		&commands.Command{Name: "quit", Arity: -1, Flags: commands.AllowBusy | commands.NoAuth | commands.NoScript | commands.Loading | commands.Stale | commands.Fast, Proc: quitCmd, Group: "connection", Since: "1.0.0",
			Summary: "Close the connection", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}},
		&commands.Command{Name: "reset", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.NoAuth | commands.AllowBusy, Proc: resetCmd, Group: "connection", Since: "6.2.0",
			Summary: "Reset the connection", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}},
		&commands.Command{Name: "auth", Arity: -2, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.NoAuth | commands.AllowBusy, Proc: authCmd, Group: "connection", Since: "1.0.0",
			Summary: "Authenticate to the server", Complexity: "O(N) where N is the number of passwords defined for the user", ACL: []string{"@fast", "@connection"}},
		&commands.Command{Name: "hello", Arity: -1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.NoAuth | commands.AllowBusy, Proc: helloCmd, Group: "connection", Since: "6.0.0",
			Summary: "Handshake with Redis", Complexity: "O(1)", ACL: []string{"@fast", "@connection"}},
	)
}

// PING replies PONG, or its argument; a RESP2 client in pub/sub context
// gets the two-element array form instead.
func pingCmd(c *commands.Ctx) {
	if len(c.Args) > 2 {
		c.ArityError()
		return
	}
	cli := cl(c)
	if cli.flags&flagPubSub != 0 && c.W.Proto == 2 {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(c.Args) == 2 {
			c.W.Bulk(c.Args[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(c.Args) == 2 {
		c.W.Bulk(c.Args[1])
		return
	}
	c.W.Simple("PONG")
}

func echoCmd(c *commands.Ctx) { c.W.Bulk(c.Args[1]) }

func selectCmd(c *commands.Ctx) {
	n, ok := c.Int(1)
	if !ok {
		return
	}
	cli := cl(c)
	if n < 0 || n >= int64(len(c.KS.DBs)) {
		c.Error(commands.ErrDBIndex)
		return
	}
	cli.db = c.KS.DBs[n]
	c.W.OK()
}

func quitCmd(c *commands.Ctx) {
	cl(c).flags |= flagCloseAfterReply
	c.W.OK()
}

// RESET returns the connection to its initial state: no transaction, no
// watches, db 0, RESP2, no subscriptions, not a monitor, name cleared,
// and (when a password is set) not authenticated.
func resetCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	s.discardTransaction(cli)
	s.pubsubUnsubscribeAll(cli)
	cli.updatePubSubFlag()
	if cli.flags&flagMonitor != 0 {
		s.removeMonitor(cli)
		cli.flags &^= flagMonitor
	}
	cli.db = s.ks.DBs[0]
	cli.w.Proto = 2
	cli.name = ""
	cli.noEvict = false
	cli.replyOff, cli.replySkipNext = false, false
	cli.authenticatedFlag.Store(s.hot.requirePass == "")
	cli.user = "default"
	c.W.Simple("RESET")
}

// checkAuth validates a username/password pair for the default user.
func (s *Server) checkAuth(user, pass []byte) bool {
	if !strings.EqualFold(string(user), "default") && string(user) != "default" {
		return false
	}
	if s.hot.requirePass == "" {
		return true
	}
	return string(pass) == s.hot.requirePass
}

func authCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args) > 3 {
		c.SyntaxError()
		return
	}
	user, pass := []byte("default"), c.Args[1]
	if len(c.Args) == 3 {
		user, pass = c.Args[1], c.Args[2]
	} else if s.hot.requirePass == "" {
		c.Error(errAuthNoPassword)
		return
	}
	if string(user) != "default" || !s.checkAuth(user, pass) {
		c.Error(errWrongPass)
		return
	}
	cli.authenticatedFlag.Store(true)
	c.W.OK()
}

// HELLO [protover [AUTH user pass] [SETNAME name]] switches the protocol
// and answers with the server's identity as a map.
func helloCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	ver := int64(0)
	i := 1
	if len(c.Args) >= 2 {
		v, ok := commands.ParseIntArg(c.Args[1])
		if !ok {
			c.Error(errProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			c.Error(errNoProto)
			return
		}
		ver = v
		i = 2
	}
	var user, pass, name []byte
	for ; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case commands.Is(c.Args[i], "auth") && more >= 2:
			user, pass = c.Args[i+1], c.Args[i+2]
			i += 2
		case commands.Is(c.Args[i], "setname") && more >= 1:
			name = c.Args[i+1]
			i++
		default:
			c.Error("ERR Syntax error in HELLO option '" + string(c.Args[i]) + "'")
			return
		}
	}
	if user != nil {
		if !s.checkAuth(user, pass) {
			c.Error(errWrongPass)
			return
		}
		cli.authenticatedFlag.Store(true)
	}
	if !cli.authenticatedFlag.Load() {
		c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != nil {
		if msg := validClientName(name); msg != "" {
			c.Error(msg)
			return
		}
		cli.name = string(name)
	}
	if ver != 0 {
		c.W.Proto = int(ver)
	}
	role := "master"
	if s.ks.Replica {
		role = "replica"
	}
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(Version)
	c.W.BulkString("proto")
	c.W.Int(int64(c.W.Proto))
	c.W.BulkString("id")
	c.W.Int(cli.id)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString(role)
	c.W.BulkString("modules")
	c.W.Array(0)
}

// validClientName applies Redis's rule: no spaces, newlines or other
// characters outside '!'..'~'.
func validClientName(name []byte) string {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			return "ERR Client names cannot contain spaces, newlines or special characters."
		}
	}
	return ""
}

// writeHelp writes a HELP reply in Redis's layout.
func writeHelp(c *commands.Ctx, cmd string, lines []string) {
	c.W.Array(len(lines) + 3)
	c.W.Simple(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Simple(l)
	}
	c.W.Simple("HELP")
	c.W.Simple("    Prints this help.")
}
