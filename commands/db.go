package commands

import (
	"math"

	"redoubt/internal/keyspace"
)

// Whole-database commands: DBSIZE, FLUSHDB, FLUSHALL and SWAPDB.

func init() {
	flushACL := []string{"@keyspace", "@write", "@slow", "@dangerous"}
	flushTips := []string{"request_policy:all_shards", "response_policy:all_succeeded"}
	Register(
		&Command{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast, Proc: dbsizeCmd,
			Group: "server", Since: "1.0.0", Summary: "Return the number of keys in the selected database", Complexity: "O(1)",
			ACL: []string{"@keyspace", "@read", "@fast"}, Tips: []string{"request_policy:all_shards", "response_policy:agg_sum"}},
		&Command{Name: "flushdb", Arity: -1, Flags: Write, Proc: flushdbCmd,
			Group: "server", Since: "1.0.0", Summary: "Remove all keys from the current database",
			Complexity: "O(N) where N is the number of keys in the selected database", ACL: flushACL, Tips: flushTips},
		&Command{Name: "flushall", Arity: -1, Flags: Write, Proc: flushallCmd,
			Group: "server", Since: "1.0.0", Summary: "Remove all keys from all databases",
			Complexity: "O(N) where N is the total number of keys in all databases", ACL: flushACL, Tips: flushTips},
		&Command{Name: "swapdb", Arity: 3, Flags: Write | Fast, Proc: swapdbCmd,
			Group: "server", Since: "4.0.0", Summary: "Swaps two Redis databases",
			Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
			ACL:        []string{"@keyspace", "@write", "@fast", "@dangerous"}},
	)
}

// DBSIZE: the number of keys in the current database, counting those
// that have logically expired but were not reclaimed yet.
func dbsizeCmd(c *Ctx) { c.W.Int(int64(c.DB.Len())) }

// flushArgs accepts what FLUSHDB and FLUSHALL take: nothing, or exactly one
// of ASYNC / SYNC. Freeing is the garbage collector's job here, so the
// mode changes nothing but must still be valid.
func flushArgs(c *Ctx) bool {
	if len(c.Args) == 1 || (len(c.Args) == 2 && (Is(c.Args[1], "async") || Is(c.Args[1], "sync"))) {
		return true
	}
	c.SyntaxError()
	return false
}

// FLUSHDB [ASYNC|SYNC]: empties the current database. It is propagated
// even when there was nothing to remove. No keyspace event is sent.
func flushdbCmd(c *Ctx) {
	if !flushArgs(c) {
		return
	}
	c.Dirty += c.DB.Flush()
	c.ForcePropagation()
	c.W.OK()
}

// FLUSHALL [ASYNC|SYNC]: empties every database, always propagated.
// (Rewriting the RDB file when save points are configured is left to the
// server.)
func flushallCmd(c *Ctx) {
	if !flushArgs(c) {
		return
	}
	for _, db := range c.KS.DBs {
		c.Dirty += db.Flush()
	}
	c.Dirty++
	c.ForcePropagation()
	c.W.OK()
}

// swapIndex parses a SWAPDB index: anything that is not an integer
// fitting a C int gets msg.
func swapIndex(c *Ctx, i int, msg string) (int, bool) {
	n, ok := keyspace.ParseInt(c.Args[i])
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		c.Error(msg)
		return 0, false
	}
	return int(n), true
}

// SWAPDB a b: exchanges the contents of two databases; clients stay in
// the database they selected and see the other contents. Swapping a
// database with itself is accepted (and still propagated). Clients
// blocked on a key that now exists as a list, sorted set or stream must
// be woken, so readiness is signalled for those keys in both databases.
func swapdbCmd(c *Ctx) {
	a, ok := swapIndex(c, 1, ErrSwapFirstDB)
	if !ok {
		return
	}
	b, ok := swapIndex(c, 2, ErrSwapSecondDB)
	if !ok {
		return
	}
	if a < 0 || a >= len(c.KS.DBs) || b < 0 || b >= len(c.KS.DBs) {
		c.Error(ErrDBIndex)
		return
	}
	if a != b {
		// The keyspace's Swapped hook wakes clients blocked on keys that
		// now hold data, and invalidates WATCHes.
		c.KS.Swap(a, b)
	}
	c.Dirty++
	c.W.OK()
}
