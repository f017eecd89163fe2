package sentinel

import (
	"net"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

func TestPublishReachesChannelAndPatternSubscribersInBothProtocols(t *testing.T) {
	fx := startAPI(t)
	r2 := testutil.Dial(t, fx.addr)
	r3 := testutil.Dial(t, fx.addr)
	if got := r2.Do("SUBSCRIBE", "+monitor"); got != "*3\r\n$9\r\nsubscribe\r\n$8\r\n+monitor\r\n:1\r\n" {
		t.Fatalf("subscribe: %q", got)
	}
	if got := r2.Do("PSUBSCRIBE", "*mon*"); got != "*3\r\n$10\r\npsubscribe\r\n$5\r\n*mon*\r\n:2\r\n" {
		t.Fatalf("psubscribe: %q", got)
	}
	r3.Do("HELLO", "3")
	if got := r3.Do("PSUBSCRIBE", "*"); got != ">3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n" {
		t.Fatalf("RESP3 psubscribe: %q", got)
	}
	// A committed MONITOR publishes +monitor on every subscriber and logs it.
	fx.apply(t, Command{Op: OpMonitor, Name: "mymaster", IP: "127.0.0.1", Port: 6379, Quorum: 2})
	payload := "master mymaster 127.0.0.1 6379 quorum 2"
	want2 := "*3\r\n$7\r\nmessage\r\n$8\r\n+monitor\r\n$39\r\n" + payload + "\r\n"
	if got, _ := r2.ReadReply(2 * time.Second); got != want2 {
		t.Fatalf("RESP2 message: %q", got)
	}
	want2p := "*4\r\n$8\r\npmessage\r\n$5\r\n*mon*\r\n$8\r\n+monitor\r\n$39\r\n" + payload + "\r\n"
	if got, _ := r2.ReadReply(2 * time.Second); got != want2p {
		t.Fatalf("RESP2 pmessage: %q", got)
	}
	want3 := ">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$8\r\n+monitor\r\n$39\r\n" + payload + "\r\n"
	if got, _ := r3.ReadReply(2 * time.Second); got != want3 {
		t.Fatalf("RESP3 pmessage: %q", got)
	}
	if !strings.Contains(fx.log.text(), "WARN +monitor "+payload) {
		t.Fatalf("event not logged at warning:\n%s", fx.log.text())
	}
	// RESP3 clients run any command while subscribed; RESP2 ones may not.
	if got := r3.Do("SENTINEL", "MYID"); got != "$40\r\n"+fx.s.myID+"\r\n" {
		t.Fatalf("RESP3 command while subscribed: %q", got)
	}
	if got := r2.Do("SENTINEL", "MYID"); got != "-"+sprintf(errSubscribedFmt, "sentinel|myid")+"\r\n" {
		t.Fatalf("RESP2 command while subscribed: %q", got)
	}
	if got := r2.Do("PING"); got != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
		t.Fatalf("RESP2 subscribed PING: %q", got)
	}
	if got := r3.Do("PING"); got != "+PONG\r\n" {
		t.Fatalf("RESP3 subscribed PING: %q", got)
	}
	if got := r2.Do("UNSUBSCRIBE", "+monitor"); got != "*3\r\n$11\r\nunsubscribe\r\n$8\r\n+monitor\r\n:1\r\n" {
		t.Fatalf("unsubscribe: %q", got)
	}
	if got := r2.Do("PUNSUBSCRIBE"); got != "*3\r\n$12\r\npunsubscribe\r\n$5\r\n*mon*\r\n:0\r\n" {
		t.Fatalf("punsubscribe all: %q", got)
	}
	if got := r3.Do("PUNSUBSCRIBE", "*"); got != ">3\r\n$12\r\npunsubscribe\r\n$1\r\n*\r\n:0\r\n" {
		t.Fatalf("RESP3 punsubscribe: %q", got)
	}
	if got := r3.Do("UNSUBSCRIBE"); got != ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n" {
		t.Fatalf("RESP3 unsubscribe none: %q", got)
	}
	if got := r2.Do("SENTINEL", "MYID"); got != "$40\r\n"+fx.s.myID+"\r\n" {
		t.Fatalf("after unsubscribing: %q", got)
	}
}

func TestSlowSubscriberIsDroppedWithoutBlockingPublish(t *testing.T) {
	fx := startAPI(t)
	nc, err := net.Dial("tcp", fx.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// Subscribe, then never read: the socket buffers fill, then the queue.
	nc.Write(testutil.Encode("SUBSCRIBE", "+sdown"))
	fast := testutil.Dial(t, fx.addr)
	fast.Do("SUBSCRIBE", "+sdown")
	for fx.fe.hub.subscribers("+sdown") < 2 {
		time.Sleep(time.Millisecond)
	}
	big := strings.Repeat("x", 4096)
	start := time.Now()
	for i := 0; i < 3*outQueueLen; i++ {
		fx.s.publish(Event{Channel: "+sdown", Payload: big})
		if i%64 == 0 {
			fast.ReadRaw(0) // keep draining a little
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Publish blocked for %v", d)
	}
	deadline := time.Now().Add(5 * time.Second)
	for fx.fe.hub.subscribers("+sdown") > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := fx.fe.hub.subscribers("+sdown"); n > 1 {
		t.Fatalf("slow subscriber still subscribed (%d subscribers)", n)
	}
	if !strings.Contains(fx.log.text(), "scheduled to be closed ASAP for overcoming of output buffer limits") {
		t.Fatalf("drop not logged:\n%s", fx.log.text())
	}
}

func TestPublishOnlyAcceptsHello(t *testing.T) {
	fx := startAPI(t)
	c := testutil.Dial(t, fx.addr)
	if got := c.Do("PUBLISH", "foo", "bar"); got != "-ERR Only HELLO messages are accepted by Sentinel instances.\r\n" {
		t.Fatalf("got %q", got)
	}
	if got := c.Do("PUBLISH", "__sentinel__:hello", "x"); got != ":1\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestEventLevels(t *testing.T) {
	for ch, want := range map[string]string{"+sdown": "WARN", "+slave": "INFO", "-role-change": "DEBUG+2",
		"+switch-master": "WARN", "+slave-reconf-done": "INFO", "+tilt": "WARN"} {
		if got := eventLevel(ch).String(); got != want {
			t.Errorf("%s: %s, want %s", ch, got, want)
		}
	}
}

// subscribers counts the clients subscribed to channel.
func (h *Hub) subscribers(channel string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.channels[channel])
}
