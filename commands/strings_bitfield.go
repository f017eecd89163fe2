package commands

import (
	"math"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	Register(
		bitCmd("bitfield", -2, Write|DenyOOM, 1, 1, bitfieldCmd, "3.2.0", "Perform arbitrary bitfield integer operations on strings", "O(1) for each subcommand specified", "@write", "@slow"),
		bitCmd("bitfield_ro", -2, ReadOnly|Fast, 1, 1, bitfieldROCmd, "6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "O(1) for each subcommand specified", "@read", "@fast"),
	)
}

// BITFIELD operations and overflow behaviours.
const (
	bfGet = iota
	bfSet
	bfIncr

	bfWrap = iota
	bfSat
	bfFail
)

type bfOp struct {
	offset   uint64
	val      int64 // SET value or INCRBY increment
	op       int
	overflow int
	width    uint
	signed   bool
}

// BITFIELD key [GET type offset] [SET type offset value]
// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
func bitfieldCmd(c *Ctx) { bitfieldGeneric(c, false) }

// BITFIELD_RO key [GET type offset ...]: SET and INCRBY are parsed (and
// their errors reported) but then refused.
func bitfieldROCmd(c *Ctx) { bitfieldGeneric(c, true) }

// bfTypeArg parses "i<bits>" (1..64) or "u<bits>" (1..63); the letter is
// lower case only.
func bfTypeArg(c *Ctx, idx int) (signed bool, width uint, ok bool) {
	p := c.Args[idx]
	if len(p) == 0 || (p[0] != 'i' && p[0] != 'u') {
		c.Error(ErrBitfieldType)
		return false, 0, false
	}
	signed = p[0] == 'i'
	n, ok := keyspace.ParseInt(strCutNUL(p[1:]))
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		c.Error(ErrBitfieldType)
		return false, 0, false
	}
	return signed, uint(n), true
}

// bitfieldGeneric parses every operation first (any error aborts before
// the key is touched), then runs them in order, one reply each. Reads
// see missing bytes as zeros and create nothing; if any operation writes,
// the string is created or grown up front to hold the farthest field
// written (even if an OVERFLOW FAIL then skips the write). A write that
// happens counts as one change when it altered the field or the string
// was created or grown; only changes are propagated.
func bitfieldGeneric(c *Ctx, readOnly bool) {
	var ops []bfOp
	overflow := bfWrap
	writes := false
	var highest uint64
	for j := 2; j < len(c.Args); j++ {
		rem := len(c.Args) - j - 1
		sub := strCutNUL(c.Args[j])
		var op int
		switch {
		case Is(sub, "get") && rem >= 2:
			op = bfGet
		case Is(sub, "set") && rem >= 3:
			op = bfSet
		case Is(sub, "incrby") && rem >= 3:
			op = bfIncr
		case Is(sub, "overflow") && rem >= 1:
			j++
			switch kind := strCutNUL(c.Args[j]); {
			case Is(kind, "wrap"):
				overflow = bfWrap
			case Is(kind, "sat"):
				overflow = bfSat
			case Is(kind, "fail"):
				overflow = bfFail
			default:
				c.Error(ErrBitfieldOverflow)
				return
			}
			continue
		default:
			c.SyntaxError()
			return
		}
		signed, width, ok := bfTypeArg(c, j+1)
		if !ok {
			return
		}
		off, ok := bitOffsetArg(c, j+2, true, int(width))
		if !ok {
			return
		}
		var val int64
		if op != bfGet {
			writes = true
			highest = max(highest, off+uint64(width)-1)
			if val, ok = c.Int(j + 3); !ok {
				return
			}
			j++
		}
		ops = append(ops, bfOp{offset: off, val: val, op: op, overflow: overflow, width: width, signed: signed})
		j += 2
	}

	var o *keyspace.Object
	grown := false
	if !writes {
		var ok bool
		if o, ok = c.Lookup(c.Key(1), keyspace.TString); !ok {
			return
		}
	} else {
		if readOnly {
			c.Error(ErrBitfieldRO)
			return
		}
		var ok bool
		if o, grown, ok = bitsTarget(c, highest); !ok {
			return
		}
	}

	c.W.Array(len(ops))
	changes := 0
	for i := range ops {
		op := &ops[i]
		if op.op == bfGet {
			var p []byte
			if o != nil {
				p = o.Str
			}
			v := bfRead(p, op.offset, op.width)
			if op.signed {
				c.W.Int(bfSignExtend(v, op.width))
			} else {
				c.W.Int(int64(v))
			}
			continue
		}
		if written, changed := bfWrite(c.W, o.Str, op); written && (changed || grown) {
			changes++
		}
	}
	if changes > 0 {
		key := c.Key(1)
		c.Modified(key)
		c.Dirty += changes - 1
		c.Notify(NotifyString, "setbit", key)
	}
}

// bfWrite runs one SET or INCRBY and writes its reply: SET answers the
// old value, INCRBY the new one, and a refused write (OVERFLOW FAIL) nil.
// It reports whether the write happened and whether it changed the field.
func bfWrite(w *resp.Writer, p []byte, op *bfOp) (written, changed bool) {
	old := bfRead(p, op.offset, op.width)
	var next, reply int64
	var overflowed bool
	if op.signed {
		cur := bfSignExtend(old, op.width)
		if op.op == bfIncr {
			next, overflowed = bfSignedAdd(cur, op.val, op.width, op.overflow)
			reply = next
		} else {
			next, overflowed = bfSignedAdd(op.val, 0, op.width, op.overflow)
			reply = cur
		}
	} else {
		var u uint64
		if op.op == bfIncr {
			u, overflowed = bfUnsignedAdd(old, op.val, op.width, op.overflow)
			reply = int64(u)
		} else {
			u, overflowed = bfUnsignedAdd(uint64(op.val), 0, op.width, op.overflow)
			reply = int64(old)
		}
		next = int64(u)
	}
	if overflowed && op.overflow == bfFail {
		w.NullBulk()
		return false, false
	}
	w.Int(reply)
	bfStore(p, op.offset, op.width, uint64(next))
	return true, bfRead(p, op.offset, op.width) != old
}

// bfSignedAdd computes v+incr for a signed field of width bits (SET
// passes the raw value with incr 0). Out of range, WRAP keeps the low bits
// sign-extended and SAT clamps to the limit on the side of the overflow.
// The range tests use Redis's wrapping 64-bit arithmetic on purpose: for
// a SET of a value far below the minimum the headroom computation wraps
// and Redis counts it as an overflow upwards (so SAT stores the maximum).
func bfSignedAdd(v, incr int64, width uint, overflow int) (int64, bool) {
	maxV := int64(math.MaxInt64)
	if width < 64 {
		maxV = 1<<(width-1) - 1
	}
	minV := -maxV - 1
	maxIncr := int64(uint64(maxV) - uint64(v))
	minIncr := minV - v
	narrow := width != 64
	up := v > maxV || (narrow && incr > maxIncr) || (v >= 0 && incr > 0 && incr > maxIncr)
	down := !up && (v < minV || (narrow && incr < minIncr) || (v < 0 && incr < 0 && incr < minIncr))
	if !up && !down {
		return v + incr, false
	}
	if overflow == bfSat {
		if up {
			return maxV, true
		}
		return minV, true
	}
	return bfSignExtend(uint64(v)+uint64(incr), width), true
}

// bfUnsignedAdd is the unsigned counterpart: a value above the maximum
// (including a negative SET value, seen as huge) overflows upwards, a
// decrement below zero downwards. WRAP keeps the low bits.
func bfUnsignedAdd(v uint64, incr int64, width uint, overflow int) (uint64, bool) {
	maxV := uint64(1)<<width - 1
	maxIncr := int64(maxV - v)
	minIncr := -int64(v)
	up := v > maxV || (incr > 0 && incr > maxIncr)
	down := !up && incr < 0 && incr < minIncr
	if !up && !down {
		return v + uint64(incr), false
	}
	if overflow == bfSat {
		if up {
			return maxV, true
		}
		return 0, true
	}
	return (v + uint64(incr)) & maxV, true
}

// bfSignExtend reads the low width bits of v as a two's complement number.
func bfSignExtend(v uint64, width uint) int64 {
	if width == 64 {
		return int64(v)
	}
	shift := 64 - width
	return int64(v<<shift) >> shift
}

// bfRead reads width bits at bit offset off, most significant first;
// bits past the end of p read as zero.
func bfRead(p []byte, off uint64, width uint) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(width); i++ {
		pos := off + i
		bit := uint64(0)
		if b := pos >> 3; b < uint64(len(p)) {
			bit = uint64(p[b]>>(7-pos&7)) & 1
		}
		v = v<<1 | bit
	}
	return v
}

// bfStore writes the low width bits of v at bit offset off (p is long
// enough).
func bfStore(p []byte, off uint64, width uint, v uint64) {
	for i := uint64(0); i < uint64(width); i++ {
		pos := off + i
		mask := byte(1) << (7 - pos&7)
		if v>>(uint64(width)-1-i)&1 != 0 {
			p[pos>>3] |= mask
		} else {
			p[pos>>3] &^= mask
		}
	}
}
