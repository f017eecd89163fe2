package keyspace

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"redoubt/internal/dict"
)

// ZEntry is one member of a sorted set with its score.
type ZEntry struct {
	Member string
	Score  float64
}

// ZSet is a sorted set value. Like Redis 7.0 it has two forms:
//
//   - "listpack": a slice sorted by (score, member), used while the set has
//     at most zset-max-listpack-entries members none longer than
//     zset-max-listpack-value bytes. Members are found by a linear scan, as
//     in Redis. The listpack stores scores as text, which turns -0 into 0;
//     this form does the same.
//   - "skiplist": a skiplist with spans (ranks in O(log n)) plus a hash
//     table from member to score.
//
// A set moves from the first form to the second when a new member crosses
// a threshold and never moves back, except for results built from scratch
// (ZUNIONSTORE and friends, loading), which take whichever form fits.
// Member strings are owned by the set and never modified, so they may be
// shared with other sets.
type ZSet struct {
	lp   []ZEntry
	zsl  *zskiplist
	dict *dict.Dict[float64]
}

// Flags for ZSet.Add (the ZADD options).
const (
	ZAddNX = 1 << iota
	ZAddXX
	ZAddGT
	ZAddLT
	ZAddIncr
)

// Outcomes reported by ZSet.Add.
const (
	ZAdded = 1 << iota
	ZUpdated
	ZNop
	ZNaN
)

// NewZSet returns an empty set in the listpack form.
func NewZSet() *ZSet { return &ZSet{} }

// zview looks at b as a string without copying; never stored.
func zview(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// lpScore is the score a listpack keeps: its text form has no negative zero.
func lpScore(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

// Encoding is what OBJECT ENCODING reports.
func (z *ZSet) Encoding() string {
	if z.zsl != nil {
		return "skiplist"
	}
	return "listpack"
}

// IsListpack reports whether the set is in the compact form.
func (z *ZSet) IsListpack() bool { return z.zsl == nil }

// Len is the number of members.
func (z *ZSet) Len() int {
	if z.zsl != nil {
		return z.zsl.length
	}
	return len(z.lp)
}

func (z *ZSet) lpFind(m string) int {
	for i := range z.lp {
		if z.lp[i].Member == m {
			return i
		}
	}
	return -1
}

// lpInsert puts (m, s) at its sorted place in the listpack.
func (z *ZSet) lpInsert(m string, s float64) {
	s = lpScore(s)
	i, _ := slices.BinarySearchFunc(z.lp, ZEntry{m, s}, CompareZEntry)
	z.lp = slices.Insert(z.lp, i, ZEntry{m, s})
}

// CompareZEntry orders entries by score, then member bytes.
func CompareZEntry(a, b ZEntry) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return strings.Compare(a.Member, b.Member)
}

// toSkiplist converts the listpack form, reserving room for hint members.
func (z *ZSet) toSkiplist(hint int) {
	if z.zsl != nil {
		return
	}
	z.zsl = newSkiplist()
	z.dict = dict.New[float64](hint)
	// Inserting from the largest down keeps every insertion at the head.
	for i := len(z.lp) - 1; i >= 0; i-- {
		e := z.lp[i]
		z.zsl.insert(e.Score, e.Member)
		z.dict.SetNew(e.Member, e.Score)
	}
	z.lp = nil
}

// Score returns the score of member m.
func (z *ZSet) Score(m []byte) (float64, bool) { return z.ScoreString(zview(m)) }

// ScoreString is Score for a string member.
func (z *ZSet) ScoreString(m string) (float64, bool) {
	if z.zsl != nil {
		return z.dict.Get(m)
	}
	if i := z.lpFind(m); i >= 0 {
		return z.lp[i].Score, true
	}
	return 0, false
}

// Add inserts or updates member m (copied if stored) following the ZADD
// flags. It returns what happened and, when the member was added or its
// score computed, the resulting score. A set in the listpack form turns
// into a skiplist first when the new member would break the thresholds.
func (z *ZSet) Add(m []byte, score float64, flags, maxEntries, maxValue int) (int, float64) {
	return z.add(zview(m), false, score, flags, maxEntries, maxValue)
}

// AddString is Add for a member string the caller will never modify (it
// may be kept without copying).
func (z *ZSet) AddString(m string, score float64, flags, maxEntries, maxValue int) (int, float64) {
	return z.add(m, true, score, flags, maxEntries, maxValue)
}

func (z *ZSet) add(m string, owned bool, score float64, flags, maxEntries, maxValue int) (int, float64) {
	if math.IsNaN(score) {
		return ZNaN, 0
	}
	nx, xx := flags&ZAddNX != 0, flags&ZAddXX != 0
	gt, lt, incr := flags&ZAddGT != 0, flags&ZAddLT != 0, flags&ZAddIncr != 0
	// Find the member once: its listpack index or its score in the table.
	var cur float64
	var sp *float64
	i := -1
	if z.zsl == nil {
		if i = z.lpFind(m); i >= 0 {
			cur = z.lp[i].Score
		}
	} else if sp = z.dict.GetPtr(m); sp != nil {
		cur = *sp
	}
	if i >= 0 || sp != nil {
		if nx {
			return ZNop, 0
		}
		if incr {
			score += cur
			if math.IsNaN(score) {
				return ZNaN, 0
			}
		}
		// GT and LT only let an existing score move in their direction.
		if (lt && score >= cur) || (gt && score <= cur) {
			return ZNop, 0
		}
		if score == cur {
			return 0, score
		}
		if sp == nil {
			owner := z.lp[i].Member
			z.lp = slices.Delete(z.lp, i, i+1)
			z.lpInsert(owner, score)
		} else {
			z.zsl.updateScore(cur, m, score)
			*sp = score
		}
		return ZUpdated, score
	}
	if xx {
		return ZNop, 0
	}
	if !owned {
		m = strings.Clone(m)
	}
	if z.zsl == nil && (len(z.lp)+1 > maxEntries || len(m) > maxValue) {
		z.toSkiplist(len(z.lp) + 1)
	}
	if z.zsl == nil {
		z.lpInsert(m, score)
	} else {
		z.zsl.insert(score, m)
		z.dict.SetNew(m, score)
	}
	return ZAdded, score
}

// Remove deletes member m and reports whether it was there.
func (z *ZSet) Remove(m []byte) bool {
	key := zview(m)
	if z.zsl != nil {
		s, ok := z.dict.Delete(key)
		if ok {
			z.zsl.delete(s, key)
		}
		return ok
	}
	if i := z.lpFind(key); i >= 0 {
		z.lp = slices.Delete(z.lp, i, i+1)
		return true
	}
	return false
}

// Rank returns the 0-based position of m counting from the lowest score,
// or from the highest with reverse.
func (z *ZSet) Rank(m []byte, reverse bool) (int, bool) {
	key := zview(m)
	var r int
	if z.zsl != nil {
		s, ok := z.dict.Get(key)
		if !ok {
			return 0, false
		}
		r = z.zsl.rankOf(s, key) - 1
	} else {
		r = z.lpFind(key)
		if r < 0 {
			return 0, false
		}
	}
	if reverse {
		r = z.Len() - 1 - r
	}
	return r, true
}

// Pop removes and returns the member with the lowest score, or the
// highest with max. The set must not be empty.
func (z *ZSet) Pop(max bool) ZEntry {
	if z.zsl == nil {
		i := 0
		if max {
			i = len(z.lp) - 1
		}
		e := z.lp[i]
		z.lp = slices.Delete(z.lp, i, i+1)
		return e
	}
	n := z.zsl.first()
	if max {
		n = z.zsl.tail
	}
	e := ZEntry{n.member, n.score}
	z.dict.Delete(n.member)
	z.zsl.delete(n.score, n.member)
	return e
}

// Range visits every member in ascending order until fn returns false
// (the RDB writer and DEBUG use it). fn must not change the set.
func (z *ZSet) Range(fn func(member string, score float64) bool) {
	if z.zsl == nil {
		for _, e := range z.lp {
			if !fn(e.Member, e.Score) {
				return
			}
		}
		return
	}
	for n := z.zsl.first(); n != nil; n = n.level[0].forward {
		if !fn(n.member, n.score) {
			return
		}
	}
}

// Clone returns a deep copy in the same form (member strings are shared:
// they are immutable).
func (z *ZSet) Clone() any {
	if z.zsl == nil {
		return &ZSet{lp: slices.Clone(z.lp)}
	}
	c := &ZSet{zsl: newSkiplist(), dict: dict.New[float64](z.zsl.length)}
	for n := z.zsl.tail; n != nil; n = n.backward {
		c.zsl.insert(n.score, n.member)
		c.dict.SetNew(n.member, n.score)
	}
	return c
}

// NewZSetSorted builds a set from entries already sorted by (score,
// member) with distinct members, in the listpack form when it fits the
// thresholds (count and longest member) and as a skiplist otherwise. The
// entries slice may be kept.
func NewZSetSorted(entries []ZEntry, maxEntries, maxValue int) *ZSet {
	fits := len(entries) <= maxEntries
	for i := 0; fits && i < len(entries); i++ {
		if len(entries[i].Member) > maxValue {
			fits = false
		}
	}
	if fits {
		for i := range entries {
			entries[i].Score = lpScore(entries[i].Score)
		}
		return &ZSet{lp: entries}
	}
	z := &ZSet{zsl: newSkiplist(), dict: dict.New[float64](len(entries))}
	for i := len(entries) - 1; i >= 0; i-- {
		z.zsl.insert(entries[i].Score, entries[i].Member)
		z.dict.SetNew(entries[i].Member, entries[i].Score)
	}
	return z
}

// ConvertToListpackIfFits turns a skiplist back into the listpack form
// when it fits the thresholds (what Redis does after loading a skiplist).
func (z *ZSet) ConvertToListpackIfFits(maxEntries, maxValue int) {
	if z.zsl == nil || z.zsl.length > maxEntries {
		return
	}
	lp := make([]ZEntry, 0, z.zsl.length)
	for n := z.zsl.first(); n != nil; n = n.level[0].forward {
		if len(n.member) > maxValue {
			return
		}
		lp = append(lp, ZEntry{n.member, lpScore(n.score)})
	}
	z.lp, z.zsl, z.dict = lp, nil, nil
}

// ConvertToSkiplist forces the skiplist form (loading a set too big for
// the listpack form).
func (z *ZSet) ConvertToSkiplist() { z.toSkiplist(len(z.lp)) }

// Scan runs one step of a ZSCAN over the skiplist form's table and returns
// the next cursor; the listpack form is listed whole with cursor 0.
func (z *ZSet) Scan(cursor uint64, fn func(member string, score float64)) uint64 {
	if z.zsl == nil {
		for _, e := range z.lp {
			fn(e.Member, e.Score)
		}
		return 0
	}
	return z.dict.Scan(cursor, fn)
}

// RandomMember returns a member chosen at random; the set must not be empty.
func (z *ZSet) RandomMember() ZEntry {
	if z.zsl == nil {
		return z.lp[zrandN(len(z.lp))]
	}
	k, s, _ := z.dict.RandomKey()
	return ZEntry{k, s}
}

// AppendListpackScore appends f the way a listpack stores a score as text
// (ZSCAN of a listpack shows it): integers within +-2^62 in plain digits,
// anything else with 17 significant digits.
func AppendListpackScore(dst []byte, f float64) []byte {
	const lim = float64(1 << 62)
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		return append(dst, '0')
	}
	if f >= -lim && f <= lim && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
