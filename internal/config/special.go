package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// SaveParam is one "save <seconds> <changes>" rule.
type SaveParam struct {
	Seconds int64
	Changes int
}

type saveVal []SaveParam

func parseSave(x *setCtx, _ *Directive, args []string) (any, error) {
	// A single empty argument always clears the rules, even while reading
	// a file where later "save" lines would otherwise add to earlier ones.
	explicitEmpty := len(args) == 1 && args[0] == ""
	if explicitEmpty {
		args = nil
	}
	bad := errors.New("Invalid save parameters")
	if len(args)%2 != 0 {
		return nil, bad
	}
	for j, a := range args {
		v, rest, _ := cStrtoll(a, 10)
		if rest != "" || (j%2 == 0 && v < 1) || (j%2 == 1 && v < 0) {
			return nil, bad
		}
	}
	var out saveVal
	if x.loading {
		// While reading a file the first "save" line replaces the defaults
		// and later ones add to it.
		if x.c.saveLoaded && !explicitEmpty {
			out = append(out, x.cur(Lookup("save")).(saveVal)...)
		}
		x.c.saveLoaded = true
	}
	for j := 0; j < len(args); j += 2 {
		secs, _, _ := cStrtoll(args[j], 10)
		changes, _, _ := cStrtoll(args[j+1], 10)
		out = append(out, SaveParam{Seconds: secs, Changes: int(int32(changes))})
	}
	return out, nil
}

func formatSave(v any) string {
	var parts []string
	for _, p := range v.(saveVal) {
		parts = append(parts, strconv.FormatInt(p.Seconds, 10)+" "+strconv.Itoa(p.Changes))
	}
	return strings.Join(parts, " ")
}

// OutputBufferLimit is one client class of client-output-buffer-limit.
type OutputBufferLimit struct {
	Hard, Soft  uint64 // bytes, 0 = no limit
	SoftSeconds int64
}

// Output buffer classes, in the order Redis prints them.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubSub
)

type obufVal [3]OutputBufferLimit

var obufNames = [3]string{"normal", "slave", "pubsub"}

func obufClass(name string) int {
	switch asciiLower(name) {
	case "normal":
		return ClassNormal
	case "slave", "replica":
		return ClassReplica
	case "pubsub":
		return ClassPubSub
	}
	return -1 // includes "master", which cannot be limited
}

func parseObuf(x *setCtx, d *Directive, args []string) (any, error) {
	if len(args)%4 != 0 {
		return nil, errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	out, ok := x.cur(d).(obufVal)
	if !ok {
		out = defaultObuf() // building the defaults
	}
	for j := 0; j < len(args); j += 4 {
		class := obufClass(args[j])
		if class < 0 {
			return nil, errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, ok1 := ParseMemory(args[j+1])
		soft, ok2 := ParseMemory(args[j+2])
		secs, rest, _ := cStrtoll(args[j+3], 10)
		secs32 := int32(secs) // Redis keeps the seconds in an int
		if !ok1 || !ok2 || secs32 < 0 || rest != "" {
			return nil, errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		out[class] = OutputBufferLimit{Hard: hard, Soft: soft, SoftSeconds: int64(secs32)}
	}
	return out, nil
}

func formatObufClass(i int, l OutputBufferLimit) string {
	return obufNames[i] + " " + strconv.FormatUint(l.Hard, 10) + " " +
		strconv.FormatUint(l.Soft, 10) + " " + strconv.FormatInt(l.SoftSeconds, 10)
}

func formatObuf(v any) string {
	o := v.(obufVal)
	parts := make([]string, len(o))
	for i := range o {
		parts[i] = formatObufClass(i, o[i])
	}
	return strings.Join(parts, " ")
}

func parseOOMValues(_ *setCtx, _ *Directive, args []string) (any, error) {
	if len(args) != 3 {
		return nil, errors.New("wrong number of arguments")
	}
	var out [3]int64
	for i, a := range args {
		v, rest, _ := cStrtoll(a, 10)
		if rest != "" || v < -2000 || v > 2000 {
			return nil, errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
		}
		out[i] = v
	}
	return out, nil
}

func formatOOMValues(v any) string {
	o := v.([3]int64)
	return strconv.FormatInt(o[0], 10) + " " + strconv.FormatInt(o[1], 10) + " " + strconv.FormatInt(o[2], 10)
}

// Keyspace notification classes (the bits of notify-keyspace-events).
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZSet                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyLoaded               // module key loaded (never from config)
	NotifyModule               // d
	NotifyNew                  // n
	// NotifyAll is what "A" stands for.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ParseKeyspaceEvents converts a notify-keyspace-events string to flags.
func ParseKeyspaceEvents(s string) (int, bool) {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZSet
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// FormatKeyspaceEvents renders flags in Redis's canonical order.
func FormatKeyspaceEvents(flags int) string {
	var b strings.Builder
	if flags&NotifyAll == NotifyAll {
		b.WriteByte('A')
	} else {
		for _, f := range []struct {
			bit int
			c   byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'}} {
			if flags&f.bit != 0 {
				b.WriteByte(f.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&NotifyKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&NotifyKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

func parseNotify(_ *setCtx, _ *Directive, args []string) (any, error) {
	if len(args) != 1 {
		return nil, errors.New("wrong number of arguments")
	}
	f, ok := ParseKeyspaceEvents(args[0])
	if !ok {
		return nil, errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
	}
	return int64(f), nil
}

func formatNotify(v any) string { return FormatKeyspaceEvents(int(v.(int64))) }

func parseBind(_ *setCtx, _ *Directive, args []string) (any, error) {
	if len(args) > 16 {
		return nil, errors.New("Too many bind addresses specified.")
	}
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	return append([]string{}, args...), nil
}

func formatList(v any) string { return strings.Join(v.([]string), " ") }

// replicaOfVal is the master of a replica; Host "" means none.
type replicaOfVal struct {
	Host string
	Port int
}

func parseReplicaOf(_ *setCtx, _ *Directive, args []string) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("wrong number of arguments")
	}
	if asciiLower(args[0]) == "no" && asciiLower(args[1]) == "one" {
		return replicaOfVal{}, nil
	}
	port, rest, _ := cStrtoll(args[1], 10)
	p := int(int32(port)) // Redis keeps the port in an int
	if p < 0 || p > 65535 || rest != "" {
		return nil, errors.New("Invalid master port")
	}
	return replicaOfVal{Host: args[0], Port: p}, nil
}

func formatReplicaOf(v any) string {
	r := v.(replicaOfVal)
	if r.Host == "" {
		return ""
	}
	return r.Host + " " + strconv.Itoa(r.Port)
}

func parsePercentiles(_ *setCtx, _ *Directive, args []string) (any, error) {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	out := []float64{}
	for _, a := range args {
		f, ok := parseCDouble(a)
		if !ok {
			return nil, errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if f > 100 || f < 0 {
			return nil, errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out = append(out, f)
	}
	return out, nil
}

func formatPercentiles(v any) string {
	var parts []string
	for _, f := range v.([]float64) {
		parts = append(parts, formatCDouble(f))
	}
	return strings.Join(parts, " ")
}

// parseDir checks that the directory exists; the working directory is
// changed only once the whole load or CONFIG SET has succeeded.
func parseDir(x *setCtx, d *Directive, args []string) (any, error) {
	if len(args) != 1 {
		return nil, errors.New("wrong number of arguments")
	}
	p := args[0]
	if p == "" {
		return nil, errors.New(errnoText(syscall.ENOENT))
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(x.cur(d).(string), p)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, errors.New(errnoText(err))
	}
	if !st.IsDir() {
		return nil, errors.New(errnoText(syscall.ENOTDIR))
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return filepath.Clean(p), nil
}

// errnoText renders an OS error like C's strerror ("No such file or
// directory").
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}
