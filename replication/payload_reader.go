package replication

import (
	"bytes"
	"io"
	"time"
)

// Loading straight from the socket (repl-diskless-load on-empty-db or
// swapdb): instead of spooling, the transfer hands the server a reader
// that yields exactly the RDB bytes, so parsing overlaps the master's
// production of the payload.

// payloadBody reads the payload from the link's buffered reader with the
// transfer's read timeout and progress counters.
type payloadBody struct {
	l   *Link
	res *SyncResult
	// left is the remaining length of a $<len> payload; -1 in EOF-mark
	// mode.
	left int64
	mark []byte
	// pend holds bytes read but not yet handed out: in EOF-mark mode the
	// last len(mark) bytes stay here until we know they are not the mark.
	pend  []byte
	done  bool
	buf   []byte
	store []byte
}

func newPayloadBody(l *Link, res *SyncResult, left int64, mark []byte) *payloadBody {
	return &payloadBody{l: l, res: res, left: left, mark: mark, buf: make([]byte, 64*1024),
		store: make([]byte, 0, 64*1024+len(mark))}
}

func (b *payloadBody) Read(p []byte) (int, error) {
	if b.mark == nil {
		if b.left <= 0 {
			return 0, io.EOF
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
		b.res.Conn.SetReadDeadline(time.Now().Add(b.l.Cfg.Timeout))
		k, err := b.res.R.Read(p)
		if k > 0 {
			b.l.noteRead(k)
			b.left -= int64(k)
			return k, nil
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	for {
		if b.done {
			if len(b.pend) == 0 {
				return 0, io.EOF
			}
			n := copy(p, b.pend)
			b.pend = b.pend[n:]
			return n, nil
		}
		if safe := len(b.pend) - len(b.mark); safe > 0 {
			n := copy(p, b.pend[:safe])
			b.pend = b.pend[n:]
			return n, nil
		}
		b.res.Conn.SetReadDeadline(time.Now().Add(b.l.Cfg.Timeout))
		k, err := b.res.R.Read(b.buf)
		if k > 0 {
			b.l.noteRead(k)
			// At most len(mark) bytes are pending here: move them to
			// the front of store and add the new ones after them.
			n := copy(b.store[:len(b.pend)], b.pend)
			b.pend = append(b.store[:n], b.buf[:k]...)
			if n := len(b.pend); n >= len(b.mark) && bytes.Equal(b.pend[n-len(b.mark):], b.mark) {
				b.pend = b.pend[:n-len(b.mark)]
				b.done = true
			}
			continue
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, err
		}
	}
}

// drain consumes what the loader left unread, up to the end of the
// payload, so the stream starts at the right byte.
func (b *payloadBody) drain() error {
	_, err := io.Copy(io.Discard, b)
	return err
}
