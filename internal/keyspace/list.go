package keyspace

import "bytes"

// List is a list value: a deque of small nodes, each packing up to
// listNodeElems elements (about listNodeBytes bytes) into one byte buffer,
// the way a Redis quicklist packs elements into listpacks. Pushes and pops
// at either end are O(1) amortized; reaching index i walks whole nodes from
// the nearer end. A long list costs few allocations and few pointers for
// the garbage collector. The zero value is an empty list.
//
// Slices returned by Index, PopFront, PopBack and the iteration helpers
// look into the list's memory: they are valid until the list next changes
// and must not be modified.
type List struct {
	ring  []*listNode // ring of nodes; its length is zero or a power of two
	first int         // ring position of the head node
	nodes int         // nodes in use
	n     int         // elements
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Encoding is what OBJECT ENCODING reports: Redis 7.0 lists are always
// quicklists, however small.
func (l *List) Encoding() string { return "quicklist" }

// Len is the number of elements.
func (l *List) Len() int { return l.n }

// Clone returns a deep copy (COPY uses it).
func (l *List) Clone() any {
	c := &List{}
	for i := 0; i < l.nodes; i++ {
		c.linkBack(l.nd(i).clone())
	}
	c.n = l.n
	return c
}

// nd returns the i-th node from the head.
func (l *List) nd(i int) *listNode { return l.ring[(l.first+i)&(len(l.ring)-1)] }

func (l *List) setNd(i int, x *listNode) { l.ring[(l.first+i)&(len(l.ring)-1)] = x }

// grow doubles the ring when it is full, unrolling it to start at 0.
func (l *List) grow() {
	if l.nodes < len(l.ring) {
		return
	}
	size := 2 * len(l.ring)
	if size == 0 {
		size = 1
	}
	ring := make([]*listNode, size)
	for i := 0; i < l.nodes; i++ {
		ring[i] = l.nd(i)
	}
	l.ring, l.first = ring, 0
}

func (l *List) linkBack(x *listNode) {
	l.grow()
	l.nodes++
	l.setNd(l.nodes-1, x)
}

func (l *List) linkFront(x *listNode) {
	l.grow()
	l.first = (l.first - 1) & (len(l.ring) - 1)
	l.nodes++
	l.setNd(0, x)
}

// linkAt inserts node x so that it becomes the i-th node.
func (l *List) linkAt(i int, x *listNode) {
	l.linkBack(x)
	for j := l.nodes - 1; j > i; j-- {
		l.setNd(j, l.nd(j-1))
	}
	l.setNd(i, x)
}

// unlink removes the i-th node.
func (l *List) unlink(i int) {
	switch {
	case i == 0:
		l.setNd(0, nil)
		l.first = (l.first + 1) & (len(l.ring) - 1)
	default:
		for j := i; j < l.nodes-1; j++ {
			l.setNd(j, l.nd(j+1))
		}
		l.setNd(l.nodes-1, nil)
	}
	l.nodes--
}

// locate finds the node holding element i (0 <= i < Len) and i's position
// inside it, walking from the nearer end.
func (l *List) locate(i int) (ni, pos int) {
	if i < l.n/2 {
		for ni = 0; ; ni++ {
			c := len(l.nd(ni).el)
			if i < c {
				return ni, i
			}
			i -= c
		}
	}
	back := l.n - 1 - i // distance from the tail
	for ni = l.nodes - 1; ; ni-- {
		c := len(l.nd(ni).el)
		if back < c {
			return ni, c - 1 - back
		}
		back -= c
	}
}

// PushBack appends a copy of v.
func (l *List) PushBack(v []byte) {
	if l.nodes == 0 || !l.nd(l.nodes-1).fits(len(v)) {
		l.linkBack(newListNode(len(v)))
	}
	x := l.nd(l.nodes - 1)
	x.insert(len(x.el), v, listBack)
	l.n++
}

// PushFront prepends a copy of v.
func (l *List) PushFront(v []byte) {
	if l.nodes == 0 || !l.nd(0).fits(len(v)) {
		l.linkFront(newListNode(len(v)))
	}
	l.nd(0).insert(0, v, listFront)
	l.n++
}

// PopFront removes and returns the first element (nil if empty).
func (l *List) PopFront() []byte {
	if l.n == 0 {
		return nil
	}
	x := l.nd(0)
	v := x.get(0)
	x.remove(0, 1)
	l.n--
	if len(x.el) == 0 && l.nodes > 1 {
		l.unlink(0)
	}
	return v
}

// PopBack removes and returns the last element (nil if empty).
func (l *List) PopBack() []byte {
	if l.n == 0 {
		return nil
	}
	x := l.nd(l.nodes - 1)
	v := x.get(len(x.el) - 1)
	x.remove(len(x.el)-1, 1)
	l.n--
	if len(x.el) == 0 && l.nodes > 1 {
		l.unlink(l.nodes - 1)
	}
	return v
}

// DelFront removes the first k elements (all of them if k >= Len).
func (l *List) DelFront(k int) {
	for k > 0 && l.n > 0 {
		x := l.nd(0)
		c := len(x.el)
		if c > k {
			x.remove(0, k)
			l.n -= k
			return
		}
		l.unlink(0)
		l.n -= c
		k -= c
	}
}

// DelBack removes the last k elements (all of them if k >= Len).
func (l *List) DelBack(k int) {
	for k > 0 && l.n > 0 {
		x := l.nd(l.nodes - 1)
		c := len(x.el)
		if c > k {
			x.remove(c-k, k)
			l.n -= k
			return
		}
		l.unlink(l.nodes - 1)
		l.n -= c
		k -= c
	}
}

// Index returns element i; i must satisfy 0 <= i < Len.
func (l *List) Index(i int) []byte {
	ni, pos := l.locate(i)
	return l.nd(ni).get(pos)
}

// Set replaces element i (0 <= i < Len) with a copy of v.
func (l *List) Set(i int, v []byte) {
	ni, pos := l.locate(i)
	l.nd(ni).set(pos, v)
}

// Range visits every element from head to tail until fn returns false.
func (l *List) Range(fn func(v []byte) bool) {
	for ni := 0; ni < l.nodes; ni++ {
		x := l.nd(ni)
		for j := range x.el {
			if !fn(x.get(j)) {
				return
			}
		}
	}
}

// RangeRev visits every element from tail to head until fn returns false.
func (l *List) RangeRev(fn func(v []byte) bool) {
	for ni := l.nodes - 1; ni >= 0; ni-- {
		x := l.nd(ni)
		for j := len(x.el) - 1; j >= 0; j-- {
			if !fn(x.get(j)) {
				return
			}
		}
	}
}

// Each visits elements start..end (inclusive, 0 <= start <= end < Len)
// from head to tail.
func (l *List) Each(start, end int, fn func(v []byte)) {
	ni, pos := l.locate(start)
	left := end - start + 1
	for ; left > 0; ni++ {
		x := l.nd(ni)
		for ; pos < len(x.el) && left > 0; pos++ {
			fn(x.get(pos))
			left--
		}
		pos = 0
	}
}

// EachRev visits elements end..start (inclusive, 0 <= start <= end < Len)
// from tail to head.
func (l *List) EachRev(start, end int, fn func(v []byte)) {
	ni, pos := l.locate(end)
	left := end - start + 1
	for left > 0 {
		x := l.nd(ni)
		for ; pos >= 0 && left > 0; pos-- {
			fn(x.get(pos))
			left--
		}
		ni--
		if ni >= 0 {
			pos = len(l.nd(ni).el) - 1
		}
	}
}

// Insert puts a copy of v right before (or, with after, right after) the
// first element equal to pivot, searching from the head. It reports
// whether the pivot was found.
func (l *List) Insert(pivot, v []byte, after bool) bool {
	for ni := 0; ni < l.nodes; ni++ {
		x := l.nd(ni)
		for j := range x.el {
			if bytes.Equal(x.get(j), pivot) {
				if after {
					j++
				}
				l.insertAt(ni, j, v)
				return true
			}
		}
	}
	return false
}

// insertAt inserts v at position pos (0..count) of node ni, splitting the
// node or adding one when it is full.
func (l *List) insertAt(ni, pos int, v []byte) {
	l.n++
	x := l.nd(ni)
	if x.fits(len(v)) {
		x.insert(pos, v, listAny)
		return
	}
	switch {
	case pos == 0 && ni > 0 && l.nd(ni-1).fits(len(v)):
		p := l.nd(ni - 1)
		p.insert(len(p.el), v, listBack)
	case pos == len(x.el) && ni+1 < l.nodes && l.nd(ni+1).fits(len(v)):
		l.nd(ni+1).insert(0, v, listFront)
	case pos == 0:
		y := newListNode(len(v))
		y.insert(0, v, listBack)
		l.linkAt(ni, y)
	case pos == len(x.el):
		y := newListNode(len(v))
		y.insert(0, v, listBack)
		l.linkAt(ni+1, y)
	default:
		// Split: the elements from pos on move to a new node after x.
		right := x.split(pos)
		l.linkAt(ni+1, right)
		if x.fits(len(v)) {
			x.insert(pos, v, listBack)
		} else if right.fits(len(v)) {
			right.insert(0, v, listFront)
		} else {
			y := newListNode(len(v))
			y.insert(0, v, listBack)
			l.linkAt(ni+1, y)
		}
	}
}

// Remove deletes elements equal to v: the first count of them from the
// head when count > 0, the last -count from the tail when count < 0, all
// of them when count is 0. It returns how many it removed.
func (l *List) Remove(v []byte, count int) int {
	limit := count
	if limit < 0 {
		limit = -limit
	}
	if limit <= 0 { // 0, or a count whose negation overflowed
		limit = l.n
	}
	removed := 0
	for step := 0; step < l.nodes && removed < limit; step++ {
		ni := step
		if count < 0 {
			ni = l.nodes - 1 - step
		}
		removed += l.nd(ni).removeMatches(v, limit-removed, count < 0)
	}
	if removed == 0 {
		return 0
	}
	l.n -= removed
	// Drop emptied nodes and merge neighbours that now fit together.
	for ni := 0; ni < l.nodes; {
		x := l.nd(ni)
		if len(x.el) == 0 && l.nodes > 1 {
			l.unlink(ni)
			continue
		}
		if ni+1 < l.nodes {
			y := l.nd(ni + 1)
			if len(x.el)+len(y.el) <= listNodeElems/2 && x.live+y.live <= listNodeBytes/2 {
				for j := range y.el {
					x.insert(len(x.el), y.get(j), listBack)
				}
				l.unlink(ni + 1)
				continue
			}
		}
		ni++
	}
	return removed
}
