package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"unsafe"

	"github.com/hdt3213/rdb/model"

	"redoubt/internal/keyspace"
)

// Plain string keys (type 0) are most of a typical dataset, and going
// through hdt3213's decoder costs them a model object, a size estimate
// that parses every value as an integer, and several copies. The guard
// already walks each string, so it decodes these keys itself and does
// not forward their bytes. It does the same for the other plain forms
// (list, set, hash, sorted set with binary scores: what our writer
// emits), handing them over as the decoder's model objects for the usual
// conversion; packed encodings still go to the decoder.
//
// Order is kept by handing the decoder's input over in segments: a
// segment is a list of keys the guard decoded followed by a run of bytes
// for the decoder. The reader delivers a segment's keys when the decoder
// asks for the segment's first byte. Segments end on record boundaries
// whenever keys follow, and the decoder only asks for a byte past a
// record once it has handed that record to us, so every key reaches the
// handler in file order.

// segment ends at byte end of its message and at entry e1 (its entries
// start where the previous segment's end).
type segment struct {
	e1, end int
	// delta maps the decoder's byte count to a file offset (approximate
	// inside the segment: held prefixes are forwarded late).
	delta int64
}

// message is what the guard sends: bytes, decoded keys, and the segments
// that interleave them.
type message struct {
	b    []byte
	ents []Entry
	segs []segment
}

// maxDirectPerMessage bounds the keys one message carries.
const maxDirectPerMessage = 1024

// closeSegment ends the open segment at the current position.
func (g *guard) closeSegment() {
	g.segs = append(g.segs, segment{e1: len(g.ents), end: len(g.out), delta: g.segDelta})
	g.segDelta = g.off - g.fwd
}

// addDirect queues a key decoded by the guard. The open segment keeps
// collecting keys until bytes for the decoder follow; then a new one
// starts, so that those bytes come after the keys.
func (g *guard) addDirect(e Entry) error {
	if n := len(g.segs); len(g.out) > 0 && (n == 0 || g.segs[n-1].end < len(g.out)) {
		g.closeSegment()
	}
	if g.ents == nil {
		g.ents = make([]Entry, 0, maxDirectPerMessage)
	}
	g.ents = append(g.ents, e)
	if len(g.ents) >= maxDirectPerMessage {
		return g.flush()
	}
	return nil
}

// directRecord decodes a record of plain type op whose held bytes (prefix
// opcodes, then the type byte) are prefix.
func (g *guard) directRecord(op byte, prefix []byte) error {
	e := Entry{DB: g.db, ExpireMs: -1, Idle: -1, Freq: -1, off: g.recOff}
	for i := 0; i < len(prefix)-1; {
		switch prefix[i] {
		case opExpireMs:
			if ms := int64(binary.LittleEndian.Uint64(prefix[i+1:])); ms > 0 {
				e.ExpireMs = ms
			}
			i += 9
		case opExpireSec:
			if sec := int64(binary.LittleEndian.Uint32(prefix[i+1:])); sec > 0 {
				e.ExpireMs = sec * 1000
			}
			i += 5
		case opFreq:
			e.Freq = int(prefix[i+1])
			i += 2
		case opIdle:
			n, k := lenAt(prefix[i+1:])
			e.Idle = int64(n)
			i += 1 + k
		default:
			i = len(prefix) // cannot happen: the guard held only these
		}
	}
	g.discard = true
	key, err := g.strVal("key")
	if err == nil && len(key) > 0 {
		// key is a fresh buffer nobody else holds.
		e.Key = unsafe.String(&key[0], len(key))
	}
	if err == nil {
		err = g.directValue(op, &e)
	}
	g.discard = false
	if err != nil {
		return err
	}
	return g.addDirect(e)
}

// directValue reads the value of a plain-type record into e.
func (g *guard) directValue(op byte, e *Entry) error {
	if op == 0 {
		val, err := g.strVal("value")
		e.Obj = keyspace.NewString(val)
		return err
	}
	if op == 4 || op == 13 || op == 16 {
		return g.directHash(op, e)
	}
	if op == 11 || op == 17 || op == 18 {
		return g.directPacked(op, e)
	}
	what := map[byte]string{1: "element count", 2: "element count", 5: "zset length"}[op]
	n, err := g.count(what)
	if err != nil {
		return err
	}
	base := &model.BaseObject{DB: e.DB, Key: e.Key}
	// Sizes are bounded by the payload (count), and capped again here.
	var elems [][]byte
	var zs []*model.ZSetEntry
	switch op {
	case 5:
		zs = make([]*model.ZSetEntry, 0, min(n, 1<<16))
	default:
		elems = make([][]byte, 0, min(n, 1<<16))
	}
	for i := uint64(0); i < n; i++ {
		v, err := g.strVal("element")
		if err != nil {
			return err
		}
		switch op {
		case 5:
			p, err := g.next(8)
			if err != nil {
				return err
			}
			zs = append(zs, &model.ZSetEntry{Member: string(v), Score: math.Float64frombits(binary.LittleEndian.Uint64(p))})
		default:
			elems = append(elems, v)
		}
	}
	switch op {
	case 1:
		e.pending = &model.ListObject{BaseObject: base, Values: elems}
	case 2:
		e.pending = &model.SetObject{BaseObject: base, Members: elems}
	default:
		e.pending = &model.ZSetObject{BaseObject: base, Entries: zs}
	}
	return nil
}

// lenAt decodes an RDB length at the start of p (already validated) and
// returns it with its size.
func lenAt(p []byte) (uint64, int) {
	switch p[0] >> 6 {
	case 0:
		return uint64(p[0] & 0x3f), 1
	case 1:
		return uint64(p[0]&0x3f)<<8 | uint64(p[1]), 2
	}
	if p[0] == 0x80 {
		return uint64(binary.BigEndian.Uint32(p[1:])), 5
	}
	return binary.BigEndian.Uint64(p[1:]), 9
}

// strVal reads one RDB string and returns its value in a fresh buffer:
// int-encoded strings as decimal text, LZF ones decompressed.
func (g *guard) strVal(what string) ([]byte, error) {
	at := g.off
	n, special, err := g.length()
	if err != nil {
		return nil, err
	}
	if special {
		switch n {
		case 0, 1, 2:
			p, err := g.next(1 << n)
			if err != nil {
				return nil, err
			}
			var v int64
			switch n {
			case 0:
				v = int64(int8(p[0]))
			case 1:
				v = int64(int16(binary.LittleEndian.Uint16(p)))
			default:
				v = int64(int32(binary.LittleEndian.Uint32(p)))
			}
			return strconv.AppendInt(make([]byte, 0, 11), v, 10), nil
		case 3:
			return g.lzfStr(what, at, true)
		}
		return nil, g.failf(at, "%s: unknown string encoding %d", what, n)
	}
	if n > uint64(g.remain()) {
		return nil, g.failf(at, "%s: string length %d is larger than the %d bytes left in the payload", what, n, g.remain())
	}
	buf := make([]byte, n)
	return buf, g.read(buf)
}

// chanReader feeds the decoder the bytes the guard validated, and hands
// the keys the guard decoded to the converter in between.
type chanReader struct {
	ch    chan *message
	msg   *message
	seg   int // current segment
	ei    int // next entry to deliver
	pos   int // next byte of msg.b
	delta int64
	c     *converter
	h     Handler
	herr  error
}

func (r *chanReader) Read(p []byte) (int, error) {
	for {
		if r.msg == nil {
			m, ok := <-r.ch
			if !ok {
				return 0, io.ErrUnexpectedEOF
			}
			r.msg, r.seg, r.ei, r.pos = m, 0, 0, 0
		}
		if r.seg >= len(r.msg.segs) {
			r.msg = nil
			continue
		}
		s := r.msg.segs[r.seg]
		for r.ei < s.e1 {
			e := &r.msg.ents[r.ei]
			r.ei++
			if err := r.c.direct(e, r.h); err != nil {
				r.herr = &Error{Offset: e.off, Reason: err.Error()}
				return 0, err
			}
		}
		if r.pos < s.end {
			n := copy(p, r.msg.b[r.pos:s.end])
			r.pos += n
			r.delta = s.delta
			return n, nil
		}
		r.seg++
	}
}

// direct converts (when needed) and delivers a key the guard decoded.
func (c *converter) direct(e *Entry, h Handler) error {
	if e.pending == nil && e.pairs == nil {
		return c.deliver(e, "string", h)
	}
	var obj *keyspace.Object
	var err error
	if e.pairs != nil {
		obj, err = c.hashPairs(e.pairs)
		e.pairs = nil
	} else {
		obj, err = c.value(e.pending)
		e.pending = nil
	}
	if err != nil {
		return fmt.Errorf("key %q: %v", e.Key, err)
	}
	if obj == nil { // an empty collection: Redis skips such keys too
		c.info.EmptyKeys++
		return nil
	}
	e.Obj = *obj
	return c.deliver(e, obj.Type.Name(), h)
}

// offset turns the decoder's byte count into an (approximate) file
// offset.
func (r *chanReader) offset(decoderCount int) int64 {
	return int64(decoderCount) + r.delta
}
