package dict

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
	"unsafe"
)

func TestBasicOps(t *testing.T) {
	var d Dict[string] // the zero value must work
	if _, ok := d.Get("a"); ok {
		t.Fatal("Get on empty dict found a key")
	}
	if d.GetPtr("a") != nil {
		t.Fatal("GetPtr on empty dict found a key")
	}
	if _, ok := d.Delete("a"); ok {
		t.Fatal("Delete on empty dict found a key")
	}
	if !d.Set("a", "1") {
		t.Fatal("Set of a new key reported a replace")
	}
	if d.Set("a", "2") {
		t.Fatal("Set of an existing key reported an add")
	}
	d.SetNew("b", "3")
	if v, ok := d.Get("a"); !ok || v != "2" {
		t.Fatalf("Get(a) = %q,%v", v, ok)
	}
	if p := d.GetPtr("b"); p == nil || *p != "3" {
		t.Fatalf("GetPtr(b) = %v", p)
	} else {
		*p = "4"
	}
	if v, _ := d.Get("b"); v != "4" {
		t.Fatalf("write through GetPtr lost: %q", v)
	}
	if d.Len() != 2 {
		t.Fatalf("Len = %d", d.Len())
	}
	if v, ok := d.Delete("a"); !ok || v != "2" {
		t.Fatalf("Delete(a) = %q,%v", v, ok)
	}
	if _, ok := d.Get("a"); ok || d.Len() != 1 {
		t.Fatal("a still present after Delete")
	}
	d.Clear()
	if d.Len() != 0 || d.ht[0].buckets != nil {
		t.Fatal("Clear left entries or buckets")
	}
	d.Set("c", "5")
	checkInvariants(t, &d)
}

func TestNewSizeHint(t *testing.T) {
	for _, c := range []struct{ hint, want int }{{-1, 0}, {0, 0}, {1, 4}, {4, 4}, {5, 8}, {1000, 1024}, {1024, 1024}} {
		if got := len(New[int](c.hint).ht[0].buckets); got != c.want {
			t.Errorf("New(%d) has %d buckets, want %d", c.hint, got, c.want)
		}
	}
	d := New[int](1000)
	for i := range 1000 {
		d.Set(strconv.Itoa(i), i)
	}
	if d.IsRehashing() || len(d.ht[0].buckets) != 1024 {
		t.Fatalf("1000 inserts into New(1000) resized the table")
	}
}

func TestGrowAndShrink(t *testing.T) {
	d := New[int](0)
	for i := range 4 {
		d.Set(strconv.Itoa(i), i)
	}
	if len(d.ht[0].buckets) != 4 || d.IsRehashing() {
		t.Fatalf("4 keys: %d buckets, rehashing=%v", len(d.ht[0].buckets), d.IsRehashing())
	}
	d.Set("4", 4) // used (4) >= size (4): grow to fit 5
	if !d.IsRehashing() || len(d.ht[1].buckets) != 8 {
		t.Fatalf("5th key did not start a grow to 8")
	}
	for i := 5; i < 10000; i++ {
		d.Set(strconv.Itoa(i), i)
	}
	d.RehashFor(time.Second)
	if d.IsRehashing() || len(d.ht[0].buckets) != 16384 {
		t.Fatalf("10000 keys: %d buckets, rehashing=%v", len(d.ht[0].buckets), d.IsRehashing())
	}
	checkInvariants(t, d)
	// 1639 keys is 10% of 16384 in integer percent, so no shrink yet.
	for i := 1639; i < 10000; i++ {
		d.Delete(strconv.Itoa(i))
	}
	if d.IsRehashing() {
		t.Fatalf("shrink started at 10%% fill")
	}
	d.Delete("1638")
	if !d.IsRehashing() || len(d.ht[1].buckets) != 2048 {
		t.Fatalf("delete below 10%% fill did not start a shrink to 2048")
	}
	for i := range 1638 {
		d.Delete(strconv.Itoa(i))
		checkEvery(t, d, i, 97)
	}
	if d.Len() != 0 || len(d.ht[0].buckets) != minSize || d.IsRehashing() {
		t.Fatalf("emptied dict: len %d, %d buckets, rehashing=%v", d.Len(), len(d.ht[0].buckets), d.IsRehashing())
	}
}

func checkEvery[V any](t *testing.T, d *Dict[V], i, n int) {
	if i%n == 0 {
		checkInvariants(t, d)
	}
}

func TestRehashForShrinksAndFinishes(t *testing.T) {
	d := New[int](1 << 16)
	for i := range 100 {
		d.Set(strconv.Itoa(i), i)
	}
	if n := d.RehashFor(time.Second); n == 0 || d.IsRehashing() || len(d.ht[0].buckets) != 128 {
		t.Fatalf("RehashFor: n=%d rehashing=%v buckets=%d", n, d.IsRehashing(), len(d.ht[0].buckets))
	}
	if n := d.RehashFor(time.Second); n != 0 {
		t.Fatalf("RehashFor with nothing to do returned %d", n)
	}
	checkInvariants(t, d)
}

// TestCallbacksPauseRehash: Get inside an iteration callback must not move
// buckets under the walk.
func TestCallbacksPauseRehash(t *testing.T) {
	d := New[int](0)
	for i := 0; !d.IsRehashing() || d.ht[0].used < 100; i++ {
		d.Set(strconv.Itoa(i), i)
		if d.IsRehashing() && d.ht[0].used < 100 {
			d.RehashFor(time.Second)
		}
	}
	idx := d.rehashIdx
	n := 0
	d.Range(func(k string, v int) bool {
		if got, ok := d.Get(k); !ok || got != v {
			t.Fatalf("Get(%q) inside Range = %d,%v", k, got, ok)
		}
		n++
		return true
	})
	for c := d.Scan(0, func(k string, _ int) { d.Get(k) }); c != 0; c = d.Scan(c, func(k string, _ int) { d.Get(k) }) {
	}
	if n != d.Len() || d.rehashIdx != idx || d.paused != 0 {
		t.Fatalf("Range saw %d of %d; rehashIdx %d -> %d; paused %d", n, d.Len(), idx, d.rehashIdx, d.paused)
	}
	// Sample does its own rehash work up front, then pauses for callbacks.
	d.Sample(10, func(k string, _ int) {
		before := d.rehashIdx
		d.Get(k)
		if d.rehashIdx != before {
			t.Fatal("Get inside Sample moved a bucket")
		}
	})
	stop := 0
	d.Range(func(string, int) bool { stop++; return stop < 3 })
	if stop != 3 {
		t.Fatalf("Range did not stop when fn returned false (%d calls)", stop)
	}
}

// TestAgainstMap applies random operations to a Dict and a map, with a
// target size that swings widely so the table grows and shrinks many times,
// and a SCAN interleaved throughout.
func TestAgainstMap(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			m := newModel(t, 0)
			target := 0
			for op := range 200_000 {
				if op%3000 == 0 {
					target = []int{0, 10, 300, 5000, 20000}[rng.IntN(5)]
				}
				k := "key:" + strconv.Itoa(rng.IntN(30000))
				insert := len(m.ref) < target
				switch r := rng.IntN(100); {
				case r < 30 && insert:
					m.set(k, op)
				case r < 40 && insert:
					m.setNew(k, op)
				case r < 40:
					m.del(k)
				case r < 60:
					m.get(k)
				case r < 70:
					m.set(k, op) // mostly replaces when not growing
				case r < 80:
					m.del(k)
				case r < 85:
					m.random()
				case r < 88:
					m.sample(1 + rng.IntN(20))
				case r < 98:
					m.scanStep()
				case r < 99:
					m.rehashFor()
				default:
					if rng.IntN(200) == 0 {
						m.clear()
					}
				}
				if op%5000 == 0 {
					m.checkAll()
				}
			}
			m.checkAll()
			t.Logf("%d ops, %d grows, %d shrinks, %d complete scans", m.ops, m.grows, m.shrinks, m.scans)
			if m.grows < 5 || m.shrinks < 5 || m.scans < 5 {
				t.Fatalf("too little resizing/scanning exercised")
			}
		})
	}
}

func TestNoAllocs(t *testing.T) {
	const n = 5000
	keys := make([]string, n)
	bufs := make([][]byte, n)
	d := New[int](0)
	for i := range keys {
		keys[i] = "key:" + strconv.Itoa(i)
		bufs[i] = []byte(keys[i])
		d.Set(keys[i], i)
	}
	for phase := range 2 {
		if phase == 1 {
			// Put the dict in the middle of a grow so lookups do rehash work.
			for i := n; !d.IsRehashing(); i++ {
				d.Set("extra:"+strconv.Itoa(i), i)
			}
		}
		i := 0
		check := func(name string, f func()) {
			t.Helper()
			if a := testing.AllocsPerRun(2000, f); a != 0 {
				t.Errorf("phase %d: %s allocates %v per run", phase, name, a)
			}
		}
		check("Get", func() { d.Get(keys[i%n]); i++ })
		check("Get(miss)", func() { d.Get("absent"); i++ })
		check("Get(unsafe view)", func() {
			b := bufs[i%n]
			if _, ok := d.Get(unsafe.String(&b[0], len(b))); !ok {
				t.Fatal("miss via byte view")
			}
			i++
		})
		check("GetPtr", func() { *d.GetPtr(keys[i%n])++; i++ })
		check("Set(replace)", func() { d.Set(keys[i%n], i); i++ })
		check("RandomKey", func() { d.RandomKey() })
		check("Scan", func() { d.Scan(uint64(i), func(string, int) {}); i++ })
	}
}
