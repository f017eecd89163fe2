package config

// lowerByte is C's tolower for the C locale.
func lowerByte(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// GlobMatch reports whether str matches pattern using Redis's stringmatch
// rules: '*' (any run), '?' (any byte), '[...]' classes with ranges and a
// leading '^' for negation, and '\' to quote the next byte. With nocase
// set, ASCII letters compare case-insensitively (except a quoted byte
// inside a class, which Redis compares exactly).
func GlobMatch(pattern, str string, nocase bool) bool {
	skip := false
	return globImpl(pattern, str, nocase, &skip)
}

func globImpl(pat, str string, nocase bool, skipLonger *bool) bool {
	p, s := 0, 0
	pb := func(i int) byte { // NUL past the end, like a C string
		if i < len(pat) {
			return pat[i]
		}
		return 0
	}
	for p < len(pat) && s < len(str) {
		switch pat[p] {
		case '*':
			for p+1 < len(pat) && pat[p+1] == '*' {
				p++
			}
			if p+1 == len(pat) {
				return true
			}
			for s < len(str) {
				if globImpl(pat[p+1:], str[s:], nocase, skipLonger) {
					return true
				}
				if *skipLonger {
					return false
				}
				s++
			}
			// Nothing after this star matches anywhere in the rest of the
			// string, so earlier stars cannot help either.
			*skipLonger = true
			return false
		case '?':
			s++
		case '[':
			p++
			not := pb(p) == '^'
			if not {
				p++
			}
			match := false
			c := str[s]
			for {
				if pb(p) == '\\' && len(pat)-p >= 2 {
					p++
					if pat[p] == c {
						match = true
					}
				} else if pb(p) == ']' {
					break
				} else if p >= len(pat) {
					p--
					break
				} else if len(pat)-p >= 3 && pat[p+1] == '-' {
					start, end, cc := pat[p], pat[p+2], c
					if start > end {
						start, end = end, start
					}
					if nocase {
						start, end, cc = lowerByte(start), lowerByte(end), lowerByte(cc)
					}
					p += 2
					if cc >= start && cc <= end {
						match = true
					}
				} else if nocase {
					if lowerByte(pat[p]) == lowerByte(c) {
						match = true
					}
				} else if pat[p] == c {
					match = true
				}
				p++
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s++
		case '\\':
			if len(pat)-p >= 2 {
				p++
			}
			fallthrough
		default:
			if nocase {
				if lowerByte(pat[p]) != lowerByte(str[s]) {
					return false
				}
			} else if pat[p] != str[s] {
				return false
			}
			s++
		}
		p++
		if s == len(str) {
			for p < len(pat) && pat[p] == '*' {
				p++
			}
			break
		}
	}
	return p == len(pat) && s == len(str)
}
