package glob

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMatchTable(t *testing.T) {
	cases := []struct {
		pat, s string
		nocase bool
		want   bool
	}{
		{"*", "anything", false, true},
		{"*", "", false, false}, // an empty subject only matches an empty pattern
		{"", "", false, true},
		{"", "a", false, false},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "hllo", false, true},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hbllo", false, true}, // reversed range
		{"h[a-b]llo", "hcllo", false, false},
		{"[\\]]", "]", false, true},
		{"[\\-]", "-", false, true},
		{"[a-]", "]", false, true}, // "a-]" is the range ]..a; the class never closes
		{"[a-]", "^", false, true},
		{"[a-]", "b", false, false},
		{"[a-]]", "a", false, true},
		{"[]", "]", false, false},
		{"[", "a", false, false},
		{"[^", "a", false, true}, // unterminated negated empty class
		{"[abc", "b", false, true},
		{"[abc", "d", false, false},
		{"\\*", "*", false, true},
		{"\\*", "a", false, false},
		{"a\\", "a\\", false, true}, // trailing backslash is literal
		{"\\", "\\", false, true},
		{"[\\", "\\", false, true},
		{"a*", "a", false, true},
		{"a**", "a", false, true},
		{"a*b*", "ab", false, true},
		{"a*[", "a", false, false},
		{"*a*b", "xaxb", false, true},
		{"*a*b", "xaxbx", false, false},
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"[A-C]", "b", true, true},
		{"[\\A]", "a", true, false}, // escapes inside a class ignore nocase
		{"[^A]", "a", true, false},
		{"[a-\xff]", "\xff", false, true}, // signed bytes: range -1..'a'
		{"[a-\xff]", "b", false, false},
		{"[a-\xff]", "\x01", false, true},
		{"[\x80-\xff]", "\x90", false, true},
		{"[\x80-a]", "\x90", false, true},
	}
	for _, c := range cases {
		if got := Match([]byte(c.pat), []byte(c.s), c.nocase); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.pat, c.s, c.nocase, got, c.want)
		}
		if got := MatchString(c.pat, c.s, c.nocase); got != c.want {
			t.Errorf("MatchString(%q, %q, %v) = %v, want %v", c.pat, c.s, c.nocase, got, c.want)
		}
	}
}

// TestMatchAgreesWithRedis replays KEYS results recorded from a real
// redis-server 7.0.15 over a set of awkward keys and patterns.
func TestMatchAgreesWithRedis(t *testing.T) {
	raw, err := os.ReadFile("testdata/redis_keys_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Keys  []string
		Cases [][]json.RawMessage
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	keys := make([][]byte, len(data.Keys))
	for i, k := range data.Keys {
		keys[i], _ = hex.DecodeString(k)
	}
	for _, c := range data.Cases {
		var ph string
		var want []int
		if json.Unmarshal(c[0], &ph) != nil || json.Unmarshal(c[1], &want) != nil {
			t.Fatal("bad case")
		}
		pat, _ := hex.DecodeString(ph)
		wantSet := map[int]bool{}
		for _, i := range want {
			wantSet[i] = true
		}
		for i, k := range keys {
			if got := Match(pat, k, false); got != wantSet[i] {
				t.Errorf("Match(%q, %q) = %v, redis says %v", pat, k, got, wantSet[i])
			}
		}
	}
}

// TestNestingLimit pins Redis's recursion bound: a star nested deeper than
// 1000 levels fails the match.
func TestNestingLimit(t *testing.T) {
	for _, c := range []struct {
		n       int
		tok     string
		matched bool
	}{
		{1000, "*a", true}, {1001, "*a", false},
		{1001, "a*", true}, {1002, "a*", false},
	} {
		pat := strings.Repeat(c.tok, c.n)
		s := strings.Repeat("a", c.n)
		if got := MatchString(pat, s, false); got != c.matched {
			t.Errorf("%d x %q: got %v want %v", c.n, c.tok, got, c.matched)
		}
	}
}

// TestNoExponentialBlowup checks that patterns which defeat naive
// backtracking finish quickly.
func TestNoExponentialBlowup(t *testing.T) {
	s := strings.Repeat("a", 5000)
	pats := []string{
		strings.Repeat("a*", 30) + "b",
		strings.Repeat("*a", 1500),
		strings.Repeat("*?", 200) + "b",
		strings.Repeat("*[a]", 100) + "[b]",
	}
	for _, p := range pats {
		start := time.Now()
		if MatchString(p, s, false) {
			t.Errorf("%q unexpectedly matched", p[:20])
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("pattern %q took %v", p[:20], d)
		}
	}
}

func TestMatchAgreesWithReference(t *testing.T) {
	alphabet := []byte("a*?[]^-\\A")
	// Every pattern of up to 4 bytes against every subject of up to 2.
	var pats, subs [][]byte
	var gen func(prefix []byte, n int, out *[][]byte)
	gen = func(prefix []byte, n int, out *[][]byte) {
		*out = append(*out, append([]byte(nil), prefix...))
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix, c), n-1, out)
		}
	}
	gen(nil, 4, &pats)
	gen(nil, 2, &subs)
	for _, p := range pats {
		for _, s := range subs {
			for _, nc := range []bool{false, true} {
				if got, want := Match(p, s, nc), refMatch(p, s, nc); got != want {
					t.Fatalf("Match(%q, %q, %v) = %v, reference %v", p, s, nc, got, want)
				}
			}
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	p := []byte("user:*:session[0-9]")
	s := []byte("user:12345:session7")
	for i := 0; i < b.N; i++ {
		if !Match(p, s, false) {
			b.Fatal("no match")
		}
	}
}

// FuzzMatch checks the matcher against an independent reference (pattern
// compiled to tokens, matched by dynamic programming), and that the byte
// and string forms agree.
func FuzzMatch(f *testing.F) {
	f.Add([]byte("h*llo"), []byte("hello"))
	f.Add([]byte("[a-z]"), []byte("q"))
	f.Add([]byte("\\"), []byte("\\"))
	f.Fuzz(func(t *testing.T, p, s []byte) {
		if bytes.Count(p, []byte("*")) > 900 {
			return
		}
		for _, nc := range []bool{false, true} {
			got := Match(p, s, nc)
			if want := refMatch(p, s, nc); got != want {
				t.Fatalf("Match(%q, %q, %v) = %v, reference %v", p, s, nc, got, want)
			}
			if MatchString(string(p), string(s), nc) != got {
				t.Fatalf("MatchString disagrees on %q %q", p, s)
			}
		}
	})
}
