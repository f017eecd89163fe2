package commands

import (
	"fmt"

	"redoubt/internal/keyspace"
)

func init() {
	rwSlow := []string{"@write", "@stream", "@slow"}
	sub := func(name string, arity int, flags Flags, summary, complexity string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: 2, LastKey: 2, Step: 1, Proc: xgroupCmd,
			Group: "stream", Since: "5.0.0", Summary: summary, Complexity: complexity, ACL: rwSlow}
	}
	cc := sub("createconsumer", 5, Write|DenyOOM, "Create a consumer in a consumer group.", "O(1)")
	cc.Since = "6.2.0"
	Register(
		&Command{Name: "xgroup", Arity: -2, Proc: xgroupUnknownCmd, Group: "stream", Since: "5.0.0",
			Summary: "A container for consumer groups commands", Complexity: "Depends on subcommand.", ACL: []string{"@slow"},
			Subs: map[string]*Command{
				"help": {Name: "help", Arity: 2, Flags: Loading | Stale, Proc: xgroupCmd, Group: "stream", Since: "5.0.0",
					Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: []string{"@stream", "@slow"}},
				"create":         sub("create", -5, Write|DenyOOM, "Create a consumer group.", "O(1)"),
				"destroy":        sub("destroy", 4, Write, "Destroy a consumer group.", "O(N) where N is the number of entries in the group's pending entries list (PEL)."),
				"setid":          sub("setid", -5, Write, "Set a consumer group to an arbitrary last delivered ID value.", "O(1)"),
				"delconsumer":    sub("delconsumer", 5, Write, "Delete a consumer from a consumer group.", "O(1)"),
				"createconsumer": cc,
			}},
		&Command{Name: "xack", Arity: -4, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xackCmd,
			Group: "stream", Since: "5.0.0", Summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
			Complexity: "O(1) for each message ID processed.", ACL: []string{"@write", "@stream", "@fast"}},
	)
}

var xgroupHelp = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
	"HELP",
	"    Prints this help.",
}

func writeHelp(c *Ctx, lines []string) {
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}

// xSubSyntaxError is the reply for a subcommand given the wrong options.
func xSubSyntaxError(c *Ctx) {
	c.Error(fmt.Sprintf(ErrXSubSyntax, c.Args[1], upper(string(c.Args[0]))))
}

func xgroupUnknownCmd(c *Ctx) {
	c.Error(ErrUnknownSubcommand(c.Args[1], string(c.Args[0])))
}

// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP ...
func xgroupCmd(c *Ctx) {
	args := c.Args
	opt := args[1]
	if len(args) == 2 && Is(opt, "help") {
		writeHelp(c, xgroupHelp)
		return
	}
	mkstream := false
	entriesRead := int64(-1)
	var s *keyspace.Stream
	var g *keyspace.Group
	if len(args) >= 4 {
		if Is(opt, "create") && len(args) >= 5 {
			for i := 5; i < len(args); {
				switch {
				case Is(args[i], "mkstream"):
					mkstream = true
					i++
				case Is(args[i], "entriesread") && i+1 < len(args):
					n, ok := c.Int(i + 1)
					if !ok {
						return
					}
					if n < 0 && n != -1 {
						c.Error(ErrXEntriesRead)
						return
					}
					entriesRead = n
					i += 2
				default:
					xSubSyntaxError(c)
					return
				}
			}
		}
		var ok bool
		if s, ok = streamLookup(c, c.Key(2), true); !ok {
			return
		}
		// Everything but CREATE ... MKSTREAM needs the key, and the
		// subcommands acting on a group need the group.
		if !mkstream {
			if s == nil {
				c.Error(ErrXGroupNoKey)
				return
			}
			g = s.Group(c.Key(3))
			if g == nil && (Is(opt, "setid") || Is(opt, "createconsumer") || Is(opt, "delconsumer")) {
				c.Error(fmt.Sprintf(ErrXNoGroupForKey, args[3], args[2]))
				return
			}
		}
	}
	key := c.Key(2)
	switch {
	case Is(opt, "create") && len(args) >= 5 && len(args) <= 8:
		var id keyspace.StreamID
		if len(args[4]) == 1 && args[4][0] == '$' {
			if s != nil {
				id = s.LastID
			}
		} else {
			var ok bool
			if id, ok = xParseID(c, 4, 0, true); !ok {
				return
			}
		}
		if s == nil {
			s = keyspace.NewStream()
			c.DB.Add(key, keyspace.Object{Type: keyspace.TStream, Val: s})
			c.Modified(key)
			c.Dirty--
		}
		if s.CreateGroup(string(args[3]), id, entriesRead) == nil {
			c.Error(ErrXBusyGroup)
			return
		}
		c.Dirty++
		c.Notify(NotifyStream, "xgroup-create", key)
		c.W.OK()
	case Is(opt, "setid") && (len(args) == 5 || len(args) == 7):
		var id keyspace.StreamID
		if len(args[4]) == 1 && args[4][0] == '$' {
			id = s.LastID
		} else {
			var ok bool
			if id, ok = xParseID(c, 4, 0, false); !ok {
				return
			}
		}
		read := int64(-1)
		if len(args) == 7 {
			if !Is(args[5], "entriesread") {
				xSubSyntaxError(c)
				return
			}
			n, ok := c.Int(6)
			if !ok {
				return
			}
			if n < 0 && n != -1 {
				c.Error(ErrXEntriesRead)
				return
			}
			read = n
		}
		g.LastID, g.EntriesRead = id, read
		c.Dirty++
		c.Notify(NotifyStream, "xgroup-setid", key)
		c.W.OK()
	case Is(opt, "destroy") && len(args) == 4:
		if g == nil || !s.DestroyGroup(g.Name) {
			c.W.Int(0)
			return
		}
		c.Dirty++
		c.Notify(NotifyStream, "xgroup-destroy", key)
		// Readers blocked on the group must learn it is gone.
		c.Ready(key)
		c.W.Int(1)
	case Is(opt, "createconsumer") && len(args) == 5:
		if g.CreateConsumer(string(args[4]), c.KS.NowMs) == nil {
			c.W.Int(0)
			return
		}
		c.Dirty++
		c.Notify(NotifyStream, "xgroup-createconsumer", key)
		c.W.Int(1)
	case Is(opt, "delconsumer") && len(args) == 5:
		pending := 0
		if cons := g.Consumer(c.Key(4)); cons != nil {
			pending = g.DeleteConsumer(cons)
			c.Dirty++
			c.Notify(NotifyStream, "xgroup-delconsumer", key)
		}
		c.W.Int(int64(pending))
	default:
		xSubSyntaxError(c)
	}
}

// XACK key group id [id ...]: all IDs are checked before any is acked.
func xackCmd(c *Ctx) {
	s, ok := streamLookup(c, c.Key(1), true)
	if !ok {
		return
	}
	g := s.Group(c.Key(2))
	if g == nil {
		c.W.Int(0)
		return
	}
	var small [8]keyspace.StreamID
	ids := small[:0]
	for i := 3; i < len(c.Args); i++ {
		id, ok := xParseID(c, i, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := 0
	for _, id := range ids {
		if g.Ack(id) {
			acked++
		}
	}
	c.Dirty += acked
	c.W.Int(int64(acked))
}
