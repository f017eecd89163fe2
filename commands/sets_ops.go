package commands

import (
	"slices"
	"sort"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	rwSlow := []string{"@write", "@set", "@slow"}
	roSlow := []string{"@read", "@set", "@slow"}
	order := []string{"nondeterministic_output_order"}
	inter := "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
	union := "O(N) where N is the total number of elements in all given sets."
	Register(
		&Command{Name: "sinter", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Proc: sinterCmd,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets", Complexity: inter, ACL: roSlow, Tips: order},
		&Command{Name: "sintercard", Arity: -3, Flags: ReadOnly, Keys: sintercardKeys, Proc: sintercardCmd,
			Group: "set", Since: "7.0.0", Summary: "Intersect multiple sets and return the cardinality of the result", Complexity: inter, ACL: roSlow},
		&Command{Name: "sinterstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Proc: sinterstoreCmd,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets and store the resulting set in a key", Complexity: inter, ACL: rwSlow},
		&Command{Name: "sunion", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Proc: sunionCmd,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets", Complexity: union, ACL: roSlow, Tips: order},
		&Command{Name: "sunionstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Proc: sunionstoreCmd,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets and store the resulting set in a key", Complexity: union, ACL: rwSlow},
		&Command{Name: "sdiff", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: -1, Step: 1, Proc: sdiffCmd,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets", Complexity: union, ACL: roSlow, Tips: order},
		&Command{Name: "sdiffstore", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 1, Proc: sdiffstoreCmd,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets and store the resulting set in a key", Complexity: union, ACL: rwSlow},
	)
}

// spopMoveStrategyMul: SPOP with a count removes the popped members one
// at a time as long as survivors*5 > count; when nearly everything goes it
// is cheaper to draw the few survivors into a fresh set instead.
const spopMoveStrategyMul = 5

// SPOP key [count]. Without count: one random member removed (nil for a
// missing key), propagated as SREM key member. With count (non-negative):
// a set reply. Popping everything replies as SUNION of the key would,
// deletes it and propagates DEL; popping fewer propagates one SREM per
// member instead of the SPOP itself.
func spopCmd(c *Ctx) {
	if len(c.Args) > 3 {
		c.SyntaxError()
		return
	}
	if len(c.Args) == 3 {
		spopCount(c)
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TSet)
	if !ok {
		return
	}
	if o == nil {
		c.W.NullBulk()
		return
	}
	s := o.Val.(*keyspace.Set)
	m := s.Random(nil)
	s.Remove(m)
	c.Notify(NotifySet, "spop", key)
	c.Rewrite(sremLiteral, c.Args[1], m)
	c.W.Bulk(m)
	if s.Len() == 0 {
		c.DB.Delete(key)
		c.Notify(NotifyGeneric, "del", key)
	}
	c.Modified(key)
}

func spopCount(c *Ctx) {
	l, ok := keyspace.ParseInt(c.Args[2])
	if !ok || l < 0 {
		c.Error(ErrNotIntOrNeg)
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TSet)
	if !ok {
		return
	}
	if o == nil || l == 0 {
		c.W.Set(0)
		return
	}
	s := o.Val.(*keyspace.Set)
	size := s.Len()
	c.Notify(NotifySet, "spop", key)
	if l >= int64(size) {
		writeSetAsUnion(c, s)
		c.DB.Delete(key)
		c.Notify(NotifyGeneric, "del", key)
		c.Rewrite(delLiteral, c.Args[1])
		c.Modified(key)
		c.Dirty += int(min(l, 1<<30)) - 1
		return
	}
	count := int(l)
	c.W.Set(count)
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		// Few to pop: draw and remove them one at a time.
		for i := 0; i < count; i++ {
			m := s.Random(nil)
			s.Remove(m)
			c.W.Bulk(m)
			c.Also(sremLiteral, c.Args[1], m)
		}
	} else {
		// Most of the set goes: move the survivors, drawn at random, into
		// a fresh set (whose encoding is chosen anew), then hand out what
		// is left of the old one. The key keeps its TTL.
		var ns *keyspace.Set
		var tmp [24]byte
		for i := 0; i < remaining; i++ {
			m := s.Random(tmp[:0])
			if ns == nil {
				ns = keyspace.NewSetFor(m)
			}
			ns.Add(m, c.Set.SetMaxIntsetEntries)
			s.Remove(m)
		}
		w := c.W
		s.Range(func(m []byte) bool {
			w.Bulk(m)
			c.Also(sremLiteral, c.Args[1], append([]byte(nil), m...))
			return true
		})
		o.Val = ns
	}
	c.PreventPropagation()
	c.Modified(key)
	c.Dirty += count - 1
}

// writeSetAsUnion replies with s the way SUNION of it alone would: the
// union is gathered into a fresh set, which is an intset (so ascending)
// when every member is an integer and there are few enough of them.
func writeSetAsUnion(c *Ctx, s *keyspace.Set) {
	if !s.IsIntset() && s.Len() <= c.Set.SetMaxIntsetEntries {
		ints := make([]int64, 0, s.Len())
		s.Range(func(m []byte) bool {
			n, ok := keyspace.ParseInt(m)
			if ok {
				ints = append(ints, n)
			}
			return ok
		})
		if len(ints) == s.Len() {
			slices.Sort(ints)
			c.W.Set(len(ints))
			for _, n := range ints {
				c.W.BulkInt(n)
			}
			return
		}
	}
	writeSetMembers(c, s)
}

// loadSets looks up the keys of a set operation in order; missing keys
// give nil. ok is false after a WRONGTYPE reply.
func loadSets(c *Ctx, keys [][]byte) ([]*keyspace.Set, bool) {
	sets := make([]*keyspace.Set, len(keys))
	for i, k := range keys {
		o := c.DB.Lookup(B2S(k))
		if o == nil {
			continue
		}
		if o.Type != keyspace.TSet {
			c.WrongType()
			return nil, false
		}
		sets[i] = o.Val.(*keyspace.Set)
	}
	return sets, true
}

// storeSetResult saves the result of a *STORE command in dst (replacing
// whatever it held, TTL included) and answers its size; an empty result
// deletes dst instead.
func storeSetResult(c *Ctx, dst []byte, s *keyspace.Set, event string) {
	key := B2S(dst)
	if s.Len() > 0 {
		c.DB.LookupWrite(key)
		c.DB.Set(key, keyspace.Object{Type: keyspace.TSet, Val: s}, false)
		c.W.Int(int64(s.Len()))
		c.Notify(NotifySet, event, key)
		c.Modified(key)
		return
	}
	c.W.Int(0)
	if c.DB.Delete(key) {
		c.Modified(key)
		c.Notify(NotifyGeneric, "del", key)
	}
}

func sinterCmd(c *Ctx)      { sinterGeneric(c, c.Args[1:], nil, false, 0) }
func sinterstoreCmd(c *Ctx) { sinterGeneric(c, c.Args[2:], c.Args[1], false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]: the size of the
// intersection, counting stops at limit (0 = no limit).
func sintercardCmd(c *Ctx) {
	end, limit, ok := parseSintercardArgs(c)
	if !ok {
		return
	}
	sinterGeneric(c, c.Args[2:end], nil, true, limit)
}

// sintercardKeys locates SINTERCARD's keys from its numkeys argument.
func sintercardKeys(args [][]byte) []int {
	if len(args) < 3 {
		return nil
	}
	n, ok := keyspace.ParseInt(args[1])
	if !ok || n < 1 || n > int64(len(args)-2) {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 2 + i
	}
	return out
}

// sinterGeneric intersects the sets at keys. Any missing key makes the
// result empty at once. Otherwise the members of the smallest set (the
// first of equals) are tested against the others, so the reply follows
// that set's order. With dst the result is stored; with cardOnly only
// counted, stopping at limit when it is not 0.
func sinterGeneric(c *Ctx, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, ok := loadSets(c, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		switch {
		case dst != nil:
			storeSetResult(c, dst, keyspace.NewSet(), "sinterstore")
		case cardOnly:
			c.W.Int(0)
		default:
			c.W.Set(0)
		}
		return
	}
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	first := sets[0]
	var res *keyspace.Set
	var d resp.Deferred
	switch {
	case dst != nil:
		res = keyspace.NewSet()
	case !cardOnly:
		d = c.W.DeferSet()
	}
	maxIntset := c.Set.SetMaxIntsetEntries
	var card int64
	// keep handles a member found in every set; false stops the walk.
	keepInt := func(n int64) bool {
		card++
		switch {
		case cardOnly:
			return limit == 0 || card < limit
		case res != nil:
			res.AddInt(n, maxIntset)
		default:
			c.W.BulkInt(n)
		}
		return true
	}
	if first.IsIntset() {
		for _, n := range first.Ints() {
			if inAllInt(sets, n) && !keepInt(n) {
				break
			}
		}
	} else {
		first.Range(func(m []byte) bool {
			if !inAll(sets, m) {
				return true
			}
			card++
			switch {
			case cardOnly:
				return limit == 0 || card < limit
			case res != nil:
				res.Add(m, maxIntset)
			default:
				c.W.Bulk(m)
			}
			return true
		})
	}
	switch {
	case cardOnly:
		c.W.Int(card)
	case res != nil:
		storeSetResult(c, dst, res, "sinterstore")
	default:
		c.W.Fill(d, int(card))
	}
}

// inAllInt reports whether n is in every set after the first (the first
// itself, and repeats of it, are skipped).
func inAllInt(sets []*keyspace.Set, n int64) bool {
	for _, s := range sets[1:] {
		if s != sets[0] && !s.HasInt(n) {
			return false
		}
	}
	return true
}

func inAll(sets []*keyspace.Set, m []byte) bool {
	for _, s := range sets[1:] {
		if s != sets[0] && !s.Has(m) {
			return false
		}
	}
	return true
}

func sunionCmd(c *Ctx)      { sunionDiff(c, c.Args[1:], nil, false) }
func sunionstoreCmd(c *Ctx) { sunionDiff(c, c.Args[2:], c.Args[1], false) }
func sdiffCmd(c *Ctx)       { sunionDiff(c, c.Args[1:], nil, true) }
func sdiffstoreCmd(c *Ctx)  { sunionDiff(c, c.Args[2:], c.Args[1], true) }

// addAll adds every member of src to dst.
func addAll(dst, src *keyspace.Set, maxIntset int) {
	if src.IsIntset() {
		for _, n := range src.Ints() {
			dst.AddInt(n, maxIntset)
		}
		return
	}
	src.Range(func(m []byte) bool {
		dst.Add(m, maxIntset)
		return true
	})
}

// sunionDiff computes SUNION or SDIFF into a fresh set that starts as an
// intset, like Redis, so the result's encoding (and the reply's order)
// is the one Redis would get. Missing keys are empty sets. SDIFF picks
// between walking the first set (checking the others) and copying it and
// removing the others' members, by Redis's cost estimate.
func sunionDiff(c *Ctx, keys [][]byte, dst []byte, diff bool) {
	sets, ok := loadSets(c, keys)
	if !ok {
		return
	}
	maxIntset := c.Set.SetMaxIntsetEntries
	res := keyspace.NewSet()
	switch {
	case !diff:
		for _, s := range sets {
			if s != nil {
				addAll(res, s, maxIntset)
			}
		}
	case sets[0] == nil || slices.Contains(sets[1:], sets[0]):
		// Nothing to subtract from, or the first set subtracted from
		// itself: empty.
	default:
		diffInto(res, sets, maxIntset)
	}
	if dst != nil {
		event := "sunionstore"
		if diff {
			event = "sdiffstore"
		}
		storeSetResult(c, dst, res, event)
		return
	}
	writeSetMembers(c, res)
}

func diffInto(res *keyspace.Set, sets []*keyspace.Set, maxIntset int) {
	first := sets[0]
	var work1, work2 int
	for _, s := range sets {
		if s != nil {
			work1 += first.Len()
			work2 += s.Len()
		}
	}
	if work1/2 <= work2 {
		// Walk the first set; keep members no other set has.
		first.Range(func(m []byte) bool {
			for _, s := range sets[1:] {
				if s != nil && s.Has(m) {
					return true
				}
			}
			res.Add(m, maxIntset)
			return true
		})
		return
	}
	// Copy the first set, then take away everything the others hold.
	addAll(res, first, maxIntset)
	for _, s := range sets[1:] {
		if s == nil {
			continue
		}
		if s.IsIntset() {
			for _, n := range s.Ints() {
				res.RemoveInt(n)
			}
		} else {
			s.Range(func(m []byte) bool {
				res.Remove(m)
				return true
			})
		}
		if res.Len() == 0 {
			return
		}
	}
}
