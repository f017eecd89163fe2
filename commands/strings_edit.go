package commands

import (
	"math"
	"strconv"

	"redoubt/internal/keyspace"
)

func init() {
	rangeComplexity := "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."
	Register(
		strCmd("append", 3, Write|DenyOOM|Fast, 1, 1, 1, appendCmd, "2.0.0", "Append a value to a key", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.", "@write", "@fast"),
		strCmd("strlen", 2, ReadOnly|Fast, 1, 1, 1, strlenCmd, "2.2.0", "Get the length of the value stored in a key", "O(1)", "@read", "@fast"),
		strCmd("getrange", 4, ReadOnly, 1, 1, 1, getrangeCmd, "2.4.0", "Get a substring of the string stored at a key", rangeComplexity, "@read", "@slow"),
		strCmd("substr", 4, ReadOnly, 1, 1, 1, getrangeCmd, "1.0.0", "Get a substring of the string stored at a key", rangeComplexity, "@read", "@slow"),
		strCmd("setrange", 4, Write|DenyOOM, 1, 1, 1, setrangeCmd, "2.2.0", "Overwrite part of a string at key starting at the specified offset", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.", "@write", "@slow"),
		strCmd("incr", 2, Write|DenyOOM|Fast, 1, 1, 1, incrCmd, "1.0.0", "Increment the integer value of a key by one", "O(1)", "@write", "@fast"),
		strCmd("decr", 2, Write|DenyOOM|Fast, 1, 1, 1, decrCmd, "1.0.0", "Decrement the integer value of a key by one", "O(1)", "@write", "@fast"),
		strCmd("incrby", 3, Write|DenyOOM|Fast, 1, 1, 1, incrbyCmd, "1.0.0", "Increment the integer value of a key by the given amount", "O(1)", "@write", "@fast"),
		strCmd("decrby", 3, Write|DenyOOM|Fast, 1, 1, 1, decrbyCmd, "1.0.0", "Decrement the integer value of a key by the given number", "O(1)", "@write", "@fast"),
		strCmd("incrbyfloat", 3, Write|DenyOOM|Fast, 1, 1, 1, incrbyfloatCmd, "2.6.0", "Increment the float value of a key by the given amount", "O(1)", "@write", "@fast"),
	)
}

// strCheckLen enforces proto-max-bulk-len on a string about to grow
// to size+add bytes (overflow included). Commands from our master are
// exempt, as in Redis.
func strCheckLen(c *Ctx, size, add int64) bool {
	if c.KS.FromMaster {
		return true
	}
	total := int64(uint64(size) + uint64(add))
	if total > c.Set.ProtoMaxBulkLen || total < size || total < add {
		c.Error(ErrStringTooLong)
		return false
	}
	return true
}

// strGrowZero extends b to n bytes, the new bytes zero, with amortised growth.
func strGrowZero(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// APPEND key value: creates the key when missing (the value then gets the
// encoding its content implies, even when empty); otherwise appends in
// place, which leaves the string "raw". Answers the new length.
func appendCmd(c *Ctx) {
	key := c.Key(1)
	val := c.Args[2]
	o, ok := c.LookupWrite(key, keyspace.TString)
	if !ok {
		return
	}
	if o == nil {
		o = c.DB.Add(key, keyspace.NewString(append([]byte(nil), val...)))
	} else {
		if !strCheckLen(c, int64(len(o.Str)), int64(len(val))) {
			return
		}
		o.Str = append(o.Str, val...)
		o.Flags |= keyspace.FlagRaw
	}
	c.Modified(key)
	c.Notify(NotifyString, "append", key)
	c.W.Int(int64(len(o.Str)))
}

// STRLEN key: 0 for a missing key.
func strlenCmd(c *Ctx) {
	o, ok := c.Lookup(c.Key(1), keyspace.TString)
	if !ok {
		return
	}
	if o == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(len(o.Str)))
}

// GETRANGE key start end (and SUBSTR): both ends inclusive, negative
// values count from the end. Redis parses the numbers before looking the
// key up, answers "" for a missing key, for two negative indexes with
// start > end, and whenever the clamped range is empty.
func getrangeCmd(c *Ctx) {
	start, ok := c.Int(2)
	if !ok {
		return
	}
	end, ok := c.Int(3)
	if !ok {
		return
	}
	o, ok := c.Lookup(c.Key(1), keyspace.TString)
	if !ok {
		return
	}
	if o == nil || (start < 0 && end < 0 && start > end) {
		c.W.BulkString("")
		return
	}
	n := int64(len(o.Str))
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.BulkString("")
		return
	}
	c.W.Bulk(o.Str[start : end+1])
}

// SETRANGE key offset value: writes value at offset, zero-padding the
// string as needed, and answers the resulting length. The offset must be
// a non-negative integer. An empty value changes nothing (a missing key
// stays missing, answering 0). The string becomes "raw".
func setrangeCmd(c *Ctx) {
	offset, ok := c.Int(2)
	if !ok {
		return
	}
	if offset < 0 {
		c.Error(ErrOffsetRange)
		return
	}
	key := c.Key(1)
	val := c.Args[3]
	o, ok := c.LookupWrite(key, keyspace.TString)
	if !ok {
		return
	}
	if o == nil {
		if len(val) == 0 {
			c.W.Int(0)
			return
		}
		if !strCheckLen(c, offset, int64(len(val))) {
			return
		}
		b := make([]byte, int(offset)+len(val))
		copy(b[offset:], val)
		o = c.DB.Add(key, keyspace.Object{Type: keyspace.TString, Str: b, Flags: keyspace.FlagRaw})
	} else {
		if len(val) == 0 {
			c.W.Int(int64(len(o.Str)))
			return
		}
		if !strCheckLen(c, offset, int64(len(val))) {
			return
		}
		o.Str = strGrowZero(o.Str, int(offset)+len(val))
		copy(o.Str[offset:], val)
		o.Flags |= keyspace.FlagRaw
	}
	c.Modified(key)
	c.Notify(NotifyString, "setrange", key)
	c.W.Int(int64(len(o.Str)))
}

// INCR key.
func incrCmd(c *Ctx) { strIncrDecr(c, 1) }

// DECR key.
func decrCmd(c *Ctx) { strIncrDecr(c, -1) }

// INCRBY key increment: the increment is parsed before the key is read.
func incrbyCmd(c *Ctx) {
	if n, ok := c.Int(2); ok {
		strIncrDecr(c, n)
	}
}

// DECRBY key decrement: the most negative 64-bit decrement cannot be
// negated and has its own error.
func decrbyCmd(c *Ctx) {
	n, ok := c.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.Error(ErrDecrOverflow)
		return
	}
	strIncrDecr(c, -n)
}

// strIncrDecr adds by to the integer at key (0 when missing). The stored
// string must parse as a strict 64-bit integer and the sum must not
// overflow. The TTL is kept and the result is an "int" string.
func strIncrDecr(c *Ctx, by int64) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TString)
	if !ok {
		return
	}
	var v int64
	if o != nil {
		if v, ok = keyspace.ParseInt(o.Str); !ok {
			c.Error(ErrNotInt)
			return
		}
	}
	if (by < 0 && v < 0 && by < math.MinInt64-v) || (by > 0 && v > 0 && by > math.MaxInt64-v) {
		c.Error(ErrOverflow)
		return
	}
	v += by
	if o == nil {
		c.DB.Add(key, keyspace.NewString(strconv.AppendInt(make([]byte, 0, 20), v, 10)))
	} else {
		buf := o.Str[:0]
		if cap(buf) > 64 {
			buf = make([]byte, 0, 20)
		}
		o.Str = strconv.AppendInt(buf, v, 10)
		o.Flags = 0
	}
	c.Modified(key)
	c.Notify(NotifyString, "incrby", key)
	c.W.Int(v)
}

// INCRBYFLOAT key increment: long double arithmetic (see
// strings_float.go). The stored value is read before the increment is
// parsed; a NaN or infinite result is refused. The TTL is kept, and the
// command propagates as SET key <result> KEEPTTL so replicas never redo
// the floating point work.
func incrbyfloatCmd(c *Ctx) {
	key := c.Key(1)
	o, ok := c.LookupWrite(key, keyspace.TString)
	if !ok {
		return
	}
	var cur strLD
	if o != nil {
		if cur, ok = strParseLD(o.Str); !ok {
			c.Error(ErrNotFloat)
			return
		}
	}
	incr, ok := strParseLD(c.Args[2])
	if !ok {
		c.Error(ErrNotFloat)
		return
	}
	sum, ok := cur.add(incr)
	if !ok {
		c.Error(ErrIncrFloatNaN)
		return
	}
	res := sum.format()
	if o == nil {
		o = c.DB.Add(key, keyspace.NewString(res))
	} else {
		o.Str = res
	}
	o.Flags = keyspace.FlagText
	c.Modified(key)
	c.Notify(NotifyString, "incrbyfloat", key)
	c.W.Bulk(res)
	// The stored buffer may later be reused in place by a SET, so the
	// propagated copy must be separate.
	c.Rewrite(strLitSET, c.Args[1], append([]byte(nil), res...), strLitKEEPTTL)
}
