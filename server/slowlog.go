package server

import (
	"strconv"
	"time"
)

// slowlogEntry is one SLOWLOG GET record.
type slowlogEntry struct {
	id       int64
	when     int64 // unix seconds
	micros   int64
	args     [][]byte
	peer     string
	name     string
	origArgc int
}

type slowlog struct {
	entries []slowlogEntry // newest first
	nextID  int64
}

func (l *slowlog) init() {}

// Redis keeps at most 32 arguments per entry (the last one saying how
// many more there were) and at most 128 bytes per argument.
const (
	slowlogMaxArgc = 32
	slowlogMaxArg  = 128
)

// maybeAdd records a command that took at least slower µs (negative
// slower disables the log; 0 logs everything). Secrets are recorded as
// (redacted); the log is trimmed to maxLen after the insertion, so a
// maxLen of 0 keeps nothing.
func (l *slowlog) maybeAdd(c *Client, args [][]byte, d time.Duration, slower int64, maxLen int) {
	if slower < 0 || d.Microseconds() < slower {
		return
	}
	args = redactArgs(args)
	e := slowlogEntry{id: l.nextID, when: time.Now().Unix(), micros: d.Microseconds(), peer: c.addr, name: c.name, origArgc: len(args)}
	l.nextID++
	n := len(args)
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc
	}
	for i := 0; i < n; i++ {
		if n < len(args) && i == n-1 {
			e.args = append(e.args, []byte("... ("+strconv.Itoa(len(args)-slowlogMaxArgc+1)+" more arguments)"))
			break
		}
		a := args[i]
		if len(a) > slowlogMaxArg {
			s := append([]byte(nil), a[:slowlogMaxArg]...)
			s = append(s, "... ("+strconv.Itoa(len(a)-slowlogMaxArg)+" more bytes)"...)
			e.args = append(e.args, s)
		} else {
			e.args = append(e.args, append([]byte(nil), a...))
		}
	}
	l.entries = append(l.entries, slowlogEntry{})
	copy(l.entries[1:], l.entries)
	l.entries[0] = e
	if maxLen < 0 {
		maxLen = 0
	}
	if len(l.entries) > maxLen {
		clear(l.entries[maxLen:])
		l.entries = l.entries[:maxLen]
	}
}
