// Command redoubt is the single Redoubt binary: data node, sentinel and
// tools as subcommands. Invoked through a link named redis-server,
// redis-sentinel or redis-check-rdb it behaves as the matching
// subcommand, so scripts written for Redis run unchanged.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"

	"redoubt/internal/config"
	"redoubt/rdb"
	"redoubt/sentinel"
	"redoubt/server"
)

// serverCmd is `redoubt server [redis.conf] [--directive value ...]`.
type serverCmd struct {
	Args []string `arg:"" optional:"" passthrough:"all" help:"Optional redis.conf path (or - for stdin), then --directive value ... pairs (any redis.conf directive)."`
}

func (c *serverCmd) Run() error {
	if code := server.Run(c.Args); code != 0 {
		os.Exit(code)
	}
	return nil
}

// sentinelCmd is `redoubt sentinel [sentinel.conf] [--directive args ...]`.
type sentinelCmd struct {
	Args []string `arg:"" optional:"" passthrough:"all" help:"sentinel.conf path (mandatory, writable), then --directive args ... (any sentinel.conf line, e.g. --sentinel monitor mymaster 127.0.0.1 6379 2, --raft-peers id=host:port,...)."`
}

func (c *sentinelCmd) Run() error {
	if code := sentinel.Run(c.Args); code != 0 {
		os.Exit(code)
	}
	return nil
}

// checkRDBCmd is `redoubt check-rdb FILE`: validate an RDB file the
// way redis-check-rdb does (exit 0 when it loads, 1 otherwise).
type checkRDBCmd struct {
	File string `arg:"" help:"RDB file to check."`
}

func (c *checkRDBCmd) Run() error {
	os.Exit(checkRDB(c.File, os.Stdout))
	return nil
}

// checkRDB prints the file's version, AUX fields, per-db key counts and
// types, or the first error with its byte offset; it returns the exit code.
func checkRDB(path string, w io.Writer) int {
	fmt.Fprintf(w, "[offset 0] Checking RDB file %s\n", path)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(w, "--- RDB ERROR DETECTED ---\n[offset 0] %v\n", err)
		return 1
	}
	defer f.Close()
	info, err := rdb.Load(f, nil)
	if info.Version > 0 {
		fmt.Fprintf(w, "[offset 9] RDB version %d\n", info.Version)
	}
	for _, a := range info.Aux {
		fmt.Fprintf(w, "AUX FIELD %s = '%s'\n", a.Key, a.Value)
	}
	for _, n := range info.SortedDBs() {
		d := info.DBs[n]
		fmt.Fprintf(w, "db %d: %d keys, %d expires", n, d.Keys, d.Expires)
		for _, t := range []string{"string", "list", "set", "zset", "hash", "stream"} {
			if d.Types[t] > 0 {
				fmt.Fprintf(w, ", %s=%d", t, d.Types[t])
			}
		}
		fmt.Fprintln(w)
	}
	if len(info.Functions) > 0 || info.ModuleValues+info.ModuleAux > 0 {
		fmt.Fprintf(w, "functions: %d, module values: %d, module aux: %d %v\n", len(info.Functions), info.ModuleValues, info.ModuleAux, info.ModuleTypes)
	}
	if err != nil {
		fmt.Fprintf(w, "--- RDB ERROR DETECTED ---\n%v\n", err)
		return 1
	}
	if info.ChecksumDisabled {
		fmt.Fprintln(w, "RDB file was saved with checksum disabled: no check performed.")
	} else if info.Version >= 5 {
		fmt.Fprintf(w, "[offset %d] Checksum OK\n", info.EOFOffset+1)
	}
	fmt.Fprintf(w, "[info] %d keys read\n", info.Keys)
	fmt.Fprintf(w, "[offset %d] \\o/ RDB looks OK! \\o/\n", info.Bytes)
	return 0
}

type cli struct {
	Server   serverCmd   `cmd:"" help:"Run a Redis 7.0-compatible data node."`
	Sentinel sentinelCmd `cmd:"" help:"Run a Redis Sentinel-compatible sentinel (sentinels agree through Raft)."`
	Demo     demoCmd     `cmd:"" help:"Start a master, two replicas and three sentinels on loopback; Ctrl-C stops them."`
	CheckRDB checkRDBCmd `cmd:"" name:"check-rdb" help:"Validate an RDB file (like redis-check-rdb)."`
}

// aliases maps link names to subcommands.
var aliases = map[string]string{
	"redis-server":    "server",
	"redis-sentinel":  "sentinel",
	"redis-check-rdb": "check-rdb",
}

func main() {
	args := os.Args[1:]
	if sub, ok := aliases[filepath.Base(os.Args[0])]; ok {
		args = append([]string{sub}, args...)
	}
	args = sentinelMode(args)
	if len(args) >= 2 && args[0] == "server" && (args[1] == "--help" || args[1] == "-h") {
		printServerHelp()
		return
	}
	var c cli
	parser, err := kong.New(&c, kong.Name("redoubt"),
		kong.Description("Redoubt: Redis 7.0-compatible data nodes and Raft-backed sentinels."),
		kong.UsageOnError())
	if err != nil {
		panic(err)
	}
	ctx, err := parser.Parse(args)
	parser.FatalIfErrorf(err)
	parser.FatalIfErrorf(ctx.Run())
}

// sentinelMode turns `server ... --sentinel ...` into `sentinel ...`:
// like redis-server, an argument that is exactly --sentinel anywhere
// after the subcommand starts a sentinel (the sentinel then ignores the
// bare "sentinel" line it becomes).
func sentinelMode(args []string) []string {
	if len(args) < 2 || args[0] != "server" {
		return args
	}
	for _, a := range args[1:] {
		if a == "--sentinel" {
			return append([]string{"sentinel"}, args[1:]...)
		}
	}
	return args
}

func printServerHelp() {
	fmt.Println("Usage: redoubt server [/path/to/redis.conf] [--directive value ...]")
	fmt.Println("       redoubt server - (read the configuration from standard input)")
	fmt.Println("       redoubt server -v | --version")
	fmt.Println()
	fmt.Println("Examples:")
	fmt.Println("       redoubt server --port 7777")
	fmt.Println("       redoubt server --port 7777 --replicaof 127.0.0.1 8888")
	fmt.Println("       redoubt server /etc/redis/6379.conf --loglevel verbose")
	fmt.Println()
	fmt.Println("Directives (default in brackets; * = accepted but not implemented yet):")
	for _, d := range config.Directives() {
		mark := " "
		if !d.Implemented {
			mark = "*"
		}
		fmt.Printf("  %s --%-34s [%s] %s\n", mark, d.Name, d.Default, d.Doc)
	}
}
