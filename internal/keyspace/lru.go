package keyspace

import (
	"math/rand/v2"
	"time"
)

// EvictConfig is the part of the configuration that decides how accesses
// are tracked: an LRU clock or an LFU counter (maxmemory-policy *-lfu).
type EvictConfig struct {
	LFU          bool
	LFULogFactor int
	LFUDecayTime int // minutes
}

// The LRU clock counts seconds in 24 bits, as Redis's does.
const (
	lruClockMax        = 1<<24 - 1
	lruClockResolution = 1000 // ms
	lfuInitVal         = 5
)

// LRUClock is the current LRU clock.
func LRUClock(nowMs int64) uint32 {
	return uint32((nowMs / lruClockResolution) & lruClockMax)
}

// IdleMs is how long ago, in ms, an object was last accessed under LRU.
func IdleMs(o *Object, nowMs int64) int64 {
	now := LRUClock(nowMs)
	if now >= o.LRU {
		return int64(now-o.LRU) * lruClockResolution
	}
	return int64(lruClockMax-o.LRU+now) * lruClockResolution
}

func (ks *Keyspace) now() int64 {
	if ks.NowMs == 0 {
		return time.Now().UnixMilli()
	}
	return ks.NowMs
}

// initAccess sets the access field of a new object.
func (ks *Keyspace) initAccess(o *Object) {
	if ks.Evict.LFU {
		o.LRU = uint32(lfuMinutes(ks.now()))<<8 | lfuInitVal
	} else {
		o.LRU = LRUClock(ks.now())
	}
}

// touch records an access.
func (ks *Keyspace) touch(o *Object) {
	if ks.Evict.LFU {
		counter := ks.LFUDecr(o)
		counter = ks.lfuLogIncr(counter)
		o.LRU = uint32(lfuMinutes(ks.now()))<<8 | uint32(counter)
	} else {
		o.LRU = LRUClock(ks.now())
	}
}

func lfuMinutes(nowMs int64) uint16 { return uint16((nowMs / 1000 / 60) & 65535) }

// lfuElapsed is the minutes since the object's LFU time stamp, with wrap.
func lfuElapsed(ldt uint16, nowMs int64) int64 {
	now := lfuMinutes(nowMs)
	if now >= ldt {
		return int64(now - ldt)
	}
	return 65535 - int64(ldt) + int64(now)
}

// LFUDecr returns the object's counter after the decay that the time
// passed since its last access calls for (one step per lfu-decay-time).
func (ks *Keyspace) LFUDecr(o *Object) uint8 {
	ldt := uint16(o.LRU >> 8)
	counter := uint8(o.LRU & 255)
	periods := int64(0)
	if ks.Evict.LFUDecayTime > 0 {
		periods = lfuElapsed(ldt, ks.now()) / int64(ks.Evict.LFUDecayTime)
	}
	if periods > 0 {
		if periods > int64(counter) {
			return 0
		}
		return counter - uint8(periods)
	}
	return counter
}

// lfuLogIncr grows a counter with a probability that falls as it grows.
func (ks *Keyspace) lfuLogIncr(counter uint8) uint8 {
	if counter == 255 {
		return 255
	}
	r := rand.Float64()
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	p := 1.0 / (base*float64(ks.Evict.LFULogFactor) + 1)
	if r < p {
		counter++
	}
	return counter
}

// LFUFreq is the frequency OBJECT FREQ reports (after decay).
func (ks *Keyspace) LFUFreq(o *Object) int64 { return int64(ks.LFUDecr(o)) }

// EvictionScore ranks a candidate for eviction: higher goes first.
func (ks *Keyspace) EvictionScore(o *Object) int64 {
	if ks.Evict.LFU {
		return 255 - int64(ks.LFUDecr(o))
	}
	return IdleMs(o, ks.now())
}
