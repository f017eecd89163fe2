package rdb

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/hdt3213/rdb/model"

	"redoubt/internal/keyspace"
)

// Limits are the encoding thresholds values are built with, as the
// matching *-max-* directives set them.
type Limits struct {
	HashMaxListpackEntries, HashMaxListpackValue int
	SetMaxIntsetEntries                          int
	ZSetMaxListpackEntries, ZSetMaxListpackValue int
	StreamNodeMaxBytes, StreamNodeMaxEntries     int
}

// DefaultLimits are Redis 7.0's defaults.
func DefaultLimits() Limits {
	return Limits{
		HashMaxListpackEntries: 128, HashMaxListpackValue: 64,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64,
		StreamNodeMaxBytes: 4096, StreamNodeMaxEntries: 100,
	}
}

type converter struct {
	lim       Limits
	info      *Info
	e         Entry
	lastDB    int
	lastStats *DBStats
	orders    *streamOrders
}

// object turns one decoded record into Info data or a keyspace value
// handed to h.
func (c *converter) object(o model.RedisObject, h Handler) error {
	switch v := o.(type) {
	case *model.AuxObject:
		c.info.Aux = append(c.info.Aux, AuxField{v.Key, v.Value})
		return nil
	case *model.DBSizeObject:
		d := c.info.db(v.DB)
		d.ResizeKeys, d.ResizeExpires = int64(v.KeyCount), int64(v.TTLCount)
		if r, ok := h.(Resizer); ok {
			r.ResizeDB(v.DB, d.ResizeKeys, d.ResizeExpires)
		}
		return nil
	case *model.FunctionsObject:
		c.info.Functions = append(c.info.Functions, v.FunctionsLua)
		return nil
	}
	obj, err := c.value(o)
	if err != nil {
		return fmt.Errorf("key %q: %v", o.GetKey(), err)
	}
	if obj == nil { // an empty collection: Redis skips such keys too
		c.info.EmptyKeys++
		return nil
	}
	e := &c.e
	*e = Entry{DB: o.GetDBIndex(), Key: o.GetKey(), Obj: *obj, ExpireMs: -1, Idle: -1, Freq: -1}
	if t := o.GetExpiration(); t != nil {
		e.ExpireMs = t.UnixMilli()
	}
	if ev, ok := o.(model.EvictionInfo); ok {
		e.Idle = ev.GetIdleTime()
		e.Freq = int(ev.GetFreq())
	}
	return c.deliver(e, obj.Type.Name(), h)
}

// deliver counts a decoded key and hands it to h.
func (c *converter) deliver(e *Entry, typeName string, h Handler) error {
	if c.lastDB != e.DB || c.lastStats == nil {
		c.lastDB, c.lastStats = e.DB, c.info.db(e.DB)
	}
	d := c.lastStats
	d.Keys++
	if e.ExpireMs >= 0 {
		d.Expires++
	}
	d.Types[typeName]++
	c.info.Keys++
	if h == nil {
		return nil
	}
	return h.Key(e)
}

// value builds the keyspace value; nil for an empty collection.
func (c *converter) value(o model.RedisObject) (*keyspace.Object, error) {
	switch v := o.(type) {
	case *model.StringObject:
		s := keyspace.NewString(v.Value)
		return &s, nil
	case *model.ListObject:
		if len(v.Values) == 0 {
			return nil, nil
		}
		l := keyspace.NewList()
		for _, x := range v.Values {
			l.PushBack(x)
		}
		return &keyspace.Object{Type: keyspace.TList, Val: l}, nil
	case *model.SetObject:
		return c.set(v)
	case *model.HashObject:
		return c.hash(v)
	case *model.ZSetObject:
		return c.zset(v)
	case *model.StreamObject:
		return c.stream(v)
	}
	return nil, fmt.Errorf("unsupported value type %q", o.GetType())
}

// set: an intset while every member is an integer and the count fits
// set-max-intset-entries, a table otherwise. Duplicates mean corruption.
func (c *converter) set(v *model.SetObject) (*keyspace.Object, error) {
	if len(v.Members) == 0 {
		return nil, nil
	}
	ints := len(v.Members) <= c.lim.SetMaxIntsetEntries
	for i := 0; ints && i < len(v.Members); i++ {
		_, ints = keyspace.ParseInt(v.Members[i])
	}
	s := keyspace.NewTableSet(len(v.Members))
	if ints {
		s = keyspace.NewSet()
	}
	for _, m := range v.Members {
		if !s.Add(m, c.lim.SetMaxIntsetEntries) {
			return nil, fmt.Errorf("duplicate set member %q", m)
		}
	}
	return &keyspace.Object{Type: keyspace.TSet, Val: s}, nil
}

// hash: the decoder hands us a map, so the file's field order is gone;
// fields are inserted sorted to stay deterministic. Field TTLs (7.4) are
// dropped and counted.
func (c *converter) hash(v *model.HashObject) (*keyspace.Object, error) {
	if len(v.Hash) == 0 {
		return nil, nil
	}
	c.info.HashFieldTTLs += len(v.FieldExpirations)
	fields := make([]string, 0, len(v.Hash))
	for f := range v.Hash {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	h := keyspace.NewHash()
	if len(fields) > c.lim.HashMaxListpackEntries {
		h.ConvertToTable()
	}
	for _, f := range fields {
		h.Set([]byte(f), v.Hash[f], c.lim.HashMaxListpackEntries, c.lim.HashMaxListpackValue)
	}
	return &keyspace.Object{Type: keyspace.THash, Val: h}, nil
}

// zset: sorted by (score, member); a NaN score or a repeated member means
// corruption.
func (c *converter) zset(v *model.ZSetObject) (*keyspace.Object, error) {
	if len(v.Entries) == 0 {
		return nil, nil
	}
	ents := make([]keyspace.ZEntry, len(v.Entries))
	for i, e := range v.Entries {
		if math.IsNaN(e.Score) {
			return nil, fmt.Errorf("zset member %q has a NaN score", e.Member)
		}
		ents[i] = keyspace.ZEntry{Member: e.Member, Score: e.Score}
	}
	slices.SortFunc(ents, keyspace.CompareZEntry)
	seen := make(map[string]struct{}, len(ents))
	for _, e := range ents {
		if _, dup := seen[e.Member]; dup {
			return nil, fmt.Errorf("duplicate zset member %q", e.Member)
		}
		seen[e.Member] = struct{}{}
	}
	z := keyspace.NewZSetSorted(ents, c.lim.ZSetMaxListpackEntries, c.lim.ZSetMaxListpackValue)
	return &keyspace.Object{Type: keyspace.TZSet, Val: z}, nil
}

func sid(id *model.StreamId) keyspace.StreamID {
	if id == nil {
		return keyspace.StreamID{}
	}
	return keyspace.StreamID{Ms: id.Ms, Seq: id.Sequence}
}

// stream rebuilds nodes, counters and consumer groups. The decoder keeps
// each entry's fields in a map: entries that share the node's master
// fields get them back in master order; the others get the pairs the
// guard read from the listpack (stream_order.go), or, failing that,
// their fields sorted.
func (c *converter) stream(v *model.StreamObject) (*keyspace.Object, error) {
	s := keyspace.NewStream()
	var first keyspace.StreamID
	haveFirst := false
	var order []nodeOrder
	if c.orders != nil {
		order = c.orders.pop()
	}
	for ni, node := range v.Entries {
		if len(node.Msgs) == 0 {
			continue
		}
		ids := make([]keyspace.StreamID, len(node.Msgs))
		del := make([]bool, len(node.Msgs))
		fvs := make([][][]byte, len(node.Msgs))
		for i, m := range node.Msgs {
			ids[i], del[i] = sid(m.Id), m.Deleted
			if !m.Deleted && !haveFirst {
				first, haveFirst = ids[i], true
			}
			if p := orderedFields(order, ni, i, m.Fields); p != nil {
				fvs[i] = p
			} else {
				fvs[i] = streamFields(node.Fields, m.Fields)
			}
		}
		s.RestoreNode(sid(node.FirstMsgId), ids, del, fvs)
	}
	s.SetLength(v.Length)
	s.LastID = sid(v.LastId)
	if v.Version >= 2 {
		s.FirstID, s.MaxDeletedID, s.EntriesAdded = sid(v.FirstId), sid(v.MaxDeletedId), v.AddedEntriesCount
	} else {
		// Format 1 (Redis 5/6) has no counters: derive them as Redis does.
		s.FirstID, s.EntriesAdded = first, v.Length
	}
	for _, gr := range v.Groups {
		read := int64(gr.EntriesRead)
		if v.Version < 2 {
			read = -1
		}
		g := s.CreateGroup(gr.Name, sid(gr.LastId), read)
		if g == nil {
			return nil, fmt.Errorf("duplicate consumer group %q", gr.Name)
		}
		nacks := make(map[keyspace.StreamID]*keyspace.NACK, len(gr.Pending))
		for _, p := range gr.Pending {
			nacks[sid(p.Id)] = &keyspace.NACK{DeliveryTime: int64(p.DeliveryTime), DeliveryCount: p.DeliveryCount}
		}
		for _, cs := range gr.Consumers {
			co := g.CreateConsumer(cs.Name, int64(cs.SeenTime))
			if co == nil {
				return nil, fmt.Errorf("duplicate consumer %q in group %q", cs.Name, gr.Name)
			}
			for _, pid := range cs.Pending {
				id := sid(pid)
				n := nacks[id]
				if n == nil || n.Consumer != nil {
					return nil, fmt.Errorf("consumer %q pending entry %d-%d not in group %q's PEL (or owned twice)", cs.Name, id.Ms, id.Seq, gr.Name)
				}
				n.Consumer = co
				g.PEL.Set(id, n)
				co.PEL.Set(id, n)
			}
		}
		for id, n := range nacks {
			if n.Consumer == nil {
				return nil, fmt.Errorf("group %q pending entry %d-%d has no consumer", gr.Name, id.Ms, id.Seq)
			}
		}
	}
	return &keyspace.Object{Type: keyspace.TStream, Val: s}, nil
}

// streamFields lays out an entry's fields as field, value, field, value:
// master fields first in their order, then any others sorted.
func streamFields(master []string, m map[string]string) [][]byte {
	out := make([][]byte, 0, 2*len(m))
	used := 0
	for _, f := range master {
		if val, ok := m[f]; ok {
			out = append(out, []byte(f), []byte(val))
			used++
		}
	}
	if used < len(m) {
		var rest []string
		for f := range m {
			if !slices.Contains(master, f) {
				rest = append(rest, f)
			}
		}
		sort.Strings(rest)
		for _, f := range rest {
			out = append(out, []byte(f), []byte(m[f]))
		}
	}
	return out
}
