package commands

import (
	"fmt"
	"math"

	"redoubt/internal/keyspace"
)

func init() {
	rwFast := []string{"@write", "@stream", "@fast"}
	nondet := []string{"nondeterministic_output"}
	Register(
		&Command{Name: "xpending", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Proc: xpendingCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
			Complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
			ACL:        []string{"@read", "@stream", "@slow"}, Tips: nondet},
		&Command{Name: "xclaim", Arity: -6, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xclaimCmd,
			Group: "stream", Since: "5.0.0", Summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
			Complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.", ACL: rwFast, Tips: nondet},
		&Command{Name: "xautoclaim", Arity: -6, Flags: Write | Fast, FirstKey: 1, LastKey: 1, Step: 1, Proc: xautoclaimCmd,
			Group: "stream", Since: "6.2.0", Summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
			Complexity: "O(1) if COUNT is small.", ACL: rwFast, Tips: nondet},
	)
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
// Without a range: a summary (count, smallest and greatest pending IDs,
// pending count per consumer). With one: the pending entries in range,
// each with owner, idle time and delivery count.
func xpendingCmd(c *Ctx) {
	args := c.Args
	summary := len(args) == 3
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		c.SyntaxError()
		return
	}
	var start, end keyspace.StreamID
	var count, minIdle int64
	var consumerName []byte
	if len(args) >= 6 {
		si := 3
		if Is(args[3], "idle") {
			var ok bool
			if minIdle, ok = c.Int(4); !ok {
				return
			}
			if len(args) < 8 {
				c.SyntaxError()
				return
			}
			si += 2
		}
		var ok bool
		if count, ok = c.Int(si + 2); !ok {
			return
		}
		count = max(count, 0)
		if start, ok = xParseRangeStart(c, si); !ok {
			return
		}
		if end, ok = xParseRangeEnd(c, si+1); !ok {
			return
		}
		if si+3 < len(args) {
			consumerName = args[si+3]
		}
	}
	s, ok := streamLookup(c, c.Key(1), false)
	if !ok {
		return
	}
	g := s.Group(c.Key(2))
	if g == nil {
		c.Error(errNoKeyOrGroup(args[1], args[2]))
		return
	}
	w := c.W
	if summary {
		w.Array(4)
		w.Int(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			w.NullBulk()
			w.NullBulk()
			w.NullArray()
			return
		}
		first, _, _ := g.PEL.First()
		writeStreamID(w, first)
		writeStreamID(w, g.PEL.Last())
		d := w.DeferArray()
		n := 0
		for _, cons := range g.Consumers() {
			if cons.PEL.Len() == 0 {
				continue
			}
			w.Array(2)
			w.BulkString(cons.Name)
			w.BulkInt(int64(cons.PEL.Len()))
			n++
		}
		w.Fill(d, n)
		return
	}
	pel := &g.PEL
	if consumerName != nil {
		cons := g.Consumer(B2S(consumerName))
		if cons == nil {
			w.Array(0)
			return
		}
		pel = &cons.PEL
	}
	now := c.KS.NowMs
	d := w.DeferArray()
	n := 0
	pel.Ascend(start, func(id keyspace.StreamID, nack *keyspace.NACK) bool {
		if count == 0 || end.Less(id) {
			return false
		}
		idle := now - nack.DeliveryTime
		if minIdle != 0 && idle < minIdle {
			return true
		}
		w.Array(4)
		writeStreamID(w, id)
		w.BulkString(nack.Consumer.Name)
		w.Int(max(idle, 0))
		w.Int(int64(nack.DeliveryCount))
		count--
		n++
		return true
	})
	w.Fill(d, n)
}

// claimTo gives the pending entry to consumer name (creating the consumer
// on first use) as XCLAIM and XAUTOCLAIM do.
func claimTo(c *Ctx, g *keyspace.Group, cons **keyspace.Consumer, id keyspace.StreamID, nack *keyspace.NACK) {
	if *cons == nil {
		name := c.Key(3)
		if *cons = g.Consumer(name); *cons == nil {
			*cons = g.CreateConsumer(string(c.Args[3]), c.KS.NowMs)
			c.Dirty++
			c.Notify(NotifyStream, "xgroup-createconsumer", c.Key(1))
		}
		(*cons).SeenTime = c.KS.NowMs
	}
	if nack.Consumer != *cons {
		if nack.Consumer != nil {
			nack.Consumer.PEL.Delete(id)
		}
		nack.Consumer = *cons
		(*cons).PEL.Set(id, nack)
	}
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
// [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]
func xclaimCmd(c *Ctx) {
	args := c.Args
	s, ok := streamLookup(c, c.Key(1), true)
	if !ok {
		return
	}
	g := s.Group(c.Key(2))
	if g == nil {
		c.Error(errNoKeyOrGroup(args[1], args[2]))
		return
	}
	minIdle, ok := c.IntMsg(4, ErrXClaimMinIdle)
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	// The IDs run up to the first argument that is not an ID; what
	// follows are options.
	j := 5
	for ; j < len(args); j++ {
		if _, _, ok := keyspace.ParseStreamID(args[j], 0, true, false); !ok {
			break
		}
	}
	lastIDArg := j - 1
	now := c.KS.NowMs
	retry := int64(-1)
	delivery := int64(-1)
	force, justID := false, false
	var lastID keyspace.StreamID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := args[j]
		switch {
		case Is(opt, "force"):
			force = true
		case Is(opt, "justid"):
			justID = true
		case Is(opt, "idle") && more > 0:
			j++
			v, ok := c.IntMsg(j, ErrXClaimIdle)
			if !ok {
				return
			}
			delivery = now - v
		case Is(opt, "time") && more > 0:
			j++
			v, ok := c.IntMsg(j, ErrXClaimTime)
			if !ok {
				return
			}
			delivery = v
		case Is(opt, "retrycount") && more > 0:
			j++
			v, ok := c.IntMsg(j, ErrXClaimRetry)
			if !ok {
				return
			}
			retry = v
		case Is(opt, "lastid") && more > 0:
			j++
			if lastID, ok = xParseID(c, j, 0, true); !ok {
				return
			}
		default:
			c.Error(fmt.Sprintf(ErrXClaimOption, opt))
			return
		}
	}
	propagateLast := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propagateLast = true
	}
	// A delivery time in the future or before the epoch means "now".
	if delivery < 0 || delivery > now {
		delivery = now
	}
	var cons *keyspace.Consumer
	w := c.W
	d := w.DeferArray()
	n := 0
	for j := 5; j <= lastIDArg; j++ {
		id, _, _ := keyspace.ParseStreamID(args[j], 0, true, false)
		nack, pending := g.PEL.Get(id)
		e, exists := s.Get(id)
		if !exists {
			// The entry was deleted: its pending record goes too.
			if pending {
				streamPropagateClaim(c, args[1], args[2], g, args[j], nack)
				propagateLast = false
				c.Dirty++
				g.Ack(id)
			}
			continue
		}
		if force && !pending {
			nack = &keyspace.NACK{DeliveryTime: now, DeliveryCount: 1}
			g.PEL.Set(id, nack)
			pending = true
		}
		if !pending {
			continue
		}
		// A record FORCE just created has no owner: no idle check.
		if nack.Consumer != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		claimTo(c, g, &cons, id, nack)
		nack.DeliveryTime = delivery
		if retry >= 0 {
			nack.DeliveryCount = uint64(retry)
		} else if !justID {
			nack.DeliveryCount++
		}
		if justID {
			writeStreamID(w, id)
		} else {
			writeEntry(w, id, e)
		}
		n++
		streamPropagateClaim(c, args[1], args[2], g, args[j], nack)
		propagateLast = false
		c.Dirty++
	}
	if propagateLast {
		streamPropagateGroupID(c, args[1], args[2], g)
		c.Dirty++
	}
	w.Fill(d, n)
	c.PreventPropagation()
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT n] [JUSTID]
// Claims up to COUNT idle entries from start on, scanning at most ten
// times COUNT records; entries deleted from the stream are dropped from
// the PEL and listed. The reply is the cursor to continue from, the
// claimed entries and the dropped IDs.
func xautoclaimCmd(c *Ctx) {
	args := c.Args
	minIdle, ok := c.IntMsg(4, ErrXAutoClaimIdle)
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := xParseRangeStart(c, 5)
	if !ok {
		return
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case Is(args[j], "count") && more > 0:
			v, ok := keyspace.ParseInt(args[j+1])
			if !ok || v < 1 || v > math.MaxInt64/16 {
				c.Error(ErrXAutoClaimCount)
				return
			}
			count = v
			j++
		case Is(args[j], "justid"):
			justID = true
		default:
			c.SyntaxError()
			return
		}
	}
	s, ok := streamLookup(c, c.Key(1), true)
	if !ok {
		return
	}
	g := s.Group(c.Key(2))
	if g == nil {
		c.Error(errNoKeyOrGroup(args[1], args[2]))
		return
	}
	attempts := count * 10
	now := c.KS.NowMs
	var cons *keyspace.Consumer
	var deleted []keyspace.StreamID
	w := c.W
	w.Array(3)
	// The cursor goes first but is known last: reserve its place.
	cursorAt := len(w.Buf)
	d := w.DeferArray()
	n := 0
	next := keyspace.StreamID{}
	more := false
	cur, atEnd := start, false
	for !atEnd {
		var id keyspace.StreamID
		var nack *keyspace.NACK
		found := false
		g.PEL.Ascend(cur, func(k keyspace.StreamID, v *keyspace.NACK) bool {
			id, nack, found = k, v, true
			return false
		})
		if !found {
			break
		}
		if attempts == 0 || count == 0 {
			next, more = id, true
			break
		}
		attempts--
		// After the greatest possible ID there is nothing to visit.
		var ok bool
		if cur, ok = id.Incr(); !ok {
			atEnd = true
		}
		e, exists := s.Get(id)
		if !exists {
			streamPropagateClaim(c, args[1], args[2], g, id.Bytes(), nack)
			c.Dirty++
			g.Ack(id)
			deleted = append(deleted, id)
			count--
			continue
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		claimTo(c, g, &cons, id, nack)
		nack.DeliveryTime = now
		if !justID {
			nack.DeliveryCount++
		}
		if justID {
			writeStreamID(w, id)
		} else {
			writeEntry(w, id, e)
		}
		n++
		count--
		streamPropagateClaim(c, args[1], args[2], g, id.Bytes(), nack)
		c.Dirty++
	}
	w.Fill(d, n)
	var tmp [48]byte
	var idb []byte
	if more {
		idb = next.AppendTo(tmp[:0])
	} else {
		idb = keyspace.StreamID{}.AppendTo(tmp[:0])
	}
	hdr := fmt.Appendf(nil, "$%d\r\n%s\r\n", len(idb), idb)
	w.Buf = append(w.Buf, hdr...)
	copy(w.Buf[cursorAt+len(hdr):], w.Buf[cursorAt:len(w.Buf)-len(hdr)])
	copy(w.Buf[cursorAt:], hdr)
	w.Array(len(deleted))
	for _, id := range deleted {
		writeStreamID(w, id)
	}
	c.PreventPropagation()
}
