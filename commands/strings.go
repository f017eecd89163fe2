package commands

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"redoubt/internal/keyspace"
)

func init() {
	Register(
		strCmd("get", 2, ReadOnly|Fast, 1, 1, 1, getCmd, "1.0.0", "Get the value of a key", "O(1)", "@read", "@fast"),
		strCmd("set", -3, Write|DenyOOM, 1, 1, 1, setCmd, "1.0.0", "Set the string value of a key", "O(1)", "@write", "@slow"),
		strCmd("setnx", 3, Write|DenyOOM|Fast, 1, 1, 1, setnxCmd, "1.0.0", "Set the value of a key, only if the key does not exist", "O(1)", "@write", "@fast"),
		strCmd("setex", 4, Write|DenyOOM, 1, 1, 1, setexCmd, "2.0.0", "Set the value and expiration of a key", "O(1)", "@write", "@slow"),
		strCmd("psetex", 4, Write|DenyOOM, 1, 1, 1, psetexCmd, "2.6.0", "Set the value and expiration in milliseconds of a key", "O(1)", "@write", "@slow"),
		strCmd("getset", 3, Write|DenyOOM|Fast, 1, 1, 1, getsetCmd, "1.0.0", "Set the string value of a key and return its old value", "O(1)", "@write", "@fast"),
		strCmd("getdel", 2, Write|Fast, 1, 1, 1, getdelCmd, "6.2.0", "Get the value of a key and delete the key", "O(1)", "@write", "@fast"),
		strCmd("getex", -2, Write|Fast, 1, 1, 1, getexCmd, "6.2.0", "Get the value of a key and optionally set its expiration", "O(1)", "@write", "@fast"),
		strCmd("mget", -2, ReadOnly|Fast, 1, -1, 1, mgetCmd, "1.0.0", "Get the values of all the given keys", "O(N) where N is the number of keys to retrieve.", "@read", "@fast"),
		strCmd("mset", -3, Write|DenyOOM, 1, -1, 2, msetCmd, "1.0.1", "Set multiple keys to multiple values", "O(N) where N is the number of keys to set.", "@write", "@slow"),
		strCmd("msetnx", -3, Write|DenyOOM, 1, -1, 2, msetnxCmd, "1.0.1", "Set multiple keys to multiple values, only if none of the keys exist", "O(N) where N is the number of keys to set.", "@write", "@slow"),
	)
	table["mget"].Tips = []string{"request_policy:multi_shard"}
	table["mset"].Tips = []string{"request_policy:multi_shard", "response_policy:all_succeeded"}
	table["msetnx"].Tips = []string{"request_policy:multi_shard", "response_policy:agg_min"}
}

// strCmd builds a string-group command entry; acl holds the access
// category and the speed category, the "@string" category is implied.
func strCmd(name string, arity int, flags Flags, first, last, step int, proc func(*Ctx), since, summary, complexity, access, speed string) *Command {
	return &Command{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: step, Proc: proc,
		Group: "string", Since: since, Summary: summary, Complexity: complexity,
		ACL: []string{access, "@string", speed}}
}

// Literal arguments used in rewritten commands. They are shared and must
// never be modified.
var (
	strLitSET       = []byte("SET")
	strLitPXAT      = []byte("PXAT")
	strLitKEEPTTL   = []byte("KEEPTTL")
	strLitDEL       = []byte("DEL")
	strLitUNLINK    = []byte("UNLINK")
	strLitPEXPIREAT = []byte("PEXPIREAT")
	strLitPERSIST   = []byte("PERSIST")
)

// Option flags shared by SET and GETEX.
const (
	soNX uint16 = 1 << iota
	soXX
	soGet
	soKeepTTL
	soPersist
	soEX
	soPX
	soEXAT
	soPXAT

	soExpire = soEX | soPX | soEXAT | soPXAT
)

// strOpts is the parsed option list of SET or GETEX.
type strOpts struct {
	flags uint16
	// expire is the index of the time argument, 0 when none was given.
	expire int
}

// strCutNUL cuts an argument at its first NUL byte: Redis compares option
// names as C strings, so "nx\x00junk" still reads as NX.
func strCutNUL(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// strExpireKind maps an expiry keyword to its flag (0 if it is none).
func strExpireKind(a []byte) uint16 {
	switch {
	case Is(a, "ex"):
		return soEX
	case Is(a, "px"):
		return soPX
	case Is(a, "exat"):
		return soEXAT
	case Is(a, "pxat"):
		return soPXAT
	}
	return 0
}

// parseStrOpts reads the options of SET (forSet) or GETEX from argument
// index from on. Redis's rules: NX and XX exclude each other; KEEPTTL
// excludes every expiry form; PERSIST (GETEX only) excludes the expiry
// forms; the four expiry forms exclude each other but one may repeat (the
// last time given wins); an expiry keyword needs a following argument.
// Anything else is a syntax error.
func parseStrOpts(c *Ctx, from int, forSet bool) (strOpts, bool) {
	var o strOpts
	for j := from; j < len(c.Args); j++ {
		a := strCutNUL(c.Args[j])
		switch {
		case forSet && Is(a, "nx") && o.flags&soXX == 0:
			o.flags |= soNX
		case forSet && Is(a, "xx") && o.flags&soNX == 0:
			o.flags |= soXX
		case forSet && Is(a, "get"):
			o.flags |= soGet
		case forSet && Is(a, "keepttl") && o.flags&(soPersist|soExpire) == 0:
			o.flags |= soKeepTTL
		case !forSet && Is(a, "persist") && o.flags&(soKeepTTL|soExpire) == 0:
			o.flags |= soPersist
		default:
			kind := strExpireKind(a)
			if kind == 0 || j+1 >= len(c.Args) || o.flags&(soKeepTTL|soPersist|(soExpire&^kind)) != 0 {
				c.SyntaxError()
				return o, false
			}
			o.flags |= kind
			o.expire = j + 1
			j++
		}
	}
	return o, true
}

// strExpireAt turns the time argument at idx into an absolute Unix time in
// ms. It must be a positive integer; seconds are scaled to ms (refusing
// values that would overflow) and relative forms get the command's clock
// added; a result that overflowed is refused too.
func strExpireAt(c *Ctx, idx int, flags uint16) (int64, bool) {
	n, ok := c.Int(idx)
	if !ok {
		return 0, false
	}
	seconds := flags&(soEX|soEXAT) != 0
	if n <= 0 || (seconds && n > math.MaxInt64/1000) {
		c.Error(fmt.Sprintf(ErrInvalidExpire, c.Cmd.FullName()))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if flags&(soEX|soPX) != 0 {
		n += c.KS.NowMs // wraps negative on overflow, caught below
	}
	if n <= 0 {
		c.Error(fmt.Sprintf(ErrInvalidExpire, c.Cmd.FullName()))
		return 0, false
	}
	return n, true
}

// strStore makes key hold a copy of val. o is the key's current object
// (nil when absent): it is overwritten in place, reusing its buffer when
// the new value fits without wasting much, so overwriting a string does
// not allocate. The TTL survives only with keepTTL. The value gets the
// encoding its content implies (int/embstr/raw), as Redis's SET does.
func strStore(c *Ctx, key string, o *keyspace.Object, val []byte, keepTTL bool) *keyspace.Object {
	if o == nil {
		return c.DB.Add(key, keyspace.NewString(append([]byte(nil), val...)))
	}
	if o.Type == keyspace.TString && cap(o.Str) >= len(val) && cap(o.Str) <= 2*len(val)+16 {
		o.Str = append(o.Str[:0], val...)
	} else {
		o.Str = append([]byte(nil), val...)
	}
	o.Type = keyspace.TString
	o.Val = nil
	o.Flags = 0
	if !keepTTL {
		c.DB.Persist(key)
	}
	return o
}

// strGetReply answers with the string at key (nil when missing); it returns
// false after replying WRONGTYPE.
func strGetReply(c *Ctx, key string) bool {
	o, ok := c.Lookup(key, keyspace.TString)
	if !ok {
		return false
	}
	if o == nil {
		c.W.NullBulk()
	} else {
		c.W.Bulk(o.Str)
	}
	return true
}

// GET key: the string at key, nil when missing, WRONGTYPE otherwise.
func getCmd(c *Ctx) { strGetReply(c, c.Key(1)) }

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL].
func setCmd(c *Ctx) {
	if len(c.Args) == 3 {
		strSetGeneric(c, strOpts{}, 2, false)
		return
	}
	opts, ok := parseStrOpts(c, 3, true)
	if !ok {
		return
	}
	strSetGeneric(c, opts, 2, false)
}

// SETNX key value: SET NX answering 1 when it set the key and 0 when not.
func setnxCmd(c *Ctx) { strSetGeneric(c, strOpts{flags: soNX}, 2, true) }

// SETEX key seconds value.
func setexCmd(c *Ctx) { strSetGeneric(c, strOpts{flags: soEX, expire: 2}, 3, false) }

// PSETEX key milliseconds value.
func psetexCmd(c *Ctx) { strSetGeneric(c, strOpts{flags: soPX, expire: 2}, 3, false) }

// strSetGeneric is the body of SET and its variants. The order of checks is
// Redis's: the expiry time is validated first, then GET answers with the
// old value (or WRONGTYPE, which aborts), then NX/XX decide. A skipped
// write answers nil (0 for SETNX) unless GET already answered.
//
// Propagation: with an expiry the command goes out as SET key value PXAT
// <absolute ms> (Redis drops NX/XX/GET there, since the key was set);
// otherwise as given, minus any GET argument. An expiry already in the
// past is stored as is: the key then reads as missing and is deleted (and
// a DEL propagated) on its next access, as in Redis 7.0.
func strSetGeneric(c *Ctx, opts strOpts, valIdx int, intReply bool) {
	key := c.Key(1)
	var when int64
	if opts.expire != 0 {
		var ok bool
		if when, ok = strExpireAt(c, opts.expire, opts.flags); !ok {
			return
		}
	}
	get := opts.flags&soGet != 0
	if get && !strGetReply(c, key) {
		return
	}
	o := c.DB.LookupWrite(key)
	if (opts.flags&soNX != 0 && o != nil) || (opts.flags&soXX != 0 && o == nil) {
		if !get {
			if intReply {
				c.W.Int(0)
			} else {
				c.W.NullBulk()
			}
		}
		return
	}
	val := c.Args[valIdx]
	strStore(c, key, o, val, opts.flags&soKeepTTL != 0)
	c.Modified(key)
	c.Notify(NotifyString, "set", key)
	if opts.expire != 0 {
		c.DB.SetExpire(key, when)
		c.Rewrite(strLitSET, c.Args[1], val, strLitPXAT, strconv.AppendInt(nil, when, 10))
		c.Notify(NotifyGeneric, "expire", key)
	}
	if !get {
		if intReply {
			c.W.Int(1)
		} else {
			c.W.OK()
		}
		return
	}
	if opts.expire == 0 {
		// Every GET argument after the value is dropped.
		args := make([][]byte, 0, len(c.Args)-1)
		for j, a := range c.Args {
			if j >= 3 && Is(strCutNUL(a), "get") {
				continue
			}
			args = append(args, a)
		}
		c.Rewrite(args...)
	}
}

// GETSET key value: SET that answers the old value; it clears the TTL and
// propagates as SET key value.
func getsetCmd(c *Ctx) {
	key := c.Key(1)
	if !strGetReply(c, key) {
		return
	}
	strStore(c, key, c.DB.LookupWrite(key), c.Args[2], false)
	c.Modified(key)
	c.Notify(NotifyString, "set", key)
	c.Rewrite(strLitSET, c.Args[1], c.Args[2])
}

// GETDEL key: answers the value and deletes the key, propagating DEL (or
// UNLINK under lazyfree-lazy-user-del).
func getdelCmd(c *Ctx) {
	key := c.Key(1)
	if !strGetReply(c, key) {
		return
	}
	if !c.DB.Delete(key) {
		return
	}
	c.Rewrite(strDelLit(c.Set.LazyfreeLazyUserDel), c.Args[1])
	c.Modified(key)
	c.Notify(NotifyGeneric, "del", key)
}

func strDelLit(lazy bool) []byte {
	if lazy {
		return strLitUNLINK
	}
	return strLitDEL
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]. The key is looked up
// (nil when missing, WRONGTYPE) before the time is validated. The value is
// answered, then: an absolute time already reached deletes the key
// (propagated as DEL, or UNLINK under lazyfree-lazy-expire; replicas and
// loading never do this), any other time becomes the TTL (propagated as
// PEXPIREAT key ms), and PERSIST drops an existing TTL (propagated as
// PERSIST key). Without options nothing changes or propagates.
func getexCmd(c *Ctx) {
	opts, ok := parseStrOpts(c, 2, false)
	if !ok {
		return
	}
	key := c.Key(1)
	o, ok := c.Lookup(key, keyspace.TString)
	if !ok {
		return
	}
	if o == nil {
		c.W.NullBulk()
		return
	}
	var when int64
	if opts.expire != 0 {
		if when, ok = strExpireAt(c, opts.expire, opts.flags); !ok {
			return
		}
	}
	c.W.Bulk(o.Str)
	switch {
	case opts.flags&(soEXAT|soPXAT) != 0 && when <= c.KS.NowMs && !c.KS.Replica && !c.KS.Loading:
		c.DB.Delete(key)
		c.Rewrite(strDelLit(c.Set.LazyfreeLazyExpire), c.Args[1])
		c.Modified(key)
		c.Notify(NotifyGeneric, "del", key)
	case opts.expire != 0:
		c.DB.SetExpire(key, when)
		c.Rewrite(strLitPEXPIREAT, c.Args[1], strconv.AppendInt(nil, when, 10))
		c.Modified(key)
		c.Notify(NotifyGeneric, "expire", key)
	case opts.flags&soPersist != 0:
		if c.DB.Persist(key) {
			c.Rewrite(strLitPERSIST, c.Args[1])
			c.Modified(key)
			c.Notify(NotifyGeneric, "persist", key)
		}
	}
}

// MGET key [key ...]: one reply per key, nil for missing keys and for
// keys that do not hold strings.
func mgetCmd(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for j := 1; j < len(c.Args); j++ {
		o := c.DB.Lookup(c.Key(j))
		if o == nil || o.Type != keyspace.TString {
			c.W.NullBulk()
		} else {
			c.W.Bulk(o.Str)
		}
	}
}

// MSET key value [key value ...].
func msetCmd(c *Ctx) { msetGeneric(c, false) }

// MSETNX key value [key value ...]: sets nothing (answering 0) if any of
// the keys exists, else sets them all and answers 1.
func msetnxCmd(c *Ctx) { msetGeneric(c, true) }

// msetGeneric: an odd number of key/value arguments is an arity error.
// Keys are set left to right (a repeated key ends with its last value),
// each one overwriting whatever type it held and losing its TTL.
func msetGeneric(c *Ctx, nx bool) {
	if len(c.Args)%2 == 0 {
		c.ArityError()
		return
	}
	if nx {
		for j := 1; j < len(c.Args); j += 2 {
			if c.DB.LookupWrite(c.Key(j)) != nil {
				c.W.Int(0)
				return
			}
		}
	}
	for j := 1; j < len(c.Args); j += 2 {
		key := c.Key(j)
		strStore(c, key, c.DB.LookupWrite(key), c.Args[j+1], false)
		c.Modified(key)
		c.Notify(NotifyString, "set", key)
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}
