package commands

import (
	"redoubt/internal/keyspace"
)

// Sorted sets: the command table, and the commands that add, remove and
// look up single members. Ranges are in zsets_range.go, set algebra in
// zsets_setops.go, pops, random members and ZSCAN in zsets_pop.go.

func init() {
	zs := func(name string, arity int, flags Flags, first, last, step int, proc func(*Ctx), acl3, since, summary, complexity string) *Command {
		acl := []string{"@read", "@sortedset", acl3}
		if flags&Write != 0 {
			acl[0] = "@write"
		}
		if flags&Blocking != 0 {
			acl = append(acl, "@blocking")
		}
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: step, Proc: proc,
			Group: "sorted-set", Since: since, Summary: summary, Complexity: complexity, ACL: acl}
	}
	const (
		cLogN   = "O(log(N)) with N being the number of elements in the sorted set."
		cRange  = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."
		cRangeL = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."
		cRem    = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."
		cPop    = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."
		cMpop   = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."
		cUnion  = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."
		cInter  = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."
		cDiff   = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."
	)
	W, R := Write, ReadOnly
	cmds := []*Command{
		zs("zadd", -4, W|DenyOOM|Fast, 1, 1, 1, zaddCmd, "@fast", "1.2.0", "Add one or more members to a sorted set, or update its score if it already exists", "O(log(N)) for each item added, where N is the number of elements in the sorted set."),
		zs("zincrby", 4, W|DenyOOM|Fast, 1, 1, 1, zincrbyCmd, "@fast", "1.2.0", "Increment the score of a member in a sorted set", "O(log(N)) where N is the number of elements in the sorted set."),
		zs("zrem", -3, W|Fast, 1, 1, 1, zremCmd, "@fast", "1.2.0", "Remove one or more members from a sorted set", "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."),
		zs("zcard", 2, R|Fast, 1, 1, 1, zcardCmd, "@fast", "1.2.0", "Get the number of members in a sorted set", "O(1)"),
		zs("zscore", 3, R|Fast, 1, 1, 1, zscoreCmd, "@fast", "1.2.0", "Get the score associated with the given member in a sorted set", "O(1)"),
		zs("zmscore", -3, R|Fast, 1, 1, 1, zmscoreCmd, "@fast", "6.2.0", "Get the score associated with the given members in a sorted set", "O(N) where N is the number of members being requested."),
		zs("zrank", 3, R|Fast, 1, 1, 1, zrankCmd, "@fast", "2.0.0", "Determine the index of a member in a sorted set", "O(log(N))"),
		zs("zrevrank", 3, R|Fast, 1, 1, 1, zrevrankCmd, "@fast", "2.0.0", "Determine the index of a member in a sorted set, with scores ordered from high to low", "O(log(N))"),
		zs("zcount", 4, R|Fast, 1, 1, 1, zcountCmd, "@fast", "2.0.0", "Count the members in a sorted set with scores within the given values", cLogN),
		zs("zlexcount", 4, R|Fast, 1, 1, 1, zlexcountCmd, "@fast", "2.8.9", "Count the number of members in a sorted set between a given lexicographical range", cLogN),
		zs("zrange", -4, R, 1, 1, 1, zrangeCmd, "@slow", "1.2.0", "Return a range of members in a sorted set", cRange),
		zs("zrangebyscore", -4, R, 1, 1, 1, zrangebyscoreCmd, "@slow", "1.0.5", "Return a range of members in a sorted set, by score", cRangeL),
		zs("zrevrangebyscore", -4, R, 1, 1, 1, zrevrangebyscoreCmd, "@slow", "2.2.0", "Return a range of members in a sorted set, by score, with scores ordered from high to low", cRangeL),
		zs("zrangebylex", -4, R, 1, 1, 1, zrangebylexCmd, "@slow", "2.8.9", "Return a range of members in a sorted set, by lexicographical range", cRangeL),
		zs("zrevrangebylex", -4, R, 1, 1, 1, zrevrangebylexCmd, "@slow", "2.8.9", "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", cRangeL),
		zs("zrevrange", -4, R, 1, 1, 1, zrevrangeCmd, "@slow", "1.2.0", "Return a range of members in a sorted set, by index, with scores ordered from high to low", cRange),
		zs("zrangestore", -5, W|DenyOOM, 1, 2, 1, zrangestoreCmd, "@slow", "6.2.0", "Store a range of members from sorted set into another key", "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."),
		zs("zremrangebyrank", 4, W, 1, 1, 1, zremrangebyrankCmd, "@slow", "2.0.0", "Remove all members in a sorted set within the given indexes", cRem),
		zs("zremrangebyscore", 4, W, 1, 1, 1, zremrangebyscoreCmd, "@slow", "1.2.0", "Remove all members in a sorted set within the given scores", cRem),
		zs("zremrangebylex", 4, W, 1, 1, 1, zremrangebylexCmd, "@slow", "2.8.9", "Remove all members in a sorted set between the given lexicographical range", cRem),
		zs("zunion", -3, R, 0, 0, 0, zunionCmd, "@slow", "6.2.0", "Add multiple sorted sets", cUnion),
		zs("zinter", -3, R, 0, 0, 0, zinterCmd, "@slow", "6.2.0", "Intersect multiple sorted sets", cInter),
		zs("zdiff", -3, R, 0, 0, 0, zdiffCmd, "@slow", "6.2.0", "Subtract multiple sorted sets", cDiff),
		zs("zunionstore", -4, W|DenyOOM, 1, 1, 1, zunionstoreCmd, "@slow", "2.0.0", "Add multiple sorted sets and store the resulting sorted set in a new key", "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."),
		zs("zinterstore", -4, W|DenyOOM, 1, 1, 1, zinterstoreCmd, "@slow", "2.0.0", "Intersect multiple sorted sets and store the resulting sorted set in a new key", cInter),
		zs("zdiffstore", -4, W|DenyOOM, 1, 1, 1, zdiffstoreCmd, "@slow", "6.2.0", "Subtract multiple sorted sets and store the resulting sorted set in a new key", cDiff),
		zs("zintercard", -3, R, 0, 0, 0, zintercardCmd, "@slow", "7.0.0", "Intersect multiple sorted sets and return the cardinality of the result", "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."),
		zs("zrandmember", -2, R, 1, 1, 1, zrandmemberCmd, "@slow", "6.2.0", "Get one or multiple random elements from a sorted set", "O(N) where N is the number of elements returned"),
		zs("zpopmin", -2, W|Fast, 1, 1, 1, zpopminCmd, "@fast", "5.0.0", "Remove and return members with the lowest scores in a sorted set", cPop),
		zs("zpopmax", -2, W|Fast, 1, 1, 1, zpopmaxCmd, "@fast", "5.0.0", "Remove and return members with the highest scores in a sorted set", cPop),
		zs("zmpop", -4, W, 0, 0, 0, zmpopCmd, "@slow", "7.0.0", "Remove and return members with scores in a sorted set", cMpop),
		zs("bzpopmin", -3, W|NoScript|Blocking|Fast, 1, -2, 1, bzpopminCmd, "@fast", "5.0.0", "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", "O(log(N)) with N being the number of elements in the sorted set."),
		zs("bzpopmax", -3, W|NoScript|Blocking|Fast, 1, -2, 1, bzpopmaxCmd, "@fast", "5.0.0", "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", "O(log(N)) with N being the number of elements in the sorted set."),
		zs("bzmpop", -5, W|Blocking, 0, 0, 0, bzmpopCmd, "@slow", "7.0.0", "Remove and return members with scores in a sorted set or block until one is available", cMpop),
		zs("zscan", -3, R, 1, 1, 1, zscanCmd, "@slow", "2.8.0", "Incrementally iterate sorted sets elements and associated scores", "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."),
	}
	for _, c := range cmds {
		switch c.Name {
		case "zunion", "zinter", "zdiff", "zintercard", "zmpop":
			c.Keys = zNumkeysKeys(1, false)
		case "zunionstore", "zinterstore", "zdiffstore":
			c.Keys = zNumkeysKeys(2, true)
		case "bzmpop":
			c.Keys = zNumkeysKeys(2, false)
		case "zrandmember", "zscan":
			c.Tips = []string{"nondeterministic_output"}
		}
	}
	Register(cmds...)
}

// zNumkeysKeys locates the keys of a command whose key count is given by
// the argument at numIdx (with the destination at 1 when dst is set).
func zNumkeysKeys(numIdx int, dst bool) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		if numIdx >= len(args) {
			return nil
		}
		n, ok := keyspace.ParseInt(args[numIdx])
		if !ok || n < 1 || n > int64(len(args)-numIdx-1) {
			return nil
		}
		out := make([]int, 0, n+1)
		if dst {
			out = append(out, 1)
		}
		for i := 0; i < int(n); i++ {
			out = append(out, numIdx+1+i)
		}
		return out
	}
}

// zsetOf returns the sorted set held by o (nil for a missing key).
func zsetOf(o *keyspace.Object) *keyspace.ZSet {
	if o == nil {
		return nil
	}
	return o.Val.(*keyspace.ZSet)
}

// readZSet looks key up for reading; ok is false after a WRONGTYPE reply.
func readZSet(c *Ctx, key string) (*keyspace.ZSet, bool) {
	o, ok := c.Lookup(key, keyspace.TZSet)
	return zsetOf(o), ok
}

func zaddCmd(c *Ctx)    { zaddGeneric(c, 0) }
func zincrbyCmd(c *Ctx) { zaddGeneric(c, keyspace.ZAddIncr) }

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...], and
// ZINCRBY key increment member, which is ZADD INCR (its options are parsed
// the same way, so "ZINCRBY k nx m" is a syntax error).
func zaddGeneric(c *Ctx, flags int) {
	ch := false
	idx := 2
options:
	for ; idx < len(c.Args); idx++ {
		a := c.Args[idx]
		switch {
		case Is(a, "nx"):
			flags |= keyspace.ZAddNX
		case Is(a, "xx"):
			flags |= keyspace.ZAddXX
		case Is(a, "ch"):
			ch = true
		case Is(a, "incr"):
			flags |= keyspace.ZAddIncr
		case Is(a, "gt"):
			flags |= keyspace.ZAddGT
		case Is(a, "lt"):
			flags |= keyspace.ZAddLT
		default:
			break options
		}
	}
	incr := flags&keyspace.ZAddIncr != 0
	nx, xx := flags&keyspace.ZAddNX != 0, flags&keyspace.ZAddXX != 0
	gt, lt := flags&keyspace.ZAddGT != 0, flags&keyspace.ZAddLT != 0
	// What follows the options must be score/member pairs.
	elements := len(c.Args) - idx
	if elements == 0 || elements%2 != 0 {
		c.SyntaxError()
		return
	}
	elements /= 2
	switch {
	case nx && xx:
		c.Error(ErrZAddXXNX)
		return
	case (gt && nx) || (lt && nx) || (gt && lt):
		c.Error(ErrZAddGTLTNX)
		return
	case incr && elements > 1:
		c.Error(ErrZAddIncrPair)
		return
	}
	// Every score is checked before anything changes: all or nothing.
	var buf [16]float64
	scores := buf[:0]
	for j := 0; j < elements; j++ {
		f, ok := zparseDouble(c.Args[idx+2*j])
		if !ok {
			c.Error(ErrNotFloat)
			return
		}
		scores = append(scores, f)
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TZSet)
	if !ok {
		return
	}
	if o == nil {
		if xx {
			zaddReply(c, incr, ch, false, 0, 0, 0)
			return
		}
		o = c.DB.Add(key, keyspace.Object{Type: keyspace.TZSet, Val: keyspace.NewZSet()})
	}
	z := zsetOf(o)
	added, updated, processed := 0, 0, false
	var score float64
	for j := 0; j < elements; j++ {
		out, ns := z.Add(c.Args[idx+2*j+1], scores[j], flags, c.Set.ZSetMaxListpackEntries, c.Set.ZSetMaxListpackValue)
		if out&keyspace.ZNaN != 0 {
			c.Error(ErrNaNScore)
			return
		}
		if out&keyspace.ZAdded != 0 {
			added++
		}
		if out&keyspace.ZUpdated != 0 {
			updated++
		}
		if out&keyspace.ZNop == 0 {
			processed = true
			score = ns
		}
	}
	zaddReply(c, incr, ch, processed, score, added, updated)
	if added+updated > 0 {
		c.Modified(key)
		c.Dirty += added + updated - 1
		event := "zadd"
		if incr {
			event = "zincr"
		}
		c.Notify(NotifyZSet, event, key)
	}
}

// zaddReply: INCR answers the new score (nil when nothing was done), plain
// ZADD the number added, or added plus updated with CH.
func zaddReply(c *Ctx, incr, ch, processed bool, score float64, added, updated int) {
	switch {
	case incr && processed:
		c.W.Double(score)
	case incr:
		c.W.NullBulk()
	case ch:
		c.W.Int(int64(added + updated))
	default:
		c.W.Int(int64(added))
	}
}

// ZREM key member [member ...]. The key goes as soon as it is empty; the
// members after that are not looked at.
func zremCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TZSet)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	z := zsetOf(o)
	deleted, removed := 0, false
	for _, m := range c.Args[2:] {
		if z.Remove(m) {
			deleted++
		}
		if z.Len() == 0 {
			c.DB.Delete(key)
			removed = true
			break
		}
	}
	if deleted > 0 {
		c.Notify(NotifyZSet, "zrem", key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
		c.Modified(key)
		c.Dirty += deleted - 1
	}
	c.W.Int(int64(deleted))
}

// ZCARD key.
func zcardCmd(c *Ctx) {
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.Len()))
}

// ZSCORE key member: a double, or nil.
func zscoreCmd(c *Ctx) {
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.NullBulk()
		return
	}
	if s, found := z.Score(c.Args[2]); found {
		c.W.Double(s)
	} else {
		c.W.NullBulk()
	}
}

// ZMSCORE key member [member ...]: a missing key is an empty set.
func zmscoreCmd(c *Ctx) {
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if z == nil {
			c.W.NullBulk()
			continue
		}
		if s, found := z.Score(m); found {
			c.W.Double(s)
		} else {
			c.W.NullBulk()
		}
	}
}

func zrankCmd(c *Ctx)    { zrankGeneric(c, false) }
func zrevrankCmd(c *Ctx) { zrankGeneric(c, true) }

// ZRANK / ZREVRANK key member: the 0-based position, or nil.
func zrankGeneric(c *Ctx, reverse bool) {
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.NullBulk()
		return
	}
	if r, found := z.Rank(c.Args[2], reverse); found {
		c.W.Int(int64(r))
	} else {
		c.W.NullBulk()
	}
}

// ZCOUNT key min max: the range is checked before the key.
func zcountCmd(c *Ctx) {
	r, ok := zparseScoreRange(c, 2, 3)
	if !ok {
		return
	}
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountInScore(&r)))
}

// ZLEXCOUNT key min max.
func zlexcountCmd(c *Ctx) {
	r, ok := zparseLexRange(c, 2, 3)
	if !ok {
		return
	}
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.CountInLex(&r)))
}
