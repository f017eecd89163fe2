package config

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests compare the package with a real redis-server when one is
// installed. They start their own server on a free loopback port.

type respConn struct {
	c net.Conn
	r *bufio.Reader
}

// startRedis launches redis-server and returns a connection to it.
func startRedis(t *testing.T) *respConn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not found on PATH: " + err.Error())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("cannot reserve a loopback port: " + err.Error())
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--save", "", "--bind", "127.0.0.1")
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start redis-server: " + err.Error())
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			rc := &respConn{c: c, r: bufio.NewReader(c)}
			t.Cleanup(func() { c.Close() })
			return rc
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// do sends a command and reads one reply: a string for simple strings,
// bulk strings and errors (errors prefixed with "-"), or a []any.
func (rc *respConn) do(t *testing.T, args ...string) any {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	_ = rc.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	v, err := rc.read()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (rc *respConn) read() (any, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return line, nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(rc.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*', '%':
		n, _ := strconv.Atoi(line[1:])
		if line[0] == '%' {
			n *= 2
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := rc.read()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (rc *respConn) configGet(t *testing.T, pattern string) map[string]string {
	t.Helper()
	arr, ok := rc.do(t, "CONFIG", "GET", pattern).([]any)
	if !ok {
		t.Fatalf("CONFIG GET %s: unexpected reply", pattern)
	}
	m := make(map[string]string)
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		v, _ := arr[i+1].(string)
		m[k] = v
	}
	return m
}

func TestDefaultsMatchRedis(t *testing.T) {
	rc := startRedis(t)
	theirs := rc.configGet(t, "*")
	c := New()
	c.SetChdir(false)
	ours := make(map[string]string)
	for _, p := range c.Get("*") {
		ours[p[0]] = p[1]
	}
	// Values that depend on how or where the reference server was started.
	skip := map[string]bool{
		"dir":  true, // working directory of the process
		"port": true, // chosen at random by the test
		"save": true, // started with --save ""
		"bind": true, // started with --bind 127.0.0.1
	}
	for name, want := range theirs {
		got, ok := ours[name]
		if !ok {
			t.Errorf("%s: missing from our table (redis: %q)", name, want)
			continue
		}
		if !skip[name] && got != want {
			t.Errorf("%s: got %q, redis %q", name, got, want)
		}
	}
	for name := range ours {
		if _, ok := theirs[name]; !ok {
			t.Errorf("%s: CONFIG GET * shows it but redis does not", name)
		}
	}
	// Hidden directives answer exact lookups only.
	for _, d := range Directives() {
		if !d.Hidden {
			continue
		}
		m := rc.configGet(t, d.Name)
		if m[d.Name] != c.String(d.Name) {
			t.Errorf("hidden %s: got %q, redis %q", d.Name, c.String(d.Name), m[d.Name])
		}
	}
}

// TestSetMatchesRedis sends the same CONFIG SET commands to redis-server
// and to a Config and expects identical replies and resulting values.
func TestSetMatchesRedis(t *testing.T) {
	rc := startRedis(t)
	c := New()
	c.SetChdir(false)
	for _, tc := range setCompatCases() {
		args := append([]string{"CONFIG", "SET"}, tc...)
		want, _ := rc.do(t, args...).(string)
		var pairs [][2]string
		for i := 0; i+1 < len(tc); i += 2 {
			pairs = append(pairs, [2]string{tc[i], tc[i+1]})
		}
		got := "OK"
		if err := c.Set(pairs); err != nil {
			got = "-" + err.Error()
		}
		if got != want {
			t.Errorf("CONFIG SET %q: got %q, redis %q", tc, got, want)
			continue
		}
		for _, p := range pairs {
			if p[0] == "dir" || p[0] == "port" {
				continue // differ by construction (see TestDefaultsMatchRedis)
			}
			theirs := rc.configGet(t, p[0])[p[0]]
			if ours := c.String(p[0]); ours != theirs {
				t.Errorf("after CONFIG SET %q: %s = %q, redis %q", tc, p[0], ours, theirs)
			}
		}
	}
}

func setCompatCases() [][]string {
	cases := [][]string{
		{"nosuch", "1"},
		{"hz", "1", "nosuch", "2"},
		{"daemonize", "yes"},
		{"Daemonize", "no"},
		{"dir", "/tmp"},
		{"dbfilename", "x.rdb"},
		{"hz", "5", "HZ", "6"},
		{"lua-time-limit", "100", "busy-reply-threshold", "200"},
		{"SLAVE-PRIORITY", "abc"},
		{"MAXMEMORY", "1x"},
		{"maxmemory", "1GB"},
		{"maxmemory", "kb"},
		{"maxmemory", "17179869184gb"},
		{"maxmemory", "99999999999999999999"},
		{"maxmemory", "0"},
		{"maxmemory-clients", "101%"},
		{"maxmemory-clients", "-1%"},
		{"maxmemory-clients", "50%"},
		{"maxmemory-clients", "18446744073709551615"},
		{"maxmemory-clients", "0"},
		{"hz", "007"}, {"hz", "+1"}, {"hz", "-0"}, {"hz", "0"}, {"hz", "100000"}, {"hz", "10"},
		{"maxclients", "0"}, {"maxclients", "-1"},
		{"activerehashing", "YES"}, {"activerehashing", "1"}, {"activerehashing", "yes"},
		{"activedefrag", "yes"},
		{"maxmemory-policy", "ALLKEYS-LRU"}, {"maxmemory-policy", "lru"}, {"maxmemory-policy", "noeviction"},
		{"oom-score-adj", "relative"}, {"oom-score-adj", "no"},
		{"shutdown-on-sigint", "save nosave"}, {"shutdown-on-sigint", "force now"},
		{"shutdown-on-sigint", ""}, {"shutdown-on-sigint", "default"},
		{"save", "10  2 3"}, {"save", "10 2 "}, {"save", "+10 -0"}, {"save", "0 1"},
		{"save", "99999999999999999999 4294967297"}, {"save", ""},
		{"client-output-buffer-limit", "NORMAL 1k 2kb +3"},
		{"client-output-buffer-limit", "master 1 2 3"},
		{"client-output-buffer-limit", "pubsub 1 2 -1"},
		{"client-output-buffer-limit", "pubsub 1 2"},
		{"client-output-buffer-limit", "replica 1mb 2mb 3 pubsub 4 5 "},
		{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "Kx"},
		{"notify-keyspace-events", "g$lshzxetd"}, {"notify-keyspace-events", "q"},
		{"notify-keyspace-events", ""},
		{"oom-score-adj-values", "1 2 3000"}, {"oom-score-adj-values", "1 2"},
		{"oom-score-adj-values", "+1 2 "}, {"oom-score-adj-values", "0 200 800"},
		{"latency-tracking-info-percentiles", "1e1 0x10 -0"},
		{"latency-tracking-info-percentiles", "nan"},
		{"latency-tracking-info-percentiles", "101"},
		{"latency-tracking-info-percentiles", "99.999999 0.0000001"},
		{"latency-tracking-info-percentiles", ""},
		{"latency-tracking-info-percentiles", "50 99 99.9"},
		{"proc-title-template", "{title}"}, {"proc-title-template", "{nope}"},
		{"proc-title-template", "{{"}, {"proc-title-template", "{title} {listen-addr} {server-mode}"},
		{"cluster-announce-hostname", "a b"}, {"cluster-announce-hostname", ""},
		{"slowlog-log-slower-than", "-2"}, {"slowlog-log-slower-than", "-1"},
		{"slowlog-log-slower-than", "10000"},
		{"list-max-listpack-size", "-2147483649"},
		{"repl-backlog-size", "18446744073709551615"},
		{"proto-max-bulk-len", "1m"},
		{"masterauth", "secret"}, {"masterauth", ""},
		{"replica-announce-ip", "1.2.3.4"}, {"slave-announce-ip", ""},
		{"replicaof", "no one"}, {"slaveof", "no one"},
		{"port", "abc"}, {"port", "70000"},
	}
	// One wrong value per kind for every mutable directive.
	for _, d := range Directives() {
		if d.FileOnly || d.Name == "requirepass" || d.Name == "bind" || d.Name == "port" {
			continue
		}
		cases = append(cases, []string{d.Name, "abc!x"}, []string{d.Name, "-9223372036854775808"})
		if d.Kind != String {
			cases = append(cases, []string{d.Name, d.Default})
		}
	}
	return cases
}
