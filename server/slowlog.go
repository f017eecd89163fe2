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
// slower disables the log; 0 logs everything).
func (l *slowlog) maybeAdd(c *Client, args [][]byte, d time.Duration, slower int64, max int) {
	if slower < 0 || d.Microseconds() < slower || max <= 0 {
		return
	}
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
	l.entries = append([]slowlogEntry{e}, l.entries...)
	if len(l.entries) > max {
		l.entries = l.entries[:max]
	}
}
