package server

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"redoubt/commands"
)

// The latency monitor and LATENCY. With latency-monitor-threshold set to
// N ms, every command that takes at least N ms is an event sample
// ("fast-command" for commands flagged fast, else "command"). Each event
// keeps its latest 160 samples, one per second (a second sample in the
// same second only raises that second's value), and its all-time
// maximum. LATENCY HISTOGRAM reports the per-command histograms INFO
// latencystats keeps (latency-tracking).
//
// Not implemented: the other event classes Redis samples (expire-cycle,
// eviction-cycle, fork, aof-*...) are never recorded.

const (
	latencySeriesLen = 160
	latencyGraphCols = 80
)

type latencySample struct {
	time int64 // Unix seconds; 0 = unused slot
	ms   int64
}

type latencySeries struct {
	next    int
	max     int64
	samples [latencySeriesLen]latencySample
}

type latencyMonitor struct {
	events map[string]*latencySeries
}

// add records a sample of event taken at now (Unix seconds).
func (m *latencyMonitor) add(event string, ms, now int64) {
	if m.events == nil {
		m.events = make(map[string]*latencySeries)
	}
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	ts.max = max(ts.max, ms)
	prev := &ts.samples[(ts.next+latencySeriesLen-1)%latencySeriesLen]
	if prev.time == now {
		prev.ms = max(prev.ms, ms)
		return
	}
	ts.samples[ts.next] = latencySample{time: now, ms: ms}
	ts.next = (ts.next + 1) % latencySeriesLen
}

// ordered returns the used samples, oldest first.
func (ts *latencySeries) ordered() []latencySample {
	var out []latencySample
	for j := 0; j < latencySeriesLen; j++ {
		if sm := ts.samples[(ts.next+j)%latencySeriesLen]; sm.time != 0 {
			out = append(out, sm)
		}
	}
	return out
}

func (m *latencyMonitor) names() []string {
	out := make([]string, 0, len(m.events))
	for k := range m.events {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// latencySampleCommand is called after a command ran, when the monitor
// is on. Holds s.mu.
func (s *Server) latencySampleCommand(c *Client, cmd *commands.Command, d time.Duration) {
	ms := d.Microseconds() / 1000
	if c.blocked != nil || ms < s.hot.latencyThreshold {
		return
	}
	event := "command"
	if cmd.Flags&commands.Fast != 0 {
		event = "fast-command"
	}
	s.latencyMon.add(event, ms, time.Now().Unix())
}

func init() {
	flags := commands.Admin | commands.NoScript | commands.Loading | commands.Stale
	acl := []string{"@admin", "@slow", "@dangerous"}
	report := []string{"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}
	sub := func(name string, arity int, proc func(*commands.Ctx), summary string, tips []string) *commands.Command {
		return &commands.Command{Name: name, Arity: arity, Flags: flags, Proc: proc, Group: "server", Since: "2.8.13",
			Summary: summary, Complexity: "O(1)", ACL: acl, Tips: tips}
	}
	hist := sub("histogram", -2, latencyHistogramCmd, "Return the cumulative distribution of latencies of a subset of commands or all.", report)
	hist.Since = "7.0.0"
	hist.Complexity = "O(N) where N is the number of commands with latency information being retrieved."
	help := sub("help", 2, latencyHelpCmd, "Show helpful text about the different subcommands.", nil)
	help.Flags, help.ACL = commands.Loading|commands.Stale, []string{"@slow"}
	commands.Register(&commands.Command{Name: "latency", Arity: -2, Group: "server", Since: "2.8.13",
		Summary: "A container for latency diagnostics commands", Complexity: "Depends on subcommand.", Proc: latencyHelpCmd,
		Subs: map[string]*commands.Command{
			"latest":    sub("latest", 2, latencyLatestCmd, "Return the latest latency samples for all events.", report),
			"history":   sub("history", 3, latencyHistoryCmd, "Return timestamp-latency samples for the event.", report),
			"reset":     sub("reset", -2, latencyResetCmd, "Reset latency data for one or more events.", []string{"request_policy:all_nodes", "response_policy:all_succeeded"}),
			"graph":     sub("graph", 3, latencyGraphCmd, "Return a latency graph for the event.", report),
			"doctor":    sub("doctor", 2, latencyDoctorCmd, "Return a human readable latency analysis report.", report),
			"histogram": hist,
			"help":      help,
		}})
}

func latencyHelpCmd(c *commands.Ctx) {
	writeHelp(c, "LATENCY", []string{
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	})
}

// LATENCY LATEST: per event [name, time of latest, latest ms, max ms].
func latencyLatestCmd(c *commands.Ctx) {
	m := &cl(c).srv.latencyMon
	names := m.names()
	c.W.Array(len(names))
	for _, n := range names {
		ts := m.events[n]
		last := ts.samples[(ts.next+latencySeriesLen-1)%latencySeriesLen]
		c.W.Array(4)
		c.W.BulkString(n)
		c.W.Int(last.time)
		c.W.Int(last.ms)
		c.W.Int(ts.max)
	}
}

// LATENCY HISTORY event: [time, ms] pairs, oldest first.
func latencyHistoryCmd(c *commands.Ctx) {
	ts := cl(c).srv.latencyMon.events[string(c.Args[2])]
	if ts == nil {
		c.W.Array(0)
		return
	}
	list := ts.ordered()
	c.W.Array(len(list))
	for _, sm := range list {
		c.W.Array(2)
		c.W.Int(sm.time)
		c.W.Int(sm.ms)
	}
}

// LATENCY RESET [event ...] replies how many event series it dropped.
func latencyResetCmd(c *commands.Ctx) {
	m := &cl(c).srv.latencyMon
	n := 0
	if len(c.Args) == 2 {
		n = len(m.events)
		clear(m.events)
	} else {
		for _, a := range c.Args[2:] {
			if _, ok := m.events[string(a)]; ok {
				delete(m.events, string(a))
				n++
			}
		}
	}
	c.W.Int(int64(n))
}

// LATENCY GRAPH event: a header line, a rule, then a four-row sparkline
// of the samples with, under each column, how long ago it was taken.
func latencyGraphCmd(c *commands.Ctx) {
	event := string(c.Args[2])
	ts := cl(c).srv.latencyMon.events[event]
	if ts == nil {
		c.Error("ERR No samples available for event '" + event + "'")
		return
	}
	c.W.Verbatim(latencyGraph(event, ts, time.Now().Unix()), "txt")
}

func latencyGraph(event string, ts *latencySeries, now int64) string {
	list := ts.ordered()
	var sp sparkline
	for _, sm := range list {
		sp.add(float64(sm.ms), agoLabel(now-sm.time))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, int64(sp.max), int64(sp.min), ts.max)
	b.WriteString(strings.Repeat("-", latencyGraphCols))
	b.WriteByte('\n')
	for j := 0; j < len(sp.values); j += latencyGraphCols {
		if j > 0 {
			b.WriteByte('\n')
		}
		sp.render(&b, j, min(latencyGraphCols, len(sp.values)-j), 4)
	}
	return b.String()
}

// agoLabel spells an elapsed time as seconds, minutes, hours or days.
func agoLabel(secs int64) string {
	switch {
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm", secs/60)
	case secs < 86400:
		return fmt.Sprintf("%dh", secs/3600)
	}
	return fmt.Sprintf("%dd", secs/86400)
}

// sparkline draws values as columns of rows characters, each row worth
// three levels ('_', 'o', '#'; '|' fills below the top), followed by a
// blank line and each column's label written downwards.
type sparkline struct {
	values   []float64
	labels   []string
	min, max float64
}

func (sp *sparkline) add(v float64, label string) {
	if len(sp.values) == 0 {
		sp.min, sp.max = v, v
	} else {
		sp.min, sp.max = math.Min(sp.min, v), math.Max(sp.max, v)
	}
	sp.values = append(sp.values, v)
	sp.labels = append(sp.labels, label)
}

func (sp *sparkline) render(b *strings.Builder, off, n, rows int) {
	const levels = "_o#"
	span := sp.max - sp.min
	if span == 0 {
		span = 1
	}
	steps := len(levels) * rows
	line := make([]byte, n)
	for row := 0; ; row++ {
		more := false
		for j := range line {
			line[j] = ' '
		}
		for j := 0; j < n; j++ {
			if row < rows {
				more = true
				step := int(float64(int((sp.values[off+j]-sp.min)*float64(steps))) / span)
				step = min(max(step, 0), steps-1)
				idx := step - (rows-row-1)*len(levels)
				switch {
				case idx >= len(levels):
					line[j] = '|'
				case idx >= 0:
					line[j] = levels[idx]
				}
				continue
			}
			if row == rows {
				// One blank line between the graph and the labels.
				more = true
				break
			}
			if k := row - rows - 1; k < len(sp.labels[off+j]) {
				more = true
				line[j] = sp.labels[off+j][k]
			}
		}
		if !more {
			return
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}

// LATENCY DOCTOR: a report on the recorded events with advice.
func latencyDoctorCmd(c *commands.Ctx) {
	s := cl(c).srv
	c.W.Verbatim(s.latencyReport(time.Now().Unix()), "txt")
}

func (s *Server) latencyReport(now int64) string {
	m := &s.latencyMon
	threshold := s.hot.latencyThreshold
	if len(m.events) == 0 && threshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. " +
			"You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. " +
			"If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var b strings.Builder
	var slowlogOff, slowlogTune, slowlogInspect, scheduler bool
	for i, name := range m.names() {
		ts := m.events[name]
		list := ts.ordered()
		if len(list) == 0 {
			continue
		}
		if i == 0 {
			b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		var sum, oldest int64
		for _, sm := range list {
			sum += sm.ms
			if oldest == 0 || sm.time < oldest {
				oldest = sm.time
			}
		}
		avg := sum / int64(len(list))
		var dev int64
		for _, sm := range list {
			d := avg - sm.ms
			if d < 0 {
				d = -d
			}
			dev += d
		}
		period := max(now-oldest, 1)
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.\n",
			i+1, name, len(list), avg, dev/int64(len(list)), float64(period)/float64(len(list)), ts.max)
		switch name {
		case "command":
			if s.hot.slowlogSlower < 0 {
				slowlogOff = true
			} else if s.hot.slowlogSlower/1000 > threshold {
				slowlogTune = true
			}
			slowlogInspect = true
		case "fast-command":
			scheduler = true
		}
	}
	if b.Len() == 0 {
		return "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. " +
			"I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if slowlogOff {
		fmt.Fprintf(&b, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold*1000)
	}
	if slowlogTune {
		fmt.Fprintf(&b, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", threshold*1000)
	}
	if slowlogInspect {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	if scheduler {
		b.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
			"  1) Lower the system load.\n" +
			"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
			"  3) Check if you have a \"noisy neighbour\" problem.\n" +
			"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
			"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
	}
	if slowlogInspect {
		b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	}
	return b.String()
}

// LATENCY HISTOGRAM [command ...]: for each command with recorded
// latencies (all, or those named; a container stands for its
// subcommands too) the number of calls and the cumulative count of calls
// by latency, at power-of-two bounds from 1 µs.
func latencyHistogramCmd(c *commands.Ctx) {
	s := cl(c).srv
	var names []string
	if len(c.Args) == 2 {
		for n, h := range s.admin.latency {
			if h.total > 0 {
				names = append(names, n)
			}
		}
		sort.Strings(names)
	} else {
		for _, a := range c.Args[2:] {
			cmd := lookupCommandFullName(string(a))
			if cmd == nil {
				continue
			}
			if h := s.admin.latency[cmd.FullName()]; h != nil && h.total > 0 {
				names = append(names, cmd.FullName())
			}
			for _, sub := range sortedSubs(cmd) {
				if h := s.admin.latency[sub.FullName()]; h != nil && h.total > 0 {
					names = append(names, sub.FullName())
				}
			}
		}
	}
	c.W.Map(len(names))
	for _, n := range names {
		h := s.admin.latency[n]
		c.W.BulkString(n)
		c.W.Map(2)
		c.W.BulkString("calls")
		c.W.Int(h.total)
		c.W.BulkString("histogram_usec")
		writeLatencyCDF(c, h)
	}
}

// writeLatencyCDF writes the cumulative counts at bounds of 1024 ns
// doubling, each bound reported as the top of its histogram step in µs;
// bounds that add no calls are left out.
func writeLatencyCDF(c *commands.Ctx, h *latencyHist) {
	lows := make([]int64, 0, len(h.counts))
	for v := range h.counts {
		lows = append(lows, v)
	}
	sort.Slice(lows, func(i, j int) bool { return lows[i] < lows[j] })
	d := c.W.DeferMap()
	n, seen, i := 0, int64(0), 0
	for bound := int64(1024); seen < h.total && bound > 0; bound *= 2 {
		low, width := hdrStep(bound)
		top := low + width - 1
		prev := seen
		for i < len(lows) && lows[i] <= top {
			seen += h.counts[lows[i]]
			i++
		}
		if seen > prev {
			c.W.Int(top / 1000)
			c.W.Int(seen)
			n++
		}
	}
	c.W.Fill(d, n)
}
