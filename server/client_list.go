package server

import (
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// One line of CLIENT LIST / CLIENT INFO, with Redis 7.0's fields in its
// order. The memory figures (qbuf, argv-mem, multi-mem, rbs, rbp, obl,
// oll, omem, tot-mem) are estimates from Redoubt's own buffers.

// Client types as CLIENT LIST TYPE and CLIENT KILL TYPE name them.
const (
	clientTypeNormal = iota
	clientTypeReplica
	clientTypePubSub
	clientTypeMaster
)

// clientTypeByName parses a type name; -1 if unknown.
func clientTypeByName(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return clientTypeNormal
	case "slave", "replica":
		return clientTypeReplica
	case "pubsub":
		return clientTypePubSub
	case "master":
		return clientTypeMaster
	}
	return -1
}

// clientType classifies a client; a monitor counts as normal.
func clientType(c *Client) int {
	switch {
	case c.flags&flagMaster != 0:
		return clientTypeMaster
	case c.flags&flagReplica != 0 && c.flags&flagMonitor == 0:
		return clientTypeReplica
	case c.flags&flagPubSub != 0:
		return clientTypePubSub
	}
	return clientTypeNormal
}

// clientFlags spells a client's state as CLIENT LIST's flags field.
func clientFlags(c *Client) string {
	var b []byte
	switch {
	case c.flags&flagMonitor != 0:
		b = append(b, 'O')
	case c.flags&flagReplica != 0:
		b = append(b, 'S')
	}
	if c.flags&flagMaster != 0 {
		b = append(b, 'M')
	}
	if c.flags&flagPubSub != 0 {
		b = append(b, 'P')
	}
	if c.flags&flagMulti != 0 {
		b = append(b, 'x')
	}
	if c.blocked != nil || c.postponed {
		b = append(b, 'b')
	}
	if c.flags&flagDirtyCAS != 0 {
		b = append(b, 'd')
	}
	if c.flags&flagCloseAfterReply != 0 {
		b = append(b, 'c')
	}
	if c.killed.Load() {
		b = append(b, 'A')
	}
	if c.flags&flagUnixSocket != 0 {
		b = append(b, 'U')
	}
	if c.noEvict {
		b = append(b, 'e')
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}

// connFD returns the file descriptor of the client's socket, or -1.
func connFD(c *Client) int {
	sc, ok := c.conn.(syscall.Conn)
	if !ok {
		return -1
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if rc.Control(func(f uintptr) { fd = int(f) }) != nil {
		return -1
	}
	return fd
}

func argsLen(args [][]byte) int64 {
	var n int64
	for _, a := range args {
		n += int64(len(a))
	}
	return n
}

// appendClientInfo appends the description of c; self is the client
// asking (its current command's arguments count as argv-mem). Holds s.mu.
func appendClientInfo(b []byte, c, self *Client, now time.Time) []byte {
	field := func(name string) { b = append(b, name...); b = append(b, '=') }
	num := func(name string, v int64) {
		field(name)
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
	}
	str := func(name, v string) {
		field(name)
		b = append(b, v...)
		b = append(b, ' ')
	}
	num("id", c.id)
	str("addr", c.addr)
	str("laddr", c.laddr)
	num("fd", int64(connFD(c)))
	str("name", c.name)
	num("age", int64(now.Sub(c.created)/time.Second))
	num("idle", int64(now.Sub(c.lastInteract)/time.Second))
	str("flags", clientFlags(c))
	num("db", int64(c.db.ID))
	num("sub", int64(len(c.channels)))
	num("psub", int64(len(c.patterns)))
	num("ssub", int64(len(c.shardChannels)))
	multi := int64(-1)
	var multiMem int64
	if c.flags&flagMulti != 0 {
		multi = int64(len(c.multi))
		for _, q := range c.multi {
			multiMem += argsLen(q.args) + 16*int64(len(q.args)) + 24
		}
	}
	num("multi", multi)
	// Another client's reader belongs to its goroutine, which reads
	// without the lock: only the asking client's pending input is known.
	var qbuf int64
	if c == self {
		qbuf = int64(c.rd.Buffered())
	}
	const readBuf = 16 * 1024
	num("qbuf", qbuf)
	num("qbuf-free", max(readBuf-qbuf, 0))
	var argvMem int64
	switch {
	case c == self:
		argvMem = argsLen(c.ctx.Args)
	case c.blocked != nil:
		argvMem = argsLen(c.blocked.args)
	}
	num("argv-mem", argvMem)
	num("multi-mem", multiMem)
	num("rbs", readBuf)
	num("rbp", qbuf)
	out := int64(len(c.w.Buf))
	const staticBuf = 16 * 1024
	obl, omem, oll := out, int64(0), int64(0)
	if out > staticBuf {
		obl, omem = staticBuf, out-staticBuf
		oll = (omem + staticBuf - 1) / staticBuf
	}
	num("obl", obl)
	num("oll", oll)
	num("omem", omem)
	num("tot-mem", readBuf+int64(cap(c.w.Buf))+argvMem+multiMem+1024)
	events := "r"
	if c != self && out > 0 {
		events = "rw"
	}
	str("events", events)
	cmd := c.lastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	str("cmd", cmd)
	str("user", c.user)
	num("redir", -1)
	field("resp")
	return strconv.AppendInt(b, int64(c.w.Proto), 10)
}

// sortedClients lists the clients in connection order. Holds s.mu.
func (s *Server) sortedClients() []*Client {
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// clientListText is CLIENT LIST's text for the clients of type typ (-1:
// all), one line each.
func (s *Server) clientListText(self *Client, typ int) []byte {
	now := time.Now()
	var b []byte
	for _, c := range s.sortedClients() {
		if typ != -1 && clientType(c) != typ {
			continue
		}
		b = appendClientInfo(b, c, self, now)
		b = append(b, '\n')
	}
	return b
}

// killFilter is CLIENT KILL's selection in its filter form.
type killFilter struct {
	id     int64 // 0: any
	typ    int   // -1: any
	user   string
	addr   string
	laddr  string
	skipMe bool
	// hasUser, hasAddr and hasLaddr tell which string filters were given.
	hasUser, hasAddr, hasLaddr bool
}

func (f *killFilter) match(c, self *Client) bool {
	switch {
	case f.id != 0 && c.id != f.id:
		return false
	case f.typ != -1 && clientType(c) != f.typ:
		return false
	case f.hasUser && c.user != f.user:
		return false
	case f.hasAddr && c.addr != f.addr:
		return false
	case f.hasLaddr && c.laddr != f.laddr:
		return false
	case f.skipMe && c == self:
		return false
	}
	return true
}

// killClients closes every client f selects and returns how many. The
// asking client, if selected, is closed once its reply is written; the
// others are dropped at once. Holds s.mu.
func (s *Server) killClients(f *killFilter, self *Client) int64 {
	var n int64
	for _, c := range s.sortedClients() {
		if !f.match(c, self) {
			continue
		}
		n++
		if c == self {
			c.flags |= flagCloseAfterReply
			continue
		}
		s.dropClient(c)
	}
	return n
}

// dropClient disconnects another client now: it leaves the client table
// (and every wait list) before its goroutine notices. Holds s.mu.
func (s *Server) dropClient(c *Client) {
	s.removeClient(c)
	c.kill()
}
