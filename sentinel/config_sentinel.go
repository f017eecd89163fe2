package sentinel

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Default per-master settings of a monitor line.
const (
	defaultDownAfterMs       = 30000
	defaultFailoverTimeoutMs = 180000
	defaultParallelSyncs     = 1
)

// sentinelPass is one of the three passes over `sentinel` lines.
type sentinelPass int

const (
	passGlobals sentinelPass = iota
	passMonitor
	passOthers
)

// globalDirectives are read in the first pass, before any master exists.
var globalDirectives = map[string]bool{
	"announce-ip": true, "announce-port": true, "deny-scripts-reconfig": true,
	"sentinel-user": true, "sentinel-pass": true, "current-epoch": true, "myid": true,
	"resolve-hostnames": true, "announce-hostnames": true,
}

// loadSentinel applies the `sentinel` lines in three passes whatever
// their order in the file: the global options first, then every monitor
// line, then the rest (so a master's options may come before its
// monitor line). The first bad line stops the load.
func (c *Config) loadSentinel(lines []configLine) error {
	masters := map[string]*Master{}
	for _, pass := range []sentinelPass{passGlobals, passMonitor, passOthers} {
		for _, l := range lines {
			kw := strings.ToLower(l.argv[0])
			var p sentinelPass
			switch {
			case globalDirectives[kw]:
				p = passGlobals
			case kw == "monitor":
				p = passMonitor
			default:
				p = passOthers
			}
			if p != pass {
				continue
			}
			if msg := c.sentinelDirective(masters, kw, l.argv); msg != "" {
				return l.fail(msg)
			}
		}
	}
	return nil
}

// sentinelDirective applies one line (argv after "sentinel"); it returns
// the reason of a refusal, or "". A known keyword with the wrong number of
// arguments is as unrecognised as an unknown one.
func (c *Config) sentinelDirective(masters map[string]*Master, kw string, argv []string) string {
	n := len(argv)
	switch {
	case kw == "myid" && n == 2:
		if len(argv[1]) != 40 {
			return cfgErrMyID
		}
		c.MyID = argv[1]
	case kw == "current-epoch" && n == 2:
		c.CurrentEpoch = max(c.CurrentEpoch, cStrtoull(argv[1]))
	case kw == "announce-ip" && n == 2:
		c.g.announceIP = argv[1]
	case kw == "announce-port" && n == 2:
		c.g.announcePort = cAtoi(argv[1])
	case kw == "sentinel-user" && n == 2:
		c.g.sentinelUser = argv[1]
	case kw == "sentinel-pass" && n == 2:
		c.g.sentinelPass = argv[1]
	case kw == "deny-scripts-reconfig" && n == 2:
		return setYesNo(&c.g.denyScripts, argv[1], cfgErrDenyScriptsYesNo)
	case kw == "resolve-hostnames" && n == 2:
		return setYesNo(&c.g.resolveHostnames, argv[1], cfgErrResolveYesNo)
	case kw == "announce-hostnames" && n == 2:
		return setYesNo(&c.g.announceHostnames, argv[1], cfgErrAnnounceYesNo)
	case kw == "monitor" && n == 5:
		return c.monitorLine(masters, argv[1:])
	case kw == "known-sentinel" && n == 4:
		// The old form without a run id is ignored.
	case isMasterOption(kw, n):
		m := masters[argv[1]]
		if m == nil {
			return cfgErrNoMaster
		}
		return c.masterOption(m, kw, argv[2:])
	default:
		return cfgErrUnrecognized
	}
	return ""
}

// isMasterOption reports a per-master keyword with its argument count.
func isMasterOption(kw string, n int) bool {
	switch kw {
	case "down-after-milliseconds", "failover-timeout", "parallel-syncs", "notification-script",
		"client-reconfig-script", "auth-pass", "auth-user", "master-reboot-down-after-period",
		"config-epoch", "leader-epoch":
		return n == 3
	case "known-slave", "known-replica", "rename-command":
		return n == 4
	case "known-sentinel":
		return n == 5
	}
	return false
}

// monitorLine adds a master: quorum at least 1, a literal IP (a hostname
// only with resolve-hostnames yes), a port in 0..65535, a new name.
func (c *Config) monitorLine(masters map[string]*Master, a []string) string {
	quorum := cAtoi(a[3])
	if quorum <= 0 {
		return cfgErrQuorum
	}
	addr, msg := c.instanceAddr(a[1], a[2])
	if msg != "" {
		return msg
	}
	if masters[a[0]] != nil {
		return cfgErrDupMaster
	}
	m := &Master{Name: a[0], Addr: addr, Quorum: quorum, DownAfterMs: defaultDownAfterMs,
		FailoverTimeoutMs: defaultFailoverTimeoutMs, ParallelSyncs: defaultParallelSyncs}
	masters[m.Name] = m
	c.Seed = append(c.Seed, m)
	return ""
}

// instanceAddr resolves host (an IP, or with resolve-hostnames a name
// resolved to its first address) and checks the port range.
func (c *Config) instanceAddr(host, portText string) (Addr, string) {
	port := cAtoi(portText)
	if port < 0 || port > 65535 {
		return Addr{}, cfgErrPortNumber
	}
	if ip := net.ParseIP(host); ip != nil {
		return Addr{IP: host, Port: port}, ""
	}
	if !c.g.resolveHostnames {
		return Addr{}, cfgErrResolve
	}
	ips, err := net.LookupHost(host)
	if err != nil || len(ips) == 0 {
		return Addr{}, cfgErrResolve
	}
	return Addr{IP: ips[0], Port: port}, ""
}

// masterOption applies one per-master line (a = the values after the
// master name).
func (c *Config) masterOption(m *Master, kw string, a []string) string {
	switch kw {
	case "down-after-milliseconds", "failover-timeout":
		v := cAtoi(a[0])
		if v <= 0 {
			return cfgErrZeroTime
		}
		if kw == "down-after-milliseconds" {
			m.DownAfterMs = int64(v)
		} else {
			m.FailoverTimeoutMs = int64(v)
		}
	case "parallel-syncs":
		m.ParallelSyncs = cAtoi(a[0])
	case "notification-script", "client-reconfig-script":
		if syscall.Access(a[0], 1 /* X_OK */) != nil || isDir(a[0]) {
			if kw == "notification-script" {
				return cfgErrNotifScript
			}
			return cfgErrReconfScript
		}
		if kw == "notification-script" {
			m.NotificationScript = a[0]
		} else {
			m.ClientReconfigScript = a[0]
		}
	case "auth-pass":
		m.AuthPass = a[0]
	case "auth-user":
		m.AuthUser = a[0]
	case "master-reboot-down-after-period":
		v := cAtoi(a[0])
		if v < 0 {
			return cfgErrNegativeTime
		}
		m.MasterRebootDownAfterMs = int64(v)
	case "config-epoch":
		// A master's config epoch also raises the current epoch.
		m.ConfigEpoch = cStrtoull(a[0])
		c.CurrentEpoch = max(c.CurrentEpoch, m.ConfigEpoch)
	case "leader-epoch":
		m.LeaderEpoch = cStrtoull(a[0])
	case "known-slave", "known-replica":
		addr, msg := c.instanceAddr(a[0], a[1])
		if msg != "" {
			return msg
		}
		for _, r := range m.Replicas {
			if r == addr {
				return cfgErrDupReplica
			}
		}
		m.Replicas = append(m.Replicas, addr)
	case "known-sentinel":
		addr, msg := c.instanceAddr(a[0], a[1])
		if msg != "" {
			return msg
		}
		// A second line for the same address is silently ignored.
		for _, s := range c.KnownSentinels[m.Name] {
			if s.IP == addr.IP && s.Port == addr.Port {
				return ""
			}
		}
		c.KnownSentinels[m.Name] = append(c.KnownSentinels[m.Name], Member{ID: a[2], IP: addr.IP, Port: addr.Port})
	case "rename-command":
		// Renaming the same command twice (case-insensitively) is refused.
		old := strings.ToLower(a[0])
		if _, dup := m.RenameCommands[old]; dup {
			return cfgErrRenameTwice
		}
		if m.RenameCommands == nil {
			m.RenameCommands = map[string]string{}
		}
		m.RenameCommands[old] = a[1]
	}
	return ""
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func setYesNo(dst *bool, v, msg string) string {
	switch strings.ToLower(v) {
	case "yes":
		*dst = true
	case "no":
		*dst = false
	default:
		return msg
	}
	return ""
}

// cAtoi reads an int the way C's atoi does: leading blanks, an optional
// sign, then as many digits as there are (none gives 0; junk after them
// is ignored).
func cAtoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<31 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// cStrtoull reads the leading decimal digits of s (0 when there are none).
func cStrtoull(s string) uint64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	s = strings.TrimPrefix(s, "+")
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	v, err := strconv.ParseUint(s[:end], 10, 64)
	if err != nil && end > 0 {
		return ^uint64(0)
	}
	return v
}

// loadRaft applies our Raft directives, in order.
func (c *Config) loadRaft(lines []configLine) error {
	for _, l := range lines {
		name := strings.ToLower(l.argv[0])
		args := l.argv[1:]
		var msg string
		switch name {
		case "raft-id", "raft-addr", "raft-dir", "raft-join":
			if len(args) != 1 {
				msg = cfgErrArity
				break
			}
			msg = c.raftSingle(name, args[0])
		case "raft-peers":
			if len(args) == 0 {
				msg = cfgErrArity
				break
			}
			msg = c.raftPeers(args)
		default:
			msg = "Bad directive or wrong number of arguments"
		}
		if msg != "" {
			return l.fail(msg)
		}
		c.explicit[name] = true
	}
	return nil
}

func (c *Config) raftSingle(name, v string) string {
	switch name {
	case "raft-id":
		if v == "" {
			return cfgErrRaftID
		}
		c.RaftID = v
	case "raft-addr", "raft-join":
		if !validHostPort(v) {
			return cfgErrRaftAddr
		}
		if name == "raft-addr" {
			c.RaftAddr = v
		} else {
			c.RaftJoin = v
		}
	case "raft-dir":
		c.RaftDir = v
		if v != "" && !filepath.IsAbs(v) {
			c.RaftDir = filepath.Join(c.Dir, v)
		}
	}
	return ""
}

// raftPeers reads id=host:port items, separated by commas or given as
// several arguments. An empty list clears the peers.
func (c *Config) raftPeers(args []string) string {
	peers := map[string]string{}
	for _, a := range args {
		for _, item := range strings.Split(a, ",") {
			if item == "" {
				continue
			}
			id, addr, ok := strings.Cut(item, "=")
			if !ok || id == "" || !validHostPort(addr) {
				return cfgErrRaftPeers
			}
			peers[id] = addr
		}
	}
	c.RaftPeers = peers
	return ""
}

func validHostPort(v string) bool {
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p >= 1 && p <= 65535
}
