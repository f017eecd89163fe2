package replication

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"redoubt/internal/resp"
)

// The replica side of the link up to the start of the command stream:
// connect, handshake, PSYNC, and (for a full resync) receiving the RDB
// payload into a spool file. Each state has its own function; Sync walks
// them in order. Loading the payload and applying the stream belong to
// the server, which owns the keyspace.

// LinkState is the replica's view of its link, named as ROLE names it.
type LinkState int32

// Link states (Redis's repl_state, with the handshake sub-states folded).
const (
	LinkConnect LinkState = iota
	LinkConnecting
	LinkHandshake
	LinkTransfer
	LinkConnected
)

var linkStateNames = [...]string{"connect", "connecting", "handshake", "sync", "connected"}

// String is the ROLE name of the state.
func (s LinkState) String() string { return linkStateNames[s] }

// LinkConfig is what the handshake announces.
type LinkConfig struct {
	Addr       string
	User, Pass string // masteruser / masterauth
	ListenPort int64  // replica-announce-port, else our port
	AnnounceIP string // replica-announce-ip; empty = not sent
	// SyncIO bounds each handshake reply (Redis: 5 s); Timeout bounds
	// silence during the transfer (repl-timeout).
	SyncIO, Timeout time.Duration
	TempDir         string
	// Failover, when set, is asked just before PSYNC is sent whether a
	// coordinated failover is switching us over; then PSYNC carries a
	// fourth argument, FAILOVER, and FailoverDone learns the outcome:
	// accepted on +FULLRESYNC or +CONTINUE, otherwise not, with the
	// reason (no SYNC fallback is tried then).
	Failover     func() bool
	FailoverDone func(accepted bool, why string)
	// InBytes, when set, counts the payload bytes read from the master
	// (INFO total_net_repl_input_bytes).
	InBytes *atomic.Int64
	// DirectLoad, when set, is asked once the payload header arrives
	// whether to load straight from the socket (repl-diskless-load): then
	// no spool file is written and SyncResult.Body yields the RDB.
	DirectLoad func() bool
}

// Reasons a PSYNC FAILOVER failed, as Redis logs them.
const (
	FailoverWriteError = "Write error to failover target"
	FailoverRejected   = "Failover target rejected psync request"
)

// ErrFailoverRejected ends a sync attempt whose PSYNC FAILOVER was not
// accepted.
var ErrFailoverRejected = errors.New(FailoverRejected)

// SyncResult is where the handshake left us.
type SyncResult struct {
	Conn net.Conn
	// R holds what was read past the payload: the start of the stream.
	R *bufio.Reader
	// Full is true after +FULLRESYNC (or the SYNC fallback).
	Full   bool
	ReplID string // master replid; "" after +CONTINUE without an id
	Offset int64  // FULLRESYNC offset; -1 after a SYNC fallback
	// Payload is the spooled RDB, rewound; the caller removes it.
	Payload *os.File
	// Body replaces Payload when loading from the socket: it reads the
	// RDB bytes as they arrive; FinishBody consumes what the loader left.
	Body    io.Reader
	EOFMark bool
}

// FinishBody reads the rest of a socket payload (the loader may stop
// before the EOF mark), so that the stream starts where it should.
func (r *SyncResult) FinishBody() error {
	if b, ok := r.Body.(*payloadBody); ok {
		return b.drain()
	}
	return nil
}

// Link drives one connection attempt at a time. Progress counters are
// atomics so INFO can read them without stopping the transfer.
type Link struct {
	Cfg       LinkConfig
	state     atomic.Int32
	SyncTotal atomic.Int64 // -1 before the $ line, 0 in EOF mode
	SyncRead  atomic.Int64
	LastIO    atomic.Int64 // unix ms of the last byte from the master
}

// ErrTransient marks PSYNC answers after which Redis just retries later.
var ErrTransient = errors.New("master not ready")

// State is the current state.
func (l *Link) State() LinkState { return LinkState(l.state.Load()) }

// SetState is for the owner (CONNECTED once the payload is loaded,
// CONNECT after a loss).
func (l *Link) SetState(s LinkState) { l.state.Store(int32(s)) }

// Sync runs connect → handshake → psync → transfer. cachedID/cachedOff
// describe the cached master ("" for none). On error the connection is
// closed and the state is CONNECT.
func (l *Link) Sync(ctx context.Context, cachedID string, cachedOff int64) (*SyncResult, error) {
	l.SetState(LinkConnecting)
	conn, err := l.connect(ctx)
	if err != nil {
		l.SetState(LinkConnect)
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	res := &SyncResult{Conn: conn, R: bufio.NewReaderSize(conn, 64*1024)}
	l.SetState(LinkHandshake)
	err = l.handshake(res)
	if err == nil {
		err = l.psync(res, cachedID, cachedOff)
	}
	if err == nil && res.Full {
		l.SetState(LinkTransfer)
		err = l.transfer(res)
	}
	if err != nil {
		conn.Close()
		if res.Payload != nil {
			res.Payload.Close()
			os.Remove(res.Payload.Name())
		}
		l.SetState(LinkConnect)
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return res, nil
}

// connect opens the TCP connection (Redis: non-blocking connect, the
// CONNECTING state).
func (l *Link) connect(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: l.Cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", l.Cfg.Addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	l.LastIO.Store(time.Now().UnixMilli())
	return conn, nil
}

// handshake: PING alone and wait; then AUTH (if masterauth), REPLCONF
// listening-port (always), REPLCONF ip-address (if announced) and
// REPLCONF capa eof capa psync2, written back to back, replies read in
// order. PING accepts +anything or an auth/permission error (the AUTH
// that follows fixes it); AUTH must not fail; REPLCONF errors are ignored.
func (l *Link) handshake(res *SyncResult) error {
	if err := l.send(res, "PING"); err != nil {
		return err
	}
	line, err := l.readLine(res, l.Cfg.SyncIO)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "-NOAUTH") &&
		!strings.HasPrefix(line, "-NOPERM") && !strings.HasPrefix(line, "-ERR operation not permitted") {
		return fmt.Errorf("Error reply to PING from master: '%s'", line)
	}
	var b []byte
	authed := l.Cfg.Pass != ""
	if authed {
		if l.Cfg.User != "" {
			b = resp.AppendCommand(b, []byte("AUTH"), []byte(l.Cfg.User), []byte(l.Cfg.Pass))
		} else {
			b = resp.AppendCommand(b, []byte("AUTH"), []byte(l.Cfg.Pass))
		}
	}
	n := 2
	b = resp.AppendCommand(b, []byte("REPLCONF"), []byte("listening-port"), []byte(strconv.FormatInt(l.Cfg.ListenPort, 10)))
	if l.Cfg.AnnounceIP != "" {
		b = resp.AppendCommand(b, []byte("REPLCONF"), []byte("ip-address"), []byte(l.Cfg.AnnounceIP))
		n++
	}
	b = resp.AppendCommand(b, []byte("REPLCONF"), []byte("capa"), []byte("eof"), []byte("capa"), []byte("psync2"))
	if _, err := res.Conn.Write(b); err != nil {
		return err
	}
	if authed {
		line, err := l.readLine(res, l.Cfg.SyncIO)
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "-") {
			return fmt.Errorf("Unable to AUTH to MASTER: %s", line)
		}
	}
	for i := 0; i < n; i++ {
		if _, err := l.readLine(res, l.Cfg.SyncIO); err != nil {
			return err
		}
	}
	return nil
}

// psync asks for PSYNC <cached id> <cached offset+1>, or "? -1" without
// a cached master, and reads the answer, skipping newline keepalives.
// -NOMASTERLINK/-LOADING mean retry later; any other error means the
// master predates PSYNC, so we fall back to SYNC on the same socket.
func (l *Link) psync(res *SyncResult, cachedID string, cachedOff int64) error {
	id, off := "?", "-1"
	if cachedID != "" {
		id, off = cachedID, strconv.FormatInt(cachedOff+1, 10)
	}
	args := []string{"PSYNC", id, off}
	failover := l.Cfg.Failover != nil && l.Cfg.Failover()
	if failover {
		args = append(args, "FAILOVER")
	}
	if err := l.send(res, args...); err != nil {
		if failover {
			l.Cfg.FailoverDone(false, FailoverWriteError)
		}
		return err
	}
	line, err := l.readLine(res, l.Cfg.Timeout)
	if failover {
		// The target either took over (and answered as a master does) or
		// the failover is off; a read error counts as a refusal.
		ok := err == nil && (strings.HasPrefix(line, "+FULLRESYNC") || strings.HasPrefix(line, "+CONTINUE"))
		if !ok {
			l.Cfg.FailoverDone(false, FailoverRejected)
			if err != nil {
				return err
			}
			return fmt.Errorf("%w: '%s'", ErrFailoverRejected, line)
		}
		l.Cfg.FailoverDone(true, "")
	}
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(line, "+FULLRESYNC"):
		f := strings.Fields(line)
		res.Full, res.Offset = true, -1
		if len(f) == 3 && len(f[1]) == 40 {
			res.ReplID = f[1]
			res.Offset, _ = strconv.ParseInt(f[2], 10, 64)
		}
		return nil
	case strings.HasPrefix(line, "+CONTINUE"):
		if f := strings.Fields(line); len(f) == 2 && len(f[1]) == 40 {
			res.ReplID = f[1]
		}
		return nil
	case strings.HasPrefix(line, "-NOMASTERLINK"), strings.HasPrefix(line, "-LOADING"):
		return fmt.Errorf("%w: %s", ErrTransient, line)
	case strings.HasPrefix(line, "-"):
		if _, err := res.Conn.Write([]byte("SYNC\r\n")); err != nil {
			return err
		}
		res.Full, res.Offset = true, -1
		return nil
	}
	return fmt.Errorf("unexpected reply to PSYNC from master: '%s'", line)
}

// transfer reads the payload header, $<len> or $EOF:<40-char mark>
// (after optional keepalive newlines), and spools the RDB to a temp
// file. The disk form has no trailing CRLF; the EOF form ends when the
// last 40 bytes received equal the mark, which is not part of the RDB.
func (l *Link) transfer(res *SyncResult) error {
	l.SyncTotal.Store(-1)
	l.SyncRead.Store(0)
	line, err := l.readLine(res, l.Cfg.Timeout)
	if err != nil {
		return err
	}
	mark, n, err := parsePayloadHeader(line)
	if err != nil {
		return err
	}
	res.EOFMark = mark != nil
	l.SyncTotal.Store(max(n, 0))
	if l.Cfg.DirectLoad != nil && l.Cfg.DirectLoad() {
		res.Body = newPayloadBody(l, res, n, mark)
		return nil
	}
	f, err := os.CreateTemp(l.Cfg.TempDir, "temp-repl-*.rdb")
	if err != nil {
		return err
	}
	res.Payload = f
	if mark != nil {
		err = l.readUntilMark(res, mark)
	} else {
		err = l.readN(res, n)
	}
	if err != nil {
		return err
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

// parsePayloadHeader reads "$EOF:<40-char mark>" (n = -1) or "$<len>"
// (mark = nil).
func parsePayloadHeader(line string) (mark []byte, n int64, err error) {
	if !strings.HasPrefix(line, "$") {
		return nil, 0, fmt.Errorf("Bad protocol from MASTER, the first byte is not '$' (we received '%s')", line)
	}
	if m, ok := strings.CutPrefix(line, "$EOF:"); ok {
		if len(m) != 40 {
			return nil, 0, fmt.Errorf("bad EOF mark from MASTER: '%s'", line)
		}
		return []byte(m), -1, nil
	}
	n, err = strconv.ParseInt(line[1:], 10, 64)
	if err != nil || n < 0 {
		return nil, 0, fmt.Errorf("bad payload length from MASTER: '%s'", line)
	}
	return nil, n, nil
}

func (l *Link) readN(res *SyncResult, n int64) error {
	buf := make([]byte, 64*1024)
	for n > 0 {
		res.Conn.SetReadDeadline(time.Now().Add(l.Cfg.Timeout))
		k, err := res.R.Read(buf[:min(int64(len(buf)), n)])
		if k > 0 {
			l.noteRead(k)
			if _, werr := res.Payload.Write(buf[:k]); werr != nil {
				return werr
			}
			n -= int64(k)
		}
		if err != nil && n > 0 {
			return err
		}
	}
	return nil
}

func (l *Link) readUntilMark(res *SyncResult, mark []byte) error {
	buf := make([]byte, 64*1024)
	var tail []byte // the last (up to) 40 bytes received
	var total int64
	for {
		res.Conn.SetReadDeadline(time.Now().Add(l.Cfg.Timeout))
		k, err := res.R.Read(buf)
		if k > 0 {
			l.noteRead(k)
			if _, werr := res.Payload.Write(buf[:k]); werr != nil {
				return werr
			}
			total += int64(k)
			tail = append(tail, buf[:k]...)
			if len(tail) > len(mark) {
				tail = tail[len(tail)-len(mark):]
			}
			if bytes.Equal(tail, mark) {
				return res.Payload.Truncate(total - int64(len(mark)))
			}
		}
		if err != nil {
			return err
		}
	}
}

func (l *Link) noteRead(k int) {
	l.SyncRead.Add(int64(k))
	if l.Cfg.InBytes != nil {
		l.Cfg.InBytes.Add(int64(k))
	}
	l.LastIO.Store(time.Now().UnixMilli())
}

func (l *Link) send(res *SyncResult, args ...string) error {
	var b []byte
	bs := make([][]byte, len(args))
	for i, a := range args {
		bs[i] = []byte(a)
	}
	b = resp.AppendCommand(b, bs...)
	res.Conn.SetWriteDeadline(time.Now().Add(l.Cfg.SyncIO))
	_, err := res.Conn.Write(b)
	return err
}

// readLine reads one reply line, skipping bare newlines (keepalives).
func (l *Link) readLine(res *SyncResult, timeout time.Duration) (string, error) {
	for {
		res.Conn.SetReadDeadline(time.Now().Add(timeout))
		s, err := res.R.ReadString('\n')
		if err != nil {
			return "", err
		}
		l.LastIO.Store(time.Now().UnixMilli())
		s = strings.TrimRight(s, "\r\n")
		if s != "" {
			return s, nil
		}
	}
}
