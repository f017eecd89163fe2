package config

import (
	"errors"
	"strings"
)

// General server, network, logging, security and client directives.
func init() {
	register(
		// Network.
		intDir("port", 6379, 0, 65535, "TCP port to listen on; 0 disables TCP", implemented),
		specialDir("bind", "* -::*", "addresses to listen on (up to 16); \"-\" prefix means optional", multiArg, implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseBind, formatList, rewriteBind }),
		strDir("bind-source-addr", "", "source address for outgoing connections", emptyIsNull),
		intDir("tcp-backlog", 511, 0, intMax, "listen(2) backlog", immutable, implemented),
		strDir("unixsocket", "", "path of a unix socket to listen on; empty disables it", emptyIsNull, immutable, implemented),
		&Directive{Name: "unixsocketperm", Kind: Octal, Default: "0", Min: 0, Max: 0o777, Unsigned: true,
			Immutable: true, Implemented: true, Doc: "octal permissions of the unix socket; 0 keeps the umask default"},
		intDir("timeout", 0, 0, intMax, "seconds of client idleness before closing; 0 = never", implemented),
		intDir("tcp-keepalive", 300, 0, intMax, "seconds between TCP keepalive probes; 0 disables", implemented),
		intDir("socket-mark-id", 0, 0, uintMax, "SO_MARK / SO_USER_COOKIE value for listening sockets", immutable, unsigned),
		boolDir("protected-mode", true, "refuse non-loopback clients when no password and no bind are set", implemented),
		intDir("maxclients", 10000, 1, uintMax, "maximum number of connected clients", unsigned, implemented),

		// Process.
		boolDir("daemonize", false, "run in the background (Redoubt warns and stays in the foreground)", immutable, implemented),
		enumDir("supervised", "no", []string{"upstart", "systemd", "auto", "no"}, "supervision tree interaction", immutable),
		strDir("pidfile", "", "file to write the process id to", emptyIsNull, immutable, implemented),
		boolDir("always-show-logo", false, "print the ASCII logo even when not on a terminal", immutable, implemented),
		boolDir("set-proc-title", true, "change the process title shown by ps", immutable, implemented),
		strDir("proc-title-template", "{title} {listen-addr} {server-mode}", "template of the process title",
			validator(validateProcTitle)),
		intDir("databases", 16, 1, intMax, "number of logical databases", immutable, implemented),
		intDir("hz", 10, 0, intMax, "background task frequency in Hz (clamped to 1..500)", implemented,
			func(d *Directive) { d.fixup = clampHz }),
		boolDir("dynamic-hz", true, "raise hz with the number of clients"),
		intDir("io-threads", 1, 1, 128, "number of I/O threads", immutable),
		boolDir("io-threads-do-reads", false, "also use I/O threads for reads and parsing", immutable),
		boolDir("disable-thp", true, "disable transparent huge pages for the process", immutable),
		enumDir("oom-score-adj", "no", []string{"no", "yes", "relative", "absolute"}, "how oom-score-adj-values are applied",
			func(d *Directive) { d.EnumVal = []int64{0, 1, 1, 2} }),
		specialDir("oom-score-adj-values", "0 200 800", "oom_score_adj for master, replica and child processes", multiArg,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseOOMValues, formatOOMValues, rewriteOOMValues }),
		strDir("server_cpulist", "", "CPU affinity of the main and I/O threads", emptyIsNull, immutable),
		strDir("bio_cpulist", "", "CPU affinity of background I/O threads", emptyIsNull, immutable),
		strDir("aof_rewrite_cpulist", "", "CPU affinity of AOF rewrite children", emptyIsNull, immutable),
		strDir("bgsave_cpulist", "", "CPU affinity of BGSAVE children", emptyIsNull, immutable),
		boolDir("jemalloc-bg-thread", true, "let jemalloc purge memory in a background thread"),
		strDir("ignore-warnings", "", "start-up warnings to suppress (e.g. ARM64-COW-BUG)"),
		enumDir("shutdown-on-sigint", "default", shutdownFlags, "SHUTDOWN flags used on SIGINT", multiArg, shutdownOpts),
		enumDir("shutdown-on-sigterm", "default", shutdownFlags, "SHUTDOWN flags used on SIGTERM", multiArg, shutdownOpts),
		intDir("shutdown-timeout", 10, 0, intMax, "seconds to wait for replicas to catch up on shutdown"),
		boolDir("crash-log-enabled", true, "print a stack trace when crashing", implemented),
		boolDir("crash-memcheck-enabled", true, "run a fast memory check after a crash"),
		boolDir("use-exit-on-panic", false, "exit instead of aborting on a panic (tests only)", hidden),
		intDir("watchdog-period", 0, 0, intMax, "software watchdog period in milliseconds (debugging)", hidden),

		// Logging.
		enumDir("loglevel", "notice", []string{"debug", "verbose", "notice", "warning"}, "log verbosity", implemented),
		strDir("logfile", "", "log file path; empty logs to standard output", immutable, implemented),
		boolDir("syslog-enabled", false, "also log to syslog", immutable),
		strDir("syslog-ident", "redis", "syslog identity", immutable),
		enumDir("syslog-facility", "local0", []string{"user", "local0", "local1", "local2", "local3", "local4",
			"local5", "local6", "local7"}, "syslog facility", immutable),

		// Security.
		strDir("requirepass", "", "password of the default user", emptyIsNull, sensitive, implemented),
		strDir("aclfile", "", "external ACL file", immutable),
		intDir("acllog-max-len", 128, 0, longMax, "entries kept by ACL LOG"),
		enumDir("acl-pubsub-default", "resetchannels", []string{"allchannels", "resetchannels"},
			"default channel permissions of new users"),
		enumDir("enable-protected-configs", "no", protectedAction, "allow CONFIG SET of protected directives", immutable),
		enumDir("enable-debug-command", "no", protectedAction, "allow the DEBUG command", immutable),
		enumDir("enable-module-command", "no", protectedAction, "allow the MODULE command", immutable),
		enumDir("sanitize-dump-payload", "no", []string{"no", "yes", "clients"}, "deep-check RESTORE payloads"),

		// Clients.
		memDir("client-query-buffer-limit", 1<<30, 1<<20, longMax, "bytes, maximum query buffer per client", unsigned, implemented),
		memDir("proto-max-bulk-len", 512<<20, 1<<20, longMax, "bytes, maximum length of one bulk string", implemented),
		specialDir("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
			"per class: hard limit, soft limit (bytes) and soft seconds", multiArg, multi, implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseObuf, formatObuf, rewriteObuf }),
		memDir("maxmemory-clients", 0, -100, longMax, "bytes or N% of maxmemory for all client buffers; 0 = no limit", percent),
		intDir("tracking-table-max-keys", 1000000, 0, longMax, "keys tracked for client-side caching", unsigned),
		specialDir("notify-keyspace-events", "", "keyspace notification classes (K E g $ l s h z x e t m d n A)", implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseNotify, formatNotify, rewriteNotify }),
	)
}

var protectedAction = []string{"no", "yes", "local"}

var shutdownFlags = []string{"default", "save", "nosave", "now", "force"}

func shutdownOpts(d *Directive) {
	d.Flags = true
	d.EnumVal = []int64{0, 1, 2, 4, 8}
	d.validate = func(_ *setCtx, v any) error {
		if f := v.(int64); f&1 != 0 && f&2 != 0 {
			return errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
		}
		return nil
	}
}

func clampHz(v any) any {
	switch n := v.(int64); {
	case n < 1:
		return int64(1)
	case n > 500:
		return int64(500)
	}
	return v
}

// validateProcTitle expands the template the way Redis checks it: braces
// must be balanced, variables known, and the expansion (with an empty
// title) not blank.
func validateProcTitle(x *setCtx, v any) error {
	bad := errors.New("template format is invalid or contains unknown variables")
	t := v.(string)
	var out strings.Builder
	for len(t) > 0 {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			out.WriteString(t)
			break
		}
		out.WriteString(t[:i])
		t = t[i+1:]
		if t == "" {
			return bad
		}
		if t[0] == '{' {
			out.WriteByte('{')
			t = t[1:]
			continue
		}
		j := strings.IndexByte(t, '}')
		if j < 0 {
			return bad
		}
		switch t[:j] {
		case "title", "server-mode":
		case "listen-addr", "port", "tls-port", "config-file":
			out.WriteString("x")
		case "unixsocket":
			out.WriteString(x.curByName("unixsocket").(string))
		default:
			return bad
		}
		t = t[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return bad
	}
	return nil
}
