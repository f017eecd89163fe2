package commands

import (
	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	rwBlock := []string{"@write", "@list", "@slow", "@blocking"}
	mpopCx := "O(N+M) where N is the number of provided keys and M is the number of elements returned."
	Register(
		&Command{Name: "lmpop", Arity: -4, Flags: Write, Keys: mpopKeys(1), Proc: lmpopCmd,
			Group: "list", Since: "7.0.0", Summary: "Pop elements from a list", Complexity: mpopCx,
			ACL: []string{"@write", "@list", "@slow"}},
		&Command{Name: "blmpop", Arity: -5, Flags: Write | Blocking, Keys: mpopKeys(2), Proc: blmpopCmd,
			Group: "list", Since: "7.0.0", Summary: "Pop elements from a list, or block until one is available", Complexity: mpopCx, ACL: rwBlock},
		&Command{Name: "blpop", Arity: -3, Flags: Write | NoScript | Blocking, FirstKey: 1, LastKey: -2, Step: 1, Proc: blpopCmd,
			Group: "list", Since: "2.0.0", Summary: "Remove and get the first element in a list, or block until one is available",
			Complexity: "O(N) where N is the number of provided keys.", ACL: rwBlock},
		&Command{Name: "brpop", Arity: -3, Flags: Write | NoScript | Blocking, FirstKey: 1, LastKey: -2, Step: 1, Proc: brpopCmd,
			Group: "list", Since: "2.0.0", Summary: "Remove and get the last element in a list, or block until one is available",
			Complexity: "O(N) where N is the number of provided keys.", ACL: rwBlock},
		&Command{Name: "blmove", Arity: 6, Flags: Write | DenyOOM | NoScript | Blocking, FirstKey: 1, LastKey: 2, Step: 1, Proc: blmoveCmd,
			Group: "list", Since: "6.2.0", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
			Complexity: "O(1)", ACL: rwBlock},
		&Command{Name: "brpoplpush", Arity: 4, Flags: Write | DenyOOM | NoScript | Blocking, FirstKey: 1, LastKey: 2, Step: 1, Proc: brpoplpushCmd,
			Group: "list", Since: "2.2.0", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
			Complexity: "O(1)", ACL: rwBlock},
	)
}

// Names used when blocking pops are propagated as plain ones.
var (
	listLPOP      = []byte("LPOP")
	listRPOP      = []byte("RPOP")
	listLMOVE     = []byte("LMOVE")
	listRPOPLPUSH = []byte("RPOPLPUSH")
)

// listTimedOut is the reply of a blocking list command whose timeout
// passed: a null array, for the element-moving commands too.
func listTimedOut(w *resp.Writer) { w.NullArray() }

// mpopKeys locates the keys of [B]LMPOP, whose count sits at numIdx.
func mpopKeys(numIdx int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		if numIdx >= len(args) {
			return nil
		}
		n, ok := keyspace.ParseInt(args[numIdx])
		if !ok || n < 1 || n > int64(len(args)-numIdx-1) {
			return nil
		}
		out := make([]int, n)
		for i := range out {
			out[i] = numIdx + 1 + i
		}
		return out
	}
}

// listServe pops from the first key in keys holding a non-empty list and
// replies; it reports whether it replied (an error counts). With count
// < 0 it pops one element and replies [key, element] (BLPOP/BRPOP),
// propagated as LPOP/RPOP key; otherwise up to count elements, replying
// [key, [elements]] and propagating LPOP/RPOP key <number popped>. A key
// of another type is an error when reached, except when the command is
// re-run for a blocked client: then it is passed over, as Redis only
// looks at the key that became ready.
func listServe(c *Ctx, keys [][]byte, front bool, count int64) bool {
	name := listRPOP
	if front {
		name = listLPOP
	}
	for _, k := range keys {
		key := B2S(k)
		o := c.DB.LookupWrite(key)
		if o == nil {
			continue
		}
		if o.Type != keyspace.TList {
			if c.Reprocessing {
				continue
			}
			c.WrongType()
			return true
		}
		l := o.Val.(*keyspace.List)
		if l.Len() == 0 {
			continue
		}
		if count < 0 {
			v := listPop(l, front)
			c.W.Array(2)
			c.W.Bulk(k)
			c.W.Bulk(v)
			listPopped(c, key, l, front, 1)
			c.Rewrite(name, k)
			return true
		}
		n := int(min(count, int64(l.Len())))
		c.W.Array(2)
		c.W.Bulk(k)
		listReplyEnd(c, l, front, n)
		listPopped(c, key, l, front, n)
		c.Rewrite(name, k, keyspace.FormatInt(int64(n)))
		return true
	}
	return false
}

func blpopCmd(c *Ctx) { bpopGeneric(c, true) }
func brpopCmd(c *Ctx) { bpopGeneric(c, false) }

// bpopGeneric implements BLPOP/BRPOP key [key ...] timeout: the timeout is
// checked first; then the first non-empty list in argument order is
// popped, or the client blocks on all the keys. Timing out (or having
// nothing inside MULTI) gives a null array.
func bpopGeneric(c *Ctx, front bool) {
	last := len(c.Args) - 1
	deadline, ok := c.Timeout(last)
	if !ok {
		return
	}
	keys := c.Args[1:last]
	if listServe(c, keys, front, -1) {
		return
	}
	c.BlockOrTimeout(keys, deadline, listTimedOut)
}

// mpopArgs parses the numkeys, LEFT|RIGHT and optional COUNT of [B]LMPOP
// (numkeys at numIdx). COUNT may be given once and defaults to 1.
func mpopArgs(c *Ctx, numIdx int) (keys [][]byte, front bool, count int64, ok bool) {
	n, ok := keyspace.ParseInt(c.Args[numIdx])
	if !ok || n < 1 {
		c.Error(ErrListNumkeys)
		return nil, false, 0, false
	}
	if n > int64(len(c.Args)-numIdx-2) {
		c.SyntaxError()
		return nil, false, 0, false
	}
	whereIdx := numIdx + 1 + int(n)
	if front, ok = listWhere(c, whereIdx); !ok {
		return nil, false, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(c.Args); j++ {
		if count != -1 || j == len(c.Args)-1 || !Is(c.Args[j], "count") {
			c.SyntaxError()
			return nil, false, 0, false
		}
		j++
		v, vok := keyspace.ParseInt(c.Args[j])
		if !vok || v < 1 {
			c.Error(ErrListMpopCount)
			return nil, false, 0, false
		}
		count = v
	}
	if count == -1 {
		count = 1
	}
	return c.Args[numIdx+1 : whereIdx], front, count, true
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops up to count
// elements from the first non-empty list; null array when all are empty.
func lmpopCmd(c *Ctx) {
	keys, front, count, ok := mpopArgs(c, 1)
	if !ok {
		return
	}
	if !listServe(c, keys, front, count) {
		c.W.NullArray()
	}
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: LMPOP
// that blocks when every list is empty. The timeout is checked after the
// other arguments.
func blmpopCmd(c *Ctx) {
	keys, front, count, ok := mpopArgs(c, 2)
	if !ok {
		return
	}
	deadline, ok := c.Timeout(1)
	if !ok {
		return
	}
	if listServe(c, keys, front, count) {
		return
	}
	c.BlockOrTimeout(keys, deadline, listTimedOut)
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, propagated as
// LMOVE with the same arguments.
func blmoveCmd(c *Ctx) {
	from, ok := listWhere(c, 3)
	if !ok {
		return
	}
	to, ok := listWhere(c, 4)
	if !ok {
		return
	}
	deadline, ok := c.Timeout(5)
	if !ok {
		return
	}
	blmoveGeneric(c, from, to, deadline, [][]byte{listLMOVE, c.Args[1], c.Args[2], c.Args[3], c.Args[4]})
}

// BRPOPLPUSH source destination timeout, propagated as RPOPLPUSH.
func brpoplpushCmd(c *Ctx) {
	deadline, ok := c.Timeout(3)
	if !ok {
		return
	}
	blmoveGeneric(c, false, true, deadline, [][]byte{listRPOPLPUSH, c.Args[1], c.Args[2]})
}

// blmoveGeneric moves an element at once when the source list exists, and
// otherwise blocks on the source alone. Inside MULTI, where nothing may
// block, a missing source gives a null bulk right away; a timeout later
// gives a null array.
func blmoveGeneric(c *Ctx, from, to bool, deadline int64, rewrite [][]byte) {
	o := c.DB.LookupWrite(c.Key(1))
	if o != nil && o.Type != keyspace.TList {
		if !c.Reprocessing {
			c.WrongType()
			return
		}
		o = nil
	}
	if o == nil {
		if c.InMulti {
			c.W.NullBulk()
			return
		}
		c.BlockOrTimeout(c.Args[1:2], deadline, listTimedOut)
		return
	}
	lmoveGeneric(c, from, to, rewrite)
}
