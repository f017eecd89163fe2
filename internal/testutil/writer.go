package testutil

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Write is one attempt of a Writer.
type Write struct {
	Start time.Time // when the attempt began
	At    time.Time // when it returned
	Key   string
	OK    bool  // the SET succeeded
	Acked int64 // WAIT's answer: replicas that confirmed the write
	Err   error
}

// Writer keeps writing through a go-redis client (typically a
// FailoverClient): each attempt is SET w:<i> <i> then WAIT <replicas>
// 100 on the same connection (one pipeline), back to back, pausing 10 ms
// after a failure.
type Writer struct {
	cl       *redis.Client
	replicas string
	mu       sync.Mutex
	log      []Write
	stop     chan struct{}
	done     chan struct{}
}

// NewFailoverClient returns a go-redis FailoverClient for master name
// through sentinels, with the short timeouts the failover tests and the
// benchmark use (retries are go-redis's defaults for dialling only).
func NewFailoverClient(name string, sentinels []string) *redis.Client {
	return redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:    name,
		SentinelAddrs: sentinels,
		DialTimeout:   250 * time.Millisecond,
		ReadTimeout:   500 * time.Millisecond,
		WriteTimeout:  250 * time.Millisecond,
		MaxRetries:    -1,
		PoolSize:      2,
	})
}

// StartWriter starts writing; WAIT asks for replicas acknowledgements.
func StartWriter(cl *redis.Client, replicas int) *Writer {
	w := &Writer{cl: cl, replicas: strconv.Itoa(replicas), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *Writer) run() {
	defer close(w.done)
	ctx := context.Background()
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		key := "w:" + strconv.Itoa(i)
		start := time.Now()
		pipe := w.cl.Pipeline()
		set := pipe.Set(ctx, key, i, 0)
		wait := pipe.Do(ctx, "WAIT", w.replicas, "100")
		_, err := pipe.Exec(ctx)
		rec := Write{Start: start, At: time.Now(), Key: key, OK: err == nil && set.Err() == nil, Err: err}
		if n, err := wait.Int64(); err == nil {
			rec.Acked = n
		}
		w.mu.Lock()
		w.log = append(w.log, rec)
		w.mu.Unlock()
		if !rec.OK {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Halt stops the writer and returns every attempt.
func (w *Writer) Halt() []Write {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Write(nil), w.log...)
}

// Log returns a copy of the attempts so far.
func (w *Writer) Log() []Write {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Write(nil), w.log...)
}

// OKSince reports whether an attempt begun after t succeeded.
func (w *Writer) OKSince(t time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.log) - 1; i >= 0 && w.log[i].Start.After(t); i-- {
		if w.log[i].OK {
			return true
		}
	}
	return false
}

// Window returns the write-unavailability window around kill: from the
// last write that succeeded before it to the first write begun after it
// that succeeded (-1 if either is missing), the failed attempts in
// between, and the last error seen.
func Window(log []Write, kill time.Time) (time.Duration, int, error) {
	var lastOK, firstOK time.Time
	fails := 0
	var lastErr error
	for _, w := range log {
		switch {
		case w.At.Before(kill) && w.OK:
			lastOK = w.At
		case w.Start.After(kill) && w.OK && firstOK.IsZero():
			firstOK = w.At
		case !w.OK && firstOK.IsZero():
			fails++
			lastErr = w.Err
		}
	}
	if firstOK.IsZero() || lastOK.IsZero() {
		return -1, fails, lastErr
	}
	return firstOK.Sub(lastOK), fails, lastErr
}
