package sentinel

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"redoubt/internal/config"
)

// defaultSentinelPort is where a sentinel listens unless told otherwise.
const defaultSentinelPort = 26379

// Config is sentinel.conf plus command-line directives.
//
// Non-sentinel directives go through the data node's directive table
// (internal/config), so every redis.conf line a real sentinel accepts is
// accepted here with the same errors; the ones a sentinel honours are
// copied into the fields below. `sentinel ...` lines and our Raft
// directives are handled by this package.
type Config struct {
	Path string   // absolute path of sentinel.conf
	Port int      // port (26379)
	Bind []string // bind (every interface when empty)
	Dir  string   // dir, absolute (the working directory by default)

	MyID string // sentinel myid (generated when absent)

	// Raft directives; empty means "use the default" (run.go:
	// raftOptionsFrom): raft-id = myid, raft-addr = <announced
	// ip>:<port+100>, raft-dir = <dir>/raft-<port>.
	RaftID    string            // raft-id <id>
	RaftAddr  string            // raft-addr <host:port>
	RaftDir   string            // raft-dir <path> (relative to dir)
	RaftPeers map[string]string // raft-peers id=host:port,... : raft id -> host:port
	RaftJoin  string            // raft-join <host:port>

	Seed []*Master // masters from sentinel monitor lines (+ their options)

	// CurrentEpoch is `sentinel current-epoch` raised by every
	// config-epoch line (the larger wins).
	CurrentEpoch uint64
	// KnownSentinels are `sentinel known-sentinel` lines by master name
	// (kept so a rewrite before the state is seeded loses nothing).
	KnownSentinels map[string][]Member
	LogFile        string // logfile (absolute; "" = standard output)
	LogLevel       string // loglevel: debug|verbose|notice|warning|nothing
	PidFile        string // pidfile ("" = none)
	// Warnings are log lines for the start (e.g. the myid rewrite failed).
	Warnings []string

	gen      *config.Config  // every non-sentinel directive
	explicit map[string]bool // raft directives given in the file or flags
	rewrite  sync.Mutex      // serialises rewrites of the file
	g        globals
}

// StartupError is a start-up failure Redis reports as a log line
// (warning level) before exiting with status 1.
type StartupError struct{ Msg string }

func (e *StartupError) Error() string { return e.Msg }

// ConfigError is a bad line in sentinel.conf or the options. Error() is
// exactly what redis-sentinel writes to standard error (its leading empty
// line included, the final newline not), so it can be printed with
// fmt.Fprintln.
type ConfigError struct{ Load *config.LoadError }

func (e *ConfigError) Error() string { return "\n" + e.Load.Error() }

// configLine is one non-empty, non-comment line of the combined text.
type configLine struct {
	num  int    // 1-based line number in the combined text
	text string // trimmed
	argv []string
}

func (l configLine) fail(msg string) error {
	return &ConfigError{Load: &config.LoadError{Line: l.num, Text: l.text, Msg: msg}}
}

// ParseConfig reads argv after the subcommand: [sentinel.conf]
// [--directive args ...].
//
// Like redis-server in sentinel mode it reads the file, then a newline and
// the options turned into lines (`--sentinel monitor m 127.0.0.1 6379 2`
// becomes `sentinel "monitor" "m" ...`), as one text, so error line
// numbers count the options after the file's lines. Ordinary directives
// are checked first, in order; `sentinel` lines after them. A sentinel
// cannot run without a writable file to keep its state in; when the file
// has no myid, one is generated and the file rewritten at once.
func ParseConfig(args []string) (*Config, error) {
	file, _, opts := config.CommandLineToText(args)
	c := &Config{Port: defaultSentinelPort, LogLevel: "notice", explicit: map[string]bool{},
		KnownSentinels: map[string][]Member{}}
	c.g.denyScripts = true
	var text strings.Builder
	if file != "" {
		abs, err := filepath.Abs(file)
		if err != nil {
			abs = file
		}
		c.Path = abs
		data, err := os.ReadFile(abs)
		switch {
		case errors.Is(err, syscall.EISDIR):
			// fopen(3) opens a directory for reading and every read fails:
			// Redis sees an empty file (and fails later, when saving).
		case err != nil:
			return nil, &StartupError{Msg: (&config.OpenError{Path: abs, Err: err}).Error()}
		default:
			text.Write(data)
		}
	}
	if len(args) > 0 {
		text.WriteString("\n" + opts)
	}
	generic, sentinel, raft, err := splitLines(text.String())
	if err != nil {
		return nil, err
	}
	if err := c.loadGeneric(generic, file); err != nil {
		return nil, err
	}
	if err := c.loadRaft(raft); err != nil {
		return nil, err
	}
	if err := c.loadSentinel(sentinel); err != nil {
		return nil, err
	}
	if err := c.checkRaftDefaults(); err != nil {
		return nil, err
	}
	if err := c.checkFile(); err != nil {
		return nil, err
	}
	return c, nil
}

// splitLines sorts the lines of the combined text: `sentinel <x> ...`
// lines and raft-* lines are taken out; everything else stays, at its
// line number, in the text handed to the generic loader (the lines taken
// out are left empty, so that loader's line numbers stay right).
func splitLines(text string) (generic string, sentinel, raft []configLine, err error) {
	lines := strings.Split(text, "\n")
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		argv, perr := config.SplitArgs(line)
		if perr != nil || len(argv) == 0 {
			continue // the generic loader reports it
		}
		name := strings.ToLower(argv[0])
		switch {
		case name == "sentinel" && len(argv) > 1:
			sentinel = append(sentinel, configLine{num: i + 1, text: line, argv: argv[1:]})
		case strings.HasPrefix(name, "raft-"):
			raft = append(raft, configLine{num: i + 1, text: line, argv: argv})
		default:
			continue
		}
		lines[i] = ""
	}
	return strings.Join(lines, "\n"), sentinel, raft, nil
}

// loadGeneric runs the data node's loader over the ordinary lines, with
// a sentinel's own default port, and copies what a sentinel honours.
func (c *Config) loadGeneric(text, source string) error {
	g := config.New()
	g.SetChdir(false) // "dir" resolves paths; the process stays where it is
	if err := g.SetInternal("port", strconv.Itoa(defaultSentinelPort)); err != nil {
		return err
	}
	if err := g.LoadText(text, source); err != nil {
		var le *config.LoadError
		if errors.As(err, &le) {
			return &ConfigError{Load: le}
		}
		return &StartupError{Msg: err.Error()}
	}
	// Protected mode is always off in sentinel mode.
	_ = g.SetInternal("protected-mode", "no")
	c.gen = g
	c.Port = int(g.Int("port"))
	c.Bind = g.BindAddrs()
	c.Dir = g.String("dir")
	c.LogLevel = g.String("loglevel")
	c.PidFile = g.String("pidfile")
	if lf := g.String("logfile"); lf != "" {
		if !filepath.IsAbs(lf) {
			lf = filepath.Join(c.Dir, lf)
		}
		c.LogFile = lf
	}
	// We never fork into the background.
	if g.Bool("daemonize") {
		return &ConfigError{Load: &config.LoadError{Msg: cfgErrDaemonize}}
	}
	return nil
}

// checkRaftDefaults refuses a port whose default Raft port (port+100)
// does not exist, unless raft-addr is given.
func (c *Config) checkRaftDefaults() error {
	if c.RaftAddr == "" && c.Port+100 > 65535 {
		return &ConfigError{Load: &config.LoadError{Msg: cfgErrRaftPortDefault}}
	}
	return nil
}

// checkFile applies the start-up rules on the file itself: it must exist
// and be writable; a missing myid is generated and saved immediately
// (a failed save is only a warning, as in Redis).
func (c *Config) checkFile() error {
	if c.Path == "" {
		return &StartupError{Msg: cfgErrNoFile}
	}
	if err := syscall.Access(c.Path, 2 /* W_OK */); err != nil {
		return &StartupError{Msg: fmt.Sprintf(cfgErrNotWritableFmt, c.Path, strerror(err))}
	}
	if c.MyID != "" {
		return nil
	}
	var b [20]byte
	_, _ = rand.Read(b[:])
	c.MyID = hex.EncodeToString(b[:])
	if err := c.rewriteFile(c.seedSnapshot()); err != nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf(cfgWarnNotSavedFmt, strerror(err)))
	}
	return nil
}

// strerror words an OS error as C's strerror does ("Permission denied").
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return strerror(pe.Err)
	}
	return err.Error()
}

// RequirePass is requirepass: the password clients must AUTH with (and,
// without sentinel-pass, the one used toward other sentinels).
func (c *Config) RequirePass() string {
	if c.gen == nil {
		return ""
	}
	return c.gen.String("requirepass")
}

// Generic returns the data-node view of the non-sentinel directives
// (nil for a Config not built by ParseConfig).
func (c *Config) Generic() *config.Config { return c.gen }
