package server

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redoubt/internal/keyspace"
	"redoubt/internal/testutil"
)

// Collections written to while the snapshot serialises them outside the
// lock, and FLUSHALL / SWAPDB cancelling or cutting short a running
// BGSAVE: no race (run with -race), no panic, the server keeps serving.
func TestSnapshotWithWritesFlushesAndCancels(t *testing.T) {
	s, addr, _ := startSaver(t)
	const n = 50000
	fill := func() {
		s.Lock()
		for _, db := range s.Keyspace().DBs[:2] {
			for i := 0; i < n; i++ {
				l := keyspace.NewList()
				l.PushBack([]byte("a" + strconv.Itoa(i)))
				db.Add("l:"+strconv.Itoa(i), keyspace.Object{Type: keyspace.TList, Val: l})
			}
		}
		s.Unlock()
	}
	fill()
	c := testutil.Dial(t, addr)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wc := testutil.Dial(t, addr)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; !stop.Load(); i += 3 {
				k := "l:" + strconv.Itoa(i%n)
				switch i % 4 {
				case 0:
					wc.Do("RPUSH", k, "x", "y")
				case 1:
					wc.Do("LPOP", k)
				case 2:
					wc.Do("DEL", k)
				default:
					wc.Do("SELECT", strconv.Itoa(i%2))
				}
			}
		}(w)
	}
	for round := 0; round < 3; round++ {
		if r := c.Do("BGSAVE"); !strings.HasPrefix(r, "+Background saving started") {
			t.Fatalf("BGSAVE: %q", r)
		}
		time.Sleep(time.Duration(20*round) * time.Millisecond)
		switch round {
		case 0:
			c.Do("SWAPDB", "0", "1")
		case 1:
			c.Do("FLUSHALL")
			fill()
		}
		for deadline := time.Now().Add(20 * time.Second); ; {
			if strings.Contains(c.Do("INFO", "persistence"), "rdb_bgsave_in_progress:0") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("BGSAVE did not finish")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stop.Store(true)
	wg.Wait()
	if r := c.Do("PING"); r != "+PONG\r\n" {
		t.Fatalf("PING: %q", r)
	}
}
