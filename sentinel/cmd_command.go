package sentinel

import (
	_ "embed"
	"strconv"
	"strings"

	"redoubt/internal/glob"
	"redoubt/internal/resp"
)

// COMMAND describes the 15 commands a 7.0 sentinel has. The descriptions
// (COMMAND INFO entries and COMMAND DOCS maps) are the RESP3 replies of a
// real redis-sentinel 7.0.15, kept as data and re-encoded for each
// client's protocol (maps become flat arrays and sets arrays in RESP2,
// exactly as Redis encodes them).

//go:embed cmd_command_info.resp3
var commandInfoRESP3 []byte

//go:embed cmd_command_docs.resp3
var commandDocsRESP3 []byte

// rv is one decoded RESP3 value of the embedded descriptions.
type rv struct {
	kind  byte // '$' '+' ':' '*' '~' '%' '_'
	str   string
	n     int64
	elems []rv // maps: key, value, key, value...
}

// parseRV decodes one value from b, returning it and the rest.
func parseRV(b []byte) (rv, []byte) {
	end := strings.Index(string(b), "\r\n")
	line, rest := string(b[1:end]), b[end+2:]
	v := rv{kind: b[0]}
	switch v.kind {
	case '+':
		v.str = line
	case ':':
		v.n, _ = strconv.ParseInt(line, 10, 64)
	case '$':
		n, _ := strconv.Atoi(line)
		v.str, rest = string(rest[:n]), rest[n+2:]
	case '*', '~', '%':
		n, _ := strconv.Atoi(line)
		if v.kind == '%' {
			n *= 2
		}
		v.elems = make([]rv, n)
		for i := range v.elems {
			v.elems[i], rest = parseRV(rest)
		}
	}
	return v, rest
}

// emit writes v in w's protocol.
func emit(w *resp.Writer, v rv) {
	switch v.kind {
	case '+':
		w.Simple(v.str)
	case ':':
		w.Int(v.n)
	case '$':
		w.BulkString(v.str)
	case '_':
		w.NullBulk()
	case '*':
		w.Array(len(v.elems))
	case '~':
		w.Set(len(v.elems))
	case '%':
		w.Map(len(v.elems) / 2)
	}
	for _, e := range v.elems {
		emit(w, e)
	}
}

// cmdDesc is one command or subcommand with its descriptions.
type cmdDesc struct {
	name string
	info rv // the COMMAND INFO entry
	docs rv // the COMMAND DOCS map
	subs []*cmdDesc
}

var (
	cmdDescs  []*cmdDesc          // top-level, in the reference order
	cmdByName map[string]*cmdDesc // every name, "container|sub" included
)

func init() {
	infos, _ := parseRV(commandInfoRESP3)
	docs, _ := parseRV(commandDocsRESP3)
	docOf := map[string]rv{}
	var collect func(m rv)
	collect = func(m rv) {
		for i := 0; i+1 < len(m.elems); i += 2 {
			d := m.elems[i+1]
			docOf[m.elems[i].str] = d
			for j := 0; j+1 < len(d.elems); j += 2 {
				if d.elems[j].str == "subcommands" {
					collect(d.elems[j+1])
				}
			}
		}
	}
	collect(docs)
	cmdByName = map[string]*cmdDesc{}
	var build func(e rv) *cmdDesc
	build = func(e rv) *cmdDesc {
		d := &cmdDesc{name: e.elems[0].str, info: e, docs: docOf[e.elems[0].str]}
		cmdByName[d.name] = d
		for _, s := range e.elems[9].elems {
			d.subs = append(d.subs, build(s))
		}
		return d
	}
	for _, e := range infos.elems {
		cmdDescs = append(cmdDescs, build(e))
	}
}

// allDescs lists every command followed by its subcommands.
func allDescs() []*cmdDesc {
	var out []*cmdDesc
	for _, d := range cmdDescs {
		out = append(out, d)
		out = append(out, d.subs...)
	}
	return out
}

func commandCommand() *command {
	return container("command", -1, commandAll,
		sub("command", "count", 2, func(c *client, args [][]byte) { c.integer(int64(len(cmdDescs))) }),
		sub("command", "list", -2, commandList),
		sub("command", "info", -2, commandInfo),
		sub("command", "docs", -2, commandDocs),
		sub("command", "getkeys", -4, commandGetKeys),
		sub("command", "getkeysandflags", -4, commandGetKeys),
		sub("command", "help", 2, func(c *client, args [][]byte) { c.helpLines(commandHelp) }),
	)
}

// commandAll: COMMAND alone describes every command.
func commandAll(c *client, args [][]byte) {
	c.w.Array(len(cmdDescs))
	for _, d := range cmdDescs {
		emit(c.w, d.info)
	}
}

// commandInfo: the named commands' entries (null for unknown names), or
// all of them.
func commandInfo(c *client, args [][]byte) {
	if len(args) == 2 {
		commandAll(c, args)
		return
	}
	c.w.Array(len(args) - 2)
	for _, a := range args[2:] {
		if d := cmdByName[strings.ToLower(string(a))]; d != nil {
			emit(c.w, d.info)
		} else {
			c.w.NullBulk()
		}
	}
}

// commandDocs: a map of name to documentation for the known names given
// (unknown ones are left out), or for every command.
func commandDocs(c *client, args [][]byte) {
	var ds []*cmdDesc
	if len(args) == 2 {
		ds = cmdDescs
	} else {
		for _, a := range args[2:] {
			if d := cmdByName[strings.ToLower(string(a))]; d != nil {
				ds = append(ds, d)
			}
		}
	}
	c.w.Map(len(ds))
	for _, d := range ds {
		c.bulk(d.name)
		emit(c.w, d.docs)
	}
}

// commandList: COMMAND LIST [FILTERBY MODULE m | ACLCAT cat | PATTERN p].
func commandList(c *client, args [][]byte) {
	keep := func(d *cmdDesc) bool { return true }
	switch {
	case len(args) == 2:
	case len(args) == 5 && strings.EqualFold(string(args[2]), "filterby"):
		arg := string(args[4])
		switch strings.ToLower(string(args[3])) {
		case "module":
			keep = func(d *cmdDesc) bool { return false }
		case "aclcat":
			keep = func(d *cmdDesc) bool {
				for _, cat := range d.info.elems[6].elems {
					if strings.EqualFold(cat.str, "@"+arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			keep = func(d *cmdDesc) bool { return glob.MatchString(arg, d.name, true) }
		default:
			c.reject(errSyntax)
			return
		}
	default:
		c.reject(errSyntax)
		return
	}
	var names []string
	for _, d := range allDescs() {
		if keep(d) {
			names = append(names, d.name)
		}
	}
	c.w.Array(len(names))
	for _, n := range names {
		c.bulk(n)
	}
}

// commandGetKeys: no sentinel command takes keys.
func commandGetKeys(c *client, args [][]byte) {
	name := strings.ToLower(string(args[2]))
	d := cmdByName[name]
	if d != nil && len(d.subs) > 0 && len(args) > 3 {
		d = cmdByName[name+"|"+strings.ToLower(string(args[3]))]
	}
	if d == nil {
		c.reject(errInvalidCommand)
		return
	}
	c.reject(errNoKeyArgs)
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
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
	"HELP",
	"    Prints this help.",
}
