package server

import (
	"strings"
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
	"redoubt/replication"
)

// Reply texts of the executor, worded as Redis words them.
const (
	errNoAuth        = "NOAUTH Authentication required."
	errReadOnly      = "READONLY You can't write against a read only replica."
	errOOM           = "OOM command not allowed when used memory > 'maxmemory'."
	errExecAbort     = "EXECABORT Transaction discarded because of previous errors."
	errPubSubContext = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	errNoMulti       = "ERR Command not allowed inside a transaction"
	errMasterDown    = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
)

// processCmd runs one request the way Redis's command dispatcher does:
// resolve, check arity and permissions, wait for a client pause, queue
// inside MULTI, else call. process (cmd_client.go) wraps it for CLIENT
// REPLY. Holds s.mu.
func (s *Server) processCmd(c *Client, args [][]byte) {
	now := s.clock
	c.lastInteract = now
	s.noteInput(c)
	s.ks.NowMs = now.UnixMilli()
	c.cmdCount++
	cmd := commands.Lookup(args[0])
	if cmd == nil {
		s.reject(c, commands.ErrUnknownCommand(args[0], args[1:]))
		return
	}
	if cmd.Subs != nil && len(args) >= 2 {
		sub := cmd.LookupSub(args[1])
		if sub == nil {
			s.reject(c, commands.ErrUnknownSubcommand(args[1], string(args[0])))
			return
		}
		cmd = sub
	}
	c.lastCmd = cmd.FullName()
	if !cmd.CheckArity(len(args)) {
		s.rejectCmd(c, cmd, commands.ErrArity(cmd.FullName()))
		return
	}
	if !c.authenticatedFlag.Load() && cmd.Flags&commands.NoAuth == 0 {
		s.rejectCmd(c, cmd, errNoAuth)
		return
	}
	if c.flags&(flagMonitor|flagReplica) != 0 && c.flags&flagMaster == 0 && touchesKeyspace(cmd) {
		s.rejectCmd(c, cmd, errReplicaKeyspace)
		return
	}
	if s.pause.until != 0 && s.mustWaitPause(c, cmd) {
		s.waitPause(c, cmd)
		if c.killed.Load() {
			return
		}
		s.clock = time.Now()
		s.ks.NowMs = s.clock.UnixMilli()
	}
	if c.flags&flagMulti != 0 && !multiControl(cmd) {
		if cmd.Flags&commands.NoMulti != 0 {
			s.rejectCmd(c, cmd, errNoMulti)
			return
		}
		q := queued{cmd: cmd, args: make([][]byte, len(args))}
		for i, a := range args {
			q.args[i] = append([]byte(nil), a...)
		}
		c.multi = append(c.multi, q)
		c.w.Simple("QUEUED")
		return
	}
	if msg := s.refuse(c, cmd); msg != "" {
		s.rejectCmd(c, cmd, msg)
		return
	}
	if s.pause.until != 0 {
		s.callUnderPause(c, cmd, args)
	} else {
		s.call(c, cmd, args, false)
	}
	s.afterCommand()
	s.replAfterCommand(c)
}

// reject answers a command refused before running; inside MULTI it also
// dooms the transaction.
func (s *Server) reject(c *Client, msg string) {
	if c.flags&flagMulti != 0 {
		c.flags |= flagDirtyExec
	}
	s.stats.rejectedCalls++
	s.noteRejectError(msg)
	c.w.Error(msg)
}

// multiControl lists the commands that run immediately inside MULTI.
func multiControl(cmd *commands.Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return cmd.Parent == nil
	}
	return false
}

// refuse applies the run-time checks (read-only replica, memory, pub/sub
// context, stale data) and returns the error to give, or "".
func (s *Server) refuse(c *Client, cmd *commands.Command) string {
	if c.flags&flagPubSub != 0 && c.w.Proto == 2 && !pubsubAllowed(cmd) {
		return strings.Replace(errPubSubContext, "%s", cmd.FullName(), 1)
	}
	if cmd.IsWrite() && s.ks.Replica && s.hot.replicaReadOnly && c.flags&flagMaster == 0 {
		return errReadOnly
	}
	if msg := s.staleRefusal(c, cmd); msg != "" {
		return msg
	}
	if msg := s.misconfRefusal(c, cmd); msg != "" {
		return msg
	}
	if msg := s.minReplicasRefusal(c, cmd); msg != "" {
		return msg
	}
	if cmd.Flags&commands.DenyOOM != 0 && s.hot.maxmemory > 0 && c.flags&flagMaster == 0 {
		if !s.evictForCommand() {
			return errOOM
		}
	}
	return ""
}

func pubsubAllowed(cmd *commands.Command) bool {
	switch cmd.Name {
	case "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// call runs a resolved command and records what it propagates. inExec is
// true for the commands EXEC runs. Holds s.mu.
func (s *Server) call(c *Client, cmd *commands.Command, args [][]byte, inExec bool) {
	// The client's Ctx is reused for speed; a command run from inside
	// another (EXEC's queue) gets its own so the outer one stays intact.
	ctx := &c.ctx
	if c.callDepth > 0 {
		ctx = &commands.Ctx{}
	}
	c.callDepth++
	defer func() { c.callDepth-- }()
	ctx.Reset()
	ctx.Args = args
	ctx.Cmd = cmd
	ctx.W = &c.w
	ctx.KS = s.ks
	ctx.DB = c.db
	ctx.Env = s
	ctx.Set = s.set
	ctx.Client = c
	ctx.InMulti = inExec
	if cmd.Flags&commands.TouchesArbitraryKeys != 0 {
		s.noWrap = true
	}
	mark := s.beforeProc(c, cmd, args)
	// One clock read per command: its end time is the next command's
	// start (reading the clock costs a system call on some hosts).
	start := s.clock
	s.ks.FromMaster = c.flags&flagMaster != 0
	cmd.Proc(ctx)
	s.ks.FromMaster = false
	s.clock = time.Now()
	dur := s.clock.Sub(start)
	s.collect(ctx.Finish())
	s.dirty += int64(ctx.Dirty)
	s.stats.record(cmd, dur)
	if s.hot.latencyThreshold > 0 {
		s.latencySampleCommand(c, cmd, dur)
	}
	s.afterProc(c, cmd, mark, dur)
	if cmd.Flags&commands.SkipMonitor == 0 && cmd.Flags&commands.Admin == 0 && len(s.monitors) > 0 {
		s.feedMonitors(c, args)
	}
	if cmd.Flags&commands.SkipSlowlog == 0 {
		s.slowlog.maybeAdd(c, args, dur, s.hot.slowlogSlower, s.hot.slowlogMax)
	}
}

// collect queues a command's propagation for the current top-level call.
func (s *Server) collect(ops []commands.PropOp) {
	for _, op := range ops {
		s.pending = append(s.pending, replication.Op{DB: op.DB, Args: op.Args})
	}
}

// afterCommand ends a top-level call: its propagation goes to the stream
// (wrapped in MULTI/EXEC when it produced several commands), then clients
// blocked on keys it made ready are served. Holds s.mu.
func (s *Server) afterCommand() {
	s.flushPropagation()
	if len(s.block.ready) > 0 {
		s.serveReady()
	}
}

func (s *Server) flushPropagation() {
	if len(s.pending) > 0 {
		// A replica's stream is its master's stream, byte for byte: what its
		// own clients cause (a PUBLISH, a write on a writable replica) is
		// never added to it, or offsets and the backlog would drift from
		// the master's and partial resyncs from it would break.
		if !s.ks.Replica {
			s.stream.Feed(s.pending, !s.noWrap)
		}
		for i := range s.pending {
			s.pending[i] = replication.Op{}
		}
		s.pending = s.pending[:0]
	}
	s.noWrap = false
}

// Modified implements commands.Env: WATCH invalidation.
func (s *Server) Modified(db *keyspace.DB, key string) {
	if len(s.watched) > 0 {
		s.touchWatched(db, key)
	}
}

// Notify implements commands.Env: keyspace notifications.
func (s *Server) Notify(class int, event string, db *keyspace.DB, key string) {
	s.notify(class, event, db, key)
}

// Ready implements commands.Env.
func (s *Server) Ready(db *keyspace.DB, key string) { s.signalReady(db, key) }

// Block implements commands.Env.
func (s *Server) Block(ctx *commands.Ctx, keys [][]byte, deadlineMs int64, timeoutReply func(w *resp.Writer)) {
	s.blockClient(ctx, keys, deadlineMs, timeoutReply)
}
