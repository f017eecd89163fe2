package server

import (
	"fmt"
	"strconv"
	"time"
)

// feedMonitors sends a command run by client c to every MONITOR client as
// a status line: +<unix time>.<µs> [<db> <origin>] "arg" "arg" ... where
// origin is the client's address, or unix:<socket path> for a unix
// socket client. Secrets (passwords) are shown as (redacted).
func (s *Server) feedMonitors(c *Client, args [][]byte) {
	var origin []byte
	if c.flags&flagUnixSocket != 0 {
		origin = append(append(origin, "unix:"...), s.cfg.String("unixsocket")...)
	} else {
		origin = append(origin, c.addr...)
	}
	s.feedMonitorsFrom(c.db.ID, origin, args)
}

// FeedMonitorsScript sends a command run by a script to the monitors,
// with "lua" as its origin. Holds s.mu.
func (s *Server) FeedMonitorsScript(db int, args [][]byte) {
	if len(s.monitors) > 0 {
		s.feedMonitorsFrom(db, []byte("lua"), args)
	}
}

func (s *Server) feedMonitorsFrom(db int, origin []byte, args [][]byte) {
	now := time.Now()
	args = redactArgs(args)
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := now.Nanosecond() / 1000
	for d := 100000; d > 1 && us < d; d /= 10 {
		line = append(line, '0')
	}
	line = strconv.AppendInt(line, int64(us), 10)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(db), 10)
	line = append(line, ' ')
	line = append(line, origin...)
	line = append(line, ']')
	for _, a := range args {
		line = append(line, ' ')
		line = appendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	for _, m := range s.monitors {
		if m.flags&flagCloseAfterReply != 0 {
			// A closing connection gets nothing after its last reply.
			continue
		}
		m.w.Raw(line)
		s.asyncOutput(m)
	}
}

// appendRepr quotes a string the way Redis prints it in MONITOR and
// CLIENT LIST: printable bytes as they are, escapes for the rest.
func appendRepr(dst, b []byte) []byte {
	dst = append(dst, '"')
	for _, ch := range b {
		switch ch {
		case '\\', '"':
			dst = append(dst, '\\', ch)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if ch >= 32 && ch < 127 {
				dst = append(dst, ch)
			} else {
				dst = append(dst, fmt.Sprintf("\\x%02x", ch)...)
			}
		}
	}
	return append(dst, '"')
}

func (s *Server) removeMonitor(c *Client) {
	s.monitors = removeClientFrom(s.monitors, c)
}

// describe names a client in log lines.
func (c *Client) describe() string {
	return fmt.Sprintf("id=%d addr=%s laddr=%s name=%s", c.id, c.addr, c.laddr, c.name)
}
