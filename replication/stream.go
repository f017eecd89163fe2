package replication

import (
	"strconv"

	"redoubt/internal/resp"
)

// Tap receives every chunk appended to the stream, in order. It runs with
// the caller's serialisation held, so it must be quick and not block.
type Tap interface {
	Write(p []byte)
}

// TapFunc adapts a function to Tap.
type TapFunc func(p []byte)

// Write calls f.
func (f TapFunc) Write(p []byte) { f(p) }

// Stream frames executed writes into the replication byte stream.
type Stream struct {
	// Offset is the master replication offset: bytes ever appended.
	Offset int64
	// selected is the database the stream's consumers have selected; -1
	// forces a SELECT before the next command.
	selected int
	taps     []Tap
	scratch  []byte
}

// NewStream returns a stream whose next command will be preceded by
// a SELECT.
func NewStream() *Stream { return &Stream{selected: -1} }

// AddTap registers a consumer of the stream; RemoveTap unregisters it.
func (s *Stream) AddTap(t Tap) { s.taps = append(s.taps, t) }

// RemoveTap unregisters a consumer.
func (s *Stream) RemoveTap(t Tap) {
	for i, x := range s.taps {
		if x == t {
			s.taps = append(s.taps[:i], s.taps[i+1:]...)
			return
		}
	}
}

// Active reports whether anyone consumes the stream. Without consumers
// nothing is encoded (Redis likewise keeps no backlog until a replica
// connects), yet Offset still only moves when bytes are produced.
func (s *Stream) Active() bool { return len(s.taps) > 0 }

// ResetSelected forces a SELECT before the next command (done when a full
// sync starts and when the node changes role).
func (s *Stream) ResetSelected() { s.selected = -1 }

// Op is one command bound to a database.
type Op struct {
	DB   int
	Args [][]byte
}

var (
	cmdMulti  = [][]byte{[]byte("MULTI")}
	cmdExec   = [][]byte{[]byte("EXEC")}
	selectCmd = []byte("SELECT")
)

// Feed appends the commands one top-level execution produced. One command
// goes in bare; several are wrapped in MULTI/EXEC unless wrap is false
// (commands touching arbitrary keys, background expiry). MULTI is emitted
// in the database of the first command.
func (s *Stream) Feed(ops []Op, wrap bool) {
	if len(ops) == 0 || len(s.taps) == 0 {
		return
	}
	b := s.scratch[:0]
	multi := wrap && len(ops) > 1
	if multi {
		b = s.appendSelect(b, ops[0].DB)
		b = resp.AppendCommand(b, cmdMulti...)
	}
	for _, op := range ops {
		b = s.appendSelect(b, op.DB)
		b = resp.AppendCommand(b, op.Args...)
	}
	if multi {
		b = resp.AppendCommand(b, cmdExec...)
	}
	s.emit(b)
	s.scratch = b[:0]
}

// FeedRaw appends already-framed bytes (a replica proxying its master's
// stream, or control traffic such as PING that needs no SELECT).
func (s *Stream) FeedRaw(p []byte) {
	if len(s.taps) == 0 {
		return
	}
	s.emit(p)
}

func (s *Stream) emit(b []byte) {
	s.Offset += int64(len(b))
	for _, t := range s.taps {
		t.Write(b)
	}
}

func (s *Stream) appendSelect(b []byte, db int) []byte {
	if db == s.selected {
		return b
	}
	s.selected = db
	var num [20]byte
	return resp.AppendCommand(b, selectCmd, strconv.AppendInt(num[:0], int64(db), 10))
}
