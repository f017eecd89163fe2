package server

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/config"
	"redoubt/internal/testutil"
)

func TestTimeLastsaveRole(t *testing.T) {
	s, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	r := c.Do("TIME")
	m := regexp.MustCompile(`^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$`).FindStringSubmatch(r)
	if m == nil {
		t.Fatalf("TIME = %q", r)
	}
	sec, _ := strconv.ParseInt(m[1], 10, 64)
	usec, _ := strconv.ParseInt(m[2], 10, 64)
	if d := time.Since(time.Unix(sec, usec*1000)); d < 0 || d > time.Minute || usec >= 1e6 {
		t.Fatalf("TIME %d.%06d is off by %v", sec, usec, d)
	}
	expectReply(t, c, ":"+strconv.FormatInt(s.started.Unix(), 10)+"\r\n", "LASTSAVE")
	expectReply(t, c, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n", "ROLE")
	expectReply(t, c, "-ERR wrong number of arguments for 'time' command\r\n", "TIME", "x")
	// The offset follows the replication stream.
	tapStream(s)
	c.Do("SET", "k", "v")
	s.Lock()
	off := s.stream.Offset
	s.Unlock()
	expectReply(t, c, "*3\r\n$6\r\nmaster\r\n:"+strconv.FormatInt(off, 10)+"\r\n*0\r\n", "ROLE")
	if infoOf(t, c, "replication")["master_repl_offset"] != strconv.FormatInt(off, 10) || off == 0 {
		t.Fatalf("master_repl_offset does not follow the stream (offset %d)", off)
	}
}

func TestLolwut(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	expectReply(t, c, "$18\r\nRedis ver. 7.0.15\n\r\n", "LOLWUT")
	expectReply(t, c, "$18\r\nRedis ver. 7.0.15\n\r\n", "LOLWUT", "VERSION", "7")
	expectReply(t, c, "-ERR value is not an integer or out of range\r\n", "LOLWUT", "VERSION", "x")
	expectReply(t, c, "$70\r\n\xe2\xa0\x8b\n\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n\r\n", "LOLWUT", "VERSION", "5", "1", "1", "1")
	art := bulkBody(t, c.Do("LOLWUT", "VERSION", "5"))
	lines := strings.Split(art, "\n")
	// 66 columns of braille, rows for 12 squares, then the caption.
	if len([]rune(lines[0])) != 66 || !strings.HasSuffix(art, "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. 7.0.15\n") {
		t.Fatalf("schotter:\n%s", art)
	}
	c.Do("HELLO", "3")
	expectReply(t, c, "=22\r\ntxt:Redis ver. 7.0.15\n\r\n", "LOLWUT")
}

func TestShutdownArguments(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	for _, args := range [][]string{{"SHUTDOWN", "foo"}, {"SHUTDOWN", "NOW", "ABORT"}, {"SHUTDOWN", "SAVE", "NOSAVE"}, {"SHUTDOWN", "ABORT", "FORCE"}} {
		expectReply(t, c, "-ERR syntax error\r\n", args...)
	}
	expectReply(t, c, "-ERR No shutdown in progress.\r\n", "SHUTDOWN", "ABORT")
	c.Do("MULTI")
	expectReply(t, c, "-ERR Command not allowed inside a transaction\r\n", "SHUTDOWN")
	c.Do("DISCARD")
}

// SHUTDOWN answers what came before it, then the connection closes and
// Serve returns; the hooks see the flags.
func TestShutdown(t *testing.T) {
	cfg := config.New()
	port := testutil.FreePort(t)
	if err := cfg.LoadArgs([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", ""}); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Config: cfg, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	var sawNoSave bool
	s.beforeShutdown = append(s.beforeShutdown, func() { sawNoSave, _, _, _ = s.ShutdownRequest() })
	done := make(chan struct{})
	go func() { s.Serve(context.Background()); close(done) }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := testutil.Dial(t, addr)
	c.Send(append(testutil.Encode("SET", "a", "1"), testutil.Encode("SHUTDOWN", "NOSAVE", "NOW")...))
	if r, _ := c.ReadReply(2 * time.Second); r != "+OK\r\n" {
		t.Fatalf("reply before SHUTDOWN = %q", r)
	}
	if r, err := c.ReadReply(2 * time.Second); err == nil {
		t.Fatalf("SHUTDOWN replied %q instead of closing", r)
	}
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return after SHUTDOWN")
	}
	if !sawNoSave {
		t.Fatal("shutdown hook did not see NOSAVE")
	}
	if _, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		t.Fatal("still listening after SHUTDOWN")
	}
}

func TestShutdownRefusedByHook(t *testing.T) {
	s, addr := startInProcess(t)
	s.Lock()
	s.admin.prepareShutdown = func(f shutdownFlags) error {
		if f.force {
			return nil
		}
		return context.Canceled
	}
	s.Unlock()
	c := testutil.Dial(t, addr)
	expectReply(t, c, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", "SHUTDOWN")
	expectReply(t, c, "+PONG\r\n", "PING")
}
