package keyspace

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func TestParseStreamID(t *testing.T) {
	max := uint64(math.MaxUint64)
	cases := []struct {
		in             string
		missing        uint64
		strict, auto   bool
		want           StreamID
		seqGiven, okay bool
	}{
		{"1-1", 0, true, false, StreamID{1, 1}, true, true},
		{"5", 0, true, false, StreamID{5, 0}, true, true},
		{"5", max, false, false, StreamID{5, max}, true, true},
		{"-", 0, false, false, StreamID{}, true, true},
		{"+", 0, false, false, MaxStreamID, true, true},
		{"-", 0, true, false, StreamID{}, false, false},
		{"+", 0, true, false, StreamID{}, false, false},
		{"7-*", 0, true, true, StreamID{7, 0}, false, true},
		{"7-*", 0, true, false, StreamID{}, false, false},
		{"18446744073709551615-18446744073709551615", 0, true, false, MaxStreamID, true, true},
		{"18446744073709551616-1", 0, true, false, StreamID{}, false, false},
		{"01-01", 0, true, false, StreamID{1, 1}, true, true},
		{" 2-2", 0, true, false, StreamID{2, 2}, true, true},
		{"+3-3", 0, true, false, StreamID{3, 3}, true, true},
		{"4-+4", 0, true, false, StreamID{4, 4}, true, true},
		{"-1", 0, true, false, StreamID{}, false, false},
		{"1-", 0, true, false, StreamID{}, false, false},
		{"1-2-3", 0, true, false, StreamID{}, false, false},
		{"abc", 0, true, false, StreamID{}, false, false},
		{"", 0, true, false, StreamID{}, false, false},
		{"1\x00abc", 0, true, false, StreamID{1, 0}, true, true},
		{strings.Repeat("1", 128), 0, true, false, StreamID{}, false, false},
	}
	for _, tc := range cases {
		id, seqGiven, ok := ParseStreamID([]byte(tc.in), tc.missing, tc.strict, tc.auto)
		if ok != tc.okay || (ok && (id != tc.want || seqGiven != tc.seqGiven)) {
			t.Errorf("ParseStreamID(%q) = %v %v %v, want %v %v %v", tc.in, id, seqGiven, ok, tc.want, tc.seqGiven, tc.okay)
		}
	}
	// A leading minus sign after blanks wraps around as strtoull does.
	if v, ok := ParseStreamULL([]byte(" -1")); !ok || v != max {
		t.Errorf("ParseStreamULL(\" -1\") = %d %v", v, ok)
	}
}

func TestStreamIDArithmetic(t *testing.T) {
	if id, ok := (StreamID{1, math.MaxUint64}).Incr(); !ok || id != (StreamID{2, 0}) {
		t.Errorf("Incr carry: %v %v", id, ok)
	}
	if _, ok := MaxStreamID.Incr(); ok {
		t.Error("Incr of the greatest ID succeeded")
	}
	if id, ok := (StreamID{2, 0}).Decr(); !ok || id != (StreamID{1, math.MaxUint64}) {
		t.Errorf("Decr borrow: %v %v", id, ok)
	}
	if _, ok := (StreamID{}).Decr(); ok {
		t.Error("Decr of 0-0 succeeded")
	}
	if (StreamID{1, 2}).String() != "1-2" || (StreamID{3, 0}).Cmp(StreamID{2, 9}) != 1 {
		t.Error("String/Cmp")
	}
}

func fv(kv ...string) [][]byte {
	out := make([][]byte, len(kv))
	for i, s := range kv {
		out[i] = []byte(s)
	}
	return out
}

// entryString renders an entry as "id:f=v,f=v".
func entryString(id StreamID, e Entry) string {
	var sb strings.Builder
	sb.WriteString(id.String() + ":")
	it := e.Pairs()
	for {
		f, v, ok := it.Next()
		if !ok {
			break
		}
		sb.WriteString(string(f) + "=" + string(v) + ",")
	}
	return sb.String()
}

func collect(s *Stream, start, end StreamID, rev bool) []string {
	var out []string
	it := s.Iter(start, end, rev)
	for {
		id, e, ok := it.Next()
		if !ok {
			return out
		}
		out = append(out, entryString(id, e))
	}
}

// Node boundaries follow Redis: a node closes at stream-node-max-entries
// entries (tombstones included) or when the next entry would take its
// listpack to stream-node-max-bytes. The counts below were read from
// Redis 7.0.15's XINFO STREAM for the same inserts.
func TestStreamNodeLayout(t *testing.T) {
	s := NewStream()
	for i := 1; i <= 10; i++ {
		f := "f"
		if i == 5 {
			f = "g"
		}
		s.Append(StreamID{uint64(i), 1}, fv(f, "v"), 4096, 3)
	}
	if s.NodeCount() != 4 || s.RadixNodes() != 10 || s.Len() != 10 {
		t.Fatalf("layout: keys %d nodes %d len %d", s.NodeCount(), s.RadixNodes(), s.Len())
	}
	b := NewStream()
	b.Append(StreamID{1, 1}, fv("field", "value"), 64, 100)
	b.Append(StreamID{2, 1}, fv("field", "value"), 64, 100)
	b.Append(StreamID{3, 1}, fv("field", "value"), 64, 100)
	b.Append(StreamID{4, 1}, fv("f1", "a longer value that will not fit in the node"), 64, 100)
	b.Append(StreamID{5, 1}, fv("field", "value"), 64, 100)
	if b.NodeCount() != 3 || b.RadixNodes() != 8 {
		t.Fatalf("byte limit: keys %d nodes %d", b.NodeCount(), b.RadixNodes())
	}
	if NewStream().RadixNodes() != 1 {
		t.Fatal("empty tree has its root node")
	}
	// Tombstones count toward the entry limit.
	d := NewStream()
	d.Append(StreamID{1, 1}, fv("a", "1"), 4096, 3)
	d.Append(StreamID{1, 2}, fv("a", "1"), 4096, 3)
	d.DeleteIDs([]StreamID{{1, 1}})
	d.Append(StreamID{1, 3}, fv("a", "1"), 4096, 3)
	d.Append(StreamID{1, 4}, fv("a", "1"), 4096, 3)
	if d.NodeCount() != 2 || d.RadixNodes() != 4 {
		t.Fatalf("tombstones: keys %d nodes %d", d.NodeCount(), d.RadixNodes())
	}
}

func TestStreamEntriesAndIteration(t *testing.T) {
	s := NewStream()
	var model []string
	ids := []StreamID{}
	for i := 0; i < 40; i++ {
		id := StreamID{uint64(i / 3), uint64(i % 3)}
		var kv [][]byte
		if i%4 == 0 {
			kv = fv("x", fmt.Sprint(i), "x", "dup")
		} else {
			kv = fv("a", fmt.Sprint(i), "b", "")
		}
		s.Append(id, kv, 4096, 7)
		ids = append(ids, id)
		model = append(model, entryString(id, mustGet(t, s, id)))
	}
	if got := collect(s, StreamID{}, MaxStreamID, false); strings.Join(got, "|") != strings.Join(model, "|") {
		t.Fatalf("forward:\n%v\n%v", got, model)
	}
	if !strings.Contains(model[0], "x=0,x=dup,") {
		t.Fatalf("duplicate fields not kept in order: %s", model[0])
	}
	// Delete a scattered subset and compare every range both ways.
	r := rand.New(rand.NewSource(1))
	live := map[StreamID]string{}
	for i, id := range ids {
		live[id] = model[i]
	}
	for _, i := range r.Perm(len(ids))[:25] {
		if s.DeleteIDs([]StreamID{ids[i]}) != 1 {
			t.Fatalf("delete %v", ids[i])
		}
		delete(live, ids[i])
	}
	_, was := live[ids[0]]
	if n := s.DeleteIDs([]StreamID{ids[0], ids[0]}); n > 1 || (n == 1) != was {
		t.Fatal("deleted twice")
	}
	delete(live, ids[0])
	for trial := 0; trial < 200; trial++ {
		a := StreamID{uint64(r.Intn(15)), uint64(r.Intn(4))}
		b := StreamID{uint64(r.Intn(15)), uint64(r.Intn(4))}
		var want []string
		for _, id := range ids {
			if e, ok := live[id]; ok && !id.Less(a) && !b.Less(id) {
				want = append(want, e)
			}
		}
		if got := collect(s, a, b, false); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("range %v..%v: %v, want %v", a, b, got, want)
		}
		for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
			want[i], want[j] = want[j], want[i]
		}
		if got := collect(s, a, b, true); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("rev range %v..%v: %v, want %v", a, b, got, want)
		}
	}
	if s.Len() != len(live) {
		t.Fatalf("Len %d, want %d", s.Len(), len(live))
	}
}

func mustGet(t *testing.T, s *Stream, id StreamID) Entry {
	t.Helper()
	e, ok := s.Get(id)
	if !ok {
		t.Fatalf("entry %v missing", id)
	}
	return e
}

func newSeq(n, perNode int) *Stream {
	s := NewStream()
	for i := 1; i <= n; i++ {
		s.Append(StreamID{uint64(i), 1}, fv("f", "v"), 4096, perNode)
	}
	return s
}

func TestStreamTrim(t *testing.T) {
	cases := []struct {
		a         TrimArgs
		deleted   int64
		firstLeft StreamID
	}{
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 8, Approx: true}, 0, StreamID{1, 1}},
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 6, Approx: true}, 3, StreamID{4, 1}},
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 6}, 4, StreamID{5, 1}},
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 0, Approx: true, Limit: 2}, 0, StreamID{1, 1}},
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 0, Approx: true, Limit: 7}, 6, StreamID{7, 1}},
		{TrimArgs{Strategy: TrimMaxLen, MaxLen: 0}, 10, StreamID{}},
		{TrimArgs{Strategy: TrimMinID, MinID: StreamID{9, 0}, Approx: true}, 6, StreamID{7, 1}},
		{TrimArgs{Strategy: TrimMinID, MinID: StreamID{9, 0}}, 8, StreamID{9, 1}},
		{TrimArgs{Strategy: TrimMinID, MinID: StreamID{1, 1}}, 0, StreamID{1, 1}},
		{TrimArgs{Strategy: TrimNone}, 0, StreamID{1, 1}},
	}
	for i, tc := range cases {
		s := newSeq(10, 3)
		if got := s.Trim(tc.a); got != tc.deleted {
			t.Errorf("case %d: deleted %d, want %d", i, got, tc.deleted)
		}
		if s.FirstID != tc.firstLeft || int64(s.Len()) != 10-tc.deleted {
			t.Errorf("case %d: first %v len %d", i, s.FirstID, s.Len())
		}
	}
	// A partly trimmed node keeps its tombstones: the first edge with
	// tombstones is what an approximate MINID is rewritten to.
	s := newSeq(10, 3)
	s.Trim(TrimArgs{Strategy: TrimMinID, MinID: StreamID{6, 0}})
	if s.Edge(true, true) != (StreamID{4, 1}) || s.Edge(true, false) != (StreamID{6, 1}) {
		t.Fatalf("edges %v %v", s.Edge(true, true), s.Edge(true, false))
	}
	if NewStream().Edge(true, true) != MaxStreamID || NewStream().LastValidID() != (StreamID{}) {
		t.Fatal("empty stream edges")
	}
}

func TestStreamCounters(t *testing.T) {
	s := newSeq(4, 100)
	if s.EstimateEntriesRead(StreamID{4, 1}) != 4 || s.EstimateEntriesRead(StreamID{0, 5}) != 0 ||
		s.EstimateEntriesRead(StreamID{1, 1}) != 1 || s.EstimateEntriesRead(StreamID{9, 0}) != -1 ||
		s.EstimateEntriesRead(StreamID{2, 1}) != -1 {
		t.Fatal("estimates on an intact stream")
	}
	s.DeleteIDs([]StreamID{{1, 1}})
	if s.MaxDeletedID != (StreamID{1, 1}) || s.FirstID != (StreamID{2, 1}) {
		t.Fatalf("after XDEL: maxdel %v first %v", s.MaxDeletedID, s.FirstID)
	}
	// The only deletion lies before the first entry: no hole anywhere.
	if s.RangeHasTombstones(nil, nil) || s.EstimateEntriesRead(StreamID{2, 1}) != 2 {
		t.Fatal("deletion before the first entry counted as a hole")
	}
	s.DeleteIDs([]StreamID{{3, 1}})
	if !s.RangeHasTombstones(nil, nil) || s.RangeHasTombstones(&StreamID{3, 2}, nil) ||
		!s.RangeHasTombstones(&StreamID{3, 1}, nil) || s.EstimateEntriesRead(StreamID{2, 1}) != -1 {
		t.Fatal("hole at 3-1 not seen")
	}
	s.DeleteIDs([]StreamID{{2, 1}, {4, 1}})
	if s.Len() != 0 || s.FirstID != (StreamID{}) || s.NodeCount() != 0 {
		t.Fatal("emptied stream keeps nodes")
	}
	if s.EstimateEntriesRead(StreamID{1, 0}) != 4 || s.EntriesAdded != 4 {
		t.Fatal("empty stream estimate")
	}
	if id, ok := s.NextID(0); !ok || id != (StreamID{4, 2}) {
		t.Fatalf("NextID with a stale clock: %v", id)
	}
	if id, _ := s.NextID(100); id != (StreamID{100, 0}) {
		t.Fatalf("NextID: %v", id)
	}
}

func TestIDTreeAgainstMap(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	var tr IDTree[int]
	model := map[StreamID]int{}
	for step := 0; step < 20000; step++ {
		id := StreamID{uint64(r.Intn(300)), uint64(r.Intn(5))}
		switch r.Intn(3) {
		case 0, 1:
			_, had := model[id]
			if tr.Set(id, step) == had {
				t.Fatalf("step %d: Set(%v) new=%v", step, id, !had)
			}
			model[id] = step
		case 2:
			_, had := model[id]
			if tr.Delete(id) != had {
				t.Fatalf("step %d: Delete(%v)", step, id)
			}
			delete(model, id)
		}
		if tr.Len() != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, tr.Len(), len(model))
		}
		if step%500 != 0 {
			continue
		}
		keys := make([]StreamID, 0, len(model))
		for k := range model {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].Less(keys[j]) })
		from := StreamID{uint64(r.Intn(300)), 0}
		i := sort.Search(len(keys), func(i int) bool { return !keys[i].Less(from) })
		tr.Ascend(from, func(id StreamID, v int) bool {
			if i >= len(keys) || keys[i] != id || model[id] != v {
				t.Fatalf("step %d: Ascend gave %v", step, id)
			}
			i++
			return true
		})
		if i != len(keys) {
			t.Fatalf("step %d: Ascend stopped early", step)
		}
		if len(keys) > 0 {
			if f, _, _ := tr.First(); f != keys[0] || tr.Last() != keys[len(keys)-1] {
				t.Fatalf("step %d: First/Last", step)
			}
		}
		for _, k := range keys[:min(len(keys), 20)] {
			if v, ok := tr.Get(k); !ok || v != model[k] {
				t.Fatalf("step %d: Get(%v)", step, k)
			}
		}
	}
}

func TestStreamGroupsAndClone(t *testing.T) {
	s := newSeq(5, 2)
	g := s.CreateGroup("g", StreamID{}, 0)
	if g == nil || s.CreateGroup("g", StreamID{}, 0) != nil {
		t.Fatal("CreateGroup")
	}
	s.CreateGroup("a", StreamID{}, -1)
	if names := s.Groups(); len(names) != 2 || names[0].Name != "a" {
		t.Fatal("groups not in name order")
	}
	alice := g.CreateConsumer("alice", 10)
	bob := g.CreateConsumer("bob", 20)
	if g.CreateConsumer("bob", 30) != nil {
		t.Fatal("duplicate consumer")
	}
	for i := 1; i <= 4; i++ {
		n := g.Assign(StreamID{uint64(i), 1}, alice)
		n.DeliveryTime = int64(100 + i)
	}
	g.Assign(StreamID{2, 1}, bob)
	if alice.PEL.Len() != 3 || bob.PEL.Len() != 1 || g.PEL.Len() != 4 {
		t.Fatal("Assign did not move ownership")
	}
	c := s.Clone().(*Stream)
	if !g.Ack(StreamID{1, 1}) || g.Ack(StreamID{1, 1}) || alice.PEL.Len() != 2 {
		t.Fatal("Ack")
	}
	if g.DeleteConsumer(alice) != 2 || g.PEL.Len() != 1 || g.NumConsumers() != 1 {
		t.Fatal("DeleteConsumer")
	}
	s.DeleteIDs([]StreamID{{3, 1}})
	// The copy is untouched and its records point at its own consumers.
	cg := c.Group("g")
	ca := cg.Consumer("alice")
	if c.Len() != 5 || cg.PEL.Len() != 4 || ca.PEL.Len() != 3 || ca.SeenTime != 10 {
		t.Fatal("clone shares state with the original")
	}
	n, _ := cg.PEL.Get(StreamID{2, 1})
	if n.Consumer != cg.Consumer("bob") || n.Consumer == bob {
		t.Fatal("clone NACK owner")
	}
	if !s.DestroyGroup("g") || s.DestroyGroup("g") || s.NumGroups() != 1 {
		t.Fatal("DestroyGroup")
	}
}

func TestStreamSnapshotAccessors(t *testing.T) {
	s := newSeq(5, 2)
	s.DeleteIDs([]StreamID{{2, 1}})
	r := NewStream()
	s.Nodes(func(master StreamID, ids []StreamID, deleted []bool, entries []Entry) {
		fvs := make([][][]byte, len(entries))
		for i, e := range entries {
			it := e.Pairs()
			for {
				f, v, ok := it.Next()
				if !ok {
					break
				}
				fvs[i] = append(fvs[i], f, v)
			}
		}
		r.RestoreNode(master, ids, deleted, fvs)
	})
	r.SetLength(uint64(s.Len()))
	if strings.Join(collect(r, StreamID{}, MaxStreamID, false), "|") != strings.Join(collect(s, StreamID{}, MaxStreamID, false), "|") ||
		r.NodeCount() != s.NodeCount() || r.Len() != 4 {
		t.Fatal("restored stream differs")
	}
	if ListpackIntSize(127) != 2 || ListpackIntSize(-1) != 3 || ListpackEntrySize([]byte("12")) != 2 || ListpackEntrySize([]byte("012")) != 5 {
		t.Fatal("listpack sizes")
	}
}
