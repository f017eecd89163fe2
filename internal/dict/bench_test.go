package dict

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

const benchKeys = 1 << 20

var benchKeySet []string

// keys returns 1M distinct keys in random order, shared by all benchmarks.
func keys() []string {
	if benchKeySet == nil {
		benchKeySet = make([]string, benchKeys)
		for i := range benchKeySet {
			benchKeySet[i] = "key:" + strconv.Itoa(i)
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(benchKeys, func(i, j int) {
			benchKeySet[i], benchKeySet[j] = benchKeySet[j], benchKeySet[i]
		})
	}
	return benchKeySet
}

func filledDict(ks []string) *Dict[int] {
	d := New[int](0)
	for i, k := range ks {
		d.Set(k, i)
	}
	for d.IsRehashing() {
		d.rehash(1 << 20)
	}
	return d
}

func filledMap(ks []string) map[string]int {
	m := map[string]int{}
	for i, k := range ks {
		m[k] = i
	}
	return m
}

var sink int

func BenchmarkGet(b *testing.B) {
	ks := keys()
	b.Run("dict", func(b *testing.B) {
		d := filledDict(ks)
		b.ResetTimer()
		s := 0
		for i := 0; i < b.N; i++ {
			v, _ := d.Get(ks[i&(benchKeys-1)])
			s += v
		}
		sink = s
	})
	b.Run("map", func(b *testing.B) {
		m := filledMap(ks)
		b.ResetTimer()
		s := 0
		for i := 0; i < b.N; i++ {
			s += m[ks[i&(benchKeys-1)]]
		}
		sink = s
	})
	b.Run("dict-miss", func(b *testing.B) {
		d := filledDict(ks)
		miss := make([]string, 1024)
		for i := range miss {
			miss[i] = "absent:" + strconv.Itoa(i)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			d.Get(miss[i&1023])
		}
	})
}

// BenchmarkSet replaces values of existing keys in a 1M-key table.
func BenchmarkSet(b *testing.B) {
	ks := keys()
	b.Run("dict", func(b *testing.B) {
		d := filledDict(ks)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			d.Set(ks[i&(benchKeys-1)], i)
		}
	})
	b.Run("map", func(b *testing.B) {
		m := filledMap(ks)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m[ks[i&(benchKeys-1)]] = i
		}
	})
}

// BenchmarkInsert builds a 1M-key table from empty, resizes included; one
// op is one insert.
func BenchmarkInsert(b *testing.B) {
	ks := keys()
	b.Run("dict", func(b *testing.B) {
		var d *Dict[int]
		for i := 0; i < b.N; i++ {
			if i&(benchKeys-1) == 0 {
				d = New[int](0)
			}
			d.Set(ks[i&(benchKeys-1)], i)
		}
	})
	b.Run("map", func(b *testing.B) {
		var m map[string]int
		for i := 0; i < b.N; i++ {
			if i&(benchKeys-1) == 0 {
				m = map[string]int{}
			}
			m[ks[i&(benchKeys-1)]] = i
		}
	})
}

func BenchmarkRandomKey(b *testing.B) {
	d := filledDict(keys())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.RandomKey()
	}
}

func BenchmarkScan(b *testing.B) {
	d := filledDict(keys())
	b.ResetTimer()
	c, n := uint64(0), 0
	for i := 0; i < b.N; i++ {
		c = d.Scan(c, func(string, int) { n++ })
	}
	sink = n
}
