package keyspace

import "bytes"

// A listNode keeps the bytes of its elements in one buffer, buf. Used bytes lie
// within buf[lo:hi]; the room before lo and after hi is free. Removing or
// replacing an element in the middle can leave holes inside [lo, hi): live
// counts the bytes elements really use, and a repack squeezes holes out
// when room runs short. el lists the elements in order as windows of buf,
// so an element can sit anywhere in the buffer.
type listNode struct {
	buf    []byte
	lo, hi int
	live   int
	el     []listSpan
	// front and back record which ends pushes arrived at, to decide where
	// a repack leaves the free room.
	front, back bool
}

type listSpan struct{ off, len uint32 }

// Node limits: a node takes elements while it holds fewer than
// listNodeElems of them and their bytes stay within listNodeBytes (Redis's
// default list-max-listpack-size of -2 is 8 KB). An element larger than
// that gets a node of its own.
const (
	listNodeElems = 128
	listNodeBytes = 8 << 10
	listNodeMin   = 32
)

// Where an insertion wants its bytes.
const (
	listBack = iota
	listFront
	listAny
)

func newListNode(first int) *listNode {
	size := 2 * first
	if size < listNodeMin {
		size = listNodeMin
	}
	if size > listNodeBytes && size > first {
		size = max(first, listNodeBytes)
	}
	return &listNode{buf: make([]byte, size), el: make([]listSpan, 0, 4)}
}

// fits reports whether the node may take one more element of n bytes.
func (x *listNode) fits(n int) bool {
	if len(x.el) == 0 {
		return true
	}
	return len(x.el) < listNodeElems && x.live+n <= listNodeBytes
}

func (x *listNode) get(i int) []byte {
	s := x.el[i]
	end := s.off + s.len
	return x.buf[s.off:end:end]
}

func (x *listNode) clone() *listNode {
	c := &listNode{buf: make([]byte, max(x.live, listNodeMin)), el: make([]listSpan, len(x.el)),
		front: x.front, back: x.back}
	pos := 0
	for i, s := range x.el {
		copy(c.buf[pos:], x.get(i))
		c.el[i] = listSpan{uint32(pos), s.len}
		pos += int(s.len)
	}
	c.hi, c.live = pos, pos
	return c
}

// reserve takes n free bytes at the requested side and returns their
// offset, repacking or growing the buffer when the room is not there.
func (x *listNode) reserve(n int, side int) int {
	switch side {
	case listFront:
		x.front = true
	case listBack:
		x.back = true
	}
	for {
		switch {
		case side != listFront && len(x.buf)-x.hi >= n:
			off := x.hi
			x.hi += n
			return off
		case side != listBack && x.lo >= n:
			x.lo -= n
			return x.lo
		}
		x.repack(n, side)
	}
}

// repack lays the elements out again without holes, leaving at least n
// free bytes on the wanted side. The buffer grows (doubling) when the
// elements plus n do not fit. Free room goes to the side pushes come from,
// or is split evenly when they come from both.
func (x *listNode) repack(n int, side int) {
	need := x.live + n
	size := len(x.buf)
	if need > size {
		size = max(2*size, need, listNodeMin)
		if size > listNodeBytes {
			size = max(need, listNodeBytes)
		}
	}
	free := size - x.live
	start := 0
	both := x.front && x.back
	switch {
	case side == listFront && both:
		start = n + (free-n)/2
	case side == listFront:
		start = free
	case both:
		start = (free - n) / 2
	}
	// When the elements already lie back to back in order and the buffer
	// keeps its size, one memmove shifts them all; otherwise they are
	// copied one by one into a fresh buffer.
	buf := x.buf
	if size == len(x.buf) && x.contiguous() {
		copy(buf[start:], buf[x.lo:x.hi])
	} else {
		buf = make([]byte, size)
		pos := start
		for _, s := range x.el {
			copy(buf[pos:], x.buf[s.off:s.off+s.len])
			pos += int(s.len)
		}
	}
	pos := start
	for i := range x.el {
		x.el[i].off = uint32(pos)
		pos += int(x.el[i].len)
	}
	x.buf = buf
	x.lo, x.hi = start, start+x.live
}

// contiguous reports whether the elements fill buf[lo:hi] in order with no
// hole (empty elements, which hold no bytes, do not count).
func (x *listNode) contiguous() bool {
	if x.hi-x.lo != x.live {
		return false
	}
	next := x.lo
	for _, s := range x.el {
		if s.len == 0 {
			continue
		}
		if int(s.off) != next {
			return false
		}
		next += int(s.len)
	}
	return true
}

// insert puts a copy of v at position pos (0..len(el)).
func (x *listNode) insert(pos int, v []byte, side int) {
	off := x.reserve(len(v), side)
	copy(x.buf[off:], v)
	x.live += len(v)
	s := listSpan{uint32(off), uint32(len(v))}
	if pos == len(x.el) {
		x.el = append(x.el, s)
		return
	}
	x.el = append(x.el, listSpan{})
	copy(x.el[pos+1:], x.el[pos:])
	x.el[pos] = s
}

// remove deletes k elements starting at position pos. Their bytes go
// back to the free room when they border it (as pops from either end do);
// otherwise they stay a hole until the next repack.
func (x *listNode) remove(pos, k int) {
	rm := x.el[pos : pos+k]
	i, j := 0, len(rm)
	for i < j && int(rm[i].off) == x.lo {
		x.lo += int(rm[i].len)
		i++
	}
	for j > i && int(rm[j-1].off+rm[j-1].len) == x.hi {
		x.hi -= int(rm[j-1].len)
		j--
	}
	for _, s := range rm {
		x.live -= int(s.len)
	}
	x.el = append(x.el[:pos], x.el[pos+k:]...)
	if len(x.el) == 0 {
		x.reset()
	}
}

// reset empties the node, leaving its room where pushes come from.
func (x *listNode) reset() {
	x.live = 0
	switch {
	case x.front && x.back:
		x.lo = len(x.buf) / 2
	case x.front:
		x.lo = len(x.buf)
	default:
		x.lo = 0
	}
	x.hi = x.lo
}

// set replaces element i with a copy of v, in place when it fits.
func (x *listNode) set(i int, v []byte) {
	s := x.el[i]
	if len(v) <= int(s.len) {
		copy(x.buf[s.off:], v)
		if int(s.off+s.len) == x.hi {
			x.hi = int(s.off) + len(v)
		}
		x.live -= int(s.len) - len(v)
		x.el[i].len = uint32(len(v))
		return
	}
	// The old bytes become free (or a hole) first, so a repack triggered
	// by reserve does not carry them; the element is marked empty
	// meanwhile.
	x.live -= int(s.len)
	switch {
	case int(s.off) == x.lo:
		x.lo += int(s.len)
	case int(s.off+s.len) == x.hi:
		x.hi -= int(s.len)
	}
	x.el[i] = listSpan{uint32(x.lo), 0}
	off := x.reserve(len(v), listAny)
	copy(x.buf[off:], v)
	x.live += len(v)
	x.el[i] = listSpan{uint32(off), uint32(len(v))}
}

// split moves the elements from position pos on into a new node and
// returns it.
func (x *listNode) split(pos int) *listNode {
	tail := 0
	for _, s := range x.el[pos:] {
		tail += int(s.len)
	}
	y := newListNode(tail)
	for j := pos; j < len(x.el); j++ {
		y.insert(len(y.el), x.get(j), listBack)
	}
	x.remove(pos, len(x.el)-pos)
	return y
}

// removeMatches deletes up to limit elements equal to v, scanning from
// the tail when fromTail is set, and returns how many it deleted.
func (x *listNode) removeMatches(v []byte, limit int, fromTail bool) int {
	removed := 0
	if fromTail {
		for j := len(x.el) - 1; j >= 0 && removed < limit; j-- {
			if bytes.Equal(x.get(j), v) {
				x.remove(j, 1)
				removed++
			}
		}
		return removed
	}
	for j := 0; j < len(x.el) && removed < limit; {
		if bytes.Equal(x.get(j), v) {
			x.remove(j, 1)
			removed++
			continue
		}
		j++
	}
	return removed
}
