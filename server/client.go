package server

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// Client flags.
const (
	flagMulti     = 1 << iota // inside MULTI
	flagDirtyCAS              // a WATCHed key changed
	flagDirtyExec             // a command failed to queue
	flagCloseAfterReply
	flagMonitor
	flagMaster // the link to our master
	flagReplica
	flagNoEvict
	flagPubSub // RESP2 client with subscriptions
	flagUnixSocket
)

// queued is a command waiting for EXEC.
type queued struct {
	cmd  *commands.Command
	args [][]byte
}

// Client is one connection.
type Client struct {
	id    int64
	srv   *Server
	conn  net.Conn
	rd    *resp.Reader
	w     resp.Writer // guarded by srv.mu
	spare []byte      // guarded by flushMu

	flushMu   sync.Mutex
	wake      chan struct{}
	writerOn  sync.Once
	unblockCh chan struct{}
	done      chan struct{}
	killed    atomic.Bool

	// Everything below is guarded by srv.mu.
	db                *keyspace.DB
	flags             int
	authenticatedFlag atomic.Bool
	user              string
	name              string
	libName           string
	libVer            string
	addr              string
	laddr             string
	created           time.Time
	lastInteract      time.Time
	lastCmd           string
	multi             []queued
	watched           []watchKey
	expiredWatch      watchSet
	channels          map[string]struct{}
	patterns          map[string]struct{}
	shardChannels     map[string]struct{}
	blocked           *blockState
	ctx               commands.Ctx
	callDepth         int
	// obufSoftSince is when the output buffer first passed the soft limit.
	obufSoftSince time.Time
	cmdCount      int64
	noEvict       bool
	// inSeen is the reader's Consumed count already added to the
	// server's input-bytes statistic.
	inSeen int64
	// CLIENT REPLY state: replyOff drops every reply until ON; replySkip
	// drops the replies of the running command; replySkipNext arms it for
	// the next one. replyMark is where the running command's replies start.
	replyOff, replySkip, replySkipNext bool
	replyMark                          int
	// postponed is set while the client waits for a CLIENT PAUSE to end.
	postponed bool
	// killedCh is closed when the client is killed (wakes paused waits).
	killedCh chan struct{}
	// woff is the master offset after this client's last command (WAIT).
	woff int64
}

func newClient(s *Server, conn net.Conn, id int64) *Client {
	c := &Client{
		id: id, srv: s, conn: conn,
		rd:        resp.NewReader(conn, 16*1024),
		wake:      make(chan struct{}, 1),
		unblockCh: make(chan struct{}, 1),
		done:      make(chan struct{}),
		killedCh:  make(chan struct{}),
		user:      "default",
		created:   time.Now(),
	}
	c.w.Proto = 2
	c.w.Buf = make([]byte, 0, 4096)
	c.lastInteract = c.created
	c.addr = conn.RemoteAddr().String()
	c.laddr = conn.LocalAddr().String()
	if _, ok := conn.(*net.UnixConn); ok {
		c.flags |= flagUnixSocket
		// Redis names both ends of a unix socket connection after the
		// socket path.
		c.addr = s.cfg.String("unixsocket") + ":0"
		c.laddr = c.addr
	}
	c.rd.Authenticated = c.isAuthenticated
	return c
}

// isAuthenticated is read by the reader outside the lock for the limits
// on unauthenticated clients; a stale value only affects those limits.
func (c *Client) isAuthenticated() bool {
	return c.authenticatedFlag.Load()
}

// serve is the client's goroutine: read, execute a batch, write.
func (c *Client) serve() {
	s := c.srv
	defer c.finish()
	for {
		lim := resp.Limits{MaxBulkLen: s.hot.protoMaxBulkLen.Load(), MaxQueryBuf: s.hot.queryBufLimit.Load()}
		if c.flags&flagMaster != 0 {
			lim.MaxBulkLen = 1 << 62
		}
		c.rd.Limits = lim
		args, err := c.rd.ReadCommand()
		if err != nil {
			c.readFailed(err)
			return
		}
		s.mu.Lock()
		if c.killed.Load() {
			// Killed (CLIENT KILL) while reading: run nothing more.
			s.mu.Unlock()
			return
		}
		c.runBatch(args)
		out := c.takeOutput()
		closing := c.flags&flagCloseAfterReply != 0
		blocked := c.blocked != nil
		s.mu.Unlock()
		if out != nil {
			c.writeOut(out)
		}
		if closing || c.killed.Load() {
			return
		}
		if blocked && !c.waitUnblocked() {
			return
		}
	}
}

// runBatch runs args, then every complete request already buffered, until
// the client blocks, closes, or a large reply is pending. Holds srv.mu.
func (c *Client) runBatch(args [][]byte) {
	s := c.srv
	s.clock = time.Now()
	s.process(c, args)
	for c.flags&flagCloseAfterReply == 0 && c.blocked == nil && !c.killed.Load() && c.w.Len() < 64*1024 {
		next, ok, err := c.rd.TryCommand()
		if err != nil {
			c.protocolError(err)
			return
		}
		if !ok {
			return
		}
		s.process(c, next)
	}
}

// readFailed handles a failed read: protocol errors are answered, then
// the connection closes; I/O errors just close it.
func (c *Client) readFailed(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.srv.mu.Lock()
		c.protocolError(err)
		out := c.takeOutput()
		c.srv.mu.Unlock()
		if out != nil {
			c.writeOut(out)
		}
		lingerClose(c.conn)
		return
	}
	if errors.Is(err, resp.ErrQueryBufferLimit) {
		c.srv.log.Warn("Closing client that reached max query buffer length", "addr", c.addr)
	}
}

// protocolError replies to a malformed request and marks the client to
// close after the reply, as Redis does. Holds srv.mu.
func (c *Client) protocolError(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.w.Error("ERR " + pe.Error())
		c.srv.log.Log(nil, LevelVerbose, "Protocol error ("+pe.Msg+") from client: "+c.addr)
	}
	c.flags |= flagCloseAfterReply
}

// takeOutput swaps out the pending replies if this goroutine may write
// them now; otherwise it hands them to the writer goroutine. Holds srv.mu.
func (c *Client) takeOutput() []byte {
	if len(c.w.Buf) == 0 {
		return nil
	}
	if !c.flushMu.TryLock() {
		c.kick()
		return nil
	}
	out := c.w.Buf
	sp := c.spare
	c.spare = nil
	if sp == nil {
		sp = make([]byte, 0, 4096)
	}
	c.w.Buf = sp[:0]
	c.obufSoftSince = time.Time{}
	return out
}

// writeOut writes a buffer taken by takeOutput and releases flushMu.
func (c *Client) writeOut(out []byte) {
	c.srv.noteWrite(len(out))
	if _, err := c.conn.Write(out); err != nil {
		c.killed.Store(true)
		c.conn.Close()
	}
	if cap(out) <= 1<<20 {
		c.spare = out[:0]
	}
	c.flushMu.Unlock()
}

// kick asks the writer goroutine to flush pending output (used when
// output is produced for a client by another client's command).
func (c *Client) kick() {
	c.writerOn.Do(func() { go c.writer() })
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *Client) writer() {
	for {
		select {
		case <-c.done:
			return
		case <-c.wake:
		}
		c.flushMu.Lock()
		c.srv.mu.Lock()
		if len(c.w.Buf) == 0 {
			c.srv.mu.Unlock()
			c.flushMu.Unlock()
			continue
		}
		out := c.w.Buf
		sp := c.spare
		c.spare = nil
		if sp == nil {
			sp = make([]byte, 0, 4096)
		}
		c.w.Buf = sp[:0]
		c.srv.mu.Unlock()
		c.writeOut(out)
	}
}

// waitUnblocked parks the goroutine of a blocked client until it is
// served, times out, or disconnects. It returns false if the client is
// gone.
func (c *Client) waitUnblocked() bool {
	s := c.srv
	s.mu.Lock()
	st := c.blocked
	if st == nil {
		// Served between the end of the batch and now: its reply is
		// already in the buffer and must go out.
		out := c.takeOutput()
		s.mu.Unlock()
		if out != nil {
			c.writeOut(out)
		}
		return !c.killed.Load()
	}
	s.mu.Unlock()
	var timer <-chan time.Time
	if st.deadline > 0 {
		d := time.Until(time.UnixMilli(st.deadline))
		if d < 0 {
			d = 0
		}
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	var peek chan error
	if c.rd.Buffered() == 0 {
		peek = make(chan error, 1)
		go func() { peek <- c.rd.Peek() }()
	}
	alive := true
	for waiting := true; waiting; {
		select {
		case <-c.unblockCh:
			waiting = false
		case <-timer:
			s.mu.Lock()
			if c.blocked != nil {
				s.timeoutBlocked(c)
			}
			s.mu.Unlock()
			waiting = false
		case err := <-peek:
			peek = nil
			if err != nil {
				s.mu.Lock()
				if c.blocked != nil {
					s.unblock(c)
				}
				s.mu.Unlock()
				alive = false
				waiting = false
			}
		}
	}
	if peek != nil {
		c.conn.SetReadDeadline(time.Unix(1, 0))
		<-peek
		c.conn.SetReadDeadline(time.Time{})
	}
	select {
	case <-c.unblockCh:
	default:
	}
	if !alive {
		return false
	}
	s.mu.Lock()
	out := c.takeOutput()
	s.mu.Unlock()
	if out != nil {
		c.writeOut(out)
	}
	return !c.killed.Load()
}

// finish releases everything the client holds.
func (c *Client) finish() {
	s := c.srv
	s.mu.Lock()
	s.removeClient(c)
	s.mu.Unlock()
	close(c.done)
	c.conn.Close()
}

// lingerClose closes a connection after draining, briefly, what the peer
// already sent: closing with unread input would reset the connection and
// the peer could lose the error reply just written.
func lingerClose(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	buf := make([]byte, 16*1024)
	deadline := time.Now().Add(200 * time.Millisecond)
	for {
		conn.SetReadDeadline(deadline)
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	conn.Close()
}

// kill closes the client from another goroutine (CLIENT KILL, limits).
func (c *Client) kill() {
	if c.killed.CompareAndSwap(false, true) {
		close(c.killedCh)
		c.conn.Close()
	}
}
