package keyspace

import "encoding/binary"

// A stream keeps its entries in nodes, as Redis keeps them in listpacks
// hung from a radix tree. The node layout matters beyond memory: whole
// nodes are what MAXLEN ~ / MINID ~ trimming removes, and XINFO reports
// the node count, so a node is closed exactly when Redis would close its
// listpack. For that each node tracks the byte size its listpack would
// have, from the listpack encoding rules.
//
// Entries are never removed from a node one by one: deleting an entry
// only marks it (a tombstone), and a node goes away when its last live
// entry does.

const (
	entryDeleted    = 1 // the entry is a tombstone
	entrySameFields = 2 // the entry's fields are the node's master fields

	// lpHeaderBytes is a listpack's header (total bytes, element count)
	// plus its end marker.
	lpHeaderBytes = 7
	// streamLPMaxSize caps a node's listpack whatever the configuration.
	streamLPMaxSize = 1 << 30
)

type nodeEntry struct {
	id    StreamID
	off   uint32 // where the entry's fields start in the node's data
	flags uint8
}

type streamNode struct {
	master StreamID // the first ID ever added to the node (its tree key)
	ents   []nodeEntry
	// data holds the master fields first (count, then each field), then
	// every entry: its field count and either its values (same fields as
	// the master) or its field/value pairs, each element length-prefixed.
	data    []byte
	nMaster int
	live    int
	deleted int
	// lpRest is the listpack size without its header and the two
	// counters at its front (their width changes as they are updated).
	lpRest int
}

// ListpackIntSize is the size of an integer element of a listpack, backlen
// byte included.
func ListpackIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -32768 && v <= 32767:
		return 4
	case v >= -8388608 && v <= 8388607:
		return 5
	case v >= -2147483648 && v <= 2147483647:
		return 6
	}
	return 10
}

// ListpackEntrySize is the size of a listpack element holding b: strings that
// read as integers are stored as integers.
func ListpackEntrySize(b []byte) int {
	if v, ok := ParseInt(b); ok {
		return ListpackIntSize(v)
	}
	l := len(b)
	switch {
	case l < 64:
		l++
	case l < 4096:
		l += 2
	default:
		l += 5
	}
	switch {
	case l <= 127:
		return l + 1
	case l < 16383:
		return l + 2
	case l < 2097151:
		return l + 3
	case l < 268435455:
		return l + 4
	}
	return l + 5
}

// lpBytes is the size Redis's listpack for this node would have.
func (n *streamNode) lpBytes() int {
	return lpHeaderBytes + ListpackIntSize(int64(n.live)) + ListpackIntSize(int64(n.deleted)) + n.lpRest
}

func (n *streamNode) putBytes(b []byte) {
	n.data = binary.AppendUvarint(n.data, uint64(len(b)))
	n.data = append(n.data, b...)
}

// newStreamNode starts a node whose master fields are those of fv.
func newStreamNode(id StreamID, fv [][]byte) *streamNode {
	nf := len(fv) / 2
	size := 0
	for _, b := range fv {
		size += len(b) + 2
	}
	n := &streamNode{master: id, nMaster: nf, data: make([]byte, 0, size+size/2+8)}
	n.data = binary.AppendUvarint(n.data, uint64(nf))
	n.lpRest = ListpackIntSize(int64(nf)) + ListpackIntSize(0)
	for i := 0; i < nf; i++ {
		n.putBytes(fv[2*i])
		n.lpRest += ListpackEntrySize(fv[2*i])
	}
	return n
}

// sameFields reports whether fv has exactly the master fields, in order.
func (n *streamNode) sameFields(fv [][]byte) bool {
	if len(fv)/2 != n.nMaster {
		return false
	}
	p := n.masterStart()
	for i := 0; i < n.nMaster; i++ {
		f, next := readBytes(n.data, p)
		if string(f) != string(fv[2*i]) {
			return false
		}
		p = next
	}
	return true
}

// masterStart is where the first master field begins in data.
func (n *streamNode) masterStart() int {
	_, w := binary.Uvarint(n.data)
	return w
}

func readBytes(data []byte, p int) ([]byte, int) {
	l, w := binary.Uvarint(data[p:])
	p += w
	return data[p : p+int(l)], p + int(l)
}

// add appends an entry (its ID is greater than every ID in the node).
func (n *streamNode) add(id StreamID, fv [][]byte) {
	nf := len(fv) / 2
	flags := uint8(0)
	if n.sameFields(fv) {
		flags = entrySameFields
	}
	e := nodeEntry{id: id, off: uint32(len(n.data)), flags: flags}
	n.data = binary.AppendUvarint(n.data, uint64(nf))
	size := ListpackIntSize(int64(flags)) + ListpackIntSize(int64(id.Ms-n.master.Ms)) + ListpackIntSize(int64(id.Seq-n.master.Seq))
	count := 3 + nf
	if flags&entrySameFields == 0 {
		size += ListpackIntSize(int64(nf))
		count += nf + 1
	}
	for i := 0; i < nf; i++ {
		if flags&entrySameFields == 0 {
			n.putBytes(fv[2*i])
			size += ListpackEntrySize(fv[2*i])
		}
		n.putBytes(fv[2*i+1])
		size += ListpackEntrySize(fv[2*i+1])
	}
	size += ListpackIntSize(int64(count))
	n.lpRest += size
	n.ents = append(n.ents, e)
	n.live++
}

// search returns the index of the first entry whose ID is >= id.
func (n *streamNode) search(id StreamID) int {
	lo, hi := 0, len(n.ents)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if n.ents[m].id.Less(id) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// kill turns entry i into a tombstone.
func (n *streamNode) kill(i int) {
	n.ents[i].flags |= entryDeleted
	n.live--
	n.deleted++
}

// lastID is the ID of the node's last entry, tombstones included.
func (n *streamNode) lastID() StreamID { return n.ents[len(n.ents)-1].id }

func (n *streamNode) clone() *streamNode {
	c := *n
	c.ents = append([]nodeEntry(nil), n.ents...)
	c.data = append([]byte(nil), n.data...)
	return &c
}

// Entry is a read-only view of one stream entry, valid until the stream
// is next modified.
type Entry struct {
	n    *streamNode
	off  uint32
	same bool
}

func (n *streamNode) entry(i int) Entry {
	e := n.ents[i]
	return Entry{n: n, off: e.off, same: e.flags&entrySameFields != 0}
}

// NumFields is the number of field/value pairs.
func (e Entry) NumFields() int {
	nf, _ := binary.Uvarint(e.n.data[e.off:])
	return int(nf)
}

// Pairs returns an iterator over the entry's field/value pairs.
func (e Entry) Pairs() PairIter {
	nf, w := binary.Uvarint(e.n.data[e.off:])
	it := PairIter{data: e.n.data, p: int(e.off) + w, left: int(nf), same: e.same}
	if e.same {
		it.mp = e.n.masterStart()
	}
	return it
}

// PairIter walks an entry's fields and values.
type PairIter struct {
	data []byte
	p    int
	mp   int
	left int
	same bool
}

// Next returns the next field and value; ok is false at the end.
func (it *PairIter) Next() (field, value []byte, ok bool) {
	if it.left == 0 {
		return nil, nil, false
	}
	it.left--
	if it.same {
		field, it.mp = readBytes(it.data, it.mp)
	} else {
		field, it.p = readBytes(it.data, it.p)
	}
	value, it.p = readBytes(it.data, it.p)
	return field, value, true
}
