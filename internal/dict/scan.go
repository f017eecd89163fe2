package dict

import (
	"math/bits"
	"math/rand/v2"
)

// fairSampleSize is how many entries RandomKey gathers before picking one.
const fairSampleSize = 15

// Scan calls fn for every entry of one cursor position and returns the next
// cursor; start with 0 and stop when 0 comes back. Entries present from the
// first call to the last are passed to fn at least once, whatever inserts,
// deletes and resizes happen between calls. fn must not modify d.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v V)) uint64 {
	return d.scan(cursor, func(e *entry[V]) { fn(e.key, e.val) })
}

func (d *Dict[V]) scan(cursor uint64, fn func(*entry[V])) uint64 {
	if d.Len() == 0 {
		return 0
	}
	d.paused++
	defer func() { d.paused-- }()

	v := cursor
	if !d.IsRehashing() {
		t := &d.ht[0]
		m := t.mask()
		visit(t.buckets[v&m], fn)
		return nextCursor(v, m)
	}

	small, large := &d.ht[0], &d.ht[1]
	if len(small.buckets) > len(large.buckets) {
		small, large = large, small
	}
	m0, m1 := small.mask(), large.mask()
	visit(small.buckets[v&m0], fn)
	// The large-table buckets that expand small bucket v&m0 are those whose
	// low bits equal it; walk them in reverse-binary order over the bits
	// that only the large mask has, stopping when those bits wrap to zero.
	for {
		visit(large.buckets[v&m1], fn)
		v = nextCursor(v, m1)
		if v&(m0^m1) == 0 {
			break
		}
	}
	return v
}

// ScanRank places key in the order Scan visits keys. Once Scan has
// returned a non-zero cursor c, every key with ScanRank below
// CursorRank(c) that was present while the scan went past it has been
// passed to fn, whatever resizes happened; ranks of successive cursors
// never decrease. Keys at or above it may not have been visited yet.
func ScanRank(key string) uint64 { return bits.Reverse64(hashKey(key)) }

// CursorRank is the ScanRank bound reached by cursor (see ScanRank).
func CursorRank(cursor uint64) uint64 { return bits.Reverse64(cursor) }

// ScanRanked is Scan that also hands fn each key's ScanRank (from the
// stored hash: no rehashing of the key).
func (d *Dict[V]) ScanRanked(cursor uint64, fn func(key string, rank uint64, v V)) uint64 {
	return d.scan(cursor, func(e *entry[V]) { fn(e.key, bits.Reverse64(e.hash), e.val) })
}

// nextCursor increments the bits of v covered by mask, starting from the
// most significant one. Setting the bits above the mask first makes the
// carry run off the top, so the result is 0 after the last bucket.
func nextCursor(v, mask uint64) uint64 {
	v |= ^mask
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}

func visit[V any](e *entry[V], fn func(*entry[V])) {
	for ; e != nil; e = e.next {
		fn(e)
	}
}

// Range calls fn for every entry until fn returns false. fn must not modify
// d; it may read it.
func (d *Dict[V]) Range(fn func(key string, v V) bool) {
	d.paused++
	defer func() { d.paused-- }()
	for i := range d.ht {
		for _, e := range d.ht[i].buckets {
			for ; e != nil; e = e.next {
				if !fn(e.key, e.val) {
					return
				}
			}
		}
	}
}

// RandomKey returns an entry picked at random, or false when d is empty.
// Like Redis's dictGetFairRandomKey it samples a few buckets and picks among
// their entries, which is less biased towards entries in short chains than
// picking a bucket and then a chain element.
func (d *Dict[V]) RandomKey() (string, V, bool) {
	var picked [fairSampleSize]*entry[V]
	n := 0
	d.sample(fairSampleSize, func(e *entry[V]) {
		picked[n] = e
		n++
	})
	var e *entry[V]
	if n > 0 {
		e = picked[rand.IntN(n)]
	} else {
		e = d.randomEntry()
	}
	if e == nil {
		var zero V
		return "", zero, false
	}
	return e.key, e.val, true
}

// Sample calls fn for at most n entries taken from consecutive buckets
// starting at a random one, as Redis's dictGetSomeKeys does for expiry and
// eviction sampling. It may call fn fewer than n times even when d has n
// entries, and may repeat an entry. fn must not modify d.
func (d *Dict[V]) Sample(n int, fn func(key string, v V)) {
	d.sample(n, func(e *entry[V]) { fn(e.key, e.val) })
}

func (d *Dict[V]) sample(count int, emit func(*entry[V])) {
	if count > d.Len() {
		count = d.Len()
	}
	if count <= 0 {
		return
	}
	// Do rehash work proportional to the sample size.
	for j := 0; j < count && d.IsRehashing(); j++ {
		d.rehashStep()
	}
	d.paused++
	defer func() { d.paused-- }()

	tables := 1
	maxMask := d.ht[0].mask()
	if d.IsRehashing() {
		tables = 2
		maxMask = max(maxMask, d.ht[1].mask())
	}
	i := rand.Uint64() & maxMask
	stored, emptyRun := 0, 0
	for steps := count * 10; stored < count && steps > 0; steps-- {
		for j := 0; j < tables; j++ {
			if tables == 2 && j == 0 && i < uint64(d.rehashIdx) {
				// ht[0] is empty below rehashIdx; if ht[1] is also out
				// of range here, both are empty up to rehashIdx.
				if i >= uint64(len(d.ht[1].buckets)) {
					i = uint64(d.rehashIdx)
				} else {
					continue
				}
			}
			t := &d.ht[j]
			if i >= uint64(len(t.buckets)) {
				continue
			}
			e := t.buckets[i]
			if e == nil {
				// After a run of empty buckets longer than the sample
				// (and at least 5), jump somewhere else.
				if emptyRun++; emptyRun >= 5 && emptyRun > count {
					i = rand.Uint64() & maxMask
					emptyRun = 0
				}
				continue
			}
			emptyRun = 0
			for ; e != nil; e = e.next {
				emit(e)
				if stored++; stored == count {
					return
				}
			}
		}
		i = (i + 1) & maxMask
	}
}

// randomEntry picks a random non-empty bucket, then a random entry of its
// chain (Redis's dictGetRandomKey).
func (d *Dict[V]) randomEntry() *entry[V] {
	if d.Len() == 0 {
		return nil
	}
	if d.IsRehashing() {
		d.rehashStep()
	}
	var e *entry[V]
	if d.IsRehashing() {
		// Only buckets from rehashIdx on (in ht[0]) and all of ht[1] can
		// hold entries; number them as one range.
		s0 := uint64(len(d.ht[0].buckets))
		lo := uint64(d.rehashIdx)
		span := s0 + uint64(len(d.ht[1].buckets)) - lo
		for e == nil {
			h := lo + rand.Uint64N(span)
			if h >= s0 {
				e = d.ht[1].buckets[h-s0]
			} else {
				e = d.ht[0].buckets[h]
			}
		}
	} else {
		t := &d.ht[0]
		for e == nil {
			e = t.buckets[rand.Uint64()&t.mask()]
		}
	}
	n := 0
	for c := e; c != nil; c = c.next {
		n++
	}
	for k := rand.IntN(n); k > 0; k-- {
		e = e.next
	}
	return e
}
