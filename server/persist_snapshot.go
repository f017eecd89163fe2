package server

import (
	"io"

	"redoubt/internal/keyspace"
	"redoubt/rdb"
)

// A snapshot writes the dataset as it was when it started, while clients
// keep writing. It records, per database, which keys it has already
// handled. Before any change to a key it has not handled (see the
// keyspace's BeforeWrite hook), the key's current value is serialised
// into a side buffer; keys created after the start are marked handled
// without being written. A goroutine walks each database with the dict's
// scan (which returns every key present throughout), taking s.mu for
// short slices, and writes the bytes outside the lock. Extra memory is
// the handled-key set plus the serialised old values of keys written
// during the snapshot.

type snapDB struct {
	db       *keyspace.DB
	size     int
	expires  int
	active   bool // still being walked: hooks must act
	done     map[string]struct{}
	side     []byte
	cursor   uint64
	complete bool
}

type snapshot struct {
	opts     rdb.Options
	dbs      []*snapDB
	canceled bool
	err      error
}

// StartSnapshot streams a point-in-time RDB image of the dataset to w
// and calls done (from the snapshot goroutine, without s.mu) when it is
// written or failed. Replication full syncs use it with a socket.
func (s *Server) StartSnapshot(w io.Writer, done func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startSnapshotLocked(w, done)
}

func (s *Server) startSnapshotLocked(w io.Writer, done func(error)) *snapshot {
	sn := &snapshot{opts: s.rdbOptions()}
	for _, db := range s.ks.DBs {
		sd := &snapDB{db: db, size: db.Len(), expires: db.ExpiresLen()}
		if sd.size > 0 {
			sd.active = true
			sd.done = make(map[string]struct{}, sd.size)
		}
		sn.dbs = append(sn.dbs, sd)
	}
	s.persist.snaps = append(s.persist.snaps, sn)
	s.ks.Hooks.BeforeWrite = s.snapBeforeWrite
	s.ks.Hooks.BeforeWriteAll = s.snapBeforeWriteAll
	go func() {
		err := s.runSnapshot(sn, w)
		s.mu.Lock()
		s.removeSnapshot(sn)
		s.mu.Unlock()
		done(err)
	}()
	return sn
}

// removeSnapshot forgets sn; the hooks go away with the last one.
func (s *Server) removeSnapshot(sn *snapshot) {
	p := &s.persist
	for i, x := range p.snaps {
		if x == sn {
			p.snaps = append(p.snaps[:i], p.snaps[i+1:]...)
			break
		}
	}
	for _, sd := range sn.dbs {
		sd.active, sd.done, sd.side = false, nil, nil
	}
	if len(p.snaps) == 0 {
		s.ks.Hooks.BeforeWrite = nil
		s.ks.Hooks.BeforeWriteAll = nil
	}
}

// snapBeforeWrite saves key's old value for every snapshot that has not
// handled it yet (o nil: the key is being created, nothing to save).
func (s *Server) snapBeforeWrite(db *keyspace.DB, key string, o *keyspace.Object) {
	for _, sn := range s.persist.snaps {
		sd := sn.dbs[db.ID]
		if !sd.active || sd.complete {
			continue
		}
		if _, ok := sd.done[key]; ok {
			continue
		}
		sd.done[string([]byte(key))] = struct{}{}
		if o != nil && sn.err == nil {
			sd.side, sn.err = rdb.EncodeKey(sd.side, sn.opts.Compress, key, o, db.Expire(key))
		}
	}
}

// snapBeforeWriteAll serialises every key of db not yet handled, before
// the whole database is flushed or swapped.
func (s *Server) snapBeforeWriteAll(db *keyspace.DB) {
	for _, sn := range s.persist.snaps {
		sd := sn.dbs[db.ID]
		if !sd.active || sd.complete {
			continue
		}
		db.Range(func(k string, o *keyspace.Object) bool {
			if _, ok := sd.done[k]; !ok && sn.err == nil {
				sd.side, sn.err = rdb.EncodeKey(sd.side, sn.opts.Compress, k, o, db.Expire(k))
			}
			return true
		})
		sd.complete = true
		sd.done = nil
	}
}

// runSnapshot is the snapshot goroutine.
func (s *Server) runSnapshot(sn *snapshot, out io.Writer) error {
	w := rdb.NewWriter(out, sn.opts)
	if err := w.Header(); err != nil {
		return err
	}
	var chunk []byte
	for i, sd := range sn.dbs {
		if sd.size == 0 {
			continue
		}
		if err := w.SelectDB(i, sd.size, sd.expires); err != nil {
			return err
		}
		for finished := false; !finished; {
			s.mu.Lock()
			if sn.canceled {
				s.mu.Unlock()
				return errSnapshotCanceled
			}
			chunk, finished = s.snapshotSlice(sn, sd, chunk[:0])
			err := sn.err
			s.mu.Unlock()
			if err != nil {
				return err
			}
			if err := w.Raw(chunk); err != nil {
				return err
			}
		}
	}
	return w.Finish()
}

// snapshotSlice takes what hooks saved for sd and serialises up to
// snapChunkKeys more keys from the scan. Holds s.mu.
func (s *Server) snapshotSlice(sn *snapshot, sd *snapDB, chunk []byte) ([]byte, bool) {
	chunk = append(chunk, sd.side...)
	sd.side = sd.side[:0]
	n := 0
	for !sd.complete && n < snapChunkKeys && sn.err == nil {
		sd.cursor = sd.db.Scan(sd.cursor, func(k string, o *keyspace.Object) {
			if _, ok := sd.done[k]; ok {
				return
			}
			sd.done[k] = struct{}{}
			chunk, sn.err = rdb.EncodeKey(chunk, sn.opts.Compress, k, o, sd.db.Expire(k))
			n++
		})
		if sd.cursor == 0 {
			sd.complete = true
		}
	}
	if sd.complete {
		sd.active, sd.done, sd.side = false, nil, nil
		return chunk, true
	}
	return chunk, false
}
