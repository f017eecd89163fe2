package keyspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// zmodel is the obviously-correct reference: a sorted slice.
type zmodel []ZEntry

func (m zmodel) find(member string) int {
	for i, e := range m {
		if e.Member == member {
			return i
		}
	}
	return -1
}

func (m *zmodel) set(member string, score float64) {
	if i := m.find(member); i >= 0 {
		*m = slices.Delete(*m, i, i+1)
	}
	*m = append(*m, ZEntry{member, score})
	slices.SortFunc(*m, CompareZEntry)
}

func zcontents(z *ZSet) []ZEntry {
	var out []ZEntry
	z.Range(func(m string, s float64) bool {
		out = append(out, ZEntry{m, s})
		return true
	})
	return out
}

// checkSkiplist verifies order, back links, length and every span.
func checkSkiplist(t *testing.T, zsl *zskiplist) {
	t.Helper()
	var nodes []*zslNode
	for n := zsl.first(); n != nil; n = n.level[0].forward {
		nodes = append(nodes, n)
	}
	if len(nodes) != zsl.length {
		t.Fatalf("length %d, walked %d", zsl.length, len(nodes))
	}
	rank := map[*zslNode]int{zsl.header: 0}
	for i, n := range nodes {
		rank[n] = i + 1
		if (i == 0 && n.backward != nil) || (i > 0 && n.backward != nodes[i-1]) {
			t.Fatalf("bad backward link at %d", i)
		}
		if i > 0 && CompareZEntry(ZEntry{nodes[i-1].member, nodes[i-1].score}, ZEntry{n.member, n.score}) >= 0 {
			t.Fatalf("out of order at %d", i)
		}
	}
	if len(nodes) > 0 && zsl.tail != nodes[len(nodes)-1] {
		t.Fatal("bad tail")
	}
	check := func(n *zslNode, lv int) {
		l := n.level[lv]
		want := zsl.length - rank[n]
		if l.forward != nil {
			want = rank[l.forward] - rank[n]
		}
		if l.span != want {
			t.Fatalf("span of rank %d level %d = %d, want %d", rank[n], lv, l.span, want)
		}
	}
	for lv := 0; lv < zsl.level; lv++ {
		check(zsl.header, lv)
		for _, n := range nodes {
			if lv < len(n.level) {
				check(n, lv)
			}
		}
	}
}

func TestZSetAgainstModel(t *testing.T) {
	for _, maxEntries := range []int{0, 8, 128} {
		t.Run(fmt.Sprint(maxEntries), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(maxEntries)))
			z := NewZSet()
			var m zmodel
			for step := 0; step < 4000; step++ {
				member := fmt.Sprintf("m%02d", r.IntN(60))
				score := float64(r.IntN(20))
				switch op := r.IntN(10); {
				case op < 5:
					out, _ := z.Add([]byte(member), score, 0, maxEntries, 64)
					existed := m.find(member) >= 0
					if existed == (out == ZAdded) {
						t.Fatalf("add %s: out %d existed %v", member, out, existed)
					}
					m.set(member, lpScore(score))
				case op < 7:
					ok := z.Remove([]byte(member))
					i := m.find(member)
					if ok != (i >= 0) {
						t.Fatalf("remove %s", member)
					}
					if i >= 0 {
						m = slices.Delete(m, i, i+1)
					}
				case op < 8:
					out, ns := z.Add([]byte(member), score-10, ZAddIncr|ZAddXX, maxEntries, 64)
					if i := m.find(member); i >= 0 {
						want := m[i].Score + score - 10
						if ns != want {
							t.Fatalf("incr %s: %v want %v (out %d)", member, ns, want, out)
						}
						m.set(member, want)
					}
				case op < 9 && len(m) > 0:
					e := z.Pop(r.IntN(2) == 0)
					i := m.find(e.Member)
					if i != 0 && i != len(m)-1 {
						t.Fatalf("pop returned %v", e)
					}
					m = slices.Delete(m, i, i+1)
				default:
					if len(m) > 0 {
						a, b := r.IntN(len(m)), r.IntN(len(m))
						if a > b {
							a, b = b, a
						}
						if n := z.DeleteRangeByRank(a, b); n != b-a+1 {
							t.Fatalf("delete by rank %d..%d: %d", a, b, n)
						}
						m = slices.Delete(m, a, b+1)
					}
				}
				if !slices.Equal(zcontents(z), []ZEntry(m)) {
					t.Fatalf("step %d: contents differ\n got %v\nwant %v", step, zcontents(z), m)
				}
				if z.zsl != nil {
					checkSkiplist(t, z.zsl)
					if z.dict.Len() != len(m) {
						t.Fatalf("dict len %d", z.dict.Len())
					}
				}
				for i, e := range m {
					if rk, ok := z.Rank([]byte(e.Member), false); !ok || rk != i {
						t.Fatalf("rank of %s = %d, want %d", e.Member, rk, i)
					}
				}
				checkRanges(t, z, m, r)
			}
			if maxEntries == 0 && z.Encoding() != "skiplist" {
				t.Fatal("expected skiplist")
			}
		})
	}
}

func checkRanges(t *testing.T, z *ZSet, m zmodel, r *rand.Rand) {
	t.Helper()
	sr := ZScoreRange{Min: float64(r.IntN(24) - 12), Max: float64(r.IntN(24) - 2), MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0}
	var want []ZEntry
	for _, e := range m {
		if sr.gteMin(e.Score) && sr.lteMax(e.Score) {
			want = append(want, e)
		}
	}
	if got := z.CountInScore(&sr); got != len(want) {
		t.Fatalf("count %+v = %d, want %d", sr, got, len(want))
	}
	off, lim := r.IntN(4), r.IntN(6)-1
	var got []ZEntry
	z.RangeByScore(&sr, off, lim, false, func(mm string, s float64) { got = append(got, ZEntry{mm, s}) })
	exp := want[min(off, len(want)):]
	if lim >= 0 && lim < len(exp) {
		exp = exp[:lim]
	}
	if !slices.Equal(got, exp) && !(len(got) == 0 && len(exp) == 0) {
		t.Fatalf("range %+v off %d lim %d: got %v want %v", sr, off, lim, got, exp)
	}
	got = got[:0]
	z.RangeByScore(&sr, 0, -1, true, func(mm string, s float64) { got = append(got, ZEntry{mm, s}) })
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if !slices.Equal(got, rev) && !(len(got) == 0 && len(rev) == 0) {
		t.Fatalf("revrange %+v: got %v want %v", sr, got, rev)
	}
	if len(m) > 0 {
		a, b := r.IntN(len(m)), r.IntN(len(m))
		if a > b {
			a, b = b, a
		}
		got = got[:0]
		z.RangeByRank(a, b, true, func(mm string, s float64) { got = append(got, ZEntry{mm, s}) })
		for k, e := range got {
			if e != m[len(m)-1-a-k] {
				t.Fatalf("rev rank range %d..%d wrong at %d", a, b, k)
			}
		}
	}
}

func TestZSetLex(t *testing.T) {
	for _, maxEntries := range []int{0, 128} {
		z := NewZSet()
		for c := 'a'; c <= 'j'; c++ {
			z.Add([]byte{byte(c)}, 0, 0, maxEntries, 64)
		}
		cases := []struct {
			r    ZLexRange
			want string
		}{
			{ZLexRange{MinKind: LexMinusInf, MaxKind: LexPlusInf, MinEx: true, MaxEx: true}, "abcdefghij"},
			{ZLexRange{Min: "c", Max: "f"}, "cdef"},
			{ZLexRange{Min: "c", Max: "f", MinEx: true, MaxEx: true}, "de"},
			{ZLexRange{Min: "f", Max: "c"}, ""},
			{ZLexRange{Min: "c", Max: "c", MinEx: true}, ""},
			{ZLexRange{Min: "bb", MaxKind: LexPlusInf, MaxEx: true}, "cdefghij"},
			{ZLexRange{MinKind: LexPlusInf, MaxKind: LexMinusInf, MinEx: true, MaxEx: true}, ""},
			{ZLexRange{MinKind: LexMinusInf, MaxKind: LexMinusInf, MinEx: true, MaxEx: true}, ""},
		}
		for _, c := range cases {
			var got []byte
			z.RangeByLex(&c.r, 0, -1, false, func(m string, _ float64) { got = append(got, m...) })
			if string(got) != c.want {
				t.Errorf("%d %+v: got %q want %q", maxEntries, c.r, got, c.want)
			}
			if n := z.CountInLex(&c.r); n != len(c.want) {
				t.Errorf("%d count %+v: %d", maxEntries, c.r, n)
			}
			got = got[:0]
			z.RangeByLex(&c.r, 0, -1, true, func(m string, _ float64) { got = append(got, m...) })
			slices.Reverse(got)
			if string(got) != c.want {
				t.Errorf("%d rev %+v: got %q want %q", maxEntries, c.r, got, c.want)
			}
		}
		r := ZLexRange{Min: "c", Max: "e"}
		if n := z.DeleteRangeByLex(&r); n != 3 || z.Len() != 7 {
			t.Errorf("delete lex: %d, len %d", n, z.Len())
		}
		sr := ZScoreRange{Min: 0, Max: 0}
		if n := z.DeleteRangeByScore(&sr); n != 7 || z.Len() != 0 {
			t.Errorf("delete score: %d", n)
		}
	}
}

func TestZSetNegativeZeroAndConversion(t *testing.T) {
	z := NewZSet()
	z.Add([]byte("a"), math.Copysign(0, -1), 0, 128, 64)
	if s, _ := z.ScoreString("a"); math.Signbit(s) {
		t.Error("listpack kept -0")
	}
	z.Add([]byte("long-member-that-does-not-fit-in-a-listpack-of-ten"), 1, 0, 128, 10)
	if z.Encoding() != "skiplist" {
		t.Fatal("no conversion")
	}
	z.Add([]byte("b"), math.Copysign(0, -1), 0, 128, 10)
	if s, _ := z.ScoreString("b"); !math.Signbit(s) {
		t.Error("skiplist lost -0")
	}
	c := z.Clone().(*ZSet)
	if c.Encoding() != "skiplist" || !slices.Equal(zcontents(c), zcontents(z)) {
		t.Error("clone differs")
	}
	z.ConvertToListpackIfFits(128, 64)
	if z.Encoding() != "listpack" || z.Len() != 3 {
		t.Error("not converted back")
	}
	if got := string(AppendListpackScore(nil, 1e17)); got != "100000000000000000" {
		t.Error(got)
	}
	if got := string(AppendListpackScore(nil, 9.2233720368547758e18)); got != "9.2233720368547758e+18" {
		t.Error(got)
	}
}

func BenchmarkZSetAddSkiplist(b *testing.B) {
	z := NewZSet()
	keys := make([][]byte, 1<<16)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("member:%d", i))
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		z.Add(keys[i&(1<<16-1)], float64(i%1000), 0, 128, 64)
	}
}
