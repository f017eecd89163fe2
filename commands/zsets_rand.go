package commands

import (
	"math"
	"math/rand/v2"
	"unsafe"

	"redoubt/internal/glob"
	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// ZRANDMEMBER and ZSCAN.

// ZRANDMEMBER key [count [WITHSCORES]].
func zrandmemberCmd(c *Ctx) {
	if len(c.Args) >= 3 {
		l, ok := keyspace.ParseInt(c.Args[2])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		// The count's absolute value must fit: the smallest int64 does not.
		if l == math.MinInt64 {
			c.Error(ErrZRandCountRange)
			return
		}
		if len(c.Args) > 4 || (len(c.Args) == 4 && !Is(c.Args[3], "withscores")) {
			c.SyntaxError()
			return
		}
		zrandWithCount(c, l, len(c.Args) == 4)
		return
	}
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil {
		c.W.NullBulk()
		return
	}
	c.W.BulkString(z.RandomMember().Member)
}

// zrandWithCount: a negative count allows repeats (and returns exactly
// |count| members in random order); a positive one returns distinct
// members, the whole set, highest score first, when count covers it.
func zrandWithCount(c *Ctx, l int64, withscores bool) {
	z, ok := readZSet(c, c.Key(1))
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.W.Array(0)
		return
	}
	sink := zsink{w: c.W, withscores: withscores}
	size := z.Len()
	if l < 0 || l == 1 {
		count := l
		if count < 0 {
			count = -count
		}
		c.W.Array(sink.header(int(count)))
		for ; count > 0; count-- {
			e := z.RandomMember()
			sink.emit(e.Member, e.Score)
		}
		return
	}
	if l >= int64(size) {
		c.W.Array(sink.header(size))
		z.RangeByRank(0, size-1, true, sink.emit)
		return
	}
	count := int(l)
	c.W.Array(sink.header(count))
	if count*3 > size {
		// Most of the set is wanted: shuffle a copy and take a prefix.
		all := make([]keyspace.ZEntry, 0, size)
		z.Range(func(m string, s float64) bool {
			all = append(all, keyspace.ZEntry{Member: m, Score: s})
			return true
		})
		for i := 0; i < count; i++ {
			j := i + rand.IntN(size-i)
			all[i], all[j] = all[j], all[i]
			sink.emit(all[i].Member, all[i].Score)
		}
		return
	}
	// A small part of a big set: draw until enough distinct members.
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		e := z.RandomMember()
		if _, dup := seen[e.Member]; dup {
			continue
		}
		seen[e.Member] = struct{}{}
		sink.emit(e.Member, e.Score)
	}
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: members and scores
// flattened, scores as bulk strings in both protocols. A listpack is
// listed whole with cursor 0 and shows its scores as it stores them
// (integral values without exponent); the table form prints 17 digits.
func zscanCmd(c *Ctx) {
	o, cursor, opts, ok := startMemberScan(c, keyspace.TZSet)
	if !ok {
		return
	}
	z := zsetOf(o)
	listpack := z.IsListpack()
	items := make([][]byte, 0, 32)
	buf := make([]byte, 0, 256)
	collect := func(m string, s float64) {
		start := len(buf)
		if listpack {
			buf = keyspace.AppendListpackScore(buf, s)
		} else {
			buf = resp.FormatDouble(buf, s)
		}
		items = append(items, unsafe.Slice(unsafe.StringData(m), len(m)), buf[start:len(buf):len(buf)])
	}
	if listpack {
		z.Scan(0, collect)
		cursor = 0
	} else {
		cursor = scanTableSteps(cursor, opts.count, scanWant(opts.count, 2), func(cur uint64) (uint64, int) {
			return z.Scan(cur, collect), len(items)
		})
	}
	if !opts.matchAll {
		out := items[:0]
		for i := 0; i+1 < len(items); i += 2 {
			if glob.MatchString(opts.pattern, B2S(items[i]), false) {
				out = append(out, items[i], items[i+1])
			}
		}
		items = out
	}
	writeScanReply(c, cursor, items)
}
