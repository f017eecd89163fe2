package server

import "sync/atomic"

// multiWriter copies the diskless payload to every replica socket.
// out counts what reached a socket as replication output: the EOF-mark
// preamble, the RDB and the closing mark, not the +FULLRESYNC line.
type multiWriter struct {
	targets []*mwTarget
	out     *atomic.Int64
}

type mwTarget struct {
	c          *Client
	pre        []byte
	preCounted int
	dead       bool
}

func (m *multiWriter) Write(p []byte) (int, error) {
	for _, t := range m.targets {
		if t.dead {
			continue
		}
		t.c.flushMu.Lock()
		var err error
		if t.pre != nil {
			_, err = t.c.conn.Write(t.pre)
			t.pre = nil
			if err == nil {
				m.out.Add(int64(t.preCounted))
			}
		}
		if err == nil {
			_, err = t.c.conn.Write(p)
			if err == nil {
				m.out.Add(int64(len(p)))
			}
		}
		t.c.flushMu.Unlock()
		if err != nil {
			t.dead = true
			t.c.kill()
		}
	}
	if m.alive() == 0 {
		return 0, errAllReplicasGone
	}
	return len(p), nil
}

func (m *multiWriter) alive() int {
	n := 0
	for _, t := range m.targets {
		if !t.dead {
			n++
		}
	}
	return n
}
