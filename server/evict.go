package server

import (
	"math"
	"runtime/metrics"
	"strings"

	"redoubt/internal/keyspace"
	"redoubt/replication"
)

// Memory accounting and maxmemory eviction.
//
// used_memory is the Go heap's live object bytes. When it is above
// maxmemory before a command that may grow memory runs, keys are evicted
// per maxmemory-policy until the estimated bytes freed cover the excess:
// each round samples maxmemory-samples keys per database (all keys, or
// only those with a TTL for volatile-* policies) and evicts the best
// candidate (idlest for LRU, least frequent for LFU, nearest expiry for
// volatile-ttl, any for random). With noeviction, or nothing left to
// evict, the command is refused with the OOM error.

var memSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// usedMemory is the live heap size in bytes.
func usedMemory() int64 {
	metrics.Read(memSample)
	if memSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(memSample[0].Value.Uint64())
}

// evictForCommand frees memory if needed; false means the command must be
// refused.
func (s *Server) evictForCommand() bool {
	used := usedMemory()
	if used <= s.hot.maxmemory {
		return true
	}
	policy := s.cfg.String("maxmemory-policy")
	if policy == "noeviction" {
		return false
	}
	need := used - s.hot.maxmemory
	var freed int64
	samples := int(s.cfg.Int("maxmemory-samples"))
	if samples <= 0 {
		samples = 5
	}
	for freed < need {
		db, key, ok := s.pickEvictionCandidate(policy, samples)
		if !ok {
			return false
		}
		freed += estimateSize(key, db.Peek(key))
		owned := string([]byte(key))
		db.Delete(owned)
		s.stats.evictedKeys++
		name := "DEL"
		if s.cfg.Bool("lazyfree-lazy-eviction") {
			name = "UNLINK"
		}
		s.pending = append(s.pending, replication.Op{DB: db.ID, Args: [][]byte{[]byte(name), []byte(owned)}})
		s.touchWatched(db, owned)
		s.notify(notifyEvictedClass, "evicted", db, owned)
	}
	return true
}

// pickEvictionCandidate samples every database and returns the best key.
func (s *Server) pickEvictionCandidate(policy string, samples int) (*keyspace.DB, string, bool) {
	volatile := strings.HasPrefix(policy, "volatile-")
	random := strings.HasSuffix(policy, "-random")
	ttl := policy == "volatile-ttl"
	var bestDB *keyspace.DB
	bestKey := ""
	bestScore := int64(math.MinInt64)
	for _, db := range s.ks.DBs {
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
			break
		}
	}
	return bestDB, bestKey, bestDB != nil
}

// estimateSize approximates the heap bytes a key holds.
func estimateSize(key string, o *keyspace.Object) int64 {
	n := int64(len(key)) + 96
	if o == nil {
		return n
	}
	if o.Type == keyspace.TString {
		return n + int64(cap(o.Str))
	}
	if m, ok := o.Val.(interface{ MemoryUsage() int64 }); ok {
		return n + m.MemoryUsage()
	}
	if l, ok := o.Val.(interface{ Len() int }); ok {
		return n + int64(l.Len())*48
	}
	return n
}
