package replication

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// serveOnce runs a scripted master: it answers every handshake line and
// then writes tail.
func serveOnce(t *testing.T, reply string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		br := bufio.NewReader(nc)
		br.ReadString('\n') // *1 PING: 3 lines
		br.ReadString('\n')
		br.ReadString('\n')
		nc.Write([]byte("+PONG\r\n+OK\r\n+OK\r\n"))
		nc.Write([]byte(reply))
		io.Copy(io.Discard, br)
	}()
	return ln.Addr().String()
}

func testLink(addr string) *Link {
	return &Link{Cfg: LinkConfig{Addr: addr, ListenPort: 1, SyncIO: 2 * time.Second, Timeout: 2 * time.Second, TempDir: os.TempDir()}}
}

// The disk form has no trailing CRLF: what follows the payload is the
// stream and must stay readable.
func TestTransferDiskFormKeepsStreamBytes(t *testing.T) {
	id := strings.Repeat("c", 40)
	addr := serveOnce(t, "\n+FULLRESYNC "+id+" 42\r\n\n$5\r\nRDBxx*1\r\n$4\r\nPING\r\n")
	l := testLink(addr)
	res, err := l.Sync(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.Payload.Name())
	body, _ := io.ReadAll(res.Payload)
	if string(body) != "RDBxx" || !res.Full || res.ReplID != id || res.Offset != 42 || res.EOFMark {
		t.Fatalf("got %q %+v", body, res)
	}
	rest := make([]byte, 14)
	if _, err := io.ReadFull(res.R, rest); err != nil || string(rest) != "*1\r\n$4\r\nPING\r\n" {
		t.Fatalf("stream %q %v", rest, err)
	}
}

// The EOF form ends when the last 40 bytes equal the mark; the mark is
// not part of the RDB.
func TestTransferEOFFormStripsMark(t *testing.T) {
	mark := strings.Repeat("ab", 20)
	payload := strings.Repeat("x", 100000)
	addr := serveOnce(t, "+FULLRESYNC "+strings.Repeat("d", 40)+" 0\r\n$EOF:"+mark+"\r\n"+payload+mark)
	res, err := testLink(addr).Sync(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(res.Payload.Name())
	body, _ := io.ReadAll(res.Payload)
	if string(body) != payload || !res.EOFMark {
		t.Fatalf("payload of %d bytes, eof %v", len(body), res.EOFMark)
	}
}

// +CONTINUE keeps the dataset; -LOADING is transient.
func TestPsyncRepliesContinueAndTransient(t *testing.T) {
	res, err := testLink(serveOnce(t, "+CONTINUE "+strings.Repeat("e", 40)+"\r\n")).Sync(context.Background(), strings.Repeat("e", 40), 10)
	if err != nil || res.Full || res.ReplID != strings.Repeat("e", 40) {
		t.Fatalf("%+v %v", res, err)
	}
	l := testLink(serveOnce(t, "-LOADING Redis is loading\r\n"))
	if _, err := l.Sync(context.Background(), "", 0); err == nil || l.State() != LinkConnect {
		t.Fatalf("err %v state %v", err, l.State())
	}
}
