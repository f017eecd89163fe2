package config

import (
	"errors"
	"strings"
)

// Replication, persistence, cluster and TLS directives, plus the
// directives that only exist in files.
func init() {
	register(
		// Replication.
		specialDir("replicaof", "", "master host and port, or \"no one\"", alias("slaveof"), immutable, multiArg, implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseReplicaOf, formatReplicaOf, rewriteReplicaOf }),
		strDir("masterauth", "", "password used to authenticate with the master", emptyIsNull, sensitive, implemented),
		strDir("masteruser", "", "ACL user used to authenticate with the master", emptyIsNull, sensitive, implemented),
		boolDir("replica-serve-stale-data", true, "answer queries while the link with the master is down",
			alias("slave-serve-stale-data"), implemented),
		boolDir("replica-read-only", true, "reject writes from normal clients on a replica", alias("slave-read-only"), implemented),
		intDir("replica-priority", 100, 0, intMax, "Sentinel promotion priority; 0 = never", alias("slave-priority"), implemented),
		strDir("replica-announce-ip", "", "IP reported to the master", alias("slave-announce-ip"), emptyIsNull, implemented),
		intDir("replica-announce-port", 0, 0, 65535, "port reported to the master; 0 = the real one",
			alias("slave-announce-port"), implemented),
		boolDir("replica-announced", true, "show this replica to Sentinel"),
		boolDir("replica-lazy-flush", false, "flush the dataset asynchronously before a full sync", alias("slave-lazy-flush")),
		boolDir("replica-ignore-maxmemory", true, "replicas do not evict on their own", alias("slave-ignore-maxmemory")),
		boolDir("replica-ignore-disk-write-errors", false, "keep replicating when the replica fails to persist"),
		memDir("repl-backlog-size", 1<<20, 1, llongMax, "bytes of replication backlog", implemented),
		intDir("repl-backlog-ttl", 3600, 0, longMax, "seconds to keep the backlog without replicas; 0 = forever", implemented),
		boolDir("repl-diskless-sync", true, "send the RDB to replicas through the socket", implemented),
		intDir("repl-diskless-sync-delay", 5, 0, intMax, "seconds to wait for more replicas before a diskless sync", implemented),
		intDir("repl-diskless-sync-max-replicas", 0, 0, intMax, "start the diskless sync early with this many replicas", implemented),
		enumDir("repl-diskless-load", "disabled", []string{"disabled", "on-empty-db", "swapdb"},
			"load the RDB from the socket on replicas", denyLoading, implemented),
		intDir("repl-ping-replica-period", 10, 1, intMax, "seconds between PINGs to replicas",
			alias("repl-ping-slave-period"), implemented),
		intDir("repl-timeout", 60, 1, intMax, "seconds of replication inactivity before timing out", implemented),
		boolDir("repl-disable-tcp-nodelay", false, "disable TCP_NODELAY on the replication socket", implemented),
		intDir("min-replicas-to-write", 0, 0, intMax, "replicas needed to accept writes; 0 disables",
			alias("min-slaves-to-write"), implemented),
		intDir("min-replicas-max-lag", 10, 0, intMax, "seconds of lag for a replica to count as good",
			alias("min-slaves-max-lag"), implemented),
		enumDir("propagation-error-behavior", "ignore", []string{"ignore", "panic", "panic-on-replicas"},
			"what to do when a replicated command fails"),

		// RDB.
		specialDir("save", "3600 1 300 100 60 10000", "seconds/changes pairs that trigger BGSAVE; \"\" disables",
			multiArg, multi, implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseSave, formatSave, rewriteSave }),
		boolDir("stop-writes-on-bgsave-error", true, "refuse writes after a failed BGSAVE", implemented),
		boolDir("rdbcompression", true, "compress strings in RDB files with LZF", implemented),
		boolDir("rdbchecksum", true, "append a CRC64 checksum to RDB files", immutable, implemented),
		strDir("dbfilename", "dump.rdb", "RDB file name inside dir", protected, implemented,
			validator(baseNameValidator("dbfilename", "filename", false))),
		boolDir("rdb-del-sync-files", false, "delete RDB files used only for replication"),
		boolDir("rdb-save-incremental-fsync", true, "fsync every 4 MB while writing RDB files"),
		intDir("rdb-key-save-delay", 0, intMin, intMax, "microseconds of sleep per saved key (tests only)", hidden),
		intDir("key-load-delay", 0, intMin, intMax, "microseconds of sleep per loaded key (tests only)", hidden),
		&Directive{Name: "loading-process-events-interval-bytes", Kind: Int, Default: "2097152", Min: 1024, Max: intMax,
			Hidden: true, Doc: "bytes loaded between event processing (tests only)"},
		specialDir("dir", "", "working directory for RDB, AOF and relative paths", protected, denyLoading, implemented,
			func(d *Directive) { d.parse, d.format, d.rewrite = parseDir, formatString, rewriteDir }),

		// AOF.
		boolDir("appendonly", false, "enable the append only file", denyLoading),
		strDir("appendfilename", "appendonly.aof", "base name of AOF files", immutable,
			validator(baseNameValidator("appendfilename", "filename", true))),
		strDir("appenddirname", "appendonlydir", "directory of AOF files inside dir", immutable,
			validator(baseNameValidator("appenddirname", "dirname", true))),
		enumDir("appendfsync", "everysec", []string{"everysec", "always", "no"}, "AOF fsync policy"),
		boolDir("no-appendfsync-on-rewrite", false, "skip fsync while a rewrite child runs"),
		intDir("auto-aof-rewrite-percentage", 100, 0, intMax, "growth percent that triggers a rewrite; 0 disables"),
		memDir("auto-aof-rewrite-min-size", 64<<20, 0, llongMax, "bytes, smallest AOF to rewrite automatically"),
		boolDir("aof-load-truncated", true, "load a truncated AOF instead of failing"),
		boolDir("aof-use-rdb-preamble", true, "write an RDB preamble in rewritten AOFs"),
		boolDir("aof-rewrite-incremental-fsync", true, "fsync every 4 MB while rewriting the AOF"),
		boolDir("aof-timestamp-enabled", false, "write timestamp annotations in the AOF"),
		boolDir("aof-disable-auto-gc", false, "keep old AOF files after a rewrite"),

		// Cluster.
		boolDir("cluster-enabled", false, "run in cluster mode", immutable),
		strDir("cluster-config-file", "nodes.conf", "cluster state file", immutable),
		intDir("cluster-node-timeout", 15000, 0, llongMax, "milliseconds before a node is considered failing"),
		intDir("cluster-port", 0, 0, 65535, "cluster bus port; 0 = port+10000", immutable),
		intDir("cluster-replica-validity-factor", 10, 0, intMax, "data age factor for failover eligibility",
			alias("cluster-slave-validity-factor")),
		intDir("cluster-migration-barrier", 1, 0, intMax, "replicas a master keeps before one may migrate"),
		boolDir("cluster-allow-replica-migration", true, "let replicas migrate to orphaned masters"),
		boolDir("cluster-require-full-coverage", true, "stop serving when a slot is uncovered"),
		boolDir("cluster-replica-no-failover", false, "never fail over this replica", alias("cluster-slave-no-failover")),
		boolDir("cluster-allow-reads-when-down", false, "serve reads while the cluster is down"),
		boolDir("cluster-allow-pubsubshard-when-down", true, "serve shard pub/sub while the cluster is down"),
		strDir("cluster-announce-ip", "", "IP announced to other nodes", emptyIsNull),
		strDir("cluster-announce-hostname", "", "hostname announced to other nodes", emptyIsNull,
			validator(validateHostname)),
		intDir("cluster-announce-port", 0, 0, 65535, "client port announced to other nodes"),
		intDir("cluster-announce-tls-port", 0, 0, 65535, "TLS port announced to other nodes"),
		intDir("cluster-announce-bus-port", 0, 0, 65535, "bus port announced to other nodes"),
		enumDir("cluster-preferred-endpoint-type", "ip", []string{"ip", "hostname", "unknown-endpoint"},
			"endpoint shown in redirections"),
		memDir("cluster-link-sendbuf-limit", 0, 0, ullMax, "bytes of send buffer per cluster link; 0 = no limit", unsigned),

		// File-only directives.
		&Directive{Name: "include", Kind: Special, FileOnly: true, Multi: true, Implemented: true,
			Doc: "read another configuration file (glob patterns allowed)"},
		&Directive{Name: "rename-command", Kind: Special, FileOnly: true, Multi: true,
			Doc: "rename a command, or disable it with \"\""},
		&Directive{Name: "user", Kind: Special, FileOnly: true, Multi: true, Doc: "define an ACL user"},
		&Directive{Name: "loadmodule", Kind: Special, FileOnly: true, Multi: true, Doc: "load a module at start-up"},
	)
	register(tlsDirectives()...)
}

func formatString(v any) string { return v.(string) }

// baseNameValidator refuses paths (Redis also refuses backslashes) and,
// when noEmpty is set, the empty string.
func baseNameValidator(name, what string, noEmpty bool) func(*setCtx, any) error {
	return func(_ *setCtx, v any) error {
		s := v.(string)
		if noEmpty && s == "" {
			return errors.New(name + " can't be empty")
		}
		if strings.ContainsAny(s, "/\\") {
			return errors.New(name + " can't be a path, just a " + what)
		}
		return nil
	}
}

func validateHostname(_ *setCtx, v any) error {
	s := v.(string)
	if len(s) >= 256 {
		return errors.New("Hostnames must be less than 256 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return nil
}

func tlsDirectives() []*Directive {
	ds := []*Directive{
		intDir("tls-port", 0, 0, 65535, "TLS port to listen on; 0 disables TLS"),
		boolDir("tls-cluster", false, "use TLS on the cluster bus"),
		boolDir("tls-replication", false, "use TLS for replication links"),
		enumDir("tls-auth-clients", "yes", []string{"no", "yes", "optional"}, "require client certificates"),
		boolDir("tls-prefer-server-ciphers", false, "prefer the server's cipher order"),
		boolDir("tls-session-caching", true, "cache TLS sessions"),
		intDir("tls-session-cache-size", 20480, 0, intMax, "TLS sessions kept in the cache"),
		intDir("tls-session-cache-timeout", 300, 0, intMax, "seconds a cached TLS session stays valid"),
	}
	for _, f := range []struct{ name, doc string }{
		{"tls-cert-file", "server certificate (PEM)"},
		{"tls-key-file", "server private key (PEM)"},
		{"tls-key-file-pass", "passphrase of tls-key-file"},
		{"tls-client-cert-file", "client certificate for outgoing links"},
		{"tls-client-key-file", "client private key for outgoing links"},
		{"tls-client-key-file-pass", "passphrase of tls-client-key-file"},
		{"tls-dh-params-file", "Diffie-Hellman parameters file"},
		{"tls-ca-cert-file", "CA bundle used to verify peers"},
		{"tls-ca-cert-dir", "directory of CA certificates"},
		{"tls-protocols", "allowed TLS protocol versions"},
		{"tls-ciphers", "TLS 1.2 cipher list"},
		{"tls-ciphersuites", "TLS 1.3 cipher suites"},
	} {
		ds = append(ds, strDir(f.name, "", f.doc, emptyIsNull))
	}
	return ds
}
