package sentinel

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// INFO on a sentinel serves the sections server, clients, stats, cpu and
// sentinel, always in that order whatever order they are asked in; any
// other section name is silently dropped, and when nothing is left the
// reply is an empty bulk string. "default", "all" and "everything" (and
// no argument) mean all five. Redoubt adds a raft section, served for
// "INFO raft" and "all"/"everything" only, so the default reply keeps
// exactly the fields of a real sentinel.

// infoSections in output order.
var infoSections = []string{"server", "clients", "stats", "cpu", "sentinel", "raft"}

// infoBuildID is the build id INFO server reports.
const infoBuildID = "7d0f1c3a2b4e5f60"

func cmdInfo(c *client, args [][]byte) {
	want := map[string]bool{}
	if len(args) == 1 {
		args = append(args, []byte("default"))
	}
	for _, a := range args[1:] {
		switch s := strings.ToLower(string(a)); s {
		case "default":
			for _, n := range infoSections[:5] {
				want[n] = true
			}
		case "all", "everything":
			for _, n := range infoSections {
				want[n] = true
			}
		default:
			want[s] = true
		}
	}
	var parts []string
	for _, n := range infoSections {
		if !want[n] {
			continue
		}
		var b infoText
		switch n {
		case "server":
			c.fe.infoServer(&b)
		case "clients":
			c.fe.infoClients(&b)
		case "stats":
			c.fe.infoStats(&b)
		case "cpu":
			infoCPU(&b)
		case "sentinel":
			c.fe.infoSentinel(&b)
		case "raft":
			c.fe.infoRaft(&b)
		}
		parts = append(parts, b.String())
	}
	c.bulk(strings.Join(parts, "\r\n"))
}

// infoText builds one section.
type infoText struct{ strings.Builder }

func (b *infoText) title(t string)          { b.WriteString("# " + t + "\r\n") }
func (b *infoText) str(k, v string)         { b.WriteString(k + ":" + v + "\r\n") }
func (b *infoText) num(k string, v int64)   { b.str(k, strconv.FormatInt(v, 10)) }
func (b *infoText) unum(k string, v uint64) { b.str(k, strconv.FormatUint(v, 10)) }

func (f *frontEnd) infoServer(b *infoText) {
	now := time.Now()
	up := int64(now.Sub(f.s.start) / time.Second)
	cfgPath, port := "", 0
	if f.s.cfg != nil {
		cfgPath, port = f.s.cfg.Path, f.s.cfg.Port
	}
	if cfgPath != "" && !filepath.IsAbs(cfgPath) {
		if abs, err := filepath.Abs(cfgPath); err == nil {
			cfgPath = abs
		}
	}
	b.title("Server")
	b.str("redis_version", redisVersion)
	b.str("redis_git_sha1", "00000000")
	b.str("redis_git_dirty", "0")
	b.str("redis_build_id", infoBuildID)
	b.str("redis_mode", "sentinel")
	b.str("os", unameString())
	b.num("arch_bits", strconv.IntSize)
	b.str("monotonic_clock", "POSIX clock_gettime")
	b.str("multiplexing_api", "epoll")
	b.str("atomicvar_api", "c11-builtin")
	b.str("gcc_version", "0.0.0")
	b.num("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", f.s.runID)
	b.num("tcp_port", int64(port))
	b.num("server_time_usec", now.UnixMicro())
	b.num("uptime_in_seconds", up)
	b.num("uptime_in_days", up/86400)
	// A sentinel randomises its timer frequency every tick (10..19).
	b.num("hz", 10+rand.Int64N(10))
	b.num("configured_hz", 10)
	b.num("lru_clock", (now.UnixMilli()/1000)&(1<<24-1))
	b.str("executable", infoExecutable)
	b.str("config_file", cfgPath)
	b.num("io_threads_active", 0)
}

// infoExecutable is argv[0] made absolute against the start directory,
// as Redis reports it (the link name, e.g. redis-sentinel, is kept).
var infoExecutable = func() string {
	if len(os.Args) == 0 {
		return ""
	}
	p := os.Args[0]
	if !filepath.IsAbs(p) && strings.Contains(p, "/") {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
	}
	return p
}()

// unameString is "<sysname> <release> <machine>" as Redis prints it.
func unameString() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return runtime.GOOS
	}
	str := func(a [65]int8) string {
		var sb strings.Builder
		for _, ch := range a {
			if ch == 0 {
				break
			}
			sb.WriteByte(byte(ch))
		}
		return sb.String()
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

func (f *frontEnd) infoClients(b *infoText) {
	b.title("Clients")
	b.num("connected_clients", int64(f.numClients()))
	b.num("cluster_connections", 0)
	b.num("maxclients", maxClients)
	b.num("client_recent_max_input_buffer", readBufSize)
	b.num("client_recent_max_output_buffer", 0)
	b.num("blocked_clients", 0)
	b.num("tracking_clients", 0)
	b.num("clients_in_timeout_table", 0)
}

func (f *frontEnd) infoStats(b *infoText) {
	chans, pats := f.hub.counts()
	st := &f.stats
	b.title("Stats")
	b.num("total_connections_received", st.conns.Load())
	b.num("total_commands_processed", st.commands.Load())
	b.num("instantaneous_ops_per_sec", 0)
	b.num("total_net_input_bytes", st.netIn.Load())
	b.num("total_net_output_bytes", st.netOut.Load())
	b.num("total_net_repl_input_bytes", 0)
	b.num("total_net_repl_output_bytes", 0)
	b.str("instantaneous_input_kbps", "0.00")
	b.str("instantaneous_output_kbps", "0.00")
	b.str("instantaneous_input_repl_kbps", "0.00")
	b.str("instantaneous_output_repl_kbps", "0.00")
	b.num("rejected_connections", st.rejected.Load())
	for _, k := range []string{"sync_full", "sync_partial_ok", "sync_partial_err", "expired_keys"} {
		b.num(k, 0)
	}
	b.str("expired_stale_perc", "0.00")
	for _, k := range []string{"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds",
		"evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
		"current_eviction_exceeded_time", "keyspace_hits", "keyspace_misses"} {
		b.num(k, 0)
	}
	b.num("pubsub_channels", int64(chans))
	b.num("pubsub_patterns", int64(pats))
	for _, k := range []string{"pubsubshard_channels", "latest_fork_usec", "total_forks",
		"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
		"active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
		"total_active_defrag_time", "current_active_defrag_time", "tracking_total_keys",
		"tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies"} {
		b.num(k, 0)
	}
	b.num("total_error_replies", st.errors.Load())
	b.num("dump_payload_sanitizations", 0)
	b.num("total_reads_processed", st.commands.Load())
	b.num("total_writes_processed", st.commands.Load())
	for _, k := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed",
		"reply_buffer_shrinks", "reply_buffer_expands"} {
		b.num(k, 0)
	}
}

func infoCPU(b *infoText) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) string {
		us := strconv.FormatInt(int64(t.Usec), 10)
		return strconv.FormatInt(int64(t.Sec), 10) + "." + strings.Repeat("0", max(0, 6-len(us))) + us
	}
	b.title("CPU")
	b.str("used_cpu_sys", tv(self.Stime))
	b.str("used_cpu_user", tv(self.Utime))
	b.str("used_cpu_sys_children", tv(children.Stime))
	b.str("used_cpu_user_children", tv(children.Utime))
	// Go has no single main thread: the process figures stand for it.
	b.str("used_cpu_sys_main_thread", tv(self.Stime))
	b.str("used_cpu_user_main_thread", tv(self.Utime))
}

// infoSentinel: one masterN line per master; status is odown (agreed),
// sdown (this sentinel's view) or ok; sentinels counts this one too.
func (f *frontEnd) infoSentinel(b *infoText) {
	masters, others := f.snapshot()
	tilt, since := f.mon().Tilt()
	b.title("Sentinel")
	b.num("sentinel_masters", int64(len(masters)))
	if tilt {
		b.num("sentinel_tilt", 1)
		b.num("sentinel_tilt_since_seconds", (time.Now().UnixMilli()-since)/1000)
	} else {
		b.num("sentinel_tilt", 0)
		b.num("sentinel_tilt_since_seconds", -1)
	}
	b.num("sentinel_running_scripts", 0)
	b.num("sentinel_scripts_queue_length", 0)
	b.num("sentinel_simulate_failure_flags", int64(f.s.simulate.Load()))
	for i, m := range masters {
		status := "ok"
		if st, _ := f.mon().Status(m.Name, m.Addr); m.ODown {
			status = "odown"
		} else if st.SDown {
			status = "sdown"
		}
		b.str("master"+strconv.Itoa(i), "name="+m.Name+",status="+status+",address="+m.Addr.String()+
			",slaves="+strconv.Itoa(len(m.Replicas))+",sentinels="+strconv.Itoa(len(others)+1))
	}
}

func (f *frontEnd) infoRaft(b *infoText) {
	st := f.s.RaftStatus()
	b.title("Raft")
	b.str("raft_id", st.ID)
	b.str("raft_addr", st.Addr)
	b.str("raft_state", st.State)
	b.unum("raft_term", st.Term)
	b.str("raft_leader_id", st.LeaderID)
	b.str("raft_leader_addr", st.LeaderAddr)
	b.unum("raft_last_log_index", st.LastIndex)
	b.unum("raft_commit_index", st.CommitIndex)
	b.unum("raft_applied_index", st.AppliedIndex)
	b.num("raft_peers", int64(st.Peers))
}
