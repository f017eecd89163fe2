package commands

import (
	"strconv"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// ZPOPMIN/ZPOPMAX, ZMPOP and the blocking BZPOPMIN/BZPOPMAX/BZMPOP. All of
// them reach replicas as "ZPOPMIN|ZPOPMAX key [count]".

var (
	zpopminName = []byte("ZPOPMIN")
	zpopmaxName = []byte("ZPOPMAX")
)

// zpopOpts shapes a pop reply:
//   - nested: each member is a [member, score] array (otherwise flat);
//   - emitKey: the key name leads the reply;
//   - nilWhenEmpty: nothing to pop answers nil instead of an empty array.
type zpopOpts struct {
	max, nested, emitKey, nilWhenEmpty bool
}

// zpop pops from the first existing key among keys: count members, or one
// for count -1. It writes the reply and returns the key popped from (nil
// if none) and how many members went.
func zpop(c *Ctx, keys [][]byte, count int64, opt zpopOpts) ([]byte, int) {
	var o *keyspace.Object
	var key []byte
	for _, k := range keys {
		if o = c.DB.LookupWrite(B2S(k)); o == nil {
			continue
		}
		if o.Type != keyspace.TZSet {
			c.WrongType()
			return nil, 0
		}
		key = k
		break
	}
	if o == nil {
		if opt.nilWhenEmpty {
			c.W.NullArray()
		} else {
			c.W.Array(0)
		}
		return nil, 0
	}
	if count == 0 {
		c.W.Array(0)
		return nil, 0
	}
	if count < 0 {
		count = 1
	}
	z := zsetOf(o)
	n := z.Len()
	if int64(n) > count {
		n = int(count)
	}
	switch {
	case !opt.nested && !opt.emitKey:
		c.W.Array(2 * n)
	case opt.nested && !opt.emitKey:
		c.W.Array(n)
	case !opt.nested:
		c.W.Array(2*n + 1)
		c.W.Bulk(key)
	default:
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(n)
	}
	for i := 0; i < n; i++ {
		e := z.Pop(opt.max)
		if opt.nested {
			c.W.Array(2)
		}
		c.W.BulkString(e.Member)
		c.W.Double(e.Score)
	}
	skey := B2S(key)
	if opt.max {
		c.Notify(NotifyZSet, "zpopmax", skey)
	} else {
		c.Notify(NotifyZSet, "zpopmin", skey)
	}
	c.Modified(skey)
	c.Dirty += n - 1
	if z.Len() == 0 {
		c.DB.Delete(skey)
		c.Notify(NotifyGeneric, "del", skey)
	}
	return key, n
}

// zpopRewrite propagates a pop as ZPOPMIN/ZPOPMAX key [count].
func zpopRewrite(c *Ctx, max bool, key []byte, count int) {
	name := zpopminName
	if max {
		name = zpopmaxName
	}
	k := append([]byte(nil), key...)
	if count < 0 {
		c.Rewrite(name, k)
		return
	}
	c.Rewrite(name, k, strconv.AppendInt(nil, int64(count), 10))
}

func zpopminCmd(c *Ctx) { zpopMinMax(c, false) }
func zpopmaxCmd(c *Ctx) { zpopMinMax(c, true) }

// ZPOPMIN/ZPOPMAX key [count]. With a count RESP3 nests each pair.
func zpopMinMax(c *Ctx, max bool) {
	if len(c.Args) > 3 {
		c.SyntaxError()
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		n, ok := keyspace.ParseInt(c.Args[2])
		if !ok || n < 0 {
			c.Error(ErrNotIntOrNeg)
			return
		}
		count = n
	}
	zpop(c, c.Args[1:2], count, zpopOpts{max: max, nested: c.W.Proto == 3 && count != -1})
}

// zmpopArgs parses "numkeys key... MIN|MAX [COUNT n]" from numIdx on.
func zmpopArgs(c *Ctx, numIdx int) (keys [][]byte, max bool, count int64, ok bool) {
	numkeys, ok := keyspace.ParseInt(c.Args[numIdx])
	if !ok || numkeys < 1 {
		c.Error(ErrZNumkeysPositive)
		return nil, false, 0, false
	}
	whereIdx := numIdx + 1
	if numkeys >= int64(len(c.Args)-whereIdx) {
		c.SyntaxError()
		return nil, false, 0, false
	}
	whereIdx += int(numkeys)
	switch w := c.Args[whereIdx]; {
	case Is(w, "min"):
	case Is(w, "max"):
		max = true
	default:
		c.SyntaxError()
		return nil, false, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(c.Args); j++ {
		if count == -1 && Is(c.Args[j], "count") && j+1 < len(c.Args) {
			j++
			n, ok := keyspace.ParseInt(c.Args[j])
			if !ok || n < 1 {
				c.Error(ErrZCountPositive)
				return nil, false, 0, false
			}
			count = n
			continue
		}
		c.SyntaxError()
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Args[numIdx+1 : whereIdx], max, count, true
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
func zmpopCmd(c *Ctx) {
	keys, max, count, ok := zmpopArgs(c, 1)
	if !ok {
		return
	}
	if key, n := zpop(c, keys, count, zpopOpts{max: max, nested: true, emitKey: true, nilWhenEmpty: true}); key != nil {
		zpopRewrite(c, max, key, n)
	}
}

func bzpopminCmd(c *Ctx) { bzpopGeneric(c, false) }
func bzpopmaxCmd(c *Ctx) { bzpopGeneric(c, true) }

// BZPOPMIN/BZPOPMAX key [key ...] timeout: the timeout is checked first.
func bzpopGeneric(c *Ctx, max bool) {
	deadline, ok := c.Timeout(len(c.Args) - 1)
	if !ok {
		return
	}
	zblockingPop(c, c.Args[1:len(c.Args)-1], deadline, -1, zpopOpts{max: max, emitKey: true})
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: here the
// timeout is checked after the other arguments.
func bzmpopCmd(c *Ctx) {
	keys, max, count, ok := zmpopArgs(c, 2)
	if !ok {
		return
	}
	deadline, ok := c.Timeout(1)
	if !ok {
		return
	}
	zblockingPop(c, keys, deadline, count, zpopOpts{max: max, nested: true, emitKey: true, nilWhenEmpty: true})
}

// zblockingPop serves a blocking pop from the first non-empty key, or
// parks the client (inside MULTI it answers nil at once). When the command
// runs again because a key became ready, keys that now hold another type
// are skipped rather than failing: the client keeps waiting.
func zblockingPop(c *Ctx, keys [][]byte, deadline int64, count int64, opt zpopOpts) {
	for i, k := range keys {
		o := c.DB.LookupWrite(B2S(k))
		if o == nil {
			continue
		}
		if o.Type != keyspace.TZSet {
			if c.Reprocessing {
				continue
			}
			c.WrongType()
			return
		}
		if zsetOf(o).Len() == 0 {
			continue
		}
		_, n := zpop(c, keys[i:i+1], count, opt)
		if count < 0 {
			n = -1
		}
		zpopRewrite(c, opt.max, k, n)
		return
	}
	c.BlockOrTimeout(keys, deadline, zpopTimeout)
}

func zpopTimeout(w *resp.Writer) { w.NullArray() }
