package commands

import (
	"unsafe"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// Settings are the configuration values data commands consult, cached by
// the server as typed fields (it refreshes them on CONFIG SET).
type Settings struct {
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	ListMaxListpackSize    int
	ListCompressDepth      int
	StreamNodeMaxBytes     int
	StreamNodeMaxEntries   int
	ProtoMaxBulkLen        int64
	LazyfreeLazyUserDel    bool
	LazyfreeLazyExpire     bool
	LazyfreeLazyUserFlush  bool
}

// DefaultSettings are Redis 7.0's defaults.
func DefaultSettings() *Settings {
	return &Settings{
		HashMaxListpackEntries: 128, HashMaxListpackValue: 64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64,
		ListMaxListpackSize: -2, ListCompressDepth: 0,
		StreamNodeMaxBytes: 4096, StreamNodeMaxEntries: 100,
		ProtoMaxBulkLen: 512 << 20,
	}
}

// Keyspace-event classes (notify-keyspace-events letters).
const (
	NotifyGeneric = 1 << iota // g
	NotifyString              // $
	NotifyList                // l
	NotifySet                 // s
	NotifyHash                // h
	NotifyZSet                // z
	NotifyExpired             // x
	NotifyEvicted             // e
	NotifyStream              // t
	NotifyKeyMiss             // m
	NotifyNew                 // n
)

// Env is what data commands need from the server around them.
type Env interface {
	// Modified tells watchers (WATCH) that key changed.
	Modified(db *keyspace.DB, key string)
	// Notify publishes a keyspace event if the class is enabled.
	Notify(class int, event string, db *keyspace.DB, key string)
	// Ready marks a key as possibly able to serve blocked clients.
	Ready(db *keyspace.DB, key string)
	// Block parks the client until one of keys is ready or deadlineMs
	// (Unix ms, 0 = forever) passes; timeoutReply writes the reply given
	// on timeout. The command will be run again, with Ctx.Reprocessing set,
	// each time one of the keys becomes ready.
	Block(c *Ctx, keys [][]byte, deadlineMs int64, timeoutReply func(w *resp.Writer))
}

// PropOp is one command in the propagation stream.
type PropOp struct {
	DB   int
	Args [][]byte
}

// Ctx is one command execution.
type Ctx struct {
	Args [][]byte
	Cmd  *Command
	W    *resp.Writer
	KS   *keyspace.Keyspace
	DB   *keyspace.DB
	Env  Env
	Set  *Settings
	// Client is the server's client object; server-level commands assert
	// it to their concrete type.
	Client any
	// InMulti is true when the command runs inside EXEC (blocking
	// commands then behave as if their timeout had expired).
	InMulti bool
	// Reprocessing is true when a blocked command is run again because a
	// key it waits on became ready. It must then block again, not reply,
	// if it still cannot be served.
	Reprocessing bool

	// Dirty counts the changes the command made to the dataset.
	Dirty int
	// Ops collects what the execution propagates (lazy expirations, Also
	// calls, then the command itself).
	Ops       []PropOp
	rewritten [][]byte
	prevent   bool
	force     bool
}

// Reset prepares the Ctx for another command, keeping its buffers.
func (c *Ctx) Reset() {
	c.Dirty = 0
	c.Ops = c.Ops[:0]
	c.rewritten = nil
	c.prevent = false
	c.force = false
	c.Reprocessing = false
}

// Key returns argument i as a string view (valid during the command).
func (c *Ctx) Key(i int) string { return B2S(c.Args[i]) }

// B2S views b as a string without copying; the string must not outlive b
// or be kept in a table.
func B2S(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Rewrite replaces the command's own propagated form.
func (c *Ctx) Rewrite(args ...[]byte) { c.rewritten = args }

// Also propagates an extra command in the current database, before the
// command's own form.
func (c *Ctx) Also(args ...[]byte) { c.Ops = append(c.Ops, PropOp{c.DB.ID, args}) }

// AlsoDB propagates an extra command bound to database db.
func (c *Ctx) AlsoDB(db int, args ...[]byte) { c.Ops = append(c.Ops, PropOp{db, args}) }

// PreventPropagation stops the command's own form from being propagated
// (what it added with Also still is).
func (c *Ctx) PreventPropagation() { c.prevent = true }

// ForcePropagation propagates the command even if it changed nothing
// (FLUSHALL on an empty server, PUBLISH).
func (c *Ctx) ForcePropagation() { c.force = true }

// Finish appends the command's own form to Ops when it is due, and
// returns every command to propagate.
func (c *Ctx) Finish() []PropOp {
	if (c.Dirty > 0 || c.force) && !c.prevent {
		args := c.Args
		if c.rewritten != nil {
			args = c.rewritten
		}
		c.Ops = append(c.Ops, PropOp{c.DB.ID, args})
	}
	return c.Ops
}

// Modified reports a change to key (for WATCH) and counts it as dirty.
func (c *Ctx) Modified(key string) {
	c.Dirty++
	if c.Env != nil {
		c.Env.Modified(c.DB, key)
	}
}

// Notify publishes a keyspace event for key in the current database.
func (c *Ctx) Notify(class int, event string, key string) {
	if c.Env != nil {
		c.Env.Notify(class, event, c.DB, key)
	}
}

// Error writes an error reply.
func (c *Ctx) Error(msg string) { c.W.Error(msg) }

// WrongType writes the WRONGTYPE error.
func (c *Ctx) WrongType() { c.W.Error(ErrWrongType) }

// SyntaxError writes the syntax error.
func (c *Ctx) SyntaxError() { c.W.Error(ErrSyntax) }

// ArityError writes the wrong-arity error for this command.
func (c *Ctx) ArityError() { c.W.Error(ErrArity(c.Cmd.FullName())) }

// Lookup finds key for reading; it writes WRONGTYPE and returns ok=false
// when the key holds another type. o is nil if the key is missing.
func (c *Ctx) Lookup(key string, t keyspace.Type) (o *keyspace.Object, ok bool) {
	o = c.DB.Lookup(key)
	if o == nil {
		c.Notify(NotifyKeyMiss, "keymiss", key)
		return nil, true
	}
	if o.Type != t {
		c.WrongType()
		return nil, false
	}
	return o, true
}

// LookupWrite finds key for modification, checking its type like Lookup.
func (c *Ctx) LookupWrite(key string, t keyspace.Type) (o *keyspace.Object, ok bool) {
	o = c.DB.LookupWrite(key)
	if o != nil && o.Type != t {
		c.WrongType()
		return nil, false
	}
	return o, true
}

// Ready marks key as possibly able to serve blocked clients (XADD on an
// existing stream; creation of list/zset/stream keys is signalled by the
// keyspace itself).
func (c *Ctx) Ready(key string) {
	if c.Env != nil {
		c.Env.Ready(c.DB, key)
	}
}

// BlockOrTimeout parks the client on keys, or, inside MULTI/EXEC where
// nothing may block, answers at once with the timeout reply.
func (c *Ctx) BlockOrTimeout(keys [][]byte, deadlineMs int64, timeoutReply func(w *resp.Writer)) {
	if c.InMulti || c.Env == nil {
		timeoutReply(c.W)
		return
	}
	c.Env.Block(c, keys, deadlineMs, timeoutReply)
}
