package keyspace

import "sort"

// IDTree is an ordered map from stream IDs to values: a B-tree, so that
// lookups, inserts, deletes and seeks cost O(log n). Consumer-group PELs
// are kept in it (Redis keeps them in radix trees for the same reasons).

const (
	btMaxKeys = 31
	btMinKeys = btMaxKeys / 2
)

type IDTree[V any] struct {
	root *btNode[V]
	n    int
}

type btNode[V any] struct {
	keys []StreamID
	vals []V
	kids []*btNode[V] // nil in leaves
}

func (n *btNode[V]) leaf() bool { return n.kids == nil }

// find returns the position of the first key >= id and whether it is id.
func (n *btNode[V]) find(id StreamID) (int, bool) {
	i := sort.Search(len(n.keys), func(i int) bool { return !n.keys[i].Less(id) })
	return i, i < len(n.keys) && n.keys[i] == id
}

// Len is the number of keys.
func (t *IDTree[V]) Len() int { return t.n }

// Get returns the value stored under id.
func (t *IDTree[V]) Get(id StreamID) (V, bool) {
	for n := t.root; n != nil; {
		i, found := n.find(id)
		if found {
			return n.vals[i], true
		}
		if n.leaf() {
			break
		}
		n = n.kids[i]
	}
	var zero V
	return zero, false
}

// Set stores v under id and reports whether the key was new.
func (t *IDTree[V]) Set(id StreamID, v V) bool {
	if t.root == nil {
		t.root = &btNode[V]{}
	}
	if len(t.root.keys) >= btMaxKeys {
		old := t.root
		t.root = &btNode[V]{kids: []*btNode[V]{old}}
		t.root.splitChild(0)
	}
	added := t.root.insert(id, v)
	if added {
		t.n++
	}
	return added
}

// splitChild splits the full child i around its median key.
func (n *btNode[V]) splitChild(i int) {
	c := n.kids[i]
	m := len(c.keys) / 2
	right := &btNode[V]{
		keys: append([]StreamID(nil), c.keys[m+1:]...),
		vals: append([]V(nil), c.vals[m+1:]...),
	}
	if !c.leaf() {
		right.kids = append([]*btNode[V](nil), c.kids[m+1:]...)
		clear(c.kids[m+1:])
		c.kids = c.kids[:m+1]
	}
	mk, mv := c.keys[m], c.vals[m]
	var zero V
	for j := m; j < len(c.vals); j++ {
		c.vals[j] = zero
	}
	c.keys, c.vals = c.keys[:m], c.vals[:m]
	n.keys = insertAt(n.keys, i, mk)
	n.vals = insertAt(n.vals, i, mv)
	n.kids = insertAt(n.kids, i+1, right)
}

func (n *btNode[V]) insert(id StreamID, v V) bool {
	for {
		i, found := n.find(id)
		if found {
			n.vals[i] = v
			return false
		}
		if n.leaf() {
			n.keys = insertAt(n.keys, i, id)
			n.vals = insertAt(n.vals, i, v)
			return true
		}
		if len(n.kids[i].keys) >= btMaxKeys {
			n.splitChild(i)
			switch c := id.Cmp(n.keys[i]); {
			case c == 0:
				n.vals[i] = v
				return false
			case c > 0:
				i++
			}
		}
		n = n.kids[i]
	}
}

// Delete removes id and reports whether it was present.
func (t *IDTree[V]) Delete(id StreamID) bool {
	if t.root == nil {
		return false
	}
	ok := t.root.remove(id)
	if len(t.root.keys) == 0 {
		if t.root.leaf() {
			t.root = nil
		} else {
			t.root = t.root.kids[0]
		}
	}
	if ok {
		t.n--
	}
	return ok
}

// remove deletes id from the subtree, first making sure every child it
// descends into holds more than the minimum number of keys.
func (n *btNode[V]) remove(id StreamID) bool {
	i, found := n.find(id)
	if n.leaf() {
		if !found {
			return false
		}
		n.keys = removeAt(n.keys, i)
		n.vals = removeAt(n.vals, i)
		return true
	}
	if len(n.kids[i].keys) <= btMinKeys {
		i = n.grow(i)
		i, found = n.find(id)
	}
	if found {
		// Replace the key by its predecessor, taken from the left child.
		k, v := n.kids[i].popMax()
		n.keys[i], n.vals[i] = k, v
		return true
	}
	return n.kids[i].remove(id)
}

// popMax removes and returns the greatest key of a subtree whose root has
// more than the minimum number of keys.
func (n *btNode[V]) popMax() (StreamID, V) {
	for !n.leaf() {
		last := len(n.kids) - 1
		if len(n.kids[last].keys) <= btMinKeys {
			n.grow(last)
			last = len(n.kids) - 1
		}
		n = n.kids[last]
	}
	k, v := n.keys[len(n.keys)-1], n.vals[len(n.vals)-1]
	n.keys = removeAt(n.keys, len(n.keys)-1)
	n.vals = removeAt(n.vals, len(n.vals)-1)
	return k, v
}

// grow gives child i an extra key, borrowing from a sibling or merging
// with one, and returns the index the child's keys now live under.
func (n *btNode[V]) grow(i int) int {
	c := n.kids[i]
	if i > 0 && len(n.kids[i-1].keys) > btMinKeys {
		l := n.kids[i-1]
		c.keys = insertAt(c.keys, 0, n.keys[i-1])
		c.vals = insertAt(c.vals, 0, n.vals[i-1])
		n.keys[i-1], n.vals[i-1] = l.keys[len(l.keys)-1], l.vals[len(l.vals)-1]
		l.keys = removeAt(l.keys, len(l.keys)-1)
		l.vals = removeAt(l.vals, len(l.vals)-1)
		if !l.leaf() {
			c.kids = insertAt(c.kids, 0, l.kids[len(l.kids)-1])
			l.kids = removeAt(l.kids, len(l.kids)-1)
		}
		return i
	}
	if i < len(n.kids)-1 && len(n.kids[i+1].keys) > btMinKeys {
		r := n.kids[i+1]
		c.keys = append(c.keys, n.keys[i])
		c.vals = append(c.vals, n.vals[i])
		n.keys[i], n.vals[i] = r.keys[0], r.vals[0]
		r.keys = removeAt(r.keys, 0)
		r.vals = removeAt(r.vals, 0)
		if !r.leaf() {
			c.kids = append(c.kids, r.kids[0])
			r.kids = removeAt(r.kids, 0)
		}
		return i
	}
	if i == len(n.kids)-1 {
		i--
	}
	// Merge child i+1 and the separator into child i.
	l, r := n.kids[i], n.kids[i+1]
	l.keys = append(append(l.keys, n.keys[i]), r.keys...)
	l.vals = append(append(l.vals, n.vals[i]), r.vals...)
	if !l.leaf() {
		l.kids = append(l.kids, r.kids...)
	}
	n.keys = removeAt(n.keys, i)
	n.vals = removeAt(n.vals, i)
	n.kids = removeAt(n.kids, i+1)
	return i
}

// Ascend calls fn for each key >= from in order until fn returns false.
// fn must not modify the tree.
func (t *IDTree[V]) Ascend(from StreamID, fn func(id StreamID, v V) bool) {
	if t.root != nil {
		t.root.ascend(from, fn)
	}
}

func (n *btNode[V]) ascend(from StreamID, fn func(StreamID, V) bool) bool {
	i, _ := n.find(from)
	for ; i < len(n.keys); i++ {
		if !n.leaf() && !n.kids[i].ascend(from, fn) {
			return false
		}
		if !fn(n.keys[i], n.vals[i]) {
			return false
		}
	}
	if !n.leaf() {
		return n.kids[i].ascend(from, fn)
	}
	return true
}

// First returns the smallest key.
func (t *IDTree[V]) First() (StreamID, V, bool) {
	var zero V
	n := t.root
	if n == nil {
		return StreamID{}, zero, false
	}
	for !n.leaf() {
		n = n.kids[0]
	}
	return n.keys[0], n.vals[0], true
}

func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func removeAt[T any](s []T, i int) []T {
	copy(s[i:], s[i+1:])
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

// Last returns the greatest key (the zero ID when the tree is empty).
func (t *IDTree[V]) Last() StreamID {
	n := t.root
	if n == nil {
		return StreamID{}
	}
	for !n.leaf() {
		n = n.kids[len(n.kids)-1]
	}
	return n.keys[len(n.keys)-1]
}
