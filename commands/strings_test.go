package commands

import "testing"

func TestGetSetRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.expect("$-1\r\n", "GET", "k")
	h.expect("+OK\r\n", "SET", "k", "v")
	h.expect("$1\r\nv\r\n", "get", "k")
	if got := h.lastProp(); got != "SET k v" {
		t.Fatalf("propagated %q", got)
	}
	h.expect("-ERR wrong number of arguments for 'get' command\r\n", "GET")
}
