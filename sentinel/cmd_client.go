package sentinel

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// CLIENT and its 7.0 subcommands. CLIENT SETINFO does not exist before
// 7.2, so it is an unknown subcommand like on a real 7.0 sentinel.

func clientCommand() *command {
	return container("client", -2, nil,
		sub("client", "id", 2, func(c *client, args [][]byte) { c.integer(c.id) }),
		sub("client", "getname", 2, clientGetName),
		sub("client", "setname", 3, clientSetName),
		sub("client", "info", 2, func(c *client, args [][]byte) { c.w.Verbatim(c.infoLine(), "txt") }),
		sub("client", "list", -2, clientList),
		sub("client", "kill", -3, clientKill),
		sub("client", "pause", -3, clientPause),
		sub("client", "unpause", 2, func(c *client, args [][]byte) { c.ok() }),
		sub("client", "reply", 3, clientReply),
		sub("client", "no-evict", 3, func(c *client, args [][]byte) { onOff(c, args[2], nil) }),
		sub("client", "tracking", -3, func(c *client, args [][]byte) { onOff(c, args[2], nil) }),
		sub("client", "trackinginfo", 2, clientTrackingInfo),
		sub("client", "getredir", 2, func(c *client, args [][]byte) { c.integer(-1) }),
		sub("client", "caching", 3, func(c *client, args [][]byte) { c.reject(errCachingTracking) }),
		sub("client", "unblock", -3, func(c *client, args [][]byte) { c.integer(0) }),
		sub("client", "help", 2, func(c *client, args [][]byte) { c.helpLines(clientHelp) }),
	)
}

// onOff accepts ON or OFF (anything else is a syntax error).
func onOff(c *client, arg []byte, set func(bool)) {
	switch strings.ToLower(string(arg)) {
	case "on":
		if set != nil {
			set(true)
		}
	case "off":
		if set != nil {
			set(false)
		}
	default:
		c.reject(errSyntax)
		return
	}
	c.ok()
}

func clientGetName(c *client, args [][]byte) {
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	if name == "" {
		c.w.NullBulk()
		return
	}
	c.bulk(name)
}

// validClientName: a name may not contain spaces, newlines or anything
// outside printable ASCII.
func validClientName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return false
		}
	}
	return true
}

func clientSetName(c *client, args [][]byte) {
	name := string(args[2])
	if !validClientName(name) {
		c.reject(errClientName)
		return
	}
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
	c.ok()
}

// clientType is "pubsub" for a client with subscriptions, else "normal"
// (a sentinel has no master or replica clients).
func (c *client) clientType() string {
	if c.nsubs.Load() > 0 {
		return "pubsub"
	}
	return "normal"
}

// normalizeType maps a CLIENT KILL/LIST TYPE argument to a client type.
func normalizeType(t string) (string, bool) {
	switch strings.ToLower(t) {
	case "normal":
		return "normal", true
	case "pubsub":
		return "pubsub", true
	case "master":
		return "master", true
	case "replica", "slave":
		return "replica", true
	}
	return "", false
}

// infoLine is the CLIENT INFO / CLIENT LIST line of c, fields in Redis's
// order.
func (c *client) infoLine() string {
	c.mu.Lock()
	name, cmd := c.name, c.lastCmd
	c.mu.Unlock()
	c.fe.hub.mu.Lock()
	nch, npat := len(c.channels), len(c.patterns)
	c.fe.hub.mu.Unlock()
	now := time.Now()
	flags := "N"
	if nch+npat > 0 {
		flags = "P"
	}
	if cmd == "" {
		cmd = "NULL"
	}
	var b strings.Builder
	field := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + v)
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	field("id", itoa(c.id))
	field("addr", c.nc.RemoteAddr().String())
	field("laddr", c.nc.LocalAddr().String())
	field("fd", itoa(connFD(c.nc)))
	field("name", name)
	field("age", itoa(int64(now.Sub(c.created)/time.Second)))
	field("idle", itoa((now.UnixMilli()-c.lastCmdAt.Load())/1000))
	field("flags", flags)
	field("db", "0")
	field("sub", itoa(int64(nch)))
	field("psub", itoa(int64(npat)))
	field("ssub", "0")
	field("multi", "-1")
	field("qbuf", "0")
	field("qbuf-free", itoa(int64(readBufSize)))
	field("argv-mem", "0")
	field("multi-mem", "0")
	field("rbs", itoa(int64(readBufSize)))
	field("rbp", "0")
	field("obl", "0")
	field("oll", itoa(int64(len(c.out))))
	field("omem", "0")
	field("tot-mem", itoa(int64(2*readBufSize)))
	field("events", "r")
	field("cmd", cmd)
	field("user", defaultUser)
	field("redir", "-1")
	field("resp", itoa(int64(c.proto.Load())))
	return b.String() + "\n"
}

// connFD is the socket's descriptor number (CLIENT LIST fd=), -1 if it
// cannot be read.
func connFD(nc net.Conn) int64 {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return -1
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := int64(-1)
	rc.Control(func(d uintptr) { fd = int64(d) })
	return fd
}

// clientList: CLIENT LIST [TYPE type] [ID id [id ...]].
func clientList(c *client, args [][]byte) {
	typ := ""
	var ids map[int64]bool
	for i := 2; i < len(args); {
		opt := strings.ToLower(string(args[i]))
		switch {
		case opt == "type" && i+1 < len(args):
			t, ok := normalizeType(string(args[i+1]))
			if !ok {
				c.errorf(errClientTypeFmt, string(args[i+1]))
				return
			}
			typ = t
			i += 2
		case opt == "id" && i+1 < len(args):
			ids = map[int64]bool{}
			for i++; i < len(args); i++ {
				id, ok := parseRedisInt(string(args[i]))
				if !ok || id <= 0 {
					c.reject(errClientIDList)
					return
				}
				ids[id] = true
			}
		default:
			c.reject(errSyntax)
			return
		}
	}
	var b strings.Builder
	for _, o := range c.fe.clientList() {
		if typ != "" && o.clientType() != typ {
			continue
		}
		if ids != nil && !ids[o.id] {
			continue
		}
		b.WriteString(o.infoLine())
	}
	c.w.Verbatim(b.String(), "txt")
}

// killFilter is CLIENT KILL's filter set.
type killFilter struct {
	id           int64
	typ          string
	addr, laddr  string
	user         string
	skipMe, self bool
}

func (k killFilter) matches(c, o *client) bool {
	switch {
	case k.skipMe && c == o,
		k.id != 0 && o.id != k.id,
		k.typ != "" && o.clientType() != k.typ,
		k.addr != "" && o.nc.RemoteAddr().String() != k.addr,
		k.laddr != "" && o.nc.LocalAddr().String() != k.laddr,
		k.user != "" && k.user != defaultUser:
		return false
	}
	return true
}

// clientKill: the old form CLIENT KILL <ip:port> (+OK or an error), or
// filters ID, TYPE, ADDR, LADDR, USER, SKIPME given as pairs (the count of
// clients killed). Killing oneself closes the connection after the reply.
func clientKill(c *client, args [][]byte) {
	if len(args) == 3 {
		k := killFilter{addr: string(args[2])}
		for _, o := range c.fe.clientList() {
			if k.matches(c, o) {
				c.ok()
				c.kill(o)
				return
			}
		}
		c.reject(errNoSuchClient)
		return
	}
	k := killFilter{skipMe: true}
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.reject(errSyntax)
			return
		}
		opt, val := strings.ToLower(string(args[i])), string(args[i+1])
		switch opt {
		case "id":
			id, ok := parseRedisInt(val)
			if !ok || id <= 0 {
				c.reject(errClientIDKill)
				return
			}
			k.id = id
		case "type":
			t, ok := normalizeType(val)
			if !ok {
				c.errorf(errClientTypeFmt, val)
				return
			}
			k.typ = t
		case "addr":
			k.addr = val
		case "laddr":
			k.laddr = val
		case "user":
			if val != defaultUser {
				c.errorf(errNoSuchUserFmt, val)
				return
			}
			k.user = val
		case "skipme":
			switch strings.ToLower(val) {
			case "yes":
				k.skipMe = true
			case "no":
				k.skipMe = false
			default:
				c.reject(errSyntax)
				return
			}
		default:
			c.reject(errSyntax)
			return
		}
	}
	n := int64(0)
	var victims []*client
	for _, o := range c.fe.clientList() {
		if k.matches(c, o) {
			victims = append(victims, o)
			n++
		}
	}
	c.integer(n)
	for _, o := range victims {
		c.kill(o)
	}
}

// kill closes o; when o is the caller, after its reply is sent.
func (c *client) kill(o *client) {
	if o == c {
		c.quitAfterReply.Store(true)
		return
	}
	o.abort()
}

// clientPause is accepted like Redis (a sentinel serves no writes, so
// there is nothing to hold back).
func clientPause(c *client, args [][]byte) {
	if _, ok := parseRedisInt(string(args[2])); !ok {
		c.reject(errPauseTimeout)
		return
	}
	if len(args) > 4 {
		c.reject(errSyntax)
		return
	}
	if len(args) == 4 {
		m := strings.ToLower(string(args[3]))
		if m != "write" && m != "all" {
			c.reject(errPauseMode)
			return
		}
	}
	c.ok()
}

// clientReply: ON replies +OK; OFF and SKIP send nothing.
func clientReply(c *client, args [][]byte) {
	mode := strings.ToLower(string(args[2]))
	switch mode {
	case "on", "off", "skip":
	default:
		c.reject(errSyntax)
		return
	}
	c.mu.Lock()
	c.replyMode = mode
	c.mu.Unlock()
	if mode == "on" {
		c.ok()
	}
}

func clientTrackingInfo(c *client, args [][]byte) {
	c.w.Map(3)
	c.bulk("flags")
	c.w.Set(1)
	c.bulk("off")
	c.bulk("redirect")
	c.integer(-1)
	c.bulk("prefixes")
	c.w.Array(0)
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
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
	"HELP",
	"    Prints this help.",
}
