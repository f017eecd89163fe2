package rdb

import (
	"bytes"
	"encoding/binary"

	"redoubt/internal/keyspace"
)

// A listpack is: total bytes (u32 LE), element count (u16 LE, 65535 when
// too many to count), the elements, and a 0xFF end byte. Each element is
// its encoding and data followed by a "backlen": the size of encoding and
// data written big-end first in 7-bit groups, every byte but the first
// carrying the 0x80 continuation bit, so the list can be walked backwards.

type listpack struct {
	b []byte
	n int
}

func (lp *listpack) start(dst []byte) {
	lp.b = append(dst, 0, 0, 0, 0, 0, 0)
	lp.n = 0
}

// finish writes the end byte and the header fields.
func (lp *listpack) finish() []byte {
	lp.b = append(lp.b, 0xFF)
	binary.LittleEndian.PutUint32(lp.b[0:], uint32(len(lp.b)))
	n := lp.n
	if n > 65535 {
		n = 65535
	}
	binary.LittleEndian.PutUint16(lp.b[4:], uint16(n))
	return lp.b
}

func (lp *listpack) backlen(size int) {
	switch {
	case size <= 127:
		lp.b = append(lp.b, byte(size))
	case size < 16383:
		lp.b = append(lp.b, byte(size>>7), byte(size&127)|128)
	case size < 2097151:
		lp.b = append(lp.b, byte(size>>14), byte((size>>7)&127)|128, byte(size&127)|128)
	case size < 268435455:
		lp.b = append(lp.b, byte(size>>21), byte((size>>14)&127)|128, byte((size>>7)&127)|128, byte(size&127)|128)
	default:
		lp.b = append(lp.b, byte(size>>28), byte((size>>21)&127)|128, byte((size>>14)&127)|128,
			byte((size>>7)&127)|128, byte(size&127)|128)
	}
}

// int appends an integer in the smallest form: 7-bit unsigned, 13-bit,
// then 16, 24, 32 or 64-bit signed little-endian after a tag byte.
func (lp *listpack) int(v int64) {
	start := len(lp.b)
	switch {
	case v >= 0 && v <= 127:
		lp.b = append(lp.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1FFF
		lp.b = append(lp.b, byte(u>>8)|0xC0, byte(u))
	case v >= -32768 && v <= 32767:
		lp.b = append(lp.b, 0xF1, byte(v), byte(v>>8))
	case v >= -8388608 && v <= 8388607:
		lp.b = append(lp.b, 0xF2, byte(v), byte(v>>8), byte(v>>16))
	case v >= -2147483648 && v <= 2147483647:
		lp.b = append(lp.b, 0xF3)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(v))
	default:
		lp.b = append(lp.b, 0xF4)
		lp.b = binary.LittleEndian.AppendUint64(lp.b, uint64(v))
	}
	lp.backlen(len(lp.b) - start)
	lp.n++
}

// str appends a string; like Redis, one that reads as an integer is
// stored as that integer. Strings use a 6-bit, 12-bit or 32-bit length.
func (lp *listpack) str(s []byte) {
	if n, ok := keyspace.ParseInt(s); ok {
		lp.int(n)
		return
	}
	start := len(lp.b)
	switch l := len(s); {
	case l < 64:
		lp.b = append(lp.b, byte(l)|0x80)
	case l < 4096:
		lp.b = append(lp.b, byte(l>>8)|0xE0, byte(l))
	default:
		lp.b = append(lp.b, 0xF0)
		lp.b = binary.LittleEndian.AppendUint32(lp.b, uint32(l))
	}
	lp.b = append(lp.b, s...)
	lp.backlen(len(lp.b) - start)
	lp.n++
}

// Stream entry flags inside a node's listpack.
const (
	lpFlagDeleted    = 1
	lpFlagSameFields = 2
)

// streamListpack builds one stream node as Redis lays it out. The master
// entry comes first: live count, deleted count, the master field count
// and names (the first entry's fields), and a 0 terminator. Then each
// entry: flags, ms and seq relative to the master ID, then either just the
// values (when its fields are exactly the master fields) or the field
// count and field/value pairs, and last the number of elements the entry
// used besides this one (so it can be walked backwards).
func streamListpack(dst []byte, master keyspace.StreamID, ids []keyspace.StreamID, deleted []bool, ents []keyspace.Entry) []byte {
	var lp listpack
	lp.start(dst)
	live, dead := 0, 0
	for _, d := range deleted {
		if d {
			dead++
		} else {
			live++
		}
	}
	var masterFields [][]byte
	if len(ents) > 0 {
		it := ents[0].Pairs()
		for f, _, ok := it.Next(); ok; f, _, ok = it.Next() {
			masterFields = append(masterFields, f)
		}
	}
	lp.int(int64(live))
	lp.int(int64(dead))
	lp.int(int64(len(masterFields)))
	for _, f := range masterFields {
		lp.str(f)
	}
	lp.int(0)
	for i, e := range ents {
		same := e.NumFields() == len(masterFields)
		if same {
			it := e.Pairs()
			for j := 0; ; j++ {
				f, _, ok := it.Next()
				if !ok {
					break
				}
				if !bytes.Equal(f, masterFields[j]) {
					same = false
					break
				}
			}
		}
		flags := int64(0)
		if deleted[i] {
			flags |= lpFlagDeleted
		}
		if same {
			flags |= lpFlagSameFields
		}
		lp.int(flags)
		lp.int(int64(ids[i].Ms - master.Ms))
		lp.int(int64(ids[i].Seq - master.Seq))
		nf := e.NumFields()
		it := e.Pairs()
		if same {
			for _, v, ok := it.Next(); ok; _, v, ok = it.Next() {
				lp.str(v)
			}
			lp.int(int64(nf + 3))
		} else {
			lp.int(int64(nf))
			for f, v, ok := it.Next(); ok; f, v, ok = it.Next() {
				lp.str(f)
				lp.str(v)
			}
			lp.int(int64(nf*2 + 4))
		}
	}
	return lp.finish()
}
