package commands

import (
	"math/big"
)

// INCRBYFLOAT arithmetic. Redis parses both operands with strtold, adds
// them as C long doubles (on x86-64 the x87 80-bit format: 64-bit
// mantissa, 15-bit exponent) and prints the sum with "%.17Lf" before
// trimming trailing zeros. The helpers below reproduce that with
// math/big: every value is kept rounded to 64 mantissa bits with
// round-half-even, and range limits follow the 80-bit format.

const (
	// sldMaxExp: values are below 2^sldMaxExp (big.Float MantExp form).
	sldMaxExp = 16384
	// sldMinNormExp is the MantExp of the smallest normal value 2^-16382.
	sldMinNormExp = -16381
	// sldDenormShift: subnormals are multiples of 2^-sldDenormShift.
	sldDenormShift = 16445
	// sldMaxChars: Redis refuses number strings of this length or more.
	sldMaxChars = 5 * 1024
)

// strLD is a long double value: an infinity (inf = ±1) or a finite v.
type strLD struct {
	inf int8
	v   *big.Float
}

func newStrLD() *big.Float { return new(big.Float).SetPrec(64).SetMode(big.ToNearestEven) }

func (x strLD) val() *big.Float {
	if x.v == nil {
		return newStrLD()
	}
	return x.v
}

// add returns x+y; ok is false when the sum is infinite or NaN (either
// operand infinite, or the finite sum overflowing the 80-bit range).
func (x strLD) add(y strLD) (strLD, bool) {
	if x.inf != 0 || y.inf != 0 {
		return strLD{}, false
	}
	z := newStrLD().Add(x.val(), y.val())
	if z.Sign() != 0 && z.MantExp(nil) > sldMaxExp {
		return strLD{}, false
	}
	return strLD{v: z}, true
}

// format prints a finite value like "%.17Lf" with the trailing zeros of
// the fraction (and a bare trailing '.') removed, and "-0" shown as "0".
func (x strLD) format() []byte {
	b := x.val().Append(make([]byte, 0, 32), 'f', 17)
	for i := len(b) - 1; i >= 0 && b[i] != '.'; i-- {
		if b[i] != '0' {
			break
		}
		b = b[:i]
	}
	if n := len(b); n > 0 && b[n-1] == '.' {
		b = b[:n-1]
	}
	if len(b) == 2 && b[0] == '-' && b[1] == '0' {
		b = b[1:]
	}
	return b
}

func strIsSpace(ch byte) bool { return ch == ' ' || (ch >= '\t' && ch <= '\r') }

func strLower(ch byte) byte {
	if ch >= 'A' && ch <= 'Z' {
		return ch + 32
	}
	return ch
}

func strHasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if strLower(b[i]) != p[i] {
			return false
		}
	}
	return true
}

func strHexVal(ch byte) int {
	switch {
	case ch >= '0' && ch <= '9':
		return int(ch - '0')
	case ch >= 'a' && ch <= 'f':
		return int(ch-'a') + 10
	case ch >= 'A' && ch <= 'F':
		return int(ch-'A') + 10
	}
	return -1
}

// strParseLD accepts what Redis's string2ld accepts: the whole
// argument must be one strtold number (decimal or hexadecimal with an
// optional exponent, or inf/infinity), shorter than 5120 bytes, without
// leading blanks; NaN, overflow to infinity and underflow to zero are
// refused (underflow to a subnormal is not).
func strParseLD(b []byte) (strLD, bool) {
	if len(b) == 0 || len(b) >= sldMaxChars || strIsSpace(b[0]) {
		return strLD{}, false
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	rest := b[i:]
	if (len(rest) == 3 && strHasPrefixFold(rest, "inf")) || (len(rest) == 8 && strHasPrefixFold(rest, "infinity")) {
		if neg {
			return strLD{inf: -1}, true
		}
		return strLD{inf: 1}, true
	}
	base := 10
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		// "0x" counts as a hex prefix only when a hex digit follows,
		// possibly after the point; otherwise strtold stops after "0".
		r := rest[2:]
		if strHexVal(r[0]) >= 0 || (r[0] == '.' && len(r) > 1 && strHexVal(r[1]) >= 0) {
			base = 16
			rest = r
		}
	}
	// Mantissa: digits with at most one point, at least one digit.
	digits := make([]byte, 0, len(rest))
	frac, nd, seenPoint := 0, 0, false
	p := 0
	for ; p < len(rest); p++ {
		ch := rest[p]
		if ch == '.' && !seenPoint {
			seenPoint = true
			continue
		}
		isDigit := (base == 10 && ch >= '0' && ch <= '9') || (base == 16 && strHexVal(ch) >= 0)
		if !isDigit {
			break
		}
		nd++
		if seenPoint {
			frac++
		}
		if len(digits) > 0 || ch != '0' {
			digits = append(digits, ch)
		}
	}
	if nd == 0 {
		return strLD{}, false
	}
	// Exponent: e (decimal) or p (hex, power of two), signed decimal.
	exp := int64(0)
	if p < len(rest) && ((base == 10 && strLower(rest[p]) == 'e') || (base == 16 && strLower(rest[p]) == 'p')) {
		q := p + 1
		eneg := false
		if q < len(rest) && (rest[q] == '+' || rest[q] == '-') {
			eneg = rest[q] == '-'
			q++
		}
		if q < len(rest) && rest[q] >= '0' && rest[q] <= '9' {
			for ; q < len(rest) && rest[q] >= '0' && rest[q] <= '9'; q++ {
				if exp < 1e9 {
					exp = exp*10 + int64(rest[q]-'0')
				}
			}
			if eneg {
				exp = -exp
			}
			p = q
		}
	}
	if p != len(rest) {
		return strLD{}, false
	}
	z, ok := strExactLD(digits, base, frac, exp)
	if !ok {
		return strLD{}, false
	}
	if neg {
		z.Neg(z)
	}
	return strLD{v: z}, true
}

// strExactLD rounds the exact value digits × base^-frac × (10 or 2)^exp to
// a long double. ok is false on overflow or on underflow to zero.
func strExactLD(digits []byte, base, frac int, exp int64) (*big.Float, bool) {
	z := newStrLD()
	if len(digits) == 0 {
		return z, true // an exact zero is fine whatever the exponent
	}
	if base == 10 {
		e10 := exp - int64(frac)
		// Fast path: a mantissa below 10^19 times or over 10^k, k <= 27,
		// is one correctly rounded operation on exact 64-bit operands.
		if len(digits) <= 19 && e10 >= -27 && e10 <= 27 {
			var m uint64
			for _, d := range digits {
				m = m*10 + uint64(d-'0')
			}
			ak := e10
			if ak < 0 {
				ak = -ak
			}
			p5 := uint64(1)
			for k := int64(0); k < ak; k++ {
				p5 *= 5
			}
			mf := new(big.Float).SetUint64(m)
			pf := new(big.Float).SetUint64(p5)
			pf.SetMantExp(pf, int(ak))
			if e10 >= 0 {
				return z.Mul(mf, pf), true
			}
			return z.Quo(mf, pf), true
		}
		mag := int64(len(digits)) + e10 // value < 10^mag
		if mag > 4934 {
			return nil, false
		}
		if mag < -4952 {
			return nil, false
		}
		num, _ := new(big.Int).SetString(string(digits), 10)
		den := big.NewInt(1)
		pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(strAbs(e10)), nil)
		if e10 >= 0 {
			num.Mul(num, pow)
		} else {
			den = pow
		}
		return strRoundLD(num, den)
	}
	e2 := exp - 4*int64(frac)
	num, _ := new(big.Int).SetString(string(digits), 16)
	mag := int64(num.BitLen()) + e2 // value < 2^mag
	if mag > sldMaxExp+1 || mag < -sldDenormShift-1 {
		return nil, false
	}
	den := big.NewInt(1)
	if e2 >= 0 {
		num.Lsh(num, uint(e2))
	} else {
		den.Lsh(den, uint(-e2))
	}
	return strRoundLD(num, den)
}

func strAbs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// strRoundLD rounds num/den (both positive) to the nearest long double,
// half to even, honouring the subnormal range below 2^-16382.
func strRoundLD(num, den *big.Int) (*big.Float, bool) {
	// e such that 2^(e-1) <= num/den < 2^e.
	e := num.BitLen() - den.BitLen() + 1
	if strCmpShifted(num, den, e-1) < 0 {
		e--
	}
	z := newStrLD()
	if e >= sldMinNormExp {
		a := new(big.Float).SetInt(num)
		b := new(big.Float).SetInt(den)
		z.Quo(a, b)
		if z.MantExp(nil) > sldMaxExp {
			return nil, false
		}
		return z, true
	}
	// Subnormal: round num/den to a whole number of 2^-16445 steps.
	scaled := new(big.Int).Lsh(num, sldDenormShift)
	q, r := new(big.Int).QuoRem(scaled, den, new(big.Int))
	r.Lsh(r, 1)
	if c := r.Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	if q.Sign() == 0 {
		return nil, false
	}
	z.SetInt(q)
	return z.SetMantExp(z, -sldDenormShift), true
}

// strCmpShifted compares num with den × 2^k.
func strCmpShifted(num, den *big.Int, k int) int {
	if k >= 0 {
		return num.Cmp(new(big.Int).Lsh(den, uint(k)))
	}
	return new(big.Int).Lsh(num, uint(-k)).Cmp(den)
}
