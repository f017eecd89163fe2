package replication

import "sync"

// Backlog keeps the tail of the replication stream. Its logical size is
// repl-backlog-size: PSYNC may continue from any of the last Size bytes.
// Replica senders read from it through cursors (one per replica, no copy
// of the stream each); bytes a registered cursor still needs are kept
// beyond Size, up to Hard bytes behind the end, as Redis 7.0 keeps shared
// replication blocks alive while a replica references them.
//
// Positions are 0-based byte counts: position p is the (p+1)-th byte of
// the stream, so Redis's "offset" of a byte is p+1 and a replica that has
// processed offset o wants position o next.
type Backlog struct {
	mu   sync.Mutex
	cond *sync.Cond
	// data holds positions [start, end).
	data  []byte
	start int64
	end   int64
	// Size is the logical backlog size; Hard the most a cursor may lag.
	Size int64
	Hard int64
	// histStart is the first position the logical backlog covers.
	histStart int64
	readers   map[*Cursor]struct{}
	closed    bool
}

// Cursor is one reader's position in a backlog.
type Cursor struct {
	b   *Backlog
	pos int64
	// Dropped is set when the reader fell further behind than Hard.
	dropped bool
	closed  bool
}

// minBacklog is the smallest backlog Redis accepts (16 KB).
const minBacklog = 16 * 1024

// NewBacklog returns an empty backlog whose next byte is at position end.
func NewBacklog(end, size, hard int64) *Backlog {
	if size < minBacklog {
		size = minBacklog
	}
	b := &Backlog{start: end, end: end, histStart: end, Size: size, Hard: hard, readers: map[*Cursor]struct{}{}}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// Write appends stream bytes (Tap).
func (b *Backlog) Write(p []byte) {
	b.mu.Lock()
	b.data = append(b.data, p...)
	b.end += int64(len(p))
	if b.end-b.histStart > b.Size {
		b.histStart = b.end - b.Size
	}
	keep := b.histStart
	for r := range b.readers {
		if r.pos < keep {
			if b.Hard > 0 && b.end-r.pos > b.Hard {
				// Too far behind: Redis disconnects a replica over its
				// output buffer hard limit.
				r.dropped = true
				delete(b.readers, r)
				continue
			}
			keep = r.pos
		}
	}
	// Drop what nobody needs once it is at least half the buffer.
	if drop := keep - b.start; drop > 0 && drop >= int64(len(b.data))/2 {
		n := copy(b.data, b.data[drop:])
		b.data = b.data[:n]
		b.start = keep
	}
	b.mu.Unlock()
	b.cond.Broadcast()
}

// Resize changes the logical size (CONFIG SET repl-backlog-size).
func (b *Backlog) Resize(size int64) {
	if size < minBacklog {
		size = minBacklog
	}
	b.mu.Lock()
	b.Size = size
	if b.end-b.histStart > size {
		b.histStart = b.end - size
	}
	b.mu.Unlock()
}

// Range returns the logical backlog: its first position and its length
// (Redis's repl_backlog_first_byte_offset is first+1, histlen is n).
func (b *Backlog) Range() (first, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.histStart, b.end - b.histStart
}

// End is the position after the last byte (the master offset).
func (b *Backlog) End() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.end
}

// NewCursor registers a reader that will next read position pos, which
// must be inside what the backlog holds (or its end).
func (b *Backlog) NewCursor(pos int64) *Cursor {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := &Cursor{b: b, pos: pos}
	if pos < b.start || pos > b.end {
		c.dropped = true
		return c
	}
	b.readers[c] = struct{}{}
	return c
}

// Close unregisters the cursor and wakes its reader.
func (c *Cursor) Close() {
	b := c.b
	b.mu.Lock()
	delete(b.readers, c)
	c.closed = true
	b.mu.Unlock()
	b.cond.Broadcast()
}

// Pos is the next position the cursor will read.
func (c *Cursor) Pos() int64 {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	return c.pos
}

// Next waits for bytes after the cursor and appends up to max of them to
// dst, advancing the cursor. ok is false once the cursor is closed or was
// dropped for lagging too far.
func (c *Cursor) Next(dst []byte, max int) (out []byte, ok bool) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for c.pos == b.end && !c.closed && !c.dropped && !b.closed {
		b.cond.Wait()
	}
	if c.closed || c.dropped || b.closed {
		return dst, false
	}
	n := b.end - c.pos
	if n > int64(max) {
		n = int64(max)
	}
	i := c.pos - b.start
	dst = append(dst, b.data[i:i+n]...)
	c.pos += n
	return dst, true
}

// Close frees the backlog; every cursor's Next returns false.
func (b *Backlog) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.cond.Broadcast()
}
