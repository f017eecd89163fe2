package keyspace

import "sort"

// Consumer groups. A group remembers the last ID it delivered and how
// many entries it has read (-1 when unknown), and keeps a pending entries
// list (PEL): the IDs delivered but not yet acknowledged, each owned by
// one consumer. Every consumer keeps the same records for the entries it
// owns, so both lists share one NACK per pending ID.

// NACK is a delivered, not yet acknowledged entry.
type NACK struct {
	DeliveryTime  int64 // Unix ms of the last delivery
	DeliveryCount uint64
	Consumer      *Consumer
}

// Consumer is one member of a group.
type Consumer struct {
	Name     string
	SeenTime int64 // Unix ms of the consumer's last read or claim
	PEL      IDTree[*NACK]
}

// Group is a consumer group.
type Group struct {
	Name        string
	LastID      StreamID
	EntriesRead int64
	PEL         IDTree[*NACK]
	consumers   map[string]*Consumer
}

// Group returns the named group, or nil.
func (s *Stream) Group(name string) *Group {
	if s == nil {
		return nil
	}
	return s.groups[name]
}

// NumGroups is the number of consumer groups.
func (s *Stream) NumGroups() int { return len(s.groups) }

// CreateGroup adds a group; it returns nil when the name is taken.
func (s *Stream) CreateGroup(name string, last StreamID, entriesRead int64) *Group {
	if _, ok := s.groups[name]; ok {
		return nil
	}
	if s.groups == nil {
		s.groups = make(map[string]*Group)
	}
	g := &Group{Name: name, LastID: last, EntriesRead: entriesRead, consumers: make(map[string]*Consumer)}
	s.groups[name] = g
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name string) bool {
	if _, ok := s.groups[name]; !ok {
		return false
	}
	delete(s.groups, name)
	return true
}

// Groups lists the groups in name order (byte-wise, as Redis's tree
// orders them).
func (s *Stream) Groups() []*Group {
	out := make([]*Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Consumer returns the named consumer, or nil.
func (g *Group) Consumer(name string) *Consumer { return g.consumers[name] }

// NumConsumers is the number of consumers.
func (g *Group) NumConsumers() int { return len(g.consumers) }

// CreateConsumer adds a consumer seen at nowMs; it returns nil when the
// name is taken.
func (g *Group) CreateConsumer(name string, nowMs int64) *Consumer {
	if _, ok := g.consumers[name]; ok {
		return nil
	}
	c := &Consumer{Name: name, SeenTime: nowMs}
	g.consumers[c.Name] = c
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the
// group; it returns how many entries it had pending.
func (g *Group) DeleteConsumer(c *Consumer) int {
	n := c.PEL.Len()
	var ids []StreamID
	c.PEL.Ascend(StreamID{}, func(id StreamID, _ *NACK) bool {
		ids = append(ids, id)
		return true
	})
	for _, id := range ids {
		g.PEL.Delete(id)
	}
	delete(g.consumers, c.Name)
	return n
}

// Consumers lists the consumers in name order.
func (g *Group) Consumers() []*Consumer {
	out := make([]*Consumer, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Ack removes id from the group's PEL and its owner's; it reports
// whether the entry was pending.
func (g *Group) Ack(id StreamID) bool {
	nack, ok := g.PEL.Get(id)
	if !ok {
		return false
	}
	g.PEL.Delete(id)
	nack.Consumer.PEL.Delete(id)
	return true
}

// Assign makes c the owner of the pending entry id, creating the record
// when it is missing, and returns it.
func (g *Group) Assign(id StreamID, c *Consumer) *NACK {
	nack, ok := g.PEL.Get(id)
	if !ok {
		nack = &NACK{Consumer: c, DeliveryCount: 1}
		g.PEL.Set(id, nack)
		c.PEL.Set(id, nack)
		return nack
	}
	if nack.Consumer != c {
		nack.Consumer.PEL.Delete(id)
		nack.Consumer = c
		c.PEL.Set(id, nack)
	}
	return nack
}

// Clone makes a deep copy of the stream (COPY, snapshots).
func (s *Stream) Clone() any {
	c := *s
	c.nodes = make([]*streamNode, len(s.nodes))
	for i, n := range s.nodes {
		c.nodes[i] = n.clone()
	}
	c.groups = nil
	for name, g := range s.groups {
		ng := c.CreateGroup(name, g.LastID, g.EntriesRead)
		copies := make(map[*NACK]*NACK, g.PEL.Len())
		g.PEL.Ascend(StreamID{}, func(id StreamID, n *NACK) bool {
			cp := &NACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount}
			copies[n] = cp
			ng.PEL.Set(id, cp)
			return true
		})
		for cname, cons := range g.consumers {
			nc := &Consumer{Name: cname, SeenTime: cons.SeenTime}
			ng.consumers[cname] = nc
			cons.PEL.Ascend(StreamID{}, func(id StreamID, n *NACK) bool {
				cp := copies[n]
				cp.Consumer = nc
				nc.PEL.Set(id, cp)
				return true
			})
		}
	}
	return &c
}

// RestoreNode appends a node as a snapshot holds it: its master ID and
// its entries in order (fvs[i] alternates fields and values), with the
// deleted ones marked. Length, IDs and counters are set separately.
func (s *Stream) RestoreNode(master StreamID, ids []StreamID, deleted []bool, fvs [][][]byte) {
	if len(ids) == 0 {
		return
	}
	n := newStreamNode(master, fvs[0])
	for i, id := range ids {
		n.add(id, fvs[i])
		if deleted[i] {
			n.kill(len(n.ents) - 1)
		}
	}
	s.nodes = append(s.nodes, n)
}

// SetLength sets the live entry count (snapshot loading).
func (s *Stream) SetLength(n uint64) { s.length = n }
