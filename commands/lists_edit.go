package commands

import (
	"bytes"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	rwSlow := []string{"@write", "@list", "@slow"}
	Register(
		&Command{Name: "lmove", Arity: 5, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Proc: lmoveCmd,
			Group: "list", Since: "6.2.0", Summary: "Pop an element from a list, push it to another list and return it", Complexity: "O(1)", ACL: rwSlow},
		&Command{Name: "rpoplpush", Arity: 3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Proc: rpoplpushCmd,
			Group: "list", Since: "1.2.0", Summary: "Remove the last element in a list, prepend it to another list and return it", Complexity: "O(1)", ACL: rwSlow},
	)
}

// LREM key count element removes elements equal to element: the first
// count from the head for count > 0, the last -count from the tail for
// count < 0, all for 0. The reply is how many went.
func lremCmd(c *Ctx) {
	count, ok := c.Int(2)
	if !ok {
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	l := o.Val.(*keyspace.List)
	removed := l.Remove(c.Args[3], int(count))
	if removed > 0 {
		listDirty(c, key, removed)
		c.Notify(NotifyList, "lrem", key)
	}
	listDropIfEmpty(c, key, l)
	c.W.Int(int64(removed))
}

// LINSERT key BEFORE|AFTER pivot element inserts next to the first
// occurrence of pivot from the head. The reply is the new length, -1 when
// the pivot is absent, 0 when the key is missing. The position keyword is
// checked before the key.
func linsertCmd(c *Ctx) {
	var after bool
	switch {
	case Is(c.Args[2], "after"):
		after = true
	case Is(c.Args[2], "before"):
	default:
		c.SyntaxError()
		return
	}
	if listTooLarge(c, 4) {
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	l := o.Val.(*keyspace.List)
	if !l.Insert(c.Args[3], c.Args[4], after) {
		c.W.Int(-1)
		return
	}
	c.Modified(key)
	c.Notify(NotifyList, "linsert", key)
	c.W.Int(int64(l.Len()))
}

// LPOS key element [RANK rank] [COUNT num] [MAXLEN len] returns the index
// of matches of element. RANK n skips to the n-th match (negative: the
// n-th from the tail, scanning backwards); COUNT n returns up to n
// matches as an array (0 = all); MAXLEN n compares at most n elements.
// Options are parsed, later ones overriding earlier ones, before the key
// is looked up. Without COUNT the reply is an index or nil; with it an
// array, empty when nothing matches or the key is missing.
func lposCmd(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.Args); j++ {
		more := j < len(c.Args)-1
		switch opt := c.Args[j]; {
		case more && Is(opt, "rank"):
			j++
			n, ok := c.Int(j)
			if !ok {
				return
			}
			if n == 0 {
				c.Error(ErrListRankZero)
				return
			}
			rank = n
		case more && Is(opt, "count"):
			j++
			n, ok := keyspace.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.Error(ErrListCountNeg)
				return
			}
			count = n
		case more && Is(opt, "maxlen"):
			j++
			n, ok := keyspace.ParseInt(c.Args[j])
			if !ok || n < 0 {
				c.Error(ErrListMaxlenNeg)
				return
			}
			maxlen = n
		default:
			c.SyntaxError()
			return
		}
	}
	// A negative rank scans from the tail. (Negating the smallest int64
	// leaves it negative, which then accepts the very first match, as in
	// Redis.)
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	o, ok := c.Lookup(c.Key(1), keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		if count != -1 {
			c.W.Array(0)
		} else {
			c.W.NullBulk()
		}
		return
	}
	l := o.Val.(*keyspace.List)
	ele := c.Args[2]
	llen := int64(l.Len())
	var deferred resp.Deferred
	if count != -1 {
		deferred = c.W.DeferArray()
	}
	index, matches, found, replied := int64(0), int64(0), int64(-1), 0
	visit := func(v []byte) bool {
		if maxlen != 0 && index >= maxlen {
			return false
		}
		if bytes.Equal(v, ele) {
			matches++
			if matches >= rank {
				pos := index
				if fromTail {
					pos = llen - index - 1
				}
				if count == -1 {
					found = pos
					return false
				}
				replied++
				c.W.Int(pos)
				if count != 0 && matches-rank+1 >= count {
					return false
				}
			}
		}
		index++
		return true
	}
	if fromTail {
		l.RangeRev(visit)
	} else {
		l.Range(visit)
	}
	switch {
	case count != -1:
		c.W.Fill(deferred, replied)
	case found >= 0:
		c.W.Int(found)
	default:
		c.W.NullBulk()
	}
}

// listWhere parses a LEFT/RIGHT argument; LEFT is the head.
func listWhere(c *Ctx, i int) (front, ok bool) {
	switch {
	case Is(c.Args[i], "left"):
		return true, true
	case Is(c.Args[i], "right"):
		return false, true
	}
	c.SyntaxError()
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT.
func lmoveCmd(c *Ctx) {
	from, ok := listWhere(c, 3)
	if !ok {
		return
	}
	to, ok := listWhere(c, 4)
	if !ok {
		return
	}
	lmoveGeneric(c, from, to, nil)
}

// RPOPLPUSH source destination is LMOVE source destination RIGHT LEFT.
func rpoplpushCmd(c *Ctx) { lmoveGeneric(c, false, true, nil) }

// lmoveGeneric moves one element from an end of the source list to an end
// of the destination list (created if missing) and replies with it; nil
// when the source is missing. The destination's type is checked only once
// the source is known to hold something. Events: lpush/rpush on the
// destination, then lpop/rpop on the source (and del if it emptied).
// rewrite, when set, is what to propagate instead of the command.
func lmoveGeneric(c *Ctx, from, to bool, rewrite [][]byte) {
	src, dst := c.Key(1), c.Key(2)
	so, ok := c.LookupWrite(src, keyspace.TList)
	if !ok {
		return
	}
	if so == nil {
		c.W.NullBulk()
		return
	}
	sl := so.Val.(*keyspace.List)
	do, ok := c.LookupWrite(dst, keyspace.TList)
	if !ok {
		return
	}
	var dl *keyspace.List
	if do != nil {
		dl = do.Val.(*keyspace.List)
	}
	v := listPop(sl, from)
	if dl == sl {
		// Rotating one list: the popped bytes live in the list's own
		// memory, which the push may move, so copy them first.
		v = append([]byte(nil), v...)
	}
	if dl == nil {
		dl = newListKey(c, dst)
	}
	if to {
		dl.PushFront(v)
	} else {
		dl.PushBack(v)
	}
	c.W.Bulk(v)
	listTouch(c, dst)
	if to {
		c.Notify(NotifyList, "lpush", dst)
	} else {
		c.Notify(NotifyList, "rpush", dst)
	}
	if from {
		c.Notify(NotifyList, "lpop", src)
	} else {
		c.Notify(NotifyList, "rpop", src)
	}
	listDropIfEmpty(c, src, sl)
	c.Modified(src)
	if rewrite != nil {
		c.Rewrite(rewrite...)
	}
}
