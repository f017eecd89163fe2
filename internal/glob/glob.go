// Package glob implements the glob-style pattern matching Redis uses for
// KEYS, SCAN MATCH, PSUBSCRIBE and friends, with the exact quirks of Redis
// 7.0's matcher: byte-wise comparison, bracket classes with escapes and
// (possibly reversed) ranges, a lone trailing backslash taken literally, an
// unterminated class running to the end of the pattern, and the guards
// against patterns that would otherwise take exponential time.
package glob

// maxNesting bounds how deep '*' wildcards may recurse; a match attempt
// that would go deeper simply fails, as in Redis.
const maxNesting = 1000

// Match reports whether s matches pattern. With nocase, ASCII letters
// compare case-insensitively (Redis only folds in the C locale).
func Match(pattern, s []byte, nocase bool) bool {
	giveUp := false
	return match(pattern, 0, s, 0, nocase, &giveUp, 0)
}

// MatchString is Match for strings, without conversions.
func MatchString(pattern, s string, nocase bool) bool {
	giveUp := false
	return match(pattern, 0, s, 0, nocase, &giveUp, 0)
}

// lower folds an ASCII upper-case letter; every other value is unchanged.
func lower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// signed widens a byte the way a C char is widened on x86: bytes >= 0x80
// become negative. Redis compares class ranges on such values, so a range
// such as "[a-\xff]" really spans -1..'a'.
func signed(b byte) int { return int(int8(b)) }

// match tries p[pi:] against s[si:]. giveUp is shared by the whole attempt:
// once a '*' found no position from which the rest of the pattern matches,
// no earlier '*' can help by swallowing more, so everything fails fast.
func match[T string | []byte](p T, pi int, s T, si int, nocase bool, giveUp *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	for pi < len(p) && si < len(s) {
		switch p[pi] {
		case '*':
			// A run of stars is one star.
			for pi+1 < len(p) && p[pi+1] == '*' {
				pi++
			}
			// A trailing star matches whatever is left.
			if pi+1 == len(p) {
				return true
			}
			for si < len(s) {
				if match(p, pi+1, s, si, nocase, giveUp, nesting+1) {
					return true
				}
				if *giveUp {
					return false
				}
				si++
			}
			*giveUp = true
			return false
		case '?':
			si++
		case '[':
			pi++
			negate := pi < len(p) && p[pi] == '^'
			if negate {
				pi++
			}
			hit := false
			for {
				if pi+1 < len(p) && p[pi] == '\\' {
					// Inside a class a backslash makes the next byte
					// literal; the comparison ignores nocase.
					pi++
					if p[pi] == s[si] {
						hit = true
					}
				} else if pi < len(p) && p[pi] == ']' {
					break
				} else if pi == len(p) {
					// Unterminated class: stop on the last pattern byte
					// so the common step below ends the pattern.
					pi--
					break
				} else if pi+2 < len(p) && p[pi+1] == '-' {
					// A range; its ends may come in either order.
					lo, hi, c := signed(p[pi]), signed(p[pi+2]), signed(s[si])
					if lo > hi {
						lo, hi = hi, lo
					}
					if nocase {
						lo, hi, c = lower(lo), lower(hi), lower(c)
					}
					pi += 2
					if c >= lo && c <= hi {
						hit = true
					}
				} else if nocase {
					if lower(int(p[pi])) == lower(int(s[si])) {
						hit = true
					}
				} else if p[pi] == s[si] {
					hit = true
				}
				pi++
			}
			if negate {
				hit = !hit
			}
			if !hit {
				return false
			}
			si++
		case '\\':
			// An escape makes the next byte literal; a backslash that
			// ends the pattern stands for itself.
			if pi+1 < len(p) {
				pi++
			}
			fallthrough
		default:
			if nocase {
				if lower(int(p[pi])) != lower(int(s[si])) {
					return false
				}
			} else if p[pi] != s[si] {
				return false
			}
			si++
		}
		pi++
		if si == len(s) {
			// The subject is used up: only stars may remain.
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(p) && si == len(s)
}
