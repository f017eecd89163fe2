package keyspace

import "sort"

// Stream is the value of a stream key: entries ordered by ID, kept in
// nodes (see stream_node.go), plus the stream's counters and its consumer
// groups. Unlike other collections a stream may be empty and still exist.
type Stream struct {
	nodes  []*streamNode // ordered by master ID
	length uint64
	// LastID is the greatest ID ever added (or set by XSETID).
	LastID StreamID
	// FirstID is the first live entry's ID (0-0 when empty), as recorded.
	FirstID StreamID
	// MaxDeletedID is the greatest ID removed by XDEL (or set by XSETID).
	MaxDeletedID StreamID
	// EntriesAdded counts every entry ever added.
	EntriesAdded uint64
	groups       map[string]*Group
}

// NewStream makes an empty stream.
func NewStream() *Stream { return &Stream{} }

// Encoding is what OBJECT ENCODING reports.
func (s *Stream) Encoding() string { return "stream" }

// Len is the number of live entries.
func (s *Stream) Len() int { return int(s.length) }

// Length is the number of live entries.
func (s *Stream) Length() uint64 { return s.length }

// NodeCount is the number of nodes (XINFO's radix-tree-keys).
func (s *Stream) NodeCount() int { return len(s.nodes) }

// NextID is the ID XADD * generates at time nowMs: the current time with
// sequence 0, or, when the clock has not moved past the last ID, the
// successor of the last ID. ok is false when no ID is left.
func (s *Stream) NextID(nowMs int64) (StreamID, bool) {
	if ms := uint64(nowMs); nowMs > 0 && ms > s.LastID.Ms {
		return StreamID{ms, 0}, true
	}
	return s.LastID.Incr()
}

// TooLarge reports whether an entry's fields and values are too large to
// fit in a node.
func TooLarge(fv [][]byte) bool {
	total := 0
	for _, b := range fv {
		total += len(b)
	}
	return total > streamLPMaxSize
}

// Append adds an entry; the caller checked id > LastID. fv alternates
// fields and values and is copied. maxBytes and maxEntries are the
// stream-node-max-bytes and stream-node-max-entries settings.
func (s *Stream) Append(id StreamID, fv [][]byte, maxBytes, maxEntries int) {
	var tail *streamNode
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		// A node is closed when the entry's raw size would take its
		// listpack to the byte limit, or when it already holds as many
		// entries (tombstones included) as allowed.
		limit := maxBytes
		if limit <= 0 || limit > streamLPMaxSize {
			limit = streamLPMaxSize
		}
		total := 0
		for _, b := range fv {
			total += len(b)
		}
		if tail.lpBytes()+total >= limit {
			tail = nil
		} else if maxEntries > 0 && tail.live+tail.deleted >= maxEntries {
			tail = nil
		}
	}
	if tail == nil {
		tail = newStreamNode(id, fv)
		s.nodes = append(s.nodes, tail)
	}
	tail.add(id, fv)
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
}

// nodeFor returns the index of the node that would hold id: the last one
// whose master ID is <= id (0 if none).
func (s *Stream) nodeFor(id StreamID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	if i > 0 {
		i--
	}
	return i
}

func (s *Stream) removeNode(i int) {
	if i == 0 {
		s.nodes[0] = nil
		s.nodes = s.nodes[1:]
		return
	}
	copy(s.nodes[i:], s.nodes[i+1:])
	s.nodes[len(s.nodes)-1] = nil
	s.nodes = s.nodes[:len(s.nodes)-1]
}

// Get returns the live entry with the given ID.
func (s *Stream) Get(id StreamID) (Entry, bool) {
	if len(s.nodes) == 0 {
		return Entry{}, false
	}
	n := s.nodes[s.nodeFor(id)]
	i := n.search(id)
	if i < len(n.ents) && n.ents[i].id == id && n.ents[i].flags&entryDeleted == 0 {
		return n.entry(i), true
	}
	return Entry{}, false
}

// Delete removes the live entry with the given ID and reports whether
// there was one. It does not touch FirstID or MaxDeletedID.
func (s *Stream) Delete(id StreamID) bool {
	if len(s.nodes) == 0 {
		return false
	}
	ni := s.nodeFor(id)
	n := s.nodes[ni]
	i := n.search(id)
	if i >= len(n.ents) || n.ents[i].id != id || n.ents[i].flags&entryDeleted != 0 {
		return false
	}
	if n.live == 1 {
		s.removeNode(ni)
	} else {
		n.kill(i)
	}
	s.length--
	return true
}

// Edge returns the first (or last) entry's ID, tombstones included when
// tombs is set. An empty stream gives the greatest ID for the first edge
// and 0-0 for the last, as Redis does.
func (s *Stream) Edge(first, tombs bool) StreamID {
	it := s.iter(StreamID{}, MaxStreamID, !first, tombs)
	if id, _, ok := it.Next(); ok {
		return id
	}
	if first {
		return MaxStreamID
	}
	return StreamID{}
}

// LastValidID is the ID of the last live entry (0-0 when empty).
func (s *Stream) LastValidID() StreamID { return s.Edge(false, false) }

// updateFirstID records the first live ID after entries went away.
func (s *Stream) updateFirstID() {
	if s.length == 0 {
		s.FirstID = StreamID{}
	} else {
		s.FirstID = s.Edge(true, false)
	}
}

// DeleteIDs is XDEL's work: it removes the given entries, keeps the
// first ID and the greatest deleted ID up to date, and returns how many
// entries went away.
func (s *Stream) DeleteIDs(ids []StreamID) int {
	deleted := 0
	firstGone := false
	for _, id := range ids {
		if !s.Delete(id) {
			continue
		}
		if id == s.FirstID {
			firstGone = true
		}
		if s.MaxDeletedID.Less(id) {
			s.MaxDeletedID = id
		}
		deleted++
	}
	if deleted > 0 {
		if s.length == 0 {
			s.FirstID = StreamID{}
		} else if firstGone {
			s.FirstID = s.Edge(true, false)
		}
	}
	return deleted
}

// Trim strategies.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs says how to trim: keep at most MaxLen entries, or drop the
// entries below MinID. Approx only removes whole nodes; Limit (0 = none)
// bounds the number of entries removed.
type TrimArgs struct {
	Strategy int
	MaxLen   int64
	MinID    StreamID
	Approx   bool
	Limit    int64
}

// Trim removes entries from the start of the stream as args ask and
// returns how many it removed. Whole nodes go first; an exact trim then
// marks the remaining entries of the first node one by one.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= uint64(a.MaxLen) {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.Limit > 0 && deleted+entries > a.Limit {
			break
		}
		var whole bool
		if a.Strategy == TrimMaxLen {
			whole = s.length-uint64(entries) >= uint64(a.MaxLen)
		} else {
			whole = n.lastID().Less(a.MinID)
		}
		if whole {
			s.removeNode(0)
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		for i := range n.ents {
			e := &n.ents[i]
			if a.Strategy == TrimMaxLen {
				if s.length <= uint64(a.MaxLen) {
					break
				}
			} else if !e.id.Less(a.MinID) {
				break
			}
			if e.flags&entryDeleted == 0 {
				n.kill(i)
				s.length--
				deleted++
			}
		}
		break
	}
	if deleted > 0 {
		s.updateFirstID()
	}
	return deleted
}

// RangeHasTombstones reports whether a deleted entry may lie between
// start and end (nil meaning the stream's ends), judging by the greatest
// deleted ID.
func (s *Stream) RangeHasTombstones(start, end *StreamID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	// Deletions that all lie before the first live entry leave no hole.
	if s.MaxDeletedID.Less(s.FirstID) {
		return false
	}
	lo, hi := StreamID{}, MaxStreamID
	if start != nil {
		lo = *start
	}
	if end != nil {
		hi = *end
	}
	return !s.MaxDeletedID.Less(lo) && !hi.Less(s.MaxDeletedID)
}

// EstimateEntriesRead returns how many entries had been added up to and
// including id, or -1 when that cannot be known (deletions in the way, or
// an ID beyond the last one).
func (s *Stream) EstimateEntriesRead(id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Cmp(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch id.Cmp(s.LastID) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return -1
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		switch id.Cmp(s.FirstID) {
		case -1:
			return int64(s.EntriesAdded - s.length)
		case 0:
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return -1
}

// StreamIter walks entries between two IDs, forwards or backwards.
type StreamIter struct {
	s          *Stream
	start, end StreamID
	rev, tombs bool
	ni, ei     int
}

// Iter starts an iteration over the live entries with start <= ID <= end.
func (s *Stream) Iter(start, end StreamID, rev bool) StreamIter {
	return s.iter(start, end, rev, false)
}

func (s *Stream) iter(start, end StreamID, rev, tombs bool) StreamIter {
	it := StreamIter{s: s, start: start, end: end, rev: rev, tombs: tombs}
	if len(s.nodes) == 0 || end.Less(start) {
		it.ni = -1
		return it
	}
	if rev {
		it.ni = s.nodeFor(end)
		n := s.nodes[it.ni]
		it.ei = n.search(end)
		if it.ei < len(n.ents) && n.ents[it.ei].id == end {
			it.ei++
		}
		it.ei--
	} else {
		it.ni = s.nodeFor(start)
		it.ei = s.nodes[it.ni].search(start)
	}
	return it
}

// Next returns the next entry, or ok=false when the range is exhausted.
func (it *StreamIter) Next() (StreamID, Entry, bool) {
	nodes := it.s.nodes
	for it.ni >= 0 && it.ni < len(nodes) {
		n := nodes[it.ni]
		if it.rev {
			if it.ei < 0 {
				it.ni--
				if it.ni >= 0 {
					it.ei = len(nodes[it.ni].ents) - 1
				}
				continue
			}
			e := n.ents[it.ei]
			i := it.ei
			it.ei--
			if e.id.Less(it.start) {
				it.ni = -1
				break
			}
			if e.flags&entryDeleted != 0 && !it.tombs {
				continue
			}
			return e.id, n.entry(i), true
		}
		if it.ei >= len(n.ents) {
			it.ni++
			it.ei = 0
			continue
		}
		e := n.ents[it.ei]
		i := it.ei
		it.ei++
		if it.end.Less(e.id) {
			it.ni = -1
			break
		}
		if e.flags&entryDeleted != 0 && !it.tombs {
			continue
		}
		return e.id, n.entry(i), true
	}
	return StreamID{}, Entry{}, false
}

// RadixNodes is the node count of the radix tree Redis would hold for
// this stream's node keys (XINFO's radix-tree-nodes). Redis's tree keeps
// a canonical compressed shape, so the count follows from the sorted keys.
func (s *Stream) RadixNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		keys[i] = n.master.radixKey()
	}
	return raxCount(keys, 0)
}

// RaxNodes counts the nodes of the compressed radix tree Redis builds
// for sorted fixed-length keys (an empty tree is its root alone).
func RaxNodes(keys [][16]byte) int { return raxCount(keys, 0) }

// raxCount counts the tree nodes below a node at depth d whose subtree
// holds keys: a run of bytes shared by all keys is one compressed node, a
// point where they diverge is one branching node, and each key ends in
// a leaf.
func raxCount(keys [][16]byte, d int) int {
	if len(keys) == 0 || d == 16 {
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	l := 0
	for d+l < 16 && first[d+l] == last[d+l] {
		l++
	}
	if l > 0 {
		return 1 + raxCount(keys, d+l)
	}
	total := 1
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		total += raxCount(keys[i:j], d+1)
		i = j
	}
	return total
}

// Nodes reports, for a snapshot writer, each node's master ID and its
// entries (tombstones included) in order. A node never loses entries, so
// its first entry's fields are its listpack's master fields.
func (s *Stream) Nodes(fn func(master StreamID, ids []StreamID, deleted []bool, entries []Entry)) {
	for _, n := range s.nodes {
		ids := make([]StreamID, len(n.ents))
		del := make([]bool, len(n.ents))
		ents := make([]Entry, len(n.ents))
		for i, e := range n.ents {
			ids[i], del[i], ents[i] = e.id, e.flags&entryDeleted != 0, n.entry(i)
		}
		fn(n.master, ids, del, ents)
	}
}
