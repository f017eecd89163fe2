package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"redoubt/internal/config"
	"redoubt/internal/keyspace"
	"redoubt/rdb"
)

// loadState remembers what the startup load found.
type loadState struct {
	keysLoaded, keysExpired int64
	// protectPath is the file that held functions or module data we could
	// not keep: saving over it would lose them, so saves to it are refused
	// until dir or dbfilename is changed (CONFIG SET / config file).
	protectPath string
}

// rdbLimits hands the loader our encoding thresholds.
type rdbLimits struct{ s *Server }

func (l rdbLimits) Limits() rdb.Limits {
	st := l.s.set
	return rdb.Limits{
		HashMaxListpackEntries: st.HashMaxListpackEntries, HashMaxListpackValue: st.HashMaxListpackValue,
		SetMaxIntsetEntries:    st.SetMaxIntsetEntries,
		ZSetMaxListpackEntries: st.ZSetMaxListpackEntries, ZSetMaxListpackValue: st.ZSetMaxListpackValue,
		StreamNodeMaxBytes: st.StreamNodeMaxBytes, StreamNodeMaxEntries: st.StreamNodeMaxEntries,
	}
}

// rdbSink adds each loaded key to the keyspace.
type rdbSink struct {
	rdbLimits
	nowMs           int64
	replica         bool
	loaded, expired int64
}

// Key stores one key. A key whose expiry has passed is dropped on a
// master but kept on a replica: the master will expire it and tell us.
func (k *rdbSink) Key(e *rdb.Entry) error {
	s := k.s
	if e.DB < 0 || e.DB >= len(s.ks.DBs) {
		return fmt.Errorf("key %q is in database %d; this server has %d (raise 'databases')", e.Key, e.DB, len(s.ks.DBs))
	}
	if e.ExpireMs >= 0 && e.ExpireMs < k.nowMs && !k.replica {
		k.expired++
		return nil
	}
	db := s.ks.DBs[e.DB]
	if db.Peek(e.Key) != nil {
		return fmt.Errorf("duplicate key %q in database %d", e.Key, e.DB)
	}
	o := db.Add(e.Key, e.Obj)
	if e.ExpireMs >= 0 {
		db.SetExpire(e.Key, e.ExpireMs)
	}
	// The file's idle time or LFU counter replaces the fresh access
	// stamp, under whichever policy is active now.
	if s.ks.Evict.LFU && e.Freq >= 0 {
		o.LRU = o.LRU&^0xff | uint32(e.Freq&0xff)
	} else if !s.ks.Evict.LFU && e.Idle >= 0 {
		o.LRU = (keyspace.LRUClock(k.nowMs) - uint32(e.Idle) + 1<<24) & (1<<24 - 1)
	}
	k.loaded++
	return nil
}

// rdbPath is dir/dbfilename.
func (s *Server) rdbPath() string {
	return filepath.Join(s.cfg.String("dir"), s.cfg.String("dbfilename"))
}

// LoadAtStartup loads dir/dbfilename when it exists, before clients are
// accepted. A file that does not load is an error naming the file, the
// byte offset and the reason; the file itself is never modified.
func (s *Server) LoadAtStartup() error {
	path := s.rdbPath()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB %s: %v. Exiting.", path, err)
	}
	defer f.Close()
	start := time.Now()
	s.mu.Lock()
	info, sink, err := s.loadRDBLocked(f)
	if err == nil {
		s.replicaResume(info)
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("Short read or corrupt RDB file %s: %v. Refusing to start (the file was left untouched); check it with 'redoubt check-rdb %s'.", path, err, path)
	}
	s.log.Info(fmt.Sprintf("Loading RDB produced by version %s", auxOr(&info, "redis-ver", "unknown")))
	if v, ok := info.AuxValue("ctime"); ok {
		var ct int64
		fmt.Sscan(v, &ct)
		s.log.Info(fmt.Sprintf("RDB age %d seconds", time.Now().Unix()-ct))
	}
	if v, ok := info.AuxValue("used-mem"); ok {
		var um int64
		fmt.Sscan(v, &um)
		s.log.Info(fmt.Sprintf("RDB memory usage when created %.2f Mb", float64(um)/(1024*1024)))
	}
	s.noteUnrunnable(&info, path)
	// Decoding leaves a lot of garbage behind; hand it back to the OS now
	// rather than carry it in RSS until the collector gets to it.
	debug.FreeOSMemory()
	s.log.Info(fmt.Sprintf("Done loading RDB, keys loaded: %d, keys expired: %d.", sink.loaded, sink.expired))
	s.log.Info(fmt.Sprintf("DB loaded from disk: %.3f seconds", time.Since(start).Seconds()))
	return nil
}

// loadRDBLocked loads a payload into the (empty) keyspace; s.mu held.
func (s *Server) loadRDBLocked(r io.Reader) (rdb.Info, *rdbSink, error) {
	_, _, replica := s.cfg.ReplicaOf()
	sink := &rdbSink{rdbLimits: rdbLimits{s}, nowMs: time.Now().UnixMilli(), replica: replica}
	s.ks.Loading = true
	info, err := rdb.Load(r, sink)
	s.ks.Loading = false
	if err != nil {
		for _, db := range s.ks.DBs {
			db.Flush()
		}
		return info, sink, err
	}
	s.persistLoad.keysLoaded, s.persistLoad.keysExpired = sink.loaded, sink.expired
	return info, sink, nil
}

// noteUnrunnable logs, in one line, data the file held that we cannot
// run (function libraries, module values), and protects the file from
// being overwritten by a save that would drop it.
func (s *Server) noteUnrunnable(info *rdb.Info, path string) {
	if !info.HasUnrunnable() {
		return
	}
	s.log.Warn(fmt.Sprintf("RDB %s holds data Redoubt cannot run and does not keep: %d function payload(s), %d module value(s), %d module aux record(s) (module types %v). Saves to this file are refused until 'dir' or 'dbfilename' changes.",
		path, len(info.Functions), info.ModuleValues, info.ModuleAux, info.ModuleTypes))
	s.persistLoad.protectPath = path
	lift := func(*config.Config) { s.persistLoad.protectPath = "" }
	s.cfg.OnChange("dir", lift)
	s.cfg.OnChange("dbfilename", lift)
}

// SaveRefused is for the save path: a non-nil error when writing to
// path would lose functions or module data loaded from it.
func (s *Server) SaveRefused(path string) error {
	if p := s.persistLoad.protectPath; p != "" && p == path {
		return fmt.Errorf("refusing to overwrite %s: it holds functions or module data this server cannot keep; CONFIG SET dbfilename (or dir) to save elsewhere", p)
	}
	return nil
}

func auxOr(info *rdb.Info, key, def string) string {
	if v, ok := info.AuxValue(key); ok {
		return v
	}
	return def
}
