package server

import (
	"redoubt/commands"
	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
	"time"
)

// Blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK ...). A command that
// cannot be served parks its client on its keys. When a write makes one
// of those keys ready, the parked commands are run again in the order the
// clients blocked, each as a command of its own (its own propagation);
// one that still cannot be served stays parked with its first deadline.

// watchKey names a key in a database (for WATCH and blocking).
type watchKey struct {
	db  int
	key string
}

type blockState struct {
	keys     []watchKey
	deadline int64 // Unix ms; 0 = none
	cmd      *commands.Command
	args     [][]byte
	db       *keyspace.DB
	timeout  func(w *resp.Writer)
}

type blocking struct {
	on       map[watchKey][]*Client
	ready    []watchKey
	readySet map[watchKey]struct{}
	// reblocked is set when a re-run command asked to block again.
	reblocked bool
	count     int
}

func (b *blocking) init() {
	b.on = make(map[watchKey][]*Client)
	b.readySet = make(map[watchKey]struct{})
}

// blockClient parks the client running ctx. Holds s.mu.
func (s *Server) blockClient(ctx *commands.Ctx, keys [][]byte, deadline int64, timeout func(w *resp.Writer)) {
	if ctx.Reprocessing {
		s.block.reblocked = true
		return
	}
	c, ok := ctx.Client.(*Client)
	if !ok {
		timeout(ctx.W)
		return
	}
	st := &blockState{deadline: deadline, cmd: ctx.Cmd, db: ctx.DB, timeout: timeout}
	st.args = make([][]byte, len(ctx.Args))
	for i, a := range ctx.Args {
		st.args[i] = append([]byte(nil), a...)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		wk := watchKey{ctx.DB.ID, string(k)}
		st.keys = append(st.keys, wk)
		s.block.on[wk] = append(s.block.on[wk], c)
	}
	c.blocked = st
	s.block.count++
}

// unblock removes a client from the blocking tables (no reply). Holds s.mu.
func (s *Server) unblock(c *Client) {
	st := c.blocked
	if st == nil {
		return
	}
	for _, wk := range st.keys {
		list := s.block.on[wk]
		for i, x := range list {
			if x == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.block.on, wk)
		} else {
			s.block.on[wk] = list
		}
	}
	c.blocked = nil
	s.block.count--
}

// wakeClient tells a parked client's goroutine it may go on.
func (c *Client) wakeUp() {
	select {
	case c.unblockCh <- struct{}{}:
	default:
	}
}

// timeoutBlocked answers a blocked client with its timeout reply.
func (s *Server) timeoutBlocked(c *Client) {
	st := c.blocked
	s.unblock(c)
	st.timeout(&c.w)
}

// signalReady records that key may now serve blocked clients.
func (s *Server) signalReady(db *keyspace.DB, key string) {
	if len(s.block.on) == 0 {
		return
	}
	wk := watchKey{db.ID, key}
	if _, ok := s.block.on[wk]; !ok {
		return
	}
	if _, ok := s.block.readySet[wk]; ok {
		return
	}
	wk.key = string([]byte(key))
	s.block.readySet[wk] = struct{}{}
	s.block.ready = append(s.block.ready, wk)
}

// readyAfterSwap marks every key of db that blocked clients wait on as
// ready (SWAPDB may have brought them data).
func (s *Server) readyAfterSwap(db *keyspace.DB) {
	for wk := range s.block.on {
		if wk.db == db.ID && db.Peek(wk.key) != nil {
			s.signalReady(db, wk.key)
		}
	}
}

// serveReady re-runs the commands of clients blocked on ready keys, until
// no key is left ready. Holds s.mu.
func (s *Server) serveReady() {
	for len(s.block.ready) > 0 {
		ready := s.block.ready
		s.block.ready = nil
		for _, wk := range ready {
			delete(s.block.readySet, wk)
		}
		for _, wk := range ready {
			waiting := append([]*Client(nil), s.block.on[wk]...)
			for _, c := range waiting {
				st := c.blocked
				if st == nil {
					continue
				}
				// A deleted key is re-run too: XREADGROUP then answers
				// that the stream is gone; other commands block again.
				s.rerunBlocked(c, st)
			}
		}
	}
}

// rerunBlocked runs a parked command again; if it was served the client
// is released and woken.
func (s *Server) rerunBlocked(c *Client, st *blockState) {
	s.block.reblocked = false
	saved := c.db
	c.db = st.db
	s.clock = time.Now()
	s.ks.NowMs = s.clock.UnixMilli()
	ctx := &c.ctx
	ctx.Reset()
	ctx.Args, ctx.Cmd, ctx.W, ctx.KS, ctx.DB = st.args, st.cmd, &c.w, s.ks, st.db
	ctx.Env, ctx.Set, ctx.Client, ctx.InMulti = s, s.set, c, false
	ctx.Reprocessing = true
	st.cmd.Proc(ctx)
	ctx.Reprocessing = false
	s.collect(ctx.Finish())
	s.dirty += int64(ctx.Dirty)
	c.db = saved
	s.flushPropagation()
	if s.block.reblocked {
		s.block.reblocked = false
		return
	}
	s.unblock(c)
	c.wakeUp()
}

// unblockByRequest implements CLIENT UNBLOCK: with asError the client gets
// an UNBLOCKED error, else its timeout reply.
func (s *Server) unblockByRequest(c *Client, asError bool) bool {
	st := c.blocked
	if st == nil {
		return false
	}
	s.unblock(c)
	if asError {
		c.w.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
	} else {
		st.timeout(&c.w)
	}
	c.wakeUp()
	return true
}

// errUnblockedRoleChange is what a blocked client gets when its server
// turns into a replica (Redis 7.0's wording, byte for byte).
const errUnblockedRoleChange = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"

// unblockAllForRoleChange answers every client parked in a blocking
// command (lists, sorted sets, streams, WAIT) with the UNBLOCKED error
// and closes it once that reply is written, as Redis does when it
// becomes a replica: what those clients wait for may never happen here.
// Clients held by CLIENT PAUSE are not blocked in this sense and stay.
// Holds s.mu.
func (s *Server) unblockAllForRoleChange() {
	for _, c := range s.sortedClients() {
		if c.blocked == nil || c.flags&(flagMaster|flagReplica) != 0 {
			continue
		}
		delete(s.rm.waiters, c)
		s.unblock(c)
		c.w.Error(errUnblockedRoleChange)
		out := c.w.Buf
		c.w.Buf = nil
		c.wakeUp()
		// The client's goroutine may be reading again by the time the
		// reply is out; closing the connection ends that read.
		go func() {
			c.flushMu.Lock()
			c.writeOut(out)
			s.mu.Lock()
			s.dropClient(c)
			s.mu.Unlock()
		}()
	}
}
