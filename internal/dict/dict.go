package dict

import (
	"hash/maphash"
	"math/bits"
	"time"
)

// seed is shared by every Dict in the process, so two dicts holding the same
// keys agree on hashes; it differs between runs, which keeps bucket placement
// unpredictable to clients.
var seed = maphash.MakeSeed()

const (
	// minSize is the smallest bucket count of a non-empty table.
	minSize = 4
	// minFillPercent: below this fill a table is shrunk.
	minFillPercent = 10
	// emptyVisitsPerStep bounds how many empty ht[0] buckets one rehash
	// step may skip, so a step has a bounded cost even in a sparse table.
	emptyVisitsPerStep = 10
	// cronBatch is how many buckets RehashFor moves between clock reads.
	cronBatch = 100
)

func hashKey(key string) uint64 { return maphash.String(seed, key) }

type entry[V any] struct {
	key string
	// hash is the key's hash, kept so chains are walked without reading
	// other keys' bytes and rehashing never hashes again.
	hash uint64
	val  V
	next *entry[V]
}

// table is one bucket array. A nil buckets slice means the table is unused.
type table[V any] struct {
	buckets []*entry[V]
	used    int
}

func (t *table[V]) mask() uint64 { return uint64(len(t.buckets) - 1) }

// Dict is a hash table from string keys to values of type V. The zero value
// is an empty Dict ready to use. See the package documentation for the
// resizing rules and the concurrency restriction.
type Dict[V any] struct {
	ht [2]table[V]
	// rehashIdx is the next ht[0] bucket to move; meaningful only while
	// ht[1] has buckets.
	rehashIdx int
	// paused counts running iteration callbacks; rehash steps are skipped
	// while it is non-zero.
	paused int
}

// New returns an empty Dict whose first table is big enough for sizeHint
// keys without resizing. A sizeHint <= 0 allocates nothing until the first
// insert.
func New[V any](sizeHint int) *Dict[V] {
	d := &Dict[V]{}
	if sizeHint > 0 {
		d.ht[0].buckets = make([]*entry[V], tableSize(sizeHint))
	}
	return d
}

// tableSize is the power of two >= n, at least minSize.
func tableSize(n int) int {
	if n <= minSize {
		return minSize
	}
	return 1 << bits.Len(uint(n-1))
}

// Len returns the number of entries.
func (d *Dict[V]) Len() int { return d.ht[0].used + d.ht[1].used }

// IsRehashing reports whether a resize is in progress, that is whether
// RehashFor has work to do.
func (d *Dict[V]) IsRehashing() bool { return d.ht[1].buckets != nil }

// Get returns the value stored under key. It does not allocate and does not
// retain key, so key may alias a mutable buffer.
func (d *Dict[V]) Get(key string) (V, bool) {
	if e := d.find(key); e != nil {
		return e.val, true
	}
	var zero V
	return zero, false
}

// GetPtr returns a pointer to the value stored under key, or nil. Writes
// through the pointer update the entry. The pointer refers to the live entry
// only until the next Set, SetNew, Delete or Clear.
func (d *Dict[V]) GetPtr(key string) *V {
	if e := d.find(key); e != nil {
		return &e.val
	}
	return nil
}

func (d *Dict[V]) find(key string) *entry[V] {
	if d.Len() == 0 {
		return nil
	}
	if d.IsRehashing() {
		d.rehashStep()
	}
	return d.lookup(hashKey(key), key)
}

// lookup searches both tables without doing any rehash work.
func (d *Dict[V]) lookup(h uint64, key string) *entry[V] {
	t := &d.ht[0]
	if t.buckets != nil {
		idx := h & t.mask()
		// Buckets below rehashIdx were emptied into ht[1].
		if !d.IsRehashing() || idx >= uint64(d.rehashIdx) {
			for e := t.buckets[idx]; e != nil; e = e.next {
				if e.hash == h && e.key == key {
					return e
				}
			}
		}
	}
	if !d.IsRehashing() {
		return nil
	}
	t = &d.ht[1]
	for e := t.buckets[h&t.mask()]; e != nil; e = e.next {
		if e.hash == h && e.key == key {
			return e
		}
	}
	return nil
}

// Set stores v under key and reports whether key was new. A new key is
// stored as given, so the caller must not modify its bytes afterwards;
// replacing keeps the key already stored and does not allocate.
func (d *Dict[V]) Set(key string, v V) (added bool) {
	if d.IsRehashing() {
		d.rehashStep()
	}
	h := hashKey(key)
	if d.Len() != 0 {
		if e := d.lookup(h, key); e != nil {
			e.val = v
			return false
		}
	}
	d.insert(h, key, v)
	return true
}

// SetNew inserts key, which the caller guarantees is absent; it skips the
// lookup Set would do. Inserting a key that is present corrupts the Dict
// (the key would be stored twice).
func (d *Dict[V]) SetNew(key string, v V) {
	if d.IsRehashing() {
		d.rehashStep()
	}
	d.insert(hashKey(key), key, v)
}

// Insert stores v under key only when key is absent, in one lookup. It
// returns a pointer to the stored value (valid like GetPtr's) and true,
// or nil and false when key was present (nothing changes then). Like
// Set, a new key is stored as given.
func (d *Dict[V]) Insert(key string, v V) (*V, bool) {
	if d.IsRehashing() {
		d.rehashStep()
	}
	h := hashKey(key)
	if d.Len() != 0 && d.lookup(h, key) != nil {
		return nil, false
	}
	return &d.insert(h, key, v).val, true
}

// Reserve sizes the table of an empty Dict for n entries up front (a
// loader that knows the count avoids growing step by step).
func (d *Dict[V]) Reserve(n int) {
	if d.Len() == 0 && !d.IsRehashing() && n > 0 && tableSize(n) > len(d.ht[0].buckets) {
		d.ht[0].buckets = make([]*entry[V], tableSize(n))
	}
}

func (d *Dict[V]) insert(h uint64, key string, v V) *entry[V] {
	d.growIfNeeded()
	t := &d.ht[0]
	if d.IsRehashing() {
		t = &d.ht[1]
	}
	idx := h & t.mask()
	e := &entry[V]{key: key, hash: h, val: v, next: t.buckets[idx]}
	t.buckets[idx] = e
	t.used++
	return e
}

// Delete removes key and returns the value it had.
func (d *Dict[V]) Delete(key string) (V, bool) {
	var zero V
	if d.Len() == 0 {
		return zero, false
	}
	if d.IsRehashing() {
		d.rehashStep()
	}
	h := hashKey(key)
	for i := range d.ht {
		t := &d.ht[i]
		if i == 1 && !d.IsRehashing() {
			break
		}
		idx := h & t.mask()
		if i == 0 && d.IsRehashing() && idx < uint64(d.rehashIdx) {
			continue
		}
		for link := &t.buckets[idx]; *link != nil; link = &(*link).next {
			e := *link
			if e.hash != h || e.key != key {
				continue
			}
			*link = e.next
			t.used--
			v := e.val
			d.finishIfDrained()
			d.shrinkIfNeeded()
			return v, true
		}
	}
	return zero, false
}

// Clear removes every entry and releases the tables.
func (d *Dict[V]) Clear() {
	d.ht = [2]table[V]{}
	d.rehashIdx = 0
}

// RehashFor is for a periodic task. If no resize is in progress it first
// starts a shrink when the table is sparse enough, then moves buckets in
// batches of 100 until the resize completes or roughly dur has passed. It
// returns how many buckets it was asked to move (0 when there was nothing
// to do).
func (d *Dict[V]) RehashFor(dur time.Duration) int {
	if d.paused > 0 {
		return 0
	}
	if !d.IsRehashing() {
		d.shrinkIfNeeded()
	}
	n := 0
	start := time.Now()
	for d.IsRehashing() {
		d.rehash(cronBatch)
		n += cronBatch
		if time.Since(start) >= dur {
			break
		}
	}
	return n
}

func (d *Dict[V]) growIfNeeded() {
	if d.IsRehashing() {
		return
	}
	t := &d.ht[0]
	if t.buckets == nil {
		t.buckets = make([]*entry[V], minSize)
		return
	}
	if t.used >= len(t.buckets) {
		d.resize(t.used + 1)
	}
}

func (d *Dict[V]) shrinkIfNeeded() {
	if d.IsRehashing() {
		return
	}
	t := &d.ht[0]
	if len(t.buckets) > minSize && t.used*100/len(t.buckets) < minFillPercent {
		d.resize(t.used)
	}
}

// resize starts moving ht[0] into a table sized for n keys. An empty Dict
// swaps tables at once since there is nothing to move.
func (d *Dict[V]) resize(n int) {
	size := tableSize(n)
	if size == len(d.ht[0].buckets) {
		return
	}
	if d.ht[0].used == 0 {
		d.ht[0] = table[V]{buckets: make([]*entry[V], size)}
		return
	}
	d.ht[1] = table[V]{buckets: make([]*entry[V], size)}
	d.rehashIdx = 0
}

func (d *Dict[V]) rehashStep() {
	if d.paused == 0 {
		d.rehash(1)
	}
}

// rehash moves up to n non-empty buckets of ht[0] into ht[1], giving up
// after visiting 10*n empty buckets, and finishes the resize when ht[0]
// runs out of entries.
func (d *Dict[V]) rehash(n int) {
	if !d.IsRehashing() {
		return
	}
	from, to := &d.ht[0], &d.ht[1]
	emptyVisits := n * emptyVisitsPerStep
	toMask := to.mask()
	shrinking := len(to.buckets) < len(from.buckets)
	for ; n > 0 && from.used != 0; n-- {
		for from.buckets[d.rehashIdx] == nil {
			d.rehashIdx++
			if emptyVisits--; emptyVisits == 0 {
				return
			}
		}
		e := from.buckets[d.rehashIdx]
		from.buckets[d.rehashIdx] = nil
		// When shrinking, every key of bucket i lands in bucket i&toMask:
		// the new mask keeps only low bits the old index already has.
		idx := uint64(d.rehashIdx) & toMask
		for e != nil {
			next := e.next
			if !shrinking {
				idx = e.hash & toMask
			}
			e.next = to.buckets[idx]
			to.buckets[idx] = e
			from.used--
			to.used++
			e = next
		}
		d.rehashIdx++
	}
	d.finishIfDrained()
}

// finishIfDrained ends a resize once ht[0] holds no entries.
func (d *Dict[V]) finishIfDrained() {
	if d.IsRehashing() && d.ht[0].used == 0 {
		d.ht[0] = d.ht[1]
		d.ht[1] = table[V]{}
		d.rehashIdx = 0
	}
}
