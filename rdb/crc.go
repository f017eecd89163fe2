package rdb

import (
	"encoding/binary"
	"fmt"
	"hash"
	"io"

	"github.com/hdt3213/rdb/lzf"
)

// The guard sits between the raw payload and hdt3213's decoder. It walks
// the RDB framing itself (opcodes, length prefixes, the object layouts),
// and only hands bytes to the decoder once the length prefixes in them
// have been checked against what can possibly follow. That gives us what
// the decoder lacks: a CRC64 over every byte but the trailer, certainty
// that the EOF opcode and the trailer were reached, exact byte offsets in
// errors, no read past the payload, and no allocation sized by a corrupt
// length prefix (the decoder would make([]byte, n) for any n).

const (
	chunkSize = 64 << 10
	// unknownLimit bounds a single length prefix when the payload size is
	// not known (a plain io.Reader): 4 GiB of string, 64M elements.
	unknownStrLimit   = 1 << 32
	unknownCountLimit = 1 << 26
	// lzfMaxRatio bounds how much LZF can expand its input: a 3-byte back
	// reference yields at most 264 bytes.
	lzfMaxRatio = 90
)

// Opcodes and type bytes of the RDB format.
const (
	opFunctionPreGA = 246
	opFunction2     = 245
	opModuleAux     = 247
	opIdle          = 248
	opFreq          = 249
	opAux           = 250
	opResizeDB      = 251
	opExpireMs      = 252
	opExpireSec     = 253
	opSelectDB      = 254
	opEOF           = 255
	opSlotInfo      = 244
)

type guard struct {
	rd      io.Reader
	buf     []byte // read buffer: unread bytes are buf[r:w]
	r, w    int
	hashed  int   // buf[:hashed] is already in crc (hashed <= r)
	rdErr   error // the reader's error once it returned one
	off     int64 // bytes consumed
	limit   int64 // payload size, -1 when unknown
	crc     hash.Hash64
	out     []byte // validated bytes not yet handed to the decoder
	held    []byte // per-key prefix opcodes (expiry, idle, freq)
	discard bool   // the current record is skipped (module values)
	hold    bool   // bytes go to held (prefix opcodes)
	ch      chan *message
	done    chan struct{}
	// Keys decoded by the guard itself (direct.go) and the segments of
	// the message being built.
	direct   bool
	ents     []Entry
	segs     []segment
	db       int   // database of the last SELECTDB
	fwd      int64 // bytes forwarded to the decoder
	segDelta int64
	info     *Info
	version  int
	err      error
	recOff   int64 // offset where the current record began
	// orders carries stream field orders to the converter.
	orders *streamOrders
}

// fail records the first framing error at offset off.
func (g *guard) failf(off int64, format string, a ...any) error {
	return &Error{Offset: off, Reason: fmt.Sprintf(format, a...)}
}

func (g *guard) remain() int64 {
	if g.limit < 0 {
		return unknownStrLimit
	}
	return g.limit - g.off
}

// hashConsumed adds the consumed bytes not yet hashed to the CRC: the
// checksum is computed over large runs, not per field.
func (g *guard) hashConsumed() {
	if g.r > g.hashed {
		g.crc.Write(g.buf[g.hashed:g.r])
		g.hashed = g.r
	}
}

// fill makes at least n (<= len(g.buf)) unread bytes available; fewer
// only when the reader ends first.
func (g *guard) fill(n int) {
	if g.w-g.r >= n || g.rdErr != nil {
		return
	}
	g.hashConsumed()
	if g.r > 0 {
		g.w = copy(g.buf, g.buf[g.r:g.w])
		g.r, g.hashed = 0, 0
	}
	for g.w < n && g.rdErr == nil {
		k, err := g.rd.Read(g.buf[g.w:])
		g.w += k
		if err != nil {
			g.rdErr = err
		} else if k == 0 {
			g.rdErr = io.ErrNoProgress
		}
	}
}

// next consumes n bytes (n <= len(g.buf)) and returns them; the slice is
// valid until the next call. They are forwarded unless the record is
// being skipped.
func (g *guard) next(n int) ([]byte, error) {
	if g.limit >= 0 && int64(n) > g.remain() {
		return nil, g.failf(g.off, "unexpected end of payload: need %d bytes, %d left", n, g.remain())
	}
	g.fill(n)
	if g.w-g.r < n {
		return nil, g.failf(g.off+int64(g.w-g.r), "unexpected end of file (truncated)")
	}
	p := g.buf[g.r : g.r+n]
	g.r += n
	g.off += int64(n)
	if g.hold && !g.discard {
		g.held = append(g.held, p...)
	} else if !g.discard {
		return p, g.forward(p)
	}
	return p, nil
}

// read consumes exactly len(p) bytes into p.
func (g *guard) read(p []byte) error {
	for len(p) > 0 {
		k := min(len(p), len(g.buf))
		b, err := g.next(k)
		if err != nil {
			return err
		}
		copy(p, b)
		p = p[k:]
	}
	return nil
}

func (g *guard) byte1() (byte, error) {
	if g.r < g.w && !g.hold && (g.limit < 0 || g.remain() > 0) {
		// Fast path: one buffered byte.
		b := g.buf[g.r]
		g.r++
		g.off++
		if !g.discard {
			g.out = append(g.out, b)
			g.fwd++
			if len(g.out) >= chunkSize {
				return b, g.flush()
			}
		}
		return b, nil
	}
	p, err := g.next(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

// skip consumes n bytes in chunks.
func (g *guard) skip(n int64) error {
	for n > 0 {
		k := min(n, int64(len(g.buf)))
		if _, err := g.next(int(k)); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// forward queues bytes for the decoder.
func (g *guard) forward(p []byte) error {
	g.out = append(g.out, p...)
	g.fwd += int64(len(p))
	if len(g.out) >= chunkSize {
		return g.flush()
	}
	return nil
}

// flush sends the message built so far.
func (g *guard) flush() error {
	if len(g.out) == 0 && len(g.ents) == 0 {
		return nil
	}
	g.closeSegment()
	m := &message{b: g.out, ents: g.ents, segs: g.segs}
	g.out = make([]byte, 0, chunkSize+4096)
	g.ents, g.segs = nil, nil
	select {
	case g.ch <- m:
		return nil
	case <-g.done:
		return errStopped
	}
}

// length reads an RDB length prefix: 6-bit, 14-bit, 32-bit or 64-bit, or
// a "special" string encoding marker (top bits 11).
func (g *guard) length() (n uint64, special bool, err error) {
	at := g.off
	b, err := g.byte1()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3f), false, nil
	case 1:
		c, err := g.byte1()
		return uint64(b&0x3f)<<8 | uint64(c), false, err
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	var buf [8]byte
	switch b {
	case 0x80:
		err = g.read(buf[:4])
		return uint64(binary.BigEndian.Uint32(buf[:4])), false, err
	case 0x81:
		err = g.read(buf[:8])
		return binary.BigEndian.Uint64(buf[:8]), false, err
	}
	return 0, false, g.failf(at, "invalid length encoding byte 0x%02x", b)
}

// count reads an element count and bounds it by the bytes that can follow
// (every element takes at least one byte).
func (g *guard) count(what string) (uint64, error) {
	at := g.off
	n, special, err := g.length()
	if err != nil {
		return 0, err
	}
	if special {
		return 0, g.failf(at, "%s: string encoding where a length was expected", what)
	}
	lim := uint64(g.remain())
	if g.limit < 0 {
		lim = unknownCountLimit
	}
	if n > lim {
		return 0, g.failf(at, "%s: length %d is larger than the %d bytes left in the payload", what, n, lim)
	}
	return n, nil
}

// str walks one RDB string (plain, int-encoded or LZF). With keep it
// returns the decoded bytes too (for the few blobs the guard inspects).
func (g *guard) str(what string, keep bool) ([]byte, error) {
	at := g.off
	n, special, err := g.length()
	if err != nil {
		return nil, err
	}
	if special {
		switch n {
		case 0:
			return nil, g.skip(1)
		case 1:
			return nil, g.skip(2)
		case 2:
			return nil, g.skip(4)
		case 3:
			return g.lzfStr(what, at, keep)
		}
		return nil, g.failf(at, "%s: unknown string encoding %d", what, n)
	}
	if n > uint64(g.remain()) {
		return nil, g.failf(at, "%s: string length %d is larger than the %d bytes left in the payload", what, n, g.remain())
	}
	if !keep {
		return nil, g.skip(int64(n))
	}
	buf := make([]byte, n)
	return buf, g.read(buf)
}

func (g *guard) lzfStr(what string, at int64, keep bool) ([]byte, error) {
	clen, _, err := g.length()
	if err != nil {
		return nil, err
	}
	ulen, _, err := g.length()
	if err != nil {
		return nil, err
	}
	switch {
	case clen == 0 || clen > uint64(g.remain()):
		return nil, g.failf(at, "%s: compressed length %d invalid (%d bytes left)", what, clen, g.remain())
	case ulen == 0 || ulen > unknownStrLimit || ulen/lzfMaxRatio > clen:
		return nil, g.failf(at, "%s: uncompressed length %d impossible for %d compressed bytes", what, ulen, clen)
	}
	if !keep {
		return nil, g.skip(int64(clen))
	}
	buf := make([]byte, clen)
	if err := g.read(buf); err != nil {
		return nil, err
	}
	out, err := lzfSafe(buf, int(ulen))
	if err != nil {
		return nil, g.failf(at, "%s: bad LZF data: %v", what, err)
	}
	return out, nil
}

// lzfSafe decompresses, turning a panic on corrupt input into an error.
func lzfSafe(in []byte, ulen int) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%v", r)
		}
	}()
	out, err = lzf.Decompress(in, len(in), ulen)
	if err == nil && len(out) != ulen {
		err = fmt.Errorf("got %d bytes, want %d", len(out), ulen)
	}
	return out, err
}

// header checks the magic and the version: "REDIS" and four digits.
func (g *guard) header() error {
	var h [9]byte
	if err := g.read(h[:]); err != nil {
		return g.failf(0, "not an RDB file: shorter than the 9-byte header")
	}
	if string(h[:5]) != "REDIS" {
		return g.failf(0, "not an RDB file: bad magic %q", h[:5])
	}
	v := 0
	for _, c := range h[5:] {
		if c < '0' || c > '9' {
			return g.failf(5, "bad RDB version %q", h[5:])
		}
		v = v*10 + int(c-'0')
	}
	if v < 1 || v > MaxVersion {
		return g.failf(5, "can't handle RDB format version %d (this build reads 1 to %d)", v, MaxVersion)
	}
	g.version = v
	g.info.Version = v
	return nil
}

// run walks the whole payload, forwarding what it validated.
func (g *guard) run() error {
	if err := g.header(); err != nil {
		return err
	}
	for {
		g.recOff = g.off
		g.hold = true
		op, err := g.byte1()
		if err != nil {
			return err
		}
		switch op {
		// Expiry, idle time and frequency belong to the key that follows:
		// they stay held until we know whether that key is kept.
		case opExpireMs:
			err = g.skip(8)
		case opExpireSec:
			err = g.skip(4)
		case opIdle:
			_, _, err = g.length()
		case opFreq:
			err = g.skip(1)
		default:
			err = g.record(op)
			if err == errEOF {
				return g.trailer()
			}
		}
		if err != nil {
			return err
		}
	}
}

var errEOF = fmt.Errorf("eof opcode")

// record walks one opcode or key whose first byte (op) is in g.held.
func (g *guard) record(op byte) error {
	held := g.held
	g.held = g.held[:0]
	g.hold = false
	if op == 7 || op == opModuleAux {
		// Module data we cannot interpret: skip it (and its held
		// prefix) so the decoder never sees it; count it in Info.
		g.discard = true
		defer func() { g.discard = false }()
		if op == 7 {
			if _, err := g.str("module key", false); err != nil {
				return err
			}
			g.info.ModuleValues++
		} else {
			g.info.ModuleAux++
		}
		id, _, err := g.length()
		if err != nil {
			return err
		}
		g.info.addModuleType(moduleName(id))
		return g.moduleBody()
	}
	if g.direct && !g.discard && (op <= 2 || op == 4 || op == 5 || op == 11 || (op >= 16 && op <= 18) || op == 13) {
		return g.directRecord(op, held)
	}
	if err := g.forward(held); err != nil {
		return err
	}
	switch op {
	case opEOF:
		return errEOF
	case opSelectDB:
		n, err := g.count("SELECTDB")
		g.db = int(n)
		return err
	case opResizeDB:
		if _, err := g.count("RESIZEDB"); err != nil {
			return err
		}
		_, err := g.count("RESIZEDB")
		return err
	case opAux:
		if _, err := g.str("AUX key", false); err != nil {
			return err
		}
		_, err := g.str("AUX value", false)
		return err
	case opFunction2:
		_, err := g.str("FUNCTION2 payload", false)
		return err
	case opFunctionPreGA, opSlotInfo, 243, 6:
		return g.failf(g.recOff, "unsupported RDB opcode/type %d (written by a newer or pre-release Redis)", op)
	}
	if op > 25 || op == 8 {
		return g.failf(g.recOff, "unknown RDB object type byte %d (0x%02x)", op, op)
	}
	if _, err := g.str("key", false); err != nil {
		return err
	}
	return g.object(op)
}

// moduleBody skips a module's serialised value: typed fields until the
// module EOF marker.
func (g *guard) moduleBody() error {
	for {
		at := g.off
		code, _, err := g.length()
		if err != nil {
			return err
		}
		switch code {
		case 0:
			return nil
		case 1, 2:
			_, _, err = g.length()
		case 3:
			err = g.skip(4)
		case 4:
			err = g.skip(8)
		case 5:
			_, err = g.str("module string", false)
		default:
			return g.failf(at, "unknown module opcode %d", code)
		}
		if err != nil {
			return err
		}
	}
}

func moduleName(id uint64) string {
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	id >>= 10
	for j := 8; j >= 0; j-- {
		name[j] = cset[id&63]
		id >>= 6
	}
	return string(name[:])
}

// trailer checks the CRC64 after the EOF opcode (RDB 5+): the checksum
// of every byte before it, stored little-endian; zero means the writer
// had rdbchecksum off.
func (g *guard) trailer() error {
	g.info.EOFOffset = g.off - 1
	if g.version >= 5 {
		g.hashConsumed()
		want := g.crc.Sum64()
		at := g.off
		var t [8]byte
		if err := g.read(t[:]); err != nil {
			return g.failf(at, "truncated: missing the 8-byte checksum after the EOF opcode")
		}
		got := binary.LittleEndian.Uint64(t[:])
		g.info.Checksum = got
		switch {
		case got == 0:
			g.info.ChecksumDisabled = true
		case got != want:
			return g.failf(at, "wrong RDB checksum: file says %016x, content hashes to %016x", got, want)
		}
	}
	if g.limit >= 0 && g.off < g.limit {
		g.info.TrailingBytes = g.limit - g.off
	}
	g.info.Bytes = g.off
	return g.flush()
}
