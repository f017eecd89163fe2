package commands

import (
	"sort"
	"strings"
)

// Flags describe a command the way COMMAND INFO reports it, and steer the
// server (write commands are refused on read-only replicas, and so on).
type Flags uint32

// Command flags.
const (
	Write Flags = 1 << iota
	ReadOnly
	DenyOOM
	Admin
	PubSub
	NoScript
	Blocking
	Loading
	Stale
	SkipMonitor
	SkipSlowlog
	Fast
	NoAuth
	MayReplicate
	NoMulti
	AllowBusy
	NoMandatoryKeys
	Protected
	// TouchesArbitraryKeys marks commands whose lazy expirations are
	// propagated bare rather than wrapped in MULTI/EXEC (SCAN, RANDOMKEY).
	TouchesArbitraryKeys
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{Write, "write"}, {ReadOnly, "readonly"}, {DenyOOM, "denyoom"}, {Admin, "admin"},
	{PubSub, "pubsub"}, {NoScript, "noscript"}, {Blocking, "blocking"}, {Loading, "loading"},
	{Stale, "stale"}, {SkipMonitor, "skip_monitor"}, {SkipSlowlog, "skip_slowlog"}, {Fast, "fast"},
	{NoAuth, "no_auth"}, {MayReplicate, "may_replicate"}, {NoMulti, "no_multi"},
	{AllowBusy, "allow_busy"}, {NoMandatoryKeys, "no_mandatory_keys"},
}

// Names lists the flag names in COMMAND INFO order.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// Command is one entry of the command table.
type Command struct {
	Name  string // lower case; "config|get" style for subcommands
	Arity int    // argc including the name; negative means "at least"
	Flags Flags
	// FirstKey, LastKey and Step locate key arguments (LastKey -1 = last).
	FirstKey, LastKey, Step int
	// Keys returns key positions for commands whose keys the three numbers
	// cannot describe (ZUNIONSTORE, XREAD ...). Optional.
	Keys func(args [][]byte) []int
	Proc func(c *Ctx)
	// Documentation for COMMAND DOCS / INFO.
	Group      string
	Since      string
	Summary    string
	Complexity string
	ACL        []string
	Tips       []string
	// Subs holds a container command's subcommands by lower-case name.
	Subs   map[string]*Command
	Parent *Command
	// ID numbers every registered command and subcommand densely, so the
	// server can keep per-command counters in slices.
	ID int
}

var nextID int

// MaxID is one more than the largest command ID handed out.
func MaxID() int { return nextID }

// FullName is "parent|sub" for subcommands.
func (c *Command) FullName() string {
	if c.Parent != nil {
		return c.Parent.Name + "|" + c.Name
	}
	return c.Name
}

// IsWrite reports whether the command may change the dataset.
func (c *Command) IsWrite() bool { return c.Flags&Write != 0 }

// CheckArity reports whether argc fits the command's arity.
func (c *Command) CheckArity(argc int) bool {
	return (c.Arity > 0 && argc == c.Arity) || (c.Arity < 0 && argc >= -c.Arity)
}

// KeyPositions returns the indexes of key arguments.
func (c *Command) KeyPositions(args [][]byte) []int {
	if c.Keys != nil {
		return c.Keys(args)
	}
	if c.FirstKey <= 0 {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	step := c.Step
	if step <= 0 {
		step = 1
	}
	var out []int
	for i := c.FirstKey; i <= last && i < len(args); i += step {
		out = append(out, i)
	}
	return out
}

var table = map[string]*Command{}

// Register adds commands to the table. Subcommands get their Parent set.
func Register(cmds ...*Command) {
	for _, c := range cmds {
		c.ID = nextID
		nextID++
		for _, s := range c.Subs {
			s.Parent = c
			s.ID = nextID
			nextID++
		}
		table[c.Name] = c
	}
}

// Lookup finds a command by name, case-insensitively, without allocating
// for names of up to 32 bytes.
func Lookup(name []byte) *Command {
	var tmp [32]byte
	if len(name) <= len(tmp) {
		b := tmp[:len(name)]
		for i, ch := range name {
			if ch >= 'A' && ch <= 'Z' {
				ch += 32
			}
			b[i] = ch
		}
		return table[string(b)]
	}
	return table[strings.ToLower(string(name))]
}

// LookupSub finds a subcommand of a container command.
func (c *Command) LookupSub(name []byte) *Command {
	if c.Subs == nil {
		return nil
	}
	return c.Subs[strings.ToLower(string(name))]
}

// All returns every top-level command sorted by name.
func All() []*Command {
	out := make([]*Command, 0, len(table))
	for _, c := range table {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Count is the number of top-level commands.
func Count() int { return len(table) }
