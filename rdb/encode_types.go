package rdb

import (
	"encoding/binary"
	"fmt"
	"math"

	"redoubt/internal/keyspace"
)

// EncodeKey appends the RDB form of one key to dst: EXPIRETIME_MS when
// expireMs >= 0, the type byte, the key and the value. compress enables
// LZF for long strings (rdbcompression).
func EncodeKey(dst []byte, compress bool, key string, o *keyspace.Object, expireMs int64) ([]byte, error) {
	return EncodeKeyMeta(dst, compress, key, o, expireMs, NoMeta)
}

// EncodeKeyMeta is EncodeKey with the key's eviction information: an
// IDLE opcode (seconds) when m.Idle >= 0 and a FREQ opcode when
// m.Freq >= 0, after the expiry and before the type byte, where Redis
// puts them.
func EncodeKeyMeta(dst []byte, compress bool, key string, o *keyspace.Object, expireMs int64, m KeyMeta) ([]byte, error) {
	if expireMs >= 0 {
		dst = append(dst, wOpExpireMs)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(expireMs))
	}
	if m.Idle >= 0 {
		dst = append(dst, wOpIdle)
		dst = appendLen(dst, uint64(m.Idle))
	}
	if m.Freq >= 0 {
		dst = append(dst, wOpFreq, byte(min(m.Freq, 255)))
	}
	switch o.Type {
	case keyspace.TString:
		dst = append(dst, wTypeString)
		dst = appendString(dst, []byte(key), compress)
		return appendString(dst, o.Str, compress), nil
	case keyspace.TList:
		l, ok := o.Val.(*keyspace.List)
		if !ok {
			break
		}
		dst = append(dst, wTypeQuicklist2)
		dst = appendString(dst, []byte(key), compress)
		return appendQuicklist(dst, l, compress), nil
	case keyspace.TSet:
		s, ok := o.Val.(*keyspace.Set)
		if !ok {
			break
		}
		if s.IsIntset() {
			dst = append(dst, wTypeIntset)
			dst = appendString(dst, []byte(key), compress)
			return appendIntset(dst, s.Ints(), compress), nil
		}
		dst = append(dst, wTypeSet)
		dst = appendString(dst, []byte(key), compress)
		return appendSet(dst, s, compress), nil
	case keyspace.THash:
		h, ok := o.Val.(*keyspace.Hash)
		if !ok {
			break
		}
		if h.IsListpack() {
			dst = append(dst, wTypeHashListpack)
			dst = appendString(dst, []byte(key), compress)
			return appendHashListpack(dst, h, compress), nil
		}
		dst = append(dst, wTypeHash)
		dst = appendString(dst, []byte(key), compress)
		return appendHash(dst, h, compress), nil
	case keyspace.TZSet:
		z, ok := o.Val.(*keyspace.ZSet)
		if !ok {
			break
		}
		if z.IsListpack() {
			dst = append(dst, wTypeZSetListpack)
			dst = appendString(dst, []byte(key), compress)
			return appendZSetListpack(dst, z, compress), nil
		}
		dst = append(dst, wTypeZSet2)
		dst = appendString(dst, []byte(key), compress)
		return appendZSet(dst, z, compress), nil
	case keyspace.TStream:
		s, ok := o.Val.(*keyspace.Stream)
		if !ok {
			break
		}
		dst = append(dst, wTypeStream2)
		dst = appendString(dst, []byte(key), compress)
		return appendStream(dst, s, compress), nil
	}
	return dst, fmt.Errorf("rdb: cannot encode key %q of type %d (%T)", key, o.Type, o.Val)
}

// appendString writes an RDB string. Like Redis: a string of at most 11
// bytes that reads back as the same integer and fits 32 bits is stored as
// an 8/16/32-bit integer; with compression on, one longer than 20 bytes is
// stored LZF-compressed when the result is smaller; otherwise it is a
// length followed by the raw bytes.
func appendString(dst, s []byte, compress bool) []byte {
	if len(s) <= 11 && len(s) > 0 {
		if n, ok := keyspace.ParseInt(s); ok {
			switch {
			case n >= math.MinInt8 && n <= math.MaxInt8:
				return append(dst, 0xC0, byte(int8(n)))
			case n >= math.MinInt16 && n <= math.MaxInt16:
				dst = append(dst, 0xC1)
				return binary.LittleEndian.AppendUint16(dst, uint16(int16(n)))
			case n >= math.MinInt32 && n <= math.MaxInt32:
				dst = append(dst, 0xC2)
				return binary.LittleEndian.AppendUint32(dst, uint32(int32(n)))
			}
		}
	}
	if compress && len(s) > 20 {
		// Redis gives the compressor len-4 bytes of room: a result that
		// does not fit means compression is not worth it.
		st := lzfPool.Get().(*lzfState)
		c, ok := st.compress(s, len(s)-5)
		if ok {
			dst = append(dst, 0xC3)
			dst = appendLen(dst, uint64(len(c)))
			dst = appendLen(dst, uint64(len(s)))
			dst = append(dst, c...)
		}
		if cap(st.out) > 1<<20 {
			st.out = nil // do not pin a huge buffer in the pool
		}
		lzfPool.Put(st)
		if ok {
			return dst
		}
	}
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendList writes a LIST value: the element count, then each element.
// Redis 7.0 loads this form into a quicklist of listpacks.
func appendList(dst []byte, l *keyspace.List, compress bool) []byte {
	dst = appendLen(dst, uint64(l.Len()))
	l.Range(func(v []byte) bool {
		dst = appendString(dst, v, compress)
		return true
	})
	return dst
}

// appendSet writes a SET value: the member count, then each member; Redis
// picks intset or hashtable on load.
func appendSet(dst []byte, s *keyspace.Set, compress bool) []byte {
	dst = appendLen(dst, uint64(s.Len()))
	s.Range(func(m []byte) bool {
		dst = appendString(dst, m, compress)
		return true
	})
	return dst
}

// appendHash writes a HASH value: the pair count, then field and value.
func appendHash(dst []byte, h *keyspace.Hash, compress bool) []byte {
	dst = appendLen(dst, uint64(h.Len()))
	h.Range(func(f, v []byte) bool {
		dst = appendString(dst, f, compress)
		dst = appendString(dst, v, compress)
		return true
	})
	return dst
}

// appendZSet writes a ZSET_2 value: the member count, then each member
// with its score as a little-endian binary double (exact, inf included).
func appendZSet(dst []byte, z *keyspace.ZSet, compress bool) []byte {
	dst = appendLen(dst, uint64(z.Len()))
	z.Range(func(m string, score float64) bool {
		dst = appendString(dst, []byte(m), compress)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
		return true
	})
	return dst
}

// appendStreamID writes an ID as its RDB length pair (ms, then seq).
func appendStreamID(dst []byte, id keyspace.StreamID) []byte {
	dst = appendLen(dst, id.Ms)
	return appendLen(dst, id.Seq)
}

// rawStreamID is the 16-byte big-endian key form of an ID (the radix tree
// key, also used for PEL entries).
func rawStreamID(dst []byte, id keyspace.StreamID) []byte {
	dst = binary.BigEndian.AppendUint64(dst, id.Ms)
	return binary.BigEndian.AppendUint64(dst, id.Seq)
}

// appendStream writes STREAM_LISTPACKS_2 (Redis 7.0): the node count and
// each node as its master ID key and listpack; the length, last ID, first
// ID, max deleted ID and entries-added counter; then the consumer groups,
// each with its last ID, entries-read, PEL (raw ID, delivery time in ms,
// delivery count) and consumers (name, seen time, their PEL as raw IDs).
func appendStream(dst []byte, s *keyspace.Stream, compress bool) []byte {
	dst = appendLen(dst, uint64(s.NodeCount()))
	var key, lp []byte
	s.Nodes(func(master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, ents []keyspace.Entry) {
		key = rawStreamID(key[:0], master)
		dst = appendString(dst, key, false)
		lp = streamListpack(lp[:0], master, ids, deleted, ents)
		dst = appendString(dst, lp, compress)
	})
	dst = appendLen(dst, s.Length())
	dst = appendStreamID(dst, s.LastID)
	dst = appendStreamID(dst, s.FirstID)
	dst = appendStreamID(dst, s.MaxDeletedID)
	dst = appendLen(dst, s.EntriesAdded)
	groups := s.Groups()
	dst = appendLen(dst, uint64(len(groups)))
	for _, g := range groups {
		dst = appendString(dst, []byte(g.Name), compress)
		dst = appendStreamID(dst, g.LastID)
		dst = appendLen(dst, uint64(g.EntriesRead))
		dst = appendLen(dst, uint64(g.PEL.Len()))
		g.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, n *keyspace.NACK) bool {
			dst = rawStreamID(dst, id)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(n.DeliveryTime))
			dst = appendLen(dst, n.DeliveryCount)
			return true
		})
		cons := g.Consumers()
		dst = appendLen(dst, uint64(len(cons)))
		for _, c := range cons {
			dst = appendString(dst, []byte(c.Name), compress)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(c.SeenTime))
			dst = appendLen(dst, uint64(c.PEL.Len()))
			c.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, _ *keyspace.NACK) bool {
				dst = rawStreamID(dst, id)
				return true
			})
		}
	}
	return dst
}
