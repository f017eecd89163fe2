package sentinel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"redoubt/internal/glob"
)

// globals are the sentinel-wide options: read from `sentinel` lines,
// changed at run time by SENTINEL CONFIG SET (except
// deny-scripts-reconfig, which only the file sets), written back by the
// rewrite.
type globals struct {
	mu                sync.Mutex
	resolveHostnames  bool
	announceHostnames bool
	announceIP        string
	announcePort      int
	sentinelUser      string
	sentinelPass      string
	denyScripts       bool // default yes
}

// globalOrder is the order SENTINEL CONFIG GET lists the options in.
var globalOrder = []string{"resolve-hostnames", "announce-hostnames", "announce-ip", "announce-port",
	"sentinel-user", "sentinel-pass"}

func yesOrNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// GetGlobals returns every option whose name matches the glob pattern
// (case-insensitively) with its value, in SENTINEL CONFIG GET's order.
func (c *Config) GetGlobals(pattern string) [][2]string {
	c.g.mu.Lock()
	vals := map[string]string{
		"resolve-hostnames":  yesOrNo(c.g.resolveHostnames),
		"announce-hostnames": yesOrNo(c.g.announceHostnames),
		"announce-ip":        c.g.announceIP,
		"announce-port":      strconv.Itoa(c.g.announcePort),
		"sentinel-user":      c.g.sentinelUser,
		"sentinel-pass":      c.g.sentinelPass,
	}
	c.g.mu.Unlock()
	var out [][2]string
	for _, name := range globalOrder {
		if glob.MatchString(pattern, name, true) {
			out = append(out, [2]string{name, vals[name]})
		}
	}
	return out
}

// SetGlobal changes one option (name case-insensitive). The error's text
// is the wire reply without '-': an unknown name is an invalid argument; a
// yes/no option takes only yes or no and announce-port only 0..65535
// (strict integer syntax), anything else is an invalid value. Strings
// take any value; the empty string unsets them. The caller saves the
// file (and drops peer links after a sentinel-user/-pass change).
func (c *Config) SetGlobal(name, value string) error {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	bad := errors.New(fmt.Sprintf(errConfigValueFmt, value, name))
	yn := func(dst *bool) error {
		switch strings.ToLower(value) {
		case "yes":
			*dst = true
		case "no":
			*dst = false
		default:
			return bad
		}
		return nil
	}
	switch strings.ToLower(name) {
	case "resolve-hostnames":
		return yn(&c.g.resolveHostnames)
	case "announce-hostnames":
		return yn(&c.g.announceHostnames)
	case "announce-ip":
		c.g.announceIP = value
	case "announce-port":
		p, ok := parseRedisInt(value)
		if !ok || p < 0 || p > 65535 {
			return bad
		}
		c.g.announcePort = int(p)
	case "sentinel-user":
		c.g.sentinelUser = value
	case "sentinel-pass":
		c.g.sentinelPass = value
	default:
		return errors.New(fmt.Sprintf(errConfigArgFmt, name))
	}
	return nil
}

// AnnounceIP is announce-ip ("" = not set).
func (c *Config) AnnounceIP() string {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.announceIP
}

// AnnouncePort is announce-port (0 = not set).
func (c *Config) AnnouncePort() int {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.announcePort
}

// SentinelUser is sentinel-user: the user for AUTH toward other sentinels.
func (c *Config) SentinelUser() string {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.sentinelUser
}

// SentinelPass is sentinel-pass: the password toward other sentinels
// (requirepass is used instead when it is empty).
func (c *Config) SentinelPass() string {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.sentinelPass
}

// DenyScriptsReconfig is deny-scripts-reconfig (default yes): SENTINEL
// SET may not change script paths.
func (c *Config) DenyScriptsReconfig() bool {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.denyScripts
}

// ResolveHostnames is resolve-hostnames (default no: literal IPs only).
func (c *Config) ResolveHostnames() bool {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.resolveHostnames
}

// AnnounceHostnames is announce-hostnames (default no).
func (c *Config) AnnounceHostnames() bool {
	c.g.mu.Lock()
	defer c.g.mu.Unlock()
	return c.g.announceHostnames
}
