package commands

import (
	"fmt"
	"math"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	rwFast := []string{"@write", "@stream", "@fast"}
	rwSlow := []string{"@write", "@stream", "@slow"}
	roSlow := []string{"@read", "@stream", "@slow"}
	nondet := []string{"nondeterministic_output"}
	Register(
		&Command{Name: "xadd", Arity: -5, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xaddCmd,
			Group: "stream", Since: "5.0.0", Summary: "Appends a new entry to a stream",
			Complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.", ACL: rwFast, Tips: nondet},
		&Command{Name: "xrange", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: xrangeCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
			Complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", ACL: roSlow},
		&Command{Name: "xrevrange", Arity: -4, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: xrevrangeCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
			Complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).", ACL: roSlow},
		&Command{Name: "xlen", Arity: 2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xlenCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return the number of entries in a stream", Complexity: "O(1)",
			ACL: []string{"@read", "@stream", "@fast"}},
		&Command{Name: "xdel", Arity: -3, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xdelCmd,
			Group: "stream", Since: "5.0.0", Summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
			Complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.", ACL: rwFast},
		&Command{Name: "xtrim", Arity: -4, Flags: Write, FirstKey: 1, LastKey: 1, Step: 1, Proc: xtrimCmd,
			Group: "stream", Since: "5.0.0", Summary: "Trims the stream to (approximately if '~' is passed) a certain size",
			Complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.", ACL: rwSlow, Tips: nondet},
		&Command{Name: "xsetid", Arity: -3, Flags: Write | DenyOOM | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xsetidCmd,
			Group: "stream", Since: "5.0.0", Summary: "An internal command for replicating stream values", Complexity: "O(1)", ACL: rwFast},
	)
}

// Shared helpers.

// xParseID parses argument i as a stream ID, replying the invalid-ID
// error on failure. strict refuses the "-" and "+" shorthands.
func xParseID(c *Ctx, i int, missingSeq uint64, strict bool) (keyspace.StreamID, bool) {
	id, _, ok := keyspace.ParseStreamID(c.Args[i], missingSeq, strict, false)
	if !ok {
		c.Error(ErrXInvalidID)
	}
	return id, ok
}

// xParseInterval parses a range bound: an ID, "-", "+", or "(" followed
// by an ID for an exclusive bound (the shorthands are not allowed there).
func xParseInterval(c *Ctx, i int, missingSeq uint64) (id keyspace.StreamID, exclusive bool, ok bool) {
	a := c.Args[i]
	if len(a) > 1 && a[0] == '(' {
		id, _, ok = keyspace.ParseStreamID(a[1:], missingSeq, true, false)
		exclusive = true
	} else {
		id, _, ok = keyspace.ParseStreamID(a, missingSeq, false, false)
	}
	if !ok {
		c.Error(ErrXInvalidID)
	}
	return id, exclusive, ok
}

// xParseRangeStart parses an inclusive start bound (moving past an
// exclusive one), replying the error itself.
func xParseRangeStart(c *Ctx, i int) (keyspace.StreamID, bool) {
	id, ex, ok := xParseInterval(c, i, 0)
	if !ok {
		return id, false
	}
	if ex {
		if id, ok = id.Incr(); !ok {
			c.Error(ErrXBadStart)
			return id, false
		}
	}
	return id, true
}

// xParseRangeEnd parses an inclusive end bound.
func xParseRangeEnd(c *Ctx, i int) (keyspace.StreamID, bool) {
	id, ex, ok := xParseInterval(c, i, math.MaxUint64)
	if !ok {
		return id, false
	}
	if ex {
		if id, ok = id.Decr(); !ok {
			c.Error(ErrXBadEnd)
			return id, false
		}
	}
	return id, true
}

// writeStreamID writes an ID as a bulk string.
func writeStreamID(w *resp.Writer, id keyspace.StreamID) {
	var tmp [48]byte
	w.Bulk(id.AppendTo(tmp[:0]))
}

// writeEntry writes one entry: its ID and the flat field/value array.
func writeEntry(w *resp.Writer, id keyspace.StreamID, e keyspace.Entry) {
	w.Array(2)
	writeStreamID(w, id)
	w.Array(2 * e.NumFields())
	it := e.Pairs()
	for {
		f, v, ok := it.Next()
		if !ok {
			return
		}
		w.Bulk(f)
		w.Bulk(v)
	}
}

// streamLookup finds a stream for reading; ok is false after WRONGTYPE.
func streamLookup(c *Ctx, key string, write bool) (*keyspace.Stream, bool) {
	var o *keyspace.Object
	var ok bool
	if write {
		o, ok = c.LookupWrite(key, keyspace.TStream)
	} else {
		o, ok = c.Lookup(key, keyspace.TStream)
	}
	if !ok || o == nil {
		return nil, ok
	}
	return o.Val.(*keyspace.Stream), true
}

// addTrimArgs is what XADD and XTRIM read from their options.
type addTrimArgs struct {
	trim       keyspace.TrimArgs
	trimArgIdx int // position of the MAXLEN/MINID value
	id         keyspace.StreamID
	idGiven    bool
	seqGiven   bool
	noMkstream bool
}

// parseAddTrim reads XADD's or XTRIM's options. For XADD it returns the
// position of the ID argument; on error it replies and returns -1.
func parseAddTrim(c *Ctx, a *addTrimArgs, xadd bool) int {
	args := c.Args
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			// Auto-generated ID: the options end here.
		case Is(opt, "maxlen") && more > 0, Is(opt, "minid") && more > 0:
			if a.trim.Strategy != keyspace.TrimNone {
				c.Error(ErrXTrimBoth)
				return -1
			}
			a.trim.Approx = false
			next := args[i+1]
			if more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.trim.Approx = next[0] == '~'
				i++
			}
			if Is(opt, "maxlen") {
				n, ok := c.Int(i + 1)
				if !ok {
					return -1
				}
				if n < 0 {
					c.Error(ErrXMaxLenNeg)
					return -1
				}
				a.trim.MaxLen, a.trim.Strategy = n, keyspace.TrimMaxLen
			} else {
				id, ok := xParseID(c, i+1, 0, true)
				if !ok {
					return -1
				}
				a.trim.MinID, a.trim.Strategy = id, keyspace.TrimMinID
			}
			i++
			a.trimArgIdx = i
			continue
		case Is(opt, "limit") && more > 0:
			n, ok := c.Int(i + 1)
			if !ok {
				return -1
			}
			if n < 0 {
				c.Error(ErrXLimitNeg)
				return -1
			}
			a.trim.Limit, limitGiven = n, true
			i++
			continue
		case xadd && Is(opt, "nomkstream"):
			a.noMkstream = true
			continue
		case xadd:
			id, seqGiven, ok := keyspace.ParseStreamID(opt, 0, true, true)
			if !ok {
				c.Error(ErrXInvalidID)
				return -1
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
		default:
			c.SyntaxError()
			return -1
		}
		break
	}
	if a.trim.Limit != 0 && a.trim.Strategy == keyspace.TrimNone {
		c.Error(ErrXLimitNoStrategy)
		return -1
	}
	if !xadd && a.trim.Strategy == keyspace.TrimNone {
		c.Error(ErrXTrimNoStrategy)
		return -1
	}
	switch {
	case c.KS.FromMaster:
		// The master already rewrote the trim to its exact effect.
		a.trim.Limit = 0
	case limitGiven:
		if !a.trim.Approx {
			c.Error(ErrXLimitNoApprox)
			return -1
		}
	case a.trim.Approx:
		// Approximate trims do a bounded amount of work by default:
		// at most a hundred nodes' worth of entries.
		lim := int64(100) * int64(c.Set.StreamNodeMaxEntries)
		if lim <= 0 {
			lim = 10000
		}
		if lim > 1000000 {
			lim = 1000000
		}
		a.trim.Limit = lim
	default:
		a.trim.Limit = 0
	}
	return i
}

// trimRewrite turns an approximate trim into the exact one that was
// applied, for replicas and the AOF: "~" becomes "=" and the threshold
// becomes the resulting length or the first remaining ID.
func trimRewrite(args [][]byte, a *addTrimArgs, s *keyspace.Stream) {
	args[a.trimArgIdx-1] = []byte("=")
	if a.trim.Strategy == keyspace.TrimMaxLen {
		args[a.trimArgIdx] = keyspace.FormatInt(int64(s.Length()))
	} else {
		args[a.trimArgIdx] = s.Edge(true, true).Bytes()
	}
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]
// *|id field value [field value ...]
func xaddCmd(c *Ctx) {
	var a addTrimArgs
	idPos := parseAddTrim(c, &a, true)
	if idPos < 0 {
		return
	}
	fieldPos := idPos + 1
	if n := len(c.Args) - fieldPos; n < 2 || n%2 == 1 {
		c.ArityError()
		return
	}
	// 0-0 can never be added: refuse it before creating the key.
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		c.Error(ErrXAddIDZero)
		return
	}
	key := c.Key(1)
	s, ok := streamLookup(c, key, true)
	if !ok {
		return
	}
	existed := s != nil
	if s == nil {
		if a.noMkstream {
			c.W.NullBulk()
			return
		}
		s = keyspace.NewStream()
		c.DB.Add(key, keyspace.Object{Type: keyspace.TStream, Val: s})
	}
	if s.LastID == keyspace.MaxStreamID {
		c.Error(ErrXAddExhausted)
		return
	}
	var id keyspace.StreamID
	switch {
	case !a.idGiven:
		id, _ = s.NextID(c.KS.NowMs)
	case a.seqGiven:
		id = a.id
	case s.LastID.Ms == a.id.Ms:
		// "ms-*" continues the last ID's sequence; past its end Redis
		// gives up with the size error.
		if s.LastID.Seq == math.MaxUint64 {
			c.Error(ErrXAddTooLarge)
			return
		}
		id = keyspace.StreamID{Ms: a.id.Ms, Seq: s.LastID.Seq + 1}
	default:
		id = keyspace.StreamID{Ms: a.id.Ms}
	}
	if a.idGiven && !s.LastID.Less(id) {
		c.Error(ErrXAddIDTooSmall)
		return
	}
	fv := c.Args[fieldPos:]
	if keyspace.TooLarge(fv) {
		c.Error(ErrXAddTooLarge)
		return
	}
	s.Append(id, fv, c.Set.StreamNodeMaxBytes, c.Set.StreamNodeMaxEntries)
	writeStreamID(c.W, id)
	c.Modified(key)
	c.Notify(NotifyStream, "xadd", key)

	var rewritten [][]byte
	if a.trim.Strategy != keyspace.TrimNone {
		if s.Trim(a.trim) > 0 {
			c.Notify(NotifyStream, "xtrim", key)
		}
		if a.trim.Approx {
			rewritten = append([][]byte(nil), c.Args...)
			trimRewrite(rewritten, &a, s)
		}
	}
	// Replicas must add the very ID generated here.
	if !a.idGiven || !a.seqGiven {
		if rewritten == nil {
			rewritten = append([][]byte(nil), c.Args...)
		}
		rewritten[idPos] = id.Bytes()
	}
	if rewritten != nil {
		c.Rewrite(rewritten...)
	}
	if existed {
		c.Ready(key)
	}
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func xtrimCmd(c *Ctx) {
	var a addTrimArgs
	if parseAddTrim(c, &a, false) < 0 {
		return
	}
	key := c.Key(1)
	s, ok := streamLookup(c, key, true)
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	deleted := s.Trim(a.trim)
	if deleted > 0 {
		c.Notify(NotifyStream, "xtrim", key)
		if a.trim.Approx {
			rewritten := append([][]byte(nil), c.Args...)
			trimRewrite(rewritten, &a, s)
			c.Rewrite(rewritten...)
		}
		c.Modified(key)
		c.Dirty += int(deleted) - 1
	}
	c.W.Int(deleted)
}

// XDEL key id [id ...]: every ID is checked before anything is deleted.
func xdelCmd(c *Ctx) {
	key := c.Key(1)
	s, ok := streamLookup(c, key, true)
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	var small [8]keyspace.StreamID
	ids := small[:0]
	for i := 2; i < len(c.Args); i++ {
		id, ok := xParseID(c, i, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted := s.DeleteIDs(ids)
	if deleted > 0 {
		c.Modified(key)
		c.Notify(NotifyStream, "xdel", key)
		c.Dirty += deleted - 1
	}
	c.W.Int(int64(deleted))
}

// XLEN key
func xlenCmd(c *Ctx) {
	s, ok := streamLookup(c, c.Key(1), false)
	if !ok {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(s.Length()))
}

func xrangeCmd(c *Ctx)    { xrangeGeneric(c, false) }
func xrevrangeCmd(c *Ctx) { xrangeGeneric(c, true) }

// XRANGE key start end [COUNT n] / XREVRANGE key end start [COUNT n].
// A COUNT of zero (or below) gives a null reply when the key exists.
func xrangeGeneric(c *Ctx, rev bool) {
	si, ei := 2, 3
	if rev {
		si, ei = 3, 2
	}
	start, ok := xParseRangeStart(c, si)
	if !ok {
		return
	}
	end, ok := xParseRangeEnd(c, ei)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if Is(c.Args[j], "count") && j+1 < len(c.Args) {
			n, ok := c.Int(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				n = 0
			}
			count = n
			j++
			continue
		}
		c.SyntaxError()
		return
	}
	s, ok := streamLookup(c, c.Key(1), false)
	if !ok {
		return
	}
	if s == nil {
		c.W.Array(0)
		return
	}
	if count == 0 {
		c.W.NullArray()
		return
	}
	d := c.W.DeferArray()
	n := int64(0)
	it := s.Iter(start, end, rev)
	for count < 0 || n < count {
		id, e, ok := it.Next()
		if !ok {
			break
		}
		writeEntry(c.W, id, e)
		n++
	}
	c.W.Fill(d, int(n))
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]
func xsetidCmd(c *Ctx) {
	id, ok := xParseID(c, 2, 0, true)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel keyspace.StreamID
	for i := 3; i < len(c.Args); i += 2 {
		more := len(c.Args) - 1 - i
		switch {
		case Is(c.Args[i], "entriesadded") && more > 0:
			n, ok := c.Int(i + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.Error(ErrXSetIDEntriesNeg)
				return
			}
			entriesAdded = n
		case Is(c.Args[i], "maxdeletedid") && more > 0:
			if maxDel, ok = xParseID(c, i+1, 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				c.Error(ErrXSetIDBelowMaxArg)
				return
			}
		default:
			c.SyntaxError()
			return
		}
	}
	key := c.Key(1)
	s, ok := streamLookup(c, key, true)
	if !ok {
		return
	}
	if s == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	// The last ID may not go below the stream's top entry, nor the added
	// counter below the stream's length.
	if s.Length() > 0 {
		if id.Less(s.LastValidID()) {
			c.Error(ErrXSetIDBelowTop)
			return
		}
		if entriesAdded != -1 && s.Length() > uint64(entriesAdded) {
			c.Error(ErrXSetIDAddedSmall)
			return
		}
	}
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	// XSETID counts as a change but, as in Redis, does not touch WATCH.
	c.Dirty++
	c.Notify(NotifyStream, "xsetid", key)
	c.W.OK()
}

// errNoGroup formats the NOGROUP reply of commands that need key and
// group.
func errNoKeyOrGroup(key, group []byte) string {
	return fmt.Sprintf(ErrXNoKeyOrGroup, key, group)
}
