package rdb

import "sync"

// LZF compression (the format Redis uses for long strings in RDB files).
// The output is a sequence of:
//   - literal runs: a control byte L-1 (L = 1..32) and L bytes;
//   - back references to earlier output: length-2 in the top 3 bits of the
//     control byte (7 meaning "add the next byte"), the distance-1 in its
//     low 5 bits and the following byte (at most 8192 back, at most 264
//     bytes long).
// Matches are found through a hash of the next three bytes, as liblzf
// does. The table is reused between calls: only the slots a call filled
// are cleared after it, so small strings do not pay for a 64 KiB clear.

const (
	lzfHashLog = 14
	lzfMaxLit  = 32
	lzfMaxOff  = 1 << 13
	lzfMaxLen  = 264
)

type lzfState struct {
	htab    [1 << lzfHashLog]uint32 // position+1 of the last sequence with this hash; 0 = none
	touched []uint32
	out     []byte
}

var lzfPool = sync.Pool{New: func() any { return new(lzfState) }}

func lzfHash(a, b, c byte) uint32 {
	v := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
	return ((v >> (3*8 - lzfHashLog)) - v*5) & (1<<lzfHashLog - 1)
}

func (st *lzfState) set(h uint32, pos int) {
	if st.htab[h] == 0 {
		st.touched = append(st.touched, h)
	}
	st.htab[h] = uint32(pos + 1)
}

// lzfCompress returns the LZF form of in when it takes at most max bytes.
// The slice belongs to st and is valid until its next use.
func (st *lzfState) compress(in []byte, max int) ([]byte, bool) {
	defer func() {
		for _, h := range st.touched {
			st.htab[h] = 0
		}
		st.touched = st.touched[:0]
	}()
	out := st.out[:0]
	n := len(in)
	lit := 0
	litPos := 0
	out = append(out, 0) // control byte of the first literal run
	ip := 0
	for ip < n-2 {
		if len(out) > max+1 {
			st.out = out
			return nil, false
		}
		h := lzfHash(in[ip], in[ip+1], in[ip+2])
		ref := int(st.htab[h]) - 1
		st.set(h, ip)
		off := ip - ref - 1
		if ref >= 0 && off < lzfMaxOff && in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			l := 3
			for maxLen := min(n-ip, lzfMaxLen); l < maxLen && in[ref+l] == in[ip+l]; l++ {
			}
			if lit > 0 {
				out[litPos] = byte(lit - 1)
			} else {
				out = out[:litPos] // drop the empty run
			}
			code := l - 2
			if code < 7 {
				out = append(out, byte(off>>8|code<<5), byte(off))
			} else {
				out = append(out, byte(off>>8|7<<5), byte(code-7), byte(off))
			}
			ip += l
			// Index the last two positions of the match, as liblzf does.
			for p := ip - 2; p < ip && p+2 < n; p++ {
				st.set(lzfHash(in[p], in[p+1], in[p+2]), p)
			}
			lit, litPos = 0, len(out)
			out = append(out, 0)
			continue
		}
		out = append(out, in[ip])
		ip++
		if lit++; lit == lzfMaxLit {
			out[litPos] = lzfMaxLit - 1
			lit, litPos = 0, len(out)
			out = append(out, 0)
		}
	}
	for ; ip < n; ip++ {
		out = append(out, in[ip])
		if lit++; lit == lzfMaxLit {
			out[litPos] = lzfMaxLit - 1
			lit, litPos = 0, len(out)
			out = append(out, 0)
		}
	}
	if lit > 0 {
		out[litPos] = byte(lit - 1)
	} else {
		out = out[:litPos]
	}
	st.out = out
	if len(out) > max || len(out) == 0 {
		return nil, false
	}
	return out, true
}
