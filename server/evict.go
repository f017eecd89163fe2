package server

import (
	"math"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/replication"
)

// Memory accounting and maxmemory eviction.
//
// used_memory is the Go heap's object bytes. Those include garbage the
// collector has not reclaimed yet, which Redis's exact accounting never
// sees, so eviction works with a corrected figure, the lower of:
//   - the heap less the estimated size of the keys evicted since the
//     last forced collection (their memory is garbage until collected);
//   - the heap right after the last forced collection plus the change in
//     the key count since, valued at the mean size of a key then
//     (garbage does not move it).
//
// When that figure is above maxmemory, a collection is forced (at most
// every 100 ms, or twenty times its cost) to get the exact figure; it
// runs under the server lock, so it stalls clients for its duration. The
// cron also forces one about every second while the heap is near the
// limit, so growth inside existing keys, which the key count misses, is
// seen.
//
// When the figure is still above maxmemory before a command that may
// grow memory runs, keys are evicted per maxmemory-policy until it is
// not: each round samples maxmemory-samples keys per database (all keys,
// or only those with a TTL for volatile-* policies) and evicts the best
// candidate (idlest for LRU, least frequent for LFU, nearest expiry for
// volatile-ttl, any for random, rotating over the databases). Evicted
// keys are propagated as DEL (UNLINK with lazyfree-lazy-eviction),
// unwrapped, before the command. With noeviction, or nothing left to
// evict, the command is refused with the OOM error. Replicas leave
// eviction to their master when replica-ignore-maxmemory is set.

// usedMemory is the heap's object bytes (live and not yet collected).
func usedMemory() int64 {
	ss := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(ss)
	if ss[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(ss[0].Value.Uint64())
}

// memAccount corrects usedMemory for eviction (see above).
type memAccount struct {
	// freed is the estimated size of what was evicted since the last
	// forced collection. A background collection may reclaim part of it
	// earlier (then it is subtracted twice for a while, which errs on
	// the side of evicting less); a forced collection, which also
	// finishes sweeping, makes the heap figure exact again.
	freed int64
	// live0 and keys0 are the heap and the key count right after the
	// last forced collection, perKey the mean estimated size of a key
	// then; between
	// forced collections the usage is also estimated from how the key
	// count moved, which garbage does not inflate.
	live0, keys0 int64
	perKey       float64
	lastForced   time.Time
	forceCost    time.Duration
	nextDB       int
}

// minForcedGCGap bounds how often eviction may force a collection;
// calibrationGap how often the cron does while usage is near the limit
// (so growth inside existing keys, which the key-count estimate misses,
// is seen). Both gaps grow with what a forced collection costs.
const (
	minForcedGCGap = 100 * time.Millisecond
	calibrationGap = time.Second
)

// calibrateMemory is run by the cron: near the limit, refresh the
// figures eviction works with.
func (s *Server) calibrateMemory() {
	limit := s.hot.maxmemory
	if limit <= 0 || s.heapUsage() < limit/10*9 {
		return
	}
	s.maybeForceGC(max(calibrationGap, 100*s.admin.mem.forceCost))
}

func (s *Server) totalKeys() int64 {
	n := 0
	for _, db := range s.ks.DBs {
		n += db.Len()
	}
	return int64(n)
}

// heapUsage is the heap less what eviction freed since the last forced
// collection.
func (s *Server) heapUsage() int64 { return usedMemory() - s.admin.mem.freed }

// evictionUsage is used memory as eviction sees it, less pending (freed
// but not yet accounted): the lower of the heap figure and the estimate
// from the key count.
func (s *Server) evictionUsage(pending int64) int64 {
	m := &s.admin.mem
	h := s.heapUsage() - pending
	if m.lastForced.IsZero() || m.keys0 == 0 {
		return h
	}
	est := m.live0 + int64(float64(s.totalKeys()-m.keys0)*m.perKey)
	return min(h, est)
}

// maybeForceGC collects garbage unless the last forced collection is
// more recent than minGap (or twenty times its duration, so forced
// collections take at most about 5% of the time); it reports
// whether it did.
func (s *Server) maybeForceGC(minGap time.Duration) bool {
	m := &s.admin.mem
	gap := max(minGap, 20*m.forceCost)
	if !m.lastForced.IsZero() && time.Since(m.lastForced) < gap {
		return false
	}
	start := time.Now()
	runtime.GC()
	m.lastForced = time.Now()
	m.forceCost = m.lastForced.Sub(start)
	m.freed = 0
	m.live0 = usedMemory()
	m.keys0 = s.totalKeys()
	m.perKey = s.averageKeyCost()
	return true
}

// averageKeyCost is the mean MEMORY USAGE of a sample of keys.
func (s *Server) averageKeyCost() float64 {
	var total int64
	n := 0
	for _, db := range s.ks.DBs {
		if db.Len() == 0 {
			continue
		}
		db.Sample(16, func(k string, o *keyspace.Object) {
			total += s.memoryUsage(k, o, 5)
			n++
		})
	}
	if n == 0 {
		return 0
	}
	return float64(total) / float64(n)
}

// evictForCommand frees memory if needed; false means the command must be
// refused.
func (s *Server) evictForCommand() bool {
	limit := s.hot.maxmemory
	if limit <= 0 || (s.ks.Replica && s.cfg.Bool("replica-ignore-maxmemory")) {
		return true
	}
	if s.evictionUsage(0) <= limit {
		return true
	}
	if s.maybeForceGC(minForcedGCGap) && s.evictionUsage(0) <= limit {
		return true
	}
	policy := s.cfg.String("maxmemory-policy")
	if policy == "noeviction" {
		return false
	}
	samples := int(s.cfg.Int("maxmemory-samples"))
	if samples <= 0 {
		samples = 5
	}
	name := "DEL"
	if s.cfg.Bool("lazyfree-lazy-eviction") {
		name = "UNLINK"
	}
	var ops []replication.Op
	var freed int64
	ok := true
	for s.evictionUsage(freed) > limit {
		db, key, found := s.pickEvictionCandidate(policy, samples)
		if !found {
			ok = false
			break
		}
		freed += s.memoryUsage(key, db.Peek(key), 5)
		db.Delete(key)
		s.stats.evictedKeys++
		ops = append(ops, replication.Op{DB: db.ID, Args: [][]byte{[]byte(name), []byte(key)}})
		s.touchWatched(db, key)
		s.notify(notifyEvictedClass, "evicted", db, key)
	}
	s.admin.mem.freed += freed
	if len(ops) > 0 {
		if len(s.pending) == 0 {
			// Before a command: the DELs go out on their own, bare.
			s.stream.Feed(ops, false)
		} else {
			s.pending = append(s.pending, ops...)
		}
	}
	return ok
}

// pickEvictionCandidate samples the databases and returns the best key
// (a copy, safe to keep after deletion). Sampling a sparse table can
// come back empty, so it is repeated while candidates exist, as Redis
// does.
func (s *Server) pickEvictionCandidate(policy string, samples int) (*keyspace.DB, string, bool) {
	volatile := strings.HasPrefix(policy, "volatile-")
	for attempt := 0; attempt < 100; attempt++ {
		if db, key, ok := s.sampleEvictionCandidate(policy, samples); ok {
			return db, key, true
		}
		any := false
		for _, db := range s.ks.DBs {
			if (volatile && db.ExpiresLen() > 0) || (!volatile && db.Len() > 0) {
				any = true
				break
			}
		}
		if !any {
			return nil, "", false
		}
	}
	// Still nothing: take the first candidate a scan meets.
	for _, db := range s.ks.DBs {
		key := ""
		for cur := uint64(0); key == ""; {
			if volatile {
				cur = db.ScanExpires(cur, func(k string, _ int64) { key = string([]byte(k)) })
			} else {
				cur = db.Scan(cur, func(k string, _ *keyspace.Object) { key = string([]byte(k)) })
			}
			if cur == 0 {
				break
			}
		}
		if key != "" {
			return db, key, true
		}
	}
	return nil, "", false
}

func (s *Server) sampleEvictionCandidate(policy string, samples int) (*keyspace.DB, string, bool) {
	volatile := strings.HasPrefix(policy, "volatile-")
	random := strings.HasSuffix(policy, "-random")
	ttl := policy == "volatile-ttl"
	var bestDB *keyspace.DB
	bestKey := ""
	bestScore := int64(math.MinInt64)
	n := len(s.ks.DBs)
	for i := 0; i < n; i++ {
		db := s.ks.DBs[i]
		if random {
			// Random policies take a key from the next database with
			// candidates, turning over the databases between evictions.
			db = s.ks.DBs[(s.admin.mem.nextDB+i)%n]
		}
		consider := func(k string, score int64) {
			if bestDB == nil || score > bestScore {
				bestDB, bestKey, bestScore = db, string([]byte(k)), score
			}
		}
		if volatile {
			if db.ExpiresLen() == 0 {
				continue
			}
			db.SampleExpires(samples, func(k string, when int64) {
				switch {
				case random:
					consider(k, 0)
				case ttl:
					consider(k, -when)
				default:
					if o := db.Peek(k); o != nil {
						consider(k, s.ks.EvictionScore(o))
					}
				}
			})
		} else {
			if db.Len() == 0 {
				continue
			}
			db.Sample(samples, func(k string, o *keyspace.Object) {
				if random {
					consider(k, 0)
				} else {
					consider(k, s.ks.EvictionScore(o))
				}
			})
		}
		if random && bestDB != nil {
			s.admin.mem.nextDB = (s.admin.mem.nextDB + i + 1) % n
			break
		}
	}
	return bestDB, bestKey, bestDB != nil
}
