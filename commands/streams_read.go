package commands

import (
	"fmt"
	"math"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

func init() {
	Register(
		&Command{Name: "xread", Arity: -4, Flags: ReadOnly | Blocking, Keys: func(a [][]byte) []int { return xreadKeys(a, 1) }, Proc: xreadCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
			Complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
			ACL:        []string{"@read", "@stream", "@slow", "@blocking"}},
		&Command{Name: "xreadgroup", Arity: -7, Flags: Write | Blocking, Keys: func(a [][]byte) []int { return xreadKeys(a, 4) }, Proc: xreadgroupCmd,
			Group: "stream", Since: "5.0.0", Summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
			Complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
			ACL:        []string{"@write", "@stream", "@slow", "@blocking"}},
	)
}

// Words used in the commands XREADGROUP and the claim commands propagate.
var (
	wXClaim         = []byte("XCLAIM")
	wXGroup         = []byte("XGROUP")
	wSetID          = []byte("SETID")
	wCreateConsumer = []byte("CREATECONSUMER")
	wZero           = []byte("0")
	wTime           = []byte("TIME")
	wRetryCount     = []byte("RETRYCOUNT")
	wForce          = []byte("FORCE")
	wJustID         = []byte("JUSTID")
	wLastID         = []byte("LASTID")
	wEntriesRead    = []byte("ENTRIESREAD")
)

// xreadBlockedCount bounds what a blocked reader without COUNT receives
// when it is woken up.
const xreadBlockedCount = 1000

// xreadKeys finds the keys of XREAD (from = 1) and XREADGROUP (from = 4)
// as Redis 7.0's key specs do: the first "STREAMS" at or after position
// from, never the last argument, then the first half of what follows it.
// When that leaves no key, Redis falls back to parsing the options, which
// wants an even number of arguments after STREAMS.
func xreadKeys(args [][]byte, from int) []int {
	first := 0
	for i := from; i < len(args)-1; i++ {
		if Is(args[i], "streams") {
			first = i + 1
			break
		}
	}
	if first > 0 {
		if n := (len(args) - first) / 2; n > 0 {
			out := make([]int, n)
			for i := range out {
				out[i] = first + i
			}
			return out
		}
	}
	return xreadKeysParsed(args)
}

func xreadKeysParsed(args [][]byte) []int {
	pos := -1
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case Is(a, "block"), Is(a, "count"):
			i++
			continue
		case Is(a, "group"):
			i += 2
			continue
		case Is(a, "noack"):
			continue
		case Is(a, "streams"):
			pos = i
		}
		break
	}
	if pos < 0 {
		return nil
	}
	num := len(args) - pos - 1
	if num == 0 || num%2 != 0 {
		return nil
	}
	out := make([]int, num/2)
	for i := range out {
		out[i] = pos + 1 + i
	}
	return out
}

// streamPropagateClaim adds the XCLAIM that gives a replica the same
// pending entry: owner, delivery time and count, and the group's last ID.
func streamPropagateClaim(c *Ctx, key, group []byte, g *keyspace.Group, id []byte, n *keyspace.NACK) {
	c.Also(wXClaim, key, group, []byte(n.Consumer.Name), wZero, id,
		wTime, keyspace.FormatInt(n.DeliveryTime),
		wRetryCount, keyspace.FormatInt(int64(n.DeliveryCount)),
		wForce, wJustID, wLastID, g.LastID.Bytes())
}

// streamPropagateGroupID adds XGROUP SETID with the group's position.
func streamPropagateGroupID(c *Ctx, key, group []byte, g *keyspace.Group) {
	c.Also(wXGroup, wSetID, key, group, g.LastID.Bytes(), wEntriesRead, keyspace.FormatInt(g.EntriesRead))
}

func xreadCmd(c *Ctx)      { xreadGeneric(c, false) }
func xreadgroupCmd(c *Ctx) { xreadGeneric(c, true) }

// XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK]
// STREAMS key [key ...] id [id ...]
func xreadGeneric(c *Ctx, group bool) {
	args := c.Args
	timeout := int64(-1)
	var count int64
	streamsArg, nstreams := 0, 0
	noack := false
	var groupName, consumerName []byte
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case Is(o, "block") && more > 0:
			i++
			ms, ok := keyspace.ParseInt(args[i])
			if !ok {
				c.Error(ErrXTimeoutNotInt)
				return
			}
			if ms < 0 {
				c.Error(ErrTimeoutNeg)
				return
			}
			if ms > 0 {
				// 7.0 adds the current time without an overflow check;
				// a deadline that wraps around never comes.
				if ms > math.MaxInt64-c.KS.NowMs {
					ms = 0
				} else {
					ms += c.KS.NowMs
				}
			}
			timeout = ms
		case Is(o, "count") && more > 0:
			i++
			n, ok := c.Int(i)
			if !ok {
				return
			}
			count = max(n, 0)
		case Is(o, "streams") && more > 0:
			streamsArg = i + 1
			nstreams = len(args) - streamsArg
			if nstreams%2 != 0 {
				// 7.0 words this error the same way for XREADGROUP.
				c.Error(ErrXReadUnbalanced)
				return
			}
			nstreams /= 2
			i = len(args)
		case Is(o, "group") && more >= 2:
			if !group {
				c.Error(ErrXReadGroupOpt)
				return
			}
			groupName, consumerName = args[i+1], args[i+2]
			i += 2
		case Is(o, "noack"):
			if !group {
				c.Error(ErrXReadNoAckOpt)
				return
			}
			noack = true
		default:
			c.SyntaxError()
			return
		}
	}
	if streamsArg == 0 {
		c.SyntaxError()
		return
	}
	if group && groupName == nil {
		c.Error(ErrXReadMissingGroup)
		return
	}

	// Resolve every ID (and group) before serving anything.
	var smallIDs [8]keyspace.StreamID
	var smallNew [8]bool
	ids, isNew := smallIDs[:0], smallNew[:0]
	if nstreams > len(smallIDs) {
		ids, isNew = make([]keyspace.StreamID, 0, nstreams), make([]bool, 0, nstreams)
	}
	var groups []*keyspace.Group
	for k := 0; k < nstreams; k++ {
		key := c.Key(streamsArg + k)
		idArg := args[streamsArg+nstreams+k]
		s, ok := xreadLookup(c, key, group)
		if !ok {
			return
		}
		if group {
			g := s.Group(B2S(groupName))
			if g == nil {
				if c.Reprocessing {
					if s == nil {
						c.Error(ErrXReadKeyGone)
					} else {
						c.Error(ErrXReadGroupGone)
					}
					return
				}
				c.Error(fmt.Sprintf(ErrXReadNoGroup, key, groupName))
				return
			}
			groups = append(groups, g)
		}
		switch {
		case len(idArg) == 1 && idArg[0] == '$':
			if group {
				c.Error(ErrXReadDollar)
				return
			}
			var last keyspace.StreamID
			if s != nil {
				last = s.LastID
			}
			ids, isNew = append(ids, last), append(isNew, false)
		case len(idArg) == 1 && idArg[0] == '>':
			if !group {
				c.Error(ErrXReadGT)
				return
			}
			ids, isNew = append(ids, keyspace.MaxStreamID), append(isNew, true)
		default:
			id, ok := xParseID(c, streamsArg+nstreams+k, 0, true)
			if !ok {
				return
			}
			// Redis marks ">" with the greatest ID, so a group reader
			// giving that ID explicitly reads new entries too.
			ids, isNew = append(ids, id), append(isNew, group && id == keyspace.MaxStreamID)
		}
	}
	if c.Reprocessing && count == 0 {
		count = xreadBlockedCount
	}

	var d resp.Deferred
	served := 0
	for k := 0; k < nstreams; k++ {
		if c.Reprocessing && served > 0 {
			// A woken reader gets one stream, as Redis serves it from
			// the key that became ready.
			break
		}
		key := c.Key(streamsArg + k)
		s, _ := xreadLookup(c, key, group)
		if s == nil {
			continue
		}
		gt := ids[k]
		serve, history := false, false
		// A reader woken up after blocking is served as soon as the
		// stream's last ID moved past its position, even when the new
		// entries are already gone (it then gets an empty list); a
		// reader served at once needs a live entry past its position.
		top, has := s.LastID, true
		if !c.Reprocessing {
			top, has = s.LastValidID(), s.Length() > 0
		}
		if group {
			if !isNew[k] {
				// An explicit ID reads the consumer's own history: always
				// served at once.
				serve, history = true, true
			} else if has && groups[k].LastID.Less(top) {
				serve, gt = true, groups[k].LastID
			}
		} else if has && gt.Less(top) {
			serve = true
		}
		if !serve {
			continue
		}
		served++
		if served == 1 {
			if c.W.Proto == 3 {
				d = c.W.DeferMap()
			} else {
				d = c.W.DeferArray()
			}
		}
		start, _ := gt.Incr()
		if c.W.Proto != 3 {
			c.W.Array(2)
		}
		c.W.Bulk(args[streamsArg+k])
		if !group {
			xserveRange(c.W, s, start, count)
			continue
		}
		g := groups[k]
		cons := g.Consumer(B2S(consumerName))
		if cons == nil {
			cons = g.CreateConsumer(string(consumerName), c.KS.NowMs)
			c.Dirty++
			c.Notify(NotifyStream, "xgroup-createconsumer", key)
			// Without acknowledgements no XCLAIM will carry the
			// consumer to replicas: create it there explicitly.
			if noack {
				c.Also(wXGroup, wCreateConsumer, args[streamsArg+k], groupName, consumerName)
			}
		}
		cons.SeenTime = c.KS.NowMs
		if history {
			xserveHistory(c, s, cons, start, count)
		} else {
			xserveGroup(c, s, g, cons, start, count, noack, args[streamsArg+k], groupName)
		}
		c.Dirty++
	}
	if group {
		// XREADGROUP itself never reaches replicas: what it changed was
		// propagated as XCLAIM / XGROUP commands.
		c.PreventPropagation()
	}
	if served > 0 {
		c.W.Fill(d, served)
		return
	}
	if timeout != -1 {
		// Block. "$" must keep meaning "after what the stream held when
		// the client blocked", so it is replaced by that ID in the saved
		// arguments.
		for k := 0; k < nstreams; k++ {
			idArg := args[streamsArg+nstreams+k]
			if !group && len(idArg) == 1 && idArg[0] == '$' {
				args[streamsArg+nstreams+k] = ids[k].Bytes()
			}
		}
		c.BlockOrTimeout(args[streamsArg:streamsArg+nstreams], timeout, func(w *resp.Writer) { w.NullArray() })
		return
	}
	c.W.NullArray()
}

// xreadLookup finds a stream for XREAD. A key of another type is an
// error, except when a blocked reader is woken up: then XREAD treats it
// as absent and XREADGROUP reports the stream gone.
func xreadLookup(c *Ctx, key string, group bool) (*keyspace.Stream, bool) {
	if c.Reprocessing {
		// XREADGROUP changes the group state: look up for writing.
		var o *keyspace.Object
		if group {
			o = c.DB.LookupWrite(key)
		} else {
			o = c.DB.Lookup(key)
		}
		if o == nil || o.Type != keyspace.TStream {
			if group {
				c.Error(ErrXReadKeyGone)
				return nil, false
			}
			return nil, true
		}
		return o.Val.(*keyspace.Stream), true
	}
	return streamLookup(c, key, group)
}

// xserveRange writes up to count (0 = all) entries from start on.
func xserveRange(w *resp.Writer, s *keyspace.Stream, start keyspace.StreamID, count int64) {
	d := w.DeferArray()
	n := int64(0)
	it := s.Iter(start, keyspace.MaxStreamID, false)
	for count == 0 || n < count {
		id, e, ok := it.Next()
		if !ok {
			break
		}
		writeEntry(w, id, e)
		n++
	}
	w.Fill(d, int(n))
}

// xserveGroup delivers new entries to a consumer: the group's last ID
// and read counter advance, and (unless NOACK) each entry becomes pending
// for the consumer, reassigned if another consumer held it.
func xserveGroup(c *Ctx, s *keyspace.Stream, g *keyspace.Group, cons *keyspace.Consumer,
	start keyspace.StreamID, count int64, noack bool, key, groupName []byte) {
	w := c.W
	d := w.DeferArray()
	n := int64(0)
	moved := false
	it := s.Iter(start, keyspace.MaxStreamID, false)
	for count == 0 || n < count {
		id, e, ok := it.Next()
		if !ok {
			break
		}
		if g.LastID.Less(id) {
			// The read counter stays exact while no deleted entry may lie
			// ahead; otherwise it is estimated again.
			if g.EntriesRead != -1 && !s.RangeHasTombstones(&id, nil) {
				g.EntriesRead++
			} else if s.EntriesAdded != 0 {
				g.EntriesRead = s.EstimateEntriesRead(id)
			}
			g.LastID = id
			moved = true
		}
		writeEntry(w, id, e)
		n++
		if noack {
			continue
		}
		nack := g.Assign(id, cons)
		nack.DeliveryTime = c.KS.NowMs
		nack.DeliveryCount = 1
		streamPropagateClaim(c, key, groupName, g, id.Bytes(), nack)
	}
	w.Fill(d, int(n))
	if moved && noack {
		streamPropagateGroupID(c, key, groupName, g)
	}
}

// xserveHistory replays the consumer's pending entries from start on.
// An entry deleted from the stream since shows as its ID with a null.
// Each replayed entry counts as a new delivery.
func xserveHistory(c *Ctx, s *keyspace.Stream, cons *keyspace.Consumer, start keyspace.StreamID, count int64) {
	w := c.W
	d := w.DeferArray()
	n := int64(0)
	cons.PEL.Ascend(start, func(id keyspace.StreamID, nack *keyspace.NACK) bool {
		if count != 0 && n >= count {
			return false
		}
		if e, ok := s.Get(id); ok {
			writeEntry(w, id, e)
			nack.DeliveryTime = c.KS.NowMs
			nack.DeliveryCount++
		} else {
			w.Array(2)
			writeStreamID(w, id)
			w.NullArray()
		}
		n++
		return true
	})
	w.Fill(d, int(n))
}
