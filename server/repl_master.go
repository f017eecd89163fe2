package server

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"redoubt/internal/config"
	"redoubt/internal/resp"
	"redoubt/replication"
)

// The master side of replication. Every replica is a client with
// flagReplica; after PSYNC/SYNC a sender goroutine owns writing to its
// socket: first the +FULLRESYNC line, keepalive newlines while the
// snapshot is prepared, the RDB as $<len>, then the stream read from the
// shared backlog through the replica's own cursor. The replica's reading
// side stays in the ordinary client loop (it only sends REPLCONF ACK).

// Replica states, as INFO names them.
const (
	replWaitBgsave = iota
	replSendBulk
	replOnline
)

var replStateNames = [...]string{"wait_bgsave", "send_bulk", "online"}

// replConf is what a connection announced with REPLCONF before PSYNC.
type replConf struct {
	port          int64
	ip            string
	capaEOF       bool
	capaPsync2    bool
	rdbOnly       bool
	filterDefined bool
}

// replicaLink is one attached replica. Fields are guarded by s.mu.
type replicaLink struct {
	c       *Client
	conf    replConf
	state   int
	preSync bool // came with SYNC: no +FULLRESYNC, never timed out
	ackOff  int64
	ackTime time.Time
	cursor  *replication.Cursor
	fs      *fullSync
	// acked is closed by the first REPLCONF ACK after a diskless payload:
	// Redis holds the stream until then so the EOF mark stays last.
	acked     chan struct{}
	ackClosed bool
}

// fullSync is one snapshot shared by a batch of replicas. A disk-style
// sync starts at once and later replicas attach to it while it runs; a
// diskless one waits repl-diskless-sync-delay for more replicas, then
// streams the RDB to all their sockets at once.
type fullSync struct {
	diskless bool
	created  time.Time
	links    []*replicaLink
	started  chan struct{} // closed once offset is known
	offset   int64
	replID   string
	buf      bytes.Buffer // disk style: the whole RDB
	done     chan struct{}
	err      error
}

// waitReq is a client blocked in WAIT.
type waitReq struct {
	st     *blockState
	offset int64
	num    int64
}

// replMaster is the master-side state, guarded by s.mu.
type replMaster struct {
	backlog   *replication.Backlog
	replicas  []*replicaLink
	conf      map[*Client]*replConf
	waiters   map[*Client]*waitReq
	waiting   *fullSync // diskless batch not started yet
	running   *fullSync // disk-style snapshot being produced
	lastPing  time.Time
	getackOff int64 // stream offset right after the last GETACK we sent
	// getackWanted is set by a WAIT that blocked.
	getackWanted bool
	// onGetack, when set by the replica side, answers REPLCONF GETACK
	// from our master; a master ignores GETACK.
	onGetack func(c *Client)
	// fo is the coordinated failover (repl_failover.go).
	fo failoverState
	// noReplicasSince is when the last replica went away (or the server
	// started, or became a master): repl-backlog-ttl counts from there.
	noReplicasSince time.Time

	syncFull, partialOK, partialErr int64
}

var (
	replPing  = resp.AppendCommand(nil, []byte("PING"))
	getackCmd = resp.AppendCommand(nil, []byte("REPLCONF"), []byte("GETACK"), []byte("*"))
)

// initReplMaster wires the cron and the backlog size directive.
func (s *Server) initReplMaster() {
	s.rm.conf = map[*Client]*replConf{}
	s.rm.waiters = map[*Client]*waitReq{}
	s.rm.getackOff = -1
	s.rm.noReplicasSince = time.Now()
	s.cronHooks = append(s.cronHooks, s.replMasterCron)
	s.cfg.OnChange("repl-backlog-size", func(c *config.Config) {
		s.mu.Lock()
		if s.rm.backlog != nil {
			s.rm.backlog.Resize(c.Int("repl-backlog-size"))
		}
		s.mu.Unlock()
	})
}

// replMasterForget drops what a disconnected client left behind. Holds s.mu.
func (s *Server) replMasterForget(c *Client) {
	delete(s.rm.conf, c)
	delete(s.rm.waiters, c)
	for i, l := range s.rm.replicas {
		if l.c == c {
			s.rm.replicas = append(s.rm.replicas[:i], s.rm.replicas[i+1:]...)
			if l.cursor != nil {
				l.cursor.Close()
			}
			if len(s.rm.replicas) == 0 {
				s.rm.noReplicasSince = time.Now()
			}
			break
		}
	}
}

func (s *Server) replicaOf(c *Client) *replicaLink {
	for _, l := range s.rm.replicas {
		if l.c == c {
			return l
		}
	}
	return nil
}

// createBacklog starts keeping the stream. Redis does this when the first
// replica asks for a full sync and no backlog exists, and then takes a
// fresh replication ID and forgets the previous one: offsets produced
// before had no backlog, so no replica can continue that history. Holds s.mu.
func (s *Server) createBacklog() {
	// A replica keeps its master's history (its replica side sets the
	// IDs); only a master starts a new one.
	if !s.ks.Replica {
		a := &s.admin
		a.replID = randomHex40()
		a.replID2 = strings.Repeat("0", 40)
		a.secondReplOffset = -1
	}
	hard := int64(s.cfg.OutputBufferLimits()[config.ClassReplica].Hard)
	s.rm.backlog = replication.NewBacklog(s.stream.Offset, s.cfg.Int("repl-backlog-size"), hard)
	s.stream.AddTap(s.rm.backlog)
}

// tryPartial answers PSYNC with +CONTINUE when Redis's rule allows it.
// Holds s.mu.
func (s *Server) tryPartial(c *Client, conf replConf, id string, off int64) bool {
	a := &s.admin
	ids := replication.IDs{ID: a.replID, ID2: a.replID2, SecondOff: a.secondReplOffset}
	var first, n int64
	b := s.rm.backlog
	if b != nil {
		p, l := b.Range()
		first, n = p+1, l
	}
	if !replication.CanContinue(ids, replication.PsyncRequest{ID: id, Offset: off}, b != nil, first, n) {
		if id != "?" {
			s.rm.partialErr++
		}
		return false
	}
	l := &replicaLink{c: c, conf: conf, state: replOnline, ackTime: time.Now(), ackOff: off - 1}
	l.cursor = b.NewCursor(off - 1)
	c.flags |= flagReplica
	s.rm.replicas = append(s.rm.replicas, l)
	s.rm.partialOK++
	line := "+CONTINUE\r\n"
	if conf.capaPsync2 {
		line = "+CONTINUE " + a.replID + "\r\n"
	}
	s.log.Info("Partial resynchronization request from " + c.addr + " accepted. Sending " +
		strconv.FormatInt(n-(off-first), 10) + " bytes of backlog starting from offset " + strconv.FormatInt(off, 10) + ".")
	go s.sendToReplica(l, []byte(line))
	return true
}

// fullResync puts c in a full-sync batch. Redis streams the RDB straight
// to the sockets when repl-diskless-sync is on (or the replica wants a
// filtered RDB) and the replica announced capa eof; otherwise the RDB is
// produced first and sent as $<len>. A replica arriving while a
// disk-style snapshot runs shares it and its offset. Holds s.mu.
func (s *Server) fullResync(c *Client, conf replConf, preSync bool) {
	s.rm.syncFull++
	if s.rm.backlog == nil {
		s.createBacklog()
	}
	diskless := (s.cfg.Bool("repl-diskless-sync") || conf.filterDefined) && conf.capaEOF
	l := &replicaLink{c: c, conf: conf, state: replWaitBgsave, preSync: preSync, acked: make(chan struct{})}
	c.flags |= flagReplica
	s.rm.replicas = append(s.rm.replicas, l)
	var fs *fullSync
	switch {
	case !diskless && s.rm.running != nil:
		fs = s.rm.running
		l.cursor = s.rm.backlog.NewCursor(fs.offset)
	case diskless && s.rm.waiting != nil:
		fs = s.rm.waiting
	default:
		fs = &fullSync{diskless: diskless, created: time.Now(), started: make(chan struct{}), done: make(chan struct{})}
		if diskless {
			s.rm.waiting = fs
		}
	}
	l.fs = fs
	fs.links = append(fs.links, l)
	go s.sendToReplica(l, nil)
	if !diskless && s.rm.running == nil {
		s.startFullSync(fs)
	} else if diskless {
		s.maybeStartDiskless()
	}
}

// maybeStartDiskless starts the waiting diskless batch once the delay has
// passed or repl-diskless-sync-max-replicas replicas wait. Holds s.mu.
func (s *Server) maybeStartDiskless() {
	fs := s.rm.waiting
	if fs == nil {
		return
	}
	delay := time.Duration(s.cfg.Int("repl-diskless-sync-delay")) * time.Second
	max := int(s.cfg.Int("repl-diskless-sync-max-replicas"))
	if time.Since(fs.created) >= delay || (max > 0 && len(fs.links) >= max) {
		s.rm.waiting = nil
		s.startFullSync(fs)
	}
}

// startFullSync fixes the batch's offset (the master offset now), points
// every replica's cursor there and starts the snapshot. The first
// command after this point must SELECT again. Holds s.mu.
func (s *Server) startFullSync(fs *fullSync) {
	fs.offset = s.stream.Offset
	fs.replID = s.admin.replID
	s.stream.ResetSelected()
	var live []*replicaLink
	for _, l := range fs.links {
		if s.replicaOf(l.c) == l {
			l.cursor = s.rm.backlog.NewCursor(fs.offset)
			live = append(live, l)
		}
	}
	fs.links = live
	close(fs.started)
	s.log.Info("Starting BGSAVE for SYNC with target: replicas sockets")
	finish := func(err error) {
		s.mu.Lock()
		fs.err = err
		if s.rm.running == fs {
			s.rm.running = nil
		}
		s.mu.Unlock()
		close(fs.done)
	}
	if !fs.diskless {
		s.rm.running = fs
		s.startSnapshotLocked(lockedWriter{&fs.buf, &sync.Mutex{}}, finish)
		return
	}
	// Diskless: +FULLRESYNC, $EOF:<mark>, the RDB and the mark again go
	// to every socket of the batch; a replica whose socket fails is
	// dropped without stopping the others.
	mark := randomHex40()
	mw := &multiWriter{out: &s.admin.replOut}
	for _, l := range live {
		pre := "$EOF:" + mark + "\r\n"
		counted := len(pre)
		if !l.preSync {
			pre = "+FULLRESYNC " + fs.replID + " " + strconv.FormatInt(fs.offset, 10) + "\r\n" + pre
		}
		mw.targets = append(mw.targets, &mwTarget{c: l.c, pre: []byte(pre), preCounted: counted})
	}
	s.startSnapshotLocked(mw, func(err error) {
		if err == nil {
			mw.Write([]byte(mark))
			if mw.alive() == 0 {
				err = errAllReplicasGone
			}
		}
		finish(err)
	})
}

var errAllReplicasGone = errors.New("all replicas of the batch disconnected")

// lockedWriter lets the snapshot goroutine fill a buffer.
type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// sendToReplica owns the replica's socket output outside a diskless
// transfer: the reply line, keepalives and the payload of a disk-style
// sync, then the stream from the replica's cursor.
func (s *Server) sendToReplica(l *replicaLink, line []byte) {
	c := l.c
	// Payload and stream bytes are replication output; the reply lines
	// (+FULLRESYNC, +CONTINUE, the error) are written raw and, as in
	// Redis, counted nowhere.
	send := func(p []byte, counted bool) bool {
		c.flushMu.Lock()
		_, err := c.conn.Write(p)
		c.flushMu.Unlock()
		if err == nil && counted {
			s.noteReplWrite(len(p))
		}
		return err == nil
	}
	write := func(p []byte) bool { return send(p, true) }
	defer c.kill()
	if len(line) > 0 && !send(line, false) {
		return
	}
	if fs := l.fs; fs != nil {
		// Until the snapshot starts, and for a disk-style one until it
		// is complete, a newline goes out every second so the replica
		// does not time out; newlines count toward no offset.
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		phase := fs.started
		for phase != nil {
			select {
			case <-phase:
				if phase == fs.done || fs.diskless {
					phase = nil
					break
				}
				if !l.preSync && !send([]byte("+FULLRESYNC "+fs.replID+" "+strconv.FormatInt(fs.offset, 10)+"\r\n"), false) {
					return
				}
				phase = fs.done
			case <-c.done:
				return
			case <-tick.C:
				if !s.keepalive(c, fs) {
					return
				}
			}
		}
		if fs.diskless {
			select {
			case <-fs.done:
			case <-c.done:
				return
			}
		}
		if fs.err != nil {
			s.log.Warn("Replica sync failed: " + fs.err.Error())
			if !fs.diskless {
				send([]byte("-ERR BGSAVE failed, replication can't continue\r\n"), false)
			}
			return
		}
		if !fs.diskless {
			s.mu.Lock()
			l.state = replSendBulk
			s.mu.Unlock()
			// Disk-style payload: $<len>\r\n and the RDB, no CRLF after.
			payload := fs.buf.Bytes()
			if !write([]byte("$"+strconv.Itoa(len(payload))+"\r\n")) || !write(payload) {
				return
			}
		}
		s.mu.Lock()
		l.state = replOnline
		l.ackTime = time.Now()
		s.mu.Unlock()
		s.log.Info("Synchronization with replica " + c.addr + " succeeded")
		if l.conf.rdbOnly {
			// redis-cli --rdb: the RDB alone, then the link closes.
			return
		}
		if fs.diskless {
			select {
			case <-l.acked:
			case <-c.done:
				return
			}
		}
	}
	buf := make([]byte, 0, 64*1024)
	for {
		var ok bool
		buf, ok = l.cursor.Next(buf[:0], 64*1024)
		if !ok || !write(buf) {
			if !ok && !c.killed.Load() {
				s.log.Warn("Client " + c.addr + " scheduled to be closed ASAP for overcoming of output buffer limits.")
			}
			return
		}
	}
}

// keepalive writes one newline unless a diskless transfer has started
// on the socket: checked under flushMu, which that transfer's writes
// also take, so a newline never lands inside the payload.
func (s *Server) keepalive(c *Client, fs *fullSync) bool {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	if fs.diskless {
		select {
		case <-fs.started:
			return true
		default:
		}
	}
	_, err := c.conn.Write([]byte("\n"))
	return err == nil
}

// replMasterCron sends the periodic PING into the stream. Redis appends
// it every repl-ping-replica-period seconds while replicas are attached;
// it counts toward offsets like any command and needs no SELECT. Holds s.mu.
func (s *Server) replMasterCron() {
	s.updateFailover()
	s.maybeStartDiskless()
	now := time.Now()
	s.backlogTTL(now)
	// A replica never pings its own replicas: it only relays its master's stream.
	if len(s.rm.replicas) == 0 || s.rm.backlog == nil || s.ks.Replica {
		return
	}
	period := time.Duration(s.cfg.Int("repl-ping-replica-period")) * time.Second
	if s.rm.lastPing.IsZero() {
		s.rm.lastPing = now
		return
	}
	// An online replica silent (no ACK) for longer than repl-timeout is
	// disconnected; SYNC-only replicas never ACK and are spared.
	timeout := time.Duration(s.cfg.Int("repl-timeout")) * time.Second
	for _, l := range s.rm.replicas {
		if l.state == replOnline && !l.preSync && !l.conf.rdbOnly && now.Sub(l.ackTime) > timeout {
			s.log.Warn("Disconnecting timedout replica (streaming sync): " + l.c.addr)
			l.c.kill()
		}
	}
	if now.Sub(s.rm.lastPing) >= period {
		s.rm.lastPing = now
		if !s.pingSuppressed(now) {
			s.stream.FeedRaw(replPing)
		}
	}
	s.checkWaiters()
	s.flushGetack()
}

// ackedCount counts online replicas whose acknowledged offset reached off.
// Holds s.mu.
func (s *Server) ackedCount(off int64) int64 {
	var n int64
	for _, l := range s.rm.replicas {
		if l.state == replOnline && l.ackOff >= off {
			n++
		}
	}
	return n
}

// checkWaiters answers the WAIT callers that have enough ACKs. Holds s.mu.
func (s *Server) checkWaiters() {
	for c, w := range s.rm.waiters {
		if c.blocked != w.st {
			delete(s.rm.waiters, c)
			continue
		}
		if n := s.ackedCount(w.offset); n >= w.num {
			delete(s.rm.waiters, c)
			s.unblock(c)
			c.w.Int(n)
			c.wakeUp()
			// The client's goroutine may not be parked yet (it sees no
			// block and goes back to reading): the writer flushes the reply.
			c.kick()
		}
	}
}

// replAfterCommand runs after every top-level command: the client's
// WAIT target becomes the current master offset, then, as Redis does
// before the event loop sleeps, a GETACK goes out if a WAIT blocked. So
// the GETACK's own bytes are not part of that client's target. Holds s.mu.
func (s *Server) replAfterCommand(c *Client) {
	c.woff = s.stream.Offset
	// An attached replica may only send what needs no reply (REPLCONF
	// ACK/GETACK, newlines): a reply would land inside its stream, so
	// Redis drops a replica whose command produced one.
	if c.flags&flagReplica != 0 && c.w.Len() > 0 {
		s.log.Warn("Replica generated a reply to command '" + c.lastCmd + "', disconnecting it: " + c.addr)
		c.w.Buf = c.w.Buf[:0]
		c.kill()
	}
	s.flushGetack()
}

// flushGetack sends the GETACK a blocked WAIT asked for, unless clients
// are paused: Redis holds it back then (the stream must not move while a
// FAILOVER waits for its target), and sends it once the pause ends. Holds
// s.mu.
func (s *Server) flushGetack() {
	if s.rm.getackWanted && !s.pauseActive(nowMs()) {
		s.rm.getackWanted = false
		s.sendGetack()
	}
}

// sendGetack asks every replica for its offset, once per batch: nothing
// is appended when the last thing in the stream already is a GETACK.
func (s *Server) sendGetack() {
	if s.rm.backlog == nil || s.rm.getackOff == s.stream.Offset {
		return
	}
	s.stream.FeedRaw(getackCmd)
	s.rm.getackOff = s.stream.Offset
}
