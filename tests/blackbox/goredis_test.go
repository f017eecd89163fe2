package blackbox

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"redoubt/internal/testutil"
)

func newClient(t *testing.T, addr string, proto int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, DialTimeout: 2 * time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// go-redis speaks RESP3 by default (HELLO 3); maps, sets and doubles must
// come back typed, and RESP2 clients must get the flat forms.
func TestGoRedisRESP3AndRESP2(t *testing.T) {
	p := testutil.StartRedoubt(t)
	ctx := context.Background()
	for _, proto := range []int{3, 2} {
		c := newClient(t, p.Addr, proto)
		if err := c.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		c.HSet(ctx, "h", "a", "1", "b", "2")
		m, err := c.HGetAll(ctx, "h").Result()
		if err != nil || len(m) != 2 || m["a"] != "1" {
			t.Fatalf("proto %d HGETALL %v %v", proto, m, err)
		}
		c.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "x"})
		if s, err := c.ZScore(ctx, "z", "x").Result(); err != nil || s != 1.5 {
			t.Fatalf("proto %d ZSCORE %v %v", proto, s, err)
		}
		c.SAdd(ctx, "s", "m1", "m2")
		mem, err := c.SMembers(ctx, "s").Result()
		sort.Strings(mem)
		if err != nil || len(mem) != 2 || mem[0] != "m1" {
			t.Fatalf("proto %d SMEMBERS %v %v", proto, mem, err)
		}
		if _, err := c.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
			t.Fatalf("proto %d GET missing: %v", proto, err)
		}
	}
}

// SCAN returns every key present for the whole iteration even while
// other keys are added and removed in between.
func TestScanNeverMissesStableKeys(t *testing.T) {
	p := testutil.StartRedoubt(t)
	ctx := context.Background()
	c := newClient(t, p.Addr, 2)
	for i := 0; i < 2000; i++ {
		c.Set(ctx, "stable:"+strconv.Itoa(i), "v", 0)
	}
	seen := map[string]bool{}
	var cursor uint64
	round := 0
	for {
		keys, next, err := c.Scan(ctx, cursor, "stable:*", 50).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seen[k] = true
		}
		// Churn: force the table to grow and shrink between calls.
		pipe := c.Pipeline()
		for j := 0; j < 300; j++ {
			k := "churn:" + strconv.Itoa(round*300+j)
			if round%2 == 0 {
				pipe.Set(ctx, k, "x", 0)
			} else {
				pipe.Del(ctx, "churn:"+strconv.Itoa((round-1)*300+j))
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		round++
		cursor = next
		if cursor == 0 {
			break
		}
	}
	if len(seen) != 2000 {
		t.Fatalf("SCAN returned %d of 2000 stable keys", len(seen))
	}
}

// Pub/sub over RESP3 pushes and RESP2 arrays.
func TestPubSubDelivers(t *testing.T) {
	p := testutil.StartRedoubt(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		sub := newClient(t, p.Addr, proto)
		pub := newClient(t, p.Addr, proto)
		ps := sub.PSubscribe(ctx, "news.*")
		if _, err := ps.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := pub.Publish(ctx, "news.today", "hello").Result(); err != nil || n != 1 {
			t.Fatalf("proto %d PUBLISH -> %d %v", proto, n, err)
		}
		msg, err := ps.ReceiveMessage(ctx)
		if err != nil || msg.Payload != "hello" || msg.Channel != "news.today" || msg.Pattern != "news.*" {
			t.Fatalf("proto %d message %+v %v", proto, msg, err)
		}
		ps.Close()
	}
}

// A client blocked in BLPOP is served by another client's push, in order,
// and times out with a nil reply.
func TestBlockingPopServedByPush(t *testing.T) {
	p := testutil.StartRedoubt(t)
	ctx := context.Background()
	a := newClient(t, p.Addr, 2)
	b := newClient(t, p.Addr, 2)
	done := make(chan []string, 1)
	go func() {
		r, err := a.BLPop(ctx, 5*time.Second, "q1", "q2").Result()
		if err != nil {
			r = []string{"error", err.Error()}
		}
		done <- r
	}()
	time.Sleep(200 * time.Millisecond)
	b.RPush(ctx, "q2", "job")
	select {
	case r := <-done:
		if len(r) != 2 || r[0] != "q2" || r[1] != "job" {
			t.Fatalf("BLPOP got %v", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("BLPOP not served")
	}
	if n := b.LLen(ctx, "q2").Val(); n != 0 {
		t.Fatalf("element not consumed: %d left", n)
	}
	start := time.Now()
	if _, err := a.BLPop(ctx, 300*time.Millisecond, "empty").Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("timeout reply: %v", err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("BLPOP returned after %v", d)
	}
}

// WATCH makes EXEC fail when another client changes the key.
func TestWatchAbortsOnConcurrentWrite(t *testing.T) {
	p := testutil.StartRedoubt(t)
	ctx := context.Background()
	a := newClient(t, p.Addr, 2)
	b := newClient(t, p.Addr, 2)
	a.Set(ctx, "w", "1", 0)
	err := a.Watch(ctx, func(tx *redis.Tx) error {
		b.Set(ctx, "w", "2", 0)
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "w", "3", 0)
			return nil
		})
		return err
	}, "w")
	if !errors.Is(err, redis.TxFailedErr) {
		t.Fatalf("EXEC after concurrent write: %v", err)
	}
	if v := a.Get(ctx, "w").Val(); v != "2" {
		t.Fatalf("w = %q", v)
	}
}
