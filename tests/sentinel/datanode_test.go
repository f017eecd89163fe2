package sentinel

import (
	"fmt"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Sentinels PUBLISH their hello to every replica every two seconds. A
// replica executes such a PUBLISH for its own subscribers but must not add
// it to its own replication stream: its offset and backlog hold exactly
// its master's stream, or after a promotion its siblings' partial resync
// lands in the middle of a command. Checked on Redoubt and real data
// nodes side by side.
func TestReplicaOffsetIgnoresPublishFromClients(t *testing.T) {
	t.Parallel()
	for _, impl := range []string{testutil.ImplRedoubt, testutil.ImplRedis} {
		t.Run(impl, func(t *testing.T) {
			start := testutil.StartRedoubt
			if impl == testutil.ImplRedis {
				testutil.RequireBinary(t, "redis-server")
				start = testutil.StartRedis
			}
			m := start(t, "--repl-diskless-sync-delay", "0")
			r := start(t, "--replicaof", "127.0.0.1", fmt.Sprint(m.Port))
			if err := testutil.WaitFor(10*time.Second, func() error { return testutil.ReplicaOf(r.Addr, m.Port) }); err != nil {
				t.Fatal(err)
			}
			if _, err := testutil.Query(m.Addr, "SET", "k", "v"); err != nil {
				t.Fatal(err)
			}
			offsets := func() (string, string, error) {
				mf, err := testutil.Info(m.Addr, "replication")
				if err != nil {
					return "", "", err
				}
				rf, err := testutil.Info(r.Addr, "replication")
				if err != nil {
					return "", "", err
				}
				return mf["master_repl_offset"], rf["master_repl_offset"], nil
			}
			if err := testutil.WaitFor(5*time.Second, func() error {
				mo, ro, err := offsets()
				if err == nil && mo != ro {
					err = fmt.Errorf("replica offset %s, master %s", ro, mo)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			hello := "127.0.0.1,26379,0123456789012345678901234567890123456789,0,mymaster,127.0.0.1,6379,0"
			if _, err := testutil.Query(r.Addr, "PUBLISH", "__sentinel__:hello", hello); err != nil {
				t.Fatal(err)
			}
			mo, ro, err := offsets()
			if err != nil {
				t.Fatal(err)
			}
			if mo != ro {
				t.Fatalf("after a PUBLISH on the replica: replica master_repl_offset %s, master %s; a replica's stream must hold only its master's", ro, mo)
			}
		})
	}
}
