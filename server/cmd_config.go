package server

import (
	"net"
	"strings"

	"redoubt/commands"
	"redoubt/internal/config"
)

// CONFIG GET/SET/RESETSTAT/REWRITE/HELP on top of internal/config, which
// owns the directive table, the value formats and the error texts. Values
// the server caches are refreshed by the change hooks (hot.go) before
// CONFIG SET replies, so they apply to the very next command.

var adminACL = []string{"@admin", "@slow", "@dangerous"}

func init() {
	adm := commands.Admin | commands.NoScript | commands.Loading | commands.Stale
	commands.Register(&commands.Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands", Complexity: "Depends on subcommand.", ACL: []string{"@slow"},
		Subs: map[string]*commands.Command{
			"get": {Name: "get", Arity: -3, Flags: adm, Proc: configGetCmd, Group: "server", Since: "2.0.0",
				Summary:    "Get the values of configuration parameters",
				Complexity: "O(N) when N is the number of configuration parameters provided", ACL: adminACL},
			"set": {Name: "set", Arity: -4, Flags: adm, Proc: configSetCmd, Group: "server", Since: "2.0.0",
				Summary:    "Set configuration parameters to the given values",
				Complexity: "O(N) when N is the number of configuration parameters provided", ACL: adminACL,
				Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}},
			"resetstat": {Name: "resetstat", Arity: 2, Flags: adm, Proc: configResetStatCmd, Group: "server", Since: "2.0.0",
				Summary: "Reset the stats returned by INFO", Complexity: "O(1)", ACL: adminACL},
			"rewrite": {Name: "rewrite", Arity: 2, Flags: adm, Proc: configRewriteCmd, Group: "server", Since: "2.8.0",
				Summary: "Rewrite the configuration file with the in memory configuration", Complexity: "O(1)", ACL: adminACL},
			"help": {Name: "help", Arity: 2, Flags: commands.Loading | commands.Stale, Proc: configHelpCmd, Group: "server", Since: "5.0.0",
				Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: []string{"@slow"}},
		}})
}

// CONFIG GET pattern [pattern ...] replies a map of every matching
// directive to its value.
func configGetCmd(c *commands.Ctx) {
	s := cl(c).srv
	pats := make([]string, 0, len(c.Args)-2)
	for _, a := range c.Args[2:] {
		pats = append(pats, string(a))
	}
	pairs := s.cfg.GetMulti(pats...)
	c.W.Map(len(pairs))
	for _, p := range pairs {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
}

// CONFIG SET name value [name value ...] applies every pair or none.
func configSetCmd(c *commands.Ctx) {
	if len(c.Args)%2 != 0 {
		c.SyntaxError()
		return
	}
	cli := cl(c)
	s := cli.srv
	pairs := make([][2]string, 0, (len(c.Args)-2)/2)
	memChanged := false
	for i := 2; i+1 < len(c.Args); i += 2 {
		name := string(c.Args[i])
		pairs = append(pairs, [2]string{name, string(c.Args[i+1])})
		if strings.EqualFold(name, "maxmemory") {
			memChanged = true
		}
	}
	if err := s.cfg.SetAs(pairs, cli.isLocal()); err != nil {
		c.Error(err.Error())
		return
	}
	if memChanged && s.hot.maxmemory > 0 {
		// A limit below the current usage evicts at once (or leaves
		// writes refused), as Redis does.
		if used := usedMemory(); used > s.hot.maxmemory {
			s.log.Warn("WARNING: the new maxmemory value set via CONFIG SET (" + itoa(s.hot.maxmemory) +
				") is smaller than the current memory usage (" + itoa(used) +
				"). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.")
		}
		s.evictForCommand()
	}
	c.W.OK()
}

// isLocal reports whether the client came over a unix socket or the
// loopback interface (enable-protected-configs / enable-debug-command
// "local").
func (c *Client) isLocal() bool {
	if c.flags&flagUnixSocket != 0 {
		return true
	}
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return false
	}
	return host == "127.0.0.1" || host == "::1"
}

func configResetStatCmd(c *commands.Ctx) {
	cl(c).srv.resetStats()
	c.W.OK()
}

// CONFIG REWRITE rewrites the file the server was started with.
func configRewriteCmd(c *commands.Ctx) {
	s := cl(c).srv
	if err := s.cfg.Rewrite(); err != nil {
		msg := err.Error()
		s.log.Warn("CONFIG REWRITE failed: " + strings.TrimPrefix(msg, "ERR "))
		c.Error(msg)
		return
	}
	s.log.Info("CONFIG REWRITE executed with success.")
	c.W.OK()
}

func configHelpCmd(c *commands.Ctx) {
	writeHelp(c, "CONFIG", []string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}

// protectedAllowed applies an enable-*-command style setting ("yes",
// "local" or "no") to a client.
func protectedAllowed(cfg *config.Config, directive string, c *Client) bool {
	switch cfg.String(directive) {
	case "yes":
		return true
	case "local":
		return c.isLocal()
	}
	return false
}
