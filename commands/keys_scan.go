package commands

import (
	"bytes"
	"math"
	"strconv"

	"redoubt/internal/glob"
	"redoubt/internal/keyspace"
)

// Keyspace iteration: KEYS, SCAN and RANDOMKEY.

func init() {
	Register(
		&Command{Name: "keys", Arity: 2, Flags: ReadOnly, Proc: keysCmd,
			Group: "generic", Since: "1.0.0", Summary: "Find all keys matching the given pattern",
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			ACL:        []string{"@keyspace", "@read", "@slow", "@dangerous"},
			Tips:       []string{"request_policy:all_shards", "nondeterministic_output_order"}},
		&Command{Name: "scan", Arity: -2, Flags: ReadOnly | TouchesArbitraryKeys, Proc: scanCmd,
			Group: "generic", Since: "2.8.0", Summary: "Incrementally iterate the keys space",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			ACL:        []string{"@keyspace", "@read", "@slow"},
			Tips:       []string{"nondeterministic_output", "request_policy:special"}},
		&Command{Name: "randomkey", Arity: 1, Flags: ReadOnly | TouchesArbitraryKeys, Proc: randomkeyCmd,
			Group: "generic", Since: "1.0.0", Summary: "Return a random key from the keyspace", Complexity: "O(1)",
			ACL:  []string{"@keyspace", "@read", "@slow"},
			Tips: []string{"request_policy:all_shards", "nondeterministic_output"}},
	)
}

// KEYS pattern: every key matching the pattern ("*" alone matches all,
// even the empty key). Logically expired keys are left out but, unlike
// SCAN, not deleted.
func keysCmd(c *Ctx) {
	pat := c.Key(1)
	all := pat == "*"
	d := c.W.DeferArray()
	n := 0
	c.DB.Range(func(key string, _ *keyspace.Object) bool {
		if (all || glob.MatchString(pat, key, false)) && !c.DB.IsExpired(key) {
			c.W.BulkString(key)
			n++
		}
		return true
	})
	c.W.Fill(d, n)
}

// ParseScanCursor reads a SCAN-family cursor the way C's strtoul does in
// base 10: an optional sign (a minus negates modulo 2^64), digits, nothing
// after them and no leading blank. An empty argument is cursor 0;
// anything else, or a value beyond 64 bits, is invalid.
func ParseScanCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isBlank(b[0]) {
		return 0, false
	}
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	d := b
	if d[0] == '+' || d[0] == '-' {
		neg = d[0] == '-'
		d = d[1:]
	}
	if len(d) == 0 {
		return 0, false
	}
	var v uint64
	for _, ch := range d {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(ch-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(ch-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanOpts are SCAN's options.
type scanOpts struct {
	count    int64
	pattern  string
	matchAll bool
	typ      []byte
	hasType  bool
}

// parseScanOpts reads COUNT, MATCH and (for the keyspace only) TYPE from
// argument i on, replying on error. COUNT must be a positive integer; a
// repeated option overrides the earlier one.
func parseScanOpts(c *Ctx, i int, allowType bool) (scanOpts, bool) {
	o := scanOpts{count: 10, matchAll: true}
	for ; i < len(c.Args); i += 2 {
		more := i+1 < len(c.Args)
		switch {
		case Is(c.Args[i], "count") && more:
			n, ok := c.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.SyntaxError()
				return o, false
			}
			o.count = n
		case Is(c.Args[i], "match") && more:
			o.pattern = c.Key(i + 1)
			o.matchAll = o.pattern == "*"
		case allowType && Is(c.Args[i], "type") && more:
			// Redis reads the type name as a C string: it ends at a NUL.
			o.typ, o.hasType = c.Args[i+1], true
			if z := bytes.IndexByte(o.typ, 0); z >= 0 {
				o.typ = o.typ[:z]
			}
		default:
			c.SyntaxError()
			return o, false
		}
	}
	return o, true
}

// SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]. COUNT is the number
// of keys to gather before stopping, visiting at most 10*COUNT further
// buckets; MATCH and TYPE filter what was gathered, so a call may return
// fewer keys (or none) with a non-zero cursor. Keys found logically
// expired are left out and, on a master, deleted.
func scanCmd(c *Ctx) {
	cursor, ok := ParseScanCursor(c.Args[1])
	if !ok {
		c.Error(ErrInvalidCursor)
		return
	}
	o, ok := parseScanOpts(c, 2, true)
	if !ok {
		return
	}
	// Keys held by the table are immutable owned strings, safe to keep.
	var found []string
	collect := func(key string, _ *keyspace.Object) { found = append(found, key) }
	maxIter := o.count * 10
	if maxIter/10 != o.count {
		maxIter = math.MaxInt64
	}
	for {
		cursor = c.DB.Scan(cursor, collect)
		if cursor == 0 || maxIter == 0 || int64(len(found)) >= o.count {
			break
		}
		maxIter--
	}
	kept := found[:0]
	for _, key := range found {
		if !o.matchAll && !glob.MatchString(o.pattern, key, false) {
			continue
		}
		if o.hasType {
			// The type check is a lookup of its own: an expired key is
			// removed there and then reads as "none".
			name := "none"
			if v := c.DB.LookupNoTouch(key); v != nil {
				name = v.Type.Name()
			}
			if !asciiEqualFold(o.typ, name) {
				continue
			}
		}
		if c.DB.IsExpired(key) && c.DB.LookupNoTouch(key) == nil {
			continue
		}
		kept = append(kept, key)
	}
	c.W.Array(2)
	var tmp [20]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], cursor, 10))
	c.W.Array(len(kept))
	for _, key := range kept {
		c.W.BulkString(key)
	}
}

// asciiEqualFold compares like C's strcasecmp in the C locale: only
// ASCII letters fold.
func asciiEqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// RANDOMKEY: a random live key, or nil when the database is empty.
func randomkeyCmd(c *Ctx) {
	key, ok := c.DB.RandomKey()
	if !ok {
		c.W.NullBulk()
		return
	}
	c.W.BulkString(key)
}
