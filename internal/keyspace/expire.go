package keyspace

import "time"

// Active expiry, as Redis runs it from its cron: each database in turn is
// sampled through a scan of its keys with a TTL; expired keys met are
// deleted. A database is revisited while more than a tolerated share of
// the sampled keys turned out expired, and the whole cycle stops when its
// time budget is spent. active-expire-effort (1..10) raises the sample
// size and lowers the tolerated share.

const (
	expireKeysPerLoop   = 20
	expireAcceptedStale = 10 // percent
)

// ActiveExpireState carries the cycle's position between runs.
type ActiveExpireState struct {
	nextDB int
	// Expired and Sampled count keys over the keyspace's lifetime.
	Expired    int64
	StaleRatio float64
}

// ActiveExpireCycle runs one bounded cycle and returns how many keys it
// deleted. It does nothing on a replica: replicas wait for the master.
func (ks *Keyspace) ActiveExpireCycle(st *ActiveExpireState, effort int, budget time.Duration) int {
	if ks.Replica || len(ks.DBs) == 0 {
		return 0
	}
	if effort < 1 {
		effort = 1
	}
	perLoop := expireKeysPerLoop + expireKeysPerLoop/4*(effort-1)
	acceptedStale := expireAcceptedStale - (effort - 1)
	start := time.Now()
	deadline := start.Add(budget)
	total := 0
	sampledAll, expiredAll := 0, 0
	for i := 0; i < len(ks.DBs); i++ {
		db := ks.DBs[st.nextDB%len(ks.DBs)]
		st.nextDB = (st.nextDB + 1) % len(ks.DBs)
		for iteration := 0; ; iteration++ {
			if db.expires.Len() == 0 {
				break
			}
			ks.NowMs = time.Now().UnixMilli()
			var stale []string
			sampled := 0
			maxBuckets := perLoop * 20
			for buckets := 0; sampled < perLoop && buckets < maxBuckets; buckets++ {
				db.ExpireCursor = db.expires.Scan(db.ExpireCursor, func(k string, when int64) {
					sampled++
					if ks.NowMs > when {
						stale = append(stale, k)
					}
				})
				if db.ExpireCursor == 0 {
					break
				}
			}
			for _, k := range stale {
				db.DeleteExpired(k)
			}
			total += len(stale)
			sampledAll += sampled
			expiredAll += len(stale)
			if iteration%16 == 0 && time.Now().After(deadline) {
				st.Expired += int64(total)
				return total
			}
			if sampled == 0 || len(stale)*100/sampled <= acceptedStale {
				break
			}
		}
	}
	st.Expired += int64(total)
	if sampledAll > 0 {
		cur := float64(expiredAll) / float64(sampledAll)
		st.StaleRatio = cur*0.05 + st.StaleRatio*0.95
	}
	return total
}
