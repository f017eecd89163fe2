package resp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// This file is the client side of RESP: a small connection for talking to
// Redis-like servers (a sentinel's links to data nodes and peers, proposal
// forwarding between sentinels). It reads RESP2 and RESP3 replies with
// limits, so a node that answers garbage or absurd lengths costs an error,
// never a stall or a huge allocation.
//
// Usage:
//
//	c, err := resp.Dial(ctx, "127.0.0.1:6379", time.Second)
//	v, err := c.Do("PING")          // v.Type == '+', v.Str == "PONG"
//	vs, err := c.Pipeline([][]string{{"MULTI"}, {"EXEC"}})
//
// An error reply is not a Go error: Do returns it as a Value with Type '-'
// (see Value.Err). The returned error is reserved for I/O, timeouts and
// malformed replies; after one the connection should be closed.

// Client-side reply limits.
const (
	// ClientMaxBulk is the largest bulk string a reply may carry (Redis
	// allows 512 MB; nothing a sentinel reads comes close).
	ClientMaxBulk = 64 << 20
	// ClientMaxElems is the largest aggregate (array, map, set) length.
	ClientMaxElems = 1 << 20
	// ClientMaxDepth is how deeply aggregates may nest.
	ClientMaxDepth = 16
	// clientMaxLine is the longest type/length line or simple string.
	clientMaxLine = 64 * 1024
)

// ErrBadReply is wrapped by every malformed-reply error.
var ErrBadReply = errors.New("resp: malformed reply")

// Value is one decoded reply.
//
//   - Type is the RESP type byte: '+' simple, '-' error, ':' integer,
//     '$' bulk, '*' array, and the RESP3 types '_' null, '#' boolean,
//     ',' double, '(' big number, '=' verbatim, '!' bulk error, '%' map,
//     '~' set, '>' push.
//   - Str holds simple/bulk/verbatim/double/big-number/error text (the
//     error text without the leading '-'; verbatim without its "txt:").
//   - Int holds integers and booleans (1/0).
//   - Array holds aggregates; a map is flattened key, value, key, value.
//   - IsNull marks $-1, *-1 and _.
type Value struct {
	Type   byte
	Str    string
	Int    int64
	Array  []Value
	IsNull bool
}

// IsError reports an error reply ('-' or '!').
func (v Value) IsError() bool { return v.Type == '-' || v.Type == '!' }

// Err returns the error reply as a Go error, or nil.
func (v Value) Err() error {
	if v.IsError() {
		return ReplyError(v.Str)
	}
	return nil
}

// ReplyError is an error reply's text (e.g. "ERR unknown command ...").
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

// Client is one connection. It is not safe for concurrent use.
type Client struct {
	nc net.Conn
	br *bufio.Reader
	bw *bufio.Writer
	// Timeout bounds each Do/Pipeline call (write and read); 0 = none.
	Timeout time.Duration
}

// Dial connects to addr within timeout (also the default per-call
// Timeout), honouring ctx cancellation while connecting.
func Dial(ctx context.Context, addr string, timeout time.Duration) (*Client, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewClient(nc, timeout), nil
}

// NewClient wraps an established connection.
func NewClient(nc net.Conn, timeout time.Duration) *Client {
	return &Client{nc: nc, br: bufio.NewReaderSize(nc, clientMaxLine+2), bw: bufio.NewWriter(nc), Timeout: timeout}
}

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }

// Conn exposes the underlying connection (e.g. for its local address).
func (c *Client) Conn() net.Conn { return c.nc }

// Do sends one command and reads its reply.
func (c *Client) Do(args ...string) (Value, error) {
	vs, err := c.Pipeline([][]string{args})
	if err != nil {
		return Value{}, err
	}
	return vs[0], nil
}

// Pipeline writes every command in one flush, then reads one reply per
// command. On an error the replies read so far are returned with it.
func (c *Client) Pipeline(cmds [][]string) ([]Value, error) {
	if c.Timeout > 0 {
		c.nc.SetDeadline(time.Now().Add(c.Timeout))
	} else {
		c.nc.SetDeadline(time.Time{})
	}
	for _, args := range cmds {
		writeCommand(c.bw, args)
	}
	if err := c.bw.Flush(); err != nil {
		return nil, err
	}
	out := make([]Value, 0, len(cmds))
	for range cmds {
		v, err := ReadValue(c.br)
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Idle waits up to d while no reply is expected, to notice at once when
// the server closes the connection. It returns nil if the connection is
// still open after d, the read error if it was closed, or an ErrBadReply
// error if the server sent something nobody asked for.
func (c *Client) Idle(d time.Duration) error {
	c.nc.SetReadDeadline(time.Now().Add(d))
	_, err := c.br.Peek(1)
	if err == nil {
		return badReply("unsolicited data")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	return err
}

// writeCommand encodes args as a multibulk request.
func writeCommand(w *bufio.Writer, args []string) {
	w.WriteByte('*')
	w.WriteString(strconv.Itoa(len(args)))
	w.WriteString("\r\n")
	for _, a := range args {
		w.WriteByte('$')
		w.WriteString(strconv.Itoa(len(a)))
		w.WriteString("\r\n")
		w.WriteString(a)
		w.WriteString("\r\n")
	}
}

// ReadValue reads one reply from r with the client limits. r's buffer
// must hold at least 64 KiB + 2 bytes for the longest accepted line.
func ReadValue(r *bufio.Reader) (Value, error) {
	return readValue(r, 0)
}

func badReply(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadReply}, a...)...)
}

// readLine returns one CRLF-terminated line without the CRLF.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", badReply("line longer than %d bytes", clientMaxLine)
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if len(line) > clientMaxLine+2 {
		return "", badReply("line longer than %d bytes", clientMaxLine)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return "", badReply("line not terminated by CRLF")
	}
	return string(line[:len(line)-2]), nil
}

// readLen parses a length field: -1 (null) up to max.
func readLen(s string, max int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1 {
		return 0, badReply("invalid length %q", s)
	}
	if n > max {
		return 0, badReply("length %d over the limit %d", n, max)
	}
	return n, nil
}

func readValue(r *bufio.Reader, depth int) (Value, error) {
	if depth > ClientMaxDepth {
		return Value{}, badReply("nesting deeper than %d", ClientMaxDepth)
	}
	line, err := readLine(r)
	if err != nil {
		return Value{}, err
	}
	if line == "" {
		return Value{}, badReply("empty line")
	}
	t, body := line[0], line[1:]
	v := Value{Type: t}
	switch t {
	case '+', '-', ',', '(':
		v.Str = body
	case ':':
		if v.Int, err = strconv.ParseInt(body, 10, 64); err != nil {
			return Value{}, badReply("invalid integer %q", body)
		}
	case '#':
		switch body {
		case "t":
			v.Int = 1
		case "f":
		default:
			return Value{}, badReply("invalid boolean %q", body)
		}
	case '_':
		if body != "" {
			return Value{}, badReply("invalid null")
		}
		v.IsNull = true
	case '$', '=', '!':
		n, err := readLen(body, ClientMaxBulk)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			v.IsNull = true
			return v, nil
		}
		s, err := readBulk(r, n)
		if err != nil {
			return Value{}, err
		}
		if t == '=' {
			if len(s) < 4 || s[3] != ':' {
				return Value{}, badReply("verbatim string without format")
			}
			s = s[4:]
		}
		v.Str = s
	case '*', '%', '~', '>':
		n, err := readLen(body, ClientMaxElems)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			v.IsNull = true
			return v, nil
		}
		if t == '%' {
			n *= 2
		}
		v.Array = make([]Value, 0, min(n, 64))
		for i := int64(0); i < n; i++ {
			e, err := readValue(r, depth+1)
			if err != nil {
				return Value{}, err
			}
			v.Array = append(v.Array, e)
		}
	case '|':
		// Attributes (a map) describe the reply that follows: skip them.
		n, err := readLen(body, ClientMaxElems)
		if err != nil || n < 0 {
			return Value{}, badReply("invalid attribute length %q", body)
		}
		for i := int64(0); i < 2*n; i++ {
			if _, err := readValue(r, depth+1); err != nil {
				return Value{}, err
			}
		}
		return readValue(r, depth+1)
	default:
		return Value{}, badReply("unknown type byte %q", t)
	}
	return v, nil
}

// readBulk reads n bytes and the trailing CRLF, growing its buffer only
// as data actually arrives.
func readBulk(r *bufio.Reader, n int64) (string, error) {
	const chunk = 64 * 1024
	buf := make([]byte, 0, min(n, chunk))
	for int64(len(buf)) < n {
		want := min(n-int64(len(buf)), chunk)
		start := len(buf)
		buf = append(buf, make([]byte, want)...)
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
	var crlf [2]byte
	if _, err := io.ReadFull(r, crlf[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return "", err
	}
	if crlf != [2]byte{'\r', '\n'} {
		return "", badReply("bulk not terminated by CRLF")
	}
	return string(buf), nil
}
