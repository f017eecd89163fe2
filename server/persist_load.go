package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
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
	// The loader hands over fresh key strings: the keyspace keeps them.
	o := db.AddLoaded(e.Key, e.Obj, e.ExpireMs)
	if o == nil {
		return fmt.Errorf("duplicate key %q in database %d", e.Key, e.DB)
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

// maxReserve caps how many slots a RESIZEDB hint may reserve up front
// (a corrupt hint must not allocate without bound; tables still grow).
const maxReserve = 1 << 24

// ResizeDB sizes an empty database's tables from the RESIZEDB hint, as
// Redis expands its dicts before loading a database's keys.
func (k *rdbSink) ResizeDB(db int, keys, expires int64) {
	s := k.s
	if db < 0 || db >= len(s.ks.DBs) || s.ks.DBs[db].Len() != 0 {
		return
	}
	s.ks.DBs[db].Reserve(int(min(keys, maxReserve)), int(min(expires, maxReserve)))
}

// loadGCPercent is the collector's GOGC while a load runs.
const loadGCPercent = 400

// loadGC counts the loads running in the process (tests run several
// servers): the first raises GOGC, the last puts the old value back.
var loadGC struct {
	sync.Mutex
	n, old int
}

// raiseGCForLoad raises GOGC to loadGCPercent (unless it is higher or
// off already) and returns the function that undoes it.
func raiseGCForLoad() func() {
	loadGC.Lock()
	defer loadGC.Unlock()
	if loadGC.n == 0 {
		loadGC.old = debug.SetGCPercent(loadGCPercent)
		if loadGC.old < 0 || loadGC.old > loadGCPercent {
			debug.SetGCPercent(loadGC.old)
		}
	}
	loadGC.n++
	return func() {
		loadGC.Lock()
		defer loadGC.Unlock()
		if loadGC.n--; loadGC.n == 0 {
			debug.SetGCPercent(loadGC.old)
		}
	}
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
	s.log.Info(fmt.Sprintf("Done loading RDB, keys loaded: %d, keys expired: %d.", sink.loaded, sink.expired))
	s.log.Info(fmt.Sprintf("DB loaded from disk: %.3f seconds", time.Since(start).Seconds()))
	// Decoding leaves a lot of garbage behind: hand it back to the OS
	// rather than carry it in RSS until the collector gets to it, in the
	// background so that serving does not wait for a full collection.
	go debug.FreeOSMemory()
	return nil
}

// loadRDBLocked loads a payload into the (empty) keyspace; s.mu held.
func (s *Server) loadRDBLocked(r io.Reader) (rdb.Info, *rdbSink, error) {
	_, _, replica := s.cfg.ReplicaOf()
	sink := &rdbSink{rdbLimits: rdbLimits{s}, nowMs: time.Now().UnixMilli(), replica: replica}
	// Nearly everything a load allocates stays live, so collecting at the
	// usual pace mostly re-marks the growing dataset: collect less often
	// while loading (the decoding garbage is returned afterwards).
	defer raiseGCForLoad()()
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
