package resp

import (
	"math"
	"strconv"
	"strings"
)

// Writer appends replies to Buf in the client's protocol version. RESP2
// clients get the RESP2 spelling of RESP3-only types: maps become flat
// arrays, sets and pushes arrays, doubles bulk strings, booleans integers
// and every null the null bulk or null array.
type Writer struct {
	Buf   []byte
	Proto int // 2 or 3
}

// NewWriter returns a RESP2 writer.
func NewWriter() *Writer { return &Writer{Proto: 2, Buf: make([]byte, 0, 1024)} }

// Reset empties the buffer, keeping its memory.
func (w *Writer) Reset() { w.Buf = w.Buf[:0] }

// Len is the number of bytes waiting.
func (w *Writer) Len() int { return len(w.Buf) }

func (w *Writer) header(c byte, n int64) {
	w.Buf = append(w.Buf, c)
	w.Buf = strconv.AppendInt(w.Buf, n, 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// OK writes +OK.
func (w *Writer) OK() { w.Buf = append(w.Buf, "+OK\r\n"...) }

// Simple writes a status reply.
func (w *Writer) Simple(s string) {
	w.Buf = append(w.Buf, '+')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Error writes an error reply. msg carries its code ("ERR ...",
// "WRONGTYPE ..."); a missing leading '-' is added, and line breaks are
// turned into spaces so the reply stays one line, as Redis does.
func (w *Writer) Error(msg string) {
	if !strings.HasPrefix(msg, "-") {
		w.Buf = append(w.Buf, '-')
	}
	start := len(w.Buf)
	w.Buf = append(w.Buf, msg...)
	for i := start; i < len(w.Buf); i++ {
		if w.Buf[i] == '\r' || w.Buf[i] == '\n' {
			w.Buf[i] = ' '
		}
	}
	w.Buf = append(w.Buf, '\r', '\n')
}

// Int writes an integer reply.
func (w *Writer) Int(n int64) { w.header(':', n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', int64(len(b)))
	w.Buf = append(w.Buf, b...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkInt writes an integer as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// NullBulk writes the missing-value reply.
func (w *Writer) NullBulk() {
	if w.Proto == 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
	} else {
		w.Buf = append(w.Buf, "$-1\r\n"...)
	}
}

// NullArray writes the missing-aggregate reply.
func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
	} else {
		w.Buf = append(w.Buf, "*-1\r\n"...)
	}
}

// Array starts an array of n elements.
func (w *Writer) Array(n int) { w.header('*', int64(n)) }

// Map starts a map of n pairs.
func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.header('%', int64(n))
	} else {
		w.header('*', int64(2*n))
	}
}

// Set starts a set of n elements.
func (w *Writer) Set(n int) {
	if w.Proto == 3 {
		w.header('~', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// Push starts an out-of-band push message of n elements.
func (w *Writer) Push(n int) {
	if w.Proto == 3 {
		w.header('>', int64(n))
	} else {
		w.header('*', int64(n))
	}
}

// Double writes a floating point reply the way Redis 7.0 formats it
// (17 significant digits; inf and -inf spelled out).
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	b := FormatDouble(tmp[:0], f)
	if w.Proto == 3 {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, b...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(b)
}

// FormatDouble appends f as Redis 7.0 prints a double in replies.
func FormatDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// Bool writes a boolean (an integer 1/0 in RESP2).
func (w *Writer) Bool(b bool) {
	if w.Proto == 3 {
		if b {
			w.Buf = append(w.Buf, "#t\r\n"...)
		} else {
			w.Buf = append(w.Buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes a verbatim string of format "txt" (a bulk in RESP2).
func (w *Writer) Verbatim(s string, format string) {
	if w.Proto != 3 {
		w.BulkString(s)
		return
	}
	w.header('=', int64(len(s)+4))
	w.Buf = append(w.Buf, format...)
	w.Buf = append(w.Buf, ':')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Raw appends pre-encoded protocol.
func (w *Writer) Raw(b []byte) { w.Buf = append(w.Buf, b...) }

// Deferred is a placeholder for an aggregate whose size is known only
// after its elements are written.
type Deferred struct {
	pos  int
	kind byte
}

// DeferArray starts an array whose length is given later with Fill.
func (w *Writer) DeferArray() Deferred { return Deferred{len(w.Buf), '*'} }

// DeferMap starts a map whose length is given later with Fill.
func (w *Writer) DeferMap() Deferred { return Deferred{len(w.Buf), '%'} }

// DeferSet starts a set whose length is given later with Fill.
func (w *Writer) DeferSet() Deferred { return Deferred{len(w.Buf), '~'} }

// Fill writes the header of a deferred aggregate with n elements (pairs,
// for a map) in front of the elements written since.
func (w *Writer) Fill(d Deferred, n int) {
	kind := d.kind
	if w.Proto != 3 {
		if kind == '%' {
			n *= 2
		}
		kind = '*'
	}
	var tmp [24]byte
	h := append(tmp[:0], kind)
	h = strconv.AppendInt(h, int64(n), 10)
	h = append(h, '\r', '\n')
	w.Buf = append(w.Buf, h...)
	copy(w.Buf[d.pos+len(h):], w.Buf[d.pos:len(w.Buf)-len(h)])
	copy(w.Buf[d.pos:], h)
}

// AppendCommand appends args as a RESP array of bulk strings (the form
// commands take in the replication stream).
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}
