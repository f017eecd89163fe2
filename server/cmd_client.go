package server

import (
	"time"

	"redoubt/commands"
)

// CLIENT and its subcommands. Redoubt has no client-side caching:
// CLIENT TRACKING ON answers an error saying so (TRACKING OFF, CACHING,
// GETREDIR and TRACKINGINFO give the answers of a connection without
// tracking). CLIENT SETINFO is Redis 7.2's: accepted and remembered, but
// not shown by CLIENT LIST, which keeps 7.0's fields.

const (
	errNoSuchClient    = "ERR No such client"
	errClientID        = "ERR client-id should be greater than 0"
	errInvalidClientID = "ERR Invalid client ID"
	errPauseMode       = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	errUnblockReason   = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	errTimeoutNotInt   = "ERR timeout is not an integer or out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errCachingNoTrack  = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	errTrackingOn      = "ERR CLIENT TRACKING ON is not supported: this server has no client-side caching"
	errTrackingRedir   = "ERR A client can only redirect to a single other client"
	errTrackingNoRedir = "ERR The client ID you want redirect to does not exist"
)

func init() {
	conn := commands.NoScript | commands.Loading | commands.Stale
	admin := conn | commands.Admin
	connACL := []string{"@slow", "@connection"}
	adminACL := []string{"@admin", "@slow", "@dangerous", "@connection"}
	sub := func(name string, arity int, flags commands.Flags, proc func(*commands.Ctx), since, summary, complexity string) *commands.Command {
		acl := connACL
		if flags&commands.Admin != 0 {
			acl = adminACL
		}
		return &commands.Command{Name: name, Arity: arity, Flags: flags, Proc: proc, Group: "connection", Since: since,
			Summary: summary, Complexity: complexity, ACL: acl}
	}
	subs := []*commands.Command{
		sub("help", 2, commands.Loading|commands.Stale, clientHelpCmd, "5.0.0", "Show helpful text about the different subcommands", "O(1)"),
		sub("id", 2, conn, clientIDCmd, "5.0.0", "Returns the client ID for the current connection", "O(1)"),
		sub("info", 2, conn, clientInfoCmd, "6.2.0", "Returns information about the current client connection.", "O(1)"),
		sub("list", -2, admin, clientListCmd, "2.4.0", "Get the list of client connections", "O(N) where N is the number of client connections"),
		sub("kill", -3, admin, clientKillCmd, "2.4.0", "Kill the connection of a client", "O(N) where N is the number of client connections"),
		sub("getname", 2, conn, clientGetnameCmd, "2.6.9", "Get the current connection name", "O(1)"),
		sub("setname", 3, conn, clientSetnameCmd, "2.6.9", "Set the current connection name", "O(1)"),
		sub("setinfo", 4, conn, clientSetinfoCmd, "7.2.0", "Set client or connection specific info", "O(1)"),
		sub("pause", -3, admin, clientPauseCmd, "2.9.50", "Stop processing commands from clients for some time", "O(1)"),
		sub("unpause", 2, admin, clientUnpauseCmd, "6.2.0", "Resume processing of clients that were paused", "O(N) Where N is the number of paused clients"),
		sub("unblock", -3, admin, clientUnblockCmd, "5.0.0", "Unblock a client blocked in a blocking command from a different connection", "O(log N) where N is the number of client connections"),
		sub("reply", 3, conn, clientReplyCmd, "3.2.0", "Instruct the server whether to reply to commands", "O(1)"),
		sub("no-evict", 3, admin, clientNoEvictCmd, "7.0.0", "Set client eviction mode for the current connection", "O(1)"),
		sub("getredir", 2, conn, clientGetredirCmd, "6.0.0", "Get tracking notifications redirection client ID if any", "O(1)"),
		sub("trackinginfo", 2, conn, clientTrackinginfoCmd, "6.2.0", "Return information about server assisted client side caching for the current connection", "O(1)"),
		sub("tracking", -3, conn, clientTrackingCmd, "6.0.0", "Enable or disable server assisted client side caching support", "O(1). Some options may introduce additional complexity."),
		sub("caching", 3, conn, clientCachingCmd, "6.0.0", "Instruct the server about tracking or not keys in the next request", "O(1)"),
	}
	m := make(map[string]*commands.Command, len(subs))
	for _, s := range subs {
		m[s.Name] = s
	}
	m["info"].Tips = []string{"nondeterministic_output"}
	m["list"].Tips = []string{"nondeterministic_output"}
	commands.Register(&commands.Command{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands", Complexity: "Depends on subcommand.",
		Proc: clientHelpCmd, Subs: m})
}

// process runs one request. Clients that turned replies off (or skip
// the next one) take the slower path that drops what the command wrote.
// Holds s.mu.
func (s *Server) process(c *Client, args [][]byte) {
	if c.replyOff || c.replySkipNext {
		s.processQuiet(c, args)
		return
	}
	s.processCmd(c, args)
}

// processQuiet implements CLIENT REPLY OFF and SKIP: the command runs as
// usual and its replies are then cut off. CLIENT REPLY ON, run in this
// mode, clears the flags before answering, so its +OK stays.
func (s *Server) processQuiet(c *Client, args [][]byte) {
	if c.replySkipNext {
		c.replySkipNext = false
		c.replySkip = true
	}
	c.replyMark = len(c.w.Buf)
	s.processCmd(c, args)
	if (c.replyOff || c.replySkip) && len(c.w.Buf) > c.replyMark {
		c.w.Buf = c.w.Buf[:c.replyMark]
	}
	c.replySkip = false
}

func clientHelpCmd(c *commands.Ctx) {
	writeHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	})
}

func clientIDCmd(c *commands.Ctx) { c.W.Int(cl(c).id) }

// CLIENT INFO and CLIENT LIST answer a verbatim string in RESP3.
func clientInfoCmd(c *commands.Ctx) {
	cli := cl(c)
	b := appendClientInfo(nil, cli, cli, time.Now())
	c.W.Verbatim(string(append(b, '\n')), "txt")
}

// CLIENT LIST [TYPE type | ID id ...]: IDs are listed in the order given
// (unknown ones skipped); any integer is accepted as an ID.
func clientListCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	switch {
	case len(c.Args) == 2:
		c.W.Verbatim(string(s.clientListText(cli, -1)), "txt")
	case len(c.Args) == 4 && commands.Is(c.Args[2], "type"):
		typ := clientTypeByName(string(c.Args[3]))
		if typ == -1 {
			c.Error("ERR Unknown client type '" + string(c.Args[3]) + "'")
			return
		}
		c.W.Verbatim(string(s.clientListText(cli, typ)), "txt")
	case len(c.Args) > 3 && commands.Is(c.Args[2], "id"):
		var b []byte
		now := time.Now()
		for _, a := range c.Args[3:] {
			id, ok := commands.ParseIntArg(a)
			if !ok {
				c.Error(errInvalidClientID)
				return
			}
			if t := s.clients[id]; t != nil {
				b = appendClientInfo(b, t, cli, now)
				b = append(b, '\n')
			}
		}
		c.W.Verbatim(string(b), "txt")
	default:
		c.SyntaxError()
	}
}

// CLIENT KILL addr (old form: may kill the caller, errors when nothing
// matched) or CLIENT KILL <filter> <value> ... (replies the number of
// clients killed; skips the caller unless SKIPME no).
func clientKillCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args) == 3 {
		f := &killFilter{typ: -1, addr: string(c.Args[2]), hasAddr: true}
		if s.killClients(f, cli) == 0 {
			c.Error(errNoSuchClient)
			return
		}
		c.W.OK()
		return
	}
	f := &killFilter{typ: -1, skipMe: true}
	for i := 2; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			c.SyntaxError()
			return
		}
		opt, val := c.Args[i], c.Args[i+1]
		switch {
		case commands.Is(opt, "id"):
			id, ok := commands.ParseIntArg(val)
			if !ok || id <= 0 {
				c.Error(errClientID)
				return
			}
			f.id = id
		case commands.Is(opt, "type"):
			f.typ = clientTypeByName(string(val))
			if f.typ == -1 {
				c.Error("ERR Unknown client type '" + string(val) + "'")
				return
			}
		case commands.Is(opt, "user"):
			// Only the default user exists (no ACL users).
			if string(val) != "default" {
				c.Error("ERR No such user '" + string(val) + "'")
				return
			}
			f.user, f.hasUser = string(val), true
		case commands.Is(opt, "addr"):
			f.addr, f.hasAddr = string(val), true
		case commands.Is(opt, "laddr"):
			f.laddr, f.hasLaddr = string(val), true
		case commands.Is(opt, "skipme"):
			switch {
			case commands.Is(val, "yes"):
				f.skipMe = true
			case commands.Is(val, "no"):
				f.skipMe = false
			default:
				c.SyntaxError()
				return
			}
		default:
			c.SyntaxError()
			return
		}
	}
	c.W.Int(s.killClients(f, cli))
}

func clientGetnameCmd(c *commands.Ctx) {
	if name := cl(c).name; name != "" {
		c.W.BulkString(name)
		return
	}
	c.W.NullBulk()
}

// CLIENT SETNAME name: an empty name removes the name.
func clientSetnameCmd(c *commands.Ctx) {
	if msg := validClientName(c.Args[2]); msg != "" {
		c.Error(msg)
		return
	}
	cl(c).name = string(c.Args[2])
	c.W.OK()
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2): values follow the
// rule of client names; the error names the attribute as given.
func clientSetinfoCmd(c *commands.Ctx) {
	cli := cl(c)
	attr, val := c.Args[2], c.Args[3]
	var dst *string
	switch {
	case commands.Is(attr, "lib-name"):
		dst = &cli.libName
	case commands.Is(attr, "lib-ver"):
		dst = &cli.libVer
	default:
		c.Error("ERR Unrecognized option '" + string(attr) + "'")
		return
	}
	for _, ch := range val {
		if ch < '!' || ch > '~' {
			c.Error("ERR " + string(attr) + " cannot contain spaces, newlines or special characters.")
			return
		}
	}
	*dst = string(val)
	c.W.OK()
}

// CLIENT PAUSE timeout [WRITE|ALL] (milliseconds; ALL by default).
func clientPauseCmd(c *commands.Ctx) {
	if len(c.Args) > 4 {
		subcommandSyntaxError(c)
		return
	}
	ms, ok := commands.ParseIntArg(c.Args[2])
	if !ok {
		c.Error(errTimeoutNotInt)
		return
	}
	if ms < 0 {
		c.Error(errTimeoutNegative)
		return
	}
	all := true
	if len(c.Args) == 4 {
		switch {
		case commands.Is(c.Args[3], "write"):
			all = false
		case commands.Is(c.Args[3], "all"):
		default:
			c.Error(errPauseMode)
			return
		}
	}
	now := nowMs()
	until := now + ms
	if ms > (1<<62) || until < now {
		until = 1 << 62
	}
	cl(c).srv.pauseClients(until, all)
	c.W.OK()
}

func clientUnpauseCmd(c *commands.Ctx) {
	cl(c).srv.unpauseClients()
	c.W.OK()
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR] unblocks a client blocked on keys:
// it gets its timeout reply, or an UNBLOCKED error. Replies 1 if a client
// was unblocked, 0 otherwise (clients waiting for a pause are left).
func clientUnblockCmd(c *commands.Ctx) {
	if len(c.Args) > 4 {
		subcommandSyntaxError(c)
		return
	}
	asError := false
	if len(c.Args) == 4 {
		switch {
		case commands.Is(c.Args[3], "timeout"):
		case commands.Is(c.Args[3], "error"):
			asError = true
		default:
			c.Error(errUnblockReason)
			return
		}
	}
	id, ok := c.Int(2)
	if !ok {
		return
	}
	s := cl(c).srv
	if t := s.clients[id]; t != nil && t.blocked != nil && s.unblockByRequest(t, asError) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP answer nothing themselves; SKIP
// has no effect while replies are off.
func clientReplyCmd(c *commands.Ctx) {
	cli := cl(c)
	switch {
	case commands.Is(c.Args[2], "on"):
		cli.replyOff, cli.replySkip, cli.replySkipNext = false, false, false
		c.W.OK()
	case commands.Is(c.Args[2], "off"):
		cli.replyOff = true
	case commands.Is(c.Args[2], "skip"):
		if !cli.replyOff {
			cli.replySkipNext = true
		}
	default:
		c.SyntaxError()
	}
}

func clientNoEvictCmd(c *commands.Ctx) {
	cli := cl(c)
	switch {
	case commands.Is(c.Args[2], "on"):
		cli.noEvict = true
	case commands.Is(c.Args[2], "off"):
		cli.noEvict = false
	default:
		c.SyntaxError()
		return
	}
	c.W.OK()
}

func clientGetredirCmd(c *commands.Ctx) { c.W.Int(-1) }

// CLIENT TRACKINGINFO for a connection without tracking.
func clientTrackinginfoCmd(c *commands.Ctx) {
	c.W.Map(3)
	c.W.BulkString("flags")
	c.W.Set(1)
	c.W.BulkString("off")
	c.W.BulkString("redirect")
	c.W.Int(-1)
	c.W.BulkString("prefixes")
	c.W.Array(0)
}

// CLIENT TRACKING ON|OFF [options]: the options are checked as Redis
// checks them; OFF then succeeds (tracking is never on) and ON is
// refused.
func clientTrackingCmd(c *commands.Ctx) {
	s := cl(c).srv
	redirect := false
	for i := 3; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		a := c.Args[i]
		switch {
		case commands.Is(a, "redirect") && more > 0:
			i++
			if redirect {
				c.Error(errTrackingRedir)
				return
			}
			id, ok := c.Int(i)
			if !ok {
				return
			}
			if s.clients[id] == nil {
				c.Error(errTrackingNoRedir)
				return
			}
			redirect = true
		case commands.Is(a, "bcast"), commands.Is(a, "optin"), commands.Is(a, "optout"), commands.Is(a, "noloop"):
		case commands.Is(a, "prefix") && more > 0:
			i++
		default:
			c.SyntaxError()
			return
		}
	}
	switch {
	case commands.Is(c.Args[2], "on"):
		c.Error(errTrackingOn)
	case commands.Is(c.Args[2], "off"):
		c.W.OK()
	default:
		c.SyntaxError()
	}
}

// CLIENT CACHING YES|NO is only valid with tracking on, which never is.
func clientCachingCmd(c *commands.Ctx) { c.Error(errCachingNoTrack) }
