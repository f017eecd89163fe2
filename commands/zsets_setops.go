package commands

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"redoubt/internal/keyspace"
)

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD. Inputs may be
// sorted sets or plain sets (whose members score 1).

const (
	zopUnion = iota
	zopInter
	zopDiff
)

const (
	zaggSum = iota
	zaggMin
	zaggMax
)

// zsrc is one input: a sorted set, a set, or nothing (missing key).
type zsrc struct {
	z      *keyspace.ZSet
	s      *keyspace.Set
	weight float64
}

func (s *zsrc) size() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

// find returns the score of m in the input.
func (s *zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.ScoreString(m)
	case s.s != nil && s.s.Has(unsafe.Slice(unsafe.StringData(m), len(m))):
		return 1, true
	}
	return 0, false
}

// each visits every member. Members of a sorted set are immutable strings
// that may be kept; those of a set are copied.
func (s *zsrc) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.Range(fn)
	case s.s != nil:
		s.s.Range(func(m []byte) bool { return fn(string(m), 1) })
	}
}

// zaggregate folds val into *acc. A sum of opposite infinities counts as 0.
func zaggregate(acc *float64, val float64, agg int) {
	switch agg {
	case zaggSum:
		*acc += val
		if math.IsNaN(*acc) {
			*acc = 0
		}
	case zaggMin:
		if val < *acc {
			*acc = val
		}
	case zaggMax:
		if val > *acc {
			*acc = val
		}
	}
}

func zunionCmd(c *Ctx)      { zsetopGeneric(c, false, 1, zopUnion, false) }
func zinterCmd(c *Ctx)      { zsetopGeneric(c, false, 1, zopInter, false) }
func zdiffCmd(c *Ctx)       { zsetopGeneric(c, false, 1, zopDiff, false) }
func zintercardCmd(c *Ctx)  { zsetopGeneric(c, false, 1, zopInter, true) }
func zunionstoreCmd(c *Ctx) { zsetopGeneric(c, true, 2, zopUnion, false) }
func zinterstoreCmd(c *Ctx) { zsetopGeneric(c, true, 2, zopInter, false) }
func zdiffstoreCmd(c *Ctx)  { zsetopGeneric(c, true, 2, zopDiff, false) }

// zsetopGeneric: numkeys at numIdx, then the keys, then options. The
// numkeys checks come first, then the inputs' types, then the options.
func zsetopGeneric(c *Ctx, store bool, numIdx int, op int, cardOnly bool) {
	setnum, ok := c.Int(numIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		c.Error(fmt.Sprintf(ErrZNeedOneKey, c.Cmd.FullName()))
		return
	}
	if setnum > int64(len(c.Args)-numIdx-1) {
		c.SyntaxError()
		return
	}
	var buf [8]zsrc
	src := buf[:0]
	j := numIdx + 1
	for i := 0; i < int(setnum); i, j = i+1, j+1 {
		s := zsrc{weight: 1}
		if o := c.DB.Lookup(c.Key(j)); o != nil {
			switch o.Type {
			case keyspace.TZSet:
				s.z = o.Val.(*keyspace.ZSet)
			case keyspace.TSet:
				s.s = o.Val.(*keyspace.Set)
			default:
				c.WrongType()
				return
			}
		}
		src = append(src, s)
	}
	agg, withscores := zaggSum, false
	var limit int64
	for j < len(c.Args) {
		left := len(c.Args) - j
		a := c.Args[j]
		switch {
		case op != zopDiff && !cardOnly && left >= int(setnum)+1 && Is(a, "weights"):
			j++
			for i := range src {
				w, ok := zparseDouble(c.Args[j])
				if !ok {
					c.Error(ErrZWeightNotFloat)
					return
				}
				src[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && left >= 2 && Is(a, "aggregate"):
			switch v := c.Args[j+1]; {
			case Is(v, "sum"):
				agg = zaggSum
			case Is(v, "min"):
				agg = zaggMin
			case Is(v, "max"):
				agg = zaggMax
			default:
				c.SyntaxError()
				return
			}
			j += 2
		case !store && !cardOnly && Is(a, "withscores"):
			withscores = true
			j++
		case cardOnly && left >= 2 && Is(a, "limit"):
			n, ok := keyspace.ParseInt(c.Args[j+1])
			if !ok || n < 0 {
				c.Error(ErrZLimitNegative)
				return
			}
			limit = n
			j += 2
		default:
			c.SyntaxError()
			return
		}
	}
	// Union and intersection visit the inputs smallest first (a stable
	// order, which fixes how sums are rounded).
	if op != zopDiff {
		slices.SortStableFunc(src, func(a, b zsrc) int { return a.size() - b.size() })
	}
	if cardOnly {
		c.W.Int(zintercard(src, limit))
		return
	}
	var res []keyspace.ZEntry
	switch op {
	case zopUnion:
		res = zunion(src, agg)
	case zopInter:
		res = zinter(src, agg)
	default:
		res = zdiff(src)
	}
	slices.SortFunc(res, keyspace.CompareZEntry)
	if store {
		dst := c.Key(1)
		if len(res) == 0 {
			c.W.Int(0)
			if c.DB.Delete(dst) {
				c.Modified(dst)
				c.Notify(NotifyGeneric, "del", dst)
			}
			return
		}
		event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
		n := len(res)
		zstoreResult(c, dst, keyspace.NewZSetSorted(res, c.Set.ZSetMaxListpackEntries, c.Set.ZSetMaxListpackValue), event)
		c.W.Int(int64(n))
		return
	}
	sink := zsink{w: c.W, withscores: withscores}
	c.W.Array(sink.header(len(res)))
	for _, e := range res {
		sink.emit(e.Member, e.Score)
	}
}

// zweighted scales a score; 0 times infinity counts as 0.
func zweighted(score, weight float64) float64 {
	v := score * weight
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func zunion(src []zsrc, agg int) []keyspace.ZEntry {
	total := 0
	for i := range src {
		total = max(total, src[i].size())
	}
	acc := make(map[string]float64, total)
	for i := range src {
		w := src[i].weight
		src[i].each(func(m string, score float64) bool {
			v := zweighted(score, w)
			if cur, ok := acc[m]; ok {
				zaggregate(&cur, v, agg)
				acc[m] = cur
			} else {
				acc[m] = v
			}
			return true
		})
	}
	res := make([]keyspace.ZEntry, 0, len(acc))
	for m, s := range acc {
		res = append(res, keyspace.ZEntry{Member: m, Score: s})
	}
	return res
}

// zinterScan calls fn for each member of the smallest input present in
// every other input, with its aggregated score, until fn returns false.
func zinterScan(src []zsrc, agg int, fn func(m string, score float64) bool) {
	if src[0].size() == 0 {
		return
	}
	src[0].each(func(m string, score float64) bool {
		acc := zweighted(score, src[0].weight)
		for j := 1; j < len(src); j++ {
			v, ok := src[j].find(m)
			if !ok {
				return true
			}
			zaggregate(&acc, v*src[j].weight, agg)
		}
		return fn(m, acc)
	})
}

func zinter(src []zsrc, agg int) []keyspace.ZEntry {
	var res []keyspace.ZEntry
	zinterScan(src, agg, func(m string, score float64) bool {
		res = append(res, keyspace.ZEntry{Member: m, Score: score})
		return true
	})
	return res
}

// zintercard counts the intersection, stopping at limit (0: no limit).
func zintercard(src []zsrc, limit int64) int64 {
	var n int64
	zinterScan(src, zaggSum, func(string, float64) bool {
		n++
		return limit == 0 || n < limit
	})
	return n
}

// zdiff keeps the members of the first input found in no other input,
// with their original scores.
func zdiff(src []zsrc) []keyspace.ZEntry {
	var res []keyspace.ZEntry
	src[0].each(func(m string, score float64) bool {
		for j := 1; j < len(src); j++ {
			if _, ok := src[j].find(m); ok {
				return true
			}
		}
		res = append(res, keyspace.ZEntry{Member: m, Score: score})
		return true
	})
	return res
}
