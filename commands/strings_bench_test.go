package commands

import (
	"testing"

	"redoubt/internal/keyspace"
	"redoubt/internal/resp"
)

// strHotPath drives GET and SET procs through one reused Ctx, the way the
// server does, without the harness's per-call allocations.
type strHotPath struct {
	c      *Ctx
	getCmd *Command
	setCmd *Command
	get    [][]byte
	set    [][]byte
}

func newStrHotPath() *strHotPath {
	ks := keyspace.New(1)
	ks.NowMs = 1_700_000_000_000
	p := &strHotPath{
		c: &Ctx{
			W:   &resp.Writer{Proto: 2, Buf: make([]byte, 0, 4096)},
			KS:  ks,
			DB:  ks.DBs[0],
			Set: DefaultSettings(),
			Ops: make([]PropOp, 0, 4),
		},
		getCmd: Lookup([]byte("get")),
		setCmd: Lookup([]byte("set")),
		get:    [][]byte{[]byte("GET"), []byte("key:000001")},
		set:    [][]byte{[]byte("SET"), []byte("key:000001"), []byte("value-0123456789")},
	}
	p.run(p.setCmd, p.set) // the key exists before measuring
	return p
}

func (p *strHotPath) run(cmd *Command, args [][]byte) {
	c := p.c
	c.Reset()
	c.W.Reset()
	c.Args = args
	c.Cmd = cmd
	cmd.Proc(c)
	c.Finish()
}

func TestGetSetNoAlloc(t *testing.T) {
	p := newStrHotPath()
	if n := testing.AllocsPerRun(200, func() { p.run(p.getCmd, p.get) }); n != 0 {
		t.Errorf("GET allocates %.1f times per call", n)
	}
	if string(p.c.W.Buf) != "$16\r\nvalue-0123456789\r\n" {
		t.Fatalf("GET reply %q", p.c.W.Buf)
	}
	if n := testing.AllocsPerRun(200, func() { p.run(p.setCmd, p.set) }); n != 0 {
		t.Errorf("SET overwrite allocates %.1f times per call", n)
	}
	incr := [][]byte{[]byte("INCR"), []byte("counter")}
	incrCmd := Lookup(incr[0])
	p.run(incrCmd, incr)
	if n := testing.AllocsPerRun(200, func() { p.run(incrCmd, incr) }); n != 0 {
		t.Errorf("INCR allocates %.1f times per call", n)
	}
}

func BenchmarkGetSetNoAlloc(b *testing.B) {
	p := newStrHotPath()
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p.run(p.getCmd, p.get)
		}
	})
	b.Run("SET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p.run(p.setCmd, p.set)
		}
	})
}
