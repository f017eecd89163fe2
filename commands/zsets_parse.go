package commands

import (
	"math"
	"strconv"

	"redoubt/internal/keyspace"
)

// Sorted-set commands read numbers with C's strtod, whose grammar is wider
// than Go's: hexadecimal mantissas without an exponent ("0x10"), "inf" and
// "infinity" in any case, leading blanks (the range parser accepts them),
// and out-of-range values that saturate instead of failing. zstrtod
// reproduces it so every accepted and refused spelling matches Redis.

// zstrtod parses the longest prefix of s that strtod would, returning the
// value, the number of bytes consumed (0 when nothing converts) and whether
// strtod would have set ERANGE (overflow to infinity, or a non-zero
// mantissa that underflowed to zero).
func zstrtod(s []byte) (f float64, n int, erange bool) {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	// Infinity and NaN spellings.
	if k := zmatchWord(s[i:], "infinity"); k > 0 {
		if neg {
			return math.Inf(-1), i + k, false
		}
		return math.Inf(1), i + k, false
	}
	if k := zmatchWord(s[i:], "nan"); k > 0 {
		j := i + k
		// An optional "(n-char-sequence)" belongs to the NaN.
		if j < len(s) && s[j] == '(' {
			e := j + 1
			for e < len(s) && (zIsAlnum(s[e]) || s[e] == '_') {
				e++
			}
			if e < len(s) && s[e] == ')' {
				j = e + 1
			}
		}
		return math.NaN(), j, false
	}
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if f, k, er, ok := zhexFloat(s[i+2:], neg); ok {
			return f, i + 2 + k, er
		}
		// "0x" without hex digits: only the "0" converts.
		return math.Copysign(0, zsign(neg)), i + 1, false
	}
	j := i
	digits, nonzero := 0, false
	for j < len(s) && zIsDigit(s[j]) {
		nonzero = nonzero || s[j] != '0'
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && zIsDigit(s[j]) {
			nonzero = nonzero || s[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	// An exponent counts only when digits follow it.
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && zIsDigit(s[k]) {
			for k < len(s) && zIsDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	f, err := strconv.ParseFloat(B2S(s[start:j]), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, 0, false
	}
	return f, j, math.IsInf(f, 0) || (f == 0 && nonzero)
}

func zsign(neg bool) float64 {
	if neg {
		return -1
	}
	return 1
}

// zhexFloat parses the part after "0x": hex digits with an optional point
// and an optional binary exponent "p[+-]digits".
func zhexFloat(s []byte, neg bool) (float64, int, bool, bool) {
	j, digits, nonzero := 0, 0, false
	for j < len(s) && zIsHex(s[j]) {
		nonzero = nonzero || s[j] != '0'
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && zIsHex(s[j]) {
			nonzero = nonzero || s[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false, false
	}
	mant := s[:j]
	exp := []byte("p0")
	if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && zIsDigit(s[k]) {
			for k < len(s) && zIsDigit(s[k]) {
				k++
			}
			exp = s[j:k]
			j = k
		}
	}
	buf := make([]byte, 0, 4+len(mant)+len(exp))
	if neg {
		buf = append(buf, '-')
	}
	buf = append(buf, "0x"...)
	buf = append(buf, mant...)
	buf = append(buf, exp...)
	f, err := strconv.ParseFloat(string(buf), 64)
	if err != nil && !math.IsInf(f, 0) {
		// An exponent too long for Go: saturate the way strtod does, to
		// zero for a negative exponent, else to infinity (unless the
		// mantissa is zero).
		switch {
		case len(exp) > 1 && exp[1] == '-':
			return math.Copysign(0, zsign(neg)), j, nonzero, true
		case !nonzero:
			return math.Copysign(0, zsign(neg)), j, false, true
		}
		return math.Inf(int(zsign(neg))), j, true, true
	}
	return f, j, math.IsInf(f, 0) || (f == 0 && nonzero), true
}

// zmatchWord matches "infinity" (or its "inf" prefix) or "nan" ignoring
// case, returning the length matched or 0.
func zmatchWord(s []byte, word string) int {
	if word == "infinity" {
		if len(s) >= 8 && Is(s[:8], "infinity") {
			return 8
		}
		if len(s) >= 3 && Is(s[:3], "inf") {
			return 3
		}
		return 0
	}
	if len(s) >= len(word) && Is(s[:len(word)], word) {
		return len(word)
	}
	return 0
}

func zIsDigit(c byte) bool { return c >= '0' && c <= '9' }
func zIsHex(c byte) bool {
	return zIsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
func zIsAlnum(c byte) bool {
	return zIsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// zparseDouble reads a score, increment or weight as Redis's
// getDoubleFromObject does: the whole argument must convert, no leading
// blank, not NaN, and no ERANGE result that saturated to infinity or
// underflowed to zero.
func zparseDouble(b []byte) (float64, bool) {
	if len(b) == 0 || isBlank(b[0]) {
		return 0, false
	}
	f, n, erange := zstrtod(b)
	if n != len(b) || math.IsNaN(f) || (erange && (math.IsInf(f, 0) || f == 0)) {
		return 0, false
	}
	return f, true
}

// zrangeEnd reads one end of a score interval: "(" makes it exclusive;
// the rest goes through strtod, which may skip leading blanks, saturate,
// and stop at a NUL byte; NaN is refused.
func zrangeEnd(b []byte) (f float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	f, n, _ := zstrtod(b)
	if n < len(b) && b[n] != 0 {
		return 0, false, false
	}
	if math.IsNaN(f) {
		return 0, false, false
	}
	return f, ex, true
}

// zparseScoreRange reads min and max; on failure it replies.
func zparseScoreRange(c *Ctx, minIdx, maxIdx int) (keyspace.ZScoreRange, bool) {
	var r keyspace.ZScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = zrangeEnd(c.Args[minIdx])
	r.Max, r.MaxEx, ok2 = zrangeEnd(c.Args[maxIdx])
	if !ok1 || !ok2 {
		c.Error(ErrMinMaxNotFloat)
		return r, false
	}
	return r, true
}

// zlexEnd reads a lexicographic end: "[x" inclusive, "(x" exclusive, "-"
// and "+" for the infinities. Redis reads the first two bytes C-style, so
// a NUL right after the sign still means an infinity.
func zlexEnd(b []byte) (s string, kind int8, ex, ok bool) {
	if len(b) == 0 {
		return "", 0, false, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return "", 0, false, false
		}
		kind = keyspace.LexPlusInf
		if b[0] == '-' {
			kind = keyspace.LexMinusInf
		}
		return "", kind, true, true
	case '(':
		return B2S(b[1:]), keyspace.LexString, true, true
	case '[':
		return B2S(b[1:]), keyspace.LexString, false, true
	}
	return "", 0, false, false
}

// zparseLexRange reads min and max; on failure it replies. The strings
// view the arguments: valid for the command only.
func zparseLexRange(c *Ctx, minIdx, maxIdx int) (keyspace.ZLexRange, bool) {
	var r keyspace.ZLexRange
	var ok1, ok2 bool
	r.Min, r.MinKind, r.MinEx, ok1 = zlexEnd(c.Args[minIdx])
	r.Max, r.MaxKind, r.MaxEx, ok2 = zlexEnd(c.Args[maxIdx])
	if !ok1 || !ok2 {
		c.Error(ErrMinMaxLex)
		return r, false
	}
	return r, true
}
