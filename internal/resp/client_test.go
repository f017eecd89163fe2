package resp

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

func readOne(t *testing.T, s string) (Value, error) {
	t.Helper()
	return ReadValue(bufio.NewReaderSize(strings.NewReader(s), clientMaxLine+2))
}

func TestReadValueDecodesEveryType(t *testing.T) {
	cases := []struct {
		in   string
		want Value
	}{
		{"+PONG\r\n", Value{Type: '+', Str: "PONG"}},
		{"-LOADING Redis is loading\r\n", Value{Type: '-', Str: "LOADING Redis is loading"}},
		{":-42\r\n", Value{Type: ':', Int: -42}},
		{"$5\r\nhello\r\n", Value{Type: '$', Str: "hello"}},
		{"$0\r\n\r\n", Value{Type: '$'}},
		{"$-1\r\n", Value{Type: '$', IsNull: true}},
		{"*-1\r\n", Value{Type: '*', IsNull: true}},
		{"_\r\n", Value{Type: '_', IsNull: true}},
		{"#t\r\n", Value{Type: '#', Int: 1}},
		{",3.5\r\n", Value{Type: ',', Str: "3.5"}},
		{"=7\r\ntxt:abc\r\n", Value{Type: '=', Str: "abc"}},
		{"!3\r\nERR\r\n", Value{Type: '!', Str: "ERR"}},
		{"*2\r\n:1\r\n$1\r\na\r\n", Value{Type: '*', Array: []Value{{Type: ':', Int: 1}, {Type: '$', Str: "a"}}}},
		{"%1\r\n+k\r\n:2\r\n", Value{Type: '%', Array: []Value{{Type: '+', Str: "k"}, {Type: ':', Int: 2}}}},
		{"|1\r\n+a\r\n+b\r\n+real\r\n", Value{Type: '+', Str: "real"}},
	}
	for _, c := range cases {
		got, err := readOne(t, c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if !equalValue(got, c.want) {
			t.Fatalf("%q: got %+v want %+v", c.in, got, c.want)
		}
	}
}

func equalValue(a, b Value) bool {
	if a.Type != b.Type || a.Str != b.Str || a.Int != b.Int || a.IsNull != b.IsNull || len(a.Array) != len(b.Array) {
		return false
	}
	for i := range a.Array {
		if !equalValue(a.Array[i], b.Array[i]) {
			return false
		}
	}
	return true
}

func TestReadValueRejectsOverLimitsWithoutAllocating(t *testing.T) {
	for _, in := range []string{
		"$999999999999\r\n", // bulk over 64 MB
		"*99999999999\r\n",  // array over the element cap
		"$3\r\nabcXY",       // bulk without CRLF
		"?\r\n",             // unknown type
		"+no crlf\n",        // bare LF
		":12x\r\n",          // bad integer
		strings.Repeat("*1\r\n", ClientMaxDepth+3) + ":1\r\n", // too deep
		"+" + strings.Repeat("a", clientMaxLine+10) + "\r\n",  // line too long
	} {
		if _, err := readOne(t, in); !errors.Is(err, ErrBadReply) {
			t.Fatalf("%.40q: err %v, want ErrBadReply", in, err)
		}
	}
	if _, err := readOne(t, "$10\r\nabc"); err == nil || errors.Is(err, ErrBadReply) {
		t.Fatalf("truncated bulk: err %v, want unexpected EOF", err)
	}
}

func TestClientTalksToRealRedis(t *testing.T) {
	p := testutil.StartRedis(t)
	c, err := Dial(context.Background(), p.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Do("PING")
	if err != nil || v.Type != '+' || v.Str != "PONG" {
		t.Fatalf("PING: %+v %v", v, err)
	}
	vs, err := c.Pipeline([][]string{{"MULTI"}, {"SET", "k", "v"}, {"GET", "k"}, {"EXEC"}, {"NOSUCH"}})
	if err != nil || len(vs) != 5 {
		t.Fatalf("pipeline: %+v %v", vs, err)
	}
	if vs[3].Type != '*' || len(vs[3].Array) != 2 || vs[3].Array[1].Str != "v" {
		t.Fatalf("EXEC reply %+v", vs[3])
	}
	if !vs[4].IsError() || !strings.HasPrefix(vs[4].Str, "ERR unknown command") || vs[4].Err() == nil {
		t.Fatalf("unknown command reply %+v", vs[4])
	}
	v, err = c.Do("INFO", "replication")
	if err != nil || !strings.Contains(v.Str, "role:master") {
		t.Fatalf("INFO: %+v %v", v, err)
	}
}

// Idle returns quietly while the connection stays open, and reports its
// closing by the server at once.
func TestClientIdleNoticesServerClose(t *testing.T) {
	p := testutil.StartRedis(t)
	c, err := Dial(context.Background(), p.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Do("CLIENT", "SETNAME", "victim"); err != nil || v.Str != "OK" {
		t.Fatalf("SETNAME %+v %v", v, err)
	}
	if err := c.Idle(50 * time.Millisecond); err != nil {
		t.Fatalf("idle on an open connection: %v", err)
	}
	if v, err := c.Do("PING"); err != nil || v.Str != "PONG" {
		t.Fatalf("PING after Idle: %+v %v", v, err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		testutil.Query(p.Addr, "CLIENT", "KILL", "TYPE", "normal")
	}()
	start := time.Now()
	for err == nil && time.Since(start) < 2*time.Second {
		err = c.Idle(time.Second)
	}
	if err == nil || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("close noticed after %v: %v", time.Since(start), err)
	}
}

// A server that accepts and never answers costs a timeout, not a hang.
func TestClientTimesOutOnSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
		}
	}()
	c, err := Dial(context.Background(), ln.Addr().String(), 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, err = c.Do("PING")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v, want a timeout", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}

// FuzzReadValue: arbitrary bytes never panic, and the parser never reports
// success for input that does not hold a complete reply.
func FuzzReadValue(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+a\r\n_\r\n", "$-1\r\n", "|1\r\n+a\r\n+b\r\n+c\r\n",
		"=5\r\ntxt:a\r\n", "$99999999999\r\n", "*3\r\n*3\r\n*3\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReaderSize(strings.NewReader(string(data)), clientMaxLine+2)
		for i := 0; i < 100; i++ {
			v, err := ReadValue(r)
			if err != nil {
				return
			}
			if v.Type == 0 {
				t.Fatalf("value without a type from %q", data)
			}
		}
	})
}
