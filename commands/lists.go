package commands

import (
	"redoubt/internal/keyspace"
)

func init() {
	rwFast := []string{"@write", "@list", "@fast"}
	rwSlow := []string{"@write", "@list", "@slow"}
	roSlow := []string{"@read", "@list", "@slow"}
	pushCx := "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."
	popCx := "O(N) where N is the number of elements returned"
	Register(
		&Command{Name: "lpush", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: lpushCmd,
			Group: "list", Since: "1.0.0", Summary: "Prepend one or multiple elements to a list", Complexity: pushCx, ACL: rwFast},
		&Command{Name: "rpush", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: rpushCmd,
			Group: "list", Since: "1.0.0", Summary: "Append one or multiple elements to a list", Complexity: pushCx, ACL: rwFast},
		&Command{Name: "lpushx", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: lpushxCmd,
			Group: "list", Since: "2.2.0", Summary: "Prepend an element to a list, only if the list exists", Complexity: pushCx, ACL: rwFast},
		&Command{Name: "rpushx", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: rpushxCmd,
			Group: "list", Since: "2.2.0", Summary: "Append an element to a list, only if the list exists", Complexity: pushCx, ACL: rwFast},
		&Command{Name: "lpop", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: lpopCmd,
			Group: "list", Since: "1.0.0", Summary: "Remove and get the first elements in a list", Complexity: popCx, ACL: rwFast},
		&Command{Name: "rpop", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: rpopCmd,
			Group: "list", Since: "1.0.0", Summary: "Remove and get the last elements in a list", Complexity: popCx, ACL: rwFast},
		&Command{Name: "llen", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: llenCmd,
			Group: "list", Since: "1.0.0", Summary: "Get the length of a list", Complexity: "O(1)", ACL: []string{"@read", "@list", "@fast"}},
		&Command{Name: "lindex", Arity: 3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: lindexCmd,
			Group: "list", Since: "1.0.0", Summary: "Get an element from a list by its index",
			Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).", ACL: roSlow},
		&Command{Name: "lset", Arity: 4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Proc: lsetCmd,
			Group: "list", Since: "1.0.0", Summary: "Set the value of an element in a list by its index",
			Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).", ACL: rwSlow},
		&Command{Name: "lrange", Arity: 4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: lrangeCmd,
			Group: "list", Since: "1.0.0", Summary: "Get a range of elements from a list",
			Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", ACL: roSlow},
		&Command{Name: "ltrim", Arity: 4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Proc: ltrimCmd,
			Group: "list", Since: "1.0.0", Summary: "Trim a list to the specified range",
			Complexity: "O(N) where N is the number of elements to be removed by the operation.", ACL: rwSlow},
		&Command{Name: "lrem", Arity: 4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Proc: lremCmd,
			Group: "list", Since: "1.0.0", Summary: "Remove elements from a list",
			Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.", ACL: rwSlow},
		&Command{Name: "linsert", Arity: 5, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Proc: linsertCmd,
			Group: "list", Since: "2.2.0", Summary: "Insert an element before or after another element in a list",
			Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).", ACL: rwSlow},
		&Command{Name: "lpos", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: lposCmd,
			Group: "list", Since: "6.0.6", Summary: "Return the index of matching elements on a list",
			Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.", ACL: roSlow},
	)
}

// listTooLarge replies with an error when one of args[from:] is longer
// than a list element may be.
func listTooLarge(c *Ctx, from int) bool {
	for _, a := range c.Args[from:] {
		if len(a) > listMaxItem {
			c.Error(ErrListTooLarge)
			return true
		}
	}
	return false
}

// listDirty reports a change to key made of n elementary edits: Redis
// counts every pushed, popped or removed element as one change.
func listDirty(c *Ctx, key string, n int) {
	c.Modified(key)
	c.Dirty += n - 1
}

// listTouch invalidates WATCHes on key without counting a change (what
// Redis does when a command signals a key it did not actually alter).
func listTouch(c *Ctx, key string) {
	if c.Env != nil {
		c.Env.Modified(c.DB, key)
	}
}

// listDropIfEmpty deletes key once its list has no element left: Redis
// never keeps an empty list.
func listDropIfEmpty(c *Ctx, key string, l *keyspace.List) {
	if l.Len() == 0 {
		c.DB.Delete(key)
		c.Notify(NotifyGeneric, "del", key)
	}
}

// newListKey stores an empty list under key (known to be absent).
func newListKey(c *Ctx, key string) *keyspace.List {
	l := keyspace.NewList()
	c.DB.Add(key, keyspace.Object{Type: keyspace.TList, Val: l})
	return l
}

func lpushCmd(c *Ctx)  { pushGeneric(c, true, false) }
func rpushCmd(c *Ctx)  { pushGeneric(c, false, false) }
func lpushxCmd(c *Ctx) { pushGeneric(c, true, true) }
func rpushxCmd(c *Ctx) { pushGeneric(c, false, true) }

// pushGeneric implements [LR]PUSH[X]: every element is pushed in argument
// order at the chosen end, the new length is the reply. The X forms do
// nothing (reply 0) when the key is missing; the others create the list.
func pushGeneric(c *Ctx, front, onlyExisting bool) {
	if listTooLarge(c, 2) {
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	var l *keyspace.List
	if o == nil {
		if onlyExisting {
			c.W.Int(0)
			return
		}
		l = newListKey(c, key)
	} else {
		l = o.Val.(*keyspace.List)
	}
	for _, v := range c.Args[2:] {
		if front {
			l.PushFront(v)
		} else {
			l.PushBack(v)
		}
	}
	c.W.Int(int64(l.Len()))
	listDirty(c, key, len(c.Args)-2)
	if front {
		c.Notify(NotifyList, "lpush", key)
	} else {
		c.Notify(NotifyList, "rpush", key)
	}
}

func lpopCmd(c *Ctx) { popGeneric(c, true) }
func rpopCmd(c *Ctx) { popGeneric(c, false) }

// popGeneric implements LPOP/RPOP key [count]. Without a count the reply
// is one bulk (nil when the key is missing); with one it is an array of up
// to count elements taken from that end, nil when the key is missing and
// empty for a count of 0. The count must be a non-negative integer.
func popGeneric(c *Ctx, front bool) {
	if len(c.Args) > 3 {
		c.ArityError()
		return
	}
	withCount := len(c.Args) == 3
	var count int64
	if withCount {
		n, ok := keyspace.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(ErrNotIntOrNeg)
			return
		}
		count = n
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		if withCount {
			c.W.NullArray()
		} else {
			c.W.NullBulk()
		}
		return
	}
	l := o.Val.(*keyspace.List)
	if withCount && count == 0 {
		c.W.Array(0)
		return
	}
	n := 1
	if !withCount {
		c.W.Bulk(listPop(l, front))
	} else {
		n = int(min(count, int64(l.Len())))
		listReplyEnd(c, l, front, n)
	}
	listPopped(c, key, l, front, n)
}

// listPop removes one element from the chosen end.
func listPop(l *keyspace.List, front bool) []byte {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

// listReplyEnd replies with the n elements at one end of l, in the order
// they would be popped one by one, and removes them.
func listReplyEnd(c *Ctx, l *keyspace.List, front bool, n int) {
	c.W.Array(n)
	if front {
		l.Each(0, n-1, c.W.Bulk)
		l.DelFront(n)
	} else {
		l.EachRev(l.Len()-n, l.Len()-1, c.W.Bulk)
		l.DelBack(n)
	}
}

// listPopped does what follows the removal of n elements from one end of
// the list at key: the lpop/rpop event, deletion of an emptied key and
// the change count.
func listPopped(c *Ctx, key string, l *keyspace.List, front bool, n int) {
	if front {
		c.Notify(NotifyList, "lpop", key)
	} else {
		c.Notify(NotifyList, "rpop", key)
	}
	listDropIfEmpty(c, key, l)
	listDirty(c, key, n)
}

// LLEN key: the length, 0 for a missing key.
func llenCmd(c *Ctx) {
	o, ok := c.Lookup(c.Key(1), keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(o.Val.(*keyspace.List).Len()))
}

// LINDEX key index: negative indexes count from the tail; out of range
// (or a missing key, checked before the index is parsed) gives nil.
func lindexCmd(c *Ctx) {
	o, ok := c.Lookup(c.Key(1), keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.NullBulk()
		return
	}
	idx, ok := c.Int(2)
	if !ok {
		return
	}
	l := o.Val.(*keyspace.List)
	if idx < 0 {
		idx += int64(l.Len())
	}
	if idx < 0 || idx >= int64(l.Len()) {
		c.W.NullBulk()
		return
	}
	c.W.Bulk(l.Index(int(idx)))
}

// LSET key index element: the key must exist ("no such key") and the
// index be inside the list ("index out of range").
func lsetCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	idx, ok := c.Int(2)
	if !ok || listTooLarge(c, 3) {
		return
	}
	l := o.Val.(*keyspace.List)
	if idx < 0 {
		idx += int64(l.Len())
	}
	if idx < 0 || idx >= int64(l.Len()) {
		c.Error(ErrIndexRange)
		return
	}
	l.Set(int(idx), c.Args[3])
	c.W.OK()
	c.Modified(key)
	c.Notify(NotifyList, "lset", key)
}

// listRange clamps a start/end pair (negative values count from the tail)
// to a list of length n. ok is false when the range is empty: start past
// end or past the last element.
func listRange(start, end, n int64) (s, e int64, ok bool) {
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		return 0, 0, false
	}
	if end >= n {
		end = n - 1
	}
	return start, end, true
}

// LRANGE key start stop: both indexes are parsed before the key is looked
// up; a missing key or an empty range gives an empty array.
func lrangeCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	o, ok := c.Lookup(c.Key(1), keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.Array(0)
		return
	}
	l := o.Val.(*keyspace.List)
	s, e, ok := listRange(start, end, int64(l.Len()))
	if !ok {
		c.W.Array(0)
		return
	}
	c.W.Array(int(e - s + 1))
	l.Each(int(s), int(e), c.W.Bulk)
}

// LTRIM key start stop keeps only the given range (nothing when it is
// empty). It replies OK even for a missing key. The ltrim event fires and
// watchers are told even when nothing was cut, but only cut elements
// count as changes.
func ltrimCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TList)
	if !ok {
		return
	}
	if o == nil {
		c.W.OK()
		return
	}
	l := o.Val.(*keyspace.List)
	n := int64(l.Len())
	left, right := n, int64(0)
	if s, e, ok := listRange(start, end, n); ok {
		left, right = s, n-e-1
	}
	l.DelFront(int(left))
	l.DelBack(int(right))
	c.Notify(NotifyList, "ltrim", key)
	listDropIfEmpty(c, key, l)
	if cut := int(left + right); cut > 0 {
		listDirty(c, key, cut)
	} else {
		listTouch(c, key)
	}
	c.W.OK()
}
