// Package sentinel holds black-box failover scenarios: three data nodes
// (`redoubt server`: a master and two replicas) watched by three
// sentinels, run against both sentinel implementations — the real
// redis-sentinel 7.0.15 ("redis") and `redoubt sentinel` ("redoubt") —
// so that every scenario is first validated against the real thing.
//
// SENTINEL_IMPLS (comma list, default "redis,redoubt") picks the
// implementations; SENTINEL_DATA ("redoubt" by default, or "redis")
// picks the data nodes, to tell a data-node bug from a sentinel bug.
// Every scenario logs a timeline (ms since the fault) of each sentinel's
// first +sdown, +odown and +switch-master, plus the full event log.
package sentinel
