package resp

import (
	"bytes"
	"io"
)

// Limits a Reader enforces on requests.
type Limits struct {
	// MaxBulkLen is proto-max-bulk-len: the largest single argument.
	MaxBulkLen int64
	// MaxQueryBuf is client-query-buffer-limit: the most bytes one pending
	// request may occupy. 0 means unlimited.
	MaxQueryBuf int64
}

// inlineMax is the longest inline request line, and the longest count line
// of a multibulk request, that Redis accepts before it gives up (64 KiB).
const inlineMax = 64 * 1024

// maxMultibulk is the largest argument count a request may announce.
const maxMultibulk = 1<<31 - 1

// bigArg is the size from which a bulk argument gets a buffer of its own.
const bigArg = 32 * 1024

// Reader parses requests from a stream. It owns one buffer; returned
// arguments point into it and stay valid until the next call.
type Reader struct {
	rd     io.Reader
	buf    []byte
	r, w   int
	err    error
	args   [][]byte
	Limits Limits
	// Authenticated is consulted for the limits Redis applies to clients
	// that have not authenticated yet (10 arguments, 16 KiB bulks).
	Authenticated func() bool
	// Consumed counts the bytes of every request parsed so far, including
	// empty keepalive lines: a replica's offset is built on it.
	Consumed int64
	// Inline reports whether the last request was in the inline form.
	Inline bool
}

// NewReader returns a Reader over rd with the given starting buffer size.
func NewReader(rd io.Reader, size int) *Reader {
	if size < 512 {
		size = 512
	}
	return &Reader{rd: rd, buf: make([]byte, size), Limits: Limits{MaxBulkLen: 512 << 20}}
}

// Buffered is the number of bytes read from the stream and not yet parsed.
func (r *Reader) Buffered() int { return r.w - r.r }

// BufferedBytes exposes the unparsed bytes (for handing a stream over).
func (r *Reader) BufferedBytes() []byte { return r.buf[r.r:r.w] }

// Discard drops n buffered bytes.
func (r *Reader) Discard(n int) { r.r += n; r.Consumed += int64(n) }

// ReadCommand returns the next request, reading from the stream as needed.
// Empty requests (blank inline lines, "*0") are skipped. A *ProtocolError
// means the request is malformed; io errors are returned as they are.
func (r *Reader) ReadCommand() ([][]byte, error) {
	for {
		args, ok, err := r.parse()
		if err != nil {
			return nil, err
		}
		if ok {
			if len(args) == 0 {
				continue
			}
			return args, nil
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// TryCommand parses one request from what is already buffered, without
// reading. ok is false when no complete non-empty request is buffered.
func (r *Reader) TryCommand() (args [][]byte, ok bool, err error) {
	for {
		args, ok, err = r.parse()
		if err != nil || !ok {
			return nil, false, err
		}
		if len(args) > 0 {
			return args, true, nil
		}
	}
}

// Peek blocks until at least one byte is buffered or the stream fails.
func (r *Reader) Peek() error {
	if r.w > r.r {
		return nil
	}
	return r.fill()
}

// fill reads more bytes, compacting or growing the buffer first.
func (r *Reader) fill() error {
	if r.err != nil {
		err := r.err
		r.err = nil
		return err
	}
	if r.r > 0 {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.r = 0
	}
	if r.w == len(r.buf) {
		nb := make([]byte, 2*len(r.buf))
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	n, err := r.rd.Read(r.buf[r.w:])
	r.w += n
	if n > 0 {
		r.err = err
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// ensure grows the buffer so that need bytes past r.r fit.
func (r *Reader) ensure(need int) {
	if r.r+need <= len(r.buf) {
		return
	}
	if need <= len(r.buf) {
		copy(r.buf, r.buf[r.r:r.w])
		r.w -= r.r
		r.r = 0
		return
	}
	nb := make([]byte, need)
	copy(nb, r.buf[r.r:r.w])
	r.w -= r.r
	r.r = 0
	r.buf = nb
}

func (r *Reader) authed() bool { return r.Authenticated == nil || r.Authenticated() }

// parse tries to take one request from the buffer. ok=false means more
// bytes are needed; nothing is consumed in that case.
func (r *Reader) parse() ([][]byte, bool, error) {
	if r.r == r.w {
		return nil, false, nil
	}
	if r.buf[r.r] == '*' {
		r.Inline = false
		return r.parseMultibulk()
	}
	r.Inline = true
	return r.parseInline()
}

func (r *Reader) parseInline() ([][]byte, bool, error) {
	data := r.buf[r.r:r.w]
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		if len(data) > inlineMax {
			return nil, false, ErrTooBigInline
		}
		r.ensure(len(data) + 1024)
		return nil, false, nil
	}
	line := data[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := SplitArgs(line, r.args[:0])
	if !ok {
		return nil, false, ErrUnbalancedQuotes
	}
	r.args = args
	r.r += nl + 1
	r.Consumed += int64(nl + 1)
	return args, true, nil
}

// lineAt finds the "\r" that ends a count line starting at off. Like Redis,
// the byte after it is assumed to be "\n" and skipped unseen.
func (r *Reader) lineAt(off int) (end int, found bool) {
	i := bytes.IndexByte(r.buf[off:r.w], '\r')
	if i < 0 || off+i+1 >= r.w {
		return 0, false
	}
	return off + i, true
}

func (r *Reader) parseMultibulk() ([][]byte, bool, error) {
	pos := r.r
	end, found := r.lineAt(pos)
	if !found {
		if r.w-pos > inlineMax {
			return nil, false, ErrTooBigMbulkCount
		}
		r.ensure(r.w - r.r + 1024)
		return nil, false, nil
	}
	n, ok := parseInt(r.buf[pos+1 : end])
	if !ok || n > maxMultibulk {
		return nil, false, ErrInvalidMultibulkLen
	}
	if n > 10 && !r.authed() {
		return nil, false, ErrUnauthMultibulkLen
	}
	pos = end + 2
	if n <= 0 {
		r.Consumed += int64(pos - r.r)
		r.r = pos
		return r.args[:0], true, nil
	}
	args := r.args[:0]
	for i := int64(0); i < n; i++ {
		end, found = r.lineAt(pos)
		if !found {
			if r.w-pos > inlineMax {
				return nil, false, ErrTooBigBulkCount
			}
			r.ensure(r.w - r.r + 1024)
			return nil, false, nil
		}
		if r.buf[pos] != '$' {
			return nil, false, ErrExpectedDollar(r.buf[pos])
		}
		bl, ok := parseInt(r.buf[pos+1 : end])
		if !ok || bl < 0 || bl > r.Limits.MaxBulkLen {
			return nil, false, ErrInvalidBulkLen
		}
		if bl > 16384 && !r.authed() {
			return nil, false, ErrUnauthBulkLen
		}
		pos = end + 2
		need := pos + int(bl) + 2
		if need > r.w {
			total := need - r.r
			if r.Limits.MaxQueryBuf > 0 && int64(total) > r.Limits.MaxQueryBuf {
				return nil, false, ErrQueryBufferLimit
			}
			if bl >= bigArg {
				// Reserve room for the rest of the request's big argument
				// so it arrives in one buffer.
				r.ensure(total + 64)
			} else {
				r.ensure(total + 1024)
			}
			return nil, false, nil
		}
		args = append(args, r.buf[pos:pos+int(bl):pos+int(bl)])
		pos = need
	}
	r.args = args
	r.Consumed += int64(pos - r.r)
	r.r = pos
	return args, true, nil
}

// parseInt parses a decimal integer the strict way Redis does: optional
// minus, no plus, no spaces, no leading zeros, within int64.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		if n == 0 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}
