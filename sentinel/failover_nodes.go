package sentinel

import (
	"context"
	"strconv"
	"sync"
	"time"

	"redoubt/internal/resp"
)

// The failover driver's own connections to data nodes: the promotion and
// reconfiguration transactions, and quick INFO polls while it waits for a
// node to change. They are separate from the monitor's links so a
// failover never waits behind a link's PING to a hung node.

// foAuth is how to talk to a master's instances.
type foAuth struct {
	User, Pass string
	Rename     map[string]string
}

func foAuthOf(m *Master) foAuth {
	return foAuth{User: m.AuthUser, Pass: m.AuthPass, Rename: m.RenameCommands}
}

// foNodes is the I/O the driver does; tests substitute a fake.
type foNodes interface {
	// reconfigure sends the reconfiguration transaction to addr: make it
	// a master when to is zero, else a replica of to.
	reconfigure(ctx context.Context, addr Addr, auth foAuth, to Addr) error
	// info reads addr's INFO.
	info(ctx context.Context, addr Addr, auth foAuth) (string, error)
}

// reconfTxn is the exact transaction Redis Sentinel pipelines to promote
// or repoint a node: inside MULTI/EXEC, SLAVEOF (NO ONE or the new
// master), CONFIG REWRITE so the node's own config file agrees, and a
// kill of its normal and pub/sub clients so they reconnect and discover
// the new topology. Every name goes through rename-command; replies are
// ignored (INFO tells what happened).
func reconfTxn(rename map[string]string, to Addr) [][]string {
	slaveof := []string{renameCmd(rename, "SLAVEOF"), "NO", "ONE"}
	if !to.IsZero() {
		slaveof = []string{renameCmd(rename, "SLAVEOF"), to.IP, strconv.Itoa(to.Port)}
	}
	client := renameCmd(rename, "CLIENT")
	return [][]string{
		{renameCmd(rename, "MULTI")},
		slaveof,
		{renameCmd(rename, "CONFIG"), "REWRITE"},
		{client, "KILL", "TYPE", "normal"},
		{client, "KILL", "TYPE", "pubsub"},
		{renameCmd(rename, "EXEC")},
	}
}

// foCallTimeout bounds one exchange with a node.
const foCallTimeout = time.Second

// foDialer keeps one connection per node, redialled on failure.
type foDialer struct {
	name  string
	mu    sync.Mutex
	conns map[Addr]*foConn
}

type foConn struct {
	mu sync.Mutex
	c  *resp.Client
}

func newFoDialer(myID string) *foDialer {
	id := myID
	if len(id) > 8 {
		id = id[:8]
	}
	return &foDialer{name: "sentinel-" + id + "-cmd", conns: map[Addr]*foConn{}}
}

// do runs cmds on addr's connection. A failure on a connection that was
// already open (it may have been killed since) is retried once on a new
// one.
func (d *foDialer) do(ctx context.Context, addr Addr, auth foAuth, cmds [][]string) ([]resp.Value, error) {
	d.mu.Lock()
	fc := d.conns[addr]
	if fc == nil {
		fc = &foConn{}
		d.conns[addr] = fc
	}
	d.mu.Unlock()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for attempt := 0; ; attempt++ {
		reused := fc.c != nil
		if fc.c == nil {
			c, err := resp.Dial(ctx, addr.String(), foCallTimeout)
			if err != nil {
				return nil, err
			}
			hello := append(authCmds(auth.Rename, auth.User, auth.Pass), []string{renameCmd(auth.Rename, "CLIENT"), "SETNAME", d.name})
			if _, err := c.Pipeline(hello); err != nil {
				c.Close()
				return nil, err
			}
			fc.c = c
		}
		vs, err := fc.c.Pipeline(cmds)
		if err == nil {
			return vs, nil
		}
		fc.c.Close()
		fc.c = nil
		if !reused || attempt > 0 || ctx.Err() != nil {
			return nil, err
		}
	}
}

func (d *foDialer) reconfigure(ctx context.Context, addr Addr, auth foAuth, to Addr) error {
	_, err := d.do(ctx, addr, auth, reconfTxn(auth.Rename, to))
	return err
}

func (d *foDialer) info(ctx context.Context, addr Addr, auth foAuth) (string, error) {
	vs, err := d.do(ctx, addr, auth, [][]string{{renameCmd(auth.Rename, "INFO")}})
	if err != nil {
		return "", err
	}
	if err := vs[0].Err(); err != nil {
		return "", err
	}
	return vs[0].Str, nil
}
