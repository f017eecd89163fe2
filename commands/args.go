package commands

import (
	"math"
	"strconv"
	"strings"

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
// Redis 7.0 reads it as a long double (hex, "inf" and values beyond the
// double range included), multiplies by 1000, rounds up and converts to
// a 64-bit integer: values too large for that wrap to the most negative
// integer, so they are reported as negative.
func (c *Ctx) Timeout(i int) (deadlineMs int64, ok bool) {
	f, tiny, fok := parseTimeoutFloat(c.Args[i])
	if !fok {
		c.W.Error(ErrTimeoutNotFloat)
		return 0, false
	}
	ms := f * 1000
	var t int64
	switch {
	case math.IsNaN(ms) || ms >= 9.223372036854775807e18 || ms < -9.223372036854775808e18:
		t = math.MinInt64
	case tiny:
		t = 1
	default:
		t = int64(math.Ceil(ms))
	}
	if t < 0 {
		c.W.Error(ErrTimeoutNeg)
		return 0, false
	}
	if t == 0 {
		return 0, true
	}
	if t > math.MaxInt64-c.KS.NowMs {
		c.W.Error(ErrTimeoutOverflow)
		return 0, false
	}
	return c.KS.NowMs + t, true
}

// parseTimeoutFloat reads a number the way strtold does for timeouts.
// tiny reports a positive value below the double range (still > 0).
func parseTimeoutFloat(b []byte) (f float64, tiny bool, ok bool) {
	if len(b) == 0 || isBlank(b[0]) {
		return 0, false, false
	}
	s := string(b)
	body := strings.TrimLeft(s, "+-")
	if len(body) > 2 && (body[:2] == "0x" || body[:2] == "0X") && !strings.ContainsAny(body, "pP") {
		s += "p0"
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		ne, isNum := err.(*strconv.NumError)
		if !isNum || ne.Err != strconv.ErrRange {
			return 0, false, false
		}
		// Out of the double range but maybe within long double's
		// (about 1e±4932): huge values stay huge, tiny ones stay tiny.
		if exp := decimalExponent(body); exp > 4931 || exp < -4950 {
			return 0, false, false
		}
		if v == 0 {
			return 0, !strings.HasPrefix(s, "-"), true
		}
		return v, false, true
	}
	if math.IsNaN(v) {
		return 0, false, false
	}
	if v == 0 && strings.ContainsAny(strings.SplitN(strings.ToLower(body), "e", 2)[0], "123456789") && !strings.HasPrefix(s, "-") {
		// Underflowed to zero in a double; a long double still holds it.
		return 0, true, true
	}
	return v, false, true
}

// decimalExponent estimates the base-10 exponent of a decimal number.
func decimalExponent(s string) int {
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	intPart := mant
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart = mant[:i]
	}
	intPart = strings.TrimLeft(intPart, "0")
	return exp + len(intPart)
}

// ParseIntArg parses an integer argument with Redis's strict rules.
func ParseIntArg(b []byte) (int64, bool) { return keyspace.ParseInt(b) }
