package keyspace

import (
	"math"
	"strconv"
)

// StreamID identifies a stream entry: a millisecond time and a sequence
// number, ordered by time first. Both halves are unsigned 64-bit numbers.
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the greatest possible ID ("+" in range queries).
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Cmp returns -1, 0 or 1 as a is smaller than, equal to or greater than b.
func (a StreamID) Cmp(b StreamID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Less reports whether a sorts before b.
func (a StreamID) Less(b StreamID) bool {
	return a.Ms < b.Ms || (a.Ms == b.Ms && a.Seq < b.Seq)
}

// IsZero reports whether the ID is 0-0.
func (a StreamID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the ID that follows a. The greatest ID has no successor:
// it wraps to 0-0 and ok is false.
func (a StreamID) Incr() (StreamID, bool) {
	if a.Seq == math.MaxUint64 {
		if a.Ms == math.MaxUint64 {
			return StreamID{}, false
		}
		return StreamID{a.Ms + 1, 0}, true
	}
	return StreamID{a.Ms, a.Seq + 1}, true
}

// Decr returns the ID before a. 0-0 has no predecessor: it wraps to the
// greatest ID and ok is false.
func (a StreamID) Decr() (StreamID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return MaxStreamID, false
		}
		return StreamID{a.Ms - 1, math.MaxUint64}, true
	}
	return StreamID{a.Ms, a.Seq - 1}, true
}

// AppendTo appends the "ms-seq" form of the ID.
func (a StreamID) AppendTo(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String is the "ms-seq" form of the ID.
func (a StreamID) String() string {
	var tmp [42]byte
	return string(a.AppendTo(tmp[:0]))
}

// Bytes is the "ms-seq" form of the ID as a new byte slice.
func (a StreamID) Bytes() []byte { return a.AppendTo(make([]byte, 0, 42)) }

// radixKey is the 16-byte big-endian form under which Redis files a
// stream node in its radix tree (time first, so byte order is ID order).
func (a StreamID) radixKey() [16]byte {
	var k [16]byte
	for i := 0; i < 8; i++ {
		k[i] = byte(a.Ms >> (56 - 8*i))
		k[8+i] = byte(a.Seq >> (56 - 8*i))
	}
	return k
}

// ParseStreamULL converts a decimal number the way Redis's string2ull
// does: the strict integer form first, and failing that the C library's
// strtoull, which tolerates leading blanks, a sign and leading zeros
// (a minus sign negates modulo 2^64) but not trailing garbage or
// overflow. Only the bytes before the first NUL count, as in C.
func ParseStreamULL(b []byte) (uint64, bool) {
	for i, ch := range b {
		if ch == 0 {
			b = b[:i]
			break
		}
	}
	if n, ok := ParseInt(b); ok {
		if n < 0 {
			return 0, false
		}
		return uint64(n), true
	}
	if len(b) == 0 {
		return 0, false
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
		i++
	}
	if i == start || i != len(b) {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// ParseStreamID parses an ID argument as Redis does. "-" and "+" are the
// smallest and greatest IDs unless strict is set; "ms" alone takes
// missingSeq as its sequence. When allowAutoSeq is set, "ms-*" is
// accepted and reported with seqGiven=false. Arguments longer than 127
// bytes are invalid.
func ParseStreamID(b []byte, missingSeq uint64, strict, allowAutoSeq bool) (id StreamID, seqGiven bool, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	// Redis copies the argument into a C string: a NUL ends it early.
	for i, ch := range b {
		if ch == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return StreamID{}, true, true
		}
		return MaxStreamID, true, true
	}
	dash := -1
	for i, ch := range b {
		if ch == '-' {
			dash = i
			break
		}
	}
	msPart := b
	if dash >= 0 {
		msPart = b[:dash]
	}
	ms, mok := ParseStreamULL(msPart)
	if !mok {
		return id, false, false
	}
	seq := missingSeq
	seqGiven = true
	if dash >= 0 {
		rest := b[dash+1:]
		if allowAutoSeq && len(rest) == 1 && rest[0] == '*' {
			seq, seqGiven = 0, false
		} else if seq, mok = ParseStreamULL(rest); !mok {
			return id, false, false
		}
	}
	return StreamID{ms, seq}, seqGiven, true
}
