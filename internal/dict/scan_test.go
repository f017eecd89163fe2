package dict

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestNextCursorOrder(t *testing.T) {
	// Reverse-binary order over 3 bits: 000 100 010 110 001 101 011 111.
	want := []uint64{4, 2, 6, 1, 5, 3, 7, 0}
	var got []uint64
	for c := uint64(0); ; {
		c = nextCursor(c, 7)
		got = append(got, c)
		if c == 0 {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("cursor sequence %v, want %v", got, want)
	}
}

func TestScanEmpty(t *testing.T) {
	var d Dict[int]
	if c := d.Scan(0, func(string, int) { t.Fatal("callback on empty dict") }); c != 0 {
		t.Fatalf("Scan of empty dict returned cursor %d", c)
	}
	d.Set("a", 1)
	d.Delete("a")
	if c := d.Scan(12345, func(string, int) { t.Fatal("callback on emptied dict") }); c != 0 {
		t.Fatalf("Scan of emptied dict returned cursor %d", c)
	}
}

// fullScan scans d with no mutation and counts how often each key comes back.
func fullScan(d *Dict[int]) (map[string]int, int) {
	counts := map[string]int{}
	calls := 0
	for c := uint64(0); ; {
		c = d.Scan(c, func(k string, _ int) { counts[k]++ })
		calls++
		if c == 0 {
			return counts, calls
		}
	}
}

// TestScanExactlyOnce: without mutation, every key is returned exactly once,
// whether one table is live, a grow is half done, or a shrink is half done.
func TestScanExactlyOnce(t *testing.T) {
	mid := func(d *Dict[int]) {
		if !d.IsRehashing() {
			t.Fatal("expected a resize in progress")
		}
		d.rehash(d.Len() / 3)
		if !d.IsRehashing() || d.rehashIdx == 0 {
			t.Fatal("expected a partly done resize")
		}
	}
	cases := map[string]func() *Dict[int]{
		"stable": func() *Dict[int] {
			d := New[int](0)
			for i := range 3000 {
				d.Set(strconv.Itoa(i), i)
			}
			d.RehashFor(time.Second)
			return d
		},
		"growing": func() *Dict[int] {
			d := New[int](2048)
			for i := range 2049 {
				d.Set(strconv.Itoa(i), i)
			}
			mid(d)
			return d
		},
		"shrinking": func() *Dict[int] {
			d := New[int](1 << 14)
			for i := range 1000 {
				d.Set(strconv.Itoa(i), i)
			}
			d.Set("x", 0)
			d.Delete("x") // 1000/16384 < 10%: starts the shrink
			mid(d)
			return d
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			d := build()
			n := d.Len()
			counts, calls := fullScan(d)
			if len(counts) != n {
				t.Fatalf("scan returned %d distinct keys, want %d", len(counts), n)
			}
			for k, c := range counts {
				if c != 1 {
					t.Fatalf("key %q returned %d times", k, c)
				}
			}
			small := len(d.ht[0].buckets)
			if d.IsRehashing() {
				small = min(len(d.ht[0].buckets), len(d.ht[1].buckets))
			}
			if calls != small {
				t.Fatalf("scan took %d calls, want one per small-table bucket (%d)", calls, small)
			}
		})
	}
}

// TestScanGuarantee runs scans while, between every two Scan calls, other
// keys are inserted and deleted in bulk so the table grows and shrinks
// several times during each scan. Keys present throughout must all come back.
func TestScanGuarantee(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 10 {
		d := New[int](0)
		stable := map[string]bool{}
		nStable := 50 + rng.IntN(500)
		for i := range nStable {
			k := "stable:" + strconv.Itoa(i)
			stable[k] = true
			d.Set(k, i)
		}
		var churn []string
		seen := map[string]bool{}
		lastSize, grows, shrinks := len(d.ht[0].buckets), 0, 0
		next := 0
		cursor := uint64(0)
		for calls := 0; ; calls++ {
			cursor = d.Scan(cursor, func(k string, v int) {
				if stable[k] && strconv.Itoa(v) != k[len("stable:"):] {
					t.Fatalf("key %q returned with value %d", k, v)
				}
				seen[k] = true
			})
			if cursor == 0 {
				break
			}
			// Alternate between growing far past the stable set and
			// deleting back down to it, with random noise either way.
			if (calls/3)%2 == 0 {
				for range rng.IntN(2000) {
					k := "churn:" + strconv.Itoa(next)
					next++
					d.SetNew(k, -1)
					churn = append(churn, k)
				}
			} else {
				for keep := rng.IntN(200); len(churn) > keep; {
					j := rng.IntN(len(churn))
					d.Delete(churn[j])
					churn[j] = churn[len(churn)-1]
					churn = churn[:len(churn)-1]
				}
			}
			if rng.IntN(4) == 0 {
				d.RehashFor(time.Duration(rng.IntN(50)) * time.Microsecond)
			}
			size := len(d.ht[0].buckets)
			if d.IsRehashing() {
				size = len(d.ht[1].buckets)
			}
			if size > lastSize {
				grows++
			} else if size < lastSize {
				shrinks++
			}
			lastSize = size
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: stable key %q not returned (grows %d, shrinks %d)", round, k, grows, shrinks)
			}
		}
		if round < 3 {
			t.Logf("round %d: %d stable keys, %d grows and %d shrinks during the scan", round, nStable, grows, shrinks)
		}
		if grows < 2 || shrinks < 2 {
			t.Fatalf("round %d: only %d grows and %d shrinks during the scan", round, grows, shrinks)
		}
		checkInvariants(t, d)
	}
}

func TestRandomKeyAndSample(t *testing.T) {
	var d Dict[int]
	if _, _, ok := d.RandomKey(); ok {
		t.Fatal("RandomKey on empty dict returned an entry")
	}
	d.Sample(5, func(string, int) { t.Fatal("Sample on empty dict called fn") })

	const n = 40
	for i := range n {
		d.Set(strconv.Itoa(i), i)
	}
	check := func(k string, v int) {
		t.Helper()
		if got, ok := d.Get(k); !ok || got != v || strconv.Itoa(v) != k {
			t.Fatalf("returned %q=%d, dict has %d,%v", k, v, got, ok)
		}
	}
	picked := map[string]bool{}
	for range 5000 {
		k, v, ok := d.RandomKey()
		if !ok {
			t.Fatal("RandomKey on non-empty dict returned nothing")
		}
		check(k, v)
		picked[k] = true
	}
	if len(picked) != n {
		t.Fatalf("RandomKey picked only %d of %d keys in 5000 tries", len(picked), n)
	}
	calls := 0
	d.Sample(1000, func(k string, v int) { check(k, v); calls++ })
	if calls == 0 || calls > n {
		t.Fatalf("Sample(1000) on %d keys made %d calls", n, calls)
	}

	// Also while a resize is in progress, in both directions.
	for i := n; !d.IsRehashing(); i++ {
		d.Set(strconv.Itoa(i), i)
	}
	for range 200 {
		k, v, _ := d.RandomKey()
		check(k, v)
		d.Sample(7, check)
		if e := d.randomEntry(); e != nil {
			check(e.key, e.val)
		}
	}
	d.RehashFor(time.Second)
	for i := 0; !d.IsRehashing() && d.Len() > 0; i++ {
		d.Delete(strconv.Itoa(i))
	}
	if !d.IsRehashing() {
		t.Fatal("expected a shrink in progress")
	}
	for range 200 {
		k, v, _ := d.RandomKey()
		check(k, v)
		d.Sample(3, check)
		if e := d.randomEntry(); e != nil {
			check(e.key, e.val)
		}
	}
}

// After each Scan call, every key ranked below the cursor's rank has been
// visited, and ranks never go down, across grows and shrinks.
func TestScanRankBoundsVisitedKeys(t *testing.T) {
	d := New[int](0)
	for i := 0; i < 5000; i++ {
		d.Set("k"+strconv.Itoa(i), i)
	}
	seen := map[string]bool{}
	var cursor, last uint64
	step := 0
	for {
		cursor = d.Scan(cursor, func(k string, _ int) { seen[k] = true })
		if cursor == 0 {
			break
		}
		r := CursorRank(cursor)
		if r < last {
			t.Fatalf("step %d: rank went down", step)
		}
		last = r
		d.Range(func(k string, _ int) bool {
			if ScanRank(k) < r && !seen[k] {
				t.Fatalf("step %d: key %q ranked below the bound was not visited", step, k)
			}
			return true
		})
		step++
		switch {
		case step == 20: // grow a lot
			for i := 5000; i < 40000; i++ {
				k := "k" + strconv.Itoa(i)
				d.Set(k, i)
				// Added behind the scan: not promised.
				seen[k] = seen[k] || ScanRank(k) < last
			}
		case step == 200: // shrink: delete most keys, let resizes run
			for i := 100; i < 40000; i++ {
				d.Delete("k" + strconv.Itoa(i))
				delete(seen, "k"+strconv.Itoa(i))
			}
			for d.IsRehashing() {
				d.RehashFor(time.Millisecond)
			}
		}
	}
}
