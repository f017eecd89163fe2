package config

import (
	"math"
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string // nil means "unbalanced quotes"
	}{
		{"", []string{}},
		{"   \t ", []string{}},
		{"port 6379", []string{"port", "6379"}},
		{"  a   b\tc  ", []string{"a", "b", "c"}},
		{`save ""`, []string{"save", ""}},
		{`save ''`, []string{"save", ""}},
		{`a "b c" d`, []string{"a", "b c", "d"}},
		{`"\n\r\t\b\a\\\"\q"`, []string{"\n\r\t\b\a\\\"q"}},
		{`"\x41\x7a\x0"`, []string{"Azx0"}},
		{`"\xZZ"`, []string{"xZZ"}},
		{`"\xff"`, []string{"\xff"}},
		{`'it\'s' 'a\b'`, []string{"it's", `a\b`}},
		{`'a"b'`, []string{`a"b`}},
		{`"a'b"`, []string{"a'b"}},
		{`ab"cd ef"`, []string{"abcd ef"}},
		{`ab'cd'`, []string{"abcd"}},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{`"a`, nil},
		{`'a`, nil},
		{`"a\`, nil},
		{`"a"` + "\v" + `b`, []string{"a", "b"}},
		{"a\vb", []string{"a\vb"}},
		{"a\fb c", []string{"a\fb", "c"}},
		{"\v\fx", []string{"x"}},
		{"a\x00b c", []string{"a"}},
		{`"a` + "\x00" + `"`, nil},
		{"x\ny", []string{"x", "y"}},
	}
	for _, tt := range tests {
		got, err := SplitArgs(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("SplitArgs(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestReprRoundTrip(t *testing.T) {
	tests := map[string]string{
		"":             `""`,
		"abc":          `"abc"`,
		`a"b\c`:        `"a\"b\\c"`,
		"\n\r\t\a\b":   `"\n\r\t\a\b"`,
		"\x00\x7f\xff": `"\x00\x7f\xff"`,
		"it's":         `"it's"`,
	}
	for in, want := range tests {
		got := Repr(in)
		if got != want {
			t.Errorf("Repr(%q) = %s, want %s", in, got, want)
		}
		back, err := SplitArgs(got)
		if in == "\x00\x7f\xff" {
			continue // a NUL cannot survive the C-string tokenizer
		}
		if err != nil || len(back) != 1 || back[0] != in {
			t.Errorf("SplitArgs(Repr(%q)) = %q, %v", in, back, err)
		}
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"1", 1, true},
		{"1b", 1, true},
		{"1B", 1, true},
		{"1k", 1000, true},
		{"1K", 1000, true},
		{"1kb", 1024, true},
		{"1KB", 1024, true},
		{"1m", 1000000, true},
		{"1mb", 1 << 20, true},
		{"1g", 1000000000, true},
		{"1gb", 1073741824, true},
		{"1GB", 1073741824, true},
		{"1gB", 1073741824, true},
		{"", 0, true},   // no digits: strtoull gives 0
		{"kb", 0, true}, // same
		{"18446744073709551615", math.MaxUint64, true},
		{"99999999999999999999", math.MaxUint64, true}, // saturates
		{"17179869184gb", 0, true},                     // 2^64 wraps to 0
		{"1x", 0, false},
		{"1tb", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"0x10", 0, false},
		{"1.5mb", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseMemory(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseStrictInt(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1, "-1": -1, "10": 10,
		"9223372036854775807":  math.MaxInt64,
		"-9223372036854775808": math.MinInt64,
	}
	for in, want := range good {
		if got, ok := parseStrictInt(in); !ok || got != want {
			t.Errorf("parseStrictInt(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-", "+1", "007", "-0", " 1", "1 ", "1.0", "1e3",
		"9223372036854775808", "-9223372036854775809", "18446744073709551616", "abc"} {
		if got, ok := parseStrictInt(in); ok {
			t.Errorf("parseStrictInt(%q) = %d, want failure", in, got)
		}
	}
}

func TestCStrtoll(t *testing.T) {
	tests := []struct {
		in   string
		base int
		v    int64
		rest string
	}{
		{"12", 10, 12, ""},
		{" +12x", 10, 12, "x"},
		{"\t-3", 10, -3, ""},
		{"", 10, 0, ""},
		{"x", 10, 0, "x"},
		{" ", 10, 0, " "},
		{"+", 10, 0, "+"},
		{"99999999999999999999", 10, math.MaxInt64, ""},
		{"-99999999999999999999", 10, math.MinInt64, ""},
		{"777", 8, 511, ""},
		{"0777", 8, 511, ""},
		{"8", 8, 0, "8"},
	}
	for _, tt := range tests {
		v, rest, _ := cStrtoll(tt.in, tt.base)
		if v != tt.v || rest != tt.rest {
			t.Errorf("cStrtoll(%q, %d) = %d, %q; want %d, %q", tt.in, tt.base, v, rest, tt.v, tt.rest)
		}
	}
}

func TestCDouble(t *testing.T) {
	good := map[string]string{
		"50": "50", "99.9": "99.9", "1e1": "10", "0x10": "16", "-0": "-0",
		"99.999999": "99.999999", "0.0000001": "0", "33.3333333": "33.333333",
		"+5": "5", ".5": "0.5", "5.": "5", "100": "100", "0": "0",
	}
	for in, want := range good {
		f, ok := parseCDouble(in)
		if !ok {
			t.Errorf("parseCDouble(%q) failed", in)
			continue
		}
		if got := formatCDouble(f); got != want {
			t.Errorf("format(parse(%q)) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"", " 5", "5 ", "nan", "NaN", "abc", "1e", "0x", "1_0", "1e999", "1e-400"} {
		if f, ok := parseCDouble(in); ok {
			t.Errorf("parseCDouble(%q) = %v, want failure", in, f)
		}
	}
}

func TestFormatMemoryForFile(t *testing.T) {
	tests := map[int64]string{
		0: "0", 1: "1", 1000: "1000", 1024: "1kb", 1536 * 1024: "1536kb",
		1 << 20: "1mb", 3 << 30: "3gb", 1<<30 + 1: "1073741825", -1: "-1",
	}
	for in, want := range tests {
		if got := formatMemoryForFile(in); got != want {
			t.Errorf("formatMemoryForFile(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitSpaces(t *testing.T) {
	tests := map[string][]string{
		"":       nil,
		"a":      {"a"},
		"a b":    {"a", "b"},
		"a  b":   {"a", "", "b"},
		"a b ":   {"a", "b", ""},
		" ":      {"", ""},
		"a\tb c": {"a\tb", "c"},
	}
	for in, want := range tests {
		if got := splitSpaces(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}
