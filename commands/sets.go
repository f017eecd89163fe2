package commands

import (
	"math/rand/v2"
	"slices"

	"redoubt/internal/keyspace"
)

func init() {
	rw := []string{"@write", "@set", "@fast"}
	ro := []string{"@read", "@set", "@fast"}
	roSlow := []string{"@read", "@set", "@slow"}
	Register(
		&Command{Name: "sadd", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: saddCmd,
			Group: "set", Since: "1.0.0", Summary: "Add one or more members to a set",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", ACL: rw},
		&Command{Name: "srem", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: sremCmd,
			Group: "set", Since: "1.0.0", Summary: "Remove one or more members from a set",
			Complexity: "O(N) where N is the number of members to be removed.", ACL: rw},
		&Command{Name: "scard", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: scardCmd,
			Group: "set", Since: "1.0.0", Summary: "Get the number of members in a set", Complexity: "O(1)", ACL: ro},
		&Command{Name: "sismember", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: sismemberCmd,
			Group: "set", Since: "1.0.0", Summary: "Determine if a given value is a member of a set", Complexity: "O(1)", ACL: ro},
		&Command{Name: "smismember", Arity: -3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: smismemberCmd,
			Group: "set", Since: "6.2.0", Summary: "Returns the membership associated with the given elements for a set",
			Complexity: "O(N) where N is the number of elements being checked for membership", ACL: ro},
		&Command{Name: "smembers", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: smembersCmd,
			Group: "set", Since: "1.0.0", Summary: "Get all the members in a set", Complexity: "O(N) where N is the set cardinality.",
			ACL: roSlow, Tips: []string{"nondeterministic_output_order"}},
		&Command{Name: "srandmember", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: srandmemberCmd,
			Group: "set", Since: "1.0.0", Summary: "Get one or multiple random members from a set",
			ACL: roSlow, Tips: []string{"nondeterministic_output"},
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count."},
		&Command{Name: "spop", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: spopCmd,
			Group: "set", Since: "1.0.0", Summary: "Remove and return one or multiple random members from a set",
			ACL: rw, Tips: []string{"nondeterministic_output"},
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count."},
		&Command{Name: "smove", Arity: 4, Flags: Write | Fast, FirstKey: 1, LastKey: 2, Step: 1, Proc: smoveCmd,
			Group: "set", Since: "1.0.0", Summary: "Move a member from one set to another", Complexity: "O(1)", ACL: rw},
		&Command{Name: "sscan", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: sscanCmd,
			Group: "set", Since: "2.8.0", Summary: "Incrementally iterate Set elements",
			ACL: roSlow, Tips: []string{"nondeterministic_output"},
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."},
	)
}

// Literal command names used in propagation.
var (
	sremLiteral = []byte("SREM")
	delLiteral  = []byte("DEL")
)

// readSet finds key for reading. ok is false after a WRONGTYPE reply; s
// is nil when the key is missing.
func readSet(c *Ctx, key string) (s *keyspace.Set, ok bool) {
	o, ok := c.Lookup(key, keyspace.TSet)
	if !ok || o == nil {
		return nil, ok
	}
	return o.Val.(*keyspace.Set), true
}

// SADD key member [member ...]: how many members were new. A new key
// starts as an intset only if its first member is an integer.
func saddCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TSet)
	if !ok {
		return
	}
	var s *keyspace.Set
	if o == nil {
		s = keyspace.NewSetFor(c.Args[2])
		c.DB.Add(key, keyspace.Object{Type: keyspace.TSet, Val: s})
	} else {
		s = o.Val.(*keyspace.Set)
	}
	added := 0
	for _, m := range c.Args[2:] {
		if s.Add(m, c.Set.SetMaxIntsetEntries) {
			added++
		}
	}
	if added > 0 {
		c.Modified(key)
		c.Dirty += added - 1
		c.Notify(NotifySet, "sadd", key)
	}
	c.W.Int(int64(added))
}

// SREM key member [member ...]: how many were removed; the key goes with
// its last member.
func sremCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TSet)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	s := o.Val.(*keyspace.Set)
	removeEach(c, key, s.Remove, s.Len, NotifySet, "srem")
}

// SCARD key: the number of members.
func scardCmd(c *Ctx) {
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(s.Len()))
}

// SISMEMBER key member: 1 or 0.
func sismemberCmd(c *Ctx) {
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	if s != nil && s.Has(c.Args[2]) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// SMISMEMBER key member [member ...]: 1 or 0 for each (integers, not
// RESP3 booleans).
func smismemberCmd(c *Ctx) {
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if s != nil && s.Has(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
}

// SMEMBERS key: every member, as a set reply (an intset ascending).
func smembersCmd(c *Ctx) {
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	if s == nil {
		c.W.Set(0)
		return
	}
	writeSetMembers(c, s)
}

// writeSetMembers replies with s as a set, in its own order.
func writeSetMembers(c *Ctx, s *keyspace.Set) {
	c.W.Set(s.Len())
	if s.IsIntset() {
		for _, n := range s.Ints() {
			c.W.BulkInt(n)
		}
		return
	}
	w := c.W
	s.Range(func(m []byte) bool {
		w.Bulk(m)
		return true
	})
}

// SRANDMEMBER key [count]: one random member (or nil), or with count, as
// for HRANDFIELD: a negative count may repeat members, a positive one
// gives distinct members and the whole set once it reaches its size.
func srandmemberCmd(c *Ctx) {
	if len(c.Args) > 3 {
		c.SyntaxError()
		return
	}
	if len(c.Args) == 3 {
		srandmemberCount(c)
		return
	}
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	if s == nil {
		c.W.NullBulk()
		return
	}
	var tmp [24]byte
	c.W.Bulk(s.Random(tmp[:0]))
}

func srandmemberCount(c *Ctx) {
	l, ok := parseRandCount(c, 2)
	if !ok {
		return
	}
	s, ok := readSet(c, c.Key(1))
	if !ok {
		return
	}
	if s == nil || l == 0 {
		c.W.Array(0)
		return
	}
	count := l
	if l < 0 {
		count = -l
	}
	size := s.Len()
	var tmp [24]byte
	if l < 0 || count == 1 {
		c.W.Array(int(count))
		for i := int64(0); i < count; i++ {
			c.W.Bulk(s.Random(tmp[:0]))
		}
		return
	}
	if count >= int64(size) {
		c.W.Array(size)
		if s.IsIntset() {
			for _, n := range s.Ints() {
				c.W.BulkInt(n)
			}
			return
		}
		w := c.W
		s.Range(func(m []byte) bool {
			w.Bulk(m)
			return true
		})
		return
	}
	n := int(count)
	c.W.Array(n)
	if s.IsIntset() {
		// Take n distinct positions of the sorted array at random.
		ints := s.Ints()
		if n*3 > size {
			perm := slices.Clone(ints)
			for i := 0; i < n; i++ {
				j := i + rand.IntN(len(perm)-i)
				perm[i], perm[j] = perm[j], perm[i]
				c.W.BulkInt(perm[i])
			}
			return
		}
		seen := make(map[int]struct{}, n)
		for len(seen) < n {
			i := rand.IntN(size)
			if _, dup := seen[i]; !dup {
				seen[i] = struct{}{}
				c.W.BulkInt(ints[i])
			}
		}
		return
	}
	if n*3 > size {
		all := make([][]byte, 0, size)
		s.Range(func(m []byte) bool {
			all = append(all, m)
			return true
		})
		for i := 0; i < n; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
			c.W.Bulk(all[i])
		}
		return
	}
	seen := make(map[string]struct{}, n)
	for len(seen) < n {
		m := s.Random(tmp[:0])
		if _, dup := seen[string(m)]; !dup {
			seen[string(m)] = struct{}{}
			c.W.Bulk(m)
		}
	}
}

// SMOVE source destination member. A missing source answers 0 before
// any type check; otherwise both keys must be sets (or the destination
// missing). Moving within one set only tells whether the member is there.
func smoveCmd(c *Ctx) {
	src, dst := c.Key(1), c.Key(2)
	so := c.DB.LookupWrite(src)
	do := c.DB.LookupWrite(dst)
	if so == nil {
		c.W.Int(0)
		return
	}
	if so.Type != keyspace.TSet || (do != nil && do.Type != keyspace.TSet) {
		c.WrongType()
		return
	}
	ss := so.Val.(*keyspace.Set)
	m := c.Args[3]
	if src == dst {
		if ss.Has(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if !ss.Remove(m) {
		c.W.Int(0)
		return
	}
	c.Notify(NotifySet, "srem", src)
	if ss.Len() == 0 {
		c.DB.Delete(src)
		c.Notify(NotifyGeneric, "del", src)
	}
	var ds *keyspace.Set
	if do == nil {
		ds = keyspace.NewSetFor(m)
		c.DB.Add(dst, keyspace.Object{Type: keyspace.TSet, Val: ds})
	} else {
		ds = do.Val.(*keyspace.Set)
	}
	c.Modified(src)
	if ds.Add(m, c.Set.SetMaxIntsetEntries) {
		c.Modified(dst)
		c.Notify(NotifySet, "sadd", dst)
	}
	c.W.Int(1)
}
