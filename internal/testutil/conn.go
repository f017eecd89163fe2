package testutil

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"
)

// Conn is a raw RESP connection: requests are encoded as multibulk and
// replies are returned as the exact bytes the server sent.
type Conn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

// Dial connects to addr.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &Conn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// Close closes the connection.
func (c *Conn) Close() { c.nc.Close() }

// Encode renders args as a RESP multibulk request.
func Encode(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

// Send writes raw bytes.
func (c *Conn) Send(raw []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// Do sends one command and returns the raw reply.
func (c *Conn) Do(args ...string) string {
	c.t.Helper()
	c.Send(Encode(args...))
	r, err := c.ReadReply(5 * time.Second)
	if err != nil {
		c.t.Fatalf("%v: reading reply: %v", args, err)
	}
	return r
}

// ReadReply reads one complete reply (any RESP2/RESP3 type) and returns
// its bytes.
func (c *Conn) ReadReply(timeout time.Duration) (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	defer c.nc.SetReadDeadline(time.Time{})
	var out []byte
	err := readValue(c.br, &out)
	return string(out), err
}

// ReadRaw reads whatever arrives within timeout.
func (c *Conn) ReadRaw(timeout time.Duration) string {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	defer c.nc.SetReadDeadline(time.Time{})
	buf := make([]byte, 65536)
	n, _ := c.br.Read(buf)
	return string(buf[:n])
}

func readValue(br *bufio.Reader, out *[]byte) error {
	line, err := br.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	if len(line) < 3 {
		return fmt.Errorf("short line %q", line)
	}
	body := string(line[1 : len(line)-2])
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(br, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
		return nil
	case '*', '~', '>':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := readValue(br, out); err != nil {
				return err
			}
		}
		return nil
	case '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil {
			return err
		}
		for i := 0; i < 2*n; i++ {
			if err := readValue(br, out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown reply type %q", line)
}

func ioReadFull(br *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := br.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
