package commands

import (
	"math/big"
	"strconv"

	"redoubt/internal/keyspace"
)

// HINCRBYFLOAT computes in the x87 80-bit "long double" Redis uses: a
// 64-bit mantissa, exponents down to -16382 (with subnormals below, down
// to 2^-16445) and up to 16383. Values are emulated with math/big: each
// result is computed exactly and then rounded to that format, half to
// even, as the FPU does.
const (
	ldMantBits   = 64
	ldMaxExp     = 16384  // |x| < 2^16384 (big.Float exponent convention)
	ldMinNormExp = -16381 // |x| >= 2^-16382
	ldSubnormLSB = 16445  // subnormals are multiples of 2^-16445
	// ldMaxChars is the buffer Redis parses numbers in: longer input is
	// refused outright.
	ldMaxChars = 5 * 1024
)

// hsLD is a parsed long double: an int64 when the text was a canonical
// integer (the common case, kept exact without big arithmetic), an
// infinity, or a rounded big.Float.
type hsLD struct {
	isInt bool
	i     int64
	inf   int8
	f     *big.Float
}

func (v hsLD) big() *big.Float {
	if v.isInt {
		return new(big.Float).SetInt64(v.i)
	}
	return v.f
}

func cIsSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

func lowerASCII(ch byte) byte {
	if ch >= 'A' && ch <= 'Z' {
		return ch + 32
	}
	return ch
}

// hsParseLD reads b the way Redis's strtold-based parser does: no leading
// blank, the whole text must be a number (decimal, 0x hexadecimal, inf or
// infinity), NaN is refused, and so is a value that overflows or rounds
// to zero from below the subnormal range.
func hsParseLD(b []byte) (hsLD, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars || cIsSpace(b[0]) {
		return hsLD{}, false
	}
	if n, ok := keyspace.ParseInt(b); ok {
		return hsLD{isInt: true, i: n}, true
	}
	neg := b[0] == '-'
	s := b
	if b[0] == '-' || b[0] == '+' {
		s = b[1:]
	}
	if len(s) >= 3 && lowerASCII(s[0]) == 'i' && lowerASCII(s[1]) == 'n' && lowerASCII(s[2]) == 'f' {
		if len(s) == 3 || (len(s) == 8 && Is(s, "infinity")) {
			if neg {
				return hsLD{inf: -1}, true
			}
			return hsLD{inf: 1}, true
		}
		return hsLD{}, false
	}
	base, expCh := 10, byte('e')
	if len(s) >= 2 && s[0] == '0' && lowerASCII(s[1]) == 'x' {
		base, expCh = 16, 'p'
		s = s[2:]
	}
	// Mantissa: digits with at most one point, at least one digit.
	mant := make([]byte, 0, len(s))
	frac, seenDot, j := 0, false, 0
	for ; j < len(s); j++ {
		ch := s[j]
		switch {
		case ch >= '0' && ch <= '9', base == 16 && lowerASCII(ch) >= 'a' && lowerASCII(ch) <= 'f':
			mant = append(mant, ch)
			if seenDot {
				frac++
			}
			continue
		case ch == '.' && !seenDot:
			seenDot = true
			continue
		}
		break
	}
	if len(mant) == 0 {
		return hsLD{}, false
	}
	exp := int64(0)
	if j < len(s) {
		e, ok := parseExponent(s[j:], expCh)
		if !ok {
			return hsLD{}, false
		}
		exp = e
	}
	// Drop leading zeros; an all-zero mantissa is a (signed) zero.
	k := 0
	for k < len(mant) && mant[k] == '0' {
		k++
	}
	mant = mant[k:]
	if len(mant) == 0 {
		f := new(big.Float).SetPrec(ldMantBits)
		if neg {
			f.Neg(f)
		}
		return hsLD{f: f}, true
	}
	var num big.Int
	num.SetString(string(mant), base)
	var x *big.Float
	if base == 10 {
		// value = mant * 10^(exp-frac); mag is its decimal magnitude.
		e10 := exp - int64(frac)
		mag := int64(len(mant)) + e10
		if mag > 4940 {
			return hsLD{}, false
		}
		if mag < -4960 {
			return hsLD{}, false
		}
		r := new(big.Rat).SetInt(&num)
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(e10)), nil)
		if e10 >= 0 {
			r.Mul(r, new(big.Rat).SetInt(p))
		} else {
			r.Quo(r, new(big.Rat).SetInt(p))
		}
		v, st := roundRatLD(r)
		if st != 0 {
			return hsLD{}, false
		}
		x = v
	} else {
		// value = mant * 2^(exp-4*frac), exact in a float as wide as mant.
		e2 := exp - 4*int64(frac)
		mag := int64(num.BitLen()) + e2
		if mag > ldMaxExp+1 || mag < -ldSubnormLSB-2 {
			return hsLD{}, false
		}
		exact := new(big.Float).SetPrec(uint(num.BitLen()) + 1).SetInt(&num)
		exact.SetMantExp(exact, int(e2))
		v, st := roundLD(exact)
		if st != 0 {
			return hsLD{}, false
		}
		x = v
	}
	if neg {
		x.Neg(x)
	}
	return hsLD{f: x}, true
}

// parseExponent reads a complete exponent part (e.g. "e-12" or "p+3"),
// clamped far beyond any meaningful range.
func parseExponent(s []byte, expCh byte) (int64, bool) {
	if len(s) < 2 || lowerASCII(s[0]) != expCh {
		return 0, false
	}
	s = s[1:]
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var e int64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if e < 1e9 {
			e = e*10 + int64(ch-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// roundRatLD rounds an exact rational to a long double.
func roundRatLD(r *big.Rat) (*big.Float, int) {
	z := new(big.Float).SetPrec(ldMantBits).SetRat(r)
	e := z.MantExp(nil)
	if z.Sign() == 0 || (e >= ldMinNormExp && e <= ldMaxExp) {
		return z, 0
	}
	if e > ldMaxExp {
		return nil, 1
	}
	// Subnormal: round the exact value again with the bits left.
	return roundSubnormal(new(big.Float).SetPrec(ldMantBits+64).SetRat(r), r)
}

// roundLD rounds an exact float to a long double. Status 1 means
// overflow (infinity), 2 means the value rounds to zero.
func roundLD(x *big.Float) (*big.Float, int) {
	z := new(big.Float).SetPrec(ldMantBits).Set(x)
	e := z.MantExp(nil)
	if z.Sign() == 0 || (e >= ldMinNormExp && e <= ldMaxExp) {
		return z, 0
	}
	if e > ldMaxExp {
		return nil, 1
	}
	r, _ := x.Rat(nil)
	return roundSubnormal(x, r)
}

// roundSubnormal rounds a value below the normal range to the multiples
// of 2^-16445. approx gives the exponent; exact is the true value.
func roundSubnormal(approx *big.Float, exact *big.Rat) (*big.Float, int) {
	e := approx.MantExp(nil)
	bits := e + ldSubnormLSB
	if bits <= 0 {
		// Only |x| just above half the smallest subnormal rounds up.
		half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), ldSubnormLSB+1))
		a := new(big.Rat).Abs(exact)
		if bits < 0 || a.Cmp(half) <= 0 {
			return nil, 2
		}
		z := new(big.Float).SetPrec(ldMantBits).SetMantExp(big.NewFloat(0.5), -ldSubnormLSB+1)
		if exact.Sign() < 0 {
			z.Neg(z)
		}
		return z, 0
	}
	z := new(big.Float).SetPrec(uint(bits)).SetRat(exact)
	if z.Sign() == 0 {
		return nil, 2
	}
	return z.SetPrec(ldMantBits), 0
}

// hsAddLD adds two long doubles and formats the sum the way Redis prints
// it ("%.17Lf" with trailing zeros and a bare point removed, "-0" shown
// as "0"). ok is false when the sum is infinite.
func hsAddLD(a, b hsLD) ([]byte, bool) {
	if a.inf != 0 || b.inf != 0 {
		// An infinite operand (only the stored value can be one) makes an
		// infinite or NaN sum.
		return nil, false
	}
	if a.isInt && b.isInt {
		s := a.i + b.i
		// Without overflow the sum of two int64 is exact in 64 bits of
		// mantissa, so it prints as a plain integer.
		if (s > a.i) == (b.i > 0) {
			return strconv.AppendInt(nil, s, 10), true
		}
	}
	x, y := a.big(), b.big()
	var sum *big.Float
	switch {
	case x.Sign() == 0:
		sum = new(big.Float).Set(y)
	case y.Sign() == 0:
		sum = new(big.Float).Set(x)
	default:
		ex, ey := x.MantExp(nil), y.MantExp(nil)
		d := ex - ey
		if d < 0 {
			d = -d
		}
		// Wide enough for the exact sum; it is rounded once below.
		sum = new(big.Float).SetPrec(uint(d)+2*ldMantBits+2).Add(x, y)
	}
	z, st := roundLD(sum)
	if st == 1 {
		return nil, false
	}
	if st == 2 {
		z = new(big.Float)
	}
	out := z.Append(make([]byte, 0, 32), 'f', 17)
	return trimLDZeros(out), true
}

// trimLDZeros drops trailing zeros after the point, then the point, and
// turns "-0" into "0".
func trimLDZeros(b []byte) []byte {
	dot := false
	for _, ch := range b {
		if ch == '.' {
			dot = true
			break
		}
	}
	if dot {
		for len(b) > 0 && b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
	}
	if len(b) == 2 && b[0] == '-' && b[1] == '0' {
		b = b[:1]
		b[0] = '0'
	}
	return b
}
