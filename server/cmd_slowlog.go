package server

import (
	"redoubt/commands"
)

// SLOWLOG GET [count] | LEN | RESET | HELP. GET returns the newest count
// entries (10 by default, -1 for all), each as [id, unix time, duration
// in µs, arguments, client address, client name]. Entry ids keep growing
// across RESET.

const errSlowlogCount = "ERR count should be greater than or equal to -1"

func init() {
	admin := commands.Admin | commands.Loading | commands.Stale
	acl := []string{"@admin", "@slow", "@dangerous"}
	sub := func(name string, arity int, flags commands.Flags, proc func(*commands.Ctx), summary, complexity string, acl []string, tips ...string) *commands.Command {
		return &commands.Command{Name: name, Arity: arity, Flags: flags, Proc: proc, Group: "server", Since: "2.2.12",
			Summary: summary, Complexity: complexity, ACL: acl, Tips: tips}
	}
	help := sub("help", 2, commands.Loading|commands.Stale, slowlogHelpCmd, "Show helpful text about the different subcommands", "O(1)", []string{"@slow"})
	help.Since = "6.2.0"
	commands.Register(&commands.Command{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12",
		Summary: "A container for slow log commands", Complexity: "Depends on subcommand.", Proc: slowlogHelpCmd,
		Subs: map[string]*commands.Command{
			"get": sub("get", -2, admin, slowlogGetCmd, "Get the slow log's entries", "O(N) where N is the number of entries returned", acl,
				"request_policy:all_nodes", "nondeterministic_output"),
			"len": sub("len", 2, admin, slowlogLenCmd, "Get the slow log's length", "O(1)", acl,
				"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"),
			"reset": sub("reset", 2, admin, slowlogResetCmd, "Clear all entries from the slow log", "O(N) where N is the number of entries in the slowlog", acl,
				"request_policy:all_nodes", "response_policy:all_succeeded"),
			"help": help,
		}})
}

func slowlogHelpCmd(c *commands.Ctx) {
	writeHelp(c, "SLOWLOG", []string{
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	})
}

// subcommandSyntaxError is Redis's reply for a subcommand given a wrong
// number of arguments that its arity alone does not catch.
func subcommandSyntaxError(c *commands.Ctx) {
	parent := ""
	if c.Cmd.Parent != nil {
		parent = c.Cmd.Parent.Name
	}
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try " + upperASCII(parent) + " HELP.")
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'a' && ch <= 'z' {
			b[i] = ch - 32
		}
	}
	return string(b)
}

func slowlogGetCmd(c *commands.Ctx) {
	if len(c.Args) > 3 {
		subcommandSyntaxError(c)
		return
	}
	l := &cl(c).srv.slowlog
	count := int64(10)
	if len(c.Args) == 3 {
		n, ok := commands.ParseIntArg(c.Args[2])
		if !ok || n < -1 {
			c.Error(errSlowlogCount)
			return
		}
		count = n
	}
	n := len(l.entries)
	if count >= 0 && count < int64(n) {
		n = int(count)
	}
	c.W.Array(n)
	for _, e := range l.entries[:n] {
		c.W.Array(6)
		c.W.Int(e.id)
		c.W.Int(e.when)
		c.W.Int(e.micros)
		c.W.Array(len(e.args))
		for _, a := range e.args {
			c.W.Bulk(a)
		}
		c.W.BulkString(e.peer)
		c.W.BulkString(e.name)
	}
}

func slowlogLenCmd(c *commands.Ctx) { c.W.Int(int64(len(cl(c).srv.slowlog.entries))) }

func slowlogResetCmd(c *commands.Ctx) {
	l := &cl(c).srv.slowlog
	clear(l.entries)
	l.entries = l.entries[:0]
	c.W.OK()
}
