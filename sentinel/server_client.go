package sentinel

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"redoubt/internal/resp"
)

// client is one connection to the front end.
type client struct {
	fe *frontEnd
	id int64
	nc net.Conn
	rd *resp.Reader
	w  *resp.Writer // written by the reader goroutine only

	out       chan []byte
	done      chan struct{}
	closeOnce sync.Once
	// quitAfterReply ends the connection once the current reply is sent
	// (CLIENT KILL of oneself, SHUTDOWN).
	quitAfterReply atomic.Bool
	// aborted drops pending output (killed by another, too slow).
	aborted atomic.Bool
	// queued is the number of output bytes waiting to be written.
	queued atomic.Int64

	proto     atomic.Int32
	authed    atomic.Bool
	created   time.Time
	lastCmdAt atomic.Int64 // unix ms
	countedIn int64

	mu      sync.Mutex
	name    string
	lastCmd string
	// replyMode is CLIENT REPLY's setting: on, off, or skip (the next one).
	replyMode string

	// Subscriptions, guarded by the hub's lock.
	channels map[string]struct{}
	patterns map[string]struct{}
	nsubs    atomic.Int32
}

func newClient(f *frontEnd, nc net.Conn) *client {
	c := &client{fe: f, id: f.nextID.Add(1), nc: nc, created: time.Now(),
		out: make(chan []byte, outQueueLen), done: make(chan struct{}), replyMode: "on",
		channels: map[string]struct{}{}, patterns: map[string]struct{}{}}
	c.rd = resp.NewReader(nc, readBufSize)
	c.rd.Authenticated = c.authed.Load
	c.w = resp.NewWriter()
	c.proto.Store(2)
	c.authed.Store(f.settings.requirePass() == "")
	c.lastCmdAt.Store(c.created.UnixMilli())
	return c
}

func sortClients(cs []*client) {
	slices.SortFunc(cs, func(a, b *client) int { return int(a.id - b.id) })
}

// describe names the client in log lines.
func (c *client) describe() string {
	return "id=" + fmt.Sprint(c.id) + " addr=" + c.nc.RemoteAddr().String()
}

// command is one entry of the command table. Containers (SENTINEL,
// CLIENT, COMMAND, ACL) dispatch on their first argument to subs.
type command struct {
	name  string // full lower-case name: "ping", "sentinel|myid"
	arity int    // exact when positive, minimum when negative
	// noAuth commands run before authentication (AUTH, HELLO).
	noAuth bool
	// subscribed commands are allowed in RESP2 subscribed mode.
	subscribed bool
	run        func(c *client, args [][]byte)
	subs       map[string]*command
}

// sub declares a subcommand of container.
func sub(container, name string, arity int, run func(c *client, args [][]byte)) *command {
	return &command{name: container + "|" + name, arity: arity, run: run}
}

// container builds a container command from its subcommands.
func container(name string, arity int, run func(c *client, args [][]byte), subs ...*command) *command {
	m := make(map[string]*command, len(subs))
	for _, s := range subs {
		m[s.name[len(name)+1:]] = s
	}
	return &command{name: name, arity: arity, run: run, subs: m}
}

var commandTable map[string]*command

func init() {
	commandTable = map[string]*command{}
	for _, c := range []*command{
		{name: "ping", arity: -1, subscribed: true, run: cmdPing},
		{name: "auth", arity: -2, noAuth: true, run: cmdAuth},
		{name: "hello", arity: -1, noAuth: true, run: cmdHello},
		{name: "role", arity: 1, run: cmdRole},
		{name: "info", arity: -1, run: cmdInfo},
		{name: "shutdown", arity: -1, run: cmdShutdown},
		{name: "publish", arity: 3, run: cmdPublish},
		{name: "subscribe", arity: -2, subscribed: true, run: cmdSubscribe},
		{name: "psubscribe", arity: -2, subscribed: true, run: cmdPsubscribe},
		{name: "unsubscribe", arity: -1, subscribed: true, run: cmdUnsubscribe},
		{name: "punsubscribe", arity: -1, subscribed: true, run: cmdPunsubscribe},
		clientCommand(),
		commandCommand(),
		aclCommand(),
		sentinelCommand(),
	} {
		commandTable[c.name] = c
	}
}

// execute runs one request. Redis's checks, in order: the command (and
// subcommand) must exist, the argument count must fit, the client must be
// authenticated unless the command is allowed before, and a RESP2 client
// in subscribed mode may only run the pub/sub commands and PING.
func (c *client) execute(args [][]byte) {
	c.fe.stats.commands.Add(1)
	name := strings.ToLower(string(args[0]))
	cmd := commandTable[name]
	if cmd == nil {
		c.unknownCommand(args)
		return
	}
	if cmd.subs != nil && len(args) >= 2 {
		sc := cmd.subs[strings.ToLower(string(args[1]))]
		if sc == nil {
			c.errorf(errUnknownSubcommandFmt, clip(string(args[1]), 128), strings.ToUpper(cmd.name))
			return
		}
		cmd = sc
	}
	if (cmd.arity > 0 && len(args) != cmd.arity) || len(args) < -cmd.arity {
		c.errorf(errWrongArityFmt, cmd.name)
		return
	}
	if !cmd.noAuth && !c.authed.Load() {
		c.reject(errNoAuth)
		return
	}
	if c.proto.Load() == 2 && c.nsubs.Load() > 0 && !cmd.subscribed {
		c.errorf(errSubscribedFmt, cmd.name)
		return
	}
	c.mu.Lock()
	c.lastCmd = cmd.name
	mode := c.replyMode
	c.mu.Unlock()
	mark := len(c.w.Buf)
	cmd.run(c, args)
	// CLIENT REPLY OFF/SKIP drop what the command wrote (the SKIP that
	// was just set applies to the next command).
	c.mu.Lock()
	switch {
	case mode == "off" && cmd.name != "client|reply":
		c.w.Buf = c.w.Buf[:mark]
	case mode == "skip":
		c.w.Buf = c.w.Buf[:mark]
		if c.replyMode == "skip" {
			c.replyMode = "on"
		}
	}
	c.mu.Unlock()
}

// unknownCommand answers a command the sentinel does not have, quoting
// the first arguments (at most about 128 characters of them).
func (c *client) unknownCommand(args [][]byte) {
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteString("'" + clip(string(a), 128-b.Len()) + "' ")
	}
	c.errorf(errUnknownCommandFmt, clip(string(args[0]), 128), b.String())
}

func clip(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// reject writes an error reply and counts it.
func (c *client) reject(msg string) {
	c.fe.stats.errors.Add(1)
	c.w.Error(msg)
}

func (c *client) errorf(format string, a ...any) { c.reject(fmt.Sprintf(format, a...)) }

// rejectErr writes err's text as an error reply ("ERR " added when the
// text has no upper-case code).
func (c *client) rejectErr(err error) {
	msg := err.Error()
	code, _, _ := strings.Cut(msg, " ")
	if code == "" || strings.ToUpper(code) != code {
		msg = "ERR " + msg
	}
	c.reject(msg)
}

// Reply shortcuts.
func (c *client) ok()                     { c.w.OK() }
func (c *client) bulk(s string)           { c.w.BulkString(s) }
func (c *client) integer(n int64)         { c.w.Int(n) }
func (c *client) status(s string)         { c.w.Simple(s) }
func (c *client) kv(k, v string)          { c.w.BulkString(k); c.w.BulkString(v) }
func (c *client) kvInt(k string, v int64) { c.w.BulkString(k); c.w.BulkInt(v) }

// helpLines writes a HELP reply (status lines).
func (c *client) helpLines(lines []string) {
	c.w.Array(len(lines))
	for _, l := range lines {
		c.w.Simple(l)
	}
}

// sprintf fills one of the error or status formats.
func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
