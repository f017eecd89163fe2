// Package diff runs the same command scripts against the real
// redis-server 7.0.15 and Redoubt and compares raw reply bytes.
//
// Script format (scripts/*.txt): one command per line, split with the
// inline-protocol quoting rules; blank lines and '#' lines are ignored.
// Prefixes: "~ " compares the top-level elements of the reply as a
// multiset; "~2 " compares them as a multiset of consecutive pairs;
// "? " compares only the reply's type byte. Directives: "!resp3",
// "!resp2" switch the protocol with HELLO; "!sleep <ms>" pauses.
package diff

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/resp"
	"redoubt/internal/testutil"
)

func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("scripts/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	real := testutil.StartRedis(t, "--enable-debug-command", "yes")
	ours := testutil.StartRedoubt(t, "--enable-debug-command", "yes")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) { runScript(t, f, real.Addr, ours.Addr) })
	}
}

type step struct {
	line int
	mode string
	args []string
	raw  string
}

func parseScript(t *testing.T, path string) []step {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var steps []step
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		st := step{line: n, raw: trimmed}
		for _, p := range []string{"~2 ", "~ ", "? "} {
			if strings.HasPrefix(trimmed, p) {
				st.mode = strings.TrimSpace(p)
				trimmed = trimmed[len(p):]
				break
			}
		}
		if strings.HasPrefix(trimmed, "!") {
			st.mode = "!"
		}
		parts, ok := resp.SplitArgs([]byte(trimmed), nil)
		if !ok {
			t.Fatalf("%s:%d: unbalanced quotes", path, n)
		}
		for _, p := range parts {
			st.args = append(st.args, string(p))
		}
		steps = append(steps, st)
	}
	return steps
}

func runScript(t *testing.T, path, realAddr, oursAddr string) {
	steps := parseScript(t, path)
	rc := testutil.Dial(t, realAddr)
	oc := testutil.Dial(t, oursAddr)
	for _, c := range []*testutil.Conn{rc, oc} {
		c.Do("FLUSHALL")
	}
	for _, st := range steps {
		if st.mode == "!" {
			switch st.args[0] {
			case "!resp3":
				rc.Do("HELLO", "3")
				oc.Do("HELLO", "3")
			case "!resp2":
				rc.Do("HELLO", "2")
				oc.Do("HELLO", "2")
			case "!sleep":
				ms, _ := strconv.Atoi(st.args[1])
				time.Sleep(time.Duration(ms) * time.Millisecond)
			default:
				t.Fatalf("%s:%d: unknown directive %s", path, st.line, st.args[0])
			}
			continue
		}
		want := rc.Do(st.args...)
		got := oc.Do(st.args...)
		if !same(st.mode, want, got) {
			t.Errorf("%s:%d: %s\n  redis:   %q\n  redoubt: %q", filepath.Base(path), st.line, st.raw, want, got)
		}
	}
}

// same compares two raw replies under a comparison mode.
func same(mode, a, b string) bool {
	switch mode {
	case "?":
		return len(a) > 0 && len(b) > 0 && a[0] == b[0]
	case "~", "~2":
		if a == b {
			return true
		}
		ha, ea, ok1 := elements(a)
		hb, eb, ok2 := elements(b)
		if !ok1 || !ok2 || ha != hb || len(ea) != len(eb) {
			return false
		}
		group := 1
		if mode == "~2" {
			group = 2
		}
		return sortedGroups(ea, group) == sortedGroups(eb, group)
	}
	return a == b
}

func sortedGroups(el []string, n int) string {
	var g []string
	for i := 0; i+n <= len(el); i += n {
		g = append(g, strings.Join(el[i:i+n], ""))
	}
	sort.Strings(g)
	return strings.Join(g, "\x00")
}

// elements splits an aggregate reply into its header line and the raw
// bytes of each top-level element.
func elements(s string) (string, []string, bool) {
	i := strings.Index(s, "\r\n")
	if i < 0 || len(s) == 0 || !strings.ContainsRune("*~%>", rune(s[0])) {
		return "", nil, false
	}
	head := s[:i+2]
	rest := s[i+2:]
	var out []string
	for len(rest) > 0 {
		n, ok := valueLen(rest)
		if !ok {
			return "", nil, false
		}
		out = append(out, rest[:n])
		rest = rest[n:]
	}
	return head, out, true
}

// valueLen is the byte length of the first RESP value in s.
func valueLen(s string) (int, bool) {
	i := strings.Index(s, "\r\n")
	if i < 0 {
		return 0, false
	}
	end := i + 2
	body := s[1:i]
	switch s[0] {
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return 0, false
		}
		if n < 0 {
			return end, true
		}
		return end + n + 2, end+n+2 <= len(s)
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return 0, false
		}
		if s[0] == '%' || s[0] == '|' {
			n *= 2
		}
		pos := end
		for k := 0; k < n; k++ {
			m, ok := valueLen(s[pos:])
			if !ok {
				return 0, false
			}
			pos += m
		}
		return pos, true
	}
	return end, true
}
