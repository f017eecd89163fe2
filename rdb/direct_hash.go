package rdb

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"redoubt/internal/keyspace"
)

// Hashes are decoded by the guard too, for a reason other than speed:
// hdt3213's decoder returns a hash as a Go map, which forgets the order
// of the fields. A compact hash in Redis is a listpack (or, in older
// files, a ziplist) whose order HGETALL shows, so we read the fields in
// file order and insert them in that order.

// directHash reads the value of a hash record (plain, ziplist or
// listpack form) into e.pairs as field, value, field, value.
func (g *guard) directHash(op byte, e *Entry) error {
	if op == 4 {
		n, err := g.count("hash length")
		if err != nil {
			return err
		}
		pairs := make([][]byte, 0, 2*min(n, 1<<15))
		for i := uint64(0); i < 2*n; i++ {
			v, err := g.strVal("hash element")
			if err != nil {
				return err
			}
			pairs = append(pairs, v)
		}
		e.pairs = pairs
		return nil
	}
	at := g.off
	blob, err := g.strVal("hash blob")
	if err != nil {
		return err
	}
	var elems [][]byte
	if op == 13 {
		elems, err = ziplistEntries(blob)
	} else {
		elems, err = listpackEntries(blob)
	}
	if err == nil && len(elems)%2 != 0 {
		err = fmt.Errorf("odd number of elements (%d)", len(elems))
	}
	if err != nil {
		return g.failf(at, "hash %s: %v", map[byte]string{13: "ziplist", 16: "listpack"}[op], err)
	}
	if elems == nil {
		elems = [][]byte{} // empty, yet still a hash
	}
	e.pairs = elems
	return nil
}

// hashPairs builds a hash from pairs in their order; a repeated field
// means corruption (Redis refuses it too).
func (c *converter) hashPairs(pairs [][]byte) (*keyspace.Object, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	h := keyspace.NewHash()
	n := len(pairs) / 2
	if n > c.lim.HashMaxListpackEntries {
		h.ConvertToTable()
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if !h.Set(pairs[i], pairs[i+1], c.lim.HashMaxListpackEntries, c.lim.HashMaxListpackValue) {
			return nil, fmt.Errorf("duplicate hash field %q", pairs[i])
		}
	}
	return &keyspace.Object{Type: keyspace.THash, Val: h}, nil
}

var errLPEnd = fmt.Errorf("element runs past the end")

// listpackEntries returns a listpack's elements (integers as decimal
// text), checking every size against the blob. String elements alias b
// (callers hand over a buffer nobody else holds, or copy them).
func listpackEntries(b []byte) ([][]byte, error) {
	if len(b) < 7 {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	if int(binary.LittleEndian.Uint32(b)) != len(b) {
		return nil, fmt.Errorf("header says %d bytes, blob has %d", binary.LittleEndian.Uint32(b), len(b))
	}
	out := make([][]byte, 0, min(int(binary.LittleEndian.Uint16(b[4:])), len(b)))
	var nums []byte // decimal text of the integer elements
	pos := 6
	for {
		if pos >= len(b) {
			return nil, errLPEnd
		}
		c := b[pos]
		if c == 0xFF {
			if pos != len(b)-1 {
				return nil, fmt.Errorf("end byte at %d of %d", pos, len(b))
			}
			break
		}
		var hdr, size int // header bytes, data bytes
		var iv int64
		isInt := true
		need := func(k int) bool { return pos+k <= len(b) }
		switch {
		case c&0x80 == 0:
			iv, hdr = int64(c&0x7f), 1
		case c&0xC0 == 0x80:
			hdr, size, isInt = 1, int(c&0x3f), false
		case c&0xE0 == 0xC0:
			if !need(2) {
				return nil, errLPEnd
			}
			u := uint16(c&0x1f)<<8 | uint16(b[pos+1])
			iv, hdr = int64(int16(u<<3)>>3), 2
		case c&0xF0 == 0xE0:
			if !need(2) {
				return nil, errLPEnd
			}
			hdr, size, isInt = 2, int(c&0x0f)<<8|int(b[pos+1]), false
		case c == 0xF0:
			if !need(5) {
				return nil, errLPEnd
			}
			n := binary.LittleEndian.Uint32(b[pos+1:])
			if uint64(n) > uint64(len(b)) {
				return nil, errLPEnd
			}
			hdr, size, isInt = 5, int(n), false
		case c == 0xF1 && need(3):
			iv, hdr = int64(int16(binary.LittleEndian.Uint16(b[pos+1:]))), 3
		case c == 0xF2 && need(4):
			u := uint32(b[pos+1]) | uint32(b[pos+2])<<8 | uint32(b[pos+3])<<16
			iv, hdr = int64(int32(u<<8)>>8), 4
		case c == 0xF3 && need(5):
			iv, hdr = int64(int32(binary.LittleEndian.Uint32(b[pos+1:]))), 5
		case c == 0xF4 && need(9):
			iv, hdr = int64(binary.LittleEndian.Uint64(b[pos+1:])), 9
		default:
			return nil, fmt.Errorf("bad element encoding 0x%02x at %d", c, pos)
		}
		if !need(hdr + size) {
			return nil, errLPEnd
		}
		if isInt {
			at := len(nums)
			nums = strconv.AppendInt(nums, iv, 10)
			out = append(out, nums[at:len(nums):len(nums)])
		} else {
			out = append(out, b[pos+hdr:pos+hdr+size:pos+hdr+size])
		}
		pos += hdr + size
		pos += backlenSize(hdr + size)
	}
	if n := binary.LittleEndian.Uint16(b[4:]); n != 65535 && int(n) != len(out) {
		return nil, fmt.Errorf("header counts %d elements, found %d", n, len(out))
	}
	return out, nil
}

// backlenSize is how many bytes the back-length of an element of size n
// takes.
func backlenSize(n int) int {
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

// ziplistEntries returns a ziplist's elements (Redis before 7.0): each
// element is its previous element's length (1 or 5 bytes), an encoding,
// and the data.
func ziplistEntries(b []byte) ([][]byte, error) {
	if len(b) < 11 {
		return nil, fmt.Errorf("%d bytes is too short", len(b))
	}
	if int(binary.LittleEndian.Uint32(b)) != len(b) {
		return nil, fmt.Errorf("header says %d bytes, blob has %d", binary.LittleEndian.Uint32(b), len(b))
	}
	var out [][]byte
	pos := 10
	need := func(k int) bool { return pos+k <= len(b) }
	for {
		if !need(1) {
			return nil, errLPEnd
		}
		if b[pos] == 0xFF {
			if pos != len(b)-1 {
				return nil, fmt.Errorf("end byte at %d of %d", pos, len(b))
			}
			break
		}
		if b[pos] == 0xFE {
			pos += 5
		} else {
			pos++
		}
		if !need(1) {
			return nil, errLPEnd
		}
		c := b[pos]
		var size int
		var iv int64
		isInt := true
		switch c >> 6 {
		case 0:
			pos, size, isInt = pos+1, int(c&0x3f), false
		case 1:
			if !need(2) {
				return nil, errLPEnd
			}
			pos, size, isInt = pos+2, int(c&0x3f)<<8|int(b[pos+1]), false
		case 2:
			if !need(5) {
				return nil, errLPEnd
			}
			n := binary.BigEndian.Uint32(b[pos+1:])
			if uint64(n) > uint64(len(b)) {
				return nil, errLPEnd
			}
			pos, size, isInt = pos+5, int(n), false
		default:
			pos++
			var w int
			switch c {
			case 0xC0:
				w = 2
			case 0xD0:
				w = 4
			case 0xE0:
				w = 8
			case 0xF0:
				w = 3
			case 0xFE:
				w = 1
			default:
				if c >= 0xF1 && c <= 0xFD {
					iv = int64(c&0x0f) - 1
				} else {
					return nil, fmt.Errorf("bad element encoding 0x%02x at %d", c, pos-1)
				}
			}
			if !need(w) {
				return nil, errLPEnd
			}
			p := b[pos : pos+w]
			switch w {
			case 1:
				iv = int64(int8(p[0]))
			case 2:
				iv = int64(int16(binary.LittleEndian.Uint16(p)))
			case 3:
				u := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
				iv = int64(int32(u<<8) >> 8)
			case 4:
				iv = int64(int32(binary.LittleEndian.Uint32(p)))
			case 8:
				iv = int64(binary.LittleEndian.Uint64(p))
			}
			size = w
		}
		if !need(size) {
			return nil, errLPEnd
		}
		if isInt {
			out = append(out, strconv.AppendInt(nil, iv, 10))
		} else {
			out = append(out, append([]byte(nil), b[pos:pos+size]...))
		}
		pos += size
	}
	return out, nil
}
