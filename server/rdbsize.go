package server

import (
	"encoding/binary"
	"strconv"

	"redoubt/internal/keyspace"
)

// serializedLength is what DEBUG OBJECT reports as serializedlength: the
// size of the value in Redis 7.0's RDB encoding (without the type byte
// and key). Strings of up to 11 characters that read as 32-bit integers
// are stored as integers; longer ones are LZF-compressed (when
// rdbcompression is on) if that saves at least 4 bytes; small aggregates
// are stored as their listpack or intset blob, itself a string.

// rdbLenSize is the size of an RDB length field.
func rdbLenSize(n uint64) int64 {
	switch {
	case n < 1<<6:
		return 1
	case n < 1<<14:
		return 2
	case n <= 1<<32-1:
		return 5
	}
	return 9
}

// rdbIntSize is the size of an integer stored in the integer string
// encoding, or 0 when it does not fit 32 bits.
func rdbIntSize(v int64) int64 {
	switch {
	case v >= -1<<7 && v <= 1<<7-1:
		return 2
	case v >= -1<<15 && v <= 1<<15-1:
		return 3
	case v >= -1<<31 && v <= 1<<31-1:
		return 5
	}
	return 0
}

// rdbSizer computes RDB string sizes; it keeps the LZF hash table
// between strings.
type rdbSizer struct {
	compress bool
	lzf      *lzfState
}

func (z *rdbSizer) str(b []byte) int64 {
	if len(b) <= 11 {
		if v, ok := keyspace.ParseInt(b); ok {
			if n := rdbIntSize(v); n > 0 {
				return n
			}
		}
	}
	if z.compress && len(b) > 20 {
		if z.lzf == nil {
			z.lzf = &lzfState{}
		}
		if c := z.lzf.compressedLen(b, len(b)-4); c > 0 {
			return 1 + rdbLenSize(uint64(c)) + rdbLenSize(uint64(len(b))) + int64(c)
		}
	}
	return rdbLenSize(uint64(len(b))) + int64(len(b))
}

// serializedLength sizes o's RDB encoding.
func (s *Server) serializedLength(o *keyspace.Object) int64 {
	z := &rdbSizer{compress: s.cfg.Bool("rdbcompression")}
	switch v := o.Val.(type) {
	case *keyspace.List:
		var lp []byte
		nodes, total := 0, int64(0)
		quicklistPack(v, s.set.ListMaxListpackSize, func(elems [][]byte) {
			lp = appendListpack(lp[:0], elems)
			total += 1 + z.str(lp)
			nodes++
		})
		return rdbLenSize(uint64(nodes)) + total
	case *keyspace.Hash:
		if v.IsListpack() {
			var elems [][]byte
			v.Range(func(f, val []byte) bool { elems = append(elems, f, val); return true })
			return z.str(appendListpack(nil, elems))
		}
		n := rdbLenSize(uint64(v.Len()))
		v.Range(func(f, val []byte) bool { n += z.str(f) + z.str(val); return true })
		return n
	case *keyspace.Set:
		if v.IsIntset() {
			return z.str(intsetBlob(v.Ints()))
		}
		n := rdbLenSize(uint64(v.Len()))
		v.Range(func(m []byte) bool { n += z.str(m); return true })
		return n
	case *keyspace.ZSet:
		if v.IsListpack() {
			var elems [][]byte
			v.Range(func(m string, score float64) bool {
				elems = append(elems, []byte(m), keyspace.AppendListpackScore(nil, score))
				return true
			})
			return z.str(appendListpack(nil, elems))
		}
		n := rdbLenSize(uint64(v.Len()))
		v.Range(func(m string, _ float64) bool { n += z.str([]byte(m)) + 8; return true })
		return n
	case *keyspace.Stream:
		return streamSerializedLength(v, z)
	}
	if o.Encoding() == "int" {
		v, _ := keyspace.ParseInt(o.Str)
		if n := rdbIntSize(v); n > 0 {
			return n
		}
		return rdbLenSize(uint64(len(o.Str))) + int64(len(o.Str))
	}
	return z.str(o.Str)
}

func streamSerializedLength(st *keyspace.Stream, z *rdbSizer) int64 {
	n := rdbLenSize(uint64(st.NodeCount()))
	st.Nodes(func(master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, entries []keyspace.Entry) {
		n += 17 + z.str(streamNodeListpack(master, ids, deleted, entries))
	})
	last := st.Edge(false, true)
	first := st.Edge(true, false)
	n += rdbLenSize(st.Length()) + rdbLenSize(last.Ms) + rdbLenSize(last.Seq)
	n += rdbLenSize(first.Ms) + rdbLenSize(first.Seq)
	n += 2 + rdbLenSize(st.Length()) // deleted-entry ID (approximated as 0-0), entries added
	groups := st.Groups()
	n += rdbLenSize(uint64(len(groups)))
	for _, g := range groups {
		n += z.str([]byte(g.Name)) + rdbLenSize(g.LastID.Ms) + rdbLenSize(g.LastID.Seq) + rdbLenSize(uint64(max(g.EntriesRead, 0)))
		pel := int64(g.PEL.Len())
		n += rdbLenSize(uint64(pel)) + pel*(16+8+1)
		cons := g.Consumers()
		n += rdbLenSize(uint64(len(cons)))
		for _, c := range cons {
			cp := int64(c.PEL.Len())
			n += z.str([]byte(c.Name)) + 8 + rdbLenSize(uint64(cp)) + cp*16
		}
	}
	return n
}

// streamNodeListpack rebuilds the listpack Redis keeps for one stream
// node: the master entry (live and deleted counts, the first entry's
// field names, a 0 terminator), then per entry its flags, ID deltas,
// fields unless they are the master's, values and element count.
func streamNodeListpack(master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, entries []keyspace.Entry) []byte {
	num := func(v int64) []byte { return strconv.AppendInt(nil, v, 10) }
	live, dead := 0, 0
	for _, d := range deleted {
		if d {
			dead++
		} else {
			live++
		}
	}
	var mfields [][]byte
	if len(entries) > 0 {
		it := entries[0].Pairs()
		for f, _, ok := it.Next(); ok; f, _, ok = it.Next() {
			mfields = append(mfields, f)
		}
	}
	elems := [][]byte{num(int64(live)), num(int64(dead)), num(int64(len(mfields)))}
	elems = append(elems, mfields...)
	elems = append(elems, num(0))
	for i, e := range entries {
		var fs, vs [][]byte
		it := e.Pairs()
		for f, v, ok := it.Next(); ok; f, v, ok = it.Next() {
			fs, vs = append(fs, f), append(vs, v)
		}
		same := len(fs) == len(mfields)
		for k := 0; same && k < len(fs); k++ {
			same = string(fs[k]) == string(mfields[k])
		}
		flags := int64(0)
		if deleted[i] {
			flags |= 1
		}
		if same {
			flags |= 2
		}
		elems = append(elems, num(flags), num(int64(ids[i].Ms-master.Ms)), num(int64(ids[i].Seq-master.Seq)))
		if same {
			elems = append(elems, vs...)
			elems = append(elems, num(int64(len(fs)+3)))
		} else {
			elems = append(elems, num(int64(len(fs))))
			for k := range fs {
				elems = append(elems, fs[k], vs[k])
			}
			elems = append(elems, num(int64(2*len(fs)+4)))
		}
	}
	return appendListpack(nil, elems)
}

// quicklistPack groups the list's elements into quicklist nodes (see
// quicklistNodes) and calls fn with each node's elements.
func quicklistPack(l *keyspace.List, fill int, fn func(elems [][]byte)) {
	maxBytes, maxCount := quicklistNodeLimit(fill)
	var cur [][]byte
	size := int64(lpOverhead)
	l.Range(func(v []byte) bool {
		e := lpEntryLen(v)
		if len(cur) > 0 && (size+e > maxBytes || len(cur)+1 > maxCount) {
			fn(cur)
			cur, size = cur[:0], lpOverhead
		}
		cur = append(cur, append([]byte(nil), v...))
		size += e
		return true
	})
	if len(cur) > 0 {
		fn(cur)
	}
}

// appendListpack encodes elems as a listpack: a 6-byte header (total
// bytes, element count), each element (integer or string encoding plus
// its back-length) and the 0xFF terminator.
func appendListpack(dst []byte, elems [][]byte) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0)
	for _, e := range elems {
		at := len(dst)
		if v, ok := keyspace.ParseInt(e); ok {
			dst = appendLpInt(dst, v)
		} else {
			n := len(e)
			switch {
			case n < 64:
				dst = append(dst, 0x80|byte(n))
			case n < 4096:
				dst = append(dst, 0xE0|byte(n>>8), byte(n))
			default:
				dst = append(dst, 0xF0)
				dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
			}
			dst = append(dst, e...)
		}
		dst = appendBacklen(dst, uint64(len(dst)-at))
	}
	dst = append(dst, 0xFF)
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	count := len(elems)
	if count > 65535 {
		count = 65535
	}
	binary.LittleEndian.PutUint16(dst[start+4:], uint16(count))
	return dst
}

func appendLpInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		return append(dst, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		return append(dst, 0xC0|byte(u>>8), byte(u))
	case v >= -32768 && v <= 32767:
		return binary.LittleEndian.AppendUint16(append(dst, 0xF1), uint16(v))
	case v >= -8388608 && v <= 8388607:
		u := uint32(v)
		return append(dst, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case v >= -2147483648 && v <= 2147483647:
		return binary.LittleEndian.AppendUint32(append(dst, 0xF3), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(dst, 0xF4), uint64(v))
}

// appendBacklen writes an element's length in 7-bit groups, most
// significant first, every byte but the first flagged with 0x80.
func appendBacklen(dst []byte, l uint64) []byte {
	n := int(lpBacklen(int64(l)))
	for i := n - 1; i >= 0; i-- {
		b := byte(l>>(7*uint(i))) & 127
		if i != n-1 {
			b |= 128
		}
		dst = append(dst, b)
	}
	return dst
}

// intsetBlob encodes sorted integers as an intset: encoding width and
// count (little-endian uint32 each), then the values.
func intsetBlob(vals []int64) []byte {
	width := 2
	for _, v := range vals {
		switch {
		case v < -1<<31 || v > 1<<31-1:
			width = 8
		case (v < -1<<15 || v > 1<<15-1) && width < 4:
			width = 4
		}
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// LZF compression as Redis's bundled liblzf performs it (hash log 16,
// the "very fast" variant), used to find out whether RDB would store a
// string compressed and how long the result is.

const (
	lzfHashLog = 16
	lzfHashLen = 1 << lzfHashLog
	lzfMaxLit  = 1 << 5
	lzfMaxOff  = 1 << 13
	lzfMaxRef  = 1<<8 + 1<<3
)

// lzfState is the compressor's hash table of recent positions. Entries
// carry the generation of the compression that wrote them, so the table
// reads as empty for each new input without being cleared.
type lzfState struct {
	pos [lzfHashLen]uint32
	gen [lzfHashLen]uint32
	cur uint32
}

func lzfSlot(h uint32) uint32 { return ((h >> (3*8 - lzfHashLog)) - h*5) & (lzfHashLen - 1) }

// compressedLen compresses in and returns the output length, or 0 when
// the output would not fit in outLen bytes.
func (st *lzfState) compressedLen(in []byte, outLen int) int {
	out := st.compress(in, outLen)
	return len(out)
}

// compress returns the LZF form of in, or nil when it exceeds outLen.
func (st *lzfState) compress(in []byte, outLen int) []byte {
	inLen := len(in)
	if inLen == 0 || outLen <= 0 {
		return nil
	}
	st.cur++
	get := func(h uint32) int {
		if st.gen[h] != st.cur {
			return 0
		}
		return int(st.pos[h])
	}
	put := func(h uint32, p int) { st.pos[h], st.gen[h] = uint32(p), st.cur }
	out := make([]byte, outLen+8)
	ip, op, lit := 0, 1, 0
	var hval uint32
	if inLen >= 2 {
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < inLen-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := lzfSlot(hval)
		ref := get(slot)
		put(slot, ip)
		off := ip - ref - 1
		if ref > 0 && ref < ip && off < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			l := 2
			maxLen := min(inLen-ip-l, lzfMaxRef)
			if op+3+1 >= outLen {
				nlit := 0
				if lit == 0 {
					nlit = 1
				}
				if op-nlit+3+1 >= outLen {
					return nil
				}
			}
			out[op-lit-1] = byte(lit - 1)
			if lit == 0 {
				op--
			}
			l = lzfMatchLen(in, ref, ip, maxLen)
			l -= 2
			ip++
			if l < 7 {
				out[op] = byte(off>>8 + l<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2
			lit = 0
			ip += l + 1
			if ip >= inLen-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			put(lzfSlot(hval), ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			put(lzfSlot(hval), ip)
			ip++
			continue
		}
		if op >= outLen {
			return nil
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outLen {
		return nil
	}
	for ip < inLen {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return out[:op]
}

// lzfMatchLen extends a 3-byte match at ref/ip. Like liblzf, when more
// than 16 bytes may match it first compares 16 bytes unconditionally,
// which can carry the match up to two bytes past maxLen.
func lzfMatchLen(in []byte, ref, ip, maxLen int) int {
	l := 2
	if maxLen > 16 {
		for k := 0; k < 16; k++ {
			l++
			if in[ref+l] != in[ip+l] {
				return l
			}
		}
	}
	for {
		l++
		if l >= maxLen || in[ref+l] != in[ip+l] {
			return l
		}
	}
}
