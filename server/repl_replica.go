package server

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"redoubt/commands"
	"redoubt/internal/config"
	"redoubt/internal/resp"
	"redoubt/rdb"
	"redoubt/replication"
)

// The replica side of replication. One goroutine per REPLICAOF target
// runs the link (replication.Link: connect, handshake, transfer), loads a
// full-sync payload, then applies the master's stream as the master
// client under s.mu, counting the offset in bytes consumed, and proxies
// what it applied into our own stream for our sub-replicas.

// replReplica is the replica state, guarded by s.mu.
type replReplica struct {
	host string
	port int
	// gen changes whenever the target changes or we are promoted; a
	// link goroutine from an older generation stops touching anything.
	gen    int64
	cancel context.CancelFunc
	link   *replication.Link
	// pendingStart is set by --replicaof; the cron starts the link once
	// the server serves.
	pendingStart bool
	// master is the live master client (CONNECTED only).
	master *Client
	// cachedID/cachedOff describe the cached master for the next PSYNC.
	cachedID  string
	cachedOff int64
	// cachedDB is the database the master's stream had selected: after
	// +CONTINUE the master sends no SELECT, so the new client starts there.
	cachedDB int
	// base is the offset at Reader.Consumed == 0; readOff/off are Redis's
	// read_reploff and reploff.
	base, readOff, off int64
	// multiBuf accumulates a MULTI block until EXEC, to be proxied whole.
	multiBuf []byte
	// acks are GETACK answers to send after the running batch.
	acks      []int64
	downSince time.Time
	everUp    bool
	// mute swallows what the master's commands would propagate: a
	// replica proxies the master's bytes instead.
	mute *replication.Stream
}

// initReplica wires --replicaof and the GETACK hook.
func (s *Server) initReplica() {
	s.rr.mute = replication.NewStream()
	s.rm.onGetack = func(c *Client) {
		// REPLCONF GETACK from our master is answered with the offset
		// before the GETACK's own bytes: reploff moves after the command.
		if c == s.rr.master {
			s.rr.acks = append(s.rr.acks, s.rr.off)
		}
	}
	if host, port, ok := s.cfg.ReplicaOf(); ok {
		s.rr.host, s.rr.port = host, port
		s.ks.Replica = true
		s.rr.pendingStart = true
	}
	s.cronHooks = append(s.cronHooks, func() {
		if s.rr.pendingStart {
			s.rr.pendingStart = false
			s.startReplicaLink()
		}
	})
}

// replicaOfLocked makes us a replica of host:port. A master first
// synthesises a cached master from its own replid and offset so the new
// master may continue our history (PSYNC2). Holds s.mu.
func (s *Server) replicaOfLocked(host string, port int) {
	if s.ks.Replica {
		s.stopReplicaLink()
	} else {
		s.rr.cachedID, s.rr.cachedOff, s.rr.cachedDB = s.admin.replID, s.stream.Offset, 0
	}
	// Clients blocked on this instance are released with an error.
	s.unblockAllForRoleChange()
	s.rr.host, s.rr.port = host, port
	s.ks.Replica = true
	s.cfg.SetInternal("replicaof", host+" "+strconv.Itoa(port))
	s.rr.downSince = time.Now()
	s.startReplicaLink()
}

// promoteLocked turns a replica into a master: the link stops, the data
// stays, and the IDs shift (replid2 = the old history, valid up to our
// offset+1, and a fresh replid) so siblings can continue from us. Sub-
// replicas are disconnected. Holds s.mu.
func (s *Server) promoteLocked() {
	s.stopReplicaLink()
	s.rr.cachedID = ""
	s.ks.Replica = false
	s.cfg.SetInternal("replicaof", "no one")
	a := &s.admin
	a.replID2 = a.replID
	a.secondReplOffset = s.stream.Offset + 1
	a.replID = randomHex40()
	s.disconnectSubReplicas()
	s.stream.ResetSelected()
	s.rm.noReplicasSince = time.Now()
}

// startReplicaLink starts the goroutine of a new generation. Holds s.mu.
func (s *Server) startReplicaLink() {
	s.rr.gen++
	ctx, cancel := context.WithCancel(context.Background())
	s.rr.cancel = cancel
	port := s.cfg.Int("replica-announce-port")
	if port == 0 {
		port = s.cfg.Int("port")
	}
	timeout := time.Duration(s.cfg.Int("repl-timeout")) * time.Second
	gen := s.rr.gen
	l := &replication.Link{Cfg: replication.LinkConfig{
		Addr: net.JoinHostPort(s.rr.host, strconv.Itoa(s.rr.port)),
		User: s.cfg.String("masteruser"), Pass: s.cfg.String("masterauth"),
		ListenPort: port, AnnounceIP: s.cfg.String("replica-announce-ip"),
		SyncIO: 5 * time.Second, Timeout: timeout, TempDir: s.cfg.String("dir"),
		// A coordinated failover (repl_failover.go) marks our PSYNC.
		Failover:     func() bool { return s.failoverPsync(gen) },
		FailoverDone: func(ok bool, why string) { s.failoverPsyncDone(gen, ok, why) },
		InBytes:      &s.admin.replIn,
		DirectLoad:   s.directLoadWanted,
	}}
	s.rr.link = l
	go s.replicaLoop(ctx, s.rr.gen, l)
}

// stopReplicaLink cancels the link; the live master client becomes the
// cached master. Holds s.mu.
func (s *Server) stopReplicaLink() {
	if s.rr.cancel != nil {
		s.rr.cancel()
		s.rr.cancel = nil
	}
	s.rr.gen++
	s.dropMasterClient()
	s.rr.link = nil
}

// dropMasterClient caches the master and forgets its client. Holds s.mu.
func (s *Server) dropMasterClient() {
	c := s.rr.master
	if c == nil {
		return
	}
	s.rr.master = nil
	s.rr.cachedID, s.rr.cachedOff, s.rr.cachedDB = s.admin.replID, s.rr.off, c.db.ID
	s.rr.multiBuf = s.rr.multiBuf[:0]
	s.rr.downSince = time.Now()
	s.removeClient(c)
	c.kill()
}

// disconnectSubReplicas closes our own replicas. Holds s.mu.
func (s *Server) disconnectSubReplicas() {
	for _, l := range s.rm.replicas {
		l.c.kill()
	}
}

// replicaLoop syncs, streams, and after a loss reconnects: at once the
// first time, then once a second (Redis retries from its 1 Hz cron).
func (s *Server) replicaLoop(ctx context.Context, gen int64, l *replication.Link) {
	fails := 0
	for ctx.Err() == nil {
		s.mu.Lock()
		id, off := s.rr.cachedID, s.rr.cachedOff
		s.mu.Unlock()
		res, err := l.Sync(ctx, id, off)
		if err == nil {
			err = s.replicaAttach(gen, l, res)
			if err == nil {
				fails = 0
				err = s.replicaStream(ctx, gen, l, res)
			}
			res.Conn.Close()
		}
		// A server shutting down (its clients, the master link among
		// them, are being closed) does not reconnect.
		if ctx.Err() != nil || s.closing.Load() {
			return
		}
		s.mu.Lock()
		if s.rr.gen == gen {
			s.dropMasterClient()
			l.SetState(replication.LinkConnect)
		}
		s.mu.Unlock()
		if err != nil {
			s.log.Warn("Master link: " + err.Error())
		}
		if fails > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		fails++
	}
}

// replicaAttach applies the PSYNC result: a full sync replaces the
// dataset (only once the whole payload checks out, so a bad payload
// leaves the old data in place); +CONTINUE keeps it, adopting a changed
// replid with the usual shift. Either way the master client is created.
func (s *Server) replicaAttach(gen int64, l *replication.Link, res *replication.SyncResult) error {
	if res.Payload != nil {
		defer func() {
			res.Payload.Close()
			os.Remove(res.Payload.Name())
		}()
	}
	if res.Full {
		defer loadKeepalive(res.Conn)()
	}
	// With data to keep, the whole payload (CRC included) is checked
	// before anything is flushed, so a bad payload leaves the old data in
	// place. An empty replica (the usual first sync) has nothing to lose:
	// it loads in one pass, and a failed load leaves it empty again.
	validated := false
	validate := func() error {
		validated = true
		if _, err := rdb.Load(res.Payload, rdb.HandlerFunc(func(*rdb.Entry) error { return nil })); err != nil {
			return errors.New("bad RDB payload from master: " + err.Error())
		}
		_, err := res.Payload.Seek(0, 0)
		return err
	}
	if res.Payload != nil {
		s.mu.Lock()
		empty := s.datasetEmptyLocked()
		s.mu.Unlock()
		if !empty {
			if err := validate(); err != nil {
				return err
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rr.gen != gen {
		return context.Canceled
	}
	if res.Payload != nil && !validated && !s.datasetEmptyLocked() {
		// Keys were written since we looked (a writable replica).
		if err := validate(); err != nil {
			return err
		}
	}
	a := &s.admin
	streamDB := 0
	if res.Full {
		// A full sync forgets everything: sub-replicas, backlog, data.
		info, err := s.loadFullSyncLocked(res)
		if err != nil {
			return errors.New("failed loading the RDB payload: " + err.Error())
		}
		// As after a load at startup: return the decoding garbage to
		// the OS in the background.
		go debug.FreeOSMemory()
		if v, ok := info.AuxValue("repl-stream-db"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(s.ks.DBs) {
				streamDB = n
			}
		}
		off := res.Offset
		if off < 0 {
			off = 0
		}
		if res.ReplID != "" {
			a.replID = res.ReplID
		}
		a.replID2 = strings.Repeat("0", 40)
		a.secondReplOffset = -1
		s.stream.Offset = off
		s.rr.base = off
		s.dirty++
	} else {
		if res.ReplID != "" && res.ReplID != a.replID {
			// The master's history changed (it was promoted): keep the
			// old id valid up to our offset and drop sub-replicas.
			a.replID2 = a.replID
			a.secondReplOffset = s.stream.Offset + 1
			a.replID = res.ReplID
			s.disconnectSubReplicas()
		}
		s.rr.base = s.rr.cachedOff
		s.stream.Offset = s.rr.cachedOff
		streamDB = s.rr.cachedDB
	}
	s.rr.cachedID = ""
	s.rr.off, s.rr.readOff = s.rr.base, s.rr.base
	s.stream.ResetSelected()
	if s.rm.backlog == nil {
		hard := int64(s.cfg.OutputBufferLimits()[config.ClassReplica].Hard)
		s.rm.backlog = replication.NewBacklog(s.stream.Offset, s.cfg.Int("repl-backlog-size"), hard)
		s.stream.AddTap(s.rm.backlog)
	}
	c := newClient(s, res.Conn, s.nextID.Add(1))
	c.flags |= flagMaster
	c.authenticatedFlag.Store(true)
	c.db = s.ks.DBs[streamDB]
	s.clients[c.id] = c
	s.rr.master = c
	s.rr.everUp = true
	l.SetState(replication.LinkConnected)
	l.LastIO.Store(time.Now().UnixMilli())
	if res.Full {
		s.log.Info("MASTER <-> REPLICA sync: Finished with success")
	} else {
		s.log.Info("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
		s.log.Info("Successful partial resynchronization with master.")
	}
	return nil
}

// datasetEmptyLocked reports whether no database holds a key. Holds s.mu.
func (s *Server) datasetEmptyLocked() bool {
	for _, db := range s.ks.DBs {
		if db.Len() > 0 {
			return false
		}
	}
	return true
}

// dropBacklog frees our backlog. Holds s.mu.
func (s *Server) dropBacklog() {
	if s.rm.backlog != nil {
		s.stream.RemoveTap(s.rm.backlog)
		s.rm.backlog.Close()
		s.rm.backlog = nil
	}
}

// replicaStream applies the master's stream until the link fails. A
// batch of buffered commands runs under one lock; ACKs go out after it,
// and every second from a ticker.
func (s *Server) replicaStream(ctx context.Context, gen int64, l *replication.Link, res *replication.SyncResult) error {
	var wmu sync.Mutex
	sendAck := func(off int64) error {
		b := resp.AppendCommand(nil, []byte("REPLCONF"), []byte("ACK"), []byte(strconv.FormatInt(off, 10)))
		wmu.Lock()
		defer wmu.Unlock()
		res.Conn.SetWriteDeadline(time.Now().Add(l.Cfg.Timeout))
		_, err := res.Conn.Write(b)
		if err == nil {
			// Our writes to the master are ordinary client output.
			s.noteWrite(len(b))
		}
		return err
	}
	// Right after loading, the master (diskless) waits for our first ACK
	// before it sends the stream.
	s.mu.Lock()
	first := s.rr.off
	s.mu.Unlock()
	if err := sendAck(first); err != nil {
		return err
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				s.mu.Lock()
				off, ok := s.rr.off, s.rr.gen == gen
				s.mu.Unlock()
				if !ok || sendAck(off) != nil {
					return
				}
			}
		}
	}()
	rd := resp.NewReader(res.R, 64*1024)
	rd.Limits = resp.Limits{MaxBulkLen: 1 << 62}
	var raw []byte
	var counted int64
	for {
		res.Conn.SetReadDeadline(time.Now().Add(l.Cfg.Timeout))
		args, err := rd.ReadCommand()
		if err != nil {
			return err
		}
		// The stream counts as replication input as it is parsed.
		s.admin.replIn.Add(rd.Consumed - counted)
		counted = rd.Consumed
		l.LastIO.Store(time.Now().UnixMilli())
		if rd.Inline {
			return errors.New("inline command from master")
		}
		s.mu.Lock()
		if s.rr.gen != gen || s.rr.master == nil {
			s.mu.Unlock()
			return context.Canceled
		}
		s.clock = time.Now()
		for {
			raw = s.applyFromMaster(args, rd.Consumed, raw)
			next, ok, err := rd.TryCommand()
			if err != nil || !ok {
				break
			}
			args = next
		}
		s.admin.replIn.Add(rd.Consumed - counted)
		counted = rd.Consumed
		acks := s.rr.acks
		s.rr.acks = nil
		s.mu.Unlock()
		for _, off := range acks {
			if err := sendAck(off); err != nil {
				return err
			}
		}
	}
}

// applyFromMaster runs one command of the master's stream as the master
// client. reploff advances past it once it has run, except inside MULTI,
// where it stays put until EXEC; what was applied is appended verbatim
// to our own stream (a MULTI block as a whole, at EXEC). Holds s.mu.
func (s *Server) applyFromMaster(args [][]byte, consumed int64, raw []byte) []byte {
	c := s.rr.master
	s.rr.readOff = s.rr.base + consumed
	raw = resp.AppendCommand(raw[:0], args...)
	real := s.stream
	s.stream = s.rr.mute
	s.processCmd(c, args)
	s.stream = real
	c.w.Reset()
	if c.flags&flagMulti != 0 {
		s.rr.multiBuf = append(s.rr.multiBuf, raw...)
		return raw
	}
	s.rr.off = s.rr.readOff
	if len(s.rr.multiBuf) > 0 {
		s.rr.multiBuf = append(s.rr.multiBuf, raw...)
		s.stream.FeedRaw(s.rr.multiBuf)
		s.rr.multiBuf = s.rr.multiBuf[:0]
	} else {
		s.stream.FeedRaw(raw)
	}
	// Keep our offset equal to reploff even if the bytes were not
	// framed exactly as we re-encode them.
	s.stream.Offset = s.rr.off
	return raw
}

// staleRefusal is replica-serve-stale-data no: while the link is not up,
// a replica refuses every command without the stale flag to normal
// clients. Holds s.mu.
func (s *Server) staleRefusal(c *Client, cmd *commands.Command) string {
	if !s.ks.Replica || c.flags&flagMaster != 0 || cmd.Flags&commands.Stale != 0 || s.rr.master != nil {
		return ""
	}
	if s.cfg.Bool("replica-serve-stale-data") {
		return ""
	}
	return errMasterDown
}

// replicaResume is a replica restarting from an RDB that carries repl-id
// and repl-offset: that history becomes the cached master, so the first
// sync asks PSYNC <repl-id> <repl-offset+1>. Holds s.mu.
func (s *Server) replicaResume(info rdb.Info) {
	if !s.ks.Replica || len(info.ReplID) != 40 || info.ReplOffset < 0 {
		return
	}
	s.admin.replID = info.ReplID
	s.stream.Offset = info.ReplOffset
	s.rr.cachedID, s.rr.cachedOff, s.rr.cachedDB = info.ReplID, info.ReplOffset, 0
	if v, ok := info.AuxValue("repl-stream-db"); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(s.ks.DBs) {
			s.rr.cachedDB = n
		}
	}
}

// replicaRefusesSync: a replica serves SYNC/PSYNC to its own replicas
// only while its link to its master is up. Holds s.mu.
func (s *Server) replicaRefusesSync() string {
	if s.ks.Replica && s.rr.master == nil {
		return "NOMASTERLINK Can't SYNC while not connected with my master"
	}
	return ""
}
