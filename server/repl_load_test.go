package server

import (
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// readCommand reads one RESP array from the replica and returns its
// arguments.
func (m *fakeMaster) readCommand() []string {
	m.t.Helper()
	m.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := m.br.ReadString('\n')
		if err != nil {
			m.t.Fatal(err)
		}
		if line == "\n" {
			continue // a loading keepalive
		}
		n := 0
		for _, ch := range strings.TrimSpace(line[1:]) {
			n = n*10 + int(ch-'0')
		}
		var args []string
		for i := 0; i < n; i++ {
			m.br.ReadString('\n')
			a, _ := m.br.ReadString('\n')
			args = append(args, strings.TrimRight(a, "\r\n"))
		}
		return args
	}
}

// handshakeToPsync answers the handshake and returns once PSYNC arrived.
func (m *fakeMaster) handshakeToPsync() {
	m.t.Helper()
	m.accept()
	for {
		args := m.readCommand()
		switch strings.ToUpper(args[0]) {
		case "PING":
			m.write("+PONG\r\n")
		case "PSYNC":
			return
		default:
			m.write("+OK\r\n")
		}
	}
}

// A corrupt payload never costs a replica its data when it has data:
// swapdb parses into fresh databases and puts the old ones back,
// on-empty-db (with data) and disabled spool and check first. A good
// payload then replaces the data, in both transfer forms.
func TestDisklessLoadModesKeepDataOnBadPayload(t *testing.T) {
	good := minimalRDB
	bad := "REDIS0010\x99garbage"
	mark := strings.Repeat("5", 40)
	for _, mode := range []string{"swapdb", "on-empty-db", "disabled"} {
		for _, eof := range []bool{true, false} {
			payload := func(rdb string) string {
				if eof {
					return "$EOF:" + mark + "\r\n" + rdb + mark
				}
				return "$" + itoa(int64(len(rdb))) + "\r\n" + rdb
			}
			m := newFakeMaster(t)
			_, addr := startInProcess(t, "--repl-diskless-load", mode, "--dir", t.TempDir())
			c := testutil.Dial(t, addr)
			c.Do("SET", "keep", "me")
			if got := c.Do("REPLICAOF", "127.0.0.1", m.port()); got != "+OK\r\n" {
				t.Fatalf("REPLICAOF: %q", got)
			}
			m.handshakeToPsync()
			m.write("+FULLRESYNC " + masterID + " 7\r\n" + payload(bad))
			if !eof {
				m.nc.Close() // a disk-form payload that never completes
			}
			// The link drops and comes back; meanwhile the data is intact.
			m.handshakeToPsync()
			if got := c.Do("GET", "keep"); got != "$2\r\nme\r\n" {
				t.Fatalf("%s eof=%v: after a bad payload GET keep = %q", mode, eof, got)
			}
			m.write("+FULLRESYNC " + masterID + " 7\r\n" + payload(good))
			if got := m.readCommand(); strings.Join(got, " ") != "REPLCONF ACK 7" {
				t.Fatalf("%s eof=%v: after the good payload: %q", mode, eof, got)
			}
			if got := c.Do("DBSIZE"); got != ":0\r\n" {
				t.Fatalf("%s eof=%v: DBSIZE after the good payload %q", mode, eof, got)
			}
			c.Close()
		}
	}
}
