package blackbox

import (
	"strconv"
	"testing"

	"redoubt/internal/testutil"
)

// A Redoubt replica of a real master loads the full sync in every
// repl-diskless-load mode and both transfer forms, over a dataset of its
// own (replaced) or none, and then follows the stream.
func TestRedoubtReplicaDisklessLoadModes(t *testing.T) {
	for _, disk := range []string{"yes", "no"} {
		m := testutil.StartRedis(t, "--enable-debug-command", "yes", "--repl-diskless-sync", disk,
			"--repl-diskless-sync-delay", "0")
		mc := testutil.Dial(t, m.Addr)
		mixedWrites(mc, 0)
		for _, mode := range []string{"disabled", "on-empty-db", "swapdb"} {
			for _, ownData := range []bool{false, true} {
				name := "diskless-sync=" + disk + " " + mode
				r := testutil.StartRedoubt(t, "--enable-debug-command", "yes", "--repl-diskless-load", mode)
				rc := testutil.Dial(t, r.Addr)
				if ownData {
					name += " over data"
					rc.Do("SET", "mine", "x")
				}
				rc.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(m.Port))
				waitSynced(t, mc, rc)
				if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
					t.Fatalf("%s: digest after full sync: master %q replica %q", name, md, rd)
				}
				mixedWrites(mc, 1)
				waitSynced(t, mc, rc)
				if md, rd := mc.Do("DEBUG", "DIGEST"), rc.Do("DEBUG", "DIGEST"); md != rd {
					t.Fatalf("%s: digest after the stream: master %q replica %q", name, md, rd)
				}
				rc.Close()
			}
		}
	}
}
