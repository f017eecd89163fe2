package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
	"sync"

	"redoubt/internal/keyspace"
)

// Redis 7.0 writes small values in their in-memory compact forms, and so
// do we: a hash or sorted set held as a listpack goes out as
// HASH_LISTPACK / ZSET_LISTPACK, an intset as INTSET, and every list as
// QUICKLIST_2 (listpack nodes). Files get smaller, and Redis loads these
// blobs as they are. Redis 7.0 has no listpack form for sets (7.2 added
// SET_LISTPACK), so other sets stay plain.

// Type bytes of the compact forms.
const (
	wTypeIntset       = 11
	wTypeHashListpack = 16
	wTypeZSetListpack = 17
	wTypeQuicklist2   = 18
)

// quicklistNodeBytes is the listpack size a list node stops growing at
// (list-max-listpack-size -2, Redis's default: 8 KB).
const quicklistNodeBytes = 8192

// quicklistPacked is the container kind of a listpack node.
const quicklistPacked = 2

// scratch buffers for building blobs before they are copied out.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// withListpack builds a listpack with fill in a pooled buffer and hands
// it to use.
func withListpack(fill func(lp *listpack), use func(blob []byte)) {
	bp := scratch.Get().(*[]byte)
	var lp listpack
	lp.start((*bp)[:0])
	fill(&lp)
	use(lp.finish())
	if cap(lp.b) <= 1<<20 { // do not keep huge buffers around
		*bp = lp.b[:0]
		scratch.Put(bp)
	}
}

// appendHashListpack writes a listpack hash: field, value, ... in order.
func appendHashListpack(dst []byte, h *keyspace.Hash, compress bool) []byte {
	withListpack(func(lp *listpack) {
		h.Range(func(f, v []byte) bool {
			lp.str(f)
			lp.str(v)
			return true
		})
	}, func(blob []byte) { dst = appendString(dst, blob, compress) })
	return dst
}

// appendZSetListpack writes a listpack sorted set: member, score, ... in
// score order, scores as Redis formats them (integers when integral).
func appendZSetListpack(dst []byte, z *keyspace.ZSet, compress bool) []byte {
	var num [32]byte
	withListpack(func(lp *listpack) {
		z.Range(func(m string, score float64) bool {
			lp.str([]byte(m))
			lp.str(formatScore(num[:0], score))
			return true
		})
	}, func(blob []byte) { dst = appendString(dst, blob, compress) })
	return dst
}

// formatScore renders a score as Redis's d2string does: integral values
// within 2^52 as integers, infinities as inf/-inf, others with 17
// significant digits (which read back to the same double).
func formatScore(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case v > -4503599627370495 && v < 4503599627370496 && v == math.Trunc(v):
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return strconv.AppendFloat(dst, v, 'g', 17, 64)
}

// appendIntset writes an intset: element width, count, then the sorted
// members little-endian at the smallest width that holds them all.
func appendIntset(dst []byte, ints []int64, compress bool) []byte {
	width := 2
	for _, v := range ints {
		if v < math.MinInt32 || v > math.MaxInt32 {
			width = 8
			break
		}
		if v < math.MinInt16 || v > math.MaxInt16 {
			width = 4
		}
	}
	b := make([]byte, 0, 8+width*len(ints))
	b = binary.LittleEndian.AppendUint32(b, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ints)))
	for _, v := range ints {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(v)))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(int32(v)))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return appendString(dst, b, compress)
}

// appendQuicklist writes a list as QUICKLIST_2: the node count, then per
// node its container kind and its listpack, each node filled up to
// quicklistNodeBytes.
func appendQuicklist(dst []byte, l *keyspace.List, compress bool) []byte {
	bp := scratch.Get().(*[]byte)
	body := (*bp)[:0] // the nodes, written after their count
	nodes := 0
	var lp listpack
	lp.start(nil)
	flush := func() {
		body = appendLen(body, quicklistPacked)
		body = appendString(body, lp.finish(), compress)
		nodes++
		lp.start(lp.b[:0])
	}
	l.Range(func(v []byte) bool {
		if lp.n > 0 && len(lp.b)+len(v)+11 > quicklistNodeBytes {
			flush()
		}
		lp.str(v)
		return true
	})
	if lp.n > 0 {
		flush()
	}
	dst = appendLen(dst, uint64(nodes))
	dst = append(dst, body...)
	if cap(body) <= 1<<20 {
		*bp = body[:0]
		scratch.Put(bp)
	}
	return dst
}
