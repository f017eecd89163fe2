package sentinel

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// apiLog collects log lines for assertions.
type apiLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *apiLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *apiLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r.Level.String()+" "+r.Message)
	return nil
}
func (l *apiLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *apiLog) WithGroup(string) slog.Handler      { return l }
func (l *apiLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// apiFixture is a sentinel with only the front end and the FSM running:
// proposals are applied to the FSM directly (as a one-node group would).
type apiFixture struct {
	s        *Sentinel
	fe       *frontEnd
	addr     string
	log      *apiLog
	local    *apiLocal
	shutdown atomic.Int32
}

// apiLocal is a settable local view (what the Monitor would report).
type apiLocal struct {
	mu    sync.Mutex
	inst  map[Addr]InstanceStatus
	peers map[string]PeerStatus
	down  map[Addr]bool
	tilt  bool
}

func (l *apiLocal) Status(master string, a Addr) (InstanceStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.inst[a]
	return st, ok
}
func (l *apiLocal) Peer(id string) (PeerStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.peers[id]
	return st, ok
}
func (l *apiLocal) MasterDownAt(a Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down[a] && !l.tilt
}
func (l *apiLocal) Tilt() (bool, int64) { return l.tilt, 0 }

// startAPI starts the front end of a sentinel whose sentinel.conf holds
// a port, a myid and the extra lines given.
func startAPI(t *testing.T, confLines ...string) *apiFixture {
	t.Helper()
	lg := &apiLog{}
	fx := &apiFixture{log: lg, local: &apiLocal{inst: map[Addr]InstanceStatus{}, peers: map[string]PeerStatus{}, down: map[Addr]bool{}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	myID := randomHex40()
	os.WriteFile(conf, []byte("port "+strconv.Itoa(port)+"\nsentinel myid "+myID+"\n"+strings.Join(confLines, "\n")+"\n"), 0o644)
	cfg, err := ParseConfig([]string{conf})
	if err != nil {
		t.Fatal(err)
	}
	s := &Sentinel{cfg: cfg, myID: myID, runID: randomHex40(),
		clock: RealClock, knobs: DefaultKnobs(), log: slog.New(lg), start: time.Now()}
	s.hub = newHub(s)
	s.fsm = newFSM(s.publishCommitted)
	s.srv = newFrontEnd(s)
	fe := s.srv
	fe.local = fx.local
	fe.propose = func(ctx context.Context, cmd Command) (Result, error) {
		if cmd.NowMs == 0 {
			cmd.NowMs = time.Now().UnixMilli()
		}
		return s.fsm.applyCommand(cmd, false), nil
	}
	fe.shutdown = func() { fx.shutdown.Add(1) }
	fx.s, fx.fe, fx.addr = s, fe, ln.Addr().String()
	done := make(chan struct{})
	go func() { fe.Serve(ln); close(done) }()
	t.Cleanup(func() { fe.Close(); <-done })
	return fx
}

// apply commits cmd to the fixture's state.
func (fx *apiFixture) apply(t *testing.T, cmd Command) Result {
	t.Helper()
	res, err := fx.fe.propose(context.Background(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPipelinedRequestsAnsweredInOrder(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	var req []byte
	for range 50 {
		req = append(req, testutil.Encode("PING", "x")...)
		req = append(req, "PING\r\n"...)
	}
	c.Send(req)
	for i := range 50 {
		if got, _ := c.ReadReply(2 * time.Second); got != "$1\r\nx\r\n" {
			t.Fatalf("reply %d: %q", i, got)
		}
		if got, _ := c.ReadReply(2 * time.Second); got != "+PONG\r\n" {
			t.Fatalf("inline reply %d: %q", i, got)
		}
	}
}

func TestProtocolErrorRepliesThenCloses(t *testing.T) {
	fx := startAPI(t)
	for _, tc := range []struct{ in, want string }{
		{"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"PING \"x\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"},
		{"*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n"},
	} {
		c := testutil.Dial(t, fx.addr)
		c.Send([]byte(tc.in))
		got, _ := c.ReadReply(2 * time.Second)
		if got != tc.want {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
		if _, err := c.ReadReply(time.Second); err == nil {
			t.Errorf("%q: connection still open", tc.in)
		}
	}
}

func TestRequirePassGatesEverythingButAuthAndHello(t *testing.T) {
	fx := startAPI(t, "requirepass sekret")
	c := testutil.Dial(t, fx.addr)
	for _, tc := range [][2]string{
		{"PING", "-NOAUTH Authentication required.\r\n"},
		{"SENTINEL MYID", "-NOAUTH Authentication required.\r\n"},
		{"SENTINEL MASTER", "-ERR wrong number of arguments for 'sentinel|master' command\r\n"},
		{"GET x", "-ERR unknown command 'GET', with args beginning with: 'x' \r\n"},
		{"HELLO 3", "-" + errHelloNoAuth + "\r\n"},
		{"HELLO 4", "-NOPROTO unsupported protocol version\r\n"},
		{"AUTH wrong", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"AUTH other sekret", "-WRONGPASS invalid username-password pair or user is disabled.\r\n"},
		{"AUTH sekret", "+OK\r\n"},
		{"PING", "+PONG\r\n"},
	} {
		if got := c.Do(strings.Fields(tc[0])...); got != tc[1] {
			t.Errorf("%s: got %q want %q", tc[0], got, tc[1])
		}
	}
	c2 := testutil.Dial(t, fx.addr)
	got := c2.Do("HELLO", "3", "AUTH", "default", "sekret", "SETNAME", "nm")
	if !strings.HasPrefix(got, "%6\r\n$6\r\nserver\r\n") || !strings.Contains(got, "$4\r\nmode\r\n$8\r\nsentinel\r\n") {
		t.Fatalf("HELLO AUTH: %q", got)
	}
	if got := c2.Do("CLIENT", "GETNAME"); got != "$2\r\nnm\r\n" {
		t.Fatalf("name after HELLO SETNAME: %q", got)
	}
}

func TestClientKillFiltersAndSelf(t *testing.T) {
	fx := startAPI(t)
	a := testutil.Dial(t, fx.addr)
	b := testutil.Dial(t, fx.addr)
	b.Do("SUBSCRIBE", "x")
	list := a.Do("CLIENT", "LIST", "TYPE", "pubsub")
	if strings.Count(list, "id=") != 1 || !strings.Contains(list, "flags=P") || !strings.Contains(list, "sub=1") {
		t.Fatalf("CLIENT LIST TYPE pubsub: %q", list)
	}
	if got := a.Do("CLIENT", "KILL", "TYPE", "pubsub"); got != ":1\r\n" {
		t.Fatalf("kill pubsub: %q", got)
	}
	if _, err := b.ReadReply(time.Second); err == nil {
		t.Fatal("killed subscriber still connected")
	}
	if got := a.Do("CLIENT", "KILL", "TYPE", "normal"); got != ":0\r\n" {
		t.Fatalf("SKIPME defaults to yes: %q", got)
	}
	if got := a.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"); got != ":1\r\n" {
		t.Fatalf("kill self: %q", got)
	}
	if _, err := a.ReadReply(time.Second); err == nil {
		t.Fatal("self-killed client still connected")
	}
}

func TestShutdownClosesConnectionWithoutReply(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	c.Send(testutil.Encode("SHUTDOWN", "NOSAVE"))
	if got, err := c.ReadReply(2 * time.Second); err == nil {
		t.Fatalf("got a reply %q", got)
	}
	if fx.shutdown.Load() != 1 {
		t.Fatal("shutdown not requested")
	}
}

func TestClientReplyOffAndSkip(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	c.Send(testutil.Encode("CLIENT", "REPLY", "SKIP"))
	c.Send(testutil.Encode("PING", "skipped"))
	c.Send(testutil.Encode("CLIENT", "REPLY", "OFF"))
	c.Send(testutil.Encode("PING", "off"))
	c.Send(testutil.Encode("CLIENT", "REPLY", "ON"))
	c.Send(testutil.Encode("PING", "on"))
	var got []byte
	for range 2 {
		r, err := c.ReadReply(2 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r...)
	}
	if !bytes.Equal(got, []byte("+OK\r\n$2\r\non\r\n")) {
		t.Fatalf("got %q", got)
	}
}
