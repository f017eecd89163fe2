package sentinel

import (
	"context"
	"log/slog"
	"sync"

	"redoubt/internal/glob"
	"redoubt/internal/resp"
)

// Hub delivers Sentinel events to this process's subscribers. Events are
// local: each sentinel publishes what it generated or applied, there is no
// fan-out between sentinels. Publish never blocks on a subscriber.
type Hub struct {
	s  *Sentinel
	mu sync.Mutex
	// Subscribers by channel and by pattern, each in subscription order.
	channels map[string][]*client
	patterns map[string][]*client
}

func newHub(s *Sentinel) *Hub {
	return &Hub{s: s, channels: map[string][]*client{}, patterns: map[string][]*client{}}
}

// Publish sends ev to every client subscribed to its channel or to a
// matching pattern, and logs it.
func (h *Hub) Publish(ev Event) {
	h.logEvent(ev)
	h.mu.Lock()
	var direct, byPattern []*client
	var pats []string
	direct = append(direct, h.channels[ev.Channel]...)
	for p, cs := range h.patterns {
		if glob.MatchString(p, ev.Channel, false) {
			for _, c := range cs {
				byPattern = append(byPattern, c)
				pats = append(pats, p)
			}
		}
	}
	h.mu.Unlock()
	for _, c := range direct {
		w := resp.Writer{Proto: int(c.proto.Load())}
		w.Push(3)
		w.BulkString("message")
		w.BulkString(ev.Channel)
		w.BulkString(ev.Payload)
		c.push(w.Buf)
	}
	for i, c := range byPattern {
		w := resp.Writer{Proto: int(c.proto.Load())}
		w.Push(4)
		w.BulkString("pmessage")
		w.BulkString(pats[i])
		w.BulkString(ev.Channel)
		w.BulkString(ev.Payload)
		c.push(w.Buf)
	}
}

// eventLevel is the log level Redis Sentinel gives each event: the
// role-change events are verbose (published but not logged at the
// default level), the progress events of a failover and of discovery are
// notices, everything else is a warning.
func eventLevel(channel string) slog.Level {
	switch channel {
	case "+role-change", "-role-change":
		return slog.Level(-2)
	case "+slave", "+sentinel", "+sentinel-address-switch", "+sentinel-invalid-addr",
		"+sentinel-address-update", "+reboot", "+failover-state-send-slaveof-noone",
		"+failover-state-wait-promotion", "+slave-reconf-sent", "-slave-reconf-sent-timeout",
		"+slave-reconf-inprog", "+slave-reconf-done", "+slave-reconf-sent-be",
		"+convert-to-slave", "+fix-slave-config":
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// logEvent logs "<channel> <payload>" at the event's level.
func (h *Hub) logEvent(ev Event) {
	if h.s == nil || h.s.log == nil {
		return
	}
	h.s.log.Log(context.Background(), eventLevel(ev.Channel), ev.Channel+" "+ev.Payload)
}

// subscribe adds c to name's list (channels or patterns); false if it
// was already there.
func (h *Hub) subscribe(c *client, name string, pattern bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	mine, all := c.channels, h.channels
	if pattern {
		mine, all = c.patterns, h.patterns
	}
	if _, ok := mine[name]; !ok {
		mine[name] = struct{}{}
		all[name] = append(all[name], c)
	}
	n := len(c.channels) + len(c.patterns)
	c.nsubs.Store(int32(n))
	return n
}

// unsubscribe removes c from name; it returns whether c was subscribed
// and the count of subscriptions left.
func (h *Hub) unsubscribe(c *client, name string, pattern bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unsubscribeLocked(c, name, pattern)
	n := len(c.channels) + len(c.patterns)
	c.nsubs.Store(int32(n))
	return n
}

func (h *Hub) unsubscribeLocked(c *client, name string, pattern bool) {
	mine, all := c.channels, h.channels
	if pattern {
		mine, all = c.patterns, h.patterns
	}
	if _, ok := mine[name]; !ok {
		return
	}
	delete(mine, name)
	list := all[name]
	for i, o := range list {
		if o == c {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(all, name)
	} else {
		all[name] = list
	}
}

// names lists c's channels or patterns.
func (h *Hub) names(c *client, pattern bool) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	src := c.channels
	if pattern {
		src = c.patterns
	}
	out := make([]string, 0, len(src))
	for n := range src {
		out = append(out, n)
	}
	return out
}

// dropClient forgets every subscription of a closed client.
func (h *Hub) dropClient(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for n := range c.channels {
		h.unsubscribeLocked(c, n, false)
	}
	for n := range c.patterns {
		h.unsubscribeLocked(c, n, true)
	}
	c.nsubs.Store(0)
}

// counts is INFO stats' pubsub_channels and pubsub_patterns.
func (h *Hub) counts() (int, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.channels), len(h.patterns)
}

// subscriptionReply writes one (p)(un)subscribe confirmation; a nil name
// is the "no subscriptions at all" form.
func (c *client) subscriptionReply(kind string, name *string, count int) {
	c.w.Push(3)
	c.bulk(kind)
	if name == nil {
		c.w.NullBulk()
	} else {
		c.bulk(*name)
	}
	c.integer(int64(count))
}

func cmdSubscribe(c *client, args [][]byte)  { subscribeAll(c, args, false) }
func cmdPsubscribe(c *client, args [][]byte) { subscribeAll(c, args, true) }

func subscribeAll(c *client, args [][]byte, pattern bool) {
	kind := "subscribe"
	if pattern {
		kind = "psubscribe"
	}
	for _, a := range args[1:] {
		name := string(a)
		n := c.fe.hub.subscribe(c, name, pattern)
		c.subscriptionReply(kind, &name, n)
	}
}

func cmdUnsubscribe(c *client, args [][]byte)  { unsubscribeAll(c, args, false) }
func cmdPunsubscribe(c *client, args [][]byte) { unsubscribeAll(c, args, true) }

// unsubscribeAll: with names, one confirmation per name (subscribed or
// not); without, one per current subscription, or a single confirmation
// with a null name when there is none.
func unsubscribeAll(c *client, args [][]byte, pattern bool) {
	kind := "unsubscribe"
	if pattern {
		kind = "punsubscribe"
	}
	var names []string
	for _, a := range args[1:] {
		names = append(names, string(a))
	}
	if len(args) == 1 {
		names = c.fe.hub.names(c, pattern)
		if len(names) == 0 {
			c.subscriptionReply(kind, nil, int(c.nsubs.Load()))
			return
		}
	}
	for _, name := range names {
		n := c.fe.hub.unsubscribe(c, name, pattern)
		c.subscriptionReply(kind, &name, n)
	}
}

// helloChannel is the one channel a sentinel accepts PUBLISH on.
const helloChannel = "__sentinel__:hello"

// cmdPublish: only hello messages are accepted (replied :1). Our
// sentinels learn peers through Raft membership, so the hello itself is
// not used beyond that.
func cmdPublish(c *client, args [][]byte) {
	if string(args[1]) != helloChannel {
		c.reject(errOnlyHello)
		return
	}
	c.integer(1)
}
