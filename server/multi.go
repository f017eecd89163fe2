package server

import (
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
)

// Transactions: MULTI queues commands, EXEC runs them back to back under
// the one execution lock, so nothing interleaves. WATCHed keys touched by
// anyone before EXEC make EXEC answer with a null reply and run nothing.

const (
	errMultiNested   = "ERR MULTI calls can not be nested"
	errExecNoMulti   = "ERR EXEC without MULTI"
	errDiscardNoMult = "ERR DISCARD without MULTI"
	errWatchInMulti  = "ERR WATCH inside MULTI is not allowed"
)

func nowMs() int64 { return time.Now().UnixMilli() }

func init() {
	commands.Register(
		&commands.Command{Name: "multi", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.AllowBusy,
			Proc: multiCmd, Group: "transactions", Since: "1.2.0", Summary: "Mark the start of a transaction block", Complexity: "O(1)", ACL: []string{"@fast", "@transaction"}},
		&commands.Command{Name: "exec", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.SkipSlowlog,
			Proc: execCmd, Group: "transactions", Since: "1.2.0", Summary: "Execute all commands issued after MULTI", Complexity: "Depends on commands in the transaction", ACL: []string{"@slow", "@transaction"}},
		&commands.Command{Name: "discard", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.AllowBusy,
			Proc: discardCmd, Group: "transactions", Since: "2.0.0", Summary: "Discard all commands issued after MULTI", Complexity: "O(N), when N is the number of queued commands", ACL: []string{"@fast", "@transaction"}},
		&commands.Command{Name: "watch", Arity: -2, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.AllowBusy,
			FirstKey: 1, LastKey: -1, Step: 1, Proc: watchCmd, Group: "transactions", Since: "2.2.0", Summary: "Watch the given keys to determine execution of the MULTI/EXEC block", Complexity: "O(1) for every key.", ACL: []string{"@fast", "@transaction"}},
		&commands.Command{Name: "unwatch", Arity: 1, Flags: commands.NoScript | commands.Loading | commands.Stale | commands.Fast | commands.AllowBusy,
			Proc: unwatchCmd, Group: "transactions", Since: "2.2.0", Summary: "Forget about all watched keys", Complexity: "O(1)", ACL: []string{"@fast", "@transaction"}},
	)
}

func cl(c *commands.Ctx) *Client { return c.Client.(*Client) }

func multiCmd(c *commands.Ctx) {
	cli := cl(c)
	if cli.flags&flagMulti != 0 {
		c.Error(errMultiNested)
		return
	}
	cli.flags |= flagMulti
	c.W.OK()
}

func discardCmd(c *commands.Ctx) {
	cli := cl(c)
	if cli.flags&flagMulti == 0 {
		c.Error(errDiscardNoMult)
		return
	}
	cli.srv.discardTransaction(cli)
	c.W.OK()
}

// discardTransaction drops the queue and the watches.
func (s *Server) discardTransaction(c *Client) {
	c.multi = nil
	c.flags &^= flagMulti | flagDirtyCAS | flagDirtyExec
	s.unwatchAll(c)
}

func execCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if cli.flags&flagMulti == 0 {
		c.Error(errExecNoMulti)
		return
	}
	if cli.flags&flagDirtyExec != 0 {
		c.Error(errExecAbort)
		s.discardTransaction(cli)
		return
	}
	if cli.flags&flagDirtyCAS != 0 || s.watchedExpired(cli) {
		c.W.NullArray()
		s.discardTransaction(cli)
		return
	}
	queue := cli.multi
	cli.multi = nil
	cli.flags &^= flagMulti
	s.unwatchAll(cli)
	c.W.Array(len(queue))
	for _, q := range queue {
		if msg := s.refuse(cli, q.cmd); msg != "" {
			c.W.Error(msg)
			continue
		}
		s.call(cli, q.cmd, q.args, true)
	}
	// EXEC itself is not propagated: what its commands collected is, as
	// one unit (wrapped when several).
	c.PreventPropagation()
	cli.flags &^= flagDirtyCAS | flagDirtyExec
}

func watchCmd(c *commands.Ctx) {
	cli := cl(c)
	if cli.flags&flagMulti != 0 {
		c.Error(errWatchInMulti)
		return
	}
	s := cli.srv
	for _, a := range c.Args[1:] {
		wk := watchKey{c.DB.ID, string(a)}
		dup := false
		for _, w := range cli.watched {
			if w == wk {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		cli.watched = append(cli.watched, wk)
		s.watched[wk] = append(s.watched[wk], cli)
		// Redis 7.0 remembers a key that was already expired when watched,
		// so that its later deletion does not count as a change.
		if c.DB.Peek(wk.key) != nil && c.DB.IsExpired(wk.key) {
			cli.watchedExpiredKeys().add(wk)
		}
	}
	c.W.OK()
}

func unwatchCmd(c *commands.Ctx) {
	cli := cl(c)
	cli.srv.unwatchAll(cli)
	cli.flags &^= flagDirtyCAS
	c.W.OK()
}

// unwatchAll forgets every key the client watches. Holds s.mu.
func (s *Server) unwatchAll(c *Client) {
	for _, wk := range c.watched {
		list := s.watched[wk]
		for i, x := range list {
			if x == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.watched, wk)
		} else {
			s.watched[wk] = list
		}
	}
	c.watched = nil
	c.expiredWatch = nil
}

// touchWatched marks the watchers of key dirty.
func (s *Server) touchWatched(db *keyspace.DB, key string) {
	if len(s.watched) == 0 {
		return
	}
	wk := watchKey{db.ID, key}
	for _, c := range s.watched[wk] {
		if c.expiredWatch != nil && c.expiredWatch.has(wk) && db.Peek(key) == nil {
			// The key was already logically gone when watched and is
			// only now being removed: not a change.
			continue
		}
		c.flags |= flagDirtyCAS
	}
}

// touchWatchedDB marks dirty the watchers of every key of db that exists
// in db or in other (FLUSH passes other=nil; SWAPDB passes the partner).
func (s *Server) touchWatchedDB(db, other *keyspace.DB) {
	for wk, list := range s.watched {
		if wk.db != db.ID {
			continue
		}
		if db.Peek(wk.key) == nil && (other == nil || other.Peek(wk.key) == nil) {
			continue
		}
		for _, c := range list {
			c.flags |= flagDirtyCAS
		}
	}
}

// watchedExpired reports whether a watched key that existed when watched
// has since expired (Redis 7.0 fails EXEC for it).
func (s *Server) watchedExpired(c *Client) bool {
	for _, wk := range c.watched {
		if c.expiredWatch != nil && c.expiredWatch.has(wk) {
			continue
		}
		db := s.ks.DBs[wk.db]
		if db.Peek(wk.key) != nil && db.IsExpired(wk.key) {
			return true
		}
	}
	return false
}

type watchSet map[watchKey]struct{}

func (w watchSet) add(k watchKey)      { w[k] = struct{}{} }
func (w watchSet) has(k watchKey) bool { _, ok := w[k]; return ok }

func (c *Client) watchedExpiredKeys() watchSet {
	if c.expiredWatch == nil {
		c.expiredWatch = watchSet{}
	}
	return c.expiredWatch
}
