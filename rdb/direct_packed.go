package rdb

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/hdt3213/rdb/model"
)

// The compact forms our writer emits (encode_compact.go) are decoded by
// the guard as well, so that loading our own files does not route most
// collections through hdt3213's decoder: intsets, listpack sorted sets
// and quicklists of listpacks. The values go to the converter as the
// decoder's model objects, like the plain forms.

// directPacked reads the value of a record of type 11, 17 or 18 into
// e.pending.
func (g *guard) directPacked(op byte, e *Entry) error {
	base := &model.BaseObject{DB: e.DB, Key: e.Key}
	switch op {
	case 11:
		at := g.off
		b, err := g.strVal("intset")
		if err != nil {
			return err
		}
		if len(b) < 8 {
			return g.failf(at, "intset blob of %d bytes is too short", len(b))
		}
		w := binary.LittleEndian.Uint32(b)
		n := binary.LittleEndian.Uint32(b[4:])
		if (w != 2 && w != 4 && w != 8) || uint64(len(b)) != 8+uint64(w)*uint64(n) {
			return g.failf(at, "intset header (width %d, %d members) does not match its %d bytes", w, n, len(b))
		}
		members := make([][]byte, n)
		for i := range members {
			p := b[8+uint32(i)*w:]
			var v int64
			switch w {
			case 2:
				v = int64(int16(binary.LittleEndian.Uint16(p)))
			case 4:
				v = int64(int32(binary.LittleEndian.Uint32(p)))
			default:
				v = int64(binary.LittleEndian.Uint64(p))
			}
			members[i] = strconv.AppendInt(nil, v, 10)
		}
		e.pending = &model.SetObject{BaseObject: base, Members: members}
	case 17:
		at := g.off
		b, err := g.strVal("zset listpack")
		if err != nil {
			return err
		}
		el, err := listpackEntries(b)
		if err == nil && len(el)%2 != 0 {
			err = errLPEnd
		}
		if err != nil {
			return g.failf(at, "zset listpack: %v", err)
		}
		zs := make([]*model.ZSetEntry, 0, len(el)/2)
		for i := 0; i < len(el); i += 2 {
			score, perr := strconv.ParseFloat(string(el[i+1]), 64)
			if perr != nil && !math.IsInf(score, 0) {
				return g.failf(at, "zset listpack: score %q is not a number", el[i+1])
			}
			zs = append(zs, &model.ZSetEntry{Member: string(el[i]), Score: score})
		}
		e.pending = &model.ZSetObject{BaseObject: base, Entries: zs}
	case 18:
		n, err := g.count("quicklist node count")
		if err != nil {
			return err
		}
		var vals [][]byte
		for i := uint64(0); i < n; i++ {
			at := g.off
			c, _, err := g.length()
			if err != nil {
				return err
			}
			if c != 1 && c != 2 {
				return g.failf(at, "quicklist node container %d invalid", c)
			}
			at = g.off
			b, err := g.strVal("quicklist node")
			if err != nil {
				return err
			}
			if c == 1 { // a plain node: one large element
				vals = append(vals, b)
				continue
			}
			el, err := listpackEntries(b)
			if err != nil {
				return g.failf(at, "quicklist listpack: %v", err)
			}
			vals = append(vals, el...)
		}
		e.pending = &model.ListObject{BaseObject: base, Values: vals}
	}
	return nil
}
