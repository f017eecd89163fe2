package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// errUnbalanced is returned by SplitArgs for bad quoting.
var errUnbalanced = errors.New("unbalanced quotes")

// cIsSpace reports whether b is white space for C's isspace in the C locale.
func cIsSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

func isHex(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

func hexVal(b byte) byte {
	switch {
	case b >= '0' && b <= '9':
		return b - '0'
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10
	default:
		return b - 'A' + 10
	}
}

// SplitArgs tokenises one configuration line with Redis's sdssplitargs
// rules. Tokens are separated by white space. Inside double quotes the
// escapes \n \r \t \b \a \xHH and backslash-anything are understood;
// inside single quotes only \' is. A closing quote must be followed by
// white space or the end of the line. The input ends at the first NUL byte,
// as it would for a C string. An error is returned for unbalanced quotes.
func SplitArgs(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	at := func(i int) byte { // NUL past the end, like a C string
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	args := []string{}
	p := 0
	for {
		for p < len(line) && cIsSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return args, nil
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur = append(cur, hexVal(at(p+2))*16+hexVal(at(p+3)))
					p += 3
				case c == '\\' && at(p+1) != 0:
					p++
					e := at(p)
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
				case c == '"':
					if n := at(p + 1); n != 0 && !cIsSpace(n) {
						return nil, errUnbalanced
					}
					done = true
				case c == 0:
					return nil, errUnbalanced
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if n := at(p + 1); n != 0 && !cIsSpace(n) {
						return nil, errUnbalanced
					}
					done = true
				case c == 0:
					return nil, errUnbalanced
				default:
					cur = append(cur, c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// Repr quotes s the way Redis's sdscatrepr does: always inside double
// quotes, with \\ \" \n \r \t \a \b escaped and other non-printable bytes
// written as \xHH. SplitArgs(Repr(s)) returns s.
func Repr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c <= 0x7e {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// splitSpaces splits on every single space like sdssplitlen(s, " "): two
// adjacent spaces yield an empty token and "" yields no token at all.
func splitSpaces(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// ParseMemory converts a memory value with Redis 7.0's memtoull rules:
// digits followed by an optional unit among b, k (1000), kb (1024), m,
// mb, g, gb (case-insensitive). Signs, spaces and other units are errors.
// As in Redis, the digits may be empty ("kb" is 0), values larger than
// 2^64-1 saturate, and the multiplication by the unit wraps around.
func ParseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch asciiLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	for _, c := range []byte(s[:i]) {
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			v = math.MaxUint64 // strtoull saturates on overflow
			break
		}
		v = v*10 + d
	}
	return v * mul, true
}

// parseStrictInt mirrors Redis's string2ll: an optional '-', no '+', no
// leading zeros, no spaces, at most 20 bytes, within int64.
func parseStrictInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	p := s
	if p[0] == '-' {
		neg = true
		p = p[1:]
		if p == "" {
			return 0, false
		}
	}
	if p[0] < '1' || p[0] > '9' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// cStrtoll mirrors C's strtoll(s, &end, base) for base 8 or 10: leading
// white space and a sign are allowed, overflow saturates. It returns the
// value, the unparsed rest and whether the value overflowed.
func cStrtoll(s string, base int) (int64, string, bool) {
	i := 0
	for i < len(s) && cIsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	over := false
	for i < len(s) && s[i] >= '0' && int(s[i]-'0') < base {
		d := uint64(s[i] - '0')
		if !over {
			if v > (math.MaxUint64-d)/uint64(base) {
				over = true
			} else {
				v = v*uint64(base) + d
			}
		}
		i++
	}
	if i == start { // no digits: nothing is consumed
		return 0, s, false
	}
	rest := s[i:]
	if neg {
		if over || v > 1<<63 {
			return math.MinInt64, rest, true
		}
		return -int64(v), rest, false
	}
	if over || v > math.MaxInt64 {
		return math.MaxInt64, rest, true
	}
	return int64(v), rest, false
}

// parseCDouble mirrors Redis's string2d (strtod on the whole string):
// no leading space, no NaN, no overflow, no underflow to zero. Like strtod
// it accepts hexadecimal numbers without a binary exponent and "inf".
func parseCDouble(s string) (float64, bool) {
	if s == "" || cIsSpace(s[0]) || strings.ContainsAny(s, "_") {
		return 0, false
	}
	t := s
	body := strings.TrimLeft(t, "+-")
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') &&
		!strings.ContainsAny(body, "pP") {
		t += "p0"
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if f == 0 && strings.ContainsAny(strings.SplitN(strings.ToLower(body), "e", 2)[0], "123456789") &&
		!(len(body) > 1 && (body[1] == 'x' || body[1] == 'X')) {
		return 0, false // underflow, which strtod flags with ERANGE
	}
	return f, true
}

// formatCDouble prints f like printf("%f") followed by Redis's
// trimDoubleString (trailing zeros and a trailing dot removed).
func formatCDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// formatMemoryForFile writes bytes with the largest exact unit among gb,
// mb and kb, as CONFIG REWRITE does; the value is treated as signed.
func formatMemoryForFile(v int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case v != 0 && v%gb == 0:
		return strconv.FormatInt(v/gb, 10) + "gb"
	case v != 0 && v%mb == 0:
		return strconv.FormatInt(v/mb, 10) + "mb"
	case v != 0 && v%kb == 0:
		return strconv.FormatInt(v/kb, 10) + "kb"
	}
	return strconv.FormatInt(v, 10)
}
