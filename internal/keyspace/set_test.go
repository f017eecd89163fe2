package keyspace

import (
	"fmt"
	"slices"
	"sort"
	"testing"
)

func setMembers(s *Set) []string {
	var out []string
	s.Range(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	return out
}

func TestSetIntsetSortedAndCanonical(t *testing.T) {
	s := NewSet()
	for _, m := range []string{"5", "-3", "10", "5", "0"} {
		s.Add([]byte(m), 512)
	}
	if s.Encoding() != "intset" || s.Len() != 4 {
		t.Fatalf("enc %s len %d", s.Encoding(), s.Len())
	}
	if got := fmt.Sprint(setMembers(s)); got != "[-3 0 5 10]" {
		t.Fatalf("members %s", got)
	}
	// Non-canonical spellings are different strings, not the integer.
	for _, m := range []string{"05", "+5", " 5", "5.0", "-0"} {
		if s.Has([]byte(m)) {
			t.Errorf("Has(%q) on intset", m)
		}
	}
	if !s.Has([]byte("-3")) || !s.HasInt(10) || s.HasInt(11) {
		t.Fatal("membership")
	}
	if !s.Remove([]byte("0")) || s.Remove([]byte("0")) || s.Remove([]byte("abc")) {
		t.Fatal("remove")
	}
}

func TestSetConversions(t *testing.T) {
	cases := []struct {
		members []string
		max     int
		want    string
	}{
		{[]string{"1", "2", "3"}, 3, "intset"},
		{[]string{"1", "2", "3", "4"}, 3, "hashtable"},
		{[]string{"1", "a"}, 512, "hashtable"},
		{[]string{"01"}, 512, "hashtable"},
		{[]string{"9223372036854775808"}, 512, "hashtable"},
		{[]string{"-9223372036854775808"}, 512, "intset"},
		{[]string{"1"}, 0, "hashtable"},
	}
	for _, tc := range cases {
		s := NewSet()
		for _, m := range tc.members {
			s.Add([]byte(m), tc.max)
		}
		if s.Encoding() != tc.want {
			t.Errorf("%v max %d: %s, want %s", tc.members, tc.max, s.Encoding(), tc.want)
		}
		got := setMembers(s)
		sort.Strings(got)
		want := slices.Clone(tc.members)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%v: members %v", tc.members, got)
		}
	}
	if NewSetFor([]byte("x")).Encoding() != "hashtable" || NewSetFor([]byte("7")).Encoding() != "intset" {
		t.Fatal("NewSetFor")
	}
	// Removing the string does not bring the intset back.
	s := NewSet()
	s.Add([]byte("1"), 512)
	s.Add([]byte("a"), 512)
	s.Remove([]byte("a"))
	if s.Encoding() != "hashtable" || !s.HasInt(1) || !s.Has([]byte("1")) {
		t.Fatal("table of integers")
	}
	if !s.AddInt(2, 512) || s.AddInt(2, 512) || !s.RemoveInt(2) {
		t.Fatal("AddInt/RemoveInt on a table")
	}
}

func TestSetCloneScanRandom(t *testing.T) {
	for _, n := range []int{10, 2000} {
		s := NewSet()
		for i := 0; i < n; i++ {
			s.Add([]byte(fmt.Sprint(i)), 512)
		}
		c := s.Clone().(*Set)
		s.Remove([]byte("3"))
		if !c.Has([]byte("3")) || c.Len() != n || c.Encoding() != s.Encoding() {
			t.Fatalf("n=%d: clone not independent", n)
		}
		seen := map[string]bool{}
		cur := uint64(0)
		for {
			cur = c.Scan(cur, func(m []byte) { seen[string(m)] = true })
			if cur == 0 {
				break
			}
		}
		if len(seen) != n {
			t.Fatalf("n=%d: scan saw %d", n, len(seen))
		}
		for i := 0; i < 20; i++ {
			if m := c.Random(nil); !c.Has(m) {
				t.Fatalf("random member %s not in set", m)
			}
		}
	}
}
