package config

import "errors"

// Memory, eviction, lazy freeing, data type encodings, defragmentation and
// latency/slowlog directives.
func init() {
	register(
		// Memory limit and eviction.
		memDir("maxmemory", 0, 0, ullMax, "bytes of data memory before eviction; 0 = no limit", unsigned, implemented),
		enumDir("maxmemory-policy", "noeviction", []string{"volatile-lru", "volatile-lfu", "volatile-random",
			"volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"},
			"what to evict when maxmemory is reached", implemented),
		intDir("maxmemory-samples", 5, 1, intMax, "keys sampled per eviction attempt", implemented),
		intDir("maxmemory-eviction-tenacity", 10, 0, 100, "effort spent evicting per command (0..100)", implemented),
		intDir("lfu-log-factor", 10, 0, intMax, "logarithmic factor of the LFU counter", implemented),
		intDir("lfu-decay-time", 1, 0, intMax, "minutes for the LFU counter to decay by one", implemented),
		intDir("active-expire-effort", 1, 1, 10, "effort of the active expire cycle (1..10)", implemented),

		// Lazy freeing.
		boolDir("lazyfree-lazy-eviction", false, "free evicted values in the background", implemented),
		boolDir("lazyfree-lazy-expire", false, "free expired values in the background", implemented),
		boolDir("lazyfree-lazy-server-del", false, "free values deleted implicitly by commands in the background", implemented),
		boolDir("lazyfree-lazy-user-del", false, "make DEL behave like UNLINK", implemented),
		boolDir("lazyfree-lazy-user-flush", false, "make FLUSHALL/FLUSHDB default to ASYNC", implemented),

		// Encodings of small values.
		intDir("hash-max-listpack-entries", 512, 0, longMax, "fields of a hash kept as a listpack",
			alias("hash-max-ziplist-entries"), unsigned, implemented),
		memDir("hash-max-listpack-value", 64, 0, longMax, "bytes, longest field/value of a listpack hash",
			alias("hash-max-ziplist-value"), unsigned, implemented),
		intDir("list-max-listpack-size", -2, intMin, intMax, "entries (>0) or size class (-1..-5) of a list node",
			alias("list-max-ziplist-size"), implemented),
		intDir("list-compress-depth", 0, 0, intMax, "uncompressed nodes at each end of a list; 0 = none compressed", implemented),
		intDir("set-max-intset-entries", 512, 0, longMax, "members of an integer set kept as an intset", unsigned, implemented),
		intDir("zset-max-listpack-entries", 128, 0, longMax, "members of a sorted set kept as a listpack",
			alias("zset-max-ziplist-entries"), unsigned, implemented),
		memDir("zset-max-listpack-value", 64, 0, longMax, "bytes, longest member of a listpack sorted set",
			alias("zset-max-ziplist-value"), unsigned, implemented),
		memDir("stream-node-max-bytes", 4096, 0, longMax, "bytes, maximum size of a stream node; 0 = no limit", unsigned, implemented),
		intDir("stream-node-max-entries", 100, 0, llongMax, "entries of a stream node; 0 = no limit", implemented),
		memDir("hll-sparse-max-bytes", 3000, 0, longMax, "bytes, largest sparse HyperLogLog", unsigned),
		boolDir("activerehashing", true, "incrementally rehash the main dictionaries"),

		// Active defragmentation.
		boolDir("activedefrag", false, "defragment memory in the background", validator(validateActiveDefrag)),
		memDir("active-defrag-ignore-bytes", 100<<20, 1, llongMax, "bytes of fragmentation waste before defragmenting", unsigned),
		intDir("active-defrag-threshold-lower", 10, 0, 1000, "percent of fragmentation that starts defragmentation"),
		intDir("active-defrag-threshold-upper", 100, 0, 1000, "percent of fragmentation for maximum effort"),
		intDir("active-defrag-cycle-min", 1, 1, 99, "minimal CPU percent spent defragmenting"),
		intDir("active-defrag-cycle-max", 25, 1, 99, "maximal CPU percent spent defragmenting"),
		intDir("active-defrag-max-scan-fields", 1000, 1, longMax, "fields of one key scanned per defrag step"),

		// Latency and slow commands.
		intDir("slowlog-log-slower-than", 10000, -1, llongMax, "microseconds; slower commands are logged; -1 disables", implemented),
		intDir("slowlog-max-len", 128, 0, longMax, "entries kept in the slow log", implemented),
		intDir("latency-monitor-threshold", 0, 0, llongMax, "milliseconds; events slower are sampled; 0 disables"),
		boolDir("latency-tracking", true, "track per-command latency histograms", implemented),
		specialDir("latency-tracking-info-percentiles", "50 99 99.9", "percentiles reported by INFO latencystats", multiArg,
			func(d *Directive) {
				d.parse, d.format, d.rewrite = parsePercentiles, formatPercentiles, rewritePercentiles
			}),
		intDir("busy-reply-threshold", 5000, 0, longMax, "milliseconds a script/function may run before BUSY replies",
			alias("lua-time-limit"), implemented),
	)
}

func validateActiveDefrag(_ *setCtx, v any) error {
	if v.(bool) {
		// Same answer as a Redis built without a defrag-capable jemalloc,
		// which is what the reference server in this environment is.
		return errors.New("Active defragmentation cannot be enabled: it requires a Redis server compiled " +
			"with a modified Jemalloc like the one shipped by default with the Redis source distribution")
	}
	return nil
}
