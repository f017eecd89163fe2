package sentinel

import (
	"context"
	"strings"
	"sync"
	"time"

	"redoubt/internal/resp"
)

// A link is this sentinel's command connection to one data node (a master
// or one of its replicas): one goroutine per link, so a node that hangs or
// answers garbage only ever delays its own link.

// linkCfg is what the monitor tells a link on every reconcile.
type linkCfg struct {
	AuthUser, AuthPass string
	Rename             map[string]string
	DownAfter          time.Duration
	PingPeriod         time.Duration
	InfoPeriod         time.Duration
	IsMaster           bool
	RebootPeriod       time.Duration
}

// instLink is one master or replica link and this sentinel's view of it.
type instLink struct {
	mon    *Monitor
	master string
	addr   Addr

	mu        sync.Mutex
	cfg       linkCfg
	st        InstanceStatus
	created   time.Time
	lastAvail time.Time
	lostAt    time.Time // when a working connection was lost
	// scriptKillSent: SCRIPT KILL was sent to this -BUSY node already.
	scriptKillSent bool
	rebootSince    time.Time
	lastPingSent   time.Time

	poke   chan struct{} // ask for an INFO now
	cancel context.CancelFunc
	done   chan struct{}
}

// linkDialTimeout bounds connecting to a node.
const linkDialTimeout = time.Second

// renameCmd maps a command name through a master's rename-command table
// (keys are lower-case original names).
func renameCmd(rename map[string]string, name string) string {
	if n, ok := rename[strings.ToLower(name)]; ok && n != "" {
		return n
	}
	return name
}

// authCmds returns the AUTH command a link sends first, if any: the
// master's auth-pass (with auth-user when set) serves its replicas too.
func authCmds(rename map[string]string, user, pass string) [][]string {
	switch {
	case pass == "":
		return nil
	case user != "":
		return [][]string{{renameCmd(rename, "AUTH"), user, pass}}
	default:
		return [][]string{{renameCmd(rename, "AUTH"), pass}}
	}
}

func (l *instLink) config() linkCfg {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cfg
}

func (l *instLink) setConfig(c linkCfg) {
	l.mu.Lock()
	l.cfg = c
	l.mu.Unlock()
}

// status returns a copy of the link's view.
func (l *instLink) status() InstanceStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.st
	st.Replicas = append([]Addr(nil), l.st.Replicas...)
	return st
}

// requestInfo makes the link send INFO as soon as it can.
func (l *instLink) requestInfo() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

// run keeps the link connected until ctx ends. A session that ended
// after working a while (e.g. our connection was killed by CLIENT KILL)
// reconnects at once; otherwise reconnects are spaced by the ping period.
func (l *instLink) run(ctx context.Context) {
	defer close(l.done)
	for ctx.Err() == nil {
		began := time.Now()
		c, err := l.connect(ctx)
		if err == nil {
			l.session(ctx, c)
			c.Close()
		}
		l.mu.Lock()
		if l.st.Connected {
			l.lostAt = l.mon.env.clock.Now()
		}
		l.st.Connected = false
		l.mu.Unlock()
		if err == nil && time.Since(began) > time.Second {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(l.config().PingPeriod):
		}
	}
}

// connect dials the node and names the connection; AUTH and SETNAME
// replies are not judged here (a refused AUTH shows as failing PINGs).
func (l *instLink) connect(ctx context.Context) (*resp.Client, error) {
	cfg := l.config()
	c, err := resp.Dial(ctx, l.addr.String(), linkDialTimeout)
	if err != nil {
		return nil, err
	}
	cmds := authCmds(cfg.Rename, cfg.AuthUser, cfg.AuthPass)
	cmds = append(cmds, []string{renameCmd(cfg.Rename, "CLIENT"), "SETNAME", l.mon.clientName()})
	if _, err := c.Pipeline(cmds); err != nil {
		c.Close()
		return nil, err
	}
	l.mu.Lock()
	l.st.Connected = true
	l.mu.Unlock()
	return c, nil
}

// session pings and reads INFO on an open connection until an I/O error,
// a configuration change that needs a new connection, or ctx's end.
func (l *instLink) session(ctx context.Context, c *resp.Client) {
	cfg := l.config()
	var lastInfo time.Time
	infoNow := true
	// A new connection pings at once: a PING left unanswered by the
	// previous one (killed by CLIENT KILL, say) must not wait a whole
	// period for its successor, or a healthy node would turn SDOWN.
	l.mu.Lock()
	l.lastPingSent = time.Time{}
	l.mu.Unlock()
	for ctx.Err() == nil {
		cur := l.config()
		if cur.AuthUser != cfg.AuthUser || cur.AuthPass != cfg.AuthPass {
			return
		}
		cfg = cur
		// The reply deadline: a node silent for down-after is dropped
		// and redialled (its PING stays pending, so SDOWN still counts
		// from the first one).
		c.Timeout = max(cfg.DownAfter, time.Second)
		now := time.Now()
		l.mu.Lock()
		sincePing := now.Sub(l.lastPingSent)
		l.mu.Unlock()
		if sincePing >= cfg.PingPeriod {
			if err := l.ping(c, cfg); err != nil {
				return
			}
		}
		if infoNow || now.Sub(lastInfo) >= cfg.InfoPeriod {
			infoNow = false
			lastInfo = now
			if err := l.info(c, cfg); err != nil {
				return
			}
		}
		// Between requests the connection is watched, so a node that
		// dies is noticed at once rather than at the next PING.
		select {
		case <-ctx.Done():
			return
		case <-l.poke:
			infoNow = true
			continue
		default:
		}
		if err := c.Idle(min(cfg.PingPeriod, cfg.InfoPeriod, 100*time.Millisecond)); err != nil {
			return
		}
	}
}

// ping sends one PING and records the reply.
func (l *instLink) ping(c *resp.Client, cfg linkCfg) error {
	now := l.mon.env.clock.Now()
	l.mu.Lock()
	l.lastPingSent = time.Now()
	if l.st.PingPendingSince.IsZero() {
		l.st.PingPendingSince = now
	}
	l.mu.Unlock()
	v, err := c.Do(renameCmd(cfg.Rename, "PING"))
	if err != nil {
		return err
	}
	now = l.mon.env.clock.Now()
	l.mu.Lock()
	l.st.LastPingReply = now
	if acceptablePing(v.Type, v.Str) {
		l.st.LastOKPingReply, l.lastAvail = now, now
		l.st.PingPendingSince = time.Time{}
		l.scriptKillSent = false
		if v.Type == '+' {
			l.rebootSince = time.Time{}
		}
	}
	// A node that is down for us because a script keeps it -BUSY gets
	// one SCRIPT KILL (the script may be read-only and killable).
	killScript := v.Type == '-' && hasPrefixFold(v.Str, "BUSY") && l.st.SDown && !l.scriptKillSent
	if killScript {
		l.scriptKillSent = true
	}
	l.mu.Unlock()
	if killScript {
		if _, err := c.Do(renameCmd(cfg.Rename, "SCRIPT"), "KILL"); err != nil {
			return err
		}
	}
	return nil
}

// info sends INFO and folds the reply into the status, announcing a
// reboot (new run id) and role changes.
func (l *instLink) info(c *resp.Client, cfg linkCfg) error {
	v, err := c.Do(renameCmd(cfg.Rename, "INFO"))
	if err != nil {
		return err
	}
	if v.Type != '$' && v.Type != '=' {
		return nil // an error reply (NOAUTH...): nothing learnt
	}
	in := parseLinkInfo(v.Str)
	now := l.mon.env.clock.Now()
	l.mu.Lock()
	prevRun := l.st.RunID
	prevRole := l.st.Role
	if prevRole == "" {
		prevRole = map[bool]string{true: "master", false: "slave"}[cfg.IsMaster]
	}
	in.applyTo(&l.st)
	l.st.InfoAt, l.st.Info = now, v.Str
	rebooted := prevRun != "" && in.RunID != "" && prevRun != in.RunID
	if rebooted && cfg.IsMaster && cfg.RebootPeriod > 0 {
		l.rebootSince = now
	}
	roleChanged := in.Role != "" && in.Role != prevRole
	if roleChanged {
		l.st.RoleChangedAt = now
	}
	l.mu.Unlock()
	if rebooted {
		l.mon.linkEvent(l, "+reboot", "")
	}
	if roleChanged {
		// '+' when the new role is what the configuration expects of
		// this instance, '-' when it contradicts it.
		ch := "-role-change"
		if (in.Role == "master") == cfg.IsMaster {
			ch = "+role-change"
		}
		l.mon.linkEvent(l, ch, evRoleIsFmt+in.Role)
	}
	return nil
}
