package commands

import (
	"math"
	"strconv"
)

// Key expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME,
// PEXPIRETIME and PERSIST.

func init() {
	w := []string{"@keyspace", "@write", "@fast"}
	r := []string{"@keyspace", "@read", "@fast"}
	nondet := []string{"nondeterministic_output"}
	set := func(name, since, summary string, proc func(*Ctx)) *Command {
		return &Command{Name: name, Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: proc,
			Group: "generic", Since: since, Summary: summary, Complexity: "O(1)", ACL: w}
	}
	get := func(name, since, summary string, tips []string, proc func(*Ctx)) *Command {
		return &Command{Name: name, Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: proc,
			Group: "generic", Since: since, Summary: summary, Complexity: "O(1)", ACL: r, Tips: tips}
	}
	Register(
		set("expire", "1.0.0", "Set a key's time to live in seconds", expireCmd),
		set("pexpire", "2.6.0", "Set a key's time to live in milliseconds", pexpireCmd),
		set("expireat", "1.2.0", "Set the expiration for a key as a UNIX timestamp", expireatCmd),
		set("pexpireat", "2.6.0", "Set the expiration for a key as a UNIX timestamp specified in milliseconds", pexpireatCmd),
		get("ttl", "1.0.0", "Get the time to live for a key in seconds", nondet, ttlCmd),
		get("pttl", "2.6.0", "Get the time to live for a key in milliseconds", nondet, pttlCmd),
		get("expiretime", "7.0.0", "Get the expiration Unix timestamp for a key", nil, expiretimeCmd),
		get("pexpiretime", "7.0.0", "Get the expiration Unix timestamp for a key in milliseconds", nil, pexpiretimeCmd),
		&Command{Name: "persist", Arity: 2, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: persistCmd,
			Group: "generic", Since: "2.2.0", Summary: "Remove the expiration from a key", Complexity: "O(1)", ACL: w},
	)
}

// Literal command names used when an expiry command is propagated in
// another form.
var (
	pexpireatName = []byte("PEXPIREAT")
	delName       = []byte("DEL")
	unlinkName    = []byte("UNLINK")
)

// Conditions of the EXPIRE family.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func expireCmd(c *Ctx)    { expireGeneric(c, c.KS.NowMs, true) }
func pexpireCmd(c *Ctx)   { expireGeneric(c, c.KS.NowMs, false) }
func expireatCmd(c *Ctx)  { expireGeneric(c, 0, true) }
func pexpireatCmd(c *Ctx) { expireGeneric(c, 0, false) }

// expireFlags reads the NX/XX/GT/LT words after the time. Every word is
// checked before the combinations: NX excludes the three others, GT
// excludes LT.
func expireFlags(c *Ctx) (int, bool) {
	flags := 0
	for j := 3; j < len(c.Args); j++ {
		a := c.Args[j]
		switch {
		case Is(a, "nx"):
			flags |= expireNX
		case Is(a, "xx"):
			flags |= expireXX
		case Is(a, "gt"):
			flags |= expireGT
		case Is(a, "lt"):
			flags |= expireLT
		default:
			c.Error(errExpireOption(a))
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.Error(ErrExpireNXCombo)
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.Error(ErrExpireGTLT)
		return 0, false
	}
	return flags, true
}

// expireGeneric sets key's expiry to base + t (t in seconds when seconds
// is set, else ms). Flags are validated before the number; a time whose
// conversion to an absolute ms value overflows is refused. With a flag,
// the current expiry decides: NX needs none, XX needs one, GT needs one
// that is smaller (no expiry counts as infinite), LT fails only against an
// expiry that is not larger. A time already past deletes the key (except
// on a replica or while loading, which keep it until told otherwise).
// The change is propagated as PEXPIREAT with the absolute time, or as DEL
// (UNLINK under lazyfree-lazy-expire) when the key was deleted.
func expireGeneric(c *Ctx, base int64, seconds bool) {
	flags, ok := expireFlags(c)
	if !ok {
		return
	}
	when, ok := c.Int(2)
	if !ok {
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(errInvalidExpire(c))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.Error(errInvalidExpire(c))
		return
	}
	when += base

	key := c.Key(1)
	if c.DB.LookupWrite(key) == nil {
		c.W.Int(0)
		return
	}
	if flags != 0 {
		cur := c.DB.Expire(key)
		if (flags&expireNX != 0 && cur != -1) ||
			(flags&expireXX != 0 && cur == -1) ||
			(flags&expireGT != 0 && (cur == -1 || when <= cur)) ||
			(flags&expireLT != 0 && cur != -1 && when >= cur) {
			c.W.Int(0)
			return
		}
	}

	if when <= c.KS.NowMs && !c.KS.Loading && !c.KS.Replica {
		c.DB.Delete(key)
		name := delName
		if c.Set != nil && c.Set.LazyfreeLazyExpire {
			name = unlinkName
		}
		c.Rewrite(name, c.Args[1])
		c.Modified(key)
		c.Notify(NotifyGeneric, "del", key)
		c.W.Int(1)
		return
	}

	c.DB.SetExpire(key, when)
	if base != 0 || seconds {
		args := make([][]byte, len(c.Args))
		copy(args, c.Args)
		args[0] = pexpireatName
		args[2] = strconv.AppendInt(nil, when, 10)
		c.Rewrite(args...)
	}
	c.Modified(key)
	c.Notify(NotifyGeneric, "expire", key)
	c.W.Int(1)
}

func ttlCmd(c *Ctx)         { ttlGeneric(c, false, false) }
func pttlCmd(c *Ctx)        { ttlGeneric(c, true, false) }
func expiretimeCmd(c *Ctx)  { ttlGeneric(c, false, true) }
func pexpiretimeCmd(c *Ctx) { ttlGeneric(c, true, true) }

// ttlGeneric answers TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a
// missing key, -1 without expiry, else the remaining time (or absolute
// time), never below 0; seconds are rounded to the nearest.
func ttlGeneric(c *Ctx, ms, abs bool) {
	key := c.Key(1)
	if c.DB.LookupNoTouch(key) == nil {
		c.W.Int(-2)
		return
	}
	when := c.DB.Expire(key)
	if when == -1 {
		c.W.Int(-1)
		return
	}
	t := when
	if !abs {
		t = when - c.KS.NowMs
	}
	if t < 0 {
		t = 0
	}
	if !ms {
		// Rounded to the nearest second; Redis's arithmetic does not
		// overflow near the int64 limit, so neither may ours.
		t = int64((uint64(t) + 500) / 1000)
	}
	c.W.Int(t)
}

// PERSIST key: drops the key's expiry; 1 if it had one, else 0.
func persistCmd(c *Ctx) {
	key := c.Key(1)
	if c.DB.LookupWrite(key) == nil || !c.DB.Persist(key) {
		c.W.Int(0)
		return
	}
	c.Modified(key)
	c.Notify(NotifyGeneric, "persist", key)
	c.W.Int(1)
}
