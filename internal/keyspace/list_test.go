package keyspace

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// listModel is the reference the list is checked against.
type listModel []string

func (m listModel) check(t *testing.T, l *List, step int, op string) {
	t.Helper()
	if l.Len() != len(m) {
		t.Fatalf("step %d (%s): Len %d, want %d", step, op, l.Len(), len(m))
	}
	i := 0
	l.Range(func(v []byte) bool {
		if string(v) != m[i] {
			t.Fatalf("step %d (%s): element %d = %q, want %q", step, op, i, v, m[i])
		}
		i++
		return true
	})
	if i != len(m) {
		t.Fatalf("step %d (%s): Range visited %d of %d", step, op, i, len(m))
	}
	i = len(m) - 1
	l.RangeRev(func(v []byte) bool {
		if string(v) != m[i] {
			t.Fatalf("step %d (%s): reverse element %d = %q, want %q", step, op, i, v, m[i])
		}
		i--
		return true
	})
	total := 0
	for ni := 0; ni < l.nodes; ni++ {
		x := l.nd(ni)
		total += len(x.el)
		if len(x.el) == 0 && l.nodes > 1 {
			t.Fatalf("step %d (%s): empty listNode %d of %d", step, op, ni, l.nodes)
		}
		live := 0
		for j := range x.el {
			live += len(x.get(j))
		}
		if live != x.live || x.lo > x.hi || x.hi > len(x.buf) {
			t.Fatalf("step %d (%s): listNode %d accounting live=%d/%d lo=%d hi=%d cap=%d", step, op, ni, live, x.live, x.lo, x.hi, len(x.buf))
		}
	}
	if total != len(m) {
		t.Fatalf("step %d (%s): nodes hold %d elements, want %d", step, op, total, len(m))
	}
}

func randListValue(r *rand.Rand) string {
	switch r.Intn(10) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("x", 3000+r.Intn(10000))
	case 2:
		return strings.Repeat("y", 100+r.Intn(400))
	}
	return fmt.Sprint(r.Intn(20))
}

func TestListAgainstModel(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewSource(seed))
		l := NewList()
		var m listModel
		for step := 0; step < 3000; step++ {
			op := r.Intn(13)
			v := randListValue(r)
			name := ""
			switch op {
			case 0, 1:
				name = "pushback"
				l.PushBack([]byte(v))
				m = append(m, v)
			case 2, 3:
				name = "pushfront"
				l.PushFront([]byte(v))
				m = append(listModel{v}, m...)
			case 4:
				name = "popfront"
				got := l.PopFront()
				if len(m) == 0 {
					if got != nil {
						t.Fatalf("pop from empty gave %q", got)
					}
					break
				}
				if string(got) != m[0] {
					t.Fatalf("seed %d step %d popfront %q want %q", seed, step, got, m[0])
				}
				m = m[1:]
			case 5:
				name = "popback"
				got := l.PopBack()
				if len(m) == 0 {
					break
				}
				if string(got) != m[len(m)-1] {
					t.Fatalf("seed %d step %d popback %q want %q", seed, step, got, m[len(m)-1])
				}
				m = m[:len(m)-1]
			case 6:
				name = "set"
				if len(m) > 0 {
					i := r.Intn(len(m))
					l.Set(i, []byte(v))
					m[i] = v
				}
			case 7:
				name = "insert"
				pivot := fmt.Sprint(r.Intn(20))
				after := r.Intn(2) == 0
				idx := -1
				for i, e := range m {
					if e == pivot {
						idx = i
						break
					}
				}
				if ok := l.Insert([]byte(pivot), []byte(v), after); ok != (idx >= 0) {
					t.Fatalf("insert found=%v want %v", ok, idx >= 0)
				}
				if idx >= 0 {
					if after {
						idx++
					}
					m = append(m[:idx], append(listModel{v}, m[idx:]...)...)
				}
			case 8:
				name = "remove"
				target := fmt.Sprint(r.Intn(20))
				count := r.Intn(5) - 2
				want := 0
				var nm listModel
				if count >= 0 {
					for _, e := range m {
						if e == target && (count == 0 || want < count) {
							want++
							continue
						}
						nm = append(nm, e)
					}
				} else {
					nm = make(listModel, len(m))
					k := len(m)
					for i := len(m) - 1; i >= 0; i-- {
						if m[i] == target && want < -count {
							want++
							continue
						}
						k--
						nm[k] = m[i]
					}
					nm = nm[k:]
				}
				if got := l.Remove([]byte(target), count); got != want {
					t.Fatalf("remove %q %d = %d want %d", target, count, got, want)
				}
				m = nm
			case 9:
				name = "delfront"
				k := r.Intn(40)
				l.DelFront(k)
				m = m[min(k, len(m)):]
			case 10:
				name = "delback"
				k := r.Intn(40)
				l.DelBack(k)
				m = m[:len(m)-min(k, len(m))]
			case 11:
				name = "index/each"
				if len(m) == 0 {
					break
				}
				i := r.Intn(len(m))
				if got := string(l.Index(i)); got != m[i] {
					t.Fatalf("index %d = %q want %q", i, got, m[i])
				}
				j := i + r.Intn(len(m)-i)
				k := i
				l.Each(i, j, func(v []byte) {
					if string(v) != m[k] {
						t.Fatalf("each %d..%d at %d: %q want %q", i, j, k, v, m[k])
					}
					k++
				})
				if k != j+1 {
					t.Fatalf("each %d..%d stopped at %d", i, j, k)
				}
				k = j
				l.EachRev(i, j, func(v []byte) {
					if string(v) != m[k] {
						t.Fatalf("eachrev %d..%d at %d: %q want %q", i, j, k, v, m[k])
					}
					k--
				})
				if k != i-1 {
					t.Fatalf("eachrev %d..%d stopped at %d", i, j, k)
				}
			case 12:
				name = "clone"
				c := l.Clone().(*List)
				m.check(t, c, step, "clone")
				c.PushBack([]byte("mutated"))
				c.Set(0, []byte("changed"))
			}
			m.check(t, l, step, name)
		}
	}
}

func TestListQueueReusesNode(t *testing.T) {
	l := NewList()
	for i := 0; i < 10; i++ {
		l.PushBack([]byte("seed"))
	}
	allocs := testing.AllocsPerRun(1000, func() {
		l.PushBack([]byte("hello"))
		l.PopFront()
	})
	if allocs > 0 {
		t.Fatalf("queue push/pop allocates %.1f times", allocs)
	}
	allocs = testing.AllocsPerRun(1000, func() {
		l.PushFront([]byte("hello"))
		l.PopBack()
	})
	if allocs > 0 {
		t.Fatalf("reverse queue push/pop allocates %.1f times", allocs)
	}
}

func TestListEncodingAndBigElements(t *testing.T) {
	l := NewList()
	if l.Encoding() != "quicklist" {
		t.Fatal(l.Encoding())
	}
	big := bytes.Repeat([]byte("z"), 100000)
	l.PushBack([]byte("a"))
	l.PushBack(big)
	l.PushFront(big)
	l.PushBack([]byte("b"))
	if l.Len() != 4 || !bytes.Equal(l.Index(1), []byte("a")) || !bytes.Equal(l.Index(2), big) {
		t.Fatal("big elements misplaced")
	}
	if !l.Insert(big, []byte("mid"), true) || string(l.Index(1)) != "mid" {
		t.Fatal("insert after big pivot")
	}
}

func BenchmarkListPushPop(b *testing.B) {
	l := NewList()
	v := []byte("some-value-123")
	for i := 0; i < b.N; i++ {
		l.PushFront(v)
		if l.Len() > 1000 {
			l.PopBack()
		}
	}
}
