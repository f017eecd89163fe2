package commands

import (
	"math"

	"redoubt/internal/keyspace"
)

// Error replies of the hash and set commands, worded as Redis 7.0 words
// them. The names carry "HS" so they cannot clash with other families'.
const (
	// ErrHSValueNaNInf answers an HINCRBYFLOAT increment of inf or nan.
	ErrHSValueNaNInf = "ERR value is NaN or Infinity"
	// ErrHSCountRange answers a count below -LONG_MAX (HRANDFIELD,
	// SRANDMEMBER).
	ErrHSCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	// ErrHSWithValuesRange answers an HRANDFIELD ... WITHVALUES count whose
	// doubled reply length would overflow.
	ErrHSWithValuesRange = "ERR value is out of range"
	// ErrHSNumKeysZero answers SINTERCARD with a numkeys below 1 or not a
	// number.
	ErrHSNumKeysZero = "ERR numkeys should be greater than 0"
	// ErrHSNumKeysArgs answers SINTERCARD with more keys announced than
	// given.
	ErrHSNumKeysArgs = "ERR Number of keys can't be greater than number of args"
	// ErrHSLimitNeg answers SINTERCARD ... LIMIT with a bad limit.
	ErrHSLimitNeg = "ERR LIMIT can't be negative"
)

// The argument checks below are the ones whose failures answer with the
// errors above.

// parseRandCount reads the count of HRANDFIELD / SRANDMEMBER: any integer
// down to -LONG_MAX (LONG_MIN itself cannot be negated).
func parseRandCount(c *Ctx, i int) (int64, bool) {
	l, ok := c.Int(i)
	if !ok {
		return 0, false
	}
	if l == math.MinInt64 {
		c.Error(ErrHSCountRange)
		return 0, false
	}
	return l, true
}

// parseSintercardArgs checks SINTERCARD's numkeys (at least 1, and no
// more than the arguments that follow) and its trailing LIMIT options
// (the last one wins). It returns the index just past the keys.
func parseSintercardArgs(c *Ctx) (end int, limit int64, ok bool) {
	numkeys, isInt := keyspace.ParseInt(c.Args[1])
	if !isInt || numkeys < 1 {
		c.Error(ErrHSNumKeysZero)
		return 0, 0, false
	}
	if numkeys > int64(len(c.Args)-2) {
		c.Error(ErrHSNumKeysArgs)
		return 0, 0, false
	}
	end = 2 + int(numkeys)
	for j := end; j < len(c.Args); j++ {
		if Is(c.Args[j], "limit") && j+1 < len(c.Args) {
			j++
			n, isInt := keyspace.ParseInt(c.Args[j])
			if !isInt || n < 0 {
				c.Error(ErrHSLimitNeg)
				return 0, 0, false
			}
			limit = n
			continue
		}
		c.SyntaxError()
		return 0, 0, false
	}
	return end, limit, true
}
