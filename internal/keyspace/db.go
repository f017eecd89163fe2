package keyspace

import (
	"redoubt/internal/dict"
)

// Hooks let the server observe what the keyspace does on its own.
type Hooks struct {
	// Expired runs after a key was deleted because its TTL passed, by a
	// lookup or by the active cycle; the server propagates a DEL for it.
	Expired func(db *DB, key string)
	// Ready runs when a list, sorted set or stream key is created, so
	// clients blocked on it can be served.
	Ready func(db *DB, key string)
	// Deleted runs whenever a key leaves a table (for any reason), so the
	// snapshot producer or other observers can react. Optional.
	Deleted func(db *DB, key string)
	// Added runs when a new key enters a table (the "new" keyspace event).
	Added func(db *DB, key string)
	// Flushing runs just before a database is emptied (FLUSHDB,
	// FLUSHALL), while its keys can still be inspected.
	Flushing func(db *DB)
	// Swapped runs after two databases exchanged contents (SWAPDB).
	Swapped func(a, b *DB)
	// BeforeWrite runs just before key changes in any way (modified in
	// place after LookupWrite, overwritten, deleted, its TTL set or
	// removed); o is its current value, nil when the key is being
	// created. A point-in-time snapshot uses it to save the old value.
	BeforeWrite func(db *DB, key string, o *Object)
	// BeforeWriteAll runs before the whole database changes at once
	// (FLUSHDB/FLUSHALL, SWAPDB).
	BeforeWriteAll func(db *DB)
}

// Keyspace is the set of numbered databases.
type Keyspace struct {
	DBs   []*DB
	Hooks Hooks
	// NowMs is the time the running command sees, in Unix milliseconds.
	// The server sets it before each command so a command sees one instant.
	NowMs int64
	// Replica is true while this node follows a master: expired keys are
	// hidden from clients but only the master's DEL removes them.
	Replica bool
	// FromMaster is true while a command from the master link runs; such
	// commands see logically expired keys as still present.
	FromMaster bool
	// Loading is true while a dataset is being loaded: nothing expires.
	Loading bool
	// Evict holds the access-tracking settings (see lru.go).
	Evict EvictConfig
}

// DB is one numbered database.
type DB struct {
	ID      int
	ks      *Keyspace
	keys    *dict.Dict[Object]
	expires *dict.Dict[int64]
	// AvgTTL and ExpireCursor are kept by the active expiry cycle.
	AvgTTL       int64
	ExpireCursor uint64
}

// New makes a keyspace of n empty databases.
func New(n int) *Keyspace {
	ks := &Keyspace{}
	for i := 0; i < n; i++ {
		ks.DBs = append(ks.DBs, ks.newDB(i))
	}
	return ks
}

func (ks *Keyspace) newDB(id int) *DB {
	return &DB{ID: id, ks: ks, keys: dict.New[Object](0), expires: dict.New[int64](0)}
}

// Swap exchanges the contents of databases a and b (SWAPDB).
func (ks *Keyspace) Swap(a, b int) {
	da, db := ks.DBs[a], ks.DBs[b]
	if ks.Hooks.BeforeWriteAll != nil {
		ks.Hooks.BeforeWriteAll(da)
		ks.Hooks.BeforeWriteAll(db)
	}
	da.keys, db.keys = db.keys, da.keys
	da.expires, db.expires = db.expires, da.expires
	da.AvgTTL, db.AvgTTL = db.AvgTTL, da.AvgTTL
	da.ExpireCursor, db.ExpireCursor = 0, 0
	if ks.Hooks.Swapped != nil {
		ks.Hooks.Swapped(da, db)
	}
}

// Keyspace returns the keyspace the DB belongs to.
func (db *DB) Keyspace() *Keyspace { return db.ks }

// Len is the number of keys, including logically expired ones not yet
// removed (as DBSIZE counts them).
func (db *DB) Len() int { return db.keys.Len() }

// ExpiresLen is the number of keys with a TTL.
func (db *DB) ExpiresLen() int { return db.expires.Len() }

// expired reports whether key's TTL has passed at the command's instant.
func (db *DB) expired(key string) bool {
	if db.expires.Len() == 0 || db.ks.Loading {
		return false
	}
	when, ok := db.expires.Get(key)
	if !ok {
		return false
	}
	return db.ks.NowMs > when
}

// expireIfNeeded applies Redis's lazy expiry and reports whether the key
// must be treated as missing. A replica keeps the key (its master will
// delete it) unless force is set; commands from the master see it alive.
func (db *DB) expireIfNeeded(key string, force bool) bool {
	if !db.expired(key) {
		return false
	}
	if db.ks.Replica {
		if db.ks.FromMaster {
			return false
		}
		if !force {
			return true
		}
	}
	db.DeleteExpired(key)
	return true
}

// DeleteExpired removes an expired key and reports it through the hooks.
func (db *DB) DeleteExpired(key string) {
	owned := db.ownedKey(key)
	db.Delete(owned)
	if db.ks.Hooks.Expired != nil {
		db.ks.Hooks.Expired(db, owned)
	}
}

// ownedKey returns the table's own copy of key (which may be a view of a
// request buffer) so it survives the deletion for the hooks.
func (db *DB) ownedKey(key string) string {
	return string([]byte(key))
}

// Lookup finds a key for reading: expired keys are missing and the access
// clock is updated.
func (db *DB) Lookup(key string) *Object {
	o := db.keys.GetPtr(key)
	if o == nil {
		return nil
	}
	if db.expireIfNeeded(key, false) {
		return nil
	}
	db.ks.touch(o)
	return o
}

// LookupNoTouch finds a key for reading without updating its access clock
// (TYPE, TTL, OBJECT and EXISTS use this).
func (db *DB) LookupNoTouch(key string) *Object {
	o := db.keys.GetPtr(key)
	if o == nil {
		return nil
	}
	if db.expireIfNeeded(key, false) {
		return nil
	}
	return o
}

// LookupWrite finds a key a command is about to modify. On a writable
// replica an expired key is deleted first so writes behave consistently.
func (db *DB) LookupWrite(key string) *Object {
	o := db.keys.GetPtr(key)
	if o == nil {
		return nil
	}
	if db.expireIfNeeded(key, true) {
		return nil
	}
	if db.ks.Hooks.BeforeWrite != nil {
		db.ks.Hooks.BeforeWrite(db, key, o)
	}
	db.ks.touch(o)
	return o
}

// Peek returns the stored object without expiry checks or touching.
func (db *DB) Peek(key string) *Object { return db.keys.GetPtr(key) }

// Add stores a new key (the caller checked it is absent). key is copied.
func (db *DB) Add(key string, o Object) *Object {
	k := string([]byte(key))
	if db.ks.Hooks.BeforeWrite != nil {
		db.ks.Hooks.BeforeWrite(db, k, nil)
	}
	db.ks.initAccess(&o)
	db.keys.SetNew(k, o)
	if db.ks.Hooks.Added != nil {
		db.ks.Hooks.Added(db, k)
	}
	if (o.Type == TList || o.Type == TZSet || o.Type == TStream) && db.ks.Hooks.Ready != nil {
		db.ks.Hooks.Ready(db, k)
	}
	return db.keys.GetPtr(k)
}

// AddLoaded stores a key read from a dump, in one lookup: key is kept as
// given (the caller never modifies it), and with expireMs >= 0 the TTL
// entry shares it. It returns nil, storing nothing, when key exists.
func (db *DB) AddLoaded(key string, o Object, expireMs int64) *Object {
	if db.ks.Hooks.BeforeWrite != nil && db.keys.GetPtr(key) == nil {
		db.ks.Hooks.BeforeWrite(db, key, nil)
	}
	db.ks.initAccess(&o)
	p, ok := db.keys.Insert(key, o)
	if !ok {
		return nil
	}
	if expireMs >= 0 {
		db.expires.Set(key, expireMs)
	}
	if db.ks.Hooks.Added != nil {
		db.ks.Hooks.Added(db, key)
	}
	if (o.Type == TList || o.Type == TZSet || o.Type == TStream) && db.ks.Hooks.Ready != nil {
		db.ks.Hooks.Ready(db, key)
	}
	return p
}

// Reserve sizes an empty database's tables for keys keys, expires of
// them with a TTL (RESIZEDB).
func (db *DB) Reserve(keys, expires int) {
	db.keys.Reserve(keys)
	db.expires.Reserve(expires)
}

// Set stores o under key whether or not it exists. The key's TTL is
// cleared unless keepTTL is set.
func (db *DB) Set(key string, o Object, keepTTL bool) *Object {
	if p := db.keys.GetPtr(key); p != nil {
		if db.ks.Hooks.BeforeWrite != nil {
			db.ks.Hooks.BeforeWrite(db, key, p)
		}
		db.ks.initAccess(&o)
		*p = o
		if !keepTTL {
			db.expires.Delete(key)
		}
		return p
	}
	return db.Add(key, o)
}

// Delete removes a key and its TTL; it reports whether the key existed.
func (db *DB) Delete(key string) bool {
	if db.ks.Hooks.BeforeWrite != nil {
		if p := db.keys.GetPtr(key); p != nil {
			db.ks.Hooks.BeforeWrite(db, key, p)
		}
	}
	if _, ok := db.keys.Delete(key); !ok {
		return false
	}
	db.expires.Delete(key)
	if db.ks.Hooks.Deleted != nil {
		db.ks.Hooks.Deleted(db, key)
	}
	return true
}

// Expire returns key's absolute expiry in ms, or -1 without one.
func (db *DB) Expire(key string) int64 {
	if when, ok := db.expires.Get(key); ok {
		return when
	}
	return -1
}

// SetExpire gives an existing key an absolute expiry in ms.
func (db *DB) SetExpire(key string, whenMs int64) {
	if db.ks.Hooks.BeforeWrite != nil {
		if p := db.keys.GetPtr(key); p != nil {
			db.ks.Hooks.BeforeWrite(db, key, p)
		}
	}
	if p := db.expires.GetPtr(key); p != nil {
		*p = whenMs
		return
	}
	db.expires.SetNew(string([]byte(key)), whenMs)
}

// Persist removes key's TTL and reports whether it had one.
func (db *DB) Persist(key string) bool {
	if db.ks.Hooks.BeforeWrite != nil {
		if p := db.keys.GetPtr(key); p != nil {
			db.ks.Hooks.BeforeWrite(db, key, p)
		}
	}
	_, ok := db.expires.Delete(key)
	return ok
}

// Scan runs one step of a SCAN over the main table.
func (db *DB) Scan(cursor uint64, fn func(key string, o *Object)) uint64 {
	return db.keys.Scan(cursor, func(k string, o Object) { fn(k, &o) })
}

// ScanRank and CursorRank tell which keys a Scan has gone past (see
// dict.ScanRank): a snapshot uses them instead of remembering every key.
func ScanRank(key string) uint64 { return dict.ScanRank(key) }

// ScanRanked is Scan that also passes each key's ScanRank, and the
// value header by value (no copy escapes to the heap).
func (db *DB) ScanRanked(cursor uint64, fn func(key string, rank uint64, o Object)) uint64 {
	return db.keys.ScanRanked(cursor, fn)
}

// CursorRank is the rank bound a Scan cursor has reached.
func CursorRank(cursor uint64) uint64 { return dict.CursorRank(cursor) }

// Range visits every key (no mutation allowed inside fn).
func (db *DB) Range(fn func(key string, o *Object) bool) {
	db.keys.Range(func(k string, o Object) bool { return fn(k, &o) })
}

// RangeExpires visits every key with a TTL.
func (db *DB) RangeExpires(fn func(key string, when int64) bool) {
	db.expires.Range(fn)
}

// SampleExpires hands up to n random keys with a TTL to fn.
func (db *DB) SampleExpires(n int, fn func(key string, when int64)) {
	db.expires.Sample(n, fn)
}

// ScanExpires runs one step of a scan over the keys with a TTL.
func (db *DB) ScanExpires(cursor uint64, fn func(key string, when int64)) uint64 {
	return db.expires.Scan(cursor, fn)
}

// Sample hands up to n random keys to fn.
func (db *DB) Sample(n int, fn func(key string, o *Object)) {
	db.keys.Sample(n, func(k string, o Object) { fn(k, &o) })
}

// RandomKey returns a random key that is not expired, deleting expired
// ones it meets on a master. Like Redis, on a replica whose keys all
// have expired it gives up after a bounded number of tries and returns an
// expired key rather than looping.
func (db *DB) RandomKey() (string, bool) {
	allVolatile := db.keys.Len() == db.expires.Len()
	tries := 0
	for {
		k, _, ok := db.keys.RandomKey()
		if !ok {
			return "", false
		}
		if db.expired(k) {
			if allVolatile && db.ks.Replica {
				tries++
				if tries >= 100 {
					return k, true
				}
			}
			if db.expireIfNeeded(k, false) {
				if db.keys.Len() == 0 {
					return "", false
				}
				continue
			}
		}
		return k, true
	}
}

// Flush empties the database and returns how many keys it held.
func (db *DB) Flush() int {
	n := db.keys.Len()
	if db.ks.Hooks.BeforeWriteAll != nil {
		db.ks.Hooks.BeforeWriteAll(db)
	}
	if db.ks.Hooks.Flushing != nil {
		db.ks.Hooks.Flushing(db)
	}
	db.keys = dict.New[Object](0)
	db.expires = dict.New[int64](0)
	db.AvgTTL = 0
	db.ExpireCursor = 0
	return n
}

// IsExpired reports whether a stored key's TTL has passed (no side effect).
func (db *DB) IsExpired(key string) bool { return db.expired(key) }
