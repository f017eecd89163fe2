package commands

import (
	"redoubt/internal/keyspace"
)

// OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP.

func init() {
	sub := func(name, since, summary string, proc func(*Ctx)) *Command {
		return &Command{Name: name, Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1, Proc: proc,
			Group: "generic", Since: since, Summary: summary, Complexity: "O(1)",
			ACL: []string{"@keyspace", "@read", "@slow"}, Tips: []string{"nondeterministic_output"}}
	}
	Register(&Command{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3",
		Summary: "A container for object introspection commands", Complexity: "Depends on subcommand.", ACL: []string{"@slow"},
		Subs: map[string]*Command{
			"encoding": sub("encoding", "2.2.3", "Inspect the internal encoding of a Redis object", objectEncodingCmd),
			"freq":     sub("freq", "4.0.0", "Get the logarithmic access frequency counter of a Redis object", objectFreqCmd),
			"idletime": sub("idletime", "2.2.3", "Get the time since a Redis object was last accessed", objectIdletimeCmd),
			"refcount": sub("refcount", "2.2.3", "Get the number of references to the value of the key", objectRefcountCmd),
			"help": {Name: "help", Arity: 2, Flags: Loading | Stale, Proc: objectHelpCmd, Group: "generic", Since: "6.2.0",
				Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: []string{"@keyspace", "@slow"}},
		}})
}

// objectKey looks the key up without touching its access data, replying
// nil when it is missing.
func objectKey(c *Ctx) *keyspace.Object {
	o := c.DB.LookupNoTouch(c.Key(2))
	if o == nil {
		c.W.NullBulk()
	}
	return o
}

// OBJECT ENCODING key: the internal representation's name.
func objectEncodingCmd(c *Ctx) {
	if o := objectKey(c); o != nil {
		c.W.BulkString(o.Encoding())
	}
}

// sharedRefcount is what Redis reports for its shared objects.
const sharedRefcount = 2147483647

// sharedIntegers is how many small integers (0 up to this, excluded)
// Redis keeps as shared objects.
const sharedIntegers = 10000

// OBJECT REFCOUNT key: 2147483647 for the integers 0..9999 that Redis
// stores as shared objects (when a string value is int-encoded), else 1.
func objectRefcountCmd(c *Ctx) {
	o := objectKey(c)
	if o == nil {
		return
	}
	if o.Type == keyspace.TString && o.Encoding() == "int" {
		if n, ok := keyspace.ParseInt(o.Str); ok && n >= 0 && n < sharedIntegers {
			c.W.Int(sharedRefcount)
			return
		}
	}
	c.W.Int(1)
}

// OBJECT IDLETIME key: seconds since the last access; refused under an
// LFU policy, which keeps no access time.
func objectIdletimeCmd(c *Ctx) {
	o := objectKey(c)
	if o == nil {
		return
	}
	if c.KS.Evict.LFU {
		c.Error(ErrObjectIdleLFU)
		return
	}
	c.W.Int(keyspace.IdleMs(o, c.KS.NowMs) / 1000)
}

// OBJECT FREQ key: the decayed LFU counter; only under an LFU policy.
func objectFreqCmd(c *Ctx) {
	o := objectKey(c)
	if o == nil {
		return
	}
	if !c.KS.Evict.LFU {
		c.Error(ErrObjectFreqNoLFU)
		return
	}
	c.W.Int(c.KS.LFUFreq(o))
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// OBJECT HELP: the usage text, one status line per row.
func objectHelpCmd(c *Ctx) {
	c.W.Array(len(objectHelp))
	for _, l := range objectHelp {
		c.W.Simple(l)
	}
}
