package server

import (
	"os"
	"path/filepath"
	"redoubt/internal/testutil"
	"strings"
	"testing"

	"redoubt/internal/config"
)

func fixtureServer(t *testing.T, fixture string, extra ...string) (*Server, error) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), fixture))
	if err != nil {
		t.Skip("fixtures not available")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dump.rdb"), raw, 0o644)
	cfg := config.New()
	cfg.SetChdir(false)
	if err := cfg.LoadArgs(append([]string{"--dir", dir}, extra...)); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s, s.LoadAtStartup()
}

// Keys already expired at load time are dropped on a master and kept on
// a replica (the master expires them and propagates the DEL).
func TestLoadDropsExpiredKeysOnMasterKeepsOnReplica(t *testing.T) {
	s, err := fixtureServer(t, "expiry.rdb")
	if err != nil {
		t.Fatal(err)
	}
	if n := s.ks.DBs[0].Len(); n != 37 || s.persistLoad.keysExpired != 12 {
		t.Fatalf("master: %d keys, %d expired; want 37, 12", n, s.persistLoad.keysExpired)
	}
	r, err := fixtureServer(t, "expiry.rdb", "--replicaof", "127.0.0.1", "1")
	if err != nil {
		t.Fatal(err)
	}
	if n := r.ks.DBs[0].Len(); n != 49 {
		t.Fatalf("replica: %d keys, want 49", n)
	}
}

// A corrupt file is an error naming the file and the offset, and loads
// nothing.
func TestLoadRefusesCorruptFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RDBFixtures(t), "multi-db.rdb"))
	if err != nil {
		t.Skip("fixtures not available")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.rdb")
	os.WriteFile(path, raw[:700], 0o644)
	cfg := config.New()
	cfg.SetChdir(false)
	cfg.LoadArgs([]string{"--dir", dir})
	s, _ := New(Options{Config: cfg})
	err = s.LoadAtStartup()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "at byte offset") {
		t.Fatalf("err = %v", err)
	}
	for _, db := range s.ks.DBs {
		if db.Len() != 0 {
			t.Fatal("keys left after a failed load")
		}
	}
}
