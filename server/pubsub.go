package server

import (
	"strconv"

	"redoubt/commands"
	"redoubt/internal/glob"
	"redoubt/internal/keyspace"
)

// Pub/sub. Subscribers of a channel get messages in the order they
// subscribed; pattern subscribers after them, in pattern-subscription
// order. A RESP2 client with subscriptions may only run the subscription
// commands, PING, QUIT and RESET; RESP3 clients get messages as pushes
// and may run anything.

type patternSub struct {
	pattern string
	c       *Client
}

type pubsubState struct {
	channels map[string][]*Client
	shard    map[string][]*Client
	patterns []patternSub
	patCount map[string]int
}

func (p *pubsubState) init() {
	p.channels = make(map[string][]*Client)
	p.shard = make(map[string][]*Client)
	p.patCount = make(map[string]int)
}

func init() {
	ps := commands.PubSub | commands.NoScript | commands.Loading | commands.Stale
	commands.Register(
		&commands.Command{Name: "subscribe", Arity: -2, Flags: ps, Proc: subscribeCmd, Group: "pubsub", Since: "2.0.0",
			Summary: "Listen for messages published to the given channels", Complexity: "O(N) where N is the number of channels to subscribe to.", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "ssubscribe", Arity: -2, Flags: ps, FirstKey: 1, LastKey: -1, Step: 1, Proc: ssubscribeCmd, Group: "pubsub", Since: "7.0.0",
			Summary: "Listen for messages published to the given shard channels", Complexity: "O(N) where N is the number of shard channels to subscribe to.", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "psubscribe", Arity: -2, Flags: ps, Proc: psubscribeCmd, Group: "pubsub", Since: "2.0.0",
			Summary: "Listen for messages published to channels matching the given patterns", Complexity: "O(N) where N is the number of patterns the client is already subscribed to.", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "unsubscribe", Arity: -1, Flags: ps, Proc: unsubscribeCmd, Group: "pubsub", Since: "2.0.0",
			Summary: "Stop listening for messages posted to the given channels", Complexity: "O(N) where N is the number of clients already subscribed to a channel.", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "sunsubscribe", Arity: -1, Flags: ps, FirstKey: 1, LastKey: -1, Step: 1, Proc: sunsubscribeCmd, Group: "pubsub", Since: "7.0.0",
			Summary: "Stop listening for messages posted to the given shard channels", Complexity: "O(N) where N is the number of clients already subscribed to a shard channel.", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "punsubscribe", Arity: -1, Flags: ps, Proc: punsubscribeCmd, Group: "pubsub", Since: "2.0.0",
			Summary: "Stop listening for messages posted to channels matching the given patterns", Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", ACL: []string{"@pubsub", "@slow"}},
		&commands.Command{Name: "publish", Arity: 3, Flags: commands.PubSub | commands.Loading | commands.Stale | commands.Fast | commands.MayReplicate, Proc: publishCmd, Group: "pubsub", Since: "2.0.0",
			Summary: "Post a message to a channel", Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", ACL: []string{"@pubsub", "@fast"}},
		&commands.Command{Name: "spublish", Arity: 3, Flags: commands.PubSub | commands.Loading | commands.Stale | commands.Fast | commands.MayReplicate, FirstKey: 1, LastKey: 1, Step: 1, Proc: spublishCmd, Group: "pubsub", Since: "7.0.0",
			Summary: "Post a message to a shard channel", Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.", ACL: []string{"@pubsub", "@fast"}},
		&commands.Command{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0", Summary: "A container for Pub/Sub commands", Complexity: "Depends on subcommand.", ACL: []string{"@slow"},
			Subs: map[string]*commands.Command{
				"channels":      {Name: "channels", Arity: -2, Flags: ps &^ commands.NoScript, Proc: pubsubChannelsCmd, Group: "pubsub", Since: "2.8.0", Summary: "List active channels", Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", ACL: []string{"@pubsub", "@slow"}},
				"numsub":        {Name: "numsub", Arity: -2, Flags: ps &^ commands.NoScript, Proc: pubsubNumsubCmd, Group: "pubsub", Since: "2.8.0", Summary: "Get the count of subscribers for channels", Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels", ACL: []string{"@pubsub", "@slow"}},
				"numpat":        {Name: "numpat", Arity: 2, Flags: ps &^ commands.NoScript, Proc: pubsubNumpatCmd, Group: "pubsub", Since: "2.8.0", Summary: "Get the count of unique patterns pattern subscriptions", Complexity: "O(1)", ACL: []string{"@pubsub", "@slow"}},
				"shardchannels": {Name: "shardchannels", Arity: -2, Flags: ps &^ commands.NoScript, Proc: pubsubShardChannelsCmd, Group: "pubsub", Since: "7.0.0", Summary: "List active shard channels", Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).", ACL: []string{"@pubsub", "@slow"}},
				"shardnumsub":   {Name: "shardnumsub", Arity: -2, Flags: ps &^ commands.NoScript, Proc: pubsubShardNumsubCmd, Group: "pubsub", Since: "7.0.0", Summary: "Get the count of subscribers for shard channels", Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels", ACL: []string{"@pubsub", "@slow"}},
				"help":          {Name: "help", Arity: 2, Flags: commands.Loading | commands.Stale, Proc: pubsubHelpCmd, Group: "pubsub", Since: "6.2.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)", ACL: []string{"@slow"}},
			}},
	)
}

// subCount is the number of subscriptions the client holds (channels and
// patterns; shard channels are counted on their own).
func (c *Client) subCount() int { return len(c.channels) + len(c.patterns) }

func (c *Client) updatePubSubFlag() {
	if c.subCount()+len(c.shardChannels) > 0 {
		c.flags |= flagPubSub
	} else {
		c.flags &^= flagPubSub
	}
}

// writeSubReply writes a (un)subscribe confirmation.
func (c *Client) writeSubReply(kind string, name []byte, count int) {
	c.w.Push(3)
	c.w.BulkString(kind)
	if name == nil {
		c.w.NullBulk()
	} else {
		c.w.Bulk(name)
	}
	c.w.Int(int64(count))
}

func subscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	for _, ch := range c.Args[1:] {
		if cli.channels == nil {
			cli.channels = make(map[string]struct{})
		}
		if _, ok := cli.channels[string(ch)]; !ok {
			name := string(ch)
			cli.channels[name] = struct{}{}
			s.pubsub.channels[name] = append(s.pubsub.channels[name], cli)
		}
		cli.writeSubReply("subscribe", ch, cli.subCount())
	}
	cli.updatePubSubFlag()
}

func ssubscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	for _, ch := range c.Args[1:] {
		if cli.shardChannels == nil {
			cli.shardChannels = make(map[string]struct{})
		}
		if _, ok := cli.shardChannels[string(ch)]; !ok {
			name := string(ch)
			cli.shardChannels[name] = struct{}{}
			s.pubsub.shard[name] = append(s.pubsub.shard[name], cli)
		}
		cli.writeSubReply("ssubscribe", ch, len(cli.shardChannels))
	}
	cli.updatePubSubFlag()
}

func psubscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	for _, p := range c.Args[1:] {
		if cli.patterns == nil {
			cli.patterns = make(map[string]struct{})
		}
		if _, ok := cli.patterns[string(p)]; !ok {
			name := string(p)
			cli.patterns[name] = struct{}{}
			s.pubsub.patterns = append(s.pubsub.patterns, patternSub{name, cli})
			s.pubsub.patCount[name]++
		}
		cli.writeSubReply("psubscribe", p, cli.subCount())
	}
	cli.updatePubSubFlag()
}

func removeClientFrom(list []*Client, c *Client) []*Client {
	for i, x := range list {
		if x == c {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func (s *Server) unsubscribeChannel(c *Client, name string, notify bool) {
	if _, ok := c.channels[name]; ok {
		delete(c.channels, name)
		list := removeClientFrom(s.pubsub.channels[name], c)
		if len(list) == 0 {
			delete(s.pubsub.channels, name)
		} else {
			s.pubsub.channels[name] = list
		}
	}
	if notify {
		c.writeSubReply("unsubscribe", []byte(name), c.subCount())
	}
}

func (s *Server) unsubscribeShard(c *Client, name string, notify bool) {
	if _, ok := c.shardChannels[name]; ok {
		delete(c.shardChannels, name)
		list := removeClientFrom(s.pubsub.shard[name], c)
		if len(list) == 0 {
			delete(s.pubsub.shard, name)
		} else {
			s.pubsub.shard[name] = list
		}
	}
	if notify {
		c.writeSubReply("sunsubscribe", []byte(name), len(c.shardChannels))
	}
}

func (s *Server) unsubscribePattern(c *Client, name string, notify bool) {
	if _, ok := c.patterns[name]; ok {
		delete(c.patterns, name)
		for i, p := range s.pubsub.patterns {
			if p.c == c && p.pattern == name {
				s.pubsub.patterns = append(s.pubsub.patterns[:i], s.pubsub.patterns[i+1:]...)
				break
			}
		}
		if s.pubsub.patCount[name]--; s.pubsub.patCount[name] <= 0 {
			delete(s.pubsub.patCount, name)
		}
	}
	if notify {
		c.writeSubReply("punsubscribe", []byte(name), c.subCount())
	}
}

func unsubscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args) == 1 {
		if len(cli.channels) == 0 {
			cli.writeSubReply("unsubscribe", nil, cli.subCount())
		}
		for _, name := range sortedKeys(cli.channels) {
			s.unsubscribeChannel(cli, name, true)
		}
	} else {
		for _, ch := range c.Args[1:] {
			s.unsubscribeChannel(cli, string(ch), true)
		}
	}
	cli.updatePubSubFlag()
}

func sunsubscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args) == 1 {
		if len(cli.shardChannels) == 0 {
			cli.writeSubReply("sunsubscribe", nil, len(cli.shardChannels))
		}
		for _, name := range sortedKeys(cli.shardChannels) {
			s.unsubscribeShard(cli, name, true)
		}
	} else {
		for _, ch := range c.Args[1:] {
			s.unsubscribeShard(cli, string(ch), true)
		}
	}
	cli.updatePubSubFlag()
}

func punsubscribeCmd(c *commands.Ctx) {
	cli := cl(c)
	s := cli.srv
	if len(c.Args) == 1 {
		if len(cli.patterns) == 0 {
			cli.writeSubReply("punsubscribe", nil, cli.subCount())
		}
		for _, name := range sortedKeys(cli.patterns) {
			s.unsubscribePattern(cli, name, true)
		}
	} else {
		for _, p := range c.Args[1:] {
			s.unsubscribePattern(cli, string(p), true)
		}
	}
	cli.updatePubSubFlag()
}

// pubsubUnsubscribeAll drops every subscription of a closing client.
func (s *Server) pubsubUnsubscribeAll(c *Client) {
	for name := range c.channels {
		s.unsubscribeChannel(c, name, false)
	}
	for name := range c.patterns {
		s.unsubscribePattern(c, name, false)
	}
	for name := range c.shardChannels {
		s.unsubscribeShard(c, name, false)
	}
}

// publish delivers a message and returns how many clients received it.
func (s *Server) publish(channel, msg []byte) int {
	n := 0
	for _, c := range s.pubsub.channels[string(channel)] {
		c.w.Push(3)
		c.w.BulkString("message")
		c.w.Bulk(channel)
		c.w.Bulk(msg)
		s.asyncOutput(c)
		n++
	}
	for _, p := range s.pubsub.patterns {
		if !glob.Match([]byte(p.pattern), channel, false) {
			continue
		}
		c := p.c
		c.w.Push(4)
		c.w.BulkString("pmessage")
		c.w.BulkString(p.pattern)
		c.w.Bulk(channel)
		c.w.Bulk(msg)
		s.asyncOutput(c)
		n++
	}
	return n
}

func (s *Server) spublish(channel, msg []byte) int {
	n := 0
	for _, c := range s.pubsub.shard[string(channel)] {
		c.w.Push(3)
		c.w.BulkString("smessage")
		c.w.Bulk(channel)
		c.w.Bulk(msg)
		s.asyncOutput(c)
		n++
	}
	return n
}

// PUBLISH is propagated to replicas (they re-publish) even though it does
// not change the dataset.
func publishCmd(c *commands.Ctx) {
	s := cl(c).srv
	n := s.publish(c.Args[1], c.Args[2])
	c.ForcePropagation()
	c.W.Int(int64(n))
}

func spublishCmd(c *commands.Ctx) {
	s := cl(c).srv
	n := s.spublish(c.Args[1], c.Args[2])
	c.ForcePropagation()
	c.W.Int(int64(n))
}

func pubsubChannelsCmd(c *commands.Ctx) { listChannels(c, cl(c).srv.pubsub.channels) }

func pubsubShardChannelsCmd(c *commands.Ctx) { listChannels(c, cl(c).srv.pubsub.shard) }

func listChannels(c *commands.Ctx, m map[string][]*Client) {
	var pat []byte
	if len(c.Args) > 2 {
		pat = c.Args[2]
	}
	if len(c.Args) > 3 {
		c.ArityError()
		return
	}
	var out []string
	for name := range m {
		if pat == nil || glob.Match(pat, []byte(name), false) {
			out = append(out, name)
		}
	}
	c.W.Array(len(out))
	for _, name := range out {
		c.W.BulkString(name)
	}
}

func pubsubNumsubCmd(c *commands.Ctx) { numsub(c, cl(c).srv.pubsub.channels) }

func pubsubShardNumsubCmd(c *commands.Ctx) { numsub(c, cl(c).srv.pubsub.shard) }

func numsub(c *commands.Ctx, m map[string][]*Client) {
	// An array of channel/count pairs in both protocols, as Redis 7.0
	// replies.
	c.W.Array(2 * (len(c.Args) - 2))
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(m[string(ch)])))
	}
}

func pubsubNumpatCmd(c *commands.Ctx) { c.W.Int(int64(len(cl(c).srv.pubsub.patCount))) }

func pubsubHelpCmd(c *commands.Ctx) {
	writeHelp(c, "PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}

// notify publishes keyspace and keyevent notifications for enabled
// classes (notify-keyspace-events).
func (s *Server) notify(class int, event string, db *keyspace.DB, key string) {
	flags := s.hot.notifyFlags
	if flags&class == 0 {
		return
	}
	dbs := strconv.Itoa(db.ID)
	if flags&notifyKeyspace != 0 {
		s.publish([]byte("__keyspace@"+dbs+"__:"+key), []byte(event))
	}
	if flags&notifyKeyevent != 0 {
		s.publish([]byte("__keyevent@"+dbs+"__:"+event), []byte(key))
	}
}
