// Command rdb benchmarks RDB persistence and full sync of Redoubt side by
// side with the real redis-server, in one run:
//
//	go build -o bin/redoubt ./cmd/redoubt && go run ./tests/bench/rdb -n 1000000
//
// For each server kind it fills N keys of mixed types (60% 100-byte
// strings, a seventh of them with a TTL; 10% each hashes, lists, sets and
// sorted sets of 8 elements), then measures:
//   - SAVE: the round trip of the SAVE command;
//   - load: a restart on the saved file, from process start to the first
//     +PONG (and the server's own "DB loaded from disk" figure);
//   - RSS after load (VmRSS, after a short settle);
//   - full sync: a fresh empty replica of the same kind, from REPLICAOF to
//     master_link_status:up (masters use repl-diskless-sync-delay 0; -disk
//     selects disk-style transfer instead of diskless; -load sets the
//     replica's repl-diskless-load);
//   - BGSAVE under load (-bgsave): SET latency p50/p99/max and throughput
//     from W clients while BGSAVE runs, and the master's peak RSS growth
//     (for Redis the forked child's copy-on-write figure from its log).
//
// Wall times on a shared machine are noisy, so SAVE, load and full sync
// also report the CPU seconds the server processes used (Redis's forked
// children included). -profile P writes Redoubt's CPU profiles to
// P-master.prof and P-replica.prof. It prints every figure and the
// Redoubt/Redis ratio.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	nKeys    = flag.Int("n", 1000000, "keys to fill")
	redoubt  = flag.String("redoubt", "bin/redoubt", "redoubt binary")
	redisBin = flag.String("redis", "redis-server", "redis-server binary")
	only     = flag.String("only", "", "run only this kind (redis or redoubt)")
	disk     = flag.Bool("disk", false, "disk-style full sync instead of diskless")
	load     = flag.String("load", "disabled", "repl-diskless-load of the replicas (disabled, on-empty-db, swapdb)")
	bgsave   = flag.Bool("bgsave", true, "measure write latency and memory during BGSAVE")
	writers  = flag.Int("w", 8, "writer clients during BGSAVE")
	keep     = flag.Bool("keep", false, "keep the work directory")
	profile  = flag.String("profile", "", "REDOUBT_CPUPROFILE prefix for redoubt processes")
)

type result struct {
	fillSecs, saveSecs, loadSecs, loadLog, syncSecs float64
	fileMB, rssFillMB, rssLoadMB, replRSSMB         float64
	// CPU seconds (user+sys) of the server processes: less sensitive
	// than wall time to other load on the machine.
	saveCPU, loadCPU, syncCPU float64
	bg                        bgResult
}

type bgResult struct {
	secs, opsPerSec, p50, p99, max float64 // ms for latencies
	baseOps, baseP99               float64 // the second before BGSAVE
	peakExtraMB, baseMB            float64
	cowLog                         string
}

func main() {
	flag.Parse()
	work, err := os.MkdirTemp("", "rdbbench-")
	must(err)
	if !*keep {
		defer os.RemoveAll(work)
	}
	fmt.Printf("work dir %s, %d keys, %s full sync\n", work, *nKeys, map[bool]string{true: "disk", false: "diskless"}[*disk])
	res := map[string]*result{}
	for _, kind := range []string{"redis", "redoubt"} {
		if *only != "" && *only != kind {
			continue
		}
		dir := filepath.Join(work, kind)
		must(os.MkdirAll(dir, 0o755))
		res[kind] = run(kind, dir)
	}
	report(res)
}

// server is one child process.
type server struct {
	kind, dir, log string
	port           int
	cmd            *exec.Cmd
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func start(kind, dir, name string, extra ...string) *server {
	s := &server{kind: kind, dir: dir, port: freePort(), log: filepath.Join(dir, name+".log")}
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--dbfilename", name + ".rdb",
		"--repl-diskless-sync", map[bool]string{true: "no", false: "yes"}[*disk],
		"--repl-diskless-sync-delay", "0"}
	args = append(args, extra...)
	var c *exec.Cmd
	if kind == "redis" {
		c = exec.Command(*redisBin, args...)
	} else {
		c = exec.Command(*redoubt, append([]string{"server"}, args...)...)
		if *profile != "" {
			c.Env = append(os.Environ(), "REDOUBT_CPUPROFILE="+*profile+"-"+name+".prof")
		}
	}
	f, err := os.Create(s.log)
	must(err)
	c.Stdout, c.Stderr = f, f
	must(c.Start())
	s.cmd = c
	return s
}

// waitPong polls PING until +PONG (Redis answers -LOADING while loading).
func (s *server) waitPong(limit time.Duration) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.port), time.Second); err == nil {
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			conn.Write([]byte("PING\r\n"))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, "+PONG") {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	panic(s.kind + " did not answer PING; see " + s.log)
}

func (s *server) stop() {
	if c, err := dial(s.port); err == nil {
		c.do("SHUTDOWN", "NOSAVE")
		c.conn.Close()
	}
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) rssMB() float64 { return rssMB(s.cmd.Process.Pid) }

// cpu is the process's user+system CPU time in seconds, its reaped
// children's included.
func (s *server) cpu() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	// utime, stime, and those of reaped children (Redis's fork).
	sum := 0.0
	for _, x := range f[11:15] {
		v, _ := strconv.ParseFloat(x, 64)
		sum += v
	}
	return sum / 100
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func run(kind, dir string) *result {
	r := &result{}
	fmt.Printf("\n== %s\n", kind)
	m := start(kind, dir, "master")
	m.waitPong(10 * time.Second)
	t := time.Now()
	fill(m.port, *nKeys)
	r.fillSecs = time.Since(t).Seconds()
	time.Sleep(time.Second)
	r.rssFillMB = m.rssMB()
	fmt.Printf("filled in %.2fs, RSS %.0f MB\n", r.fillSecs, r.rssFillMB)
	c, err := dial(m.port)
	must(err)
	t = time.Now()
	cpu0 := m.cpu()
	c.must("SAVE")
	r.saveSecs = time.Since(t).Seconds()
	r.saveCPU = m.cpu() - cpu0
	st, err := os.Stat(filepath.Join(dir, "master.rdb"))
	must(err)
	r.fileMB = float64(st.Size()) / (1 << 20)
	fmt.Printf("SAVE %.3fs (CPU %.2fs), file %.1f MB\n", r.saveSecs, r.saveCPU, r.fileMB)
	c.conn.Close()
	m.stop()

	t = time.Now()
	m = start(kind, dir, "master")
	m.waitPong(10 * time.Minute)
	r.loadSecs = time.Since(t).Seconds()
	r.loadCPU = m.cpu()
	r.loadLog = logSeconds(m.log, `DB loaded from disk: ([0-9.]+) seconds`)
	time.Sleep(2 * time.Second)
	r.rssLoadMB = m.rssMB()
	fmt.Printf("load %.3fs to first PONG (log: %.3fs, CPU %.2fs), RSS %.0f MB\n", r.loadSecs, r.loadLog, r.loadCPU, r.rssLoadMB)

	rdir := filepath.Join(dir, "replica")
	must(os.MkdirAll(rdir, 0o755))
	rep := start(kind, rdir, "replica", "--repl-diskless-load", *load)
	rep.waitPong(10 * time.Second)
	rc, err := dial(rep.port)
	must(err)
	t = time.Now()
	cpuM, cpuR := m.cpu(), rep.cpu()
	rc.must("REPLICAOF", "127.0.0.1", strconv.Itoa(m.port))
	for !strings.Contains(rc.must("INFO", "replication"), "master_link_status:up") {
		time.Sleep(5 * time.Millisecond)
	}
	r.syncSecs = time.Since(t).Seconds()
	r.syncCPU = m.cpu() - cpuM + rep.cpu() - cpuR
	time.Sleep(time.Second)
	r.replRSSMB = rep.rssMB()
	fmt.Printf("full sync %.3fs (CPU %.2fs), replica RSS %.0f MB\n", r.syncSecs, r.syncCPU, r.replRSSMB)
	rc.conn.Close()
	rep.stop()

	if *bgsave {
		r.bg = bgsaveUnderLoad(m)
		fmt.Printf("BGSAVE %.2fs under load: %.0f SET/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, peak RSS +%.0f MB over %.0f MB %s\n",
			r.bg.secs, r.bg.opsPerSec, r.bg.p50, r.bg.p99, r.bg.max, r.bg.peakExtraMB, r.bg.baseMB, r.bg.cowLog)
	}
	m.stop()
	return r
}

func logSeconds(path, re string) float64 {
	b, _ := os.ReadFile(path)
	if m := regexp.MustCompile(re).FindSubmatch(b); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	return -1
}

// fill writes n keys of mixed types through a few pipelined connections.
func fill(port, n int) {
	const conns = 4
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := dial(port)
			must(err)
			defer c.conn.Close()
			val := strings.Repeat("v", 100)
			short := strings.Repeat("e", 16)
			var buf []byte
			pending := 0
			flush := func() {
				_, err := c.conn.Write(buf)
				must(err)
				buf = buf[:0]
				for ; pending > 0; pending-- {
					line, err := c.rd.ReadString('\n')
					must(err)
					if line[0] == '-' {
						panic("fill: " + line)
					}
				}
			}
			for i := w; i < n; i += conns {
				k := "key:" + strconv.Itoa(i)
				switch i % 10 {
				case 6:
					a := []string{"HSET", k}
					for j := 0; j < 8; j++ {
						a = append(a, "field:"+strconv.Itoa(j), short+strconv.Itoa(i))
					}
					buf = appendCmd(buf, a...)
				case 7:
					a := []string{"RPUSH", k}
					for j := 0; j < 8; j++ {
						a = append(a, short+strconv.Itoa(i*8+j))
					}
					buf = appendCmd(buf, a...)
				case 8:
					a := []string{"SADD", k}
					for j := 0; j < 8; j++ {
						if i%20 == 8 {
							a = append(a, strconv.Itoa(i*8+j))
						} else {
							a = append(a, "m"+short+strconv.Itoa(i*8+j))
						}
					}
					buf = appendCmd(buf, a...)
				case 9:
					a := []string{"ZADD", k}
					for j := 0; j < 8; j++ {
						a = append(a, strconv.FormatFloat(float64(i)/7+float64(j), 'g', -1, 64), "z"+short+strconv.Itoa(j))
					}
					buf = appendCmd(buf, a...)
				default:
					if i%7 == 0 {
						buf = appendCmd(buf, "SET", k, val, "EX", "1000000")
					} else {
						buf = appendCmd(buf, "SET", k, val)
					}
				}
				if pending++; pending == 1000 {
					flush()
				}
			}
			flush()
		}(w)
	}
	wg.Wait()
}

// bgsaveUnderLoad runs W writer clients (SET of 100-byte values on
// random existing string keys), starts BGSAVE once they run, and records
// latencies and the master's RSS until the save is over.
func bgsaveUnderLoad(m *server) bgResult {
	var res bgResult
	var stop atomic.Bool
	var measuring atomic.Bool
	lats := make([][]time.Duration, *writers)
	var wg sync.WaitGroup
	for w := 0; w < *writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := dial(m.port)
			must(err)
			defer c.conn.Close()
			rnd := rand.New(rand.NewSource(int64(w)))
			val := strings.Repeat("x", 100)
			var buf []byte
			for !stop.Load() {
				k := "key:" + strconv.Itoa(rnd.Intn(*nKeys/10)*10)
				buf = appendCmd(buf[:0], "SET", k, val)
				t := time.Now()
				_, err := c.conn.Write(buf)
				must(err)
				_, err = c.rd.ReadString('\n')
				must(err)
				if measuring.Load() {
					lats[w] = append(lats[w], time.Since(t))
				}
			}
		}(w)
	}
	time.Sleep(500 * time.Millisecond)
	measuring.Store(true)
	time.Sleep(time.Second)
	measuring.Store(false)
	time.Sleep(50 * time.Millisecond)
	var base []time.Duration
	for w := range lats {
		base = append(base, lats[w]...)
		lats[w] = lats[w][:0]
	}
	sort.Slice(base, func(i, j int) bool { return base[i] < base[j] })
	if len(base) > 0 {
		res.baseOps = float64(len(base))
		res.baseP99 = float64(base[len(base)*99/100].Microseconds()) / 1000
	}
	res.baseMB = m.rssMB()
	c, err := dial(m.port)
	must(err)
	defer c.conn.Close()
	measuring.Store(true)
	t := time.Now()
	c.must("BGSAVE")
	peak := res.baseMB
	for {
		if r := m.rssMB(); r > peak {
			peak = r
		}
		if strings.Contains(c.must("INFO", "persistence"), "rdb_bgsave_in_progress:0") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.secs = time.Since(t).Seconds()
	measuring.Store(false)
	stop.Store(true)
	wg.Wait()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	res.opsPerSec = float64(len(all)) / res.secs
	res.p50, res.p99, res.max = pct(0.5), pct(0.99), pct(1)
	res.peakExtraMB = peak - res.baseMB
	if m.kind == "redis" {
		time.Sleep(200 * time.Millisecond)
		b, _ := os.ReadFile(m.log)
		// Redis 7.0 logs this from the child (at verbose level).
		if mm := regexp.MustCompile(`Fork CoW for RDB: current \d+ MB, peak (\d+ MB)`).FindAllSubmatch(b, -1); mm != nil {
			res.cowLog = "(child copy-on-write peak " + string(mm[len(mm)-1][1]) + ")"
		}
	}
	return res
}

func report(res map[string]*result) {
	a, b := res["redis"], res["redoubt"]
	if a == nil || b == nil {
		return
	}
	fmt.Printf("\n%-36s %12s %12s %8s\n", "metric", "redis", "redoubt", "ratio")
	row := func(name string, x, y float64) {
		ratio := 0.0
		if x != 0 {
			ratio = y / x
		}
		fmt.Printf("%-36s %12.3f %12.3f %8.2f\n", name, x, y, ratio)
	}
	row("fill (s)", a.fillSecs, b.fillSecs)
	row("RSS after fill (MB)", a.rssFillMB, b.rssFillMB)
	row("SAVE (s)", a.saveSecs, b.saveSecs)
	row("SAVE, server CPU (s)", a.saveCPU, b.saveCPU)
	row("RDB file (MB)", a.fileMB, b.fileMB)
	row("load, start to PONG (s)", a.loadSecs, b.loadSecs)
	row("load, server log (s)", a.loadLog, b.loadLog)
	row("load, CPU at first PONG (s)", a.loadCPU, b.loadCPU)
	row("RSS after load (MB)", a.rssLoadMB, b.rssLoadMB)
	row("full sync, REPLICAOF to up (s)", a.syncSecs, b.syncSecs)
	row("full sync, master+replica CPU (s)", a.syncCPU, b.syncCPU)
	row("replica RSS after sync (MB)", a.replRSSMB, b.replRSSMB)
	if *bgsave {
		row("SET/s before BGSAVE", a.bg.baseOps, b.bg.baseOps)
		row("SET p99 before BGSAVE (ms)", a.bg.baseP99, b.bg.baseP99)
		row("BGSAVE under load (s)", a.bg.secs, b.bg.secs)
		row("SET/s during BGSAVE", a.bg.opsPerSec, b.bg.opsPerSec)
		row("SET p50 during BGSAVE (ms)", a.bg.p50, b.bg.p50)
		row("SET p99 during BGSAVE (ms)", a.bg.p99, b.bg.p99)
		row("SET max during BGSAVE (ms)", a.bg.max, b.bg.max)
		row("master peak RSS growth (MB)", a.bg.peakExtraMB, b.bg.peakExtraMB)
		fmt.Printf("redis BGSAVE child: %s\n", a.bg.cowLog)
	}
}

// client is a minimal RESP client.
type client struct {
	conn net.Conn
	rd   *bufio.Reader
}

func dial(port int) (*client, error) {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{conn: conn, rd: bufio.NewReaderSize(conn, 64<<10)}, nil
}

func appendCmd(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// do sends one command and returns a simple/error line or a bulk body.
func (c *client) do(args ...string) (string, error) {
	if _, err := c.conn.Write(appendCmd(nil, args...)); err != nil {
		return "", err
	}
	line, err := c.rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line[0] == '$' {
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(c.rd, b); err != nil {
			return "", err
		}
		return string(b[:n]), nil
	}
	if line[0] == '-' {
		return "", fmt.Errorf("%s", line)
	}
	return line, nil
}

func (c *client) must(args ...string) string {
	s, err := c.do(args...)
	must(err)
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
