package rdb

import "redoubt/internal/keyspace"

// KeyMeta is the eviction information stored with one key: the LRU idle
// time in seconds and the LFU counter, each -1 when absent.
type KeyMeta struct {
	Idle int64
	Freq int
}

// NoMeta writes neither opcode.
var NoMeta = KeyMeta{Idle: -1, Freq: -1}

// EvictMode says which access information a save records, following
// maxmemory-policy as Redis 7.0 does: IDLE under allkeys-lru and
// volatile-lru, FREQ under allkeys-lfu and volatile-lfu, nothing under
// the other policies.
type EvictMode int

// The eviction modes.
const (
	EvictNone EvictMode = iota
	EvictLRU
	EvictLFU
)

// EvictModeFor maps a maxmemory-policy name to its mode.
func EvictModeFor(policy string) EvictMode {
	switch policy {
	case "allkeys-lru", "volatile-lru":
		return EvictLRU
	case "allkeys-lfu", "volatile-lfu":
		return EvictLFU
	}
	return EvictNone
}

// Eviction is what a save needs to compute each key's KeyMeta. The
// values are captured when the save starts, so that encoding can run
// without looking at live server state.
type Eviction struct {
	Mode EvictMode
	// NowMs is the time idle times and counter decay are measured at.
	NowMs int64
	// LFUDecayTime is lfu-decay-time, in minutes (0: no decay).
	LFUDecayTime int
}

// Meta computes o's eviction information under e: the idle time in whole
// seconds, or the LFU counter after the decay due by NowMs.
func (e Eviction) Meta(o *keyspace.Object) KeyMeta {
	switch e.Mode {
	case EvictLRU:
		return KeyMeta{Idle: keyspace.IdleMs(o, e.NowMs) / 1000, Freq: -1}
	case EvictLFU:
		return KeyMeta{Idle: -1, Freq: lfuDecayed(o.LRU, e.NowMs, e.LFUDecayTime)}
	}
	return NoMeta
}

// lfuDecayed applies Redis's LFU decay to an access field holding a
// minute stamp (high 16 bits) and a counter (low 8 bits): one step
// down per decay period elapsed since the stamp, wrapping with the
// 16-bit minute clock.
func lfuDecayed(field uint32, nowMs int64, decay int) int {
	stamp := uint16(field >> 8)
	counter := int(field & 0xff)
	if decay <= 0 {
		return counter
	}
	now := uint16((nowMs / 60000) & 0xffff)
	var elapsed int64
	if now >= stamp {
		elapsed = int64(now - stamp)
	} else {
		elapsed = 65535 - int64(stamp) + int64(now)
	}
	return max(counter-int(elapsed/int64(decay)), 0)
}
