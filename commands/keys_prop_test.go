package commands

import (
	"fmt"
	"strings"
	"testing"
)

// TestPropagationMatchesRedisCapture replays a session whose replication
// stream was captured from redis-server 7.0.15 (SELECT and PING left out,
// absolute times made relative to the command clock).
func TestPropagationMatchesRedisCapture(t *testing.T) {
	h := newHarness(t)
	const now = 1_700_000_000_000
	h.now = now
	session := `flushall
set k v
expire k 100 nx
expire k 200 gt
pexpire k 300000 lt xx
pexpireat k 99999999999000
expireat k 99999999999 gt
expire k -1
set k v
pexpireat k 1
del nokey
del nokey2 k
set a 1
rename a a
rename a b
copy b c
copy b c
move c 3
swapdb 0 0
swapdb 0 1
swapdb 0 1
flushdb
flushall
set e 1
persist e
expire e 10
persist e`
	want := []string{
		"flushall",
		"set k v",
		fmt.Sprintf("PEXPIREAT k %d nx", now+100_000),
		fmt.Sprintf("PEXPIREAT k %d gt", now+200_000),
		"pexpireat k 99999999999000",
		"DEL k",
		"set k v",
		"DEL k",
		"set a 1",
		"rename a b",
		"copy b c",
		"move c 3",
		"swapdb 0 0",
		"swapdb 0 1",
		"swapdb 0 1",
		"flushdb",
		"flushall",
		"set e 1",
		fmt.Sprintf("PEXPIREAT e %d", now+10_000),
		"persist e",
	}
	for _, line := range strings.Split(session, "\n") {
		h.do(strings.Fields(line)...)
	}
	var got []string
	for _, p := range h.props {
		got = append(got, strings.Join(p, " "))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("propagated:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
