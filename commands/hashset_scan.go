package commands

import (
	"strconv"

	"redoubt/internal/glob"
	"redoubt/internal/keyspace"
)

// HSCAN and SSCAN share SCAN's cursor and options (keys_scan.go) with two
// differences: a missing key answers an empty scan before any option is
// looked at, and a collection still in a compact encoding (listpack,
// intset) has no cursor: it is listed whole in one reply with cursor 0,
// whatever cursor was given.

// emptyScanReply answers a scan of a missing key.
func emptyScanReply(c *Ctx) {
	c.W.Array(2)
	c.W.BulkString("0")
	c.W.Array(0)
}

// scanTableSteps drives a table scan the way Redis does: keep stepping
// until the cursor wraps, enough items were gathered (want), or 10*COUNT
// extra steps were spent on a sparse table. step performs one cursor step
// and reports the number gathered so far.
func scanTableSteps(cursor uint64, count int64, want int, step func(uint64) (uint64, int)) uint64 {
	maxIter := count * 10
	if count > 1<<58 {
		maxIter = 1 << 62
	}
	for {
		var n int
		cursor, n = step(cursor)
		if cursor == 0 || maxIter == 0 {
			return cursor
		}
		maxIter--
		if n >= want {
			return cursor
		}
	}
}

// scanWant converts COUNT into a number of gathered items, guarding the
// int conversion.
func scanWant(count int64, per int) int {
	if count > 1<<40 {
		return 1 << 41
	}
	return int(count) * per
}

// writeScanReply writes [cursor, items].
func writeScanReply(c *Ctx, cursor uint64, items [][]byte) {
	c.W.Array(2)
	var tmp [24]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], cursor, 10))
	c.W.Array(len(items))
	for _, it := range items {
		c.W.Bulk(it)
	}
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: fields and values
// flattened; MATCH filters on the field only.
func hscanCmd(c *Ctx) {
	o, cursor, opts, ok := startMemberScan(c, keyspace.THash)
	if !ok {
		return
	}
	h := o.Val.(*keyspace.Hash)
	items := make([][]byte, 0, 32)
	collect := func(f, v []byte) { items = append(items, f, v) }
	if h.IsListpack() {
		h.Scan(0, collect)
		cursor = 0
	} else {
		// COUNT counts fields; each gathers two items.
		cursor = scanTableSteps(cursor, opts.count, scanWant(opts.count, 2), func(cur uint64) (uint64, int) {
			next := h.Scan(cur, collect)
			return next, len(items)
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

// SSCAN key cursor [MATCH pattern] [COUNT count].
func sscanCmd(c *Ctx) {
	o, cursor, opts, ok := startMemberScan(c, keyspace.TSet)
	if !ok {
		return
	}
	s := o.Val.(*keyspace.Set)
	var items [][]byte
	if s.IsIntset() {
		// Intset members are numbers; render each into one shared buffer.
		ints := s.Ints()
		items = make([][]byte, 0, len(ints))
		buf := make([]byte, 0, len(ints)*8)
		for _, n := range ints {
			start := len(buf)
			buf = strconv.AppendInt(buf, n, 10)
			items = append(items, buf[start:len(buf):len(buf)])
		}
		cursor = 0
	} else {
		items = make([][]byte, 0, 16)
		cursor = scanTableSteps(cursor, opts.count, scanWant(opts.count, 1), func(cur uint64) (uint64, int) {
			next := s.Scan(cur, func(m []byte) { items = append(items, m) })
			return next, len(items)
		})
	}
	if !opts.matchAll {
		out := items[:0]
		for _, it := range items {
			if glob.MatchString(opts.pattern, B2S(it), false) {
				out = append(out, it)
			}
		}
		items = out
	}
	writeScanReply(c, cursor, items)
}

// startMemberScan is the common start of HSCAN, SSCAN and ZSCAN: the
// cursor is checked first, then the key (WRONGTYPE), then a missing key
// answers an empty scan, and only then are MATCH/COUNT parsed, in the
// order Redis checks them. ok is false when a reply was already written.
func startMemberScan(c *Ctx, t keyspace.Type) (o *keyspace.Object, cursor uint64, opts scanOpts, ok bool) {
	cursor, ok = ParseScanCursor(c.Args[2])
	if !ok {
		c.Error(ErrInvalidCursor)
		return nil, 0, opts, false
	}
	o, ok = c.Lookup(c.Key(1), t)
	if !ok {
		return nil, 0, opts, false
	}
	if o == nil {
		emptyScanReply(c)
		return nil, 0, opts, false
	}
	opts, ok = parseScanOpts(c, 3, false)
	return o, cursor, opts, ok
}
