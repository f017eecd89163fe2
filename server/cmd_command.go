package server

import (
	"sort"
	"strings"

	"redoubt/commands"
	"redoubt/internal/glob"
	"redoubt/internal/resp"
)

// COMMAND and its subcommands describe the command table in Redis 7.0's
// shapes. An entry of COMMAND / COMMAND INFO has ten elements: name,
// arity, flags, first key, last key, key step, ACL categories, tips, key
// specifications and subcommands. The table only knows the legacy
// (first, last, step) key positions, so each command gets one key
// specification built from them: begin at index first, then a range
// ending lastkey arguments after it (negative: counted from the end) in
// steps of step. Commands whose keys a function finds get a
// specification of unknown type and the movablekeys flag. Key access
// flags are derived from the command's flags (RO/access for read-only
// commands, RM/delete for DEL and UNLINK, RW/update for other writes).
// COMMAND DOCS has summary, since, group, complexity and subcommands
// (no argument descriptions). Entries are listed in name order.

const (
	errInvalidCommand = "ERR Invalid command specified"
	errNoKeyArgs      = "ERR The command has no key arguments"
	errInvalidArgc    = "ERR Invalid number of arguments specified for command"
	errInvalidArgs    = "ERR Invalid arguments specified for command"
)

func init() {
	f := commands.Loading | commands.Stale
	acl := []string{"@slow", "@connection"}
	order := []string{"nondeterministic_output_order"}
	sub := func(name string, arity int, proc func(*commands.Ctx), since, summary, complexity string, tips []string) *commands.Command {
		return &commands.Command{Name: name, Arity: arity, Flags: f, Proc: proc, Group: "server", Since: since,
			Summary: summary, Complexity: complexity, ACL: acl, Tips: tips}
	}
	nArgs := "O(N) where N is the number of arguments to the command"
	commands.Register(&commands.Command{Name: "command", Arity: -1, Flags: f, Proc: commandCmd, Group: "server", Since: "2.8.13",
		Summary: "Get array of Redis command details", Complexity: "O(N) where N is the total number of Redis commands", ACL: acl, Tips: order,
		Subs: map[string]*commands.Command{
			"count": sub("count", 2, commandCountCmd, "2.8.13", "Get total number of Redis commands", "O(1)", nil),
			"list": sub("list", -2, commandListCmd, "7.0.0", "Get an array of Redis command names",
				"O(N) where N is the total number of Redis commands", order),
			"info": sub("info", -2, commandInfoCmd, "2.8.13", "Get array of specific Redis command details, or all when no argument is given.",
				"O(N) where N is the number of commands to look up", order),
			"docs": sub("docs", -2, commandDocsCmd, "7.0.0", "Get array of specific Redis command documentation",
				"O(N) where N is the number of commands to look up", order),
			"getkeys":         sub("getkeys", -4, commandGetkeysCmd, "2.8.13", "Extract keys given a full Redis command", nArgs, nil),
			"getkeysandflags": sub("getkeysandflags", -4, commandGetkeysAndFlagsCmd, "7.0.0", "Extract keys and access flags given a full Redis command", nArgs, nil),
			"help":            sub("help", 2, commandHelpCmd, "5.0.0", "Show helpful text about the different subcommands", "O(1)", nil),
		}})
}

// lookupCommandFullName finds "name" or "container|sub", ignoring case.
func lookupCommandFullName(name string) *commands.Command {
	base, sub, hasSub := strings.Cut(name, "|")
	cmd := commands.Lookup([]byte(base))
	if cmd == nil || !hasSub {
		return cmd
	}
	if strings.Contains(sub, "|") {
		return nil
	}
	return cmd.LookupSub([]byte(sub))
}

// sortedSubs lists a container's subcommands by name.
func sortedSubs(cmd *commands.Command) []*commands.Command {
	out := make([]*commands.Command, 0, len(cmd.Subs))
	for _, s := range cmd.Subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func commandCmd(c *commands.Ctx) {
	all := commands.All()
	c.W.Array(len(all))
	for _, cmd := range all {
		writeCommandInfo(c.W, cmd)
	}
}

func commandCountCmd(c *commands.Ctx) { c.W.Int(int64(commands.Count())) }

func commandHelpCmd(c *commands.Ctx) {
	writeHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}

// COMMAND INFO [name ...]: a null for each unknown name.
func commandInfoCmd(c *commands.Ctx) {
	if len(c.Args) == 2 {
		commandCmd(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, a := range c.Args[2:] {
		if cmd := lookupCommandFullName(string(a)); cmd != nil {
			writeCommandInfo(c.W, cmd)
		} else {
			c.W.NullBulk()
		}
	}
}

// COMMAND DOCS [name ...]: a map from name to documentation; unknown
// names are left out.
func commandDocsCmd(c *commands.Ctx) {
	var list []*commands.Command
	if len(c.Args) == 2 {
		list = commands.All()
	} else {
		for _, a := range c.Args[2:] {
			if cmd := lookupCommandFullName(string(a)); cmd != nil {
				list = append(list, cmd)
			}
		}
	}
	c.W.Map(len(list))
	for _, cmd := range list {
		c.W.BulkString(cmd.FullName())
		writeCommandDocs(c.W, cmd)
	}
}

func writeCommandDocs(w *resp.Writer, cmd *commands.Command) {
	// Fields without a value (MONITOR has no complexity) are left out.
	var fields [][2]string
	for _, f := range [][2]string{{"summary", cmd.Summary}, {"since", cmd.Since}, {"group", cmd.Group}, {"complexity", cmd.Complexity}} {
		if f[1] != "" {
			fields = append(fields, f)
		}
	}
	n := len(fields)
	if len(cmd.Subs) > 0 {
		n++
	}
	w.Map(n)
	for _, f := range fields {
		w.BulkString(f[0])
		w.BulkString(f[1])
	}
	if len(cmd.Subs) > 0 {
		w.BulkString("subcommands")
		subs := sortedSubs(cmd)
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.FullName())
			writeCommandDocs(w, s)
		}
	}
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]
// names every command and subcommand ("container|sub").
func commandListCmd(c *commands.Ctx) {
	var keep func(cmd *commands.Command) bool
	for i := 2; i < len(c.Args); i++ {
		if !commands.Is(c.Args[i], "filterby") || len(c.Args)-1-i != 2 {
			c.SyntaxError()
			return
		}
		arg := string(c.Args[i+2])
		switch kind := c.Args[i+1]; {
		case commands.Is(kind, "module"):
			keep = func(*commands.Command) bool { return false }
		case commands.Is(kind, "aclcat"):
			cat := "@" + strings.ToLower(arg)
			keep = func(cmd *commands.Command) bool {
				for _, a := range aclCategories(cmd) {
					if strings.EqualFold(a, cat) {
						return true
					}
				}
				return false
			}
		case commands.Is(kind, "pattern"):
			keep = func(cmd *commands.Command) bool { return glob.MatchString(arg, cmd.FullName(), true) }
		default:
			c.SyntaxError()
			return
		}
		i += 2
	}
	var names []string
	for _, cmd := range commands.All() {
		for _, x := range append([]*commands.Command{cmd}, sortedSubs(cmd)...) {
			if keep == nil || keep(x) {
				names = append(names, x.FullName())
			}
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

// commandForKeys resolves the command whose keys GETKEYS is asked for,
// writing the error and returning nil when it cannot answer.
func commandForKeys(c *commands.Ctx) (*commands.Command, [][]byte) {
	args := c.Args[2:]
	cmd := commands.Lookup(args[0])
	if cmd != nil && cmd.Subs != nil && len(args) >= 2 {
		cmd = cmd.LookupSub(args[1])
	}
	switch {
	case cmd == nil:
		c.Error(errInvalidCommand)
	case cmd.Keys == nil && cmd.FirstKey <= 0:
		c.Error(errNoKeyArgs)
	case !cmd.CheckArity(len(args)):
		c.Error(errInvalidArgc)
	default:
		return cmd, args
	}
	return nil, nil
}

// keyPositionsOrError returns the key positions of args, or false after
// replying when the arguments name no key.
func keyPositionsOrError(c *commands.Ctx, cmd *commands.Command, args [][]byte) ([]int, bool) {
	pos := cmd.KeyPositions(args)
	if len(pos) == 0 && cmd.Flags&commands.NoMandatoryKeys == 0 {
		c.Error(errInvalidArgs)
		return nil, false
	}
	return pos, true
}

func commandGetkeysCmd(c *commands.Ctx) {
	cmd, args := commandForKeys(c)
	if cmd == nil {
		return
	}
	pos, ok := keyPositionsOrError(c, cmd, args)
	if !ok {
		return
	}
	c.W.Array(len(pos))
	for _, p := range pos {
		c.W.Bulk(args[p])
	}
}

func commandGetkeysAndFlagsCmd(c *commands.Ctx) {
	cmd, args := commandForKeys(c)
	if cmd == nil {
		return
	}
	pos, ok := keyPositionsOrError(c, cmd, args)
	if !ok {
		return
	}
	flags := keySpecFlags(cmd)
	c.W.Array(len(pos))
	for _, p := range pos {
		c.W.Array(2)
		c.W.Bulk(args[p])
		c.W.Set(len(flags))
		for _, f := range flags {
			c.W.Simple(f)
		}
	}
}

// aclCategories are the command's ACL categories; when the table gives
// none they follow from its flags, as Redis derives the implicit ones.
func aclCategories(cmd *commands.Command) []string {
	if len(cmd.ACL) > 0 {
		return cmd.ACL
	}
	var out []string
	f := cmd.Flags
	if f&commands.Write != 0 {
		out = append(out, "@write")
	}
	if f&commands.ReadOnly != 0 {
		out = append(out, "@read")
	}
	if f&commands.Admin != 0 {
		out = append(out, "@admin", "@dangerous")
	}
	if f&commands.PubSub != 0 {
		out = append(out, "@pubsub")
	}
	if f&commands.Fast != 0 {
		out = append(out, "@fast")
	}
	if f&commands.Blocking != 0 {
		out = append(out, "@blocking")
	}
	if f&commands.Fast == 0 {
		out = append(out, "@slow")
	}
	return out
}

// keySpecFlags are the access flags given to a command's keys.
func keySpecFlags(cmd *commands.Command) []string {
	switch {
	case cmd.Flags&commands.Write != 0 && (cmd.Name == "del" || cmd.Name == "unlink"):
		return []string{"RM", "delete"}
	case cmd.Flags&commands.Write != 0:
		return []string{"RW", "update"}
	case cmd.Flags&commands.ReadOnly != 0:
		return []string{"RO", "access"}
	}
	return []string{"RO"}
}

// writeCommandInfo writes one ten-element COMMAND entry.
func writeCommandInfo(w *resp.Writer, cmd *commands.Command) {
	w.Array(10)
	w.BulkString(cmd.FullName())
	w.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	if cmd.Keys != nil {
		flags = append(flags, "movablekeys")
	}
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(cmd.FirstKey))
	w.Int(int64(cmd.LastKey))
	w.Int(int64(cmd.Step))
	cats := aclCategories(cmd)
	w.Set(len(cats))
	for _, a := range cats {
		w.Simple(a)
	}
	w.Set(len(cmd.Tips))
	for _, t := range cmd.Tips {
		w.BulkString(t)
	}
	writeKeySpecs(w, cmd)
	subs := sortedSubs(cmd)
	w.Set(len(subs))
	for _, s := range subs {
		writeCommandInfo(w, s)
	}
}

func writeKeySpecs(w *resp.Writer, cmd *commands.Command) {
	if cmd.Keys == nil && cmd.FirstKey <= 0 {
		w.Set(0)
		return
	}
	w.Set(1)
	w.Map(3)
	w.BulkString("flags")
	flags := keySpecFlags(cmd)
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	if cmd.Keys != nil {
		for _, part := range []string{"begin_search", "find_keys"} {
			w.BulkString(part)
			w.Map(2)
			w.BulkString("type")
			w.BulkString("unknown")
			w.BulkString("spec")
			w.Map(0)
		}
		return
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	last := int64(cmd.LastKey)
	if last >= 0 {
		last -= int64(cmd.FirstKey)
	}
	step := int64(cmd.Step)
	if step <= 0 {
		step = 1
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	w.BulkString("lastkey")
	w.Int(last)
	w.BulkString("keystep")
	w.Int(step)
	w.BulkString("limit")
	w.Int(0)
}
