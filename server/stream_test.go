package server

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redoubt/internal/config"
	"redoubt/internal/testutil"
	"redoubt/replication"
)

// startInProcess runs a server inside the test process.
func startInProcess(t *testing.T, args ...string) (*Server, string) {
	t.Helper()
	cfg := config.New()
	port := testutil.FreePort(t)
	all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", ""}, args...)
	if err := cfg.LoadArgs(all); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, "127.0.0.1:" + strconv.Itoa(port)
}

// streamRecorder collects the replication stream as commands.
type streamRecorder struct {
	mu  sync.Mutex
	buf []byte
}

func (r *streamRecorder) Write(p []byte) {
	r.mu.Lock()
	r.buf = append(r.buf, p...)
	r.mu.Unlock()
}

// commands decodes the recorded bytes into space-joined commands.
func (r *streamRecorder) commands(t *testing.T) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	rest := string(r.buf)
	for len(rest) > 0 {
		if rest[0] != '*' {
			t.Fatalf("stream not framed as arrays: %q", rest)
		}
		i := strings.Index(rest, "\r\n")
		n, _ := strconv.Atoi(rest[1:i])
		rest = rest[i+2:]
		var parts []string
		for k := 0; k < n; k++ {
			j := strings.Index(rest, "\r\n")
			l, _ := strconv.Atoi(rest[1:j])
			parts = append(parts, rest[j+2:j+2+l])
			rest = rest[j+2+l+2:]
		}
		out = append(out, strings.Join(parts, " "))
	}
	r.buf = r.buf[:0]
	return out
}

func tapStream(s *Server) *streamRecorder {
	rec := &streamRecorder{}
	s.Lock()
	s.Stream().AddTap(rec)
	s.Unlock()
	return rec
}

func expectStream(t *testing.T, rec *streamRecorder, want ...string) {
	t.Helper()
	got := rec.commands(t)
	if len(got) != len(want) {
		t.Fatalf("stream %q, want %q", got, want)
	}
	for i := range want {
		if ok, _ := regexp.MatchString("^"+want[i]+"$", got[i]); !ok {
			t.Fatalf("stream[%d] = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

// The stream records writes in execution order, with SELECT when the
// database changes and Redis 7.0's MULTI/EXEC wrapping rule.
func TestStreamSelectAndMultiWrapping(t *testing.T) {
	s, addr := startInProcess(t)
	rec := tapStream(s)
	c := testutil.Dial(t, addr)
	c.Do("SET", "k", "v")
	c.Do("GET", "k")
	expectStream(t, rec, "SELECT 0", "SET k v")
	c.Do("SELECT", "1")
	c.Do("SET", "a", "1")
	expectStream(t, rec, "SELECT 1", "SET a 1")
	// One write inside MULTI goes out bare.
	c.Do("MULTI")
	c.Do("SET", "m1", "1")
	c.Do("GET", "m1")
	c.Do("EXEC")
	expectStream(t, rec, "SET m1 1")
	// Several are wrapped, MULTI in the db of the first.
	c.Do("MULTI")
	c.Do("SET", "a", "2")
	c.Do("SELECT", "2")
	c.Do("SET", "b", "3")
	c.Do("EXEC")
	expectStream(t, rec, "MULTI", "SET a 2", "SELECT 2", "SET b 3", "EXEC")
	// Read-only transactions and no-op writes propagate nothing.
	c.Do("MULTI")
	c.Do("GET", "a")
	c.Do("EXEC")
	c.Do("PUBLISH", "ch", "hello")
	expectStream(t, rec, "PUBLISH ch hello")
}

// Relative expiry is propagated as absolute time, lazily expired keys as
// DEL, and a write to an expired key wraps the DEL with it.
func TestStreamRewritesExpiry(t *testing.T) {
	s, addr := startInProcess(t)
	rec := tapStream(s)
	c := testutil.Dial(t, addr)
	before := time.Now().UnixMilli()
	c.Do("SET", "y", "2", "EX", "100")
	got := rec.commands(t)
	if len(got) != 2 || !strings.HasPrefix(got[1], "SET y 2 PXAT ") {
		t.Fatalf("stream %q", got)
	}
	at, _ := strconv.ParseInt(strings.TrimPrefix(got[1], "SET y 2 PXAT "), 10, 64)
	if at < before+100000 || at > time.Now().UnixMilli()+100000 {
		t.Fatalf("PXAT %d not 100 s ahead", at)
	}
	c.Do("SET", "x", "1", "PX", "1")
	c.Do("SET", "inc", "5", "PX", "1")
	rec.commands(t)
	time.Sleep(20 * time.Millisecond)
	s.Lock() // keep the active cycle from winning the race
	s.Unlock()
	if r := c.Do("GET", "x"); r != "$-1\r\n" {
		t.Fatalf("expired key read as %q", r)
	}
	c.Do("INCR", "inc")
	cmds := rec.commands(t)
	// The active cycle may have removed the keys first; then its DELs are
	// bare and INCR is bare.
	joined := strings.Join(cmds, "|")
	if joined != "DEL x|MULTI|DEL inc|INCR inc|EXEC" && joined != "DEL x|DEL inc|INCR inc" && joined != "DEL inc|DEL x|INCR inc" {
		t.Fatalf("stream %q", cmds)
	}
}

var _ = replication.NewStream
