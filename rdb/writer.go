package rdb

import (
	"bufio"
	"encoding/binary"
	"hash"
	"io"

	"github.com/hdt3213/rdb/crc64jones"

	"redoubt/internal/keyspace"
)

// Version is the RDB format version we write: Redis 7.0 refuses newer.
const Version = 10

// Opcodes and type bytes of the RDB format.
const (
	wOpIdle     = 0xF8
	wOpFreq     = 0xF9
	wOpAux      = 0xFA
	wOpResizeDB = 0xFB
	wOpExpireMs = 0xFC
	wOpSelectDB = 0xFE
	wOpEOF      = 0xFF

	wTypeString  = 0
	wTypeList    = 1
	wTypeSet     = 2
	wTypeHash    = 4
	wTypeZSet2   = 5
	wTypeStream2 = 19
)

// Options select what a Writer emits.
type Options struct {
	// Compress is rdbcompression: strings longer than 20 bytes are LZF
	// compressed when that makes them smaller.
	Compress bool
	// Checksum is rdbchecksum: without it the trailer is all zeros.
	Checksum bool
	// Aux are the AUX fields written after the header, in order.
	Aux [][2]string
	// Eviction decides whether keys carry IDLE or FREQ opcodes.
	Eviction Eviction
}

// Writer emits one RDB stream. Calls must follow the file layout:
// Header, then per database SelectDB and its keys, then Finish.
type Writer struct {
	out  *bufio.Writer
	opts Options
	crc  hash.Hash64
	buf  []byte
	err  error
	// N counts the bytes written so far (keys gathered in a batch count
	// once the batch is written).
	N int64
}

// NewWriter wraps out (buffered internally).
func NewWriter(out io.Writer, opts Options) *Writer {
	w := &Writer{out: bufio.NewWriterSize(out, 64<<10), opts: opts}
	if opts.Checksum {
		w.crc = crc64jones.New()
	}
	return w
}

// keyBatch is how many encoded bytes Key gathers before checksumming
// and writing them in one go.
const keyBatch = 32 << 10

// Raw writes already encoded bytes (from EncodeKey) into the stream.
func (w *Writer) Raw(p []byte) error {
	if err := w.flushBuf(); err != nil {
		return err
	}
	return w.write(p)
}

func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.crc != nil {
		w.crc.Write(p)
	}
	_, w.err = w.out.Write(p)
	w.N += int64(len(p))
	return w.err
}

// flushBuf writes the scratch buffer and empties it.
func (w *Writer) flushBuf() error {
	if len(w.buf) == 0 {
		return w.err
	}
	err := w.write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// Header writes the magic, the version and the AUX fields.
func (w *Writer) Header() error {
	w.buf = append(w.buf, "REDIS0010"...)
	for _, kv := range w.opts.Aux {
		w.buf = append(w.buf, wOpAux)
		w.buf = appendString(w.buf, []byte(kv[0]), false)
		w.buf = appendString(w.buf, []byte(kv[1]), false)
	}
	return w.flushBuf()
}

// SelectDB starts database db; size and expires are the RESIZEDB hints
// (how many keys, how many with a TTL).
func (w *Writer) SelectDB(db, size, expires int) error {
	w.buf = append(w.buf, wOpSelectDB)
	w.buf = appendLen(w.buf, uint64(db))
	w.buf = append(w.buf, wOpResizeDB)
	w.buf = appendLen(w.buf, uint64(size))
	w.buf = appendLen(w.buf, uint64(expires))
	return w.flushBuf()
}

// Key writes one key; expireMs is its absolute expiry (Unix ms) or -1.
// Keys are gathered into batches.
func (w *Writer) Key(key string, o *keyspace.Object, expireMs int64) error {
	n := len(w.buf)
	var err error
	w.buf, err = EncodeKeyMeta(w.buf, w.opts.Compress, key, o, expireMs, w.opts.Eviction.Meta(o))
	if err != nil {
		w.buf = w.buf[:n]
		return err
	}
	if len(w.buf) >= keyBatch {
		return w.flushBuf()
	}
	return nil
}

// Finish writes EOF and the checksum trailer and flushes.
func (w *Writer) Finish() error {
	w.buf = append(w.buf, wOpEOF)
	if err := w.flushBuf(); err != nil {
		return err
	}
	var sum [8]byte
	if w.crc != nil {
		binary.LittleEndian.PutUint64(sum[:], w.crc.Sum64())
	}
	if _, err := w.out.Write(sum[:]); err != nil {
		w.err = err
		return err
	}
	w.N += 8
	if err := w.out.Flush(); err != nil {
		w.err = err
	}
	return w.err
}

// appendLen writes an RDB length: 6 bits, 14 bits (big-endian), or a
// marker byte followed by a 32- or 64-bit big-endian number.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= 0xFFFFFFFF:
		dst = append(dst, 0x80)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	default:
		dst = append(dst, 0x81)
		return binary.BigEndian.AppendUint64(dst, n)
	}
}
