package resp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// oneByteReader hands out one byte per Read, to exercise resumption.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

func readAll(t *testing.T, in string, byteWise bool) ([]string, error) {
	t.Helper()
	var src io.Reader = strings.NewReader(in)
	if byteWise {
		src = oneByteReader{src}
	}
	r := NewReader(src, 16)
	var out []string
	for {
		args, err := r.ReadCommand()
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		var parts []string
		for _, a := range args {
			parts = append(parts, string(a))
		}
		out = append(out, strings.Join(parts, "|"))
	}
}

func TestReaderParsesMultibulkAndInline(t *testing.T) {
	in := "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET a \"b c\"\r\n\r\n*0\r\nPING\n*1\r\n$0\r\n\r\n"
	for _, bw := range []bool{false, true} {
		got, err := readAll(t, in, bw)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"GET|k", "SET|a|b c", "PING", ""}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("byteWise=%v: got %q want %q", bw, got, want)
		}
	}
}

func TestReaderProtocolErrorsMatchRedis(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"*abc\r\n", "Protocol error: invalid multibulk length"},
		{"*3000000000\r\n", "Protocol error: invalid multibulk length"},
		{"*1\r\nx\r\n", "Protocol error: expected '$', got 'x'"},
		{"*1\r\n$-1\r\n", "Protocol error: invalid bulk length"},
		{"*1\r\n$abc\r\n", "Protocol error: invalid bulk length"},
		{"*1\r\n$" + "600000000" + "\r\n", "Protocol error: invalid bulk length"},
		{"SET \"a\r\n", "Protocol error: unbalanced quotes in request"},
		{strings.Repeat("a", 70*1024), "Protocol error: too big inline request"},
		{"*" + strings.Repeat("1", 70*1024), "Protocol error: too big mbulk count string"},
		{"*1\r\n$" + strings.Repeat("1", 70*1024), "Protocol error: too big bulk count string"},
	}
	for _, c := range cases {
		_, err := readAll(t, c.in, false)
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Error() != c.want {
			t.Errorf("%.20q: got %v, want %q", c.in, err, c.want)
		}
	}
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	r := NewReader(strings.NewReader("*11\r\n"), 64)
	r.Authenticated = func() bool { return false }
	if _, err := r.ReadCommand(); err != ErrUnauthMultibulkLen {
		t.Fatalf("got %v", err)
	}
	r = NewReader(strings.NewReader("*1\r\n$16385\r\n"), 64)
	r.Authenticated = func() bool { return false }
	if _, err := r.ReadCommand(); err != ErrUnauthBulkLen {
		t.Fatalf("got %v", err)
	}
}

func TestReaderQueryBufferLimit(t *testing.T) {
	r := NewReader(strings.NewReader("*1\r\n$100000\r\n"+strings.Repeat("x", 50000)), 64)
	r.Limits.MaxQueryBuf = 1024
	if _, err := r.ReadCommand(); err != ErrQueryBufferLimit {
		t.Fatalf("got %v", err)
	}
}

func TestReaderBigArgument(t *testing.T) {
	big := strings.Repeat("z", 1<<20)
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n" + big + "\r\n"
	got, err := readAll(t, in, false)
	if err != nil || len(got) != 1 || got[0] != "SET|k|"+big {
		t.Fatalf("big arg failed: %v", err)
	}
}

func TestReaderConsumedCountsBytes(t *testing.T) {
	in := "*1\r\n$4\r\nPING\r\n\n\nPING\r\n"
	r := NewReader(strings.NewReader(in), 64)
	for {
		if _, err := r.ReadCommand(); err != nil {
			break
		}
	}
	if r.Consumed != int64(len(in)) {
		t.Fatalf("consumed %d, want %d", r.Consumed, len(in))
	}
}

func TestTryCommandDoesNotRead(t *testing.T) {
	r := NewReader(strings.NewReader("PING\r\nPI"), 64)
	if _, err := r.ReadCommand(); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := r.TryCommand(); ok || err != nil {
		t.Fatalf("partial request reported complete: %v %v", ok, err)
	}
}

func TestSplitArgsQuoting(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`a b  c`, []string{"a", "b", "c"}, true},
		{`"a b" 'c d'`, []string{"a b", "c d"}, true},
		{`"\x41\n" '\''`, []string{"A\n", "'"}, true},
		{`"" ''`, []string{"", ""}, true},
		{`foo"bar baz"`, []string{"foobar baz"}, true},
		{`"a"b`, nil, false},
		{`'a`, nil, false},
		{`"a`, nil, false},
		{`"\xZZ"`, []string{"xZZ"}, true},
	}
	for _, c := range cases {
		got, ok := SplitArgs([]byte(c.in), nil)
		if ok != c.ok {
			t.Errorf("%q: ok=%v", c.in, ok)
			continue
		}
		var s []string
		for _, g := range got {
			s = append(s, string(g))
		}
		if ok && strings.Join(s, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: got %q want %q", c.in, s, c.want)
		}
	}
}

func TestWriterRESP2AndRESP3Forms(t *testing.T) {
	w2 := &Writer{Proto: 2}
	w3 := &Writer{Proto: 3}
	for _, w := range []*Writer{w2, w3} {
		w.Map(1)
		w.BulkString("a")
		w.Double(1.5)
		w.NullBulk()
		w.Set(0)
		w.Bool(true)
	}
	if got := string(w2.Buf); got != "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n$-1\r\n*0\r\n:1\r\n" {
		t.Errorf("resp2: %q", got)
	}
	if got := string(w3.Buf); got != "%1\r\n$1\r\na\r\n,1.5\r\n_\r\n~0\r\n#t\r\n" {
		t.Errorf("resp3: %q", got)
	}
	w := &Writer{Proto: 2}
	d := w.DeferArray()
	w.Int(1)
	w.Int(2)
	w.Fill(d, 2)
	if string(w.Buf) != "*2\r\n:1\r\n:2\r\n" {
		t.Errorf("deferred: %q", w.Buf)
	}
	w.Reset()
	w.Error("ERR bad\r\nthing")
	if string(w.Buf) != "-ERR bad  thing\r\n" {
		t.Errorf("error newline: %q", w.Buf)
	}
}

func TestFormatDoubleLikeRedis70(t *testing.T) {
	for f, want := range map[float64]string{0.1: "0.10000000000000001", 1.5: "1.5", 3: "3", 1e20: "1e+20"} {
		if got := string(FormatDouble(nil, f)); got != want {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
	}
}

func BenchmarkReadCommandNoAlloc(b *testing.B) {
	req := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	src := &repeatReader{data: bytes.Repeat(req, 64)}
	r := NewReader(src, 16*1024)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

type repeatReader struct {
	data []byte
	pos  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := copy(p, r.data[r.pos:])
	r.pos = (r.pos + n) % len(r.data)
	return n, nil
}
