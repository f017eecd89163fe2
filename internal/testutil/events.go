package testutil

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one Sentinel event received by a tap, stamped on arrival.
type Event struct {
	At       time.Time
	Sentinel int // index of the sentinel whose subscriber got it
	Channel  string
	Payload  string
}

// EventLog collects the events of every sentinel of a cluster: one
// PSUBSCRIBE * connection per sentinel, redialled whenever it drops (a
// sentinel restart, a SIGSTOP).
type EventLog struct {
	mu     sync.Mutex
	events []Event
	conns  map[int]*Client
	closed bool
	wg     sync.WaitGroup
	// subscribed[i] is closed once tap i's first PSUBSCRIBE is confirmed.
	subscribed map[int]chan struct{}
}

// NewEventLog returns an empty log.
func NewEventLog() *EventLog {
	return &EventLog{conns: map[int]*Client{}, subscribed: map[int]chan struct{}{}}
}

// Tap starts following the sentinel at addr as number idx and waits up
// to 5 s for the subscription to be confirmed.
func (l *EventLog) Tap(idx int, addr string) error {
	ready := make(chan struct{})
	l.mu.Lock()
	l.subscribed[idx] = ready
	l.mu.Unlock()
	l.wg.Add(1)
	go l.follow(idx, addr, ready)
	select {
	case <-ready:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("PSUBSCRIBE * on sentinel %d (%s) not confirmed", idx, addr)
	}
}

func (l *EventLog) follow(idx int, addr string, ready chan struct{}) {
	defer l.wg.Done()
	first := true
	for {
		l.mu.Lock()
		closed := l.closed
		l.mu.Unlock()
		if closed {
			return
		}
		c, err := DialClient(addr, 500*time.Millisecond)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			c.Close()
			return
		}
		l.conns[idx] = c
		l.mu.Unlock()
		if _, err := c.Do("PSUBSCRIBE", "*"); err == nil {
			if first {
				close(ready)
				first = false
			}
			l.read(idx, c)
		}
		c.Close()
		time.Sleep(50 * time.Millisecond)
	}
}

// read records pmessages until the connection fails. A stopped sentinel
// just keeps the read blocked; the connection is closed by Close.
func (l *EventLog) read(idx int, c *Client) {
	for {
		v, err := c.Read(0)
		if err != nil {
			return
		}
		arr, ok := v.([]any)
		if !ok || len(arr) != 4 || arr[0] != "pmessage" {
			continue
		}
		ev := Event{At: time.Now(), Sentinel: idx, Channel: fmt.Sprint(arr[2]), Payload: fmt.Sprint(arr[3])}
		l.mu.Lock()
		l.events = append(l.events, ev)
		l.mu.Unlock()
	}
}

// Close stops every tap.
func (l *EventLog) Close() {
	l.mu.Lock()
	l.closed = true
	for _, c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// Events returns a copy of every event so far matching keep (nil = all).
func (l *EventLog) Events(keep func(Event) bool) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.events {
		if keep == nil || keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Match selects events on channel whose payload contains every one of
// parts, received at or after since; sentinel < 0 means any sentinel.
func Match(channel string, sentinel int, since time.Time, parts ...string) func(Event) bool {
	return func(e Event) bool {
		if e.Channel != channel || e.At.Before(since) || (sentinel >= 0 && e.Sentinel != sentinel) {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(e.Payload, p) {
				return false
			}
		}
		return true
	}
}

// First returns the earliest event matching keep.
func (l *EventLog) First(keep func(Event) bool) (Event, bool) {
	evs := l.Events(keep)
	if len(evs) == 0 {
		return Event{}, false
	}
	return evs[0], true
}

// WaitEvent polls until an event matching keep has arrived.
func (l *EventLog) WaitEvent(timeout time.Duration, what string, keep func(Event) bool) (Event, error) {
	var got Event
	err := WaitFor(timeout, func() error {
		e, ok := l.First(keep)
		if !ok {
			return fmt.Errorf("no %s within %v", what, timeout)
		}
		got = e
		return nil
	})
	return got, err
}

// Timeline renders every event since t0 (ms since t0, sentinel, channel,
// payload), one per line, in arrival order.
func (l *EventLog) Timeline(t0 time.Time) string {
	evs := l.Events(func(e Event) bool { return !e.At.Before(t0) })
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%+6dms S%d %s %s\n", e.At.Sub(t0).Milliseconds(), e.Sentinel, e.Channel, e.Payload)
	}
	return b.String()
}
