// Command redoubt is the single Redoubt binary: data node, sentinel and
// tools as subcommands. Invoked through a link named redis-server,
// redis-sentinel or redis-check-rdb it behaves as the matching
// subcommand, so scripts written for Redis run unchanged.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"

	"redoubt/internal/config"
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

type cli struct {
	Server serverCmd `cmd:"" help:"Run a Redis 7.0-compatible data node."`
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
