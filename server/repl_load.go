package server

import (
	"net"
	"sync"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/rdb"
	"redoubt/replication"
)

// Loading a full-sync payload on the replica, by repl-diskless-load:
//   - disabled: the payload was spooled to a file; it is checked whole
//     before the data is replaced (when there is data to lose), then
//     loaded from the file;
//   - on-empty-db: with an empty dataset the RDB is parsed as it arrives
//     on the socket, otherwise as disabled;
//   - swapdb: always parsed from the socket into fresh databases while
//     the old contents are set aside; a failed load puts them back, a
//     good one drops them.
// Parsing from the socket overlaps our load with the master's production
// of the payload.

// directLoadWanted is asked by the link when the payload header arrives.
func (s *Server) directLoadWanted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.cfg.String("repl-diskless-load") {
	case "swapdb":
		return true
	case "on-empty-db":
		return s.datasetEmptyLocked()
	}
	return false
}

// loadFullSyncLocked replaces the dataset with the payload of res and
// forgets what a full sync forgets (sub-replicas, backlog). On failure
// the old dataset is kept in swapdb mode and after a checked spool file;
// otherwise we are left empty, as Redis is. Holds s.mu.
func (s *Server) loadFullSyncLocked(res *replication.SyncResult) (rdb.Info, error) {
	if res.Body == nil {
		s.forgetForFullSync()
		for _, db := range s.ks.DBs {
			db.Flush()
		}
		info, _, err := s.loadRDBLocked(res.Payload)
		return info, err
	}
	var stash []*keyspace.Stashed
	if s.cfg.String("repl-diskless-load") == "swapdb" {
		for _, db := range s.ks.DBs {
			stash = append(stash, db.Stash())
		}
	} else {
		s.forgetForFullSync()
		for _, db := range s.ks.DBs {
			db.Flush()
		}
	}
	info, _, err := s.loadRDBLocked(res.Body)
	if err == nil {
		err = res.FinishBody()
	}
	if err != nil {
		for i, st := range stash {
			s.ks.DBs[i].Restore(st)
		}
		if stash != nil {
			s.log.Warn("MASTER <-> REPLICA sync: Discarding the half-loaded data, restoring the old dataset")
		}
		return info, err
	}
	if stash != nil {
		s.forgetForFullSync()
	}
	return info, nil
}

// forgetForFullSync drops our sub-replicas and backlog: the history they
// continue ends here. Holds s.mu.
func (s *Server) forgetForFullSync() {
	s.disconnectSubReplicas()
	s.dropBacklog()
}

// loadKeepalive writes a newline to the master once a second until the
// returned stop is called, so that a long load does not look like a dead
// replica (the master ignores the newlines).
func loadKeepalive(conn net.Conn) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				conn.SetWriteDeadline(time.Now().Add(time.Second))
				if _, err := conn.Write([]byte("\n")); err != nil {
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		conn.SetWriteDeadline(time.Time{})
	}
}
