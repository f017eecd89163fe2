package server

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"redoubt/commands"
	"redoubt/internal/config"
)

// adminState is what INFO, CONFIG RESETSTAT, DEBUG and SHUTDOWN keep
// beyond the plain counters of stats. Guarded by s.mu unless noted.
type adminState struct {
	// Replication identity as INFO replication and ROLE report it. The
	// replication layer may replace these; replID2 is all zeros and
	// secondReplOffset -1 until a failover gives them meaning.
	replID           string
	replID2          string
	secondReplOffset int64

	// lastSave is the Unix time of the last successful save; it starts
	// as the start time, as in Redis. dirtyAtSave is s.dirty at that
	// moment (rdb_changes_since_last_save is the difference).
	lastSave    int64
	dirtyAtSave int64

	startupMem int64
	peakMem    int64
	mem        memAccount

	// noActiveExpire is DEBUG SET-ACTIVE-EXPIRE 0: the cron leaves keys
	// with a TTL alone.
	noActiveExpire bool
	// shutdown holds the flags of the SHUTDOWN being carried out, for
	// the hooks in s.beforeShutdown (saving).
	shutdown shutdownFlags
	// prepareShutdown, when set (by the persistence layer), runs before
	// SHUTDOWN proceeds; an error makes SHUTDOWN fail and the server
	// keep running.
	prepareShutdown func(shutdownFlags) error

	// netOut and writes count bytes and writes to clients; they are
	// updated outside the lock, hence atomic.
	netOut atomic.Int64
	writes atomic.Int64
	// replIn and replOut count replication traffic, kept apart from the
	// client totals as Redis 7.0 does: bytes read from our master (the
	// payload and the stream) and bytes sent to our replicas (payloads
	// and stream; handshake lines and keepalive newlines are not counted).
	replIn  atomic.Int64
	replOut atomic.Int64

	latencyTracking bool

	// errors counts error replies by their code (the first word), at
	// most maxErrorCodes distinct codes, as Redis caps its table.
	errors map[string]int64
	// prevErrors is the error total at the last per-command checkpoint:
	// a command fails when errors were replied since.
	prevErrors  int64
	latency     map[string]*latencyHist
	latencyByID []*latencyHist

	ops opsMeter
}

// maxErrorCodes bounds the error-code table of INFO errorstats.
const maxErrorCodes = 128

func (s *Server) initAdmin() {
	a := &s.admin
	a.replID = randomHex40()
	a.replID2 = strings.Repeat("0", 40)
	a.secondReplOffset = -1
	a.lastSave = s.started.Unix()
	a.startupMem = usedMemory()
	a.peakMem = a.startupMem
	a.errors = make(map[string]int64)
	a.latency = make(map[string]*latencyHist)
	a.latencyTracking = s.cfg.Bool("latency-tracking")
	s.cfg.OnChange("latency-tracking", func(*config.Config) { a.latencyTracking = s.cfg.Bool("latency-tracking") })
	s.cronHooks = append(s.cronHooks, s.adminCron)
}

// noteWrite counts one write of n bytes to a client (called without
// s.mu).
func (s *Server) noteWrite(n int) {
	s.admin.netOut.Add(int64(n))
	s.admin.writes.Add(1)
}

// noteReplWrite counts n bytes of payload or stream sent to a replica
// (called without s.mu).
func (s *Server) noteReplWrite(n int) {
	s.admin.replOut.Add(int64(n))
	s.admin.writes.Add(1)
}

// markSaved records a successful save (for the persistence layer; holds
// s.mu): LASTSAVE and rdb_last_save_time move to now and
// rdb_changes_since_last_save starts again.
func (s *Server) markSaved(at time.Time) {
	s.admin.lastSave = at.Unix()
	s.admin.dirtyAtSave = s.dirty
}

func randomHex40() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// adminCron samples the instantaneous metrics and tracks the memory peak.
func (s *Server) adminCron() {
	now := time.Now()
	s.admin.ops.sample(now, s.stats.commands, s.stats.netInputBytes, s.admin.netOut.Load(),
		s.admin.replIn.Load(), s.admin.replOut.Load())
	s.trackPeak(usedMemory())
	s.calibrateMemory()
}

func (s *Server) trackPeak(used int64) {
	if used > s.admin.peakMem {
		s.admin.peakMem = used
	}
}

// noteInput adds the bytes of the requests parsed since the last call to
// total_net_input_bytes. Runs on the client's own goroutine with s.mu.
func (s *Server) noteInput(c *Client) {
	if n := c.rd.Consumed - c.inSeen; n > 0 {
		s.stats.netInputBytes += n
		c.inSeen = c.rd.Consumed
	}
}

// beforeProc runs just before a command's procedure: it counts keyspace
// hits and misses for read-only commands and returns where the reply
// will start, for afterProc.
func (s *Server) beforeProc(c *Client, cmd *commands.Command, args [][]byte) int {
	// MEMORY USAGE reads the key table directly, without the accounting.
	if cmd.Flags&commands.ReadOnly != 0 && (cmd.Parent == nil || cmd.Parent.Name != "memory") {
		s.countKeyspaceHits(c, cmd, args)
	}
	return len(c.w.Buf)
}

// countKeyspaceHits applies Redis's rule that every read lookup of a key
// counts as a hit when the key exists (and is not expired), else a miss.
// Only the key arguments of read-only commands are counted here.
func (s *Server) countKeyspaceHits(c *Client, cmd *commands.Command, args [][]byte) {
	count := func(i int) {
		k := commands.B2S(args[i])
		if c.db.Peek(k) != nil && !c.db.IsExpired(k) {
			s.stats.keyspaceHits++
		} else {
			s.stats.keyspaceMisses++
		}
	}
	if cmd.Keys != nil {
		for _, i := range cmd.Keys(args) {
			if i < len(args) {
				count(i)
			}
		}
		return
	}
	if cmd.FirstKey <= 0 {
		return
	}
	last, step := cmd.LastKey, cmd.Step
	if last < 0 {
		last += len(args)
	}
	if step <= 0 {
		step = 1
	}
	for i := cmd.FirstKey; i <= last && i < len(args); i += step {
		count(i)
	}
}

// afterProc accounts for a finished command: an error reply starting at
// mark is counted; the command failed if any error was replied since the
// last checkpoint (so EXEC does not fail for its commands' errors); the
// latency goes to the command's histogram.
func (s *Server) afterProc(c *Client, cmd *commands.Command, mark int, d time.Duration) {
	if mark < len(c.w.Buf) && c.w.Buf[mark] == '-' {
		s.countErrorReply(c.w.Buf[mark+1:])
	}
	if s.stats.totalErrorReply > s.admin.prevErrors {
		s.stats.statFor(cmd).failed++
	}
	s.admin.prevErrors = s.stats.totalErrorReply
	if s.admin.latencyTracking {
		var h *latencyHist
		if cmd.ID < len(s.admin.latencyByID) {
			h = s.admin.latencyByID[cmd.ID]
		}
		if h == nil {
			name := cmd.FullName()
			h = s.admin.latency[name]
			if h == nil {
				h = &latencyHist{}
				s.admin.latency[name] = h
			}
			for len(s.admin.latencyByID) <= cmd.ID {
				s.admin.latencyByID = append(s.admin.latencyByID, nil)
			}
			s.admin.latencyByID[cmd.ID] = h
		}
		h.record(d.Nanoseconds())
	}
}

// rejectCmd refuses a resolved command before it runs: the command's
// rejected_calls grows besides the error accounting of reject.
func (s *Server) rejectCmd(c *Client, cmd *commands.Command, msg string) {
	if s.stats.perCommand == nil {
		s.stats.perCommand = make(map[string]*cmdStat)
	}
	name := cmd.FullName()
	cs := s.stats.perCommand[name]
	if cs == nil {
		cs = &cmdStat{}
		s.stats.perCommand[name] = cs
	}
	cs.rejected++
	s.reject(c, msg)
}

// noteRejectError counts the error reply of a refused request and moves
// the checkpoint, so the next command is not blamed for it.
func (s *Server) noteRejectError(msg string) {
	s.countErrorReply([]byte(strings.TrimPrefix(msg, "-")))
	s.admin.prevErrors = s.stats.totalErrorReply
}

// countErrorReply counts one error reply given without its leading '-'.
// Its code is the text before the first space when that space is within
// the first 32 bytes, else ERR.
func (s *Server) countErrorReply(line []byte) {
	s.stats.totalErrorReply++
	n := len(line)
	if n > 31 {
		n = 31
	}
	code := "ERR"
	for i := 0; i < n; i++ {
		if line[i] == ' ' {
			code = string(line[:i])
			break
		}
		if line[i] == '\r' {
			break
		}
	}
	if _, ok := s.admin.errors[code]; !ok && len(s.admin.errors) >= maxErrorCodes {
		return
	}
	s.admin.errors[code]++
}

// resetStats is CONFIG RESETSTAT: counters, command and error tables,
// latency histograms and the memory peak start again.
func (s *Server) resetStats() {
	st := &s.stats
	for k := range st.perCommand {
		delete(st.perCommand, k)
	}
	st.byID = nil
	st.connsReceived, st.rejectedConns, st.commands = 0, 0, 0
	st.expiredKeys, st.evictedKeys, st.keyspaceHits, st.keyspaceMisses = 0, 0, 0, 0
	st.rejectedCalls, st.netInputBytes, st.netOutputBytes, st.totalErrorReply = 0, 0, 0, 0
	s.admin.netOut.Store(0)
	s.admin.replIn.Store(0)
	s.admin.replOut.Store(0)
	s.admin.writes.Store(0)
	s.admin.errors = make(map[string]int64)
	s.admin.prevErrors = 0
	s.admin.latency = make(map[string]*latencyHist)
	s.admin.latencyByID = nil
	s.admin.ops = opsMeter{}
	s.admin.peakMem = usedMemory()
}

// opsMeter computes the instantaneous_* rates from samples taken at
// least 100 ms apart, averaged over the last 16, like Redis's metrics.
type opsMeter struct {
	last     time.Time
	lastVals [5]int64
	rates    [5][16]float64
	idx      int
	n        int
}

func (m *opsMeter) sample(now time.Time, vals ...int64) {
	if m.last.IsZero() {
		m.last = now
		copy(m.lastVals[:], vals)
		return
	}
	dt := now.Sub(m.last)
	if dt < 100*time.Millisecond {
		return
	}
	for i, v := range vals {
		m.rates[i][m.idx] = float64(v-m.lastVals[i]) / dt.Seconds()
		m.lastVals[i] = v
	}
	m.last = now
	m.idx = (m.idx + 1) % 16
	if m.n < 16 {
		m.n++
	}
}

// rate is the average of metric i over the samples taken.
func (m *opsMeter) rate(i int) float64 {
	if m.n == 0 {
		return 0
	}
	sum := 0.0
	for k := 0; k < m.n; k++ {
		sum += m.rates[i][k]
	}
	return sum / float64(m.n)
}

// latencyHist records latencies in nanoseconds with the bucketing of an
// HDR histogram of two significant digits (what Redis uses for INFO
// latencystats): values are grouped by powers of two, each power split
// into 128 steps, and a percentile reports the top of its step.
type latencyHist struct {
	counts map[int64]int64 // lowest value of a step -> count
	total  int64
}

const latencyMaxNs = 1_000_000_000

// hdrStep returns the lowest value and the width of v's step.
func hdrStep(v int64) (int64, int64) {
	shift := 0
	for (v >> shift) >= 256 {
		shift++
	}
	width := int64(1) << shift
	return v &^ (width - 1), width
}

func (h *latencyHist) record(ns int64) {
	if ns < 1 {
		ns = 1
	}
	if ns > latencyMaxNs {
		ns = latencyMaxNs
	}
	if h.counts == nil {
		h.counts = make(map[int64]int64)
	}
	low, _ := hdrStep(ns)
	h.counts[low]++
	h.total++
}

// percentile returns the value at percentile p (0..100) in ns.
func (h *latencyHist) percentile(p float64) int64 {
	if h.total == 0 {
		return 0
	}
	want := int64(p/100*float64(h.total) + 0.5)
	if want < 1 {
		want = 1
	}
	lows := make([]int64, 0, len(h.counts))
	for v := range h.counts {
		lows = append(lows, v)
	}
	sort.Slice(lows, func(i, j int) bool { return lows[i] < lows[j] })
	seen := int64(0)
	for _, v := range lows {
		seen += h.counts[v]
		if seen >= want {
			low, width := hdrStep(v)
			return low + width - 1
		}
	}
	return 0
}

// appendStatsSection writes INFO's Stats section.
func (s *Server) appendStatsSection(b *infoBuilder) {
	st := &s.stats
	a := &s.admin
	b.section("Stats")
	b.int("total_connections_received", st.connsReceived)
	b.int("total_commands_processed", st.commands)
	b.int("instantaneous_ops_per_sec", int64(a.ops.rate(0)))
	b.int("total_net_input_bytes", st.netInputBytes)
	b.int("total_net_output_bytes", a.netOut.Load())
	b.int("total_net_repl_input_bytes", a.replIn.Load())
	b.int("total_net_repl_output_bytes", a.replOut.Load())
	b.fixed2("instantaneous_input_kbps", a.ops.rate(1)/1024)
	b.fixed2("instantaneous_output_kbps", a.ops.rate(2)/1024)
	b.fixed2("instantaneous_input_repl_kbps", a.ops.rate(3)/1024)
	b.fixed2("instantaneous_output_repl_kbps", a.ops.rate(4)/1024)
	b.int("rejected_connections", st.rejectedConns)
	b.int("sync_full", s.rm.syncFull)
	b.int("sync_partial_ok", s.rm.partialOK)
	b.int("sync_partial_err", s.rm.partialErr)
	b.int("expired_keys", st.expiredKeys)
	b.fixed2("expired_stale_perc", s.expireState.StaleRatio*100)
	b.int("expired_time_cap_reached_count", 0)
	b.int("expire_cycle_cpu_milliseconds", 0)
	b.int("evicted_keys", st.evictedKeys)
	b.int("evicted_clients", 0)
	b.int("total_eviction_exceeded_time", 0)
	b.int("current_eviction_exceeded_time", 0)
	b.int("keyspace_hits", st.keyspaceHits)
	b.int("keyspace_misses", st.keyspaceMisses)
	b.int("pubsub_channels", int64(len(s.pubsub.channels)))
	b.int("pubsub_patterns", int64(len(s.pubsub.patCount)))
	b.int("pubsubshard_channels", int64(len(s.pubsub.shard)))
	for _, k := range []string{"latest_fork_usec", "total_forks", "migrate_cached_sockets",
		"slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
		"active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
		"tracking_total_prefixes", "unexpected_error_replies"} {
		b.int(k, 0)
	}
	b.int("total_error_replies", st.totalErrorReply)
	b.int("dump_payload_sanitizations", 0)
	b.int("total_reads_processed", 0)
	b.int("total_writes_processed", a.writes.Load())
	for _, k := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands"} {
		b.int(k, 0)
	}
}

// appendCommandStats writes cmdstat_<name> lines for every command that
// was called, rejected or failed, sorted by name.
func (s *Server) appendCommandStats(b *infoBuilder) {
	b.section("Commandstats")
	names := make([]string, 0, len(s.stats.perCommand))
	for n, cs := range s.stats.perCommand {
		if cs.calls > 0 || cs.rejected > 0 || cs.failed > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		cs := s.stats.perCommand[n]
		per := 0.0
		if cs.calls > 0 {
			per = float64(cs.usec) / float64(cs.calls)
		}
		b.line("cmdstat_" + n + ":calls=" + itoa(cs.calls) + ",usec=" + itoa(cs.usec) +
			",usec_per_call=" + strconv.FormatFloat(per, 'f', 2, 64) +
			",rejected_calls=" + itoa(cs.rejected) + ",failed_calls=" + itoa(cs.failed))
	}
}

// appendErrorStats writes errorstat_<CODE> lines in code order.
func (s *Server) appendErrorStats(b *infoBuilder) {
	b.section("Errorstats")
	codes := make([]string, 0, len(s.admin.errors))
	for c := range s.admin.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		b.line("errorstat_" + c + ":count=" + itoa(s.admin.errors[c]))
	}
}

// appendLatencyStats writes the configured percentiles of each command's
// latency, in microseconds.
func (s *Server) appendLatencyStats(b *infoBuilder) {
	b.section("Latencystats")
	names := make([]string, 0, len(s.admin.latency))
	for n, h := range s.admin.latency {
		if h.total > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	pcts := s.cfg.LatencyPercentiles()
	for _, n := range names {
		h := s.admin.latency[n]
		var sb strings.Builder
		sb.WriteString("latency_percentiles_usec_" + n + ":")
		for i, p := range pcts {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("p" + strconv.FormatFloat(p, 'f', -1, 64) + "=")
			sb.WriteString(strconv.FormatFloat(float64(h.percentile(p))/1000, 'f', 3, 64))
		}
		b.line(sb.String())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
