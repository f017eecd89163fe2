package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RedisVersion is the version named in start-up error messages.
const RedisVersion = "7.0.15"

// maxIncludeDepth stops include loops (Redis would recurse until it
// crashes).
const maxIncludeDepth = 64

// LoadError is a fatal configuration error, reported the way redis-server
// does before exiting with status 1.
type LoadError struct {
	Line int    // 1-based line in the text being read; 0 if not tied to a line
	Text string // the offending line, trimmed
	Msg  string // the reason
	File string // where the text came from (not part of the message)
}

// Error returns the multi-line report:
//
//	*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***
//	Reading the configuration file, at line 2
//	>>> 'foo bar'
//	Bad directive or wrong number of arguments
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("*** FATAL CONFIG FILE ERROR (Redis " + RedisVersion + ") ***\n")
	if e.Line > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Text)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Report returns exactly what redis-server writes to standard error: an
// empty line, Error() and a final newline.
func (e *LoadError) Report() string { return "\n" + e.Error() + "\n" }

// OpenError reports a configuration file that cannot be read. Redis logs
// it (with the usual log prefix) and exits with status 1.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	return "Fatal error, can't open config file '" + e.Path + "': " + errnoText(e.Err)
}

func (e *OpenError) Unwrap() error { return e.Err }

// deprecated directives are accepted with exactly one argument and ignored.
var deprecated = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
}

// LoadFile reads a configuration file (a glob pattern is allowed, as in
// Redis) and remembers its absolute path for Rewrite.
func (c *Config) LoadFile(path string) error {
	return c.load(path, false, nil)
}

// LoadText reads configuration text; source only labels errors.
func (c *Config) LoadText(text string, source string) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	err := c.loadText(text, source, 0)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.runOnChange(nil)
	return nil
}

// LoadArgs handles redis-server's arguments (os.Args[1:]): an optional
// configuration file first (any argument not starting with '-'), "-" as
// the first or last argument to read configuration from standard input,
// and "--name value ..." options. Like redis-server, it reads the file,
// then standard input, then a newline and the options converted to lines,
// all as one text, so line numbers in errors match Redis's.
func (c *Config) LoadArgs(args []string) error {
	file, stdin, opts := CommandLineToText(args)
	var extra []string
	if len(args) > 0 {
		extra = []string{opts}
	}
	return c.load(file, stdin, extra)
}

func (c *Config) load(file string, stdin bool, options []string) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	var text strings.Builder
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			abs = file
		}
		c.path = abs
		content, err := c.readConfigSource(abs)
		if err != nil {
			c.mu.Unlock()
			return err
		}
		text.WriteString(content)
	}
	if stdin {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			c.mu.Unlock()
			return &OpenError{Path: "stdin", Err: err}
		}
		text.WriteString(fgetsText(data))
	}
	for _, o := range options {
		text.WriteString("\n" + o)
	}
	err := c.loadText(text.String(), file, 0)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.runOnChange(nil)
	return nil
}

// readConfigSource reads a file, or the concatenation of every file
// matching a glob pattern (no match is not an error).
func (c *Config) readConfigSource(pattern string) (string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		data, err := c.fs.readFile(pattern)
		if err != nil {
			return "", &OpenError{Path: pattern, Err: err}
		}
		return fgetsText(data), nil
	}
	matches, _ := filepath.Glob(pattern)
	var b strings.Builder
	for _, m := range matches {
		data, err := c.fs.readFile(m)
		if err != nil {
			return "", &OpenError{Path: m, Err: err}
		}
		b.WriteString(fgetsText(data))
	}
	return b.String(), nil
}

// fileSystem is what loading needs from the OS; tests replace it.
type fileSystem struct {
	readFile func(path string) ([]byte, error)
	openLog  func(path string) error // open for appending, like fopen "a"
}

var osFileSystem = fileSystem{
	readFile: os.ReadFile,
	openLog: func(path string) error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return err
		}
		return f.Close()
	},
}

// fgetsText reproduces how Redis reads configuration files: in chunks of
// at most 1024 bytes ending at a newline, each cut at its first NUL byte
// (so a NUL also swallows the rest of its line, newline included).
func fgetsText(data []byte) string {
	var b strings.Builder
	for len(data) > 0 {
		n := len(data)
		if i := bytes.IndexByte(data, '\n'); i >= 0 && i+1 < n {
			n = i + 1
		}
		if n > 1024 {
			n = 1024
		}
		chunk := data[:n]
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			chunk = chunk[:i]
		}
		b.Write(chunk)
		data = data[n:]
	}
	return b.String()
}

// CommandLineToText converts redis-server arguments into the name of the
// configuration file (if the first argument does not start with '-'),
// whether standard input must be read ("-" first or last), and the
// options as configuration lines. The arguments --port, 6380, --save and
// an empty string become the lines `port "6380"` and `save ""`: option names start a new line and every
// other argument is quoted. An option given as one argument with its
// value ("--port 6380") is copied verbatim. A bare "--save" followed by
// another option or at the end means an empty save.
func CommandLineToText(args []string) (configFile string, fromStdin bool, options string) {
	start := 0
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		configFile = args[0]
		start = 1
	}
	var b strings.Builder
	handled := true
	last := len(args) - 1
	for j := start; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "-" && (j == 0 || j == last):
			fromStdin = true
		case handled && strings.HasPrefix(a, "--"):
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			toks, _ := SplitArgs(a)
			if len(toks) != 1 {
				handled = true // name and value in one argument
				continue
			}
			handled = false
			nextIsOption := j != last && strings.HasPrefix(args[j+1], "--")
			switch lower := asciiLower(a); {
			case lower == "--save" && nextIsOption:
				b.WriteString(`""`)
				handled = true
			case lower == "--save" && j == last:
				b.WriteString(`""`)
			case lower == "--sentinel" && nextIsOption:
				handled = true
			}
		default:
			b.WriteString(Repr(a))
			b.WriteByte(' ')
			handled = true
		}
	}
	return configFile, fromStdin, b.String()
}

// loadText parses configuration text. The caller holds writeMu and mu.
func (c *Config) loadText(text, source string, depth int) error {
	c.reading = true
	defer func() { c.reading = false }()
	var lines []string
	if text != "" {
		lines = strings.Split(text, "\n")
	}
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if k := strings.IndexByte(line, 0); k >= 0 {
			line = line[:k]
		}
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(msg string) error {
			return &LoadError{Line: i + 1, Text: line, Msg: msg, File: source}
		}
		argv, err := SplitArgs(line)
		if err != nil {
			return fail("Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		name := asciiLower(argv[0])
		d := Lookup(name)
		if d != nil && !d.FileOnly {
			if !d.MultiArg && len(argv) != 2 {
				return fail("wrong number of arguments")
			}
			args := argv[1:]
			if d.MultiArg && len(argv) == 2 && argv[1] != "" {
				// One argument holding several values: split it again.
				args, _ = SplitArgs(argv[1])
			}
			v, err := parseValue(&setCtx{c: c, loading: c.reading}, d, args)
			if err != nil {
				return fail(err.Error())
			}
			changed := !sameValue(d, c.vals[d], v)
			c.vals[d] = v
			c.afterCommit(map[*Directive]bool{d: changed})
			c.noteNotImplemented(d)
			continue
		}
		if deprecated[name] && len(argv) == 2 {
			continue
		}
		switch {
		case name == "include" && len(argv) == 2:
			if depth >= maxIncludeDepth {
				return fail("include nesting too deep")
			}
			if err := c.include(argv[1], depth); err != nil {
				return err
			}
			// Like Redis, the nested read leaves "reading a file" off, so a
			// later "save" line replaces earlier rules instead of adding.
		case (name == "rename-command" && len(argv) == 3) ||
			(name == "user" && len(argv) >= 2) || (name == "loadmodule" && len(argv) >= 2):
			if hook := c.hooks[d]; hook != nil {
				if err := hook(argv[1:]); err != nil {
					return fail(err.Error())
				}
			}
			c.lines[d] = append(c.lines[d], argv[1:])
			c.noteNotImplemented(d)
		case strings.Contains(name, "."):
			if len(argv) != 2 {
				return fail("Module config specified without value")
			}
			if _, ok := c.moduleCfg[name]; !ok {
				c.moduleOrder = append(c.moduleOrder, name)
			}
			c.moduleCfg[name] = argv[1]
		case name == "sentinel":
			if len(argv) != 1 {
				return fail("sentinel directive while not in sentinel mode")
			}
		default:
			return fail("Bad directive or wrong number of arguments")
		}
	}
	return c.checkAfterLoad(source)
}

// include reads another file (or every file matching a glob) in place.
func (c *Config) include(pattern string, depth int) error {
	path := pattern
	if !filepath.IsAbs(path) && !c.chdir {
		path = filepath.Join(c.vals[Lookup("dir")].(string), path)
	}
	content, err := c.readConfigSource(path)
	if err != nil {
		return err
	}
	d := Lookup("include")
	c.lines[d] = append(c.lines[d], []string{pattern})
	return c.loadText(content, path, depth+1)
}

// checkAfterLoad performs the checks Redis runs once a text is parsed.
func (c *Config) checkAfterLoad(source string) error {
	if lf := c.vals[Lookup("logfile")].(string); lf != "" {
		p := lf
		if !filepath.IsAbs(p) && !c.chdir {
			p = filepath.Join(c.vals[Lookup("dir")].(string), p)
		}
		if err := c.fs.openLog(p); err != nil {
			return &LoadError{Msg: "Can't open the log file: " + errnoText(err), File: source}
		}
	}
	if c.vals[Lookup("cluster-enabled")].(bool) && c.vals[Lookup("replicaof")].(replicaOfVal).Host != "" {
		return &LoadError{Msg: "replicaof directive not allowed in cluster mode", File: source}
	}
	return nil
}

// noteNotImplemented records a directive Redoubt accepts but ignores.
func (c *Config) noteNotImplemented(d *Directive) {
	if d.Implemented || c.seenNISet[d.Name] {
		return
	}
	c.seenNISet[d.Name] = true
	c.seenNI = append(c.seenNI, d.Name)
}
