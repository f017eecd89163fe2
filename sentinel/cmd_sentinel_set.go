package sentinel

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// SENTINEL MONITOR, SET, CONFIG, DEBUG and SIMULATE-FAILURE: the commands
// that validate operator input before changing something.

// sentinelMonitor validates in Redis's order: quorum and port must be
// integers, quorum at least 1, the address an IP (or, with
// resolve-hostnames, a name that resolves), the port within 0..65535 and
// the name new. Then the master is added through Raft.
func sentinelMonitor(c *client, args [][]byte) {
	name, host := string(args[2]), string(args[3])
	quorum, ok := parseRedisInt(string(args[5]))
	if !ok || quorum > 1<<31-1 || quorum < -1<<31 {
		c.reject(errInvalidQuorum)
		return
	}
	port, ok := parseRedisInt(string(args[4]))
	if !ok || port > 1<<31-1 || port < -1<<31 {
		c.reject(errInvalidPort)
		return
	}
	if quorum <= 0 {
		c.reject(errQuorumMin)
		return
	}
	ip, ok := numericIP(host)
	if !ok && c.fe.settings.resolving() {
		ip, ok = resolveHost(host)
	}
	if !ok {
		c.reject(errInvalidAddr)
		return
	}
	if port < 0 || port > 65535 {
		c.reject(errInvalidPortNumber)
		return
	}
	if c.fe.lookupMaster(name) != nil {
		c.reject(resDuplicateMaster)
		return
	}
	if _, ok := c.change(Command{Op: OpMonitor, Name: name, IP: ip, Port: int(port), Quorum: int(quorum)}); ok {
		c.ok()
	}
}

// numericIP accepts what the C resolver accepts as a numeric address:
// IPv6, and IPv4 in the classic inet_aton forms (a, a.b, a.b.c, a.b.c.d,
// each part decimal, octal or hex), normalised as getaddrinfo prints it.
func numericIP(s string) (string, bool) {
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return "", false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := inetPart(p)
		if !ok {
			return "", false
		}
		vals[i] = v
	}
	// The last part fills every byte the earlier ones leave.
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 255 {
			return "", false
		}
		n |= vals[i] << (24 - 8*uint(i))
	}
	if vals[last] >= 1<<(8*uint(4-last)) {
		return "", false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String(), true
}

// inetPart parses one part of an inet_aton address: 0x-prefixed hex,
// 0-prefixed octal, else decimal.
func inetPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	v, err := strconv.ParseUint(p, base, 32)
	return v, err == nil
}

// resolveHost looks a host name up (resolve-hostnames yes), IPv4 first.
func resolveHost(host string) (string, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return "", false
	}
	for _, a := range addrs {
		if a.Is4() || a.Is4In6() {
			return a.Unmap().String(), true
		}
	}
	return addrs[0].String(), true
}

// setOptionCheck validates one SENTINEL SET option at args[j]; it returns
// the option, how many arguments it used, and the error reply if invalid.
func (c *client) setOptionCheck(args [][]byte, j int) (SetOption, int, string) {
	opt := string(args[j])
	lower := strings.ToLower(opt)
	more := len(args) - 1 - j
	val := ""
	if more > 0 {
		val = string(args[j+1])
	}
	invalid := sprintf(errSetInvalidArgFmt, val, opt)
	// The name goes as typed: +set shows it that way (the FSM matches it
	// case-insensitively).
	one := SetOption{Name: opt, Values: []string{val}}
	switch {
	case more > 0 && (lower == "down-after-milliseconds" || lower == "failover-timeout" ||
		lower == "parallel-syncs" || lower == "quorum"):
		n, ok := parseRedisInt(val)
		if !ok || n <= 0 || (lower != "down-after-milliseconds" && lower != "failover-timeout" && n > 1<<31-1) {
			return one, 2, invalid
		}
		return one, 2, ""
	case more > 0 && lower == "master-reboot-down-after-period":
		if n, ok := parseRedisInt(val); !ok || n < 0 {
			return one, 2, invalid
		}
		return one, 2, ""
	case more > 0 && (lower == "notification-script" || lower == "client-reconfig-script"):
		if c.fe.settings.scriptsDenied() {
			return one, 2, errScriptsDenied
		}
		if val != "" && !executable(val) {
			if lower == "notification-script" {
				return one, 2, errNotifScript
			}
			return one, 2, errReconfScript
		}
		return one, 2, ""
	case more > 0 && (lower == "auth-pass" || lower == "auth-user"):
		return one, 2, ""
	case more > 1 && lower == "rename-command":
		return SetOption{Name: opt, Values: []string{val, string(args[j+2])}}, 3, ""
	}
	return one, 1, sprintf(errSetUnknownFmt, opt)
}

// executable reports a regular file with an execute bit.
func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// sentinelSet validates the options in order. Like Redis it is not
// atomic: the options before an invalid one are applied (and announced)
// and then the error is returned.
func sentinelSet(c *client, args [][]byte) {
	m := c.masterOrReject(args[2])
	if m == nil {
		return
	}
	var opts []SetOption
	bad := ""
	for j := 3; j < len(args); {
		opt, used, err := c.setOptionCheck(args, j)
		if err != "" {
			bad = err
			break
		}
		opts = append(opts, opt)
		j += used
	}
	if len(opts) > 0 {
		if _, ok := c.change(Command{Op: OpSet, Name: m.Name, Options: opts}); !ok {
			return
		}
	}
	if bad != "" {
		c.reject(bad)
		return
	}
	c.ok()
}

// sentinelConfig: exactly CONFIG GET <pattern> or CONFIG SET <name>
// <value> (7.0 takes one pair).
func sentinelConfig(c *client, args [][]byte) {
	sub := strings.ToLower(string(args[2]))
	switch {
	case sub == "get" && len(args) == 4:
		found := c.fe.settings.get(string(args[3]))
		c.w.Map(len(found))
		for _, kv := range found {
			c.kv(kv[0], kv[1])
		}
	case sub == "set" && len(args) == 5:
		if err := c.fe.settings.set(string(args[3]), string(args[4])); err != "" {
			c.reject(err)
			return
		}
		if err := c.fe.s.flushConfig(); err != nil {
			c.fe.s.log.Warn("Failed to save config file: " + err.Error())
		}
		c.ok()
	default:
		c.reject(errConfigShape)
	}
}

// debugKnobs are SENTINEL DEBUG's names, in its reply order.
var debugKnobs = []struct {
	name string
	ptr  func(v *KnobValues) *int64
}{
	{"INFO-PERIOD", func(v *KnobValues) *int64 { return &v.InfoPeriod }},
	{"PING-PERIOD", func(v *KnobValues) *int64 { return &v.PingPeriod }},
	{"ASK-PERIOD", func(v *KnobValues) *int64 { return &v.AskPeriod }},
	{"PUBLISH-PERIOD", func(v *KnobValues) *int64 { return &v.PublishPeriod }},
	{"DEFAULT-DOWN-AFTER", func(v *KnobValues) *int64 { return &v.DefaultDownAfter }},
	{"DEFAULT-FAILOVER-TIMEOUT", func(v *KnobValues) *int64 { return &v.DefaultFailoverTimeout }},
	{"TILT-TRIGGER", func(v *KnobValues) *int64 { return &v.TiltTrigger }},
	{"TILT-PERIOD", func(v *KnobValues) *int64 { return &v.TiltPeriod }},
	{"SLAVE-RECONF-TIMEOUT", func(v *KnobValues) *int64 { return &v.SlaveReconfTimeout }},
	{"MIN-LINK-RECONNECT-PERIOD", func(v *KnobValues) *int64 { return &v.MinLinkReconnectPeriod }},
	{"ELECTION-TIMEOUT", func(v *KnobValues) *int64 { return &v.ElectionTimeout }},
	{"SCRIPT-MAX-RUNTIME", func(v *KnobValues) *int64 { return &v.ScriptMaxRuntime }},
	{"SCRIPT-RETRY-DELAY", func(v *KnobValues) *int64 { return &v.ScriptRetryDelay }},
}

// sentinelDebug shows the knobs, or sets name/value pairs one after the
// other (those before an invalid pair stay set, as in Redis).
func sentinelDebug(c *client, args [][]byte) {
	knobs := c.fe.s.knobs
	if len(args) == 2 {
		v := knobs.Get()
		c.w.Map(len(debugKnobs))
		for _, k := range debugKnobs {
			c.bulk(k.name)
			c.w.BulkInt(*k.ptr(&v))
		}
		return
	}
	for j := 2; j < len(args); j += 2 {
		name := string(args[j])
		idx := -1
		for i, k := range debugKnobs {
			if strings.EqualFold(k.name, name) {
				idx = i
			}
		}
		if idx < 0 || j+1 >= len(args) {
			c.errorf(errDebugUnknownFmt, name)
			return
		}
		n, ok := parseRedisInt(string(args[j+1]))
		if !ok || n <= 0 {
			c.errorf(errDebugInvalidFmt, string(args[j+1]), name)
			return
		}
		knobs.Update(func(v *KnobValues) { *debugKnobs[idx].ptr(v) = n })
	}
	c.ok()
}

// sentinelSimulateFailure clears the flags, then sets each one named;
// HELP lists them, anything else is an error (flags set so far stay).
func sentinelSimulateFailure(c *client, args [][]byte) {
	s := c.fe.s
	s.simulate.Store(0)
	for _, a := range args[2:] {
		switch strings.ToLower(string(a)) {
		case "crash-after-election":
			s.simulate.Or(simCrashAfterElection)
			s.log.Warn("Failure simulation: this Sentinel will crash after being successfully elected as failover leader")
		case "crash-after-promotion":
			s.simulate.Or(simCrashAfterPromotion)
			s.log.Warn("Failure simulation: this Sentinel will crash after promoting the selected replica to master")
		case "help":
			c.w.Array(2)
			c.bulk("crash-after-election")
			c.bulk("crash-after-promotion")
			return
		default:
			c.reject(errUnknownSimulation)
			return
		}
	}
	c.ok()
}
