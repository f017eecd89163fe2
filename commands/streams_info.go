package commands

import (
	"fmt"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	roSlow := []string{"@read", "@stream", "@slow"}
	sub := func(name string, arity int, summary string) *Command {
		return &Command{Name: name, Arity: arity, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Proc: xinfoCmd,
			Group: "stream", Since: "5.0.0", Summary: summary, Complexity: "O(1)", ACL: roSlow}
	}
	consumers := sub("consumers", 4, "List the consumers in a consumer group")
	consumers.Tips = []string{"nondeterministic_output"}
	Register(
		&Command{Name: "xinfo", Arity: -2, Proc: xinfoUnknownCmd, Group: "stream", Since: "5.0.0",
			Summary: "A container for stream introspection commands", Complexity: "Depends on subcommand.", ACL: []string{"@slow"},
			Subs: map[string]*Command{
				"help": {Name: "help", Arity: 2, Flags: Loading | Stale, Proc: xinfoCmd, Group: "stream", Since: "5.0.0",
					Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: []string{"@stream", "@slow"}},
				"consumers": consumers,
				"groups":    sub("groups", 3, "List the consumer groups of a stream"),
				"stream":    sub("stream", -3, "Get information about a stream"),
			}},
	)
}

var xinfoHelp = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Prints this help.",
}

func xinfoUnknownCmd(c *Ctx) {
	c.Error(ErrUnknownSubcommand(c.Args[1], string(c.Args[0])))
}

// XINFO STREAM key [FULL [COUNT n]] | GROUPS key | CONSUMERS key group | HELP
func xinfoCmd(c *Ctx) {
	args := c.Args
	if Is(args[1], "help") {
		if len(args) != 2 {
			xSubSyntaxError(c)
			return
		}
		writeHelp(c, xinfoHelp)
		return
	}
	if len(args) < 3 {
		xSubSyntaxError(c)
		return
	}
	s, ok := streamLookup(c, c.Key(2), false)
	if !ok {
		return
	}
	if s == nil {
		c.Error(ErrXInfoNoSuchKey)
		return
	}
	w := c.W
	switch {
	case Is(args[1], "consumers") && len(args) == 4:
		g := s.Group(c.Key(3))
		if g == nil {
			c.Error(fmt.Sprintf(ErrXNoGroupForKey, args[3], args[2]))
			return
		}
		list := g.Consumers()
		w.Array(len(list))
		for _, cons := range list {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(cons.Name)
			w.BulkString("pending")
			w.Int(int64(cons.PEL.Len()))
			w.BulkString("idle")
			w.Int(max(c.KS.NowMs-cons.SeenTime, 0))
		}
	case Is(args[1], "groups") && len(args) == 3:
		list := s.Groups()
		w.Array(len(list))
		for _, g := range list {
			w.Map(6)
			w.BulkString("name")
			w.BulkString(g.Name)
			w.BulkString("consumers")
			w.Int(int64(g.NumConsumers()))
			w.BulkString("pending")
			w.Int(int64(g.PEL.Len()))
			w.BulkString("last-delivered-id")
			writeStreamID(w, g.LastID)
			w.BulkString("entries-read")
			writeEntriesRead(w, g.EntriesRead)
			w.BulkString("lag")
			writeLag(w, s, g)
		}
	case Is(args[1], "stream"):
		xinfoStream(c, s)
	default:
		xSubSyntaxError(c)
	}
}

func writeEntriesRead(w *resp.Writer, n int64) {
	if n == -1 {
		w.NullBulk()
	} else {
		w.Int(n)
	}
}

// writeLag writes how many entries the group has yet to read, or null
// when deletions make that unknowable.
func writeLag(w *resp.Writer, s *keyspace.Stream, g *keyspace.Group) {
	switch {
	case s.EntriesAdded == 0:
		w.Int(0)
	case g.EntriesRead != -1 && !s.RangeHasTombstones(&g.LastID, nil):
		w.Int(int64(s.EntriesAdded) - g.EntriesRead)
	default:
		if read := s.EstimateEntriesRead(g.LastID); read != -1 {
			w.Int(int64(s.EntriesAdded) - read)
		} else {
			w.NullBulk()
		}
	}
}

// xinfoStream is XINFO STREAM key [FULL [COUNT n]]: the stream's
// counters, then either its first and last entries and group count, or
// (FULL) its first COUNT entries (10 by default, 0 for all) and every
// group with its PEL and consumers.
func xinfoStream(c *Ctx, s *keyspace.Stream) {
	args := c.Args[3:]
	full := len(args) > 0
	count := int64(10)
	if full {
		if (len(args) != 1 && len(args) != 3) || !Is(args[0], "full") {
			xSubSyntaxError(c)
			return
		}
		if len(args) == 3 {
			if !Is(args[1], "count") {
				xSubSyntaxError(c)
				return
			}
			n, ok := c.Int(5)
			if !ok {
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
	}
	w := c.W
	if full {
		w.Map(9)
	} else {
		w.Map(10)
	}
	w.BulkString("length")
	w.Int(int64(s.Length()))
	w.BulkString("radix-tree-keys")
	w.Int(int64(s.NodeCount()))
	w.BulkString("radix-tree-nodes")
	w.Int(int64(s.RadixNodes()))
	w.BulkString("last-generated-id")
	writeStreamID(w, s.LastID)
	w.BulkString("max-deleted-entry-id")
	writeStreamID(w, s.MaxDeletedID)
	w.BulkString("entries-added")
	w.Int(int64(s.EntriesAdded))
	w.BulkString("recorded-first-entry-id")
	writeStreamID(w, s.FirstID)
	if !full {
		w.BulkString("groups")
		w.Int(int64(s.NumGroups()))
		for _, rev := range []bool{false, true} {
			if rev {
				w.BulkString("last-entry")
			} else {
				w.BulkString("first-entry")
			}
			it := s.Iter(keyspace.StreamID{}, keyspace.MaxStreamID, rev)
			if id, e, ok := it.Next(); ok {
				writeEntry(w, id, e)
			} else {
				w.NullBulk()
			}
		}
		return
	}
	w.BulkString("entries")
	xserveRange(w, s, keyspace.StreamID{}, count)
	w.BulkString("groups")
	groups := s.Groups()
	w.Array(len(groups))
	for _, g := range groups {
		w.Map(7)
		w.BulkString("name")
		w.BulkString(g.Name)
		w.BulkString("last-delivered-id")
		writeStreamID(w, g.LastID)
		w.BulkString("entries-read")
		writeEntriesRead(w, g.EntriesRead)
		w.BulkString("lag")
		writeLag(w, s, g)
		w.BulkString("pel-count")
		w.Int(int64(g.PEL.Len()))
		w.BulkString("pending")
		d := w.DeferArray()
		n := int64(0)
		g.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, nack *keyspace.NACK) bool {
			if count != 0 && n >= count {
				return false
			}
			w.Array(4)
			writeStreamID(w, id)
			w.BulkString(nack.Consumer.Name)
			w.Int(nack.DeliveryTime)
			w.Int(int64(nack.DeliveryCount))
			n++
			return true
		})
		w.Fill(d, int(n))
		w.BulkString("consumers")
		list := g.Consumers()
		w.Array(len(list))
		for _, cons := range list {
			w.Map(4)
			w.BulkString("name")
			w.BulkString(cons.Name)
			w.BulkString("seen-time")
			w.Int(cons.SeenTime)
			w.BulkString("pel-count")
			w.Int(int64(cons.PEL.Len()))
			w.BulkString("pending")
			d := w.DeferArray()
			n := int64(0)
			cons.PEL.Ascend(keyspace.StreamID{}, func(id keyspace.StreamID, nack *keyspace.NACK) bool {
				if count != 0 && n >= count {
					return false
				}
				w.Array(3)
				writeStreamID(w, id)
				w.Int(nack.DeliveryTime)
				w.Int(int64(nack.DeliveryCount))
				n++
				return true
			})
			w.Fill(d, int(n))
		}
	}
}
