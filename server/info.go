package server

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"redoubt/commands"
	"redoubt/internal/keyspace"
)

// INFO [section ...] reports the server's state as Redis 7.0.15 does:
// "# Name" headed sections of "field:value" lines, CRLF terminated, with
// an empty line between sections, in a fixed order whatever the order of
// the arguments. Without arguments the default sections are given; "all"
// adds commandstats and latencystats, "everything" (no modules here)
// is the same as "all". Unknown names select nothing. RESP3 clients get
// a verbatim string.

func init() {
	commands.Register(&commands.Command{Name: "info", Arity: -1, Flags: commands.Loading | commands.Stale, Proc: infoCmd,
		Group: "server", Since: "1.0.0", Summary: "Get information and statistics about the server", Complexity: "O(1)",
		ACL: []string{"@slow", "@dangerous"}, Tips: []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}})
}

// infoSections lists the sections in output order, flagging the
// default ones.
var infoSections = []struct {
	name string
	def  bool
	gen  func(s *Server, b *infoBuilder)
}{
	{"server", true, (*Server).appendServerSection},
	{"clients", true, (*Server).appendClientsSection},
	{"memory", true, (*Server).appendMemorySection},
	{"persistence", true, (*Server).appendPersistenceSection},
	{"stats", true, (*Server).appendStatsSection},
	{"replication", true, (*Server).appendReplicationSection},
	{"cpu", true, (*Server).appendCPUSection},
	{"modules", true, func(_ *Server, b *infoBuilder) { b.section("Modules") }},
	{"commandstats", false, (*Server).appendCommandStats},
	{"errorstats", true, (*Server).appendErrorStats},
	{"latencystats", false, (*Server).appendLatencyStats},
	{"cluster", true, func(_ *Server, b *infoBuilder) { b.section("Cluster"); b.int("cluster_enabled", 0) }},
	{"keyspace", true, (*Server).appendKeyspaceSection},
}

func infoCmd(c *commands.Ctx) {
	s := cl(c).srv
	want := make(map[string]bool)
	if len(c.Args) == 1 {
		want["default"] = true
	}
	for _, a := range c.Args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	c.W.Verbatim(s.infoString(want), "txt")
}

// infoString renders the selected sections ("default", "all" and
// "everything" select groups). Holds s.mu.
func (s *Server) infoString(want map[string]bool) string {
	all := want["all"] || want["everything"]
	b := &infoBuilder{}
	for _, sec := range infoSections {
		if all || want[sec.name] || (sec.def && want["default"]) {
			sec.gen(s, b)
		}
	}
	return b.sb.String()
}

// Info renders INFO for in-process callers (tests, the sentinel layer).
func (s *Server) Info(sections ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[string]bool{}
	for _, n := range sections {
		want[strings.ToLower(n)] = true
	}
	if len(sections) == 0 {
		want["default"] = true
	}
	return s.infoString(want)
}

// infoBuilder accumulates INFO text.
type infoBuilder struct {
	sb       strings.Builder
	sections int
}

func (b *infoBuilder) section(title string) {
	if b.sections > 0 {
		b.sb.WriteString("\r\n")
	}
	b.sections++
	b.sb.WriteString("# " + title + "\r\n")
}

func (b *infoBuilder) line(l string) { b.sb.WriteString(l + "\r\n") }

func (b *infoBuilder) str(k, v string) { b.line(k + ":" + v) }

func (b *infoBuilder) int(k string, v int64) { b.line(k + ":" + strconv.FormatInt(v, 10)) }

func (b *infoBuilder) fixed2(k string, v float64) {
	b.line(k + ":" + strconv.FormatFloat(v, 'f', 2, 64))
}

// buildID is the fixed build identifier Redoubt reports (also in
// --version).
const buildID = "7d0f1c3a2b4e5f60"

func (s *Server) appendServerSection(b *infoBuilder) {
	now := time.Now()
	up := int64(now.Sub(s.started) / time.Second)
	b.section("Server")
	b.str("redis_version", Version)
	b.str("redis_git_sha1", "00000000")
	b.int("redis_git_dirty", 0)
	b.str("redis_build_id", buildID)
	b.str("redis_mode", "standalone")
	b.str("os", osName())
	b.int("arch_bits", strconv.IntSize)
	b.str("monotonic_clock", "POSIX clock_gettime")
	b.str("multiplexing_api", "epoll")
	b.str("atomicvar_api", "c11-builtin")
	b.str("gcc_version", "0.0.0")
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", s.runID)
	b.int("tcp_port", s.cfg.Int("port"))
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", up)
	b.int("uptime_in_days", up/86400)
	b.int("hz", int64(s.hot.hz))
	b.int("configured_hz", s.cfg.Int("hz"))
	b.int("lru_clock", int64(keyspace.LRUClock(now.UnixMilli())))
	b.str("executable", executablePath)
	b.str("config_file", s.cfg.Path())
	b.int("io_threads_active", 0)
}

// executablePath is argv[0] made absolute against the start directory,
// as Redis reports it.
var executablePath = func() string {
	if len(os.Args) == 0 {
		return ""
	}
	p := os.Args[0]
	if !filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			p = filepath.Join(wd, p)
		}
	}
	return p
}()

// osName is "<kernel> <release> <machine>", as uname reports them.
func osName() string {
	name := strings.ToUpper(runtime.GOOS[:1]) + runtime.GOOS[1:]
	if b, err := os.ReadFile("/proc/sys/kernel/ostype"); err == nil {
		name = strings.TrimSpace(string(b))
	}
	release := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		release = strings.TrimSpace(string(b))
	}
	machine := runtime.GOARCH
	switch machine {
	case "amd64":
		machine = "x86_64"
	case "arm64":
		machine = "aarch64"
	case "386":
		machine = "i686"
	}
	return name + " " + release + " " + machine
}

func (s *Server) appendClientsSection(b *infoBuilder) {
	normal, maxOut, inTimeout := 0, 0, 0
	for _, c := range s.clients {
		if c.flags&flagReplica == 0 {
			normal++
		}
		if n := len(c.w.Buf); n > maxOut {
			maxOut = n
		}
		if c.blocked != nil && c.blocked.deadline > 0 {
			inTimeout++
		}
	}
	b.section("Clients")
	b.int("connected_clients", int64(normal))
	b.int("cluster_connections", 0)
	b.int("maxclients", int64(s.hot.maxClients))
	b.int("client_recent_max_input_buffer", 0)
	b.int("client_recent_max_output_buffer", int64(maxOut))
	b.int("blocked_clients", int64(s.block.count))
	b.int("tracking_clients", 0)
	b.int("clients_in_timeout_table", int64(inTimeout))
}

func (s *Server) appendPersistenceSection(b *infoBuilder) {
	a := &s.admin
	b.section("Persistence")
	loading := int64(0)
	if s.ks.Loading {
		loading = 1
	}
	b.int("loading", loading)
	for _, k := range []string{"async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age"} {
		b.int(k, 0)
	}
	b.fixed2("current_fork_perc", 0)
	b.int("current_save_keys_processed", 0)
	b.int("current_save_keys_total", 0)
	inProgress, status, lastSecs, curSecs, saves := s.persistInfo()
	b.int("rdb_changes_since_last_save", s.dirty-a.dirtyAtSave)
	b.int("rdb_bgsave_in_progress", inProgress)
	b.int("rdb_last_save_time", a.lastSave)
	b.str("rdb_last_bgsave_status", status)
	b.int("rdb_last_bgsave_time_sec", lastSecs)
	b.int("rdb_current_bgsave_time_sec", curSecs)
	b.int("rdb_saves", saves)
	b.int("rdb_last_cow_size", 0)
	b.int("rdb_last_load_keys_expired", s.persistLoad.keysExpired)
	b.int("rdb_last_load_keys_loaded", s.persistLoad.keysLoaded)
	b.int("aof_enabled", 0)
	b.int("aof_rewrite_in_progress", 0)
	b.int("aof_rewrite_scheduled", 0)
	b.int("aof_last_rewrite_time_sec", -1)
	b.int("aof_current_rewrite_time_sec", -1)
	b.str("aof_last_bgrewrite_status", "ok")
	b.int("aof_rewrites", 0)
	b.int("aof_rewrites_consecutive_failures", 0)
	b.str("aof_last_write_status", "ok")
	b.int("aof_last_cow_size", 0)
	b.int("module_fork_in_progress", 0)
	b.int("module_fork_last_cow_size", 0)
}

// appendReplicationSection gives the master form; a replica gets the
// replica fields from its configuration (the link state is reported
// down until the replication layer supplies it).
func (s *Server) appendReplicationSection(b *infoBuilder) {
	b.section("Replication")
	if s.ks.Replica {
		s.appendReplicaInfo(b)
	} else {
		b.str("role", "master")
	}
	s.appendReplMasterInfo(b)
}

func boolInt(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

func (s *Server) appendCPUSection(b *infoBuilder) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) string {
		return strconv.FormatInt(int64(t.Sec), 10) + "." + leftPad(strconv.FormatInt(int64(t.Usec), 10), 6)
	}
	b.section("CPU")
	b.str("used_cpu_sys", tv(self.Stime))
	b.str("used_cpu_user", tv(self.Utime))
	b.str("used_cpu_sys_children", tv(children.Stime))
	b.str("used_cpu_user_children", tv(children.Utime))
	// There is no single main thread in Redoubt: the process figures
	// are given for it too.
	b.str("used_cpu_sys_main_thread", tv(self.Stime))
	b.str("used_cpu_user_main_thread", tv(self.Utime))
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// appendKeyspaceSection lists the non-empty databases.
func (s *Server) appendKeyspaceSection(b *infoBuilder) {
	b.section("Keyspace")
	for _, db := range s.ks.DBs {
		n := db.Len()
		if n == 0 {
			continue
		}
		b.line("db" + strconv.Itoa(db.ID) + ":keys=" + strconv.Itoa(n) + ",expires=" + strconv.Itoa(db.ExpiresLen()) +
			",avg_ttl=" + strconv.FormatInt(db.AvgTTL, 10))
	}
}
