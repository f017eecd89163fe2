package server

import (
	"io"
	"runtime"
	"sync/atomic"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/rdb"
)

// A snapshot writes the dataset as it was when it started, while clients
// keep writing. A goroutine walks each database with the dict's scan
// (which returns every key present throughout): under s.mu it only
// collects a batch of keys (their value headers and expiries), then
// serialises the batch and writes the bytes outside the lock, so clients
// are held up by the collection alone. A write to a key of the batch
// being serialised claims it first (see claim). Before any change to a
// key it has not handled yet (see the keyspace's BeforeWrite hook), the
// key's current value is serialised into a side buffer; keys created
// after the start are marked handled without being written.
//
// "Handled" needs no per-key record for the keys the scan wrote: the
// scan visits keys in rank order (keyspace.ScanRank), so a key ranked
// below the bound the cursor has reached was written by it. Only keys at
// or above the bound that a hook handled (written to, deleted or created
// during the snapshot) go into a set, which the scan then skips. Extra
// memory is that set plus the serialised old values, both proportional
// to the writes during the snapshot, not to the dataset.

type snapDB struct {
	db      *keyspace.DB
	size    int
	expires int
	active  bool // still being walked: hooks must act
	// rank is the scan's bound: keys ranked below it are written (or in
	// the batch).
	rank uint64
	// touched holds keys ranked at or above rank that hooks handled,
	// by rank (the dict already holds each key's hash, so the scan
	// checks it without hashing the key again).
	touched map[uint64]string
	// more holds the touched keys whose rank another key already took.
	more     map[string]struct{}
	side     []byte
	cursor   uint64
	scanned  bool // the scan came back to cursor 0
	complete bool
	// batch is what the goroutine serialises outside the lock; batchIdx
	// finds a key's item by rank. Both change only under s.mu.
	batch    []snapItem
	batchIdx map[uint64]int32
}

// A snapItem's state: the goroutine and a hook race to claim it with a
// compare-and-swap; the loser leaves it to the winner (a hook that loses
// waits for itemDone before letting the write change the value).
const (
	itemPending int32 = iota
	itemEncoding
	itemDone
	itemByHook
)

type snapItem struct {
	key   string
	rank  uint64
	obj   keyspace.Object
	exp   int64
	state atomic.Int32
}

type snapshot struct {
	opts     rdb.Options
	dbs      []*snapDB
	canceled bool
	err      error
}

// handled reports whether key needs nothing more from this snapshot
// (batch items are dealt with by claim).
func (sd *snapDB) handled(key string) bool {
	return sd.handledRank(key, keyspace.ScanRank(key))
}

func (sd *snapDB) handledRank(key string, rank uint64) bool {
	if rank < sd.rank {
		return true
	}
	if k, ok := sd.touched[rank]; ok {
		if k == key {
			return true
		}
		_, ok = sd.more[key]
		return ok
	}
	return false
}

// touch records key as handled.
func (sd *snapDB) touch(key string, rank uint64) {
	key = string([]byte(key))
	if _, taken := sd.touched[rank]; !taken {
		sd.touched[rank] = key
		return
	}
	if sd.more == nil {
		sd.more = make(map[string]struct{})
	}
	sd.more[key] = struct{}{}
}

// inBatch returns key's item in the batch, or nil.
func (sd *snapDB) inBatch(key string, rank uint64) *snapItem {
	i, ok := sd.batchIdx[rank]
	if !ok {
		return nil
	}
	if sd.batch[i].key == key {
		return &sd.batch[i]
	}
	for j := range sd.batch { // another key of the same rank
		if sd.batch[j].key == key {
			return &sd.batch[j]
		}
	}
	return nil
}

// claim makes sure a batch item is serialised before its value changes:
// from the hook's side when the goroutine has not started on it, else by
// waiting for the goroutine. Holds s.mu.
func (sn *snapshot) claim(sd *snapDB, it *snapItem) {
	if it.state.CompareAndSwap(itemPending, itemByHook) {
		if sn.err == nil {
			sd.side, sn.err = rdb.EncodeKeyMeta(sd.side, sn.opts.Compress, it.key, &it.obj, it.exp, sn.opts.Eviction.Meta(&it.obj))
		}
		return
	}
	for st := it.state.Load(); st == itemEncoding; st = it.state.Load() {
		runtime.Gosched()
	}
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
			sd.touched = make(map[uint64]string)
			sd.batchIdx = make(map[uint64]int32)
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
		// A canceled snapshot's goroutine may still be serialising its
		// batch: take every item it has not started on (so it never
		// reads a value the hooks no longer protect) and wait for the
		// one it is on.
		for i := range sd.batch {
			it := &sd.batch[i]
			if !it.state.CompareAndSwap(itemPending, itemByHook) {
				for it.state.Load() == itemEncoding {
					runtime.Gosched()
				}
			}
		}
		sd.active, sd.touched, sd.more, sd.side = false, nil, nil, nil
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
		rank := keyspace.ScanRank(key)
		if it := sd.inBatch(key, rank); it != nil {
			sn.claim(sd, it)
			continue
		}
		if sd.handledRank(key, rank) {
			continue
		}
		sd.touch(key, rank)
		if o != nil && sn.err == nil {
			sd.side, sn.err = rdb.EncodeKeyMeta(sd.side, sn.opts.Compress, key, o, db.Expire(key), sn.opts.Eviction.Meta(o))
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
		for i := range sd.batch {
			sn.claim(sd, &sd.batch[i])
		}
		db.Range(func(k string, o *keyspace.Object) bool {
			rank := keyspace.ScanRank(k)
			if sd.inBatch(k, rank) == nil && !sd.handledRank(k, rank) && sn.err == nil {
				sd.side, sn.err = rdb.EncodeKeyMeta(sd.side, sn.opts.Compress, k, o, db.Expire(k), sn.opts.Eviction.Meta(o))
			}
			return true
		})
		sd.complete = true
		sd.touched, sd.more = nil, nil
	}
}

// runSnapshot is the snapshot goroutine.
func (s *Server) runSnapshot(sn *snapshot, out io.Writer) error {
	w := rdb.NewWriter(out, sn.opts)
	if err := w.Header(); err != nil {
		return err
	}
	var chunk []byte
	lastCmds := int64(-1)
	for i, sd := range sn.dbs {
		if sd.size == 0 {
			continue
		}
		if err := w.SelectDB(i, sd.size, sd.expires); err != nil {
			return err
		}
		for {
			s.mu.Lock()
			if sn.canceled {
				s.mu.Unlock()
				return errSnapshotCanceled
			}
			chunk = s.snapshotSlice(sd, chunk[:0])
			err, finished := sn.err, sd.complete
			cmds := s.stats.commands
			s.mu.Unlock()
			if err != nil {
				return err
			}
			// Serialise the batch outside the lock; items a hook claimed
			// are already in the side buffer.
			for j := range sd.batch {
				it := &sd.batch[j]
				if !it.state.CompareAndSwap(itemPending, itemEncoding) {
					continue
				}
				chunk, err = rdb.EncodeKeyMeta(chunk, sn.opts.Compress, it.key, &it.obj, it.exp, sn.opts.Eviction.Meta(&it.obj))
				it.state.Store(itemDone)
				if err != nil {
					return err
				}
			}
			if err := w.Raw(chunk); err != nil {
				return err
			}
			if finished {
				break
			}
			// Give way to clients before the next slice. A yield is not
			// enough while clients are busy: this goroutine stays
			// runnable, and the scheduler then looks for clients woken
			// by the network only every 10 ms; a short sleep lets it
			// poll (write p99 during BGSAVE went from ~4.5 to ~1 ms).
			if cmds != lastCmds {
				time.Sleep(snapYieldBusy)
			} else {
				runtime.Gosched()
			}
			lastCmds = cmds
		}
	}
	return w.Finish()
}

// snapshotSlice retires the previous batch, takes what hooks saved for sd
// and collects up to snapChunkKeys more keys from the scan into a new
// batch. Once the scan is over and nothing is left, sd is complete.
// Holds s.mu.
func (s *Server) snapshotSlice(sd *snapDB, chunk []byte) []byte {
	clear(sd.batch) // drop references to values
	sd.batch = sd.batch[:0]
	clear(sd.batchIdx)
	chunk = append(chunk, sd.side...)
	sd.side = sd.side[:0]
	if sd.complete || sd.scanned {
		sd.complete = true
		sd.active, sd.touched, sd.more, sd.side, sd.batch, sd.batchIdx = false, nil, nil, nil, nil, nil
		return chunk
	}
	for !sd.scanned && len(sd.batch) < snapChunkKeys {
		sd.cursor = sd.db.ScanRanked(sd.cursor, func(k string, rank uint64, o keyspace.Object) {
			// Skips keys a scan after a shrink brings back below the
			// bound, and keys a hook handled.
			if sd.handledRank(k, rank) {
				return
			}
			sd.batch = append(sd.batch, snapItem{key: k, rank: rank, obj: o, exp: sd.db.Expire(k)})
		})
		if sd.cursor == 0 {
			sd.scanned = true
		} else if r := keyspace.CursorRank(sd.cursor); r > sd.rank {
			sd.rank = r
		}
	}
	for i := range sd.batch {
		if _, taken := sd.batchIdx[sd.batch[i].rank]; !taken {
			sd.batchIdx[sd.batch[i].rank] = int32(i)
		}
	}
	return chunk
}
