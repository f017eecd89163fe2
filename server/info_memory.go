package server

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
)

// Memory figures for INFO memory, MEMORY STATS and MEMORY DOCTOR.
//
// Redis measures what its allocator handed out; Redoubt's counterpart is
// the Go heap: "allocated" is the bytes of heap objects, "active" adds
// the unused parts of in-use spans, "resident" is what the runtime holds
// from the OS minus what it released, and the RSS comes from the kernel.
// Overheads (client buffers, key tables) are estimated with Redis's
// formulas so the split between overhead and dataset reads the same way.

// memHealth is one snapshot of the memory figures.
type memHealth struct {
	used, peak, startup, rss      int64
	allocated, active, resident   int64
	clientsNormal, overheadTotal  int64
	dataset, totalKeys, perKey    int64
	datasetPerc, peakPerc         float64
	allocFrag, allocRSS, rssExtra float64
	totalFrag                     float64
	dbs                           []dbOverhead
}

type dbOverhead struct {
	id             int
	main, expires  int64
	keys, nExpires int
}

// runtimeMem reads the Go runtime's heap classes.
func runtimeMem() (objects, unused, total, released int64) {
	ss := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(ss)
	v := func(i int) int64 {
		if ss[i].Value.Kind() == metrics.KindUint64 {
			return int64(ss[i].Value.Uint64())
		}
		return 0
	}
	return v(0), v(1), v(2), v(3)
}

// processRSS is the resident set size from /proc, or the runtime's own
// figure where /proc is missing.
func processRSS(fallback int64) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return fallback
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return fallback
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return fallback
	}
	return pages * int64(os.Getpagesize())
}

// totalSystemMemory is MemTotal from /proc/meminfo (0 when unknown).
func totalSystemMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "MemTotal:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// tableSlots approximates the bucket count of a hash table holding n
// entries: the next power of two, at least 4.
func tableSlots(n int) int64 {
	if n == 0 {
		return 0
	}
	s := int64(4)
	for s < int64(n) {
		s <<= 1
	}
	return s
}

// memoryHealth gathers the figures. Holds s.mu.
func (s *Server) memoryHealth() memHealth {
	var m memHealth
	objects, unused, total, released := runtimeMem()
	m.used = objects
	s.trackPeak(m.used)
	m.peak = s.admin.peakMem
	m.startup = s.admin.startupMem
	m.allocated = objects
	m.active = objects + unused
	m.resident = total - released
	m.rss = processRSS(m.resident)
	for _, c := range s.clients {
		m.clientsNormal += int64(cap(c.w.Buf))
	}
	m.overheadTotal = m.startup + m.clientsNormal
	for _, db := range s.ks.DBs {
		n := db.Len()
		if n == 0 {
			continue
		}
		e := db.ExpiresLen()
		d := dbOverhead{id: db.ID, keys: n, nExpires: e,
			main:    int64(n)*(24+16) + tableSlots(n)*8,
			expires: int64(e)*24 + tableSlots(e)*8}
		m.dbs = append(m.dbs, d)
		m.overheadTotal += d.main + d.expires
		m.totalKeys += int64(n)
	}
	m.dataset = m.used - m.overheadTotal
	if m.dataset < 0 {
		m.dataset = 0
	}
	net := int64(1)
	if m.used > m.startup {
		net = m.used - m.startup
	}
	m.datasetPerc = float64(float32(float64(m.dataset) * 100 / float64(net)))
	if m.totalKeys > 0 {
		m.perKey = net / m.totalKeys
	}
	m.peakPerc = float64(float32(float64(m.used) * 100 / float64(max(m.peak, 1))))
	m.allocFrag = ratio32(m.active, m.allocated)
	m.allocRSS = ratio32(m.resident, m.active)
	m.rssExtra = ratio32(m.rss, m.resident)
	m.totalFrag = ratio32(m.rss, m.used)
	return m
}

func ratio32(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(float32(float64(a) / float64(b)))
}

// bytesToHuman formats n with Redis's B/K/M/G/T/P suffixes.
func bytesToHuman(n int64) string {
	if n < 0 {
		return "-" + bytesToHuman(-n)
	}
	const k = 1024
	units := []struct {
		limit float64
		div   float64
		sfx   string
	}{{k * k, k, "K"}, {k * k * k, k * k, "M"}, {k * k * k * k, k * k * k, "G"},
		{k * k * k * k * k, k * k * k * k, "T"}, {k * k * k * k * k * k, k * k * k * k * k, "P"}}
	if n < k {
		return strconv.FormatInt(n, 10) + "B"
	}
	for _, u := range units {
		if float64(n) < u.limit {
			return strconv.FormatFloat(float64(n)/u.div, 'f', 2, 64) + u.sfx
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// Figures of the scripting engines of an idle Redis 7.0 (Redoubt keeps
// no Lua state; these are what a server with nothing loaded reports).
const (
	idleLuaMemory       = 32768
	idleFunctionsVM     = 33792
	idleFunctionsMemory = 200
)

func (s *Server) appendMemorySection(b *infoBuilder) {
	m := s.memoryHealth()
	sys := totalSystemMemory()
	maxmem := s.hot.maxmemory
	b.section("Memory")
	b.int("used_memory", m.used)
	b.str("used_memory_human", bytesToHuman(m.used))
	b.int("used_memory_rss", m.rss)
	b.str("used_memory_rss_human", bytesToHuman(m.rss))
	b.int("used_memory_peak", m.peak)
	b.str("used_memory_peak_human", bytesToHuman(m.peak))
	b.str("used_memory_peak_perc", strconv.FormatFloat(m.peakPerc, 'f', 2, 64)+"%")
	b.int("used_memory_overhead", m.overheadTotal)
	b.int("used_memory_startup", m.startup)
	b.int("used_memory_dataset", m.dataset)
	b.str("used_memory_dataset_perc", strconv.FormatFloat(m.datasetPerc, 'f', 2, 64)+"%")
	b.int("allocator_allocated", m.allocated)
	b.int("allocator_active", m.active)
	b.int("allocator_resident", m.resident)
	b.int("total_system_memory", sys)
	b.str("total_system_memory_human", bytesToHuman(sys))
	b.int("used_memory_lua", idleLuaMemory)
	b.int("used_memory_vm_eval", idleLuaMemory)
	b.str("used_memory_lua_human", bytesToHuman(idleLuaMemory))
	b.int("used_memory_scripts_eval", 0)
	b.int("number_of_cached_scripts", 0)
	b.int("number_of_functions", 0)
	b.int("number_of_libraries", 0)
	b.int("used_memory_vm_functions", idleFunctionsVM)
	b.int("used_memory_vm_total", idleLuaMemory+idleFunctionsVM)
	b.str("used_memory_vm_total_human", bytesToHuman(idleLuaMemory+idleFunctionsVM))
	b.int("used_memory_functions", idleFunctionsMemory)
	b.int("used_memory_scripts", idleFunctionsMemory)
	b.str("used_memory_scripts_human", bytesToHuman(idleFunctionsMemory))
	b.int("maxmemory", maxmem)
	b.str("maxmemory_human", bytesToHuman(maxmem))
	b.str("maxmemory_policy", s.cfg.String("maxmemory-policy"))
	b.fixed2("allocator_frag_ratio", m.allocFrag)
	b.int("allocator_frag_bytes", m.active-m.allocated)
	b.fixed2("allocator_rss_ratio", m.allocRSS)
	b.int("allocator_rss_bytes", m.resident-m.active)
	b.fixed2("rss_overhead_ratio", m.rssExtra)
	b.int("rss_overhead_bytes", m.rss-m.resident)
	b.fixed2("mem_fragmentation_ratio", m.totalFrag)
	b.int("mem_fragmentation_bytes", m.rss-m.used)
	b.int("mem_not_counted_for_evict", 0)
	b.int("mem_replication_backlog", 0)
	b.int("mem_total_replication_buffers", 0)
	b.int("mem_clients_slaves", 0)
	b.int("mem_clients_normal", m.clientsNormal)
	b.int("mem_cluster_links", 0)
	b.int("mem_aof_buffer", 0)
	b.str("mem_allocator", "libc")
	b.int("active_defrag_running", 0)
	b.int("lazyfree_pending_objects", 0)
	b.int("lazyfreed_objects", 0)
}
