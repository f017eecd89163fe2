package server

import (
	"runtime/debug"
	"strconv"

	"redoubt/commands"
)

// MEMORY USAGE/STATS/DOCTOR/MALLOC-STATS/PURGE/HELP.

func init() {
	tips := []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}
	slow := []string{"@slow"}
	commands.Register(&commands.Command{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0",
		Summary: "A container for memory diagnostics commands", Complexity: "Depends on subcommand.", ACL: slow,
		Subs: map[string]*commands.Command{
			"usage": {Name: "usage", Arity: -3, Flags: commands.ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Proc: memoryUsageCmd,
				Group: "server", Since: "4.0.0", Summary: "Estimate the memory usage of a key",
				Complexity: "O(N) where N is the number of samples.", ACL: []string{"@read", "@slow"}},
			"stats": {Name: "stats", Arity: 2, Proc: memoryStatsCmd, Group: "server", Since: "4.0.0",
				Summary: "Show memory usage details", Complexity: "O(1)", ACL: slow, Tips: tips},
			"doctor": {Name: "doctor", Arity: 2, Proc: memoryDoctorCmd, Group: "server", Since: "4.0.0",
				Summary: "Outputs memory problems report", Complexity: "O(1)", ACL: slow, Tips: tips},
			"malloc-stats": {Name: "malloc-stats", Arity: 2, Proc: memoryMallocStatsCmd, Group: "server", Since: "4.0.0",
				Summary: "Show allocator internal stats", Complexity: "Depends on how much memory is allocated, could be slow",
				ACL: slow, Tips: tips},
			"purge": {Name: "purge", Arity: 2, Proc: memoryPurgeCmd, Group: "server", Since: "4.0.0",
				Summary: "Ask the allocator to release memory", Complexity: "Depends on how much memory is allocated, could be slow",
				ACL: slow, Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"}},
			"help": {Name: "help", Arity: 2, Flags: commands.Loading | commands.Stale, Proc: memoryHelpCmd, Group: "server", Since: "4.0.0",
				Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: slow},
		}})
}

// MEMORY USAGE key [SAMPLES count]: options are checked before the key
// is looked up; SAMPLES 0 samples everything, a negative count is a
// syntax error; a missing key is a null reply.
func memoryUsageCmd(c *commands.Ctx) {
	samples := int64(5)
	for i := 3; i < len(c.Args); i++ {
		if commands.Is(c.Args[i], "samples") && i+1 < len(c.Args) {
			v, ok := commands.ParseIntArg(c.Args[i+1])
			if !ok {
				c.Error(commands.ErrNotInt)
				return
			}
			if v < 0 {
				c.SyntaxError()
				return
			}
			samples = v
			i++
			continue
		}
		c.SyntaxError()
		return
	}
	// Like Redis, the table is consulted directly: no expiry check.
	key := c.Key(2)
	o := c.DB.Peek(key)
	if o == nil {
		c.W.NullBulk()
		return
	}
	if samples > int64(^uint(0)>>1) {
		samples = 0
	}
	c.W.Int(cl(c).srv.memoryUsage(key, o, int(samples)))
}

// MEMORY STATS replies the memory breakdown as a map; ratios are single
// precision, as Redis computes them.
func memoryStatsCmd(c *commands.Ctx) {
	s := cl(c).srv
	m := s.memoryHealth()
	w := c.W
	w.Map(27 + len(m.dbs))
	kv := func(k string, v int64) { w.BulkString(k); w.Int(v) }
	kd := func(k string, v float64) { w.BulkString(k); w.Double(v) }
	kv("peak.allocated", m.peak)
	kv("total.allocated", m.used)
	kv("startup.allocated", m.startup)
	kv("replication.backlog", 0)
	kv("clients.slaves", 0)
	kv("clients.normal", m.clientsNormal)
	kv("cluster.links", 0)
	kv("aof.buffer", 0)
	kv("lua.caches", 0)
	kv("functions.caches", idleFunctionsMemory)
	for _, d := range m.dbs {
		w.BulkString("db." + strconv.Itoa(d.id))
		w.Map(3)
		kv("overhead.hashtable.main", d.main)
		kv("overhead.hashtable.expires", d.expires)
		kv("overhead.hashtable.slot-to-keys", 0)
	}
	kv("overhead.total", m.overheadTotal)
	kv("keys.count", m.totalKeys)
	kv("keys.bytes-per-key", m.perKey)
	kv("dataset.bytes", m.dataset)
	kd("dataset.percentage", m.datasetPerc)
	kd("peak.percentage", m.peakPerc)
	kv("allocator.allocated", m.allocated)
	kv("allocator.active", m.active)
	kv("allocator.resident", m.resident)
	kd("allocator-fragmentation.ratio", m.allocFrag)
	kv("allocator-fragmentation.bytes", m.active-m.allocated)
	kd("allocator-rss.ratio", m.allocRSS)
	kv("allocator-rss.bytes", m.resident-m.active)
	kd("rss-overhead.ratio", m.rssExtra)
	kv("rss-overhead.bytes", m.rss-m.resident)
	kd("fragmentation", m.totalFrag)
	kv("fragmentation.bytes", m.rss-m.used)
}

// MEMORY DOCTOR applies Redis's checks, in its order: too little memory
// in use to judge (under 5 MB), a past peak far above the current use,
// an RSS far above the allocations, fragmentation or overhead at the
// allocator or process level, or large client buffers.
func memoryDoctorCmd(c *commands.Ctx) {
	s := cl(c).srv
	m := s.memoryHealth()
	c.W.Verbatim(memoryDoctorReport(m, len(s.clients)), "txt")
}

func memoryDoctorReport(m memHealth, nclients int) string {
	const mb = 1 << 20
	if m.used < 5*mb {
		return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. " +
			"Please, leave for your mission on Earth and fill it with some data. " +
			"The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	}
	var issues []string
	if float64(m.peak)/float64(m.used) > 1.5 {
		issues = append(issues, " * Peak memory: In the past this instance used more than 150% the memory that is currently using. "+
			"The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, "+
			"however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "+
			"is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. "+
			"If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, "+
			"otherwise the only other option is to shutdown and restart the instance.\n\n")
	}
	if m.totalFrag > 1.4 && m.rss-m.used > 10*mb {
		issues = append(issues, " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 "+
			"(this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). "+
			"This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) "+
			"or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, "+
			"then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. "+
			"Note: The currently used allocator is \"libc\".\n\n")
	}
	if m.allocFrag > 1.1 && m.active-m.allocated > 10*mb {
		issues = append(issues, " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. "+
			"This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) "+
			"or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n")
	}
	if m.allocRSS > 1.1 && m.resident-m.active > 10*mb {
		issues = append(issues, " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 "+
			"(this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). "+
			"This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), "+
			"you can try the MEMORY PURGE command to reclaim it.\n\n")
	}
	if m.rssExtra > 1.1 && m.rss-m.resident > 10*mb {
		issues = append(issues, " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 "+
			"(this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). "+
			"This problem may be due to Lua scripts or Modules.\n\n")
	}
	if nclients > 0 && m.clientsNormal/int64(nclients) > 200*1024 {
		issues = append(issues, " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). "+
			"This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, "+
			"so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large "+
			"sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue "+
			"if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n")
	}
	if len(issues) == 0 {
		return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	out := "Sam, I detected a few issues in this Redis instance memory implants:\n\n"
	for _, i := range issues {
		out += i
	}
	return out + "I'm here to keep you safe, Sam. I want to help you.\n"
}

// MEMORY MALLOC-STATS: Redoubt reports itself as built on libc's
// allocator, which has no statistics to give.
func memoryMallocStatsCmd(c *commands.Ctx) {
	c.W.BulkString("Stats not supported for the current allocator")
}

// MEMORY PURGE returns freed memory to the operating system.
func memoryPurgeCmd(c *commands.Ctx) {
	debug.FreeOSMemory()
	c.W.OK()
}

func memoryHelpCmd(c *commands.Ctx) {
	writeHelp(c, "MEMORY", []string{
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}
