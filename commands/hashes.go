package commands

import (
	"math"
	"strconv"

	"redoubt/internal/keyspace"
)

func init() {
	rw := []string{"@write", "@hash", "@fast"}
	ro := []string{"@read", "@hash", "@fast"}
	roSlow := []string{"@read", "@hash", "@slow"}
	order := []string{"nondeterministic_output_order"}
	Register(
		&Command{Name: "hset", Arity: -4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hsetCmd,
			Group: "hash", Since: "2.0.0", Summary: "Set the string value of a hash field",
			Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.", ACL: rw},
		&Command{Name: "hsetnx", Arity: 4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hsetnxCmd,
			Group: "hash", Since: "2.0.0", Summary: "Set the value of a hash field, only if the field does not exist", Complexity: "O(1)", ACL: rw},
		&Command{Name: "hmset", Arity: -4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hsetCmd,
			Group: "hash", Since: "2.0.0", Summary: "Set multiple hash fields to multiple values",
			Complexity: "O(N) where N is the number of fields being set.", ACL: rw},
		&Command{Name: "hget", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hgetCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get the value of a hash field", Complexity: "O(1)", ACL: ro},
		&Command{Name: "hmget", Arity: -3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hmgetCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get the values of all the given hash fields",
			Complexity: "O(N) where N is the number of fields being requested.", ACL: ro},
		&Command{Name: "hdel", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hdelCmd,
			Group: "hash", Since: "2.0.0", Summary: "Delete one or more hash fields",
			Complexity: "O(N) where N is the number of fields to be removed.", ACL: rw},
		&Command{Name: "hlen", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hlenCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get the number of fields in a hash", Complexity: "O(1)", ACL: ro},
		&Command{Name: "hstrlen", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hstrlenCmd,
			Group: "hash", Since: "3.2.0", Summary: "Get the length of the value of a hash field", Complexity: "O(1)", ACL: ro},
		&Command{Name: "hexists", Arity: 3, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hexistsCmd,
			Group: "hash", Since: "2.0.0", Summary: "Determine if a hash field exists", Complexity: "O(1)", ACL: ro},
		&Command{Name: "hkeys", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: hkeysCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get all the fields in a hash",
			Complexity: "O(N) where N is the size of the hash.", ACL: roSlow, Tips: order},
		&Command{Name: "hvals", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: hvalsCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get all the values in a hash",
			Complexity: "O(N) where N is the size of the hash.", ACL: roSlow, Tips: order},
		&Command{Name: "hgetall", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: hgetallCmd,
			Group: "hash", Since: "2.0.0", Summary: "Get all the fields and values in a hash",
			Complexity: "O(N) where N is the size of the hash.", ACL: roSlow, Tips: order},
		&Command{Name: "hincrby", Arity: 4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hincrbyCmd,
			Group: "hash", Since: "2.0.0", Summary: "Increment the integer value of a hash field by the given number", Complexity: "O(1)", ACL: rw},
		&Command{Name: "hincrbyfloat", Arity: 4, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: hincrbyfloatCmd,
			Group: "hash", Since: "2.6.0", Summary: "Increment the float value of a hash field by the given amount", Complexity: "O(1)", ACL: rw},
		&Command{Name: "hrandfield", Arity: -2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: hrandfieldCmd,
			Group: "hash", Since: "6.2.0", Summary: "Get one or multiple random fields from a hash",
			Complexity: "O(N) where N is the number of fields returned", ACL: roSlow, Tips: []string{"nondeterministic_output"}},
		&Command{Name: "hscan", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: hscanCmd,
			Group: "hash", Since: "2.8.0", Summary: "Incrementally iterate hash fields and associated values",
			ACL: roSlow, Tips: []string{"nondeterministic_output"},
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."},
	)
}

// hsetLiteral is the command name HINCRBYFLOAT is propagated as.
var hsetLiteral = []byte("HSET")

// readHash finds key for reading. ok is false after a WRONGTYPE reply;
// h is nil when the key is missing.
func readHash(c *Ctx, key string) (h *keyspace.Hash, ok bool) {
	o, ok := c.Lookup(key, keyspace.THash)
	if !ok || o == nil {
		return nil, ok
	}
	return o.Val.(*keyspace.Hash), true
}

// writeHash finds key for modification, creating an empty hash when it
// is missing (the caller is about to add to it).
func writeHash(c *Ctx, key string) (*keyspace.Hash, bool) {
	o, ok := c.LookupWrite(key, keyspace.THash)
	if !ok {
		return nil, false
	}
	if o == nil {
		h := keyspace.NewHash()
		c.DB.Add(key, keyspace.Object{Type: keyspace.THash, Val: h})
		return h, true
	}
	return o.Val.(*keyspace.Hash), true
}

// HSET key field value [field value ...] and HMSET: the pairs must come
// complete, otherwise it is an arity error. HSET answers how many fields
// were new, HMSET answers OK.
func hsetCmd(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.ArityError()
		return
	}
	key := c.Key(1)
	h, ok := writeHash(c, key)
	if !ok {
		return
	}
	// Any oversized field or value converts the hash before the writes.
	if h.NeedsConversion(c.Args[2:], c.Set.HashMaxListpackValue) {
		h.ConvertToTable()
	}
	created := 0
	for i := 2; i < len(c.Args); i += 2 {
		if h.Set(c.Args[i], c.Args[i+1], c.Set.HashMaxListpackEntries, c.Set.HashMaxListpackValue) {
			created++
		}
	}
	c.Modified(key)
	c.Dirty += (len(c.Args)-2)/2 - 1
	c.Notify(NotifyHash, "hset", key)
	if c.Cmd.Name == "hmset" {
		c.W.OK()
		return
	}
	c.W.Int(int64(created))
}

// HSETNX key field value: sets the field only when it is absent.
func hsetnxCmd(c *Ctx) {
	key := c.Key(1)
	h, ok := writeHash(c, key)
	if !ok {
		return
	}
	if h.Has(c.Args[2]) {
		c.W.Int(0)
		return
	}
	h.Set(c.Args[2], c.Args[3], c.Set.HashMaxListpackEntries, c.Set.HashMaxListpackValue)
	c.Modified(key)
	c.Notify(NotifyHash, "hset", key)
	c.W.Int(1)
}

// HGET key field: the value, or nil.
func hgetCmd(c *Ctx) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.Get(c.Args[2]); found {
			c.W.Bulk(v)
			return
		}
	}
	c.W.NullBulk()
}

// HMGET key field [field ...]: one value or nil per field; a missing key
// answers nils.
func hmgetCmd(c *Ctx) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.NullBulk()
	}
}

// HDEL key field [field ...]: how many fields went away. The key goes too
// once its last field does.
func hdelCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.THash)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	h := o.Val.(*keyspace.Hash)
	removeEach(c, key, h.Delete, h.Len, NotifyHash, "hdel")
}

// HLEN key: the number of fields (0 for a missing key).
func hlenCmd(c *Ctx) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	if h == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(h.Len()))
}

// HSTRLEN key field: the length of the value (0 when missing).
func hstrlenCmd(c *Ctx) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		if v, found := h.Get(c.Args[2]); found {
			n = len(v)
		}
	}
	c.W.Int(int64(n))
}

// HEXISTS key field: 1 or 0.
func hexistsCmd(c *Ctx) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	if h != nil && h.Has(c.Args[2]) {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// What hashGetAll lists.
const (
	hashFields = 1 << iota
	hashValues
)

// HKEYS, HVALS and HGETALL list the hash in its own order. HGETALL is a
// map (so RESP3 clients see one, even for a missing key); the others are
// flat arrays.
func hashGetAll(c *Ctx, what int) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashFields|hashValues {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	w := c.W
	h.Range(func(f, v []byte) bool {
		if what&hashFields != 0 {
			w.Bulk(f)
		}
		if what&hashValues != 0 {
			w.Bulk(v)
		}
		return true
	})
}

func hkeysCmd(c *Ctx)   { hashGetAll(c, hashFields) }
func hvalsCmd(c *Ctx)   { hashGetAll(c, hashValues) }
func hgetallCmd(c *Ctx) { hashGetAll(c, hashFields|hashValues) }

// HINCRBY key field increment: the field (0 when absent) must hold a
// canonical integer and the sum must fit in 64 bits.
func hincrbyCmd(c *Ctx) {
	incr, ok := c.Int(3)
	if !ok {
		return
	}
	key := c.Key(1)
	h, ok := writeHash(c, key)
	if !ok {
		return
	}
	var cur int64
	if v, found := h.Get(c.Args[2]); found {
		n, isInt := keyspace.ParseInt(v)
		if !isInt {
			c.Error(ErrHashNotInt)
			return
		}
		cur = n
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) ||
		(incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(ErrOverflow)
		return
	}
	cur += incr
	var tmp [24]byte
	h.Set(c.Args[2], strconv.AppendInt(tmp[:0], cur, 10), c.Set.HashMaxListpackEntries, c.Set.HashMaxListpackValue)
	c.Modified(key)
	c.Notify(NotifyHash, "hincrby", key)
	c.W.Int(cur)
}

// HINCRBYFLOAT key field increment: long double arithmetic, the result
// printed with 17 decimals and trailing zeros dropped. An infinite or NaN
// increment is refused before anything else is looked at; replicas get
// the result as an HSET so they never redo the float arithmetic.
func hincrbyfloatCmd(c *Ctx) {
	incr, ok := hsParseLD(c.Args[3])
	if !ok {
		c.Error(ErrNotFloat)
		return
	}
	if incr.inf != 0 {
		c.Error(ErrHSValueNaNInf)
		return
	}
	key := c.Key(1)
	h, ok := writeHash(c, key)
	if !ok {
		return
	}
	cur := hsLD{isInt: true}
	if v, found := h.Get(c.Args[2]); found {
		if cur, ok = hsParseLD(v); !ok {
			c.Error(ErrHashNotFloat)
			return
		}
	}
	res, ok := hsAddLD(cur, incr)
	if !ok {
		c.Error(ErrIncrFloatNaN)
		return
	}
	h.Set(c.Args[2], res, c.Set.HashMaxListpackEntries, c.Set.HashMaxListpackValue)
	c.Modified(key)
	c.Notify(NotifyHash, "hincrbyfloat", key)
	c.W.Bulk(res)
	c.Rewrite(hsetLiteral, c.Args[1], c.Args[2], res)
}
