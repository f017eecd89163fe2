package server

import (
	"bufio"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"redoubt/internal/testutil"
)

// fakeMaster accepts our replica's connections and speaks the master
// side by hand.
type fakeMaster struct {
	t  *testing.T
	ln net.Listener
	nc net.Conn
	br *bufio.Reader
}

func newFakeMaster(t *testing.T) *fakeMaster {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeMaster{t: t, ln: ln}
}

func (m *fakeMaster) port() string { return strconv.Itoa(m.ln.Addr().(*net.TCPAddr).Port) }

func (m *fakeMaster) accept() {
	m.t.Helper()
	m.ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	nc, err := m.ln.Accept()
	if err != nil {
		m.t.Fatal(err)
	}
	m.t.Cleanup(func() { nc.Close() })
	m.nc, m.br = nc, bufio.NewReader(nc)
}

// expect reads exactly want from the replica.
func (m *fakeMaster) expect(want string) {
	m.t.Helper()
	m.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(m.br, got); err != nil || string(got) != want {
		m.t.Fatalf("replica sent %q (%v), want %q", got, err, want)
	}
}

func (m *fakeMaster) write(s string) { m.nc.Write([]byte(s)) }

// acks collects the REPLCONF ACK offsets the replica sends within d.
func (m *fakeMaster) acks(d time.Duration) []int64 {
	var out []int64
	end := time.Now().Add(d)
	for {
		m.nc.SetReadDeadline(end)
		line, err := m.br.ReadString('\n')
		if err != nil {
			return out
		}
		if strings.HasPrefix(line, "*3") {
			var parts []string
			for i := 0; i < 6; i++ {
				l, _ := m.br.ReadString('\n')
				parts = append(parts, strings.TrimSpace(l))
			}
			n, _ := strconv.ParseInt(parts[5], 10, 64)
			out = append(out, n)
		}
	}
}

// minimalRDB is the smallest payload a 7.0 replica accepts: REDIS0010,
// EOF, a zero (unchecked) CRC.
const minimalRDB = "REDIS0010\xff\x00\x00\x00\x00\x00\x00\x00\x00"

var masterID = strings.Repeat("a", 40)

func cmd(args ...string) string { return string(testutil.Encode(args...)) }

// The handshake is Redis's byte for byte; GETACK is answered with the
// offset before its own bytes, the offset stays frozen inside MULTI; a
// dropped link comes back with PSYNC <id> <offset+1>; a corrupt payload
// leaves the old data in place.
func TestReplicaHandshakeOffsetsAndReconnect(t *testing.T) {
	m := newFakeMaster(t)
	_, addr := startInProcess(t, "--replicaof", "127.0.0.1", m.port(), "--masteruser", "repluser",
		"--masterauth", "s3cret", "--replica-announce-ip", "10.1.2.3", "--replica-announce-port", "7777",
		"--dir", t.TempDir())
	m.accept()
	m.expect(cmd("PING"))
	m.write("+PONG\r\n")
	m.expect(cmd("AUTH", "repluser", "s3cret") + cmd("REPLCONF", "listening-port", "7777") +
		cmd("REPLCONF", "ip-address", "10.1.2.3") + cmd("REPLCONF", "capa", "eof", "capa", "psync2"))
	m.write("+OK\r\n+OK\r\n+OK\r\n+OK\r\n")
	m.expect(cmd("PSYNC", "?", "-1"))
	mark := strings.Repeat("0123456789", 4)
	m.write("\n\n+FULLRESYNC " + masterID + " 100\r\n$EOF:" + mark + "\r\n" + minimalRDB + mark)
	m.expect(cmd("REPLCONF", "ACK", "100"))

	m.write(cmd("SELECT", "0") + cmd("SET", "a", "1") + cmd("REPLCONF", "GETACK", "*"))
	if got := m.acks(300 * time.Millisecond); !containsOnly(got, []int64{150}, []int64{150, 187}) {
		t.Fatalf("acks after GETACK: %v", got)
	}
	m.write(cmd("PING") + cmd("MULTI") + cmd("SET", "b", "2") + cmd("REPLCONF", "GETACK", "*") + cmd("EXEC") +
		cmd("REPLCONF", "GETACK", "*"))
	if got := m.acks(300 * time.Millisecond); !containsOnly(got, []int64{201, 294}, []int64{187, 201, 294, 331}) {
		t.Fatalf("acks after MULTI: %v", got)
	}
	c := testutil.Dial(t, addr)
	defer c.Close()
	if got := c.Do("MGET", "a", "b"); got != "*2\r\n$1\r\n1\r\n$1\r\n2\r\n" {
		t.Fatalf("MGET: %q", got)
	}
	if got := infoField(t, c, "replication", "slave_repl_offset"); got != "331" {
		t.Fatalf("slave_repl_offset %s", got)
	}
	if got := infoField(t, c, "replication", "master_replid"); got != masterID {
		t.Fatalf("master_replid %s", got)
	}

	// Link lost: the replica comes back asking to continue at 332.
	m.nc.Close()
	m.accept()
	m.expect(cmd("PING"))
	m.write("+PONG\r\n")
	m.br.Discard(len(cmd("AUTH", "repluser", "s3cret") + cmd("REPLCONF", "listening-port", "7777") +
		cmd("REPLCONF", "ip-address", "10.1.2.3") + cmd("REPLCONF", "capa", "eof", "capa", "psync2")))
	m.write("+OK\r\n+OK\r\n+OK\r\n+OK\r\n")
	m.expect(cmd("PSYNC", masterID, "332"))
	m.write("+CONTINUE " + masterID + "\r\n")
	m.expect(cmd("REPLCONF", "ACK", "331"))

	// A corrupt full sync: the link drops and the data stays.
	m.nc.Close()
	m.accept()
	m.expect(cmd("PING"))
	m.write("+PONG\r\n")
	m.acks(200 * time.Millisecond)
	m.write("+OK\r\n+OK\r\n+OK\r\n+OK\r\n")
	m.write("+FULLRESYNC " + strings.Repeat("b", 40) + " 7\r\n$18\r\nREDIS0010\xfe\xff\x00\x00\x00\x00\x00\x00\x00")
	m.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, m.br); err != nil {
		t.Fatalf("replica kept a link that sent a corrupt payload: %v", err)
	}
	if got := c.Do("MGET", "a", "b"); got != "*2\r\n$1\r\n1\r\n$1\r\n2\r\n" {
		t.Fatalf("MGET after a bad payload: %q", got)
	}
}

// containsOnly reports whether got holds every value of need and
// nothing outside allowed (periodic ACKs may slip in between).
func containsOnly(got, need, allowed []int64) bool {
	ok := map[int64]bool{}
	for _, v := range allowed {
		ok[v] = true
	}
	seen := map[int64]bool{}
	for _, v := range got {
		if !ok[v] {
			return false
		}
		seen[v] = true
	}
	for _, v := range need {
		if !seen[v] {
			return false
		}
	}
	return sort.SliceIsSorted(need, func(i, j int) bool { return need[i] < need[j] })
}

// With replica-serve-stale-data no and the link down, commands without
// the stale flag get -MASTERDOWN; INFO and ROLE still answer, ROLE with
// offset -1.
func TestStaleReplicaRefusesDataCommands(t *testing.T) {
	port := strconv.Itoa(testutil.FreePort(t))
	_, addr := startInProcess(t, "--replicaof", "127.0.0.1", port, "--replica-serve-stale-data", "no")
	c := testutil.Dial(t, addr)
	defer c.Close()
	if got := c.Do("GET", "k"); got != "-"+errMasterDown+"\r\n" {
		t.Fatalf("GET: %q", got)
	}
	if got := c.Do("SET", "k", "v"); got != "-"+errReadOnly+"\r\n" {
		t.Fatalf("SET: %q", got)
	}
	got := c.Do("ROLE")
	if !strings.HasPrefix(got, "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:"+port+"\r\n") || !strings.HasSuffix(got, ":-1\r\n") {
		t.Fatalf("ROLE: %q", got)
	}
	if got := infoField(t, c, "replication", "master_link_status"); got != "down" {
		t.Fatalf("link %s", got)
	}
	if got := infoField(t, c, "replication", "slave_repl_offset"); got != "1" {
		t.Fatalf("slave_repl_offset %s", got)
	}
}
