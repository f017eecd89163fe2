package resp

// SplitArgs splits an inline request line into arguments with the quoting
// rules of Redis's inline protocol and redis.conf: blanks separate
// arguments; "double quotes" understand \n \r \t \b \a \\ \" and \xHH;
// 'single quotes' understand only \'; a closing quote must be followed by a
// blank or the end of the line. ok is false for unbalanced quotes.
// Arguments without quotes point into line; quoted ones are copied.
func SplitArgs(line []byte, args [][]byte) (out [][]byte, ok bool) {
	p := 0
	n := len(line)
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, true
		}
		start := p
		var cur []byte // nil while the token is a plain slice of line
		plain := true
		inq, insq, done := false, false, false
		for !done {
			if plain {
				// Fast path: scan a run of ordinary characters.
				for p < n && !isTerm(line[p]) && line[p] != '"' && line[p] != '\'' {
					p++
				}
				if p >= n || isTerm(line[p]) {
					args = append(args, line[start:p:p])
					if p < n {
						p++
					}
					done = true
					break
				}
				cur = append([]byte(nil), line[start:p]...)
				plain = false
			}
			switch {
			case inq:
				if p >= n {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]) {
					cur = append(cur, hexVal(line[p+2])<<4|hexVal(line[p+3]))
					p += 3
				} else if c == '\\' && p+1 < n {
					p++
					switch line[p] {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					default:
						c = line[p]
					}
					cur = append(cur, c)
				} else if c == '"' {
					if p+1 < n && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			case insq:
				if p >= n {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+1 < n && line[p+1] == '\'' {
					p++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if p+1 < n && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			default:
				if p >= n {
					done = true
					break
				}
				switch c := line[p]; {
				case isTerm(c):
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < n {
				p++
			}
			if done && !plain {
				if cur == nil {
					cur = []byte{}
				}
				args = append(args, cur)
			}
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'
}

// isTerm reports the bytes that end an unquoted argument.
func isTerm(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0 }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
