package rdb

import (
	"strconv"
	"sync"
)

// hdt3213's decoder keeps each stream entry's fields in a map. For an
// entry flagged SAMEFIELDS that costs nothing (the node's master fields
// give the order back), but an entry with its own fields loses their
// order, and a field repeated inside it loses all but its last value.
// The guard already holds every node's listpack while it checks it, so
// it reads those entries' field/value pairs itself, in order, and queues
// them; the converter takes one queue item per stream it builds. Both
// walk the file in the same order, and the guard is always ahead (it
// forwards a stream's bytes only after walking all of them).

// nodeOrder holds, per entry of a node (deleted ones included, in
// listpack order), its field/value pairs, or nil for a SAMEFIELDS entry.
type nodeOrder [][][]byte

// streamOrders is the queue between the guard and the converter.
type streamOrders struct {
	mu sync.Mutex
	q  [][]nodeOrder // one item per stream record, nil when nothing to fix
}

func (s *streamOrders) push(o []nodeOrder) {
	s.mu.Lock()
	s.q = append(s.q, o)
	s.mu.Unlock()
}

func (s *streamOrders) pop() []nodeOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.q) == 0 {
		return nil
	}
	o := s.q[0]
	s.q[0] = nil
	s.q = s.q[1:]
	return o
}

// streamNodeOrder reads the pairs of a node's entries that carry their
// own fields. It returns nil when there are none, or when the listpack
// does not have the layout we expect (the decoder's result is then
// used as it is).
func streamNodeOrder(lp []byte) nodeOrder {
	el, err := listpackEntries(lp)
	if err != nil || len(el) < 4 {
		return nil
	}
	num := func(i int) (int, bool) {
		if i >= len(el) {
			return 0, false
		}
		n, err := strconv.Atoi(string(el[i]))
		return n, err == nil && n >= 0 && n <= len(el)
	}
	count, ok1 := num(0)
	deleted, ok2 := num(1)
	nf, ok3 := num(2)
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	pos := 3 + nf + 1 // master fields and the master entry's terminator
	out := make(nodeOrder, 0, count+deleted)
	own := false
	for i := 0; i < count+deleted; i++ {
		flags, ok := num(pos)
		if !ok {
			// Negative values are not flags; anything else is malformed.
			return nil
		}
		pos += 3 // flags, ms delta, seq delta
		if flags&lpFlagSameFields != 0 {
			out = append(out, nil)
			pos += nf + 1
			continue
		}
		n, ok := num(pos)
		if !ok || pos+1+2*n > len(el) {
			return nil
		}
		// lp may be the guard's read buffer: copy what we keep.
		pairs := make([][]byte, 2*n)
		for k := range pairs {
			pairs[k] = append([]byte(nil), el[pos+1+k]...)
		}
		out = append(out, pairs)
		own = true
		pos += 1 + 2*n + 1
	}
	if !own || pos > len(el) {
		return nil
	}
	return out
}

// orderedFields returns the pairs the guard recorded for message j of
// node i when they agree with the decoder's map, nil otherwise.
func orderedFields(order []nodeOrder, i, j int, m map[string]string) [][]byte {
	if i >= len(order) || j >= len(order[i]) {
		return nil
	}
	p := order[i][j]
	if p == nil {
		return nil
	}
	for k := 0; k+1 < len(p); k += 2 {
		if _, ok := m[string(p[k])]; !ok {
			return nil
		}
	}
	return p
}
