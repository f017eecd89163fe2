package testutil

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// RespError is an error reply (the text after '-').
type RespError string

func (e RespError) Error() string { return string(e) }

// Client is a minimal RESP2/RESP3 client for harness code that must not
// depend on a test (benchmarks use it too). Replies are decoded into
// string (simple, bulk, verbatim, double, big number), int64, bool,
// []any (array, set, push, and maps flattened key, value, ...), nil, or
// RespError.
type Client struct {
	nc      net.Conn
	br      *bufio.Reader
	Timeout time.Duration
}

// DialClient connects to addr within timeout.
func DialClient(addr string, timeout time.Duration) (*Client, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &Client{nc: nc, br: bufio.NewReader(nc), Timeout: 2 * time.Second}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }

// Do sends one command and reads its reply. An error reply is returned as
// the value (RespError) and as the error.
func (c *Client) Do(args ...string) (any, error) {
	if err := c.Send(args...); err != nil {
		return nil, err
	}
	return c.Read(c.Timeout)
}

// Send writes one command without reading a reply.
func (c *Client) Send(args ...string) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.Timeout))
	_, err := c.nc.Write(Encode(args...))
	return err
}

// Read reads one reply within timeout (0 = no deadline).
func (c *Client) Read(timeout time.Duration) (any, error) {
	if timeout > 0 {
		c.nc.SetReadDeadline(time.Now().Add(timeout))
	} else {
		c.nc.SetReadDeadline(time.Time{})
	}
	v, err := decodeValue(c.br)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(RespError); ok {
		return e, e
	}
	return v, nil
}

func decodeValue(br *bufio.Reader) (any, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', ',', '(':
		return body, nil
	case '-':
		return RespError(body), nil
	case '_':
		return nil, nil
	case '#':
		return body == "t", nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(br, buf); err != nil {
			return nil, err
		}
		s := string(buf[:n])
		if line[0] == '=' && len(s) >= 4 {
			s = s[4:] // drop the "txt:" format prefix
		}
		if line[0] == '!' {
			return RespError(s), nil
		}
		return s, nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := decodeValue(br)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if line[0] == '|' { // attributes precede the real reply
			return decodeValue(br)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line)
}

// Query dials addr, runs one command and closes the connection.
func Query(addr string, args ...string) (any, error) {
	c, err := DialClient(addr, time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Do(args...)
}

// PairsOf turns a flat key/value array (an instance map in RESP2, or a
// RESP3 map decoded by Client) into a Go map; nil if v is not one.
func PairsOf(v any) map[string]string {
	arr, ok := v.([]any)
	if !ok || len(arr)%2 != 0 {
		return nil
	}
	m := make(map[string]string, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		k, ok := arr[i].(string)
		if !ok {
			return nil
		}
		m[k] = fmt.Sprint(arr[i+1])
	}
	return m
}

// InfoFields parses an INFO text into field -> value.
func InfoFields(info string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(info, "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" || l[0] == '#' {
			continue
		}
		if i := strings.IndexByte(l, ':'); i > 0 {
			m[l[:i]] = l[i+1:]
		}
	}
	return m
}

// Info runs INFO [section] on addr and returns its fields.
func Info(addr string, section ...string) (map[string]string, error) {
	v, err := Query(addr, append([]string{"INFO"}, section...)...)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("INFO reply %T", v)
	}
	return InfoFields(s), nil
}

// MasterAddrByName asks the sentinel at addr for SENTINEL
// GET-MASTER-ADDR-BY-NAME name and returns "ip:port".
func MasterAddrByName(addr, name string) (string, error) {
	v, err := Query(addr, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)
	if err != nil {
		return "", err
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return "", fmt.Errorf("GET-MASTER-ADDR-BY-NAME reply %#v", v)
	}
	return fmt.Sprintf("%v:%v", arr[0], arr[1]), nil
}

// SentinelMaps runs a SENTINEL subcommand that answers an array of
// instance maps (MASTERS, REPLICAS, SENTINELS) and decodes each map.
func SentinelMaps(addr string, args ...string) ([]map[string]string, error) {
	v, err := Query(addr, append([]string{"SENTINEL"}, args...)...)
	if err != nil {
		return nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("SENTINEL %v reply %#v", args, v)
	}
	var out []map[string]string
	for _, e := range arr {
		m := PairsOf(e)
		if m == nil {
			return nil, fmt.Errorf("SENTINEL %v element %#v", args, e)
		}
		out = append(out, m)
	}
	return out, nil
}
