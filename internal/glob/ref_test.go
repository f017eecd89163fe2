package glob

// A reference matcher for tests: the pattern is first compiled into
// tokens following Redis's parsing rules (which never depend on the
// subject), then matched by dynamic programming, so no backtracking and
// no shortcut is shared with the real implementation.

type tokKind int

const (
	tokLit tokKind = iota
	tokAny
	tokStar
	tokClass
)

type classItem struct {
	lo, hi int  // inclusive range on C-signed values; lo == hi for a byte
	exact  bool // escaped byte: compared without case folding
	rng    bool
}

type token struct {
	kind   tokKind
	lit    byte
	negate bool
	items  []classItem
}

func at(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func compile(p []byte) []token {
	var out []token
	for i := 0; i < len(p); {
		switch p[i] {
		case '*':
			if len(out) == 0 || out[len(out)-1].kind != tokStar {
				out = append(out, token{kind: tokStar})
			}
			i++
		case '?':
			out = append(out, token{kind: tokAny})
			i++
		case '[':
			i++
			tk := token{kind: tokClass}
			if at(p, i) == '^' && i < len(p) {
				tk.negate = true
				i++
			}
			for {
				if i+1 < len(p) && p[i] == '\\' {
					tk.items = append(tk.items, classItem{lo: int(p[i+1]), hi: int(p[i+1]), exact: true})
					i += 2
				} else if i < len(p) && p[i] == ']' {
					i++
					break
				} else if i >= len(p) {
					break
				} else if i+2 < len(p) && p[i+1] == '-' {
					tk.items = append(tk.items, classItem{lo: signed(p[i]), hi: signed(p[i+2]), rng: true})
					i += 3
				} else {
					tk.items = append(tk.items, classItem{lo: int(p[i]), hi: int(p[i])})
					i++
				}
			}
			out = append(out, tk)
		case '\\':
			if i+1 < len(p) {
				i++
			}
			out = append(out, token{kind: tokLit, lit: p[i]})
			i++
		default:
			out = append(out, token{kind: tokLit, lit: p[i]})
			i++
		}
	}
	return out
}

func (tk *token) accepts(c byte, nocase bool) bool {
	switch tk.kind {
	case tokAny:
		return true
	case tokLit:
		if nocase {
			return lower(int(tk.lit)) == lower(int(c))
		}
		return tk.lit == c
	}
	hit := false
	for _, it := range tk.items {
		switch {
		case it.rng:
			lo, hi, v := it.lo, it.hi, signed(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, v = lower(lo), lower(hi), lower(v)
			}
			if v >= lo && v <= hi {
				hit = true
			}
		case it.exact || !nocase:
			if it.lo == int(c) {
				hit = true
			}
		default:
			if lower(it.lo) == lower(int(c)) {
				hit = true
			}
		}
	}
	return hit != tk.negate
}

func refMatch(p, s []byte, nocase bool) bool {
	// Redis never matches an empty subject against a non-empty pattern.
	if len(s) == 0 || len(p) == 0 {
		return len(s) == 0 && len(p) == 0
	}
	toks := compile(p)
	// ok[j] = tokens[i:] match s[j:], filled from the last token back.
	n := len(s)
	next := make([]bool, n+1)
	next[n] = true
	cur := make([]bool, n+1)
	for i := len(toks) - 1; i >= 0; i-- {
		tk := &toks[i]
		if tk.kind == tokStar {
			cur[n] = next[n]
			for j := n - 1; j >= 0; j-- {
				cur[j] = next[j] || cur[j+1]
			}
		} else {
			cur[n] = false
			for j := 0; j < n; j++ {
				cur[j] = tk.accepts(s[j], nocase) && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}
