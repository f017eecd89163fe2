package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/hdt3213/rdb/core"
	"github.com/hdt3213/rdb/crc64jones"
	"github.com/hdt3213/rdb/model"

	"redoubt/internal/keyspace"
)

// MaxVersion is the newest RDB format version the reader accepts
// (Redis 7.4 writes 12).
const MaxVersion = 12

// Error is a load failure: where in the payload and why.
type Error struct {
	Offset int64
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("at byte offset %d: %s", e.Offset, e.Reason)
}

var errStopped = errors.New("load stopped")

// AuxField is one AUX opcode (name/value pair), in file order.
type AuxField struct{ Key, Value string }

// DBStats are the per-database counts of a payload.
type DBStats struct {
	Keys, Expires int
	Types         map[string]int // TYPE name -> keys
	// ResizeKeys/ResizeExpires are the RESIZEDB hints (-1 when absent).
	ResizeKeys, ResizeExpires int64
}

// Info describes a loaded payload beyond its keys.
type Info struct {
	Version int
	Aux     []AuxField
	// ReplID/ReplOffset are the repl-id/repl-offset AUX fields ("" and -1
	// when absent): a restarted replica resumes with them.
	ReplID     string
	ReplOffset int64
	// Functions holds each FUNCTION2 payload (library source); we keep
	// it but cannot run it.
	Functions []string
	// ModuleValues/ModuleAux count module data skipped (we load no
	// modules); ModuleTypes names their types.
	ModuleValues, ModuleAux int
	ModuleTypes             []string
	// EmptyKeys counts keys skipped because they held no elements.
	EmptyKeys int
	// HashFieldTTLs counts per-field expiries dropped (7.4 types).
	HashFieldTTLs int
	DBs           map[int]*DBStats
	Keys          int
	Checksum      uint64
	// ChecksumDisabled: the trailer was zero (rdbchecksum no).
	ChecksumDisabled bool
	EOFOffset, Bytes int64
	TrailingBytes    int64
}

// HasUnrunnable reports whether the payload carried data we keep no
// copy of or cannot run (functions, modules).
func (in *Info) HasUnrunnable() bool {
	return len(in.Functions) > 0 || in.ModuleValues > 0 || in.ModuleAux > 0
}

// AuxValue returns an AUX field's value.
func (in *Info) AuxValue(key string) (string, bool) {
	for _, a := range in.Aux {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func (in *Info) addModuleType(name string) {
	for _, n := range in.ModuleTypes {
		if n == name {
			return
		}
	}
	in.ModuleTypes = append(in.ModuleTypes, name)
}

func (in *Info) db(n int) *DBStats {
	if in.DBs == nil {
		in.DBs = make(map[int]*DBStats)
	}
	d := in.DBs[n]
	if d == nil {
		d = &DBStats{Types: make(map[string]int), ResizeKeys: -1, ResizeExpires: -1}
		in.DBs[n] = d
	}
	return d
}

// SortedDBs lists the database numbers seen, ascending.
func (in *Info) SortedDBs() []int {
	out := make([]int, 0, len(in.DBs))
	for n := range in.DBs {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// Entry is one loaded key.
type Entry struct {
	DB  int
	Key string
	Obj keyspace.Object
	// ExpireMs is the absolute expiry in Unix ms, or -1.
	ExpireMs int64
	// Idle is the LRU idle time in seconds, Freq the LFU counter; -1
	// when the file has none.
	Idle int64
	Freq int
	off  int64 // where the record began (keys the guard decoded)
	// pending is a value the guard decoded into the decoder's model,
	// still to be converted.
	pending model.RedisObject
	// pairs is a hash the guard decoded (field, value, ...), in file
	// order, still to be built.
	pairs [][]byte
}

// Handler receives each key as it is decoded. A returned error stops
// the load and is reported with the offset.
type Handler interface {
	Key(e *Entry) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(e *Entry) error

// Key calls f.
func (f HandlerFunc) Key(e *Entry) error { return f(e) }

// Resizer is an optional Handler ability: it hears each RESIZEDB hint
// (how many keys, how many with a TTL, the database will receive) before
// the database's keys, to size its tables once. The counts are bounded
// by the payload size but not otherwise trustworthy.
type Resizer interface {
	ResizeDB(db int, keys, expires int64)
}

// LimitsProvider is an optional Handler ability: the encoding thresholds
// to build values with (defaults: Redis 7.0's).
type LimitsProvider interface{ Limits() Limits }

// Load reads a whole RDB payload from r. When r is a file its size
// bounds every length prefix; otherwise generous fixed caps apply.
func Load(r io.Reader, h Handler) (Info, error) {
	limit := int64(-1)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if pos, err := f.Seek(0, io.SeekCurrent); err == nil {
				limit = st.Size() - pos
			}
		}
	}
	return load(r, limit, false, h)
}

// LoadN reads exactly n bytes of RDB payload from r (a "$<n>" transfer
// on a socket) and never reads past them: what follows stays in r. The
// payload must end exactly at byte n.
func LoadN(r io.Reader, n int64, h Handler) (Info, error) {
	return load(io.LimitReader(r, n), n, true, h)
}

func load(r io.Reader, limit int64, exact bool, h Handler) (Info, error) {
	info := Info{ReplOffset: -1}
	g := &guard{
		rd:     r,
		buf:    make([]byte, chunkSize),
		limit:  limit,
		crc:    crc64jones.New(),
		out:    make([]byte, 0, chunkSize+4096),
		ch:     make(chan *message, 4),
		direct: true,
		done:   make(chan struct{}),
		info:   &info,
		orders: &streamOrders{},
	}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		g.err = g.run()
		if g.err == nil && exact && g.info.TrailingBytes > 0 {
			g.err = g.failf(g.off, "%d unexpected bytes after the checksum", g.info.TrailingBytes)
		}
		close(g.ch)
	}()
	lim := DefaultLimits()
	if lp, ok := h.(LimitsProvider); ok {
		lim = lp.Limits()
	}
	c := &converter{lim: lim, info: &info, orders: g.orders}
	cr := &chanReader{ch: g.ch, c: c, h: h}
	dec := core.NewDecoder(cr).WithSpecialOpCode()
	var herr error
	perr := dec.Parse(func(o model.RedisObject) bool {
		herr = c.object(o, h)
		return herr == nil
	})
	close(g.done)
	for range g.ch { // unblock a guard still sending
	}
	<-finished
	switch {
	case g.err != nil && g.err != errStopped:
		return info, g.err
	case cr.herr != nil:
		return info, cr.herr
	case herr != nil:
		var e *Error
		if errors.As(herr, &e) {
			return info, e
		}
		return info, &Error{Offset: cr.offset(dec.GetReadCount()), Reason: herr.Error()}
	case perr != nil:
		return info, &Error{Offset: cr.offset(dec.GetReadCount()), Reason: "corrupt value: " + perr.Error()}
	case g.err == errStopped || info.Bytes == 0:
		return info, &Error{Offset: cr.offset(dec.GetReadCount()), Reason: "decoder stopped before the EOF opcode"}
	}
	if v, ok := info.AuxValue("repl-id"); ok {
		info.ReplID = v
	}
	if v, ok := info.AuxValue("repl-offset"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			info.ReplOffset = n
		}
	}
	return info, nil
}

// object walks a value of type byte t.
func (g *guard) object(t byte) error {
	var err error
	var n uint64
	each := func(what string, fn func() error) error {
		if n, err = g.count(what); err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	}
	elem := func() error { _, err := g.str("element", false); return err }
	pair := func() error {
		if err := elem(); err != nil {
			return err
		}
		return elem()
	}
	switch t {
	case 0, 9, 10, 12, 13, 16, 17, 20, 23: // string, or one packed blob
		_, err = g.str("value", false)
	case 1, 2, 14: // list, set, quicklist v1: counted strings
		err = each("element count", elem)
	case 3: // zset with scores as text (one length byte, 253-255 special)
		err = each("zset length", func() error {
			if err := elem(); err != nil {
				return err
			}
			b, err := g.byte1()
			if err == nil && b < 253 {
				err = g.skip(int64(b))
			}
			return err
		})
	case 4: // hash
		err = each("hash length", pair)
	case 5: // zset with binary doubles
		err = each("zset length", func() error {
			if err := elem(); err != nil {
				return err
			}
			return g.skip(8)
		})
	case 11:
		err = g.intset()
	case 18: // quicklist of listpacks or plain nodes
		err = each("quicklist node count", func() error {
			at := g.off
			c, _, err := g.length()
			if err != nil {
				return err
			}
			if c != 1 && c != 2 {
				return g.failf(at, "quicklist node container %d invalid", c)
			}
			return elem()
		})
	case 15, 19, 21:
		err = g.stream(map[byte]int{15: 1, 19: 2, 21: 3}[t])
	case 22, 24: // hash with field TTLs (7.4): [min expiry] then ttl, field, value
		if t == 24 {
			if err = g.skip(8); err != nil {
				return err
			}
		}
		err = each("hash length", func() error {
			if _, _, err := g.length(); err != nil {
				return err
			}
			return pair()
		})
	case 25:
		if err = g.skip(8); err == nil {
			_, err = g.str("value", false)
		}
	}
	return err
}

// intset checks the blob's header against its size: the decoder sizes a
// slice by the element count it declares.
func (g *guard) intset() error {
	at := g.off
	b, err := g.str("intset", true)
	if err != nil {
		return err
	}
	if b == nil { // int-encoded: impossible for an intset
		return g.failf(at, "intset stored as an integer")
	}
	if len(b) < 8 {
		return g.failf(at, "intset blob of %d bytes is too short", len(b))
	}
	enc := binary.LittleEndian.Uint32(b)
	n := binary.LittleEndian.Uint32(b[4:])
	if (enc != 2 && enc != 4 && enc != 8) || uint64(len(b)) != 8+uint64(enc)*uint64(n) {
		return g.failf(at, "intset header (width %d, %d members) does not match its %d bytes", enc, n, len(b))
	}
	return nil
}

// stream walks a stream of format version v (1: 5.0, 2: 7.0, 3: 7.2).
func (g *guard) stream(v int) error {
	n, err := g.count("stream node count")
	if err != nil {
		return err
	}
	var order []nodeOrder
	for i := uint64(0); i < n; i++ {
		at := g.off
		k, err := g.str("stream node key", true)
		if err != nil {
			return err
		}
		if len(k) != 16 {
			return g.failf(at, "stream node key is %d bytes, want 16", len(k))
		}
		at = g.off
		lp, err := g.str("stream listpack", true)
		if err != nil {
			return err
		}
		if err := checkStreamListpack(lp); err != nil {
			return g.failf(at, "stream listpack: %v", err)
		}
		if o := streamNodeOrder(lp); o != nil {
			if order == nil {
				order = make([]nodeOrder, i, min(n, 1<<16))
			}
			order = append(order, o)
		} else if order != nil {
			order = append(order, nil)
		}
	}
	g.orders.push(order)
	lens := 3 // length, last id
	if v >= 2 {
		lens += 5 // first id, max deleted id, entries added
	}
	for i := 0; i < lens; i++ {
		if _, _, err := g.length(); err != nil {
			return err
		}
	}
	groups, err := g.count("consumer group count")
	if err != nil {
		return err
	}
	for i := uint64(0); i < groups; i++ {
		if _, err := g.str("group name", false); err != nil {
			return err
		}
		k := 2
		if v >= 2 {
			k = 3
		}
		for j := 0; j < k; j++ {
			if _, _, err := g.length(); err != nil {
				return err
			}
		}
		pel, err := g.count("group PEL size")
		if err != nil {
			return err
		}
		for j := uint64(0); j < pel; j++ {
			if err := g.skip(24); err != nil { // id, delivery time
				return err
			}
			if _, _, err := g.length(); err != nil {
				return err
			}
		}
		cons, err := g.count("consumer count")
		if err != nil {
			return err
		}
		for j := uint64(0); j < cons; j++ {
			if _, err := g.str("consumer name", false); err != nil {
				return err
			}
			skip := int64(8)
			if v >= 3 {
				skip = 16 // seen time, active time
			}
			if err := g.skip(skip); err != nil {
				return err
			}
			pel, err := g.count("consumer PEL size")
			if err != nil {
				return err
			}
			if err := g.skip(16 * int64(pel)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStreamListpack bounds the counts at the head of a stream node's
// listpack (entries, deleted entries, master fields) by its size: the
// decoder sizes slices by them.
func checkStreamListpack(lp []byte) error {
	if len(lp) < 7 {
		return fmt.Errorf("%d bytes is too short", len(lp))
	}
	pos := 6
	var vals [3]int64
	for i := range vals {
		v, next, err := lpInt(lp, pos)
		if err != nil {
			return err
		}
		if v < 0 || v > int64(len(lp)) {
			return fmt.Errorf("header count %d impossible in %d bytes", v, len(lp))
		}
		vals[i], pos = v, next
	}
	if vals[0]+vals[1] > int64(len(lp)) {
		return fmt.Errorf("%d entries impossible in %d bytes", vals[0]+vals[1], len(lp))
	}
	return nil
}

// lpInt reads an integer listpack entry at pos and returns the position
// after its back-length.
func lpInt(lp []byte, pos int) (int64, int, error) {
	if pos >= len(lp) {
		return 0, 0, fmt.Errorf("entry past the end")
	}
	b := lp[pos]
	var v int64
	var size int
	need := func(k int) bool { return pos+k <= len(lp) }
	switch {
	case b&0x80 == 0:
		v, size = int64(b&0x7f), 1
	case b&0xe0 == 0xc0:
		if !need(2) {
			return 0, 0, fmt.Errorf("entry past the end")
		}
		u := uint16(b&0x1f)<<8 | uint16(lp[pos+1])
		v, size = int64(int16(u<<3)>>3), 2
	case b == 0xf1 && need(3):
		v, size = int64(int16(binary.LittleEndian.Uint16(lp[pos+1:]))), 3
	case b == 0xf2 && need(4):
		u := uint32(lp[pos+1]) | uint32(lp[pos+2])<<8 | uint32(lp[pos+3])<<16
		v, size = int64(int32(u<<8)>>8), 4
	case b == 0xf3 && need(5):
		v, size = int64(int32(binary.LittleEndian.Uint32(lp[pos+1:]))), 5
	case b == 0xf4 && need(9):
		v, size = int64(binary.LittleEndian.Uint64(lp[pos+1:])), 9
	default:
		return 0, 0, fmt.Errorf("expected an integer entry, found encoding 0x%02x", b)
	}
	// Entries this small have a one-byte back-length.
	return v, pos + size + 1, nil
}
