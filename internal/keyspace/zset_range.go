package keyspace

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

func zrandN(n int) int { return rand.IntN(n) }

// ZScoreRange is a score interval; MinEx/MaxEx make an end exclusive.
type ZScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

func (r *ZScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func (r *ZScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// empty: min above max, or equal ends with one of them exclusive.
func (r *ZScoreRange) empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// Bound kinds of a lexicographic range end.
const (
	LexString   = 0  // the end is the string in Min/Max
	LexMinusInf = -1 // "-": below every string
	LexPlusInf  = 1  // "+": above every string
)

// ZLexRange is a member interval for the BYLEX commands.
type ZLexRange struct {
	Min, Max         string
	MinKind, MaxKind int8
	MinEx, MaxEx     bool
}

// lexCmp orders a value of kind ka against one of kind kb. Two ends of the
// same infinite kind compare equal; "-" sorts first and "+" last.
func lexCmp(a string, ka int8, b string, kb int8) int {
	if ka != LexString && ka == kb {
		return 0
	}
	if ka == LexMinusInf || kb == LexPlusInf {
		return -1
	}
	if ka == LexPlusInf || kb == LexMinusInf {
		return 1
	}
	return strings.Compare(a, b)
}

func (r *ZLexRange) gteMin(v string) bool {
	c := lexCmp(v, LexString, r.Min, r.MinKind)
	if r.MinEx {
		return c > 0
	}
	return c >= 0
}

func (r *ZLexRange) lteMax(v string) bool {
	c := lexCmp(v, LexString, r.Max, r.MaxKind)
	if r.MaxEx {
		return c < 0
	}
	return c <= 0
}

func (r *ZLexRange) empty() bool {
	c := lexCmp(r.Min, r.MinKind, r.Max, r.MaxKind)
	return c > 0 || (c == 0 && (r.MinEx || r.MaxEx))
}

// Listpack helpers. Scores are sorted, so score bounds are found by binary
// search; members are only sorted among equal scores, so lexicographic
// bounds are found by scanning, exactly as Redis walks its listpack.

func (z *ZSet) lpFirstInScore(r *ZScoreRange) int {
	n := len(z.lp)
	if r.empty() || n == 0 || !r.gteMin(z.lp[n-1].Score) || !r.lteMax(z.lp[0].Score) {
		return -1
	}
	i := sort.Search(n, func(i int) bool { return r.gteMin(z.lp[i].Score) })
	if i == n || !r.lteMax(z.lp[i].Score) {
		return -1
	}
	return i
}

func (z *ZSet) lpLastInScore(r *ZScoreRange) int {
	n := len(z.lp)
	if r.empty() || n == 0 || !r.gteMin(z.lp[n-1].Score) || !r.lteMax(z.lp[0].Score) {
		return -1
	}
	i := sort.Search(n, func(i int) bool { return !r.lteMax(z.lp[i].Score) }) - 1
	if i < 0 || !r.gteMin(z.lp[i].Score) {
		return -1
	}
	return i
}

func (z *ZSet) lpInLex(r *ZLexRange) bool {
	n := len(z.lp)
	return !r.empty() && n > 0 && r.gteMin(z.lp[n-1].Member) && r.lteMax(z.lp[0].Member)
}

func (z *ZSet) lpFirstInLex(r *ZLexRange) int {
	if !z.lpInLex(r) {
		return -1
	}
	for i := range z.lp {
		if r.gteMin(z.lp[i].Member) {
			if r.lteMax(z.lp[i].Member) {
				return i
			}
			return -1
		}
	}
	return -1
}

func (z *ZSet) lpLastInLex(r *ZLexRange) int {
	if !z.lpInLex(r) {
		return -1
	}
	for i := len(z.lp) - 1; i >= 0; i-- {
		if r.lteMax(z.lp[i].Member) {
			if r.gteMin(z.lp[i].Member) {
				return i
			}
			return -1
		}
	}
	return -1
}

// RangeByRank visits ranks start..end (0-based, inclusive, already within
// 0..Len()-1), counted from the highest score with reverse.
func (z *ZSet) RangeByRank(start, end int, reverse bool, fn func(member string, score float64)) {
	count := end - start + 1
	if z.zsl == nil {
		for k := 0; k < count; k++ {
			i := start + k
			if reverse {
				i = len(z.lp) - 1 - i
			}
			fn(z.lp[i].Member, z.lp[i].Score)
		}
		return
	}
	var n *zslNode
	if reverse {
		n = z.zsl.tail
		if start > 0 {
			n = z.zsl.byRank(z.zsl.length - start)
		}
	} else {
		n = z.zsl.first()
		if start > 0 {
			n = z.zsl.byRank(start + 1)
		}
	}
	for ; count > 0 && n != nil; count-- {
		fn(n.member, n.score)
		if reverse {
			n = n.backward
		} else {
			n = n.level[0].forward
		}
	}
}

// zwalk is a position in either form, for the range walks below.
type zwalk struct {
	z   *ZSet
	i   int
	n   *zslNode
	rev bool
}

func (w *zwalk) valid() bool {
	if w.z.zsl == nil {
		return w.i >= 0 && w.i < len(w.z.lp)
	}
	return w.n != nil
}

func (w *zwalk) at() (string, float64) {
	if w.z.zsl == nil {
		return w.z.lp[w.i].Member, w.z.lp[w.i].Score
	}
	return w.n.member, w.n.score
}

func (w *zwalk) step() {
	switch {
	case w.z.zsl == nil && w.rev:
		w.i--
	case w.z.zsl == nil:
		w.i++
	case w.rev:
		w.n = w.n.backward
	default:
		w.n = w.n.level[0].forward
	}
}

// emit skips offset entries, then hands entries to fn while inRange holds
// and limit (negative: no limit) allows. It returns how many it emitted.
// A negative offset walks off the end, as in Redis, so nothing is emitted.
func (w *zwalk) emit(offset, limit int, inRange func(string, float64) bool, fn func(string, float64)) int {
	if offset < 0 {
		return 0
	}
	for ; offset > 0 && w.valid(); offset-- {
		w.step()
	}
	n := 0
	for ; limit != 0 && w.valid(); limit-- {
		m, s := w.at()
		if !inRange(m, s) {
			break
		}
		fn(m, s)
		n++
		w.step()
	}
	return n
}

// RangeByScore hands fn the members within r (from the top with reverse),
// after skipping offset of them and at most limit (negative: all). It
// returns the number emitted.
func (z *ZSet) RangeByScore(r *ZScoreRange, offset, limit int, reverse bool, fn func(member string, score float64)) int {
	if offset > 0 && offset >= z.Len() {
		return 0
	}
	w := zwalk{z: z, rev: reverse}
	switch {
	case z.zsl == nil && reverse:
		w.i = z.lpLastInScore(r)
	case z.zsl == nil:
		w.i = z.lpFirstInScore(r)
	case reverse:
		w.n, _ = z.zsl.lastInScore(r)
	default:
		w.n, _ = z.zsl.firstInScore(r)
	}
	check := r.lteMax
	if reverse {
		check = r.gteMin
	}
	return w.emit(offset, limit, func(_ string, s float64) bool { return check(s) }, fn)
}

// RangeByLex is RangeByScore for a member interval.
func (z *ZSet) RangeByLex(r *ZLexRange, offset, limit int, reverse bool, fn func(member string, score float64)) int {
	w := zwalk{z: z, rev: reverse}
	switch {
	case z.zsl == nil && reverse:
		w.i = z.lpLastInLex(r)
	case z.zsl == nil:
		w.i = z.lpFirstInLex(r)
	case reverse:
		w.n, _ = z.zsl.lastInLex(r)
	default:
		w.n, _ = z.zsl.firstInLex(r)
	}
	check := r.lteMax
	if reverse {
		check = r.gteMin
	}
	return w.emit(offset, limit, func(m string, _ float64) bool { return check(m) }, fn)
}

// CountInScore is ZCOUNT: the number of members whose score is within r.
func (z *ZSet) CountInScore(r *ZScoreRange) int {
	if z.zsl == nil {
		first := z.lpFirstInScore(r)
		if first < 0 {
			return 0
		}
		return z.lpLastInScore(r) - first + 1
	}
	n, first := z.zsl.firstInScore(r)
	if n == nil {
		return 0
	}
	count := z.zsl.length - (first - 1)
	if n, last := z.zsl.lastInScore(r); n != nil {
		count -= z.zsl.length - last
	}
	return count
}

// CountInLex is ZLEXCOUNT: the listpack form counts forward from the first
// member in range; the skiplist subtracts the ranks of both ends.
func (z *ZSet) CountInLex(r *ZLexRange) int {
	if z.zsl == nil {
		w := zwalk{z: z, i: z.lpFirstInLex(r)}
		return w.emit(0, -1, func(m string, _ float64) bool { return r.lteMax(m) }, func(string, float64) {})
	}
	n, first := z.zsl.firstInLex(r)
	if n == nil {
		return 0
	}
	count := z.zsl.length - (first - 1)
	if n, last := z.zsl.lastInLex(r); n != nil {
		count -= z.zsl.length - last
	}
	return count
}

// DeleteRangeByRank removes ranks start..end (0-based, inclusive, within
// bounds) and returns how many went.
func (z *ZSet) DeleteRangeByRank(start, end int) int {
	if z.zsl == nil {
		z.lp = slices.Delete(z.lp, start, end+1)
		return end - start + 1
	}
	return z.zsl.deleteRankRange(start+1, end+1, z.forget)
}

// DeleteRangeByScore removes the members whose score is within r.
func (z *ZSet) DeleteRangeByScore(r *ZScoreRange) int {
	if z.zsl == nil {
		i := z.lpFirstInScore(r)
		if i < 0 {
			return 0
		}
		j := i
		for j < len(z.lp) && r.lteMax(z.lp[j].Score) {
			j++
		}
		z.lp = slices.Delete(z.lp, i, j)
		return j - i
	}
	return z.zsl.deleteScoreRange(r, z.forget)
}

// DeleteRangeByLex removes the members within r.
func (z *ZSet) DeleteRangeByLex(r *ZLexRange) int {
	if z.zsl == nil {
		i := z.lpFirstInLex(r)
		if i < 0 {
			return 0
		}
		j := i
		for j < len(z.lp) && r.lteMax(z.lp[j].Member) {
			j++
		}
		z.lp = slices.Delete(z.lp, i, j)
		return j - i
	}
	return z.zsl.deleteLexRange(r, z.forget)
}

// forget drops a member removed from the skiplist from the table.
func (z *ZSet) forget(m string) { z.dict.Delete(m) }
