package server

import (
	"encoding/binary"
	"math/bits"

	"redoubt/commands"
	"redoubt/internal/keyspace"
)

// MEMORY USAGE estimates what a key would take in Redis 7.0: the sizes of
// Redis's structures (object header 16 bytes, hash table entry 24, sds
// headers, listpack and intset encodings, quicklist and skiplist nodes,
// the stream's radix tree and listpacks) rounded up to jemalloc's size
// classes, and, for large aggregates, an average over the first
// <samples> elements (or nodes) multiplied by their number, as Redis
// samples. The same figure is used as the freed-memory estimate when
// keys are evicted.

const (
	robjSize         = 16
	dictEntrySize    = 24
	dictSize         = 56
	quicklistSize    = 40
	quicklistNodeSz  = 40
	zsetStructSize   = 16
	zskiplistSize    = 32
	zslHeaderAlloc   = 640 // a node with the 32 levels of the header
	zslNodeAvgAlloc  = 53  // expected allocation of a node of random level
	streamStructSize = 80
	raxNodeCost      = 4 + 8*30
	streamIDSize     = 16
	streamCGSize     = 40
	streamNACKSize   = 24
	streamConsumerSz = 24
	streamPrealloc   = 4096
	lpOverhead       = 7 // listpack header and end byte
)

// jeSize is the usable size jemalloc returns for an n-byte request: 8,
// then multiples of 16 up to 128, then four classes per power of two.
func jeSize(n int64) int64 {
	if n <= 8 {
		return 8
	}
	if n <= 128 {
		return (n + 15) &^ 15
	}
	lg := bits.Len64(uint64(n-1)) - 1
	delta := int64(1) << (lg - 2)
	return (n + delta - 1) &^ (delta - 1)
}

// sdsHdr is the header size of an sds string of length n.
func sdsHdr(n int) int64 {
	switch {
	case n < 32:
		return 1
	case n < 256:
		return 3
	case n < 65536:
		return 5
	case int64(n) < 1<<32:
		return 9
	}
	return 17
}

// sdsAlloc is the allocation holding an sds string of length n.
func sdsAlloc(n int) int64 { return jeSize(sdsHdr(n) + int64(n) + 1) }

// lpBacklen is the size of the back-length field for an element of n
// bytes.
func lpBacklen(n int64) int64 {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	}
	return 5
}

// memoryUsage is MEMORY USAGE for key holding o; samples <= 0 means
// every element.
func (s *Server) memoryUsage(key string, o *keyspace.Object, samples int) int64 {
	n := sdsAlloc(len(key)) + dictEntrySize
	if o == nil {
		return n
	}
	if samples <= 0 {
		samples = int(^uint(0) >> 1)
	}
	return n + valueMemoryUsage(o, samples, s.set)
}

// valueMemoryUsage sizes a value under the given encoding settings.
func valueMemoryUsage(o *keyspace.Object, samples int, set *commands.Settings) int64 {
	fill := set.ListMaxListpackSize
	switch v := o.Val.(type) {
	case *keyspace.List:
		return listMemoryUsage(v, samples, fill)
	case *keyspace.Hash:
		return hashMemoryUsage(v, samples)
	case *keyspace.Set:
		return setMemoryUsage(v, samples)
	case *keyspace.ZSet:
		return zsetMemoryUsage(v, samples)
	case *keyspace.Stream:
		return streamMemoryUsage(v, samples, set.StreamNodeMaxBytes)
	}
	switch o.Encoding() {
	case "int":
		return robjSize
	case "embstr":
		return jeSize(robjSize + 3 + int64(len(o.Str)) + 1)
	}
	if o.Flags&keyspace.FlagRaw != 0 && cap(o.Str) > len(o.Str) {
		// Grown in place (APPEND, SETRANGE): Redis reserves room ahead,
		// doubling the length below 1 MB, adding 1 MB above.
		n := int64(len(o.Str))
		if n < 1<<20 {
			n *= 2
		} else {
			n += 1 << 20
		}
		return robjSize + jeSize(max(sdsHdr(int(n)), 3)+n+1)
	}
	return robjSize + sdsAlloc(len(o.Str))
}

// quicklistNodeLimit is the byte limit (or, for positive fill, the entry
// count) of a quicklist node under list-max-listpack-size.
func quicklistNodeLimit(fill int) (maxBytes int64, maxCount int) {
	if fill >= 0 {
		if fill == 0 {
			fill = 1
		}
		return 8192, fill
	}
	sizes := []int64{4096, 8192, 16384, 32768, 65536}
	i := -fill - 1
	if i >= len(sizes) {
		i = len(sizes) - 1
	}
	return sizes[i], int(^uint(0) >> 1)
}

// quicklistNodes packs the list's elements into quicklist nodes the way
// appending at the tail fills them, calling fn with each node's listpack
// bytes and element count. It stops early when fn returns false.
func quicklistNodes(l *keyspace.List, fill int, fn func(lpBytes int64, count int) bool) {
	maxBytes, maxCount := quicklistNodeLimit(fill)
	cur, cnt := int64(lpOverhead), 0
	stopped := false
	l.Range(func(v []byte) bool {
		e := lpEntryLen(v)
		if cnt > 0 && (cur+e > maxBytes || cnt+1 > maxCount) {
			if !fn(cur, cnt) {
				stopped = true
				return false
			}
			cur, cnt = lpOverhead, 0
		}
		cur += e
		cnt++
		return true
	})
	if !stopped && cnt > 0 {
		fn(cur, cnt)
	}
}

func listMemoryUsage(l *keyspace.List, samples, fill int) int64 {
	size := int64(robjSize + quicklistSize)
	var elesize int64
	nodes, seenElems := 0, 0
	quicklistNodes(l, fill, func(b int64, count int) bool {
		elesize += quicklistNodeSz + jeSize(b)
		nodes++
		seenElems += count
		return nodes < samples
	})
	if nodes == 0 {
		return size
	}
	total := nodes
	if seenElems < l.Len() {
		// Extrapolate the node count from the sampled nodes' fill.
		per := float64(seenElems) / float64(nodes)
		total = int((float64(l.Len()) + per - 1) / per)
	}
	return size + int64(float64(elesize)/float64(nodes)*float64(total))
}

func hashMemoryUsage(h *keyspace.Hash, samples int) int64 {
	if h.IsListpack() {
		b := int64(lpOverhead)
		h.Range(func(f, v []byte) bool {
			b += lpEntryLen(f) + lpEntryLen(v)
			return true
		})
		return robjSize + jeSize(b)
	}
	size := int64(robjSize+dictSize) + 8*tableSlots(h.Len())
	var elesize int64
	n := 0
	h.Range(func(f, v []byte) bool {
		elesize += sdsAlloc(len(f)) + sdsAlloc(len(v)) + dictEntrySize
		n++
		return n < samples
	})
	if n > 0 {
		size += int64(float64(elesize) / float64(n) * float64(h.Len()))
	}
	return size
}

func setMemoryUsage(st *keyspace.Set, samples int) int64 {
	if st.IsIntset() {
		width := int64(2)
		for _, v := range st.Ints() {
			switch {
			case v < -2147483648 || v > 2147483647:
				width = 8
			case (v < -32768 || v > 32767) && width < 4:
				width = 4
			}
		}
		return robjSize + jeSize(8+width*int64(st.Len()))
	}
	size := int64(robjSize+dictSize) + 8*tableSlots(st.Len())
	var elesize int64
	n := 0
	st.Range(func(m []byte) bool {
		elesize += dictEntrySize + sdsAlloc(len(m))
		n++
		return n < samples
	})
	if n > 0 {
		size += int64(float64(elesize) / float64(n) * float64(st.Len()))
	}
	return size
}

func zsetMemoryUsage(z *keyspace.ZSet, samples int) int64 {
	if z.IsListpack() {
		b := int64(lpOverhead)
		var tmp []byte
		z.Range(func(m string, score float64) bool {
			tmp = keyspace.AppendListpackScore(tmp[:0], score)
			b += lpEntryLen([]byte(m)) + lpEntryLen(tmp)
			return true
		})
		return robjSize + jeSize(b)
	}
	size := int64(robjSize+zsetStructSize+zskiplistSize+dictSize) + 8*tableSlots(z.Len()) + zslHeaderAlloc
	var elesize int64
	n := 0
	z.Range(func(m string, _ float64) bool {
		elesize += sdsAlloc(len(m)) + dictEntrySize + zslNodeAvgAlloc
		n++
		return n < samples
	})
	if n > 0 {
		size += int64(float64(elesize) / float64(n) * float64(z.Len()))
	}
	return size
}

// streamNodeBytes is the listpack size of one stream node: the master
// entry (counts, the first entry's field names, a terminator) and each
// entry (flags, ID deltas, fields unless they are the master's, values,
// element count).
func streamNodeBytes(master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, entries []keyspace.Entry) int64 {
	live, dead := 0, 0
	for _, d := range deleted {
		if d {
			dead++
		} else {
			live++
		}
	}
	b := int64(lpOverhead) + lpIntLen(int64(live)) + lpIntLen(int64(dead))
	var mfields [][]byte
	if len(entries) > 0 {
		it := entries[0].Pairs()
		for f, _, ok := it.Next(); ok; f, _, ok = it.Next() {
			mfields = append(mfields, f)
		}
	}
	b += lpIntLen(int64(len(mfields))) + lpIntLen(0)
	for _, f := range mfields {
		b += lpEntryLen(f)
	}
	for i, e := range entries {
		b += 2 + lpIntLen(int64(ids[i].Ms-master.Ms)) + lpIntLen(int64(ids[i].Seq-master.Seq))
		same := e.NumFields() == len(mfields)
		var fields, values int64
		k := 0
		it := e.Pairs()
		for f, v, ok := it.Next(); ok; f, v, ok = it.Next() {
			if same && string(f) != string(mfields[k]) {
				same = false
			}
			fields += lpEntryLen(f)
			values += lpEntryLen(v)
			k++
		}
		count := int64(e.NumFields())
		if same {
			b += values + lpIntLen(count+3)
		} else {
			b += lpIntLen(count) + fields + values + lpIntLen(2*count+4)
		}
	}
	return b
}

// streamMemoryUsage sizes a stream. Redis allocates a new node's
// listpack at its preallocation size (4096 bytes, or stream-node-max-bytes
// if smaller) and shrinks it to fit when the node is closed, so only the
// last node carries the preallocation.
func streamMemoryUsage(st *keyspace.Stream, samples int, nodeMaxBytes int) int64 {
	size := int64(robjSize + streamStructSize)
	nodes := st.NodeCount()
	size += int64(nodes)*streamIDSize + int64(st.RadixNodes())*raxNodeCost
	prealloc := int64(streamPrealloc)
	if nodeMaxBytes > 0 && int64(nodeMaxBytes) < prealloc {
		prealloc = int64(nodeMaxBytes)
	}
	var lpsize, last int64
	seen := 0
	st.Nodes(func(master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, entries []keyspace.Entry) {
		b := streamNodeBytes(master, ids, deleted, entries)
		alloc := jeSize(b)
		if seen == nodes-1 {
			alloc = jeSize(max(prealloc, b))
		}
		if seen < samples {
			lpsize += alloc
		}
		seen++
		last = alloc
	})
	sampled := min(seen, samples)
	if nodes <= sampled {
		size += lpsize
	} else if sampled > 0 {
		size += lpsize/int64(sampled)*int64(nodes-1) + last
	}
	for _, g := range st.Groups() {
		pel := int64(g.PEL.Len())
		size += streamCGSize + raxMemoryUsage(&g.PEL) + streamNACKSize*pel
		for _, c := range g.Consumers() {
			size += streamConsumerSz + int64(len(c.Name)) + raxMemoryUsage(&c.PEL)
		}
	}
	return size
}

// raxMemoryUsage is Redis's estimate for a radix tree of stream IDs:
// 16 bytes per element and a fixed cost per tree node.
func raxMemoryUsage(t *keyspace.IDTree[*keyspace.NACK]) int64 {
	var keys [][16]byte
	t.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, _ *keyspace.NACK) bool {
		var k [16]byte
		binary.BigEndian.PutUint64(k[:8], id.Ms)
		binary.BigEndian.PutUint64(k[8:], id.Seq)
		keys = append(keys, k)
		return true
	})
	return int64(len(keys))*streamIDSize + int64(keyspace.RaxNodes(keys))*raxNodeCost
}

// lpEntryLen is the size of a listpack element holding b, as the stream
// and listpack encodings in keyspace compute it.
func lpEntryLen(b []byte) int64 { return int64(keyspace.ListpackEntrySize(b)) }

// lpIntLen is the size of an integer listpack element.
func lpIntLen(v int64) int64 { return int64(keyspace.ListpackIntSize(v)) }
