package config

import (
	"sort"
	"strings"
	"sync"
)

// Kind is the type of a directive's value.
type Kind int

const (
	// Bool values are "yes" or "no" (case-insensitive on input).
	Bool Kind = iota
	// Int values are strict decimal integers bounded by Min and Max.
	Int
	// Memory values are byte counts accepting the k, kb, m, mb, g, gb and b
	// suffixes (k = 1000, kb = 1024, ...). With Percent set the value may
	// also be written as "N%".
	Memory
	// Octal values are written in base 8 (unixsocketperm).
	Octal
	// String values are free text, optionally checked by a validator.
	String
	// Enum values are one of Enum (or, with Flags set, several of them).
	Enum
	// Special values have their own parser and formatter (save, bind,
	// client-output-buffer-limit, replicaof, dir, ...).
	Special
)

// String returns the name of the kind.
func (k Kind) String() string {
	switch k {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Memory:
		return "memory"
	case Octal:
		return "octal"
	case String:
		return "string"
	case Enum:
		return "enum"
	case Special:
		return "special"
	}
	return "unknown"
}

// Directive describes one configuration directive.
type Directive struct {
	Name    string   // canonical Redis name, e.g. "maxmemory-policy"
	Aliases []string // alternative names, e.g. "slaveof" for "replicaof"
	Kind    Kind
	Default string   // the value CONFIG GET prints for Redis 7.0.15 defaults
	Enum    []string // allowed names for Enum kinds, in Redis's order
	// EnumVal holds the numeric value of each Enum entry (nil means the
	// index). Entries sharing a value are synonyms: "relative" == "yes".
	EnumVal []int64
	// Min and Max bound Int, Memory and Octal values. With Unsigned set the
	// comparison is done on the uint64 bit pattern (Max -1 means 2^64-1).
	Min, Max int64
	Unsigned bool

	Immutable   bool // CONFIG SET answers "can't set immutable config"
	Protected   bool // CONFIG SET needs enable-protected-configs
	Sensitive   bool // value must be redacted from logs, slowlog, MONITOR
	Hidden      bool // only an exact (non-pattern) CONFIG GET shows it
	DenyLoading bool // CONFIG SET must be refused while loading a dataset
	Implemented bool // false: accepted and stored, but Redoubt ignores it
	// Multi directives may appear many times in a file and accumulate
	// (save, client-output-buffer-limit, include, rename-command, user,
	// loadmodule).
	Multi bool
	// MultiArg directives take several arguments on one line; a single
	// argument is split on spaces (file) or single spaces (CONFIG SET).
	MultiArg bool
	// FileOnly directives exist only in configuration files and on the
	// command line; CONFIG GET and CONFIG SET do not know them.
	FileOnly bool
	Percent  bool // Memory kind that also accepts "N%" (stored negated)
	Flags    bool // Enum kind whose arguments are OR-ed flags
	// EmptyIsNull marks String kinds where "" means "unset": REWRITE then
	// drops the directive from the file instead of writing "".
	EmptyIsNull bool
	Doc         string // one line: unit and meaning

	// validate performs extra checks after the kind's own parsing. The
	// argument is the parsed value (bool, int64 or string).
	validate func(x *setCtx, v any) error
	// parse, format and rewrite implement Special kinds.
	parse   func(x *setCtx, d *Directive, args []string) (any, error)
	format  func(v any) string
	rewrite func(rw *rewriteState, d *Directive, v any)
	// fixup adjusts a value after it has been set (hz clamping).
	fixup func(v any) any
}

var (
	tableOnce sync.Once
	table     []*Directive          // sorted by Name
	byName    map[string]*Directive // lower-case canonical names and aliases
)

// register is called from the table_*.go files' init functions.
var pending [][]*Directive

func register(ds ...*Directive) { pending = append(pending, ds) }

func buildTable() {
	byName = make(map[string]*Directive)
	for _, group := range pending {
		for _, d := range group {
			for _, n := range append([]string{d.Name}, d.Aliases...) {
				if _, dup := byName[n]; dup {
					panic("config: duplicate directive " + n)
				}
				byName[n] = d
			}
			table = append(table, d)
		}
	}
	sort.Slice(table, func(i, j int) bool { return table[i].Name < table[j].Name })
}

func ensureTable() { tableOnce.Do(buildTable) }

// Directives returns every directive, sorted by canonical name. The slice
// is a copy; the directives themselves must not be modified.
func Directives() []*Directive {
	ensureTable()
	out := make([]*Directive, len(table))
	copy(out, table)
	return out
}

// Lookup finds a directive by canonical name or alias, ignoring ASCII case.
// It returns nil when the name is unknown.
func Lookup(name string) *Directive {
	ensureTable()
	return byName[asciiLower(name)]
}

// lookupRuntime is Lookup restricted to directives CONFIG GET/SET know.
func lookupRuntime(name string) *Directive {
	d := Lookup(name)
	if d == nil || d.FileOnly {
		return nil
	}
	return d
}

// asciiLower lower-cases ASCII letters only, like C's tolower in the C
// locale; other bytes are left alone.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// names returns the canonical name followed by the aliases.
func (d *Directive) names() []string {
	return append([]string{d.Name}, d.Aliases...)
}

// enumValue returns the numeric value of Enum entry i.
func (d *Directive) enumValue(i int) int64 {
	if d.EnumVal != nil {
		return d.EnumVal[i]
	}
	return int64(i)
}

// enumNames renders the list used in "must be one of the following".
func (d *Directive) enumNames() string {
	return strings.Join(d.Enum, ", ")
}
