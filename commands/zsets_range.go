package commands

import (
	"slices"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// ZRANGE and its older forms, ZRANGESTORE, and ZREMRANGEBY*.

type zrangeKind uint8

const (
	zrAuto zrangeKind = iota
	zrRank
	zrScore
	zrLex
)

type zrangeDir uint8

const (
	zdAuto zrangeDir = iota
	zdForward
	zdReverse
)

func zrangeCmd(c *Ctx)           { zrangeGeneric(c, 1, false, zrAuto, zdAuto) }
func zrangestoreCmd(c *Ctx)      { zrangeGeneric(c, 2, true, zrAuto, zdAuto) }
func zrevrangeCmd(c *Ctx)        { zrangeGeneric(c, 1, false, zrRank, zdReverse) }
func zrangebyscoreCmd(c *Ctx)    { zrangeGeneric(c, 1, false, zrScore, zdForward) }
func zrevrangebyscoreCmd(c *Ctx) { zrangeGeneric(c, 1, false, zrScore, zdReverse) }
func zrangebylexCmd(c *Ctx)      { zrangeGeneric(c, 1, false, zrLex, zdForward) }
func zrevrangebylexCmd(c *Ctx)   { zrangeGeneric(c, 1, false, zrLex, zdReverse) }
func zremrangebyrankCmd(c *Ctx)  { zremrangeGeneric(c, zrRank) }
func zremrangebyscoreCmd(c *Ctx) { zremrangeGeneric(c, zrScore) }
func zremrangebylexCmd(c *Ctx)   { zremrangeGeneric(c, zrLex) }

// zsink receives a range: written to the client, or collected for
// ZRANGESTORE.
type zsink struct {
	w          *resp.Writer
	withscores bool
	store      bool
	entries    []keyspace.ZEntry
}

// emit writes one member. In RESP3 a member with its score is a
// two-element array; in RESP2 the pair is flattened into the reply.
func (s *zsink) emit(m string, score float64) {
	if s.store {
		s.entries = append(s.entries, keyspace.ZEntry{Member: m, Score: score})
		return
	}
	if s.withscores && s.w.Proto == 3 {
		s.w.Array(2)
	}
	s.w.BulkString(m)
	if s.withscores {
		s.w.Double(score)
	}
}

// header gives a reply's length: doubled for RESP2 WITHSCORES.
func (s *zsink) header(n int) int {
	if s.withscores && s.w.Proto != 3 {
		return 2 * n
	}
	return n
}

// zrangeGeneric implements every ZRANGE form: the source key is at
// argStart, followed by its two range ends and the options
// [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset count]. The older
// commands fix the kind and direction, which then may not be given again.
func zrangeGeneric(c *Ctx, argStart int, store bool, kind zrangeKind, dir zrangeDir) {
	minIdx, maxIdx := argStart+1, argStart+2
	withscores := false
	var offset, limit int64 = 0, -1
	for j := argStart + 3; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		a := c.Args[j]
		switch {
		case !store && Is(a, "withscores"):
			withscores = true
		case Is(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = c.Int(j + 1); !ok {
				return
			}
			if limit, ok = c.Int(j + 2); !ok {
				return
			}
			j += 2
		case dir == zdAuto && Is(a, "rev"):
			dir = zdReverse
		case kind == zrAuto && Is(a, "bylex"):
			kind = zrLex
		case kind == zrAuto && Is(a, "byscore"):
			kind = zrScore
		default:
			c.SyntaxError()
			return
		}
	}
	if dir == zdAuto {
		dir = zdForward
	}
	if kind == zrAuto {
		kind = zrRank
	}
	// LIMIT is refused by rank only when it limits something: "LIMIT x -1"
	// is accepted.
	if limit != -1 && kind == zrRank {
		c.Error(ErrZLimitByRank)
		return
	}
	if withscores && kind == zrLex {
		c.Error(ErrZWithscoresLex)
		return
	}
	reverse := dir == zdReverse
	// Reverse score and lex ranges are written max first.
	if reverse && kind != zrRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr keyspace.ZScoreRange
	var lr keyspace.ZLexRange
	var ok bool
	switch kind {
	case zrRank:
		if start, ok = c.Int(minIdx); !ok {
			return
		}
		if end, ok = c.Int(maxIdx); !ok {
			return
		}
	case zrScore:
		if sr, ok = zparseScoreRange(c, minIdx, maxIdx); !ok {
			return
		}
	case zrLex:
		if lr, ok = zparseLexRange(c, minIdx, maxIdx); !ok {
			return
		}
	}
	z, ok := readZSet(c, c.Key(argStart))
	if !ok {
		return
	}
	sink := zsink{w: c.W, withscores: withscores, store: store}
	if z == nil {
		if store {
			zrangeStore(c, &sink)
		} else {
			c.W.Array(0)
		}
		return
	}
	hint := -1
	switch kind {
	case zrRank:
		hint = zrangeByRank(c, z, &sink, start, end, reverse)
	default:
		var d resp.Deferred
		if !store {
			d = c.W.DeferArray()
		}
		var n int
		if kind == zrScore {
			n = z.RangeByScore(&sr, int(offset), int(limit), reverse, sink.emit)
		} else {
			n = z.RangeByLex(&lr, int(offset), int(limit), reverse, sink.emit)
		}
		if !store {
			c.W.Fill(d, sink.header(n))
		}
	}
	if store {
		zstoreSignedZeros(sink.entries, hint, c.Set.ZSetMaxListpackEntries, c.Set.ZSetMaxListpackValue)
		if reverse {
			slices.Reverse(sink.entries)
		}
		zrangeStore(c, &sink)
	}
}

// zsanitizeRanks turns start/end (negative counts from the end) into a
// valid inclusive window of a set of n members; ok is false when empty.
func zsanitizeRanks(start, end int64, n int) (int, int, bool) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if end < 0 {
		end += l
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= l {
		return 0, 0, false
	}
	if end >= l {
		end = l - 1
	}
	return int(start), int(end), true
}

// zrangeByRank emits a rank window and returns its size.
func zrangeByRank(c *Ctx, z *keyspace.ZSet, sink *zsink, start, end int64, reverse bool) int {
	s, e, ok := zsanitizeRanks(start, end, z.Len())
	if !ok {
		if !sink.store {
			c.W.Array(0)
		}
		return 0
	}
	if !sink.store {
		c.W.Array(sink.header(e - s + 1))
	}
	z.RangeByRank(s, e, reverse, sink.emit)
	return e - s + 1
}

// zstoreSignedZeros mimics how Redis fills ZRANGESTORE's destination:
// member by member in the order the range is walked, into a listpack
// unless the size is known (hint, -1 if not) to be too big. The members
// stored while it is still a listpack lose a negative zero score.
func zstoreSignedZeros(entries []keyspace.ZEntry, hint, maxE, maxV int) {
	if hint > maxE {
		return
	}
	for i, e := range entries {
		if i+1 > maxE || len(e.Member) > maxV {
			return
		}
		if e.Score == 0 {
			entries[i].Score = 0
		}
	}
}

// zrangeStore writes ZRANGESTORE's result (sorted ascending): the
// destination is replaced by the range (its TTL dropped), or deleted when
// the range is empty.
func zrangeStore(c *Ctx, sink *zsink) {
	dst := c.Key(1)
	if len(sink.entries) == 0 {
		c.W.Int(0)
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify(NotifyGeneric, "del", dst)
		}
		return
	}
	maxE, maxV := c.Set.ZSetMaxListpackEntries, c.Set.ZSetMaxListpackValue
	n := len(sink.entries)
	zstoreResult(c, dst, keyspace.NewZSetSorted(sink.entries, maxE, maxV), "zrangestore")
	c.W.Int(int64(n))
}

// zstoreResult replaces key with z (dropping any TTL) and reports it.
func zstoreResult(c *Ctx, key string, z *keyspace.ZSet, event string) {
	c.DB.LookupWrite(key) // an expired destination goes first, as in Redis
	c.DB.Set(key, keyspace.Object{Type: keyspace.TZSet, Val: z}, false)
	c.Modified(key)
	c.Notify(NotifyZSet, event, key)
}

// zremrangeGeneric implements ZREMRANGEBYRANK/BYSCORE/BYLEX key a b: the
// range is parsed before the key is looked at.
func zremrangeGeneric(c *Ctx, kind zrangeKind) {
	var start, end int64
	var sr keyspace.ZScoreRange
	var lr keyspace.ZLexRange
	var ok bool
	var event string
	switch kind {
	case zrRank:
		event = "zremrangebyrank"
		if start, ok = c.Int(2); !ok {
			return
		}
		if end, ok = c.Int(3); !ok {
			return
		}
	case zrScore:
		event = "zremrangebyscore"
		if sr, ok = zparseScoreRange(c, 2, 3); !ok {
			return
		}
	default:
		event = "zremrangebylex"
		if lr, ok = zparseLexRange(c, 2, 3); !ok {
			return
		}
	}
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TZSet)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	z := zsetOf(o)
	var deleted int
	switch kind {
	case zrRank:
		s, e, ok := zsanitizeRanks(start, end, z.Len())
		if !ok {
			c.W.Int(0)
			return
		}
		deleted = z.DeleteRangeByRank(s, e)
	case zrScore:
		deleted = z.DeleteRangeByScore(&sr)
	default:
		deleted = z.DeleteRangeByLex(&lr)
	}
	removed := z.Len() == 0
	if removed {
		c.DB.Delete(key)
	}
	if deleted > 0 {
		c.Modified(key)
		c.Dirty += deleted - 1
		c.Notify(NotifyZSet, event, key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.W.Int(int64(deleted))
}
