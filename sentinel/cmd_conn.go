package sentinel

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
)

// Connection commands: PING, AUTH, HELLO, ROLE, SHUTDOWN and ACL.

// redisVersion is the version HELLO and INFO report.
const redisVersion = "7.0.15"

// defaultUser is the only ACL user a sentinel has.
const defaultUser = "default"

// cmdPing: PONG, or the argument echoed. A RESP2 client in subscribed
// mode gets the two-element "pong" array instead.
func cmdPing(c *client, args [][]byte) {
	if len(args) > 2 {
		c.errorf(errWrongArityFmt, "ping")
		return
	}
	if c.proto.Load() == 2 && c.nsubs.Load() > 0 {
		c.w.Array(2)
		c.bulk("pong")
		if len(args) == 2 {
			c.w.Bulk(args[1])
		} else {
			c.bulk("")
		}
		return
	}
	if len(args) == 2 {
		c.w.Bulk(args[1])
		return
	}
	c.status("PONG")
}

// checkPassword tells whether user/pass authenticate as the default user:
// any password when requirepass is unset, else exactly requirepass.
func (c *client) checkPassword(user, pass string) bool {
	if user != defaultUser {
		return false
	}
	want := c.fe.settings.requirePass()
	return want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

// cmdAuth: AUTH <password> authenticates the default user; AUTH <user>
// <password> names the user. The one-argument form needs requirepass.
func cmdAuth(c *client, args [][]byte) {
	user, pass := defaultUser, ""
	switch len(args) {
	case 2:
		if c.fe.settings.requirePass() == "" {
			c.reject(errAuthNoPass)
			return
		}
		pass = string(args[1])
	case 3:
		user, pass = string(args[1]), string(args[2])
	default:
		c.reject(errSyntax)
		return
	}
	if !c.checkPassword(user, pass) {
		c.reject(errWrongPass)
		return
	}
	c.authed.Store(true)
	c.ok()
}

// cmdHello: HELLO [protover [AUTH user pass] [SETNAME name]]. The
// version is checked first, then each option in turn; a client still
// unauthenticated after the options is refused. The reply is the
// six-field map of a sentinel (no role).
func cmdHello(c *client, args [][]byte) {
	proto := int64(c.proto.Load())
	if len(args) >= 2 {
		v, ok := parseRedisInt(string(args[1]))
		if !ok {
			c.reject(errProtoVersion)
			return
		}
		if v < 2 || v > 3 {
			c.reject(errNoProto)
			return
		}
		proto = v
	}
	var user, pass string
	auth := false
	for j := 2; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := string(args[j])
		switch {
		case strings.EqualFold(opt, "auth") && more >= 2:
			auth, user, pass = true, string(args[j+1]), string(args[j+2])
			j += 2
		case strings.EqualFold(opt, "setname") && more >= 1:
			// The name is taken at once: a later bad option does not undo it.
			name := string(args[j+1])
			if !validClientName(name) {
				c.reject(errClientName)
				return
			}
			c.mu.Lock()
			c.name = name
			c.mu.Unlock()
			j++
		default:
			c.errorf(errHelloOptFmt, opt)
			return
		}
	}
	if auth {
		if !c.checkPassword(user, pass) {
			c.reject(errWrongPass)
			return
		}
		c.authed.Store(true)
	}
	if !c.authed.Load() {
		c.reject(errHelloNoAuth)
		return
	}
	c.proto.Store(int32(proto))
	c.w.Proto = int(proto)
	c.w.Map(6)
	c.kv("server", "redis")
	c.kv("version", redisVersion)
	c.bulk("proto")
	c.integer(proto)
	c.bulk("id")
	c.integer(c.id)
	c.kv("mode", "sentinel")
	c.bulk("modules")
	c.w.Array(0)
}

// cmdRole: ["sentinel", [monitored master names]].
func cmdRole(c *client, args [][]byte) {
	var names []string
	c.fe.view(func(st *State) {
		for _, m := range st.sortedMasters() {
			names = append(names, m.Name)
		}
	})
	c.w.Array(2)
	c.bulk("sentinel")
	c.w.Array(len(names))
	for _, n := range names {
		c.bulk(n)
	}
}

// cmdShutdown: SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. A sentinel
// has nothing to save: the connection closes and the process exits.
func cmdShutdown(c *client, args [][]byte) {
	for _, a := range args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave", "save", "now", "force":
		case "abort":
			c.reject("ERR No shutdown in progress.")
			return
		default:
			c.reject(errSyntax)
			return
		}
	}
	c.quitAfterReply.Store(true)
	c.fe.shutdown()
}

// aclCommand is ACL: a sentinel has only the default user, so WHOAMI,
// USERS, LIST, GETUSER, CAT, GENPASS and HELP answer about it; the
// commands that would change users or files are refused.
func aclCommand() *command {
	refuse := func(c *client, args [][]byte) {
		c.reject("ERR This Redoubt sentinel only has the default user; ACL " + strings.ToUpper(string(args[1])) + " is not supported")
	}
	return container("acl", -2, nil,
		sub("acl", "whoami", 2, func(c *client, args [][]byte) { c.bulk(defaultUser) }),
		sub("acl", "users", 2, func(c *client, args [][]byte) { c.w.Array(1); c.bulk(defaultUser) }),
		sub("acl", "list", 2, func(c *client, args [][]byte) { c.w.Array(1); c.bulk(c.aclUserLine()) }),
		sub("acl", "getuser", 3, aclGetUser),
		sub("acl", "cat", -2, aclCat),
		sub("acl", "genpass", -2, aclGenPass),
		sub("acl", "help", 2, func(c *client, args [][]byte) { c.helpLines(aclHelp) }),
		sub("acl", "setuser", -3, refuse),
		sub("acl", "deluser", -3, refuse),
		sub("acl", "load", 2, refuse),
		sub("acl", "save", 2, refuse),
		sub("acl", "dryrun", -4, aclDryRun),
		sub("acl", "log", -2, func(c *client, args [][]byte) {
			if len(args) > 2 && strings.EqualFold(string(args[2]), "reset") {
				c.ok()
				return
			}
			c.w.Array(0)
		}),
	)
}

// passwordHash is how ACL shows a password: its SHA-256 in hex ("" when
// the default user has none).
func (c *client) passwordHash() string {
	p := c.fe.settings.requirePass()
	if p == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(p))
	return hex.EncodeToString(sum[:])
}

// aclUserLine is ACL LIST's description of the default user.
func (c *client) aclUserLine() string {
	if h := c.passwordHash(); h != "" {
		return "user default on #" + h + " ~* &* +@all"
	}
	return "user default on nopass ~* &* +@all"
}

func aclGetUser(c *client, args [][]byte) {
	if string(args[2]) != defaultUser {
		c.w.NullBulk()
		return
	}
	h := c.passwordHash()
	c.w.Map(6)
	c.bulk("flags")
	if h == "" {
		c.w.Array(2)
		c.bulk("on")
		c.bulk("nopass")
	} else {
		c.w.Array(1)
		c.bulk("on")
	}
	c.bulk("passwords")
	if h == "" {
		c.w.Array(0)
	} else {
		c.w.Array(1)
		c.bulk(h)
	}
	c.kv("commands", "+@all")
	c.kv("keys", "~*")
	c.kv("channels", "&*")
	c.bulk("selectors")
	c.w.Array(0)
}

// aclCategories are ACL CAT's categories, in Redis's order.
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
	"connection", "transaction", "scripting"}

// aclCat lists the categories, or the commands of one category.
func aclCat(c *client, args [][]byte) {
	if len(args) == 2 {
		c.w.Array(len(aclCategories))
		for _, cat := range aclCategories {
			c.bulk(cat)
		}
		return
	}
	cat := strings.ToLower(string(args[2]))
	if !slices.Contains(aclCategories, cat) {
		c.reject("ERR Unknown category '" + string(args[2]) + "'")
		return
	}
	var names []string
	for _, d := range allDescs() {
		for _, e := range d.info.elems[6].elems {
			if e.str == "@"+cat {
				names = append(names, d.name)
			}
		}
	}
	c.w.Array(len(names))
	for _, n := range names {
		c.bulk(n)
	}
}

// aclDryRun: the default user may run every command.
func aclDryRun(c *client, args [][]byte) {
	if string(args[2]) != defaultUser {
		c.reject("ERR User '" + string(args[2]) + "' not found")
		return
	}
	if commandTable[strings.ToLower(string(args[3]))] == nil {
		c.reject("ERR Command '" + string(args[3]) + "' not found")
		return
	}
	c.ok()
}

func aclGenPass(c *client, args [][]byte) {
	bits := int64(256)
	if len(args) > 2 {
		b, ok := parseRedisInt(string(args[2]))
		if !ok || b <= 0 || b > 4096 {
			c.reject("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
			return
		}
		bits = b
	}
	buf := make([]byte, (bits+7)/8)
	rand.Read(buf)
	c.bulk(hex.EncodeToString(buf)[:(bits+3)/4])
}

var aclHelp = []string{
	"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
	"HELP",
	"    Prints this help.",
}
