package commands

import (
	"math"

	"redoubt/internal/keyspace"
)

// Generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME,
// RENAMENX, MOVE and COPY.

func init() {
	keyACL := func(extra ...string) []string { return append([]string{"@keyspace"}, extra...) }
	multiShard := []string{"request_policy:multi_shard", "response_policy:agg_sum"}
	Register(
		&Command{Name: "del", Arity: -2, Flags: Write, FirstKey: 1, LastKey: -1, Step: 1, Proc: delCmd,
			Group: "generic", Since: "1.0.0", Summary: "Delete a key",
			Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
			ACL:        keyACL("@write", "@slow"), Tips: multiShard},
		&Command{Name: "unlink", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: -1, Step: 1, Proc: delCmd,
			Group: "generic", Since: "4.0.0", Summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
			Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
			ACL:        keyACL("@write", "@fast"), Tips: multiShard},
		&Command{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Proc: existsCmd,
			Group: "generic", Since: "1.0.0", Summary: "Determine if a key exists", Complexity: "O(N) where N is the number of keys to check.",
			ACL: keyACL("@read", "@fast"), Tips: multiShard},
		&Command{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Proc: touchCmd,
			Group: "generic", Since: "3.2.1", Summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
			Complexity: "O(N) where N is the number of keys that will be touched.", ACL: keyACL("@read", "@fast"), Tips: multiShard},
		&Command{Name: "type", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: typeCmd,
			Group: "generic", Since: "1.0.0", Summary: "Determine the type stored at key", Complexity: "O(1)", ACL: keyACL("@read", "@fast")},
		&Command{Name: "rename", Arity: 3, Flags: Write, FirstKey: 1, LastKey: 2, Step: 1, Proc: renameCmd,
			Group: "generic", Since: "1.0.0", Summary: "Rename a key", Complexity: "O(1)", ACL: keyACL("@write", "@slow")},
		&Command{Name: "renamenx", Arity: 3, Flags: Write | Fast, FirstKey: 1, LastKey: 2, Step: 1, Proc: renamenxCmd,
			Group: "generic", Since: "1.0.0", Summary: "Rename a key, only if the new key does not exist", Complexity: "O(1)", ACL: keyACL("@write", "@fast")},
		&Command{Name: "move", Arity: 3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: moveCmd,
			Group: "generic", Since: "1.0.0", Summary: "Move a key to another database", Complexity: "O(1)", ACL: keyACL("@write", "@fast")},
		&Command{Name: "copy", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Proc: copyCmd,
			Group: "generic", Since: "6.2.0", Summary: "Copy a key",
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			ACL:        keyACL("@write", "@slow")},
	)
}

// DEL/UNLINK key [key ...]: each key is first subjected to lazy expiry
// (an expired key counts as missing), then removed; the reply counts the
// keys actually removed. Freeing is Go's business, so both are the same.
func delCmd(c *Ctx) {
	n := int64(0)
	for i := 1; i < len(c.Args); i++ {
		key := c.Key(i)
		if c.DB.IsExpired(key) {
			c.DB.LookupNoTouch(key)
		}
		if c.DB.Delete(key) {
			c.Modified(key)
			c.Notify(NotifyGeneric, "del", key)
			n++
		}
	}
	c.W.Int(n)
}

// EXISTS key [key ...]: how many of the arguments exist, a key repeated
// being counted each time. It does not refresh the access clock.
func existsCmd(c *Ctx) {
	n := int64(0)
	for i := 1; i < len(c.Args); i++ {
		if c.DB.LookupNoTouch(c.Key(i)) != nil {
			n++
		}
	}
	c.W.Int(n)
}

// TOUCH key [key ...]: like EXISTS, but each found key counts as accessed.
func touchCmd(c *Ctx) {
	n := int64(0)
	for i := 1; i < len(c.Args); i++ {
		if c.DB.Lookup(c.Key(i)) != nil {
			n++
		}
	}
	c.W.Int(n)
}

// TYPE key: the type name as a status reply, "none" when missing.
func typeCmd(c *Ctx) {
	o := c.DB.LookupNoTouch(c.Key(1))
	if o == nil {
		c.W.Simple("none")
		return
	}
	c.W.Simple(o.Type.Name())
}

func renameCmd(c *Ctx)   { renameGeneric(c, false) }
func renamenxCmd(c *Ctx) { renameGeneric(c, true) }

// RENAME/RENAMENX src dst. A missing source is an error even when both
// names are equal; equal names otherwise change nothing (RENAME says OK,
// RENAMENX 0). The value keeps its TTL and access data; an existing
// destination is overwritten by RENAME and left alone by RENAMENX.
func renameGeneric(c *Ctx, nx bool) {
	src, dst := c.Key(1), c.Key(2)
	o := c.DB.LookupWrite(src)
	if o == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	if src == dst {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return
	}
	val := *o
	when := c.DB.Expire(src)
	if c.DB.LookupWrite(dst) != nil {
		if nx {
			c.W.Int(0)
			return
		}
		c.DB.Delete(dst)
	}
	moveValue(c.DB, c.DB, src, dst, val, when)
	c.Modified(src)
	c.Modified(dst)
	c.Notify(NotifyGeneric, "rename_from", src)
	c.Notify(NotifyGeneric, "rename_to", dst)
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

// moveValue stores val under dst in to (with expiry when, -1 for none)
// and removes src from from; the object keeps its access clock.
func moveValue(from, to *keyspace.DB, src, dst string, val keyspace.Object, when int64) {
	p := to.Add(dst, val)
	p.LRU = val.LRU
	if when != -1 {
		to.SetExpire(dst, when)
	}
	from.Delete(src)
}

// dbArg parses argument i as a database index: it must be an integer, fit
// a C int and name an existing database.
func dbArg(c *Ctx, i int) (*keyspace.DB, bool) {
	n, ok := c.Int(i)
	if !ok {
		return nil, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.Error(ErrIntRange32)
		return nil, false
	}
	if n < 0 || n >= int64(len(c.KS.DBs)) {
		c.Error(ErrDBIndex)
		return nil, false
	}
	return c.KS.DBs[n], true
}

// modifiedIn is Modified for a key of any database.
func modifiedIn(c *Ctx, db *keyspace.DB, key string) {
	c.Dirty++
	if c.Env != nil {
		c.Env.Modified(db, key)
	}
}

// notifyIn is Notify for a key of any database.
func notifyIn(c *Ctx, db *keyspace.DB, class int, event, key string) {
	if c.Env != nil {
		c.Env.Notify(class, event, db, key)
	}
}

// MOVE key db: moves the key, with its TTL, to another database. The
// target must differ from the current one; the reply is 0 when the key is
// missing or the target already holds that name.
func moveCmd(c *Ctx) {
	dst, ok := dbArg(c, 2)
	if !ok {
		return
	}
	src := c.DB
	if dst == src {
		c.Error(ErrSameObject)
		return
	}
	key := c.Key(1)
	o := src.LookupWrite(key)
	if o == nil {
		c.W.Int(0)
		return
	}
	val := *o
	when := src.Expire(key)
	if dst.LookupWrite(key) != nil {
		c.W.Int(0)
		return
	}
	moveValue(src, dst, key, key, val, when)
	modifiedIn(c, src, key)
	modifiedIn(c, dst, key)
	notifyIn(c, src, NotifyGeneric, "move_from", key)
	notifyIn(c, dst, NotifyGeneric, "move_to", key)
	c.W.Int(1)
}

// COPY src dst [DB index] [REPLACE]: stores a deep copy of src, with its
// TTL, under dst (in another database with DB). Options are checked in
// order, the first bad one answering; copying a key onto itself in the
// same database is an error. The reply is 0 when src is missing or dst
// exists without REPLACE.
func copyCmd(c *Ctx) {
	dstDB := c.DB
	replace := false
	for j := 3; j < len(c.Args); j++ {
		switch {
		case Is(c.Args[j], "replace"):
			replace = true
		case Is(c.Args[j], "db") && j+1 < len(c.Args):
			db, ok := dbArg(c, j+1)
			if !ok {
				return
			}
			dstDB = db
			j++
		default:
			c.SyntaxError()
			return
		}
	}
	src, dst := c.Key(1), c.Key(2)
	if dstDB == c.DB && src == dst {
		c.Error(ErrSameObject)
		return
	}
	o := c.DB.Lookup(src)
	if o == nil {
		c.W.Int(0)
		return
	}
	val := *o
	when := c.DB.Expire(src)
	exists := dstDB.LookupWrite(dst) != nil
	if exists && !replace {
		c.W.Int(0)
		return
	}
	dup, ok := cloneObject(&val)
	if !ok {
		c.Error(ErrUnknownTypeObject)
		return
	}
	if exists {
		dstDB.Delete(dst)
	}
	dstDB.Add(dst, dup)
	if when != -1 {
		dstDB.SetExpire(dst, when)
	}
	modifiedIn(c, dstDB, dst)
	notifyIn(c, dstDB, NotifyGeneric, "copy_to", dst)
	c.W.Int(1)
}

// cloner is what every collection value type offers for COPY: an
// independent deep copy with the same encoding.
type cloner interface{ Clone() any }

// cloneObject deep-copies a value; strings keep their encoding flags.
func cloneObject(o *keyspace.Object) (keyspace.Object, bool) {
	n := keyspace.Object{Type: o.Type, Flags: o.Flags}
	if o.Type == keyspace.TString || o.Str != nil {
		n.Str = make([]byte, len(o.Str))
		copy(n.Str, o.Str)
	}
	if o.Val != nil {
		cl, ok := o.Val.(cloner)
		if !ok {
			return n, false
		}
		n.Val = cl.Clone()
	}
	return n, true
}
