package server

import (
	"strconv"
	"strings"

	"redoubt/commands"
	"redoubt/internal/config"
	"redoubt/internal/keyspace"
)

// Keyspace-notification flags beyond the event classes.
const (
	notifyKeyspace     = 1 << 20 // K
	notifyKeyevent     = 1 << 21 // E
	notifyEvictedClass = commands.NotifyEvicted
)

// hotDirectives are the directives whose values the server caches.
var hotDirectives = []string{
	"requirepass", "maxclients", "proto-max-bulk-len", "client-query-buffer-limit",
	"replica-read-only", "notify-keyspace-events", "slowlog-log-slower-than", "slowlog-max-len",
	"maxmemory", "maxmemory-policy", "lfu-log-factor", "lfu-decay-time", "timeout",
	"client-output-buffer-limit", "hz", "active-expire-effort",
	"hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
	"zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
	"list-compress-depth", "stream-node-max-bytes", "stream-node-max-entries",
	"lazyfree-lazy-user-del", "lazyfree-lazy-expire", "lazyfree-lazy-user-flush",
	"latency-monitor-threshold",
}

// loadHot refreshes the cached values from the configuration.
func (s *Server) loadHot() {
	c := s.cfg
	h := &s.hot
	h.requirePass = c.String("requirepass")
	h.maxClients = int(c.Int("maxclients"))
	h.protoMaxBulkLen.Store(c.Int("proto-max-bulk-len"))
	h.queryBufLimit.Store(c.Int("client-query-buffer-limit"))
	h.replicaReadOnly = c.Bool("replica-read-only")
	h.notifyFlags = notifyFlagsFromConfig(c.KeyspaceEvents())
	h.slowlogSlower = c.Int("slowlog-log-slower-than")
	h.slowlogMax = int(c.Int("slowlog-max-len"))
	h.maxmemory = c.Int("maxmemory")
	h.idleTimeout = c.Int("timeout")
	h.hz = int(c.Int("hz"))
	h.expireEffort = int(c.Int("active-expire-effort"))
	h.latencyThreshold = c.Int("latency-monitor-threshold")
	h.obufLimits = parseObufLimits(c.String("client-output-buffer-limit"))
	s.ks.Evict = keyspace.EvictConfig{
		LFU:          strings.HasSuffix(c.String("maxmemory-policy"), "-lfu"),
		LFULogFactor: int(c.Int("lfu-log-factor")),
		LFUDecayTime: int(c.Int("lfu-decay-time")),
	}
	st := s.set
	st.HashMaxListpackEntries = int(c.Int("hash-max-listpack-entries"))
	st.HashMaxListpackValue = int(c.Int("hash-max-listpack-value"))
	st.SetMaxIntsetEntries = int(c.Int("set-max-intset-entries"))
	st.ZSetMaxListpackEntries = int(c.Int("zset-max-listpack-entries"))
	st.ZSetMaxListpackValue = int(c.Int("zset-max-listpack-value"))
	st.ListMaxListpackSize = int(c.Int("list-max-listpack-size"))
	st.ListCompressDepth = int(c.Int("list-compress-depth"))
	st.StreamNodeMaxBytes = int(c.Int("stream-node-max-bytes"))
	st.StreamNodeMaxEntries = int(c.Int("stream-node-max-entries"))
	st.ProtoMaxBulkLen = c.Int("proto-max-bulk-len")
	st.LazyfreeLazyUserDel = c.Bool("lazyfree-lazy-user-del")
	st.LazyfreeLazyExpire = c.Bool("lazyfree-lazy-expire")
	st.LazyfreeLazyUserFlush = c.Bool("lazyfree-lazy-user-flush")
}

// notifyFlagsFromConfig maps the configuration's event bits to the
// classes commands report. The flags are read from the parsed value, not
// its printed form, because Redis 7.0 prints no 'n' even when "new"
// events are enabled.
func notifyFlagsFromConfig(cf int) int {
	pairs := []struct{ cfg, ours int }{
		{config.NotifyKeyspace, notifyKeyspace}, {config.NotifyKeyevent, notifyKeyevent},
		{config.NotifyGeneric, commands.NotifyGeneric}, {config.NotifyString, commands.NotifyString},
		{config.NotifyList, commands.NotifyList}, {config.NotifySet, commands.NotifySet},
		{config.NotifyHash, commands.NotifyHash}, {config.NotifyZSet, commands.NotifyZSet},
		{config.NotifyExpired, commands.NotifyExpired}, {config.NotifyEvicted, commands.NotifyEvicted},
		{config.NotifyStream, commands.NotifyStream}, {config.NotifyKeyMiss, commands.NotifyKeyMiss},
		{config.NotifyNew, commands.NotifyNew},
	}
	f := 0
	for _, p := range pairs {
		if cf&p.cfg != 0 {
			f |= p.ours
		}
	}
	if f&(notifyKeyspace|notifyKeyevent) == 0 {
		return 0
	}
	return f
}

// parseObufLimits reads "class hard soft secs ..." into limits.
func parseObufLimits(v string) map[string]obufLimit {
	out := map[string]obufLimit{}
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		class := f[i]
		if class == "slave" {
			class = "replica"
		}
		hard, _ := config.ParseMemory(f[i+1])
		soft, _ := config.ParseMemory(f[i+2])
		secs, _ := strconv.ParseInt(f[i+3], 10, 64)
		out[class] = obufLimit{hard: int64(hard), soft: int64(soft), softSecs: secs}
	}
	return out
}
