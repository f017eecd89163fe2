package commands

import (
	"math"
	"strconv"

	"redoubt/internal/keyspace"
)

// Is compares an argument with a lower-case keyword, ignoring case.
func Is(arg []byte, kw string) bool {
	if len(arg) != len(kw) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		ch := arg[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 32
		}
		if ch != kw[i] {
			return false
		}
	}
	return true
}

// Int parses argument i as an integer, replying ErrNotInt on failure.
func (c *Ctx) Int(i int) (int64, bool) {
	n, ok := keyspace.ParseInt(c.Args[i])
	if !ok {
		c.W.Error(ErrNotInt)
	}
	return n, ok
}

// IntMsg parses argument i as an integer, replying msg on failure.
func (c *Ctx) IntMsg(i int, msg string) (int64, bool) {
	n, ok := keyspace.ParseInt(c.Args[i])
	if !ok {
		c.W.Error(msg)
	}
	return n, ok
}

// ParseFloat parses a float the way Redis's strtold-based parser does:
// no leading blanks, no trailing garbage, "inf"/"-inf" accepted, NaN not.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 5000 {
		return 0, false
	}
	if isBlank(b[0]) || isBlank(b[len(b)-1]) {
		return 0, false
	}
	s := B2S(b)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			// strtold returns HUGE_VAL with ERANGE: Redis refuses it.
			return 0, false
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	// Go accepts forms C does not ("0x1p-2" is fine in both, "1_000" only
	// in Go); refuse underscores to stay with C.
	for _, ch := range b {
		if ch == '_' {
			return 0, false
		}
	}
	return f, true
}

func isBlank(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f'
}

// Float parses argument i as a float, replying ErrNotFloat on failure.
func (c *Ctx) Float(i int) (float64, bool) {
	f, ok := ParseFloat(c.Args[i])
	if !ok {
		c.W.Error(ErrNotFloat)
	}
	return f, ok
}

// Timeout parses a blocking command's timeout (seconds, may be
// fractional) into an absolute deadline in ms; 0 means block forever.
func (c *Ctx) Timeout(i int) (deadlineMs int64, ok bool) {
	f, fok := ParseFloat(c.Args[i])
	if !fok || math.IsInf(f, 0) {
		c.W.Error(ErrTimeoutNotFloat)
		return 0, false
	}
	if f < 0 {
		c.W.Error(ErrTimeoutNeg)
		return 0, false
	}
	ms := f * 1000
	if ms > float64(math.MaxInt64/2) {
		c.W.Error(ErrTimeoutOverflow)
		return 0, false
	}
	if ms == 0 {
		return 0, true
	}
	t := int64(math.Ceil(ms))
	if t > math.MaxInt64-c.KS.NowMs {
		c.W.Error(ErrTimeoutOverflow)
		return 0, false
	}
	return c.KS.NowMs + t, true
}

// ParseIntArg parses an integer argument with Redis's strict rules.
func ParseIntArg(b []byte) (int64, bool) { return keyspace.ParseInt(b) }
