package commands

import (
	"math"
	"math/rand/v2"
)

// HRANDFIELD key [count [WITHVALUES]]. Without count: one field, or nil.
// With count, as in Redis: a negative count may repeat fields and gives
// exactly |count| of them; a positive one gives distinct fields, the whole
// hash (in its own order) when count reaches its size. WITHVALUES pairs
// each field with its value: flat in RESP2, two-element arrays in RESP3,
// and refuses counts whose doubled length would overflow.
func hrandfieldCmd(c *Ctx) {
	if len(c.Args) >= 3 {
		l, ok := parseRandCount(c, 2)
		if !ok {
			return
		}
		if len(c.Args) > 4 || (len(c.Args) == 4 && !Is(c.Args[3], "withvalues")) {
			c.SyntaxError()
			return
		}
		withValues := len(c.Args) == 4
		if withValues && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
			c.Error(ErrHSWithValuesRange)
			return
		}
		hrandfieldCount(c, l, withValues)
		return
	}
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	if h == nil {
		c.W.NullBulk()
		return
	}
	f, _ := h.Random()
	c.W.Bulk(f)
}

func hrandfieldCount(c *Ctx, l int64, withValues bool) {
	h, ok := readHash(c, c.Key(1))
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.W.Array(0)
		return
	}
	w := c.W
	nested := withValues && w.Proto >= 3
	header := func(n int) {
		if withValues && !nested {
			w.Array(2 * n)
		} else {
			w.Array(n)
		}
	}
	emit := func(f, v []byte) bool {
		if nested {
			w.Array(2)
		}
		w.Bulk(f)
		if withValues {
			w.Bulk(v)
		}
		return true
	}
	size := h.Len()
	count := l
	if l < 0 {
		count = -l
	}
	// Repeats allowed (or a single field): independent draws.
	if l < 0 || count == 1 {
		header(int(count))
		for i := int64(0); i < count; i++ {
			emit(h.Random())
		}
		return
	}
	if count >= int64(size) {
		header(size)
		h.Range(emit)
		return
	}
	n := int(count)
	header(n)
	if h.IsListpack() {
		// A compact hash gives a random subset in its own order
		// (selection sampling: keep each pair with probability
		// needed/remaining).
		need := n
		for i := 0; i < size && need > 0; i++ {
			if rand.IntN(size-i) < need {
				emit(h.At(i))
				need--
			}
		}
		return
	}
	if n*3 > size {
		// Many of the fields: shuffle a list of all of them and take the
		// first n.
		type pair struct{ f, v []byte }
		all := make([]pair, 0, size)
		h.Range(func(f, v []byte) bool {
			all = append(all, pair{f, v})
			return true
		})
		for i := 0; i < n; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
			emit(all[i].f, all[i].v)
		}
		return
	}
	// Few of the fields: draw until n distinct ones came up.
	seen := make(map[string]struct{}, n)
	for len(seen) < n {
		f, v := h.Random()
		if _, dup := seen[B2S(f)]; dup {
			continue
		}
		seen[B2S(f)] = struct{}{}
		emit(f, v)
	}
}
