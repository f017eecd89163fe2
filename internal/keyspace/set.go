package keyspace

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"

	"redoubt/internal/dict"
)

// intsetHardMax caps set-max-intset-entries, as Redis caps it to keep the
// integer array addressable.
const intsetHardMax = 1 << 30

// Set is a set value. Like Redis 7.0 it starts as an "intset" (sorted
// integers, binary search) while every member is a canonical integer and
// the count stays within set-max-intset-entries; otherwise, and from then
// on, it is a hash table ("hashtable").
type Set struct {
	is []int64
	ht *dict.Dict[struct{}]
}

// NewSet returns an empty set in the intset form.
func NewSet() *Set { return &Set{} }

// NewSetFor returns an empty set in the form Redis picks for a set whose
// first member is m: an intset if m is an integer, a table otherwise.
func NewSetFor(m []byte) *Set {
	if _, ok := ParseInt(m); ok {
		return &Set{}
	}
	return &Set{ht: dict.New[struct{}](0)}
}

// NewTableSet returns an empty set already in table form, sized for n.
func NewTableSet(n int) *Set { return &Set{ht: dict.New[struct{}](n)} }

// Encoding is what OBJECT ENCODING reports.
func (s *Set) Encoding() string {
	if s.ht != nil {
		return "hashtable"
	}
	return "intset"
}

// IsIntset reports whether the set is in the intset form.
func (s *Set) IsIntset() bool { return s.ht == nil }

// Ints returns the members of an intset, ascending; nil for a table. The
// slice belongs to the set.
func (s *Set) Ints() []int64 { return s.is }

// Len is the number of members.
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.Len()
	}
	return len(s.is)
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if s.ht != nil {
		_, ok := s.ht.Get(hsView(m))
		return ok
	}
	n, ok := ParseInt(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.is, n)
	return found
}

// HasInt reports whether the integer n is a member.
func (s *Set) HasInt(n int64) bool {
	if s.ht != nil {
		var tmp [24]byte
		_, ok := s.ht.Get(hsView(strconv.AppendInt(tmp[:0], n, 10)))
		return ok
	}
	_, found := slices.BinarySearch(s.is, n)
	return found
}

// Add inserts m (copied) and reports whether it was new. A non-integer
// member turns an intset into a table; so does growing past maxIntset
// members.
func (s *Set) Add(m []byte, maxIntset int) bool {
	if s.ht == nil {
		if n, ok := ParseInt(m); ok {
			return s.addInt(n, maxIntset)
		}
		s.convert(len(s.is) + 1)
	}
	if _, ok := s.ht.Get(hsView(m)); ok {
		return false
	}
	s.ht.SetNew(string(m), struct{}{})
	return true
}

// AddInt inserts the integer n and reports whether it was new.
func (s *Set) AddInt(n int64, maxIntset int) bool {
	if s.ht == nil {
		return s.addInt(n, maxIntset)
	}
	var tmp [24]byte
	b := strconv.AppendInt(tmp[:0], n, 10)
	if _, ok := s.ht.Get(hsView(b)); ok {
		return false
	}
	s.ht.SetNew(string(b), struct{}{})
	return true
}

func (s *Set) addInt(n int64, maxIntset int) bool {
	i, found := slices.BinarySearch(s.is, n)
	if found {
		return false
	}
	s.is = slices.Insert(s.is, i, n)
	if maxIntset > intsetHardMax {
		maxIntset = intsetHardMax
	}
	if len(s.is) > maxIntset {
		s.convert(len(s.is))
	}
	return true
}

// convert moves an intset into a table sized for n members.
func (s *Set) convert(n int) {
	d := dict.New[struct{}](n)
	var tmp [24]byte
	for _, v := range s.is {
		d.SetNew(string(strconv.AppendInt(tmp[:0], v, 10)), struct{}{})
	}
	s.ht = d
	s.is = nil
}

// ConvertToTable forces the table form.
func (s *Set) ConvertToTable() {
	if s.ht == nil {
		s.convert(len(s.is))
	}
}

// Remove deletes m and reports whether it was a member.
func (s *Set) Remove(m []byte) bool {
	if s.ht != nil {
		_, ok := s.ht.Delete(hsView(m))
		return ok
	}
	n, ok := ParseInt(m)
	if !ok {
		return false
	}
	return s.RemoveInt(n)
}

// RemoveInt deletes the integer n and reports whether it was a member.
func (s *Set) RemoveInt(n int64) bool {
	if s.ht != nil {
		var tmp [24]byte
		_, ok := s.ht.Delete(hsView(strconv.AppendInt(tmp[:0], n, 10)))
		return ok
	}
	i, found := slices.BinarySearch(s.is, n)
	if !found {
		return false
	}
	s.is = slices.Delete(s.is, i, i+1)
	return true
}

// Range calls fn for every member until it returns false: ascending for
// an intset, table order otherwise. fn must not change the set; m is only
// valid during the call.
func (s *Set) Range(fn func(m []byte) bool) {
	if s.ht != nil {
		s.ht.Range(func(k string, _ struct{}) bool {
			return fn(unsafe.Slice(unsafe.StringData(k), len(k)))
		})
		return
	}
	var tmp [24]byte
	for _, v := range s.is {
		if !fn(strconv.AppendInt(tmp[:0], v, 10)) {
			return
		}
	}
}

// Random appends a member picked at random to buf and returns it. The
// set must not be empty.
func (s *Set) Random(buf []byte) []byte {
	if s.ht != nil {
		k, _, _ := s.ht.RandomKey()
		return append(buf, k...)
	}
	return strconv.AppendInt(buf, s.is[rand.IntN(len(s.is))], 10)
}

// Scan runs one step of an SSCAN over a table-form set and returns the
// next cursor; an intset is listed whole with cursor 0.
func (s *Set) Scan(cursor uint64, fn func(m []byte)) uint64 {
	if s.ht == nil {
		var tmp [24]byte
		for _, v := range s.is {
			fn(strconv.AppendInt(tmp[:0], v, 10))
		}
		return 0
	}
	return s.ht.Scan(cursor, func(k string, _ struct{}) {
		fn(unsafe.Slice(unsafe.StringData(k), len(k)))
	})
}

// Clone returns a deep copy in the same encoding.
func (s *Set) Clone() any {
	if s.ht == nil {
		return &Set{is: slices.Clone(s.is)}
	}
	n := &Set{ht: dict.New[struct{}](s.ht.Len())}
	s.ht.Range(func(k string, _ struct{}) bool {
		n.ht.SetNew(k, struct{}{})
		return true
	})
	return n
}
