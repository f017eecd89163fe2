package server

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// Keyspace events: creating a key fires "new" before the command's own
// event, and a read of a missing key fires "keymiss", as in Redis 7.0.
func TestKeyspaceEventsNewAndKeymiss(t *testing.T) {
	_, addr := startInProcess(t, "--notify-keyspace-events", "KEAnm")
	sub := testutil.Dial(t, addr)
	sub.Do("PSUBSCRIBE", "__keyevent@0__:*")
	c := testutil.Dial(t, addr)
	c.Do("SET", "k", "v")
	c.Do("GET", "missing")
	var events []string
	for i := 0; i < 3; i++ {
		r, err := sub.ReadReply(2 * time.Second)
		if err != nil {
			t.Fatalf("after %v: %v", events, err)
		}
		parts := strings.Split(r, "\r\n")
		events = append(events, parts[6]+":"+parts[8])
	}
	want := "__keyevent@0__:new:k __keyevent@0__:set:k __keyevent@0__:keymiss:missing"
	if strings.Join(events, " ") != want {
		t.Fatalf("events %v, want %s", events, want)
	}
}

// A client blocked in XREADGROUP on a stream that is then deleted gets
// Redis 7.0's UNBLOCKED error instead of waiting forever.
func TestXReadGroupUnblockedWhenStreamDeleted(t *testing.T) {
	_, addr := startInProcess(t)
	c := testutil.Dial(t, addr)
	c.Do("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	b := testutil.Dial(t, addr)
	b.Send(testutil.Encode("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
	time.Sleep(100 * time.Millisecond)
	c.Do("DEL", "s")
	r, err := b.ReadReply(2 * time.Second)
	if err != nil || r != "-UNBLOCKED the stream key no longer exists\r\n" {
		t.Fatalf("blocked reader got %q %v", r, err)
	}
}
