package replication

import (
	"context"
	"io"
	"strings"
	"testing"
)

// Loading from the socket: the body yields exactly the RDB bytes in both
// forms, and the stream that follows stays readable after FinishBody.
func TestDirectBodyBothForms(t *testing.T) {
	mark := strings.Repeat("ef", 20)
	payload := strings.Repeat("y", 200000)
	stream := "*1\r\n$4\r\nPING\r\n"
	// (After an EOF-marked payload the master sends nothing until our
	// first ACK, so the mark is always the last thing read.)
	for _, tc := range []struct{ name, wire, stream string }{
		{"eof", "+FULLRESYNC " + strings.Repeat("d", 40) + " 0\r\n$EOF:" + mark + "\r\n" + payload + mark, ""},
		{"len", "+FULLRESYNC " + strings.Repeat("d", 40) + " 0\r\n$200000\r\n" + payload + stream, stream},
	} {
		l := testLink(serveOnce(t, tc.wire))
		l.Cfg.DirectLoad = func() bool { return true }
		res, err := l.Sync(context.Background(), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Payload != nil || res.Body == nil {
			t.Fatalf("%s: spooled instead of direct", tc.name)
		}
		// Read part of it, as a loader stopping at the RDB's end would.
		part := make([]byte, 1000)
		if _, err := io.ReadFull(res.Body, part); err != nil {
			t.Fatal(err)
		}
		if err := res.FinishBody(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := l.SyncRead.Load(); got < int64(len(payload)) {
			t.Fatalf("%s: progress %d", tc.name, got)
		}
		rest := make([]byte, len(tc.stream))
		if _, err := io.ReadFull(res.R, rest); err != nil || string(rest) != tc.stream {
			t.Fatalf("%s: stream %q %v", tc.name, rest, err)
		}
		res.Conn.Close()
	}
	// A whole body read gives the payload and nothing of the mark.
	l := testLink(serveOnce(t, "+FULLRESYNC "+strings.Repeat("d", 40)+" 0\r\n$EOF:"+mark+"\r\n"+payload+mark))
	l.Cfg.DirectLoad = func() bool { return true }
	res, err := l.Sync(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Conn.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || string(body) != payload {
		t.Fatalf("body of %d bytes, %v", len(body), err)
	}
}

// A payload cut short is an error, not a short RDB.
func TestDirectBodyTruncated(t *testing.T) {
	l := testLink(serveOnce(t, "+FULLRESYNC "+strings.Repeat("d", 40)+" 0\r\n$100\r\nshort"))
	l.Cfg.DirectLoad = func() bool { return true }
	res, err := l.Sync(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	go func() { res.Conn.Close() }()
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Fatal("no error for a truncated payload")
	}
}
