package sentinel

import (
	"bytes"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// monStartRedisOnPort starts a real redis-server on a given loopback port
// (to bring an instance back at its old address) and waits for PING.
func monStartRedisOnPort(t *testing.T, port int, extra ...string) *exec.Cmd {
	t.Helper()
	bin := testutil.RequireBinary(t, "redis-server")
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ln, err := net.Listen("tcp", addr) // the previous owner must be gone
		if err == nil {
			ln.Close()
			break
		}
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir()}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			c.Write([]byte("PING\r\n"))
			buf := make([]byte, 16)
			n, _ := c.Read(buf)
			c.Close()
			if bytes.HasPrefix(buf[:n], []byte("+PONG")) {
				return cmd
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("redis-server on %d did not start", port)
	return nil
}
