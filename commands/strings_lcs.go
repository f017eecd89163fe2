package commands

import (
	"math"

	"redoubt/internal/keyspace"
)

func init() {
	Register(strCmd("lcs", -3, ReadOnly, 1, 2, 1, lcsCmd, "7.0.0", "Find longest common substring",
		"O(N*M) where N and M are the lengths of s1 and s2, respectively", "@read", "@slow"))
}

// lcsRange is one matched stretch, inclusive on both strings.
type lcsRange struct {
	aStart, aEnd, bStart, bEnd uint32
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings (missing keys are empty strings).
// Both keys are checked for being strings before any option is read.
// LEN and IDX together are refused; a negative MINMATCHLEN counts as 0;
// WITHMATCHLEN only matters with IDX.
func lcsCmd(c *Ctx) {
	oa := c.DB.Lookup(c.Key(1))
	ob := c.DB.Lookup(c.Key(2))
	if (oa != nil && oa.Type != keyspace.TString) || (ob != nil && ob.Type != keyspace.TString) {
		c.Error(ErrLCSKeyType)
		return
	}
	var a, b []byte
	if oa != nil {
		a = oa.Str
	}
	if ob != nil {
		b = ob.Str
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := strCutNUL(c.Args[j])
		switch {
		case Is(opt, "idx"):
			getIdx = true
		case Is(opt, "len"):
			getLen = true
		case Is(opt, "withmatchlen"):
			withLen = true
		case Is(opt, "minmatchlen") && j+1 < len(c.Args):
			n, ok := c.Int(j + 1)
			if !ok {
				return
			}
			minLen = max(n, 0)
			j++
		default:
			c.SyntaxError()
			return
		}
	}
	if getIdx && getLen {
		c.Error(ErrLCSLenAndIdx)
		return
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		c.Error(ErrLCSTooLong)
		return
	}
	// The table of LCS lengths has (len(a)+1)*(len(b)+1) cells of 4 bytes;
	// Redis refuses to build one larger than proto-max-bulk-len.
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells*4 > uint64(c.Set.ProtoMaxBulkLen) {
		c.Error(ErrLCSMemoryLimit)
		return
	}
	width := len(b) + 1
	t := make([]uint32, cells)
	for i := 1; i <= len(a); i++ {
		row, prev := t[i*width:(i+1)*width], t[(i-1)*width:i*width]
		ai := a[i-1]
		for j := 1; j <= len(b); j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	total := t[len(a)*width+len(b)]
	if getLen && !getIdx {
		c.W.Int(int64(total))
		return
	}

	// Walk back from the end: a match belongs to the sequence, otherwise
	// step towards the neighbour with the longer LCS (preferring b's side
	// on ties). Consecutive diagonal matches form one range; a range is
	// reported when the walk leaves it, or when it reaches the start of
	// either string. With MINMATCHLEN, shorter ranges are not reported.
	result := make([]byte, total)
	idx := total
	var ranges []lcsRange
	var cur lcsRange
	active := false
	i, j := uint32(len(a)), uint32(len(b))
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if !active {
				cur = lcsRange{i - 1, i - 1, j - 1, j - 1}
				active = true
			} else {
				cur.aStart--
				cur.bStart--
			}
			emit = cur.aStart == 0 || cur.bStart == 0
			idx--
			i--
			j--
		} else {
			if t[int(i-1)*width+int(j)] > t[int(i)*width+int(j-1)] {
				i--
			} else {
				j--
			}
			emit = active
		}
		if emit {
			if n := cur.aEnd - cur.aStart + 1; getIdx && (minLen == 0 || int64(n) >= minLen) {
				ranges = append(ranges, cur)
			}
			active = false
		}
	}
	if !getIdx {
		c.W.Bulk(result)
		return
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(ranges))
	for _, r := range ranges {
		if withLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(r.aStart))
		c.W.Int(int64(r.aEnd))
		c.W.Array(2)
		c.W.Int(int64(r.bStart))
		c.W.Int(int64(r.bEnd))
		if withLen {
			c.W.Int(int64(r.aEnd - r.aStart + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(total))
}
