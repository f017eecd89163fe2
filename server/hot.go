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
	h.notifyFlags = parseNotifyFlags(c.String("notify-keyspace-events"))
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

// parseNotifyFlags turns notify-keyspace-events letters into flags.
func parseNotifyFlags(s string) int {
	f := 0
	for _, ch := range s {
		switch ch {
		case 'A':
			f |= commands.NotifyGeneric | commands.NotifyString | commands.NotifyList | commands.NotifySet |
				commands.NotifyHash | commands.NotifyZSet | commands.NotifyExpired | commands.NotifyEvicted | commands.NotifyStream
		case 'g':
			f |= commands.NotifyGeneric
		case '$':
			f |= commands.NotifyString
		case 'l':
			f |= commands.NotifyList
		case 's':
			f |= commands.NotifySet
		case 'h':
			f |= commands.NotifyHash
		case 'z':
			f |= commands.NotifyZSet
		case 'x':
			f |= commands.NotifyExpired
		case 'e':
			f |= commands.NotifyEvicted
		case 't':
			f |= commands.NotifyStream
		case 'm':
			f |= commands.NotifyKeyMiss
		case 'n':
			f |= commands.NotifyNew
		case 'K':
			f |= notifyKeyspace
		case 'E':
			f |= notifyKeyevent
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
