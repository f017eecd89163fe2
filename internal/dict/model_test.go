package dict

import (
	"maps"
	"testing"
)

// checkInvariants verifies the structural rules listed in doc.go.
func checkInvariants[V any](tb testing.TB, d *Dict[V]) {
	tb.Helper()
	if d.paused != 0 {
		tb.Fatalf("paused = %d outside any callback", d.paused)
	}
	if d.IsRehashing() && d.ht[0].used == 0 {
		tb.Fatalf("rehashing with an empty ht[0]")
	}
	if d.IsRehashing() && (d.rehashIdx < 0 || d.rehashIdx >= len(d.ht[0].buckets)) {
		tb.Fatalf("rehashIdx %d out of range [0,%d)", d.rehashIdx, len(d.ht[0].buckets))
	}
	seen := make(map[string]bool, d.Len())
	for i := range d.ht {
		t := &d.ht[i]
		if n := len(t.buckets); n != 0 && (n < minSize || n&(n-1) != 0) {
			tb.Fatalf("ht[%d] has %d buckets", i, n)
		}
		count := 0
		for b, e := range t.buckets {
			if i == 0 && d.IsRehashing() && b < d.rehashIdx && e != nil {
				tb.Fatalf("ht[0] bucket %d below rehashIdx %d is not empty", b, d.rehashIdx)
			}
			for ; e != nil; e = e.next {
				if got := hashKey(e.key) & t.mask(); got != uint64(b) {
					tb.Fatalf("key %q in ht[%d] bucket %d, belongs in %d", e.key, i, b, got)
				}
				if seen[e.key] {
					tb.Fatalf("key %q stored twice", e.key)
				}
				seen[e.key] = true
				count++
			}
		}
		if count != t.used {
			tb.Fatalf("ht[%d].used = %d, chains hold %d", i, t.used, count)
		}
	}
}

// model drives a Dict[int] and a Go map side by side and fails on any
// disagreement. It also runs a SCAN across the operations it is given and
// checks the SCAN guarantee each time a scan completes.
type model struct {
	tb  testing.TB
	d   *Dict[int]
	ref map[string]int

	scanning bool
	cursor   uint64
	stable   map[string]bool // present since the scan started
	seen     map[string]bool // returned by the scan so far
	scans    int

	lastSize       int
	grows, shrinks int
	ops            int
}

func newModel(tb testing.TB, hint int) *model {
	m := &model{tb: tb, d: New[int](hint), ref: map[string]int{}}
	m.lastSize = m.targetSize()
	return m
}

// targetSize is the bucket count the Dict is heading to.
func (m *model) targetSize() int {
	if m.d.IsRehashing() {
		return len(m.d.ht[1].buckets)
	}
	return len(m.d.ht[0].buckets)
}

func (m *model) after() {
	m.ops++
	if m.d.Len() != len(m.ref) {
		m.tb.Fatalf("op %d: Len() = %d, want %d", m.ops, m.d.Len(), len(m.ref))
	}
	if s := m.targetSize(); s != m.lastSize {
		if s > m.lastSize {
			m.grows++
		} else {
			m.shrinks++
		}
		m.lastSize = s
	}
}

func (m *model) set(k string, v int) {
	_, had := m.ref[k]
	if added := m.d.Set(k, v); added == had {
		m.tb.Fatalf("Set(%q) added = %v, key present before = %v", k, added, had)
	}
	m.ref[k] = v
	m.after()
}

// setNew inserts k with SetNew when absent, otherwise replaces it via
// GetPtr.
func (m *model) setNew(k string, v int) {
	if _, had := m.ref[k]; had {
		p := m.d.GetPtr(k)
		if p == nil || *p != m.ref[k] {
			m.tb.Fatalf("GetPtr(%q) = %v, want value %d", k, p, m.ref[k])
		}
		*p = v
	} else {
		if m.d.GetPtr(k) != nil {
			m.tb.Fatalf("GetPtr(%q) found an absent key", k)
		}
		m.d.SetNew(k, v)
	}
	m.ref[k] = v
	m.after()
}

func (m *model) get(k string) {
	v, ok := m.d.Get(k)
	rv, rok := m.ref[k]
	if ok != rok || v != rv {
		m.tb.Fatalf("Get(%q) = %d,%v want %d,%v", k, v, ok, rv, rok)
	}
	m.after()
}

func (m *model) del(k string) {
	v, ok := m.d.Delete(k)
	rv, rok := m.ref[k]
	if ok != rok || v != rv {
		m.tb.Fatalf("Delete(%q) = %d,%v want %d,%v", k, v, ok, rv, rok)
	}
	delete(m.ref, k)
	delete(m.stable, k)
	m.after()
}

func (m *model) clear() {
	m.d.Clear()
	clear(m.ref)
	clear(m.stable)
	m.after()
}

func (m *model) rehashFor() {
	m.d.RehashFor(0)
	m.after()
}

func (m *model) checkEntry(what, k string, v int) {
	if rv, ok := m.ref[k]; !ok || rv != v {
		m.tb.Fatalf("%s returned %q=%d, map has %d,%v", what, k, v, rv, ok)
	}
}

func (m *model) random() {
	k, v, ok := m.d.RandomKey()
	if ok != (len(m.ref) > 0) {
		m.tb.Fatalf("RandomKey ok = %v with %d keys", ok, len(m.ref))
	}
	if ok {
		m.checkEntry("RandomKey", k, v)
	}
	m.after()
}

func (m *model) sample(n int) {
	calls := 0
	m.d.Sample(n, func(k string, v int) {
		calls++
		m.checkEntry("Sample", k, v)
	})
	if calls > n {
		m.tb.Fatalf("Sample(%d) made %d calls", n, calls)
	}
	m.after()
}

// scanStep makes one Scan call, starting a new scan if none is running.
func (m *model) scanStep() {
	if !m.scanning {
		m.scanning = true
		m.cursor = 0
		m.stable = make(map[string]bool, len(m.ref))
		for k := range m.ref {
			m.stable[k] = true
		}
		m.seen = map[string]bool{}
	}
	m.cursor = m.d.Scan(m.cursor, func(k string, v int) {
		m.checkEntry("Scan", k, v)
		m.seen[k] = true
	})
	if m.cursor == 0 {
		for k := range m.stable {
			if !m.seen[k] {
				m.tb.Fatalf("scan %d missed %q, present throughout", m.scans, k)
			}
		}
		m.scanning = false
		m.scans++
	}
	m.after()
}

// checkAll compares the full contents and the table structure.
func (m *model) checkAll() {
	m.tb.Helper()
	checkInvariants(m.tb, m.d)
	got := make(map[string]int, m.d.Len())
	m.d.Range(func(k string, v int) bool {
		got[k] = v
		return true
	})
	if !maps.Equal(got, m.ref) {
		m.tb.Fatalf("Range saw %d entries, map has %d (or values differ)", len(got), len(m.ref))
	}
}
