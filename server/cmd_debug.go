package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
)

// DEBUG: the subcommands useful to tests and tools. Like Redis, DEBUG is
// refused unless enable-debug-command allows the client, and a known
// subcommand with the wrong number of arguments gets the same error as
// an unknown one. DEBUG RELOAD belongs with the RDB layer; DIGEST and
// DIGEST-VALUE live in digest.go.

const errDebugDisabled = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", " +
	"you can run it from a local connection, otherwise you need to set this option in the configuration file, " +
	"and then restart the server."

func init() {
	commands.Register(&commands.Command{Name: "debug", Arity: -2,
		Flags: commands.Admin | commands.NoScript | commands.Loading | commands.Stale | commands.Protected, Proc: debugCmd,
		Group: "server", Since: "1.0.0", Summary: "A container for debugging commands", Complexity: "Depends on subcommand.",
		ACL: []string{"@admin", "@slow", "@dangerous"}})
}

// debugSubs maps a subcommand to the argument counts it accepts
// (DEBUG and the subcommand included) and its procedure.
var debugSubs = map[string]struct {
	minArgs, maxArgs int
	proc             func(c *commands.Ctx, s *Server)
}{
	"help":              {2, 2, func(c *commands.Ctx, _ *Server) { writeHelp(c, "DEBUG", debugHelp) }},
	"sleep":             {3, 3, debugSleep},
	"set-active-expire": {3, 3, debugSetActiveExpire},
	"object":            {3, 3, debugObject},
	"change-repl-id":    {2, 2, debugChangeReplID},
	"log":               {3, 3, debugLog},
	"error":             {3, 3, debugError},
	"protocol":          {3, 3, debugProtocol},
	"populate":          {3, 5, debugPopulate},
	"digest":            {2, 2, debugDigest},
	"reload":            {2, 5, debugReload},
	"digest-value":      {2, 1 << 30, debugDigestValue},
}

func debugCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if !protectedAllowed(s.cfg, "enable-debug-command", cli) {
		c.Error(errDebugDisabled)
		return
	}
	sub, ok := debugSubs[strings.ToLower(string(c.Args[1]))]
	if !ok || len(c.Args) < sub.minArgs || len(c.Args) > sub.maxArgs {
		c.Error("ERR unknown subcommand or wrong number of arguments for '" + truncate(string(c.Args[1]), 128) + "'. Try DEBUG HELP.")
		return
	}
	sub.proc(c, s)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// DEBUG SLEEP seconds: the whole server stops (the lock is held). The
// argument is read like C's strtod: its longest numeric prefix, 0 if
// none.
func debugSleep(c *commands.Ctx, _ *Server) {
	secs := strtodPrefix(string(c.Args[2]))
	if us := int64(secs * 1e6); us > 0 {
		time.Sleep(time.Duration(us) * time.Microsecond)
	}
	c.W.OK()
}

// strtodPrefix parses the longest prefix of s that is a number.
func strtodPrefix(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	for n := min(len(s), 64); n > 0; n-- {
		if v, err := strconv.ParseFloat(s[:n], 64); err == nil || isRangeErr(err) {
			return v
		}
	}
	return 0
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// atoiPrefix parses a leading optional sign and digits, like C's atoi.
func atoiPrefix(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// DEBUG SET-ACTIVE-EXPIRE 0|1 turns the cron's expiry of keys off or on
// (any non-zero value, as atoi reads it, means on).
func debugSetActiveExpire(c *commands.Ctx, s *Server) {
	s.admin.noActiveExpire = atoiPrefix(string(c.Args[2])) == 0
	c.W.OK()
}

// DEBUG OBJECT key describes the value in Redis's format; lists add
// their quicklist layout. The key table is read directly (no expiry).
func debugObject(c *commands.Ctx, s *Server) {
	o := c.DB.Peek(c.Key(2))
	if o == nil {
		c.Error("ERR no such key")
		return
	}
	refcount := 1
	if o.Type == keyspace.TString && o.Encoding() == "int" {
		policy := s.cfg.String("maxmemory-policy")
		noShared := s.hot.maxmemory > 0 && (strings.HasSuffix(policy, "-lru") || strings.HasSuffix(policy, "-lfu"))
		if n, _ := keyspace.ParseInt(o.Str); n >= 0 && n < 10000 && !noShared {
			refcount = 2147483647
		}
	}
	extra := ""
	if l, ok := o.Val.(*keyspace.List); ok {
		nodes, size := 0, int64(0)
		quicklistNodes(l, s.set.ListMaxListpackSize, func(b int64, _ int) bool {
			nodes++
			size += b
			return true
		})
		avg := 0.0
		if nodes > 0 {
			avg = float64(l.Len()) / float64(nodes)
		}
		compressed := 0
		if s.set.ListCompressDepth != 0 {
			compressed = 1
		}
		extra = fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d",
			nodes, avg, s.set.ListMaxListpackSize, compressed, size)
	}
	idle := keyspace.IdleMs(o, s.ks.NowMs) / 1000
	c.W.Simple(fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d%s",
		o, refcount, o.Encoding(), s.serializedLength(o), o.LRU, idle, extra))
}

// DEBUG CHANGE-REPL-ID starts a new replication history: a fresh
// replication ID and no secondary one.
func debugChangeReplID(c *commands.Ctx, s *Server) {
	s.admin.replID = randomHex40()
	s.admin.replID2 = strings.Repeat("0", 40)
	s.admin.secondReplOffset = -1
	s.log.Info("Setting secondary replication ID to " + s.admin.replID2 + ", valid up to offset: -1. New replication ID is " + s.admin.replID)
	c.W.OK()
}

// DEBUG POPULATE count [prefix] [size] creates string keys
// <prefix>:<n> (prefix "key") holding "value:<n>", or that text padded
// with zero bytes (or cut) to size bytes. Existing keys are left alone.
// Like Redis, nothing is propagated and no event is published; only
// WATCH sees the keys change.
func debugPopulate(c *commands.Ctx, s *Server) {
	// Both numbers must be non-negative integers; anything else gets
	// the one error.
	const errPositive = "ERR value is out of range, must be positive"
	count, ok := commands.ParseIntArg(c.Args[2])
	if !ok || count < 0 {
		c.Error(errPositive)
		return
	}
	size := int64(0)
	if len(c.Args) == 5 {
		if size, ok = commands.ParseIntArg(c.Args[4]); !ok || size < 0 {
			c.Error(errPositive)
			return
		}
	}
	prefix := "key"
	if len(c.Args) >= 4 {
		prefix = string(c.Args[3])
	}
	for j := int64(0); j < count; j++ {
		key := prefix + ":" + strconv.FormatInt(j, 10)
		if c.DB.LookupWrite(key) != nil {
			continue
		}
		val := []byte("value:" + strconv.FormatInt(j, 10))
		if size > 0 {
			padded := make([]byte, size)
			copy(padded, val)
			val = padded
		}
		c.DB.Add(key, keyspace.NewString(val))
		s.Modified(c.DB, key)
	}
	c.W.OK()
}

func debugLog(c *commands.Ctx, s *Server) {
	s.log.Warn("DEBUG LOG: " + string(c.Args[2]))
	c.W.OK()
}

// DEBUG ERROR text replies text as an error, verbatim (line breaks
// become spaces).
func debugError(c *commands.Ctx, _ *Server) { c.W.Error("-" + string(c.Args[2])) }

// DEBUG PROTOCOL type replies a sample of each reply type, for client
// tests.
func debugProtocol(c *commands.Ctx, _ *Server) {
	w := c.W
	switch strings.ToLower(string(c.Args[2])) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		const big = "1234567999999999999999999999999999999"
		if w.Proto == 3 {
			w.Raw([]byte("(" + big + "\r\n"))
		} else {
			w.BulkString(big)
		}
	case "null":
		w.NullBulk()
	case "array", "set":
		if strings.EqualFold(string(c.Args[2]), "set") {
			w.Set(3)
		} else {
			w.Array(3)
		}
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.Map(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if w.Proto == 3 {
			w.Raw([]byte("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"))
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto != 3 {
			w.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("This is a verbatim\nstring", "txt")
	default:
		w.Error("ERR Wrong protocol type name. Please use one of the following: " +
			"string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

// debugHelp is DEBUG HELP's text: every subcommand Redis 7.0 documents,
// including those Redoubt does not implement.
var debugHelp = []string{
	"AOF-FLUSH-SLEEP <microsec>",
	"    Server will sleep before flushing the AOF, this is used for testing.",
	"ASSERT",
	"    Crash by assertion failed.",
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"CONFIG-REWRITE-FORCE-ALL",
	"    Like CONFIG REWRITE but writes all configuration options, including",
	"    keywords not listed in original configuration file or default values.",
	"CRASH-AND-RECOVER [<milliseconds>]",
	"    Hard crash and restart after a <milliseconds> delay (default 0).",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LEAK <string>",
	"    Create a memory leak of the input string.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"HTSTATS <dbid>",
	"    Return hash table statistics of the specified Redis database.",
	"HTSTATS-KEY <key>",
	"    Like HTSTATS but for the hash table stored at <key>'s value.",
	"LOADAOF",
	"    Flush the AOF buffers on disk and reload the AOF in memory.",
	"REPLICATE <string>",
	"    Replicates the provided string to replicas, allowing data divergence.",
	"MALLCTL <key> [<val>]",
	"    Get or set a malloc tuning integer.",
	"MALLCTL-STR <key> [<val>]",
	"    Get or set a malloc tuning string.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"DROP-CLUSTER-PACKET-FILTER <packet-type>",
	"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
	"OOM",
	"    Crash the server simulating an out-of-memory error.",
	"PANIC",
	"    Crash the server simulating a panic.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
	"    * MERGE: conflicting keys will be loaded from RDB.",
	"    * NOFLUSH: the existing database will not be removed before load, but",
	"      conflicting keys will generate an exception and kill the server.",
	"    * NOSAVE: the database will be loaded from an existing RDB file.",
	"    Examples:",
	"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
	"      the database.",
	"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
	"      existing RDB file.",
	"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
	"      file to the database.",
	"RESTART [<milliseconds>]",
	"    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
	"SDSLEN <key>",
	"    Show low level SDS string info representing `key` and value.",
	"SEGFAULT",
	"    Crash the server with sigsegv.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"QUICKLIST-PACKED-THRESHOLD <size>",
	"    Sets the threshold for elements to be inserted as plain vs packed nodes",
	"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
	"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
	"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"STRINGMATCH-TEST",
	"    Run a fuzz tester against the stringmatchlen() function.",
	"STRUCTSIZE",
	"    Return the size of different Redis core C structures.",
	"LISTPACK <key>",
	"    Show low level info about the listpack encoding of <key>.",
	"QUICKLIST <key> [<0|1>]",
	"    Show low level info about the quicklist encoding of <key>.",
	"    The optional argument (0 by default) sets the level of detail",
	"CLIENT-EVICTION",
	"    Show low level client eviction pools info (maxmemory-clients).",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
	"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
	"    In case NEVER is provided the last observed peak will never be reset",
	"    In case RESET is provided the peak reset time will be restored to the default value",
	"REPLYBUFFER RESIZING <0|1>",
	"    Enable or disable the reply buffer resize cron job",
	"CLUSTERLINK KILL <to|from|all> <node-id>",
	"    Kills the link based on the direction to/from (both) with the provided node.",
}
