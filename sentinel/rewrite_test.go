package sentinel

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

const roundTripConf = `# my sentinel
port 26400
bind 127.0.0.1
daemonize no
sentinel myid 1111111111111111111111111111111111111111

# the masters
sentinel monitor alpha 127.0.0.1 6379 2
sentinel down-after-milliseconds alpha 1000
sentinel failover-timeout alpha 5000
sentinel known-slave alpha 127.0.0.1 6380
sentinel monitor beta 127.0.0.1 7379 1
sentinel parallel-syncs beta 2
sentinel auth-pass beta "two words"
sentinel rename-command beta config cfg
sentinel known-sentinel beta 127.0.0.1 26401 2222222222222222222222222222222222222222
sentinel config-epoch beta 4
raft-peers a=127.0.0.1:36400
`

func TestRewriteRoundTripsAndKeepsLinesInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	os.WriteFile(path, []byte("dir "+dir+"\n"+roundTripConf), 0o644)
	c, err := ParseConfig([]string{path, "--sentinel", "announce-ip", "10.0.0.9"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.rewriteFile(c.seedSnapshot()); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	// Every operator line that still holds keeps its place; known-slave is
	// rewritten in place as known-replica; new lines follow the marker.
	wantPrefix := `dir "` + dir + `"
# my sentinel
port 26400
bind 127.0.0.1
daemonize no
sentinel myid 1111111111111111111111111111111111111111

# the masters
sentinel monitor alpha 127.0.0.1 6379 2
sentinel down-after-milliseconds alpha 1000
sentinel failover-timeout alpha 5000
sentinel known-replica alpha 127.0.0.1 6380
sentinel monitor beta 127.0.0.1 7379 1
sentinel parallel-syncs beta 2
sentinel auth-pass beta "two words"
sentinel rename-command beta config cfg
sentinel known-sentinel beta 127.0.0.1 26401 2222222222222222222222222222222222222222
sentinel config-epoch beta 4
raft-peers a=127.0.0.1:36400

` + rewriteMarker + "\n"
	if !strings.HasPrefix(string(first), wantPrefix) {
		t.Fatalf("rewritten file:\n%s\nwant prefix:\n%s", first, wantPrefix)
	}
	for _, l := range []string{"protected-mode no", "user default on nopass ~* &* +@all", "sentinel config-epoch alpha 0",
		"sentinel leader-epoch alpha 0", "sentinel leader-epoch beta 0", "sentinel current-epoch 4", "sentinel announce-ip 10.0.0.9"} {
		if !strings.Contains(string(first), "\n"+l+"\n") {
			t.Errorf("missing %q in\n%s", l, first)
		}
	}
	again, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatalf("rewritten file does not load: %v\n%s", err, first)
	}
	if !reflect.DeepEqual(again.Seed, c.Seed) || again.MyID != c.MyID || again.CurrentEpoch != c.CurrentEpoch ||
		!reflect.DeepEqual(again.KnownSentinels, c.KnownSentinels) || !reflect.DeepEqual(again.RaftPeers, c.RaftPeers) ||
		again.AnnounceIP() != "10.0.0.9" || again.Port != 26400 {
		t.Fatalf("round trip changed the config:\n%+v\n%+v", again.Seed, c.Seed)
	}
	// Rewriting again changes nothing but the final empty line Redis
	// also leaves (the file's trailing newline read as one more line,
	// squeezed with the others into one).
	again.rewriteFile(again.seedSnapshot())
	second, _ := os.ReadFile(path)
	again.rewriteFile(again.seedSnapshot())
	third, _ := os.ReadFile(path)
	if string(second) != string(first)+"\n" || string(third) != string(second) {
		t.Fatalf("not stable:\n%q\n---\n%q\n---\n%q", first, second, third)
	}
}

func TestRewriteAfterSwitchUpdatesTheSameLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	os.WriteFile(path, []byte("dir "+dir+"\n"+roundTripConf), 0o644)
	c, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	c.rewriteFile(c.seedSnapshot())
	c.rewriteFile(c.seedSnapshot())
	before, _ := os.ReadFile(path)
	// alpha failed over to its replica: new address, epochs, replica set.
	snap := c.seedSnapshot()
	a := *snap.masters[0]
	a.Addr, a.Replicas, a.ConfigEpoch, a.LeaderEpoch = Addr{"127.0.0.1", 6380}, []Addr{{"127.0.0.1", 6379}}, 5, 5
	snap.masters = []*Master{snap.masters[1], &a} // order of the state does not matter
	snap.currentEpoch = 5
	if err := c.rewriteFile(snap); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	b, aft := strings.Split(string(before), "\n"), strings.Split(string(after), "\n")
	if len(b) != len(aft) {
		t.Fatalf("line count changed:\n%s\n---\n%s", before, after)
	}
	var diff []string
	for i := range b {
		if b[i] != aft[i] {
			diff = append(diff, aft[i])
		}
	}
	want := []string{"sentinel monitor alpha 127.0.0.1 6380 2", "sentinel known-replica alpha 127.0.0.1 6379",
		"sentinel config-epoch alpha 5", "sentinel leader-epoch alpha 5", "sentinel current-epoch 5"}
	if !reflect.DeepEqual(diff, want) {
		t.Fatalf("changed lines %q, want %q\n%s", diff, want, after)
	}
}

func TestRewriteDropsLinesOfRemovedMastersAndDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	os.WriteFile(path, []byte("dir "+dir+"\n"+roundTripConf), 0o644)
	c, _ := ParseConfig([]string{path})
	snap := c.seedSnapshot()
	a := *snap.masters[0]
	a.DownAfterMs = defaultDownAfterMs
	snap.masters = []*Master{&a} // beta removed
	if err := c.rewriteFile(snap); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, gone := range []string{"beta", "down-after-milliseconds"} {
		if strings.Contains(string(data), gone) {
			t.Fatalf("%q still in\n%s", gone, data)
		}
	}
	if _, err := ParseConfig([]string{path}); err != nil {
		t.Fatal(err)
	}
}

func TestRewriteOfADirectoryFailsLikeRedis(t *testing.T) {
	dir := t.TempDir()
	c, err := ParseConfig([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	// Redis reads a directory as an empty file, then cannot save into it.
	if len(c.Warnings) != 1 || c.Warnings[0] != "WARNING: Sentinel was not able to save the new configuration on disk!!!: Is a directory" {
		t.Fatalf("warnings %q", c.Warnings)
	}
	err = c.rewriteFile(c.seedSnapshot())
	if err == nil || strerror(err) != "Is a directory" {
		t.Fatalf("rewrite of a directory: %v", err)
	}
	if st, _ := os.Stat(dir); !st.IsDir() {
		t.Fatal("directory replaced")
	}
}

func TestRewriteIsAtomicAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	os.WriteFile(path, []byte("sentinel monitor m 127.0.0.1 6379 1\n"), 0o600)
	c, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %v", ents)
	}
	var st syscall.Stat_t
	syscall.Stat(path, &st)
	if st.Mode&0o777 != 0o644 {
		t.Fatalf("mode %o", st.Mode&0o777)
	}
	if _, err := ParseConfig([]string{path}); err != nil || c.MyID == "" {
		t.Fatal(err)
	}
}

func TestFlushConfigWritesTheReplicatedState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	os.WriteFile(path, []byte("dir "+dir+"\nsentinel monitor alpha 127.0.0.1 6379 2\n"), 0o644)
	cfg, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	s := newSentinel(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), RealClock)
	// Before the state is seeded, the file's own masters stand.
	if err := s.flushConfig(); err != nil {
		t.Fatal(err)
	}
	if c, err := ParseConfig([]string{path}); err != nil || len(c.Seed) != 1 || c.MyID != s.myID {
		t.Fatalf("unseeded flush: %v %+v", err, c)
	}
	peer := strings.Repeat("b", 40)
	for _, cmd := range []Command{
		{Op: OpSeed, Masters: cfg.Seed},
		{Op: OpMember, Member: &Member{ID: s.myID, IP: "127.0.0.1", Port: 26379, RaftID: "a", RaftAddr: "127.0.0.1:36379"}},
		{Op: OpMember, Member: &Member{ID: peer, IP: "127.0.0.1", Port: 26380, RaftID: "b", RaftAddr: "127.0.0.1:36380"}},
		{Op: OpMonitor, Name: "beta", IP: "127.0.0.1", Port: 7000, Quorum: 1},
		{Op: OpReplica, Name: "alpha", IP: "127.0.0.1", Port: 6380},
	} {
		cmd.NowMs = 1
		if res := s.fsm.applyCommand(cmd, true); res.Err != "" {
			t.Fatalf("%s: %s", cmd.Op, res.Err)
		}
	}
	if err := s.flushConfig(); err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Seed) != 2 || c.Seed[0].Name != "alpha" || c.Seed[1].Name != "beta" || c.Seed[1].Addr.Port != 7000 ||
		len(c.Seed[0].Replicas) != 1 || c.Seed[0].Replicas[0].Port != 6380 {
		t.Fatalf("masters %+v", c.Seed)
	}
	for _, name := range []string{"alpha", "beta"} {
		if ks := c.KnownSentinels[name]; len(ks) != 1 || ks[0].ID != peer || ks[0].Port != 26380 {
			t.Fatalf("known sentinels of %s: %+v", name, ks)
		}
	}
}
