package keyspace

import "strconv"

// Type is a value's data type, numbered as in the RDB format's families.
type Type uint8

// The value types.
const (
	TString Type = iota
	TList
	TSet
	TZSet
	THash
	TStream
)

// Name is the type name TYPE prints.
func (t Type) Name() string {
	switch t {
	case TString:
		return "string"
	case TList:
		return "list"
	case TSet:
		return "set"
	case TZSet:
		return "zset"
	case THash:
		return "hash"
	case TStream:
		return "stream"
	}
	return "none"
}

// Object flags.
const (
	// FlagRaw marks a string changed in place (APPEND, SETRANGE): Redis
	// reports such strings as "raw" whatever their content.
	FlagRaw uint8 = 1 << iota
	// FlagText marks a string stored as text even if it reads as an
	// integer (INCRBYFLOAT results): Redis reports it embstr or raw.
	FlagText
)

// Object is one value. Strings live in Str; every other type in Val as a
// pointer to its structure (*List, *Hash, *Set, *ZSet, *Stream).
type Object struct {
	Str   []byte
	Val   any
	Type  Type
	Flags uint8
	// LRU is the access clock (seconds, 24 bits) under LRU policies, or
	// the LFU pair (minutes<<8 | log counter) under LFU policies.
	LRU uint32
}

// NewString wraps b (owned by the caller from now on) as a string value.
func NewString(b []byte) Object { return Object{Type: TString, Str: b} }

// Encoding is what OBJECT ENCODING reports for the value.
func (o *Object) Encoding() string {
	switch o.Type {
	case TString:
		return stringEncoding(o)
	default:
		if e, ok := o.Val.(interface{ Encoding() string }); ok {
			return e.Encoding()
		}
	}
	return "unknown"
}

// embstrMax is the longest string Redis keeps in the embedded form.
const embstrMax = 44

func stringEncoding(o *Object) string {
	if o.Flags&FlagRaw != 0 {
		return "raw"
	}
	if len(o.Str) <= 20 && o.Flags&FlagText == 0 {
		if _, ok := ParseInt(o.Str); ok {
			return "int"
		}
	}
	if len(o.Str) <= embstrMax {
		return "embstr"
	}
	return "raw"
}

// ParseInt parses b as Redis's string2ll does: an optional minus sign,
// digits, no leading zeros or blanks, within int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	var n uint64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<64-1)/10 {
			return 0, false
		}
		n2 := n*10 + uint64(c-'0')
		if n2 < n {
			return 0, false
		}
		n = n2
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return int64(-n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// FormatInt renders n in decimal.
func FormatInt(n int64) []byte { return strconv.AppendInt(nil, n, 10) }
