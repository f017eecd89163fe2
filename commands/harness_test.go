package commands

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// fakeEnv records what commands tell the server.
type fakeEnv struct {
	modified []string
	events   []string
	ready    []string
	blocked  [][]byte
}

func (e *fakeEnv) Modified(db *keyspace.DB, key string) { e.modified = append(e.modified, key) }
func (e *fakeEnv) Notify(class int, event string, db *keyspace.DB, key string) {
	e.events = append(e.events, event+":"+key)
}
func (e *fakeEnv) Ready(db *keyspace.DB, key string) { e.ready = append(e.ready, key) }
func (e *fakeEnv) Block(c *Ctx, keys [][]byte, deadlineMs int64, timeoutReply func(w *resp.Writer)) {
	e.blocked = keys
}

// harness runs commands directly against a keyspace, the way the server
// would, and returns raw reply bytes and propagated commands.
type harness struct {
	t   *testing.T
	ks  *keyspace.Keyspace
	env *fakeEnv
	db  int
	// now, when set, is the command time in ms; otherwise the wall clock.
	now   int64
	proto int
	props [][]string
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, ks: keyspace.New(16), env: &fakeEnv{}, proto: 2}
	h.ks.Hooks.Expired = func(db *keyspace.DB, key string) {
		h.props = append(h.props, []string{"DEL", key})
	}
	return h
}

// do runs one command and returns the raw reply.
func (h *harness) do(args ...string) string {
	h.t.Helper()
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	w := &resp.Writer{Proto: h.proto}
	cmd := Lookup(bargs[0])
	if cmd == nil {
		w.Error(ErrUnknownCommand(bargs[0], bargs[1:]))
		return string(w.Buf)
	}
	if cmd.Subs != nil && len(bargs) >= 2 {
		if sub := cmd.LookupSub(bargs[1]); sub != nil {
			cmd = sub
		}
	}
	if !cmd.CheckArity(len(bargs)) {
		w.Error(ErrArity(cmd.FullName()))
		return string(w.Buf)
	}
	h.ks.NowMs = h.now
	if h.ks.NowMs == 0 {
		h.ks.NowMs = time.Now().UnixMilli()
	}
	c := &Ctx{Args: bargs, Cmd: cmd, W: w, KS: h.ks, DB: h.ks.DBs[h.db], Env: h.env, Set: DefaultSettings()}
	cmd.Proc(c)
	for _, op := range c.Finish() {
		var s []string
		for _, a := range op.Args {
			s = append(s, string(a))
		}
		h.props = append(h.props, s)
	}
	return string(w.Buf)
}

// expect runs a command and compares its raw reply.
func (h *harness) expect(want string, args ...string) {
	h.t.Helper()
	if got := h.do(args...); got != want {
		h.t.Errorf("%s: got %q, want %q", strings.Join(args, " "), got, want)
	}
}

// lastProp returns the last propagated command joined by spaces.
func (h *harness) lastProp() string {
	if len(h.props) == 0 {
		return ""
	}
	return strings.Join(h.props[len(h.props)-1], " ")
}
