package sentinel

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"redoubt/internal/resp"
)

// The RESP front end: one goroutine reads and executes each client's
// requests, a second one writes its output. Command replies and pub/sub
// pushes share that output queue, so they reach the socket in the order
// they were produced; a subscriber whose queue is full is disconnected
// (Redis's pub/sub output buffer limit) and never slows down Publish.

// Limits of the front end.
const (
	// outQueueLen is how many pending writes (reply batches or pushed
	// messages) a client may have queued before it is dropped.
	outQueueLen = 4096
	// readBufSize is the initial size of a client's read buffer.
	readBufSize = 16 * 1024
	// maxClients is reported by INFO clients (Redis's default).
	maxClients = 10000
	// pubsubOutputLimit is Redis's hard output buffer limit of pub/sub
	// clients (client-output-buffer-limit pubsub 32mb): a subscriber with
	// more queued than this is dropped.
	pubsubOutputLimit = 32 << 20
)

// frontEnd serves the sentinel's RESP port.
type frontEnd struct {
	s   *Sentinel
	hub *Hub

	mu      sync.Mutex
	lns     map[net.Listener]struct{}
	clients map[int64]*client
	closed  bool
	wg      sync.WaitGroup

	nextID atomic.Int64
	stats  apiStats

	// settings are the global SENTINEL CONFIG options and requirepass.
	settings *apiSettings

	// Seams, replaced by tests: the replicated state, proposals, the
	// monitor's local view and process shutdown.
	view     func(fn func(st *State))
	propose  func(ctx context.Context, cmd Command) (Result, error)
	local    localView
	forceFn  func(ctx context.Context, name string) error
	shutdown func()
}

// localView is this sentinel's own observations (the Monitor in
// production).
type localView interface {
	Status(master string, addr Addr) (InstanceStatus, bool)
	Peer(id string) (PeerStatus, bool)
	MasterDownAt(addr Addr) bool
	Tilt() (bool, int64)
}

// apiStats are the counters INFO stats shows.
type apiStats struct {
	conns, commands, netIn, netOut, rejected, errors atomic.Int64
}

// newFrontEnd builds the front end of s (not yet listening).
func newFrontEnd(s *Sentinel) *frontEnd {
	f := &frontEnd{s: s, lns: map[net.Listener]struct{}{}, clients: map[int64]*client{}}
	f.settings = settingsFromConfig(s.cfg)
	f.hub = s.hub
	if f.hub == nil {
		f.hub = newHub(s)
		s.hub = f.hub
	}
	f.view = s.View
	f.propose = s.Propose
	f.shutdown = func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) }
	return f
}

// mon is the local view: the Monitor unless a test put another in.
func (f *frontEnd) mon() localView {
	if f.local != nil {
		return f.local
	}
	if f.s.mon == nil {
		return noLocalView{}
	}
	return f.s.mon
}

// noLocalView answers for a sentinel without a monitor: nothing known.
type noLocalView struct{}

func (noLocalView) Status(string, Addr) (InstanceStatus, bool) { return InstanceStatus{}, false }
func (noLocalView) Peer(string) (PeerStatus, bool)             { return PeerStatus{}, false }
func (noLocalView) MasterDownAt(Addr) bool                     { return false }
func (noLocalView) Tilt() (bool, int64)                        { return false, 0 }

// Serve accepts clients on ln until it is closed or Close is called.
func (f *frontEnd) Serve(ln net.Listener) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return net.ErrClosed
	}
	f.lns[ln] = struct{}{}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.lns, ln)
		f.mu.Unlock()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			f.mu.Lock()
			closed := f.closed
			f.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		f.accept(nc)
	}
}

// accept registers a new client and starts its goroutines.
func (f *frontEnd) accept(nc net.Conn) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		nc.Close()
		return
	}
	if len(f.clients) >= maxClients {
		f.mu.Unlock()
		f.stats.rejected.Add(1)
		nc.Write([]byte("-ERR max number of clients reached\r\n"))
		nc.Close()
		return
	}
	c := newClient(f, nc)
	f.clients[c.id] = c
	f.wg.Add(2)
	f.mu.Unlock()
	f.stats.conns.Add(1)
	go func() { defer f.wg.Done(); c.writeLoop() }()
	go func() { defer f.wg.Done(); c.readLoop() }()
}

// Close stops every listener and disconnects every client.
func (f *frontEnd) Close() {
	f.mu.Lock()
	f.closed = true
	for ln := range f.lns {
		ln.Close()
	}
	cs := make([]*client, 0, len(f.clients))
	for _, c := range f.clients {
		cs = append(cs, c)
	}
	f.mu.Unlock()
	for _, c := range cs {
		c.abort()
	}
	f.wg.Wait()
}

// forget drops a closed client from the registry and the hub.
func (f *frontEnd) forget(c *client) {
	f.hub.dropClient(c)
	f.mu.Lock()
	delete(f.clients, c.id)
	f.mu.Unlock()
}

// clientList returns the connected clients ordered by id.
func (f *frontEnd) clientList() []*client {
	f.mu.Lock()
	cs := make([]*client, 0, len(f.clients))
	for _, c := range f.clients {
		cs = append(cs, c)
	}
	f.mu.Unlock()
	sortClients(cs)
	return cs
}

// numClients is INFO's connected_clients.
func (f *frontEnd) numClients() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.clients)
}

// readLoop parses and runs requests; replies of a pipelined batch are
// queued together once no complete request is left in the buffer.
func (c *client) readLoop() {
	defer c.close()
	for {
		if err := c.rd.Peek(); err != nil {
			return
		}
		for {
			args, ok, err := c.rd.TryCommand()
			if err != nil {
				c.protocolError(err)
				return
			}
			if !ok {
				break
			}
			c.lastCmdAt.Store(time.Now().UnixMilli())
			c.execute(args)
			if c.quitAfterReply.Load() {
				c.flush()
				return
			}
		}
		in := c.rd.Consumed
		c.fe.stats.netIn.Add(in - c.countedIn)
		c.countedIn = in
		c.flush()
		if c.rd.Buffered() > 0 {
			// An incomplete request: read more of it.
			args, err := c.rd.ReadCommand()
			if err != nil {
				c.protocolError(err)
				return
			}
			c.lastCmdAt.Store(time.Now().UnixMilli())
			c.execute(args)
			c.flush()
			if c.quitAfterReply.Load() {
				return
			}
		}
	}
}

// protocolError answers a malformed request the way Redis does (an error,
// then the connection is closed); I/O errors just end the client.
func (c *client) protocolError(err error) {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		c.errorf(errProtocolFmt, pe.Msg)
		c.flush()
	}
}

// flush queues the replies written so far.
func (c *client) flush() {
	if len(c.w.Buf) == 0 {
		return
	}
	b := make([]byte, len(c.w.Buf))
	copy(b, c.w.Buf)
	c.w.Reset()
	c.queued.Add(int64(len(b)))
	select {
	case c.out <- b:
	case <-c.done:
	}
}

// push queues an out-of-band message without blocking; a client whose
// queue is full is disconnected.
func (c *client) push(b []byte) {
	select {
	case <-c.done:
		return
	default:
	}
	if c.queued.Load()+int64(len(b)) > pubsubOutputLimit {
		c.overflow()
		return
	}
	c.queued.Add(int64(len(b)))
	select {
	case c.out <- b:
	default:
		c.overflow()
	}
}

// overflow drops a client whose output went past the limits.
func (c *client) overflow() {
	if !c.aborted.Load() {
		c.fe.s.log.Warn("Client " + c.describe() + " scheduled to be closed ASAP for overcoming of output buffer limits.")
	}
	c.abort()
}

// writeLoop sends queued output to the socket until the client closes;
// after a close request it drains what is queued (the last reply) first.
func (c *client) writeLoop() {
	defer c.nc.Close()
	for {
		select {
		case b := <-c.out:
			if !c.write(b) {
				c.close()
				return
			}
		case <-c.done:
			for {
				select {
				case b := <-c.out:
					if !c.write(b) {
						return
					}
				default:
					return
				}
			}
		}
	}
}

func (c *client) write(b []byte) bool {
	if c.aborted.Load() {
		return false
	}
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	n, err := c.nc.Write(b)
	c.queued.Add(-int64(len(b)))
	c.fe.stats.netOut.Add(int64(n))
	return err == nil
}

// close ends the client: its reader stops at the next read, its writer
// after draining what is queued.
func (c *client) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		c.nc.SetReadDeadline(time.Now())
		c.fe.forget(c)
	})
}

// abort ends the client without waiting for its pending output (killed
// by another client, too slow, or the server is closing).
func (c *client) abort() {
	c.aborted.Store(true)
	c.nc.SetWriteDeadline(time.Now())
	c.close()
}
