package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Log levels in Redis's four steps: debug, verbose, notice, warning.
const (
	LevelDebug   = slog.LevelDebug
	LevelVerbose = slog.Level(-2)
	LevelNotice  = slog.LevelInfo
	LevelWarning = slog.LevelWarn
)

// ParseLevel maps a loglevel directive value to a slog level.
func ParseLevel(s string) slog.Level {
	switch s {
	case "debug":
		return LevelDebug
	case "verbose":
		return LevelVerbose
	case "warning":
		return LevelWarning
	}
	return LevelNotice
}

// Handler writes records as Redis does on standard output
// ("pid:M 22 Nov 2026 03:34:51.436 * message"), or as JSON lines when
// json is set (logfile). The same message repeated more than a few times
// per second is sampled: the rest are counted and reported once.
type Handler struct {
	mu    *sync.Mutex
	out   io.Writer
	level *slog.LevelVar
	role  byte
	json  bool
	attrs []slog.Attr
	rep   *repeatState
}

type repeatState struct {
	msg        string
	windowFrom time.Time
	count      int
	suppressed int
}

// repeatBurst is how many identical messages per second are written
// before sampling starts.
const repeatBurst = 5

// NewHandler returns a Redis-format handler.
func NewHandler(out io.Writer, level slog.Level, role byte) *Handler {
	lv := &slog.LevelVar{}
	lv.Set(level)
	return &Handler{mu: &sync.Mutex{}, out: out, level: lv, role: role, rep: &repeatState{}}
}

// NewJSONHandler returns a handler writing JSON lines.
func NewJSONHandler(out io.Writer, level slog.Level, role byte) *Handler {
	h := NewHandler(out, level, role)
	h.json = true
	return h
}

// SetLevel changes the level at run time (CONFIG SET loglevel).
func (h *Handler) SetLevel(l slog.Level) { h.level.Set(l) }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &n
}

// WithGroup implements slog.Handler (groups are flattened).
func (h *Handler) WithGroup(string) slog.Handler { return h }

func levelChar(l slog.Level) byte {
	switch {
	case l >= LevelWarning:
		return '#'
	case l >= LevelNotice:
		return '*'
	case l >= LevelVerbose:
		return '-'
	}
	return '.'
}

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sampled(r) {
		return nil
	}
	return h.write(r.Time, r.Level, r.Message, r)
}

// sampled applies repeated-message sampling; it reports whether r is
// dropped.
func (h *Handler) sampled(r slog.Record) bool {
	st := h.rep
	if r.Message == st.msg && r.Time.Sub(st.windowFrom) < time.Second {
		st.count++
		if st.count > repeatBurst {
			st.suppressed++
			return true
		}
		return false
	}
	if st.suppressed > 0 {
		h.write(r.Time, LevelNotice, fmt.Sprintf("(last message repeated %d more times)", st.suppressed), slog.Record{})
	}
	st.msg, st.windowFrom, st.count, st.suppressed = r.Message, r.Time, 1, 0
	return false
}

func (h *Handler) write(t time.Time, l slog.Level, msg string, r slog.Record) error {
	if h.json {
		m := map[string]any{"time": t.Format(time.RFC3339Nano), "level": levelName(l), "pid": os.Getpid(), "role": string(h.role), "msg": msg}
		for _, a := range h.attrs {
			m[a.Key] = a.Value.Any()
		}
		r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Any(); return true })
		b, _ := json.Marshal(m)
		_, err := h.out.Write(append(b, '\n'))
		return err
	}
	line := fmt.Sprintf("%d:%c %s %c %s", os.Getpid(), h.role, t.Format("02 Jan 2006 15:04:05.000"), levelChar(l), msg)
	for _, a := range h.attrs {
		line += " " + a.Key + "=" + a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool { line += " " + a.Key + "=" + a.Value.String(); return true })
	_, err := io.WriteString(h.out, line+"\n")
	return err
}

func levelName(l slog.Level) string {
	switch {
	case l >= LevelWarning:
		return "warning"
	case l >= LevelNotice:
		return "notice"
	case l >= LevelVerbose:
		return "verbose"
	}
	return "debug"
}
