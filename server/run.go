package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"redoubt/internal/config"
)

// VersionLine is what `redis-server --version` prints.
func VersionLine() string {
	return "Redis server v=" + Version + " sha=00000000:0 malloc=libc bits=64 build=7d0f1c3a2b4e5f60 (Redoubt)"
}

// LoadConfig builds the configuration from redis-server style arguments:
// an optional config file path ("-" reads standard input) followed by
// --directive value... pairs, read as one text like Redis does.
func LoadConfig(args []string) (*config.Config, error) {
	cfg := config.New()
	if err := cfg.LoadArgs(args); err != nil {
		return nil, err
	}
	return cfg, nil
}

// NewLogger makes the process logger from loglevel and logfile: Redis's
// text format on standard output, JSON lines in a log file.
func NewLogger(cfg *config.Config, role byte) (*slog.Logger, *Handler, error) {
	level := ParseLevel(cfg.String("loglevel"))
	if path := cfg.String("logfile"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("Can't open the log file: %w", err)
		}
		h := NewJSONHandler(f, level, role)
		return slog.New(h), h, nil
	}
	h := NewHandler(os.Stdout, level, role)
	return slog.New(h), h, nil
}

// Run is `redoubt server`: load the configuration, start, serve until
// SIGTERM/SIGINT or SHUTDOWN. It returns the process exit code.
func Run(args []string) int {
	if len(args) == 1 && (args[0] == "-v" || args[0] == "--version") {
		fmt.Println(VersionLine())
		return 0
	}
	limitProcs()
	// REDOUBT_CPUPROFILE names a file to receive a CPU profile of the
	// whole run (for performance work; not a Redis feature).
	if path := os.Getenv("REDOUBT_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	cfg, err := LoadConfig(args)
	if err != nil {
		var le *config.LoadError
		if errors.As(err, &le) {
			fmt.Fprint(os.Stderr, le.Report())
		} else {
			fmt.Fprintln(os.Stderr, err.Error())
		}
		return 1
	}
	log, handler, err := NewLogger(cfg, 'M')
	if err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		return 1
	}
	cfg.OnChange("loglevel", func(c *config.Config) { handler.SetLevel(ParseLevel(c.String("loglevel"))) })
	pid := os.Getpid()
	log.Warn("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
	log.Warn(fmt.Sprintf("Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, just started", Version, pid))
	if cfg.Path() == "" {
		log.Warn("Warning: no config file specified, using the default config. In order to specify a config file use redoubt server /path/to/redis.conf")
	} else {
		log.Warn("Configuration loaded")
	}
	if ni := cfg.NotImplementedSeen(); len(ni) > 0 {
		log.Warn("Accepted but not implemented (no effect): " + strings.Join(ni, ", "))
	}
	s, err := New(Options{Config: cfg, Logger: log})
	if err != nil {
		log.Warn(err.Error())
		return 1
	}
	if err := s.Listen(); err != nil {
		log.Warn(err.Error())
		return 1
	}
	log.Info(fmt.Sprintf("Running mode=standalone, port=%d.", cfg.Int("port")))
	log.Info(fmt.Sprintf("Redoubt %s-compatible data node, PID: %d", Version, pid))
	log.Warn("Server initialized")
	if err := s.LoadAtStartup(); err != nil {
		log.Warn(err.Error())
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := s.Serve(ctx); err != nil {
		log.Warn(err.Error())
		return 1
	}
	return s.exitCode
}

// limitProcs runs the server on one scheduler thread unless the GOMAXPROCS
// environment variable asks otherwise. Commands execute one at a time
// under s.mu anyway; with more threads, each client goroutine readied by
// the network poller wakes an idle thread and then queues on the lock, and
// those wake-ups and lock hand-offs cost more than the parallel socket
// reads and writes gain (tests/bench/compare.sh on 2 cores: about +20% at
// -P 1 and +5% at -P 16).
func limitProcs() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
