package commands

import (
	"encoding/binary"
	"math/bits"

	"redoubt/internal/keyspace"
)

func init() {
	Register(
		bitCmd("setbit", 4, Write|DenyOOM, 1, 1, setbitCmd, "2.2.0", "Sets or clears the bit at offset in the string value stored at key", "O(1)", "@write", "@slow"),
		bitCmd("getbit", 3, ReadOnly|Fast, 1, 1, getbitCmd, "2.2.0", "Returns the bit value at offset in the string value stored at key", "O(1)", "@read", "@fast"),
		bitCmd("bitcount", -2, ReadOnly, 1, 1, bitcountCmd, "2.6.0", "Count set bits in a string", "O(N)", "@read", "@slow"),
		bitCmd("bitpos", -3, ReadOnly, 1, 1, bitposCmd, "2.8.7", "Find first bit set or clear in a string", "O(N)", "@read", "@slow"),
		bitCmd("bitop", -4, Write|DenyOOM, 2, -1, bitopCmd, "2.6.0", "Perform bitwise operations between strings", "O(N)", "@write", "@slow"),
	)
}

// bitCmd builds a bitmap-group command entry.
func bitCmd(name string, arity int, flags Flags, first, last int, proc func(*Ctx), since, summary, complexity, access, speed string) *Command {
	return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: 1, Proc: proc,
		Group: "bitmap", Since: since, Summary: summary, Complexity: complexity,
		ACL: []string{access, "@bitmap", speed}}
}

// bitOffsetArg parses a bit offset. With hash set (BITFIELD) the form
// "#n" means n times the field width. The offset must be a non-negative
// integer whose byte lies below proto-max-bulk-len (a master's commands
// are exempt from that limit).
func bitOffsetArg(c *Ctx, idx int, hash bool, width int) (uint64, bool) {
	p := c.Args[idx]
	useHash := hash && width > 0 && len(p) > 0 && p[0] == '#'
	if useHash {
		p = p[1:]
	}
	n, ok := keyspace.ParseInt(p)
	if ok && useHash {
		n *= int64(width) // wraps like Redis's C arithmetic
	}
	if !ok || n < 0 || (!c.KS.FromMaster && n>>3 >= c.Set.ProtoMaxBulkLen) {
		c.Error(ErrBitOffset)
		return 0, false
	}
	return uint64(n), true
}

// bitsTarget finds or creates the string a bit-writing command works on,
// grown with zero bytes so bit maxbit exists. The string becomes "raw"
// even when nothing changes. grown reports whether the key was created or
// got longer.
func bitsTarget(c *Ctx, maxbit uint64) (o *keyspace.Object, grown bool, ok bool) {
	key := c.Key(1)
	o, ok = c.LookupWrite(key, keyspace.TString)
	if !ok {
		return nil, false, false
	}
	need := int(maxbit>>3) + 1
	if o == nil {
		o = c.DB.Add(key, keyspace.Object{Type: keyspace.TString, Str: make([]byte, need), Flags: keyspace.FlagRaw})
		return o, true, true
	}
	old := len(o.Str)
	o.Str = strGrowZero(o.Str, need)
	o.Flags |= keyspace.FlagRaw
	return o, len(o.Str) != old, true
}

// SETBIT key offset value: answers the bit's previous value. The value
// must be 0 or 1. Bit 0 is the most significant bit of the first byte.
// The change is counted (and propagated) only when the key was created or
// grew, or the bit actually flipped.
func setbitCmd(c *Ctx) {
	off, ok := bitOffsetArg(c, 2, false, 0)
	if !ok {
		return
	}
	on, ok := c.IntMsg(3, ErrBitValue)
	if !ok {
		return
	}
	if on&^1 != 0 {
		c.Error(ErrBitValue)
		return
	}
	o, grown, ok := bitsTarget(c, off)
	if !ok {
		return
	}
	byteIdx := off >> 3
	mask := byte(1) << (7 - off&7)
	old := o.Str[byteIdx]&mask != 0
	if grown || old != (on == 1) {
		if on == 1 {
			o.Str[byteIdx] |= mask
		} else {
			o.Str[byteIdx] &^= mask
		}
		key := c.Key(1)
		c.Modified(key)
		c.Notify(NotifyString, "setbit", key)
	}
	if old {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

// GETBIT key offset: bits past the end (or of a missing key) are 0.
func getbitCmd(c *Ctx) {
	off, ok := bitOffsetArg(c, 2, false, 0)
	if !ok {
		return
	}
	o, ok := c.Lookup(c.Key(1), keyspace.TString)
	if !ok {
		return
	}
	if o != nil && off>>3 < uint64(len(o.Str)) && o.Str[off>>3]&(1<<(7-off&7)) != 0 {
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

// bitRange turns user start/end indexes (negative ones counting from the
// end) over total units into a clamped inclusive range; empty when
// start > end.
func bitRange(start, end, total int64) (int64, int64) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= total {
		end = total - 1
	}
	return start, end
}

// parseBitUnit reads the optional BYTE|BIT argument.
func parseBitUnit(c *Ctx, idx int) (isBit, ok bool) {
	a := strCutNUL(c.Args[idx])
	switch {
	case Is(a, "bit"):
		return true, true
	case Is(a, "byte"):
		return false, true
	}
	c.SyntaxError()
	return false, false
}

// popcount counts the set bits of p.
func popcount(p []byte) int64 {
	var n int
	for len(p) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	for _, b := range p {
		n += bits.OnesCount8(b)
	}
	return int64(n)
}

// countBits counts the set bits at bit positions [sb, eb] of p.
func countBits(p []byte, sb, eb int64) int64 {
	first, last := sb>>3, eb>>3
	n := popcount(p[first : last+1])
	n -= int64(bits.OnesCount8(p[first] >> (8 - sb&7))) // bits before sb
	n -= int64(bits.OnesCount8(p[last] << (1 + eb&7)))  // bits after eb
	return n
}

// BITCOUNT key [start end [BYTE|BIT]]. As in Redis the key is read first
// (a missing key answers 0 whatever the arguments), then the indexes are
// parsed; two negative indexes with start > end answer 0 before the unit
// is checked. Three arguments, or more than five, are a syntax error.
func bitcountCmd(c *Ctx) {
	o, ok := c.Lookup(c.Key(1), keyspace.TString)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	p := o.Str
	total := int64(len(p))
	switch len(c.Args) {
	case 2:
		c.W.Int(popcount(p))
		return
	case 4, 5:
	default:
		c.SyntaxError()
		return
	}
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	if start < 0 && end < 0 && start > end {
		c.W.Int(0)
		return
	}
	isBit := false
	if len(c.Args) == 5 {
		if isBit, ok = parseBitUnit(c, 4); !ok {
			return
		}
	}
	if isBit {
		total <<= 3
	}
	start, end = bitRange(start, end, total)
	switch {
	case start > end:
		c.W.Int(0)
	case isBit:
		c.W.Int(countBits(p, start, end))
	default:
		c.W.Int(popcount(p[start : end+1]))
	}
}

// findBit returns the first bit position in [sb, eb] of p whose value is
// bit, or -1. Whole runs of non-matching bytes are skipped a word at a
// time.
func findBit(p []byte, sb, eb int64, bit int) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	skipWord := uint64(0)
	if bit == 0 {
		skipWord = ^uint64(0)
	}
	pos := sb
	for pos <= eb {
		if pos&7 == 0 {
			i := pos >> 3
			for pos+64 <= eb+1 && binary.BigEndian.Uint64(p[i:]) == skipWord {
				pos += 64
				i += 8
			}
			for pos+8 <= eb+1 && p[i] == skip {
				pos += 8
				i++
			}
			if pos > eb {
				break
			}
		}
		if int(p[pos>>3]>>(7-pos&7))&1 == bit {
			return pos
		}
		pos++
	}
	return -1
}

// BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set to bit.
// A missing key is all zeros (answers 0 for bit 0, -1 for bit 1). An empty
// range answers -1. When no clear bit is found and no end was given, the
// answer is the first bit past the string (it reads as zero padded);
// with an explicit end it is -1. The unit is checked before end is parsed.
func bitposCmd(c *Ctx) {
	bit, ok := c.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(ErrBitArg)
		return
	}
	o := c.DB.Lookup(c.Key(1))
	if o == nil {
		if bit == 1 {
			c.W.Int(-1)
		} else {
			c.W.Int(0)
		}
		return
	}
	if o.Type != keyspace.TString {
		c.WrongType()
		return
	}
	p := o.Str
	total := int64(len(p))
	var start, end int64
	isBit, endGiven := false, false
	switch argc := len(c.Args); argc {
	case 3:
		start, end = 0, total-1
	case 4, 5, 6:
		if start, ok = c.Int(3); !ok {
			return
		}
		if argc == 6 {
			if isBit, ok = parseBitUnit(c, 5); !ok {
				return
			}
		}
		if argc >= 5 {
			if end, ok = c.Int(4); !ok {
				return
			}
			endGiven = true
		} else {
			end = total - 1
			if isBit {
				end = total<<3 + 7
			}
		}
		if isBit {
			total <<= 3
		}
		start, end = bitRange(start, end, total)
	default:
		c.SyntaxError()
		return
	}
	if start > end {
		c.W.Int(-1)
		return
	}
	sb, eb := start, end
	if !isBit {
		sb, eb = start<<3, end<<3+7
	}
	pos := findBit(p, sb, eb, int(bit))
	if pos < 0 && bit == 0 && !endGiven {
		pos = (eb>>3 + 1) << 3
	}
	c.W.Int(pos)
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: missing sources are empty
// strings and shorter ones are zero padded to the longest. NOT takes
// exactly one source. A non-empty result replaces destkey (as a "raw"
// string, TTL cleared); an empty one deletes it. Answers the length.
func bitopCmd(c *Ctx) {
	op := strCutNUL(c.Args[1])
	var kind byte
	switch {
	case Is(op, "and"):
		kind = '&'
	case Is(op, "or"):
		kind = '|'
	case Is(op, "xor"):
		kind = '^'
	case Is(op, "not"):
		kind = '~'
	default:
		c.SyntaxError()
		return
	}
	if kind == '~' && len(c.Args) != 4 {
		c.Error(ErrBitopNot)
		return
	}
	srcs := make([][]byte, 0, len(c.Args)-3)
	maxLen := 0
	for j := 3; j < len(c.Args); j++ {
		o := c.DB.Lookup(c.Key(j))
		if o == nil {
			srcs = append(srcs, nil)
			continue
		}
		if o.Type != keyspace.TString {
			c.WrongType()
			return
		}
		srcs = append(srcs, o.Str)
		maxLen = max(maxLen, len(o.Str))
	}
	dest := c.Key(2)
	if maxLen == 0 {
		if c.DB.Delete(dest) {
			c.Modified(dest)
			c.Notify(NotifyGeneric, "del", dest)
		}
		c.W.Int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0])
	if kind == '~' {
		for i := range res {
			res[i] = ^res[i]
		}
	}
	for _, s := range srcs[1:] {
		bitopFold(res, s, kind)
	}
	o := c.DB.LookupWrite(dest)
	if o == nil {
		c.DB.Add(dest, keyspace.Object{Type: keyspace.TString, Str: res, Flags: keyspace.FlagRaw})
	} else {
		*o = keyspace.Object{Type: keyspace.TString, Str: res, Flags: keyspace.FlagRaw, LRU: o.LRU}
		c.DB.Persist(dest)
	}
	c.Modified(dest)
	c.Notify(NotifyString, "set", dest)
	c.W.Int(int64(maxLen))
}

// bitopFold combines s (zero padded to len(res)) into res.
func bitopFold(res, s []byte, kind byte) {
	n := min(len(s), len(res))
	i := 0
	for ; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(res[i:])
		y := binary.LittleEndian.Uint64(s[i:])
		switch kind {
		case '&':
			x &= y
		case '|':
			x |= y
		default:
			x ^= y
		}
		binary.LittleEndian.PutUint64(res[i:], x)
	}
	for ; i < n; i++ {
		switch kind {
		case '&':
			res[i] &= s[i]
		case '|':
			res[i] |= s[i]
		default:
			res[i] ^= s[i]
		}
	}
	if kind == '&' {
		clear(res[n:])
	}
}
