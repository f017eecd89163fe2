package server

import (
	"fmt"
	"strconv"
	"time"
)

// feedMonitors sends a command to every MONITOR client in Redis's format:
// +<unix time with µs> [<db> <addr>] "arg" "arg" ...
func (s *Server) feedMonitors(c *Client, args [][]byte) {
	now := time.Now()
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, fmt.Sprintf(".%06d", now.Nanosecond()/1000)...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(c.db.ID), 10)
	line = append(line, ' ')
	switch {
	case c.flags&flagMaster != 0:
		line = append(line, "master"...)
	case c.flags&flagUnixSocket != 0:
		line = append(line, "unix:"...)
		line = append(line, s.cfg.String("unixsocket")...)
	default:
		line = append(line, c.addr...)
	}
	line = append(line, ']')
	for _, a := range args {
		line = append(line, ' ')
		line = appendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	for _, m := range s.monitors {
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
