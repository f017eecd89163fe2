package config

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Config holds the current value of every directive. All methods are safe
// for concurrent use.
type Config struct {
	// writeMu serialises writers (Load*, Set*, Rewrite) so that callbacks can
	// run without holding mu.
	writeMu sync.Mutex
	mu      sync.RWMutex

	vals  map[*Directive]any        // every directive except FileOnly ones
	lines map[*Directive][][]string // arguments of each FileOnly occurrence
	// moduleCfg keeps "module.name value" lines (Redis queues them for
	// modules loaded later); moduleOrder keeps their first-seen order.
	moduleCfg   map[string]string
	moduleOrder []string

	path       string // absolute path of the file given to LoadFile
	seenNI     []string
	seenNISet  map[string]bool
	saveLoaded bool // a "save" line was already read from a file
	reading    bool // inside LoadText (Redis's reading_config_file)
	chdir      bool
	fs         fileSystem

	onChange     map[*Directive][]func(*Config)
	onApply      map[*Directive][]func(*Config) error
	hooks        map[*Directive]func(args []string) error
	rewriteLines map[*Directive]func() []string
}

// New returns a Config holding Redis 7.0.15's defaults. Setting "dir"
// (from a file, the command line or CONFIG SET) changes the process
// working directory like redis-server does; see SetChdir.
func New() *Config {
	ensureTable()
	c := &Config{
		vals:         make(map[*Directive]any, len(table)),
		lines:        make(map[*Directive][][]string),
		moduleCfg:    make(map[string]string),
		seenNISet:    make(map[string]bool),
		chdir:        true,
		fs:           osFileSystem,
		onChange:     make(map[*Directive][]func(*Config)),
		onApply:      make(map[*Directive][]func(*Config) error),
		hooks:        make(map[*Directive]func([]string) error),
		rewriteLines: make(map[*Directive]func() []string),
	}
	x := &setCtx{c: c}
	for _, d := range table {
		if d.FileOnly {
			continue
		}
		if d.Name == "dir" {
			c.vals[d] = defaultDir()
			continue
		}
		v, err := parseValue(x, d, defaultArgs(d))
		if err != nil {
			panic("config: bad default for " + d.Name + ": " + err.Error())
		}
		c.vals[d] = v
	}
	return c
}

func defaultDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(wd); err == nil {
		wd = r // like getcwd(3)
	}
	return wd
}

func defaultArgs(d *Directive) []string {
	if d.Name == "replicaof" {
		return []string{"no", "one"} // the default is "not a replica"
	}
	if d.MultiArg {
		return splitSpaces(d.Default)
	}
	return []string{d.Default}
}

// SetChdir controls whether setting "dir" changes the process working
// directory (the default, as in Redis). When disabled, "dir" is only
// validated and stored as an absolute path.
func (c *Config) SetChdir(enabled bool) {
	c.mu.Lock()
	c.chdir = enabled
	c.mu.Unlock()
}

// Path returns the absolute path of the configuration file given to
// LoadFile or LoadFileAndArgs, or "" when running without one.
func (c *Config) Path() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.path
}

// value returns the stored value of a directive by name (nil if unknown).
func (c *Config) value(name string) (*Directive, any) {
	d := Lookup(name)
	if d == nil {
		return nil, nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return d, c.vals[d]
}

// String returns the value of a directive formatted as CONFIG GET prints
// it; "" for unknown and file-only directives.
func (c *Config) String(name string) string {
	d, v := c.value(name)
	if d == nil || d.FileOnly {
		return ""
	}
	return formatValue(d, v)
}

// Int returns a numeric directive (Int, Memory, Octal), 1/0 for Bool and
// the numeric value for Enum (the OR of the flags for flag enums). Values of
// unsigned directives above math.MaxInt64 are clamped to math.MaxInt64. A
// percentage (maxmemory-clients "N%") is returned negated, as Redis stores
// it, and notify-keyspace-events gives its Notify* flags. Other kinds
// return 0.
func (c *Config) Int(name string) int64 {
	d, v := c.value(name)
	if d == nil {
		return 0
	}
	switch t := v.(type) {
	case bool:
		if t {
			return 1
		}
		return 0
	case int64:
		if d.Unsigned && t < 0 && d.Kind != Enum {
			return math.MaxInt64
		}
		return t
	}
	return 0
}

// Uint returns a numeric directive as an unsigned value (maxmemory can be
// as large as 2^64-1).
func (c *Config) Uint(name string) uint64 {
	d, v := c.value(name)
	if t, ok := v.(int64); ok && d != nil {
		return uint64(t)
	}
	return 0
}

// Bool returns a Bool directive; for numeric kinds it reports value != 0.
func (c *Config) Bool(name string) bool {
	_, v := c.value(name)
	switch t := v.(type) {
	case bool:
		return t
	case int64:
		return t != 0
	}
	return false
}

// Raw returns the individual values of a directive: one entry per save
// rule ("3600 1"), per client class ("normal 0 0 0"), per bind address, per
// percentile or oom-score-adj value, and per occurrence of a file-only
// directive (arguments joined by one space; see Args). Other directives
// return a single entry equal to String.
func (c *Config) Raw(name string) []string {
	d, v := c.value(name)
	if d == nil {
		return nil
	}
	if d.FileOnly {
		var out []string
		for _, a := range c.Args(name) {
			out = append(out, strings.Join(a, " "))
		}
		return out
	}
	switch t := v.(type) {
	case saveVal:
		out := make([]string, len(t))
		for i, p := range t {
			out[i] = strconv.FormatInt(p.Seconds, 10) + " " + strconv.Itoa(p.Changes)
		}
		return out
	case obufVal:
		out := make([]string, len(t))
		for i := range t {
			out[i] = formatObufClass(i, t[i])
		}
		return out
	case []string:
		return append([]string(nil), t...)
	case []float64, [3]int64:
		return splitSpaces(formatValue(d, v))
	}
	return []string{formatValue(d, v)}
}

// Args returns the arguments of every occurrence of a file-only directive
// (include, rename-command, user, loadmodule) in load order.
func (c *Config) Args(name string) [][]string {
	d := Lookup(name)
	if d == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([][]string, len(c.lines[d]))
	for i, a := range c.lines[d] {
		out[i] = append([]string(nil), a...)
	}
	return out
}

// ModuleConfigs returns the "module.option value" directives that were
// read (Redis keeps them for modules loaded later), in first-seen order.
func (c *Config) ModuleConfigs() [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([][2]string, 0, len(c.moduleOrder))
	for _, n := range c.moduleOrder {
		out = append(out, [2]string{n, c.moduleCfg[n]})
	}
	return out
}

// NotImplementedSeen lists, in first-seen order and by canonical name, the
// directives read from files or arguments that Redoubt accepts but does
// not act upon.
func (c *Config) NotImplementedSeen() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.seenNI...)
}

// OnChange registers fn to run after a successful Load* call and after a
// successful Set that changed the directive. Callbacks run without the
// internal lock, so they may read the Config, but must not call Set or
// Load (that would deadlock).
func (c *Config) OnChange(name string, fn func(c *Config)) {
	d := Lookup(name)
	if d == nil {
		panic("config: OnChange for unknown directive " + name)
	}
	c.mu.Lock()
	c.onChange[d] = append(c.onChange[d], fn)
	c.mu.Unlock()
}

// OnApply registers fn to run during CONFIG SET after new values are
// stored but before the command succeeds (for example to re-open a
// listener after "port" changes). If fn returns an error, every value of
// that CONFIG SET is restored, the other apply functions run again and Set
// fails with "ERR CONFIG SET failed (possibly related to argument '<name>')
// - <error text>". The same restrictions as OnChange apply.
func (c *Config) OnApply(name string, fn func(c *Config) error) {
	d := Lookup(name)
	if d == nil {
		panic("config: OnApply for unknown directive " + name)
	}
	c.mu.Lock()
	c.onApply[d] = append(c.onApply[d], fn)
	c.mu.Unlock()
}

// SetDirectiveHook installs a validator for a file-only directive
// (rename-command, user, loadmodule, include). It receives the arguments
// after the directive name; a returned error aborts loading with its text
// as the message, e.g. "No such command in rename-command".
func (c *Config) SetDirectiveHook(name string, fn func(args []string) error) {
	d := Lookup(name)
	if d == nil || !d.FileOnly {
		panic("config: SetDirectiveHook needs a file-only directive, got " + name)
	}
	c.mu.Lock()
	c.hooks[d] = fn
	c.mu.Unlock()
}

// SetRewriteLines lets the server supply the lines CONFIG REWRITE writes
// for "user" or "loadmodule" (complete lines such as
// "user default on nopass ~* &* +@all"). Without it the occurrences read
// at load time are written back.
func (c *Config) SetRewriteLines(name string, fn func() []string) {
	d := Lookup(name)
	if d == nil || !d.FileOnly {
		panic("config: SetRewriteLines needs a file-only directive, got " + name)
	}
	c.mu.Lock()
	c.rewriteLines[d] = fn
	c.mu.Unlock()
}

// runOnChange calls the change callbacks of ds (all callbacks if ds is
// nil). The caller must hold writeMu but not mu.
func (c *Config) runOnChange(ds map[*Directive]bool) {
	c.mu.RLock()
	var fns []func(*Config)
	for _, d := range table {
		if ds == nil || ds[d] {
			fns = append(fns, c.onChange[d]...)
		}
	}
	c.mu.RUnlock()
	for _, fn := range fns {
		fn(c)
	}
}
