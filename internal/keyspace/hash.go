package keyspace

import (
	"bytes"
	"math/rand/v2"
	"unsafe"

	"redoubt/internal/dict"
)

// hashPair is one field/value pair of a hash in its compact form. Both
// slices usually share one allocation: field first, value after it.
type hashPair struct {
	field []byte
	value []byte
}

// Hash is a hash value. Like Redis it starts compact ("listpack"): the
// pairs in insertion order, searched linearly. It turns into a hash table
// ("hashtable") for good once it holds too many pairs or a field or value
// that is too long; it never goes back.
type Hash struct {
	lp []hashPair
	ht *dict.Dict[[]byte]
}

// NewHash returns an empty hash in the compact form.
func NewHash() *Hash { return &Hash{} }

// hsView looks at b as a string without copying. The string must not be
// stored.
func hsView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Encoding is what OBJECT ENCODING reports.
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

// IsListpack reports whether the hash is still in its compact form.
func (h *Hash) IsListpack() bool { return h.ht == nil }

// Len is the number of fields.
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.Len()
	}
	return len(h.lp)
}

func (h *Hash) lpIndex(field []byte) int {
	for i := range h.lp {
		if bytes.Equal(h.lp[i].field, field) {
			return i
		}
	}
	return -1
}

// Get returns the value of field. The slice belongs to the hash: it is
// valid until the hash changes and must not be modified.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.ht != nil {
		return h.ht.Get(hsView(field))
	}
	if i := h.lpIndex(field); i >= 0 {
		return h.lp[i].value, true
	}
	return nil, false
}

// Has reports whether field exists.
func (h *Hash) Has(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// NeedsConversion reports whether storing any of args (fields or values)
// would exceed the compact form's per-element size limit.
func (h *Hash) NeedsConversion(args [][]byte, maxValue int) bool {
	if h.ht != nil {
		return false
	}
	for _, a := range args {
		if len(a) > maxValue {
			return true
		}
	}
	return false
}

// Set stores value under field (both are copied) and reports whether the
// field is new. A field or value longer than maxValue bytes turns a
// compact hash into a table before the write; more than maxEntries pairs
// turns it into a table after the write.
func (h *Hash) Set(field, value []byte, maxEntries, maxValue int) (added bool) {
	if h.ht == nil && (len(field) > maxValue || len(value) > maxValue) {
		h.convert()
	}
	if h.ht != nil {
		if p := h.ht.GetPtr(hsView(field)); p != nil {
			*p = overwrite(*p, value)
			return false
		}
		h.ht.SetNew(string(field), append([]byte(nil), value...))
		return true
	}
	if i := h.lpIndex(field); i >= 0 {
		h.lp[i].value = overwrite(h.lp[i].value, value)
		return false
	}
	buf := make([]byte, len(field)+len(value))
	copy(buf, field)
	copy(buf[len(field):], value)
	h.lp = append(h.lp, hashPair{field: buf[:len(field):len(field)], value: buf[len(field):]})
	if len(h.lp) > maxEntries {
		h.convert()
	}
	return true
}

// overwrite replaces old's content with value, reusing old's memory when
// it is large enough and not wastefully so.
func overwrite(old, value []byte) []byte {
	if cap(old) >= len(value) && cap(old) <= 2*len(value)+16 {
		return append(old[:0], value...)
	}
	return append([]byte(nil), value...)
}

// convert moves a compact hash into a hash table, keeping the pairs.
func (h *Hash) convert() {
	if h.ht != nil {
		return
	}
	d := dict.New[[]byte](len(h.lp))
	for _, p := range h.lp {
		d.SetNew(string(p.field), p.value)
	}
	h.ht = d
	h.lp = nil
}

// Delete removes field and reports whether it existed.
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		_, ok := h.ht.Delete(hsView(field))
		return ok
	}
	i := h.lpIndex(field)
	if i < 0 {
		return false
	}
	copy(h.lp[i:], h.lp[i+1:])
	h.lp[len(h.lp)-1] = hashPair{}
	h.lp = h.lp[:len(h.lp)-1]
	return true
}

// Range calls fn for every pair until it returns false: in insertion
// order for a compact hash, in table order otherwise. fn must not change
// the hash; the slices are only valid during the call.
func (h *Hash) Range(fn func(field, value []byte) bool) {
	if h.ht != nil {
		h.ht.Range(func(k string, v []byte) bool {
			return fn(unsafe.Slice(unsafe.StringData(k), len(k)), v)
		})
		return
	}
	for _, p := range h.lp {
		if !fn(p.field, p.value) {
			return
		}
	}
}

// At returns pair i of a compact hash (insertion order).
func (h *Hash) At(i int) (field, value []byte) {
	return h.lp[i].field, h.lp[i].value
}

// Random returns a pair picked uniformly at random (fairly sampled for a
// table). The hash must not be empty.
func (h *Hash) Random() (field, value []byte) {
	if h.ht != nil {
		k, v, _ := h.ht.RandomKey()
		return unsafe.Slice(unsafe.StringData(k), len(k)), v
	}
	p := h.lp[rand.IntN(len(h.lp))]
	return p.field, p.value
}

// Scan runs one step of an HSCAN over a table-form hash and returns the
// next cursor. A compact hash has no cursor: callers list it whole.
func (h *Hash) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	if h.ht == nil {
		for _, p := range h.lp {
			fn(p.field, p.value)
		}
		return 0
	}
	return h.ht.Scan(cursor, func(k string, v []byte) {
		fn(unsafe.Slice(unsafe.StringData(k), len(k)), v)
	})
}

// Clone returns a deep copy in the same encoding.
func (h *Hash) Clone() any {
	n := &Hash{}
	if h.ht != nil {
		n.ht = dict.New[[]byte](h.ht.Len())
		h.ht.Range(func(k string, v []byte) bool {
			n.ht.SetNew(k, append([]byte(nil), v...))
			return true
		})
		return n
	}
	n.lp = make([]hashPair, len(h.lp))
	for i, p := range h.lp {
		buf := make([]byte, len(p.field)+len(p.value))
		copy(buf, p.field)
		copy(buf[len(p.field):], p.value)
		n.lp[i] = hashPair{field: buf[:len(p.field):len(p.field)], value: buf[len(p.field):]}
	}
	return n
}

// ConvertToTable forces the table form (used by loaders that know the
// source was a hash table, and by tests).
func (h *Hash) ConvertToTable() { h.convert() }
