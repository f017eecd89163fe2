package config

import "testing"

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, str string
		nocase   bool
		want     bool
	}{
		{"*", "", true, false}, // Redis needs a non-empty string for a star
		{"*", "anything", true, true},
		{"", "", true, true},
		{"", "a", true, false},
		{"a", "", true, false},
		{"port", "port", true, true},
		{"PORT", "port", true, true},
		{"PORT", "port", false, false},
		{"p*", "port", true, true},
		{"p*", "proto-max-bulk-len", true, true},
		{"*t", "port", true, true},
		{"*or*", "port", true, true},
		{"p**t", "port", true, true},
		{"p*x", "port", true, false},
		{"h?", "hz", true, true},
		{"hz?", "hz", true, false},
		{"h?z", "hz", true, false},
		{"maxmemory-polic[x-z]", "maxmemory-policy", true, true},
		{"maxmemory-polic[z-x]", "maxmemory-policy", true, true},
		{"maxmemory-polic[^x]", "maxmemory-policy", true, true},
		{"maxmemory-polic[^y]", "maxmemory-policy", true, false},
		{"[A-Z]z", "hz", true, true},
		{"[A-Z]z", "hz", false, false},
		{"[abc]", "b", true, true},
		{"[abc]", "d", true, false},
		{`[\]]`, "]", true, true},
		{`[\-]`, "-", true, true},
		{`[a\]`, "]", true, true}, // the escaped ] is a member, the class is unterminated
		{"sav[e", "save", true, true},
		{"sav[", "save", true, false},
		{"sav[^", "save", true, true},
		{`sav\e`, "save", true, true},
		{`sav\*`, "save", true, false},
		{`sav\*`, "sav*", true, true},
		{`sav\`, "sav\\", true, true},
		{"*slave*", "cluster-slave-no-failover", true, true},
		{"a*b*c*d", "aXbXcXd", true, true},
		{"a*b*c*d", "aXbXcXe", true, false},
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true, false},
	}
	for _, tt := range tests {
		if got := GlobMatch(tt.pat, tt.str, tt.nocase); got != tt.want {
			t.Errorf("GlobMatch(%q, %q, %v) = %v, want %v", tt.pat, tt.str, tt.nocase, got, tt.want)
		}
	}
}

func TestGlobMatchDoesNotPanic(t *testing.T) {
	pats := []string{"[", "[^", "\\", "[\\", "[a-", "[a-]", "*[", "?*[^\\", "[]", "[]]"}
	for _, p := range pats {
		for _, s := range []string{"", "a", "]", "-", "ab", "\\"} {
			GlobMatch(p, s, true)
			GlobMatch(p, s, false)
		}
	}
}
